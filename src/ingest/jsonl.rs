//! JSON Lines (`.jsonl`, `.ndjson`, or a stream whose first document fits on one line): one
//! document per line.
//!
//! The input is read in chunks of whole lines and the chunks are parsed on every core, so an
//! export of 100,000 jobs in one file neither sits in memory whole nor waits on one core.
//! Each line stands alone: a line that is not UTF-8, not valid JSON or longer than
//! [`MAX_DOCUMENT_BYTES`] is one error, and the lines around it are still evaluated.

use std::io::BufRead;

use rayon::prelude::*;

use super::{
    Candidate, FileYield, MAX_DOCUMENT_BYTES, MAX_FILE_BYTES, Sink, io_message, too_large,
};

/// Bytes of whole lines gathered into one chunk before it is handed to a worker.
const CHUNK_BYTES: usize = 4 << 20;
/// Chunks read ahead and parsed together; bounds memory to about this many chunks.
const CHUNKS_PER_BATCH: usize = 8;

/// What reading one line into a chunk found.
enum Line {
    /// A line (with its newline, if any) was appended.
    Read,
    /// A line longer than the limit was skipped; its number of bytes.
    TooLong(u64),
    /// End of input.
    End,
}

/// Appends the next line to `chunk`, unless it is longer than [`MAX_DOCUMENT_BYTES`], in which
/// case it is skipped without being kept.
fn next_line<R: BufRead>(reader: &mut R, chunk: &mut Vec<u8>) -> std::io::Result<Line> {
    let start = chunk.len();
    let mut skipped: Option<u64> = None;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(match skipped {
                Some(n) => Line::TooLong(n),
                None if chunk.len() > start => Line::Read,
                None => Line::End,
            });
        }
        let (used, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        match &mut skipped {
            Some(n) => *n += used as u64,
            None => {
                chunk.extend_from_slice(&available[..used]);
                if chunk.len() - start > MAX_DOCUMENT_BYTES {
                    skipped = Some((chunk.len() - start) as u64);
                    chunk.truncate(start);
                }
            }
        }
        reader.consume(used);
        if done {
            return Ok(match skipped {
                Some(n) => {
                    // Keep the line's newline, so line numbers stay right.
                    chunk.push(b'\n');
                    Line::TooLong(n)
                }
                None => Line::Read,
            });
        }
    }
}

/// Reads and parses JSON Lines from a reader.
pub(super) fn read<R: BufRead>(c: &Candidate, mut reader: R) -> FileYield {
    let mut y = FileYield::default();
    let mut next_line_no = 1u32;
    let mut total: u64 = 0;
    let mut any = false;
    loop {
        let mut batch: Vec<(u32, Vec<u8>, Vec<u32>)> = Vec::with_capacity(CHUNKS_PER_BATCH);
        let mut failed = None;
        while batch.len() < CHUNKS_PER_BATCH && failed.is_none() {
            let mut chunk = Vec::with_capacity(CHUNK_BYTES + (64 << 10));
            let mut too_long = Vec::new();
            let first = next_line_no;
            while chunk.len() < CHUNK_BYTES {
                let before = chunk.len();
                match next_line(&mut reader, &mut chunk) {
                    Ok(Line::End) => break,
                    Ok(Line::Read) => total += (chunk.len() - before) as u64,
                    Ok(Line::TooLong(n)) => {
                        total += n;
                        too_long.push(next_line_no);
                    }
                    Err(e) => {
                        failed = Some(io_message(&e));
                        break;
                    }
                }
                next_line_no += 1;
                if total > MAX_FILE_BYTES {
                    failed = Some(too_large(total));
                    break;
                }
            }
            if chunk.is_empty() && too_long.is_empty() {
                break;
            }
            // `next_line_no` counted one line per read; the chunk's own newlines say where the
            // next chunk begins.
            next_line_no = first + memchr::memchr_iter(b'\n', &chunk).count() as u32;
            batch.push((first, chunk, too_long));
        }
        let last = batch.len() < CHUNKS_PER_BATCH || failed.is_some();
        let parts: Vec<(FileYield, bool)> = batch
            .into_par_iter()
            .with_max_len(1)
            .map(|(first, chunk, too_long)| parse_lines(c, &chunk, first, &too_long))
            .collect();
        for (part, seen) in parts {
            any |= seen;
            y.append(part);
        }
        if let Some(message) = failed {
            let message = format!("{message} (after line {})", next_line_no - 1);
            y.fail(c, None, Some(next_line_no), message);
            return y;
        }
        if last {
            break;
        }
    }
    empty_unless(any, c, y)
}

/// Parses JSON Lines already in memory (live mode never names documents so; tests do).
pub(super) fn parse_all(c: &Candidate, bytes: &[u8]) -> FileYield {
    read(c, bytes)
}

/// A file with no line that is not blank is one error: it is empty.
fn empty_unless(any: bool, c: &Candidate, mut y: FileYield) -> FileYield {
    if !any {
        super::empty(c, &mut y);
    }
    y
}

/// Parses whole lines starting at line `first_line`; `too_long` lists the lines that were
/// skipped for their length. Says whether any line was not blank.
fn parse_lines(
    c: &Candidate,
    bytes: &[u8],
    first_line: u32,
    too_long: &[u32],
) -> (FileYield, bool) {
    let mut y = FileYield::default();
    let bytes = if first_line == 1 {
        bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
    } else {
        bytes
    };
    let mut any = false;
    let mut sink = Sink { c, y: &mut y };
    let mut long = too_long.iter().peekable();
    for (n, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let line_no = first_line + n as u32;
        let at = || Some(format!("line {line_no}"));
        if long.peek() == Some(&&line_no) {
            long.next();
            any = true;
            sink.y.documents += 1;
            sink.reject(at(), line_no, super::document_too_large());
            continue;
        }
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        any = true;
        sink.y.documents += 1;
        let line = match std::str::from_utf8(raw) {
            Ok(line) => line,
            Err(e) => {
                let message = format!(
                    "not UTF-8 text (invalid byte at offset {} of the line)",
                    e.valid_up_to()
                );
                sink.reject(at(), line_no, message);
                continue;
            }
        };
        if !line.trim_start().starts_with('{') {
            sink.reject(at(), line_no, "line is not a JSON object".into());
            continue;
        }
        sink.document(line, line_no, at());
    }
    (y, any)
}
