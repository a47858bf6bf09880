//! JSON Lines (`.jsonl`, `.ndjson`): one document per line.
//!
//! A file is read in chunks of whole lines and the chunks are parsed on every core, so an
//! export of 100,000 jobs in one file neither sits in memory whole nor waits on one core.
//! Each line stands alone: a line that is not UTF-8 or not valid JSON is one error, and the
//! lines around it are still evaluated.

use std::io::BufRead;

use rayon::prelude::*;

use super::{Candidate, FileYield, Sink, error, io_message};

/// Bytes of whole lines gathered into one chunk before it is handed to a worker.
const CHUNK_BYTES: usize = 4 << 20;
/// Chunks read ahead and parsed together; bounds memory to about this many chunks.
const CHUNKS_PER_BATCH: usize = 8;

/// Reads and parses an open JSON Lines file.
pub(super) fn read(c: &Candidate, file: std::fs::File, kms_only: bool) -> FileYield {
    let mut reader = std::io::BufReader::with_capacity(256 << 10, file);
    let mut y = FileYield::default();
    let mut next_line = 1u32;
    let mut any = false;
    loop {
        let mut batch: Vec<(u32, Vec<u8>)> = Vec::with_capacity(CHUNKS_PER_BATCH);
        let mut failed = None;
        while batch.len() < CHUNKS_PER_BATCH {
            let mut chunk = Vec::with_capacity(CHUNK_BYTES + (64 << 10));
            while chunk.len() < CHUNK_BYTES {
                match reader.read_until(b'\n', &mut chunk) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            if chunk.is_empty() {
                break;
            }
            let first = next_line;
            next_line += memchr::memchr_iter(b'\n', &chunk).count() as u32;
            batch.push((first, chunk));
            if failed.is_some() {
                break;
            }
        }
        let last = batch.len() < CHUNKS_PER_BATCH || failed.is_some();
        let parts: Vec<(FileYield, bool)> = batch
            .into_par_iter()
            .with_max_len(1)
            .map(|(first, chunk)| parse_lines(c, &chunk, first, kms_only))
            .collect();
        for (part, seen) in parts {
            any |= seen;
            y.append(part);
        }
        if let Some(e) = failed {
            let message = format!("{} (after line {})", io_message(&e), next_line - 1);
            y.errors
                .push(error(&c.shown, None, Some(next_line), message));
            return y;
        }
        if last {
            break;
        }
    }
    empty_unless(any, c, y)
}

/// Parses JSON Lines already in memory (live mode never names documents so; tests do).
pub(super) fn parse_all(c: &Candidate, bytes: &[u8], kms_only: bool) -> FileYield {
    let (y, any) = parse_lines(c, bytes, 1, kms_only);
    empty_unless(any, c, y)
}

/// A file with no line that is not blank is one error: it is empty.
fn empty_unless(any: bool, c: &Candidate, mut y: FileYield) -> FileYield {
    if !any {
        y.errors
            .push(error(&c.shown, None, None, "file is empty".into()));
    }
    y
}

/// Parses whole lines starting at line `first_line`; says whether any line was not blank.
fn parse_lines(c: &Candidate, bytes: &[u8], first_line: u32, kms_only: bool) -> (FileYield, bool) {
    let mut y = FileYield::default();
    let bytes = if first_line == 1 {
        bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
    } else {
        bytes
    };
    let mut any = false;
    let mut sink = Sink {
        c,
        kms_only,
        y: &mut y,
    };
    for (n, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let line_no = first_line + n as u32;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let at = || Some(format!("line {line_no}"));
        let line = match std::str::from_utf8(raw) {
            Ok(line) => line,
            Err(e) => {
                any = true;
                let message = format!(
                    "not UTF-8 text (invalid byte at offset {} of the line)",
                    e.valid_up_to()
                );
                sink.y
                    .errors
                    .push(error(&c.shown, at(), Some(line_no), message));
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        any = true;
        sink.document(line, line_no, at());
    }
    (y, any)
}
