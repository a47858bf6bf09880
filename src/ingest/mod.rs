//! Offline input: files and directories of exported API documents → jobs, KMS facts, errors.
//!
//! Every problem becomes an [`InputError`] naming the file; the rest of the scan goes on.

pub mod document;
mod jsonl;
pub mod lines;

use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use serde_json::value::RawValue;
use walkdir::WalkDir;

use crate::kms::KeyFacts;
use crate::manifest::Manifest;
use crate::model::{Origin, TrainingJob};
use crate::report::{InputError, InputStats};
use document::{Anchors, Document, describe_json_error};
use lines::LineCounter;

/// Files read so far by this process, for the progress line on a terminal.
pub static FILES_READ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Files larger than this are refused rather than read into memory.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// What offline ingestion produced.
#[derive(Debug, Default)]
pub struct Ingested {
    /// Read buffer reused from file to file by one worker (not part of the result).
    buffer: Vec<u8>,
    /// Every training job read, in file order.
    pub jobs: Vec<TrainingJob>,
    /// KMS facts read from `describe-key` / `list-aliases` documents.
    pub keys: KeyFacts,
    /// Everything that could not be read.
    pub errors: Vec<InputError>,
    /// Counts of what was read and skipped.
    pub stats: InputStats,
}

/// A file to read, with the path reports show for it.
#[derive(Debug, Clone)]
struct Candidate {
    path: PathBuf,
    shown: String,
}

/// What one file (or one part of a file) yielded.
#[derive(Default)]
struct FileYield {
    jobs: Vec<TrainingJob>,
    keys: KeyFacts,
    key_docs: usize,
    errors: Vec<InputError>,
    manifests: Vec<Manifest>,
}

impl FileYield {
    /// Adds what another part of the same file yielded, after this part.
    fn append(&mut self, other: FileYield) {
        self.jobs.extend(other.jobs);
        self.keys.extend(other.keys);
        self.key_docs += other.key_docs;
        self.errors.extend(other.errors);
        self.manifests.extend(other.manifests);
    }
}

/// Reads every path: jobs from `paths`, KMS facts from `paths` and `kms_paths`.
pub fn ingest(paths: &[PathBuf], kms_paths: &[PathBuf], cwd: &Path) -> Ingested {
    let mut out = paths
        .iter()
        .map(|p| (p, false))
        .chain(kms_paths.iter().map(|p| (p, true)))
        .map(|(path, kms_only)| ingest_path(path, kms_only, cwd))
        .fold(Ingested::default(), Ingested::merge);
    out.stats.paths = paths
        .iter()
        .chain(kms_paths)
        .map(|p| shown_path(p, cwd))
        .collect();
    out
}

/// One command-line path: a file is read as given (whatever its name); a directory is walked
/// and its files parsed while the walk goes on, folded per thread. Read order never shows in
/// the output: reports sort, and duplicates are resolved by content and path.
fn ingest_path(path: &Path, kms_only: bool, cwd: &Path) -> Ingested {
    let mut out = Ingested::default();
    let shown = shown_path(path, cwd);
    match std::fs::metadata(path) {
        Err(e) => {
            out.errors.push(error(&shown, None, None, io_message(&e)));
            return out;
        }
        Ok(meta) if meta.is_file() => {
            out.stats.files_read = 1;
            let y = read_file(
                &Candidate {
                    path: path.to_path_buf(),
                    shown,
                },
                kms_only,
                &mut out.buffer,
            );
            out.absorb(y);
            return out;
        }
        Ok(_) => {}
    }
    WalkDir::new(path)
        .follow_links(false)
        .into_iter()
        .par_bridge()
        .fold(Ingested::default, |mut acc, entry| {
            match entry {
                Err(e) => {
                    let at = e.path().map_or(shown.clone(), |p| shown_path(p, cwd));
                    let msg = e.io_error().map_or_else(|| e.to_string(), io_message);
                    acc.errors.push(error(&at, None, None, msg));
                }
                Ok(entry) => {
                    let kind = entry.file_type();
                    if kind.is_symlink() {
                        acc.stats.skipped_links += 1;
                    } else if kind.is_file() && is_json_name(entry.path()) {
                        acc.stats.files_read += 1;
                        let c = Candidate {
                            path: entry.path().to_path_buf(),
                            shown: shown_path(entry.path(), cwd),
                        };
                        let y = read_file(&c, kms_only, &mut acc.buffer);
                        acc.absorb(y);
                    } else if kind.is_file() {
                        acc.stats.skipped_files += 1;
                    }
                }
            }
            acc
        })
        .reduce(Ingested::default, Ingested::merge)
}

/// Reads documents already in memory, each with the path reports show for it. Live mode
/// goes through here, so it parses exactly what `collect` writes and `scan` reads back.
pub fn ingest_documents(documents: Vec<(String, Vec<u8>)>) -> Ingested {
    let files = documents.len();
    let mut out = documents
        .into_par_iter()
        .fold(Ingested::default, |mut acc, (shown, bytes)| {
            let c = Candidate {
                path: PathBuf::from(&shown),
                shown,
            };
            acc.absorb(read_bytes(&c, &bytes, false));
            acc
        })
        .reduce(Ingested::default, Ingested::merge);
    out.stats.files_read = files;
    out
}

impl Ingested {
    fn absorb(&mut self, y: FileYield) {
        self.stats.jobs += y.jobs.len();
        self.stats.kms_keys += y.key_docs;
        self.jobs.extend(y.jobs);
        self.keys.extend(y.keys);
        self.errors.extend(y.errors);
        for m in y.manifests {
            self.apply_manifest(m);
        }
    }

    fn merge(mut self, other: Ingested) -> Ingested {
        if self.jobs.len() < other.jobs.len() {
            return other.merge(self);
        }
        self.stats.jobs += other.stats.jobs;
        self.stats.kms_keys += other.stats.kms_keys;
        self.stats.files_read += other.stats.files_read;
        self.stats.skipped_files += other.stats.skipped_files;
        self.stats.skipped_links += other.stats.skipped_links;
        self.stats.jobs_gone.extend(other.stats.jobs_gone);
        self.stats
            .regions_not_enabled
            .extend(other.stats.regions_not_enabled);
        self.jobs.extend(other.jobs);
        self.keys.extend(other.keys);
        self.errors.extend(other.errors);
        self
    }

    /// A collect manifest brings back what the live run knew beyond the documents.
    pub fn apply_manifest(&mut self, m: Manifest) {
        for call in m.failed_calls {
            self.errors.push(InputError {
                source: call.source,
                location: None,
                line: None,
                message: call.message,
                file: call.file,
            });
        }
        for key in m.unverified_keys {
            self.keys
                .add_unverified(&key.region, &key.reference, &key.reason);
        }
        self.stats.jobs_gone.extend(m.jobs_gone);
        self.stats.regions_not_enabled.extend(m.regions_not_enabled);
    }
}

fn is_json_name(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["json", "jsonl", "ndjson"]
            .iter()
            .any(|x| e.eq_ignore_ascii_case(x))
    })
}

fn is_lines_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"))
}

/// Reads one file into `buffer` (reused, so 100,000 files cost no allocation each) and parses it.
fn read_file(c: &Candidate, kms_only: bool, buffer: &mut Vec<u8>) -> FileYield {
    FILES_READ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut y = FileYield::default();
    let fail = |y: &mut FileYield, msg: String| y.errors.push(error(&c.shown, None, None, msg));
    // One open and one fstat per file: at 100,000 files, path lookups are a real cost.
    let opened = std::fs::File::open(&c.path).and_then(|f| f.metadata().map(|m| (f, m.len())));
    let (mut file, len) = match opened {
        Ok(x) => x,
        Err(e) => {
            fail(&mut y, io_message(&e));
            return y;
        }
    };
    if len > MAX_FILE_BYTES {
        fail(
            &mut y,
            format!(
                "file is {} MiB, larger than the {} MiB limit; split the export into smaller files",
                len / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        );
        return y;
    }
    if is_lines_name(&c.path) {
        return jsonl::read(c, file, kms_only);
    }
    match read_whole(&mut file, len as usize, buffer) {
        Ok(()) => read_bytes(c, buffer, kms_only),
        Err(e) => {
            fail(&mut y, io_message(&e));
            y
        }
    }
}

/// Reads a file of `len` bytes (as fstat said) into `buffer`, with no further metadata calls:
/// `File::read_to_end` would stat the file again. A file that grew meanwhile is read whole.
fn read_whole(file: &mut std::fs::File, len: usize, buffer: &mut Vec<u8>) -> std::io::Result<()> {
    use std::io::Read;
    buffer.clear();
    buffer.resize(len + 1, 0);
    let mut filled = 0;
    loop {
        if filled == buffer.len() {
            buffer.resize(buffer.len() * 2, 0);
        }
        match file.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buffer.truncate(filled);
    Ok(())
}

fn read_bytes(c: &Candidate, bytes: &[u8], kms_only: bool) -> FileYield {
    let mut y = FileYield::default();
    let fail = |y: &mut FileYield, msg: String| y.errors.push(error(&c.shown, None, None, msg));
    if is_lines_name(&c.path) {
        return jsonl::parse_all(c, bytes, kms_only);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            fail(
                &mut y,
                format!(
                    "not UTF-8 text (invalid byte at offset {})",
                    e.valid_up_to()
                ),
            );
            return y;
        }
    };
    if text.trim().is_empty() {
        fail(&mut y, "file is empty".into());
        return y;
    }
    read_json_text(text, c, kms_only, &mut y);
    y
}

/// Arrays with at least this many elements have them parsed in parallel.
const PARALLEL_ELEMENTS: usize = 64;

fn read_json_text(text: &str, c: &Candidate, kms_only: bool, y: &mut FileYield) {
    let trimmed = text.trim_start();
    let mut lines = LineCounter::new(text, 1);
    let mut sink = Sink { c, kms_only, y };
    if trimmed.starts_with('{') {
        let first_line = lines.line_of(trimmed);
        sink.document(trimmed, first_line, None);
    } else if trimmed.starts_with('[') {
        let elements: Vec<&RawValue> = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                let msg = describe_json_error(&e);
                sink.y
                    .errors
                    .push(error(&c.shown, None, Some(e.line() as u32), msg));
                return;
            }
        };
        // Element lines in one forward count, then the elements themselves on every core.
        let elements: Vec<(usize, &str, u32)> = elements
            .iter()
            .enumerate()
            .map(|(i, e)| (i, e.get(), lines.line_of(e.get())))
            .collect();
        let element = |sink: &mut Sink<'_>, (i, text, line): (usize, &str, u32)| {
            let at = Some(format!("element {}", i + 1));
            if text.starts_with('{') {
                sink.document(text, line, at);
            } else {
                sink.y.errors.push(error(
                    &c.shown,
                    at,
                    None,
                    "array element is not a JSON object".into(),
                ));
            }
        };
        if elements.len() < PARALLEL_ELEMENTS {
            elements.into_iter().for_each(|e| element(&mut sink, e));
        } else {
            let parts: Vec<FileYield> = elements
                .into_par_iter()
                .with_min_len(PARALLEL_ELEMENTS / 2)
                .fold(FileYield::default, |mut y, e| {
                    element(
                        &mut Sink {
                            c,
                            kms_only,
                            y: &mut y,
                        },
                        e,
                    );
                    y
                })
                .collect();
            parts.into_iter().for_each(|part| sink.y.append(part));
        }
    } else {
        sink.y.errors.push(error(
            &c.shown,
            None,
            Some(1),
            "expected a JSON object or an array of objects".into(),
        ));
    }
}

/// Routes parsed documents of one file to jobs, facts or errors.
struct Sink<'a> {
    c: &'a Candidate,
    kms_only: bool,
    y: &'a mut FileYield,
}

impl Sink<'_> {
    /// One JSON object, whose text begins on `line`.
    fn document(&mut self, text: &str, line: u32, at: Option<String>) {
        match document::parse(text) {
            Ok((Document::Job(_), _)) if self.kms_only => self.y.errors.push(error(
                &self.c.shown,
                at,
                Some(line),
                "--kms-keys expects `aws kms describe-key` or `list-aliases` output, not a training job; pass job files as scan paths".into(),
            )),
            Ok((Document::Job(mut job), anchors)) => {
                let mut lines = LineCounter::new(text, line);
                job.origin = origin(&self.c.shown, line, &anchors, &mut lines);
                self.y.jobs.push(*job);
            }
            Ok((Document::Key(fact), _)) => {
                self.y.key_docs += 1;
                self.y.keys.add_key(fact);
            }
            Ok((Document::Manifest(m), _)) => self.y.manifests.push(*m),
            Ok((Document::Aliases(aliases), _)) => {
                for (account, region, name, target) in aliases {
                    self.y.keys.add_alias(&account, &region, &name, &target);
                }
            }
            Err(e) => self
                .y
                .errors
                .push(error(&self.c.shown, at, Some(line), e.0)),
        }
    }
}

/// Where a job was read: its file and the lines of the values its findings point at,
/// counted in the order they appear in the text.
fn origin(
    file: &str,
    document_line: u32,
    anchors: &Anchors<'_>,
    lines: &mut LineCounter<'_>,
) -> Origin {
    let mut marks = [
        anchors.resource_config,
        anchors.volume_key,
        anchors.output_config,
        anchors.output_key,
    ]
    .map(|slice| (slice.map(str::as_ptr), slice, None));
    let mut order = [0, 1, 2, 3];
    order.sort_by_key(|&i| marks[i].0);
    for i in order {
        marks[i].2 = marks[i].1.map(|slice| lines.line_of(slice));
    }
    Origin {
        file: file.to_owned(),
        document_line,
        resource_config_line: marks[0].2,
        volume_key_line: marks[1].2,
        output_config_line: marks[2].2,
        output_key_line: marks[3].2,
    }
}

fn error(source: &str, location: Option<String>, line: Option<u32>, message: String) -> InputError {
    InputError {
        source: source.to_owned(),
        location,
        line,
        message,
        file: true,
    }
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => {
            "permission denied; check the file's permissions".into()
        }
        _ => format!("could not be read: {e}"),
    }
}

/// The path reports show: relative to the working directory (with `..` when outside it),
/// `/`-separated, so SARIF gets a relative URI reference.
pub fn shown_path(path: &Path, cwd: &Path) -> String {
    let relative;
    let rel = if path.is_absolute() {
        relative = relative_to(path, cwd);
        relative.as_deref().unwrap_or(path)
    } else {
        path
    };
    let mut parts: Vec<String> = Vec::new();
    let mut absolute = false;
    for comp in rel.components() {
        match comp {
            Component::CurDir => {}
            Component::RootDir => absolute = true,
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::ParentDir => parts.push("..".into()),
            Component::Prefix(p) => parts.push(p.as_os_str().to_string_lossy().into_owned()),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

fn relative_to(path: &Path, base: &Path) -> Option<PathBuf> {
    let path: Vec<Component<'_>> = path.components().collect();
    let base: Vec<Component<'_>> = base.components().collect();
    // Different roots (another drive) cannot be expressed relatively.
    if path.first() != base.first() {
        return None;
    }
    let common = path.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..base.len() {
        out.push("..");
    }
    for c in &path[common..] {
        out.push(c.as_os_str());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_paths_are_relative_and_slash_separated() {
        let cwd = Path::new("/work/repo");
        assert_eq!(
            shown_path(Path::new("/work/repo/samples/a.json"), cwd),
            "samples/a.json"
        );
        assert_eq!(
            shown_path(Path::new("./samples//a.json"), cwd),
            "samples/a.json"
        );
        assert_eq!(
            shown_path(Path::new("/elsewhere/a.json"), cwd),
            "../../elsewhere/a.json"
        );
        assert_eq!(
            shown_path(Path::new("/work/other/a.json"), cwd),
            "../other/a.json"
        );
        assert_eq!(shown_path(Path::new("."), cwd), ".");
    }
}
