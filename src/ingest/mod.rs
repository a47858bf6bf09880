//! Offline input: files, directories and streams of exported API documents → resources, KMS
//! facts, errors.
//!
//! Every problem becomes an [`InputError`] naming the file; the rest of the scan goes on.
//! Every document read ends as exactly one job, KMS fact, manifest or error.

pub mod document;
mod jsonl;
pub mod sdk_config;
pub mod split;

use std::io::{BufRead, Read};
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::document::DocumentError;
use crate::kms::KeyFacts;
use crate::manifest::Manifest;
use crate::report::{InputError, InputStats};
use crate::resource::Resource;
use document::Document;
use split::{Event, Scanner, Shape, Span};

/// Files read so far by this process, for the progress line on a terminal.
pub static FILES_READ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Inputs larger than this are refused. Reading is streamed, so this bounds time, not memory.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// One document (an object, an array element, a line) larger than this is refused: no API
/// response comes near it, and it bounds the memory one document can take.
pub const MAX_DOCUMENT_BYTES: usize = 16 * 1024 * 1024;

/// Regular files up to this size are read whole; larger ones, and streams, are read in chunks.
const IN_MEMORY_BYTES: u64 = 64 * 1024 * 1024;

/// Bytes read from a stream at a time.
const STREAM_CHUNK: usize = 1 << 20;

/// Documents of a stream gathered before they are parsed together on every core.
const BATCH_BYTES: usize = 32 << 20;

/// Arrays with at least this many elements have them parsed in parallel.
const PARALLEL_ELEMENTS: usize = 64;

/// The name standard input goes by on the command line and in reports.
pub const STDIN: &str = "-";

/// How inputs are read, already validated.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// An empty file or stream is not an error.
    pub allow_empty: bool,
}

/// What offline ingestion produced.
#[derive(Debug, Default)]
pub struct Ingested {
    /// Read buffer reused from file to file by one worker (not part of the result).
    buffer: Vec<u8>,
    /// Every resource read, in file order.
    pub resources: Vec<Resource>,
    /// KMS facts read from `describe-key` / `list-aliases` documents.
    pub keys: KeyFacts,
    /// Everything that could not be read.
    pub errors: Vec<InputError>,
    /// Counts of what was read and skipped.
    pub stats: InputStats,
    /// Kinds a collect manifest says were listed: their checks are in the report even when
    /// no job of the kind was found, as in the live scan that collected them.
    pub scope: std::collections::BTreeSet<crate::resource::Group>,
}

/// A file to read, with the path reports show for it.
#[derive(Debug, Clone)]
struct Candidate {
    path: PathBuf,
    shown: String,
    kms_only: bool,
    options: ReadOptions,
    /// Found in a directory rather than named: YAML that is no CloudFormation template is
    /// then skipped, not an error.
    in_directory: bool,
}

/// What one file (or one part of a file) yielded. Every document counted in `documents` is
/// one job, one KMS fact (`key_docs` or `alias_docs`), one manifest or one `rejected` error.
#[derive(Default)]
struct FileYield {
    documents: usize,
    resources: Vec<Resource>,
    /// Documents holding pipeline definitions (of any source).
    pipeline_docs: usize,
    /// Pipeline steps that create no job the checks cover, by type.
    other_steps: crate::pipeline::StepTypes,
    /// SageMaker Python SDK configuration files.
    sdk_config_docs: usize,
    /// Key paths they set that no check judges.
    sdk_keys_not_judged: std::collections::BTreeMap<String, usize>,
    /// The file is not an input this tool reads (YAML that is no template, in a directory).
    not_ours: bool,
    keys: KeyFacts,
    key_docs: usize,
    alias_docs: usize,
    rejected: usize,
    errors: Vec<InputError>,
    manifests: Vec<Manifest>,
}

impl FileYield {
    /// Adds what another part of the same file yielded, after this part.
    fn append(&mut self, other: FileYield) {
        self.documents += other.documents;
        self.resources.extend(other.resources);
        self.pipeline_docs += other.pipeline_docs;
        crate::pipeline::add_step_types(&mut self.other_steps, other.other_steps);
        self.sdk_config_docs += other.sdk_config_docs;
        add_counts(&mut self.sdk_keys_not_judged, other.sdk_keys_not_judged);
        self.keys.extend(other.keys);
        self.key_docs += other.key_docs;
        self.alias_docs += other.alias_docs;
        self.rejected += other.rejected;
        self.errors.extend(other.errors);
        self.manifests.extend(other.manifests);
    }

    /// An error about the file as a whole, or about a place in it that is no document.
    fn fail(&mut self, c: &Candidate, location: Option<String>, line: Option<u32>, msg: String) {
        self.errors.push(error(&c.shown, location, line, msg));
    }
}

/// Adds counts by name (names from the tool's own tables, so bounded).
fn add_counts(
    to: &mut std::collections::BTreeMap<String, usize>,
    more: std::collections::BTreeMap<String, usize>,
) {
    for (k, n) in more {
        *to.entry(k).or_default() += n;
    }
}

/// Reads every path: resources from `paths`, KMS facts from `paths` and `kms_paths`.
pub fn ingest(
    paths: &[PathBuf],
    kms_paths: &[PathBuf],
    cwd: &Path,
    options: ReadOptions,
) -> Ingested {
    let mut out = paths
        .iter()
        .map(|p| (p, false))
        .chain(kms_paths.iter().map(|p| (p, true)))
        .map(|(path, kms_only)| ingest_path(path, kms_only, cwd, options))
        .fold(Ingested::default(), Ingested::merge);
    out.stats.paths = paths
        .iter()
        .chain(kms_paths)
        .map(|p| shown_path(p, cwd))
        .collect();
    out.stats.jobs_gone.sort();
    out.stats.jobs_gone.dedup();
    out.stats.regions_not_enabled.sort();
    out.stats.regions_not_enabled.dedup();
    out.stats.accounts_scanned.sort();
    out.stats.accounts_scanned.dedup();
    out.stats.accounts_failed.sort();
    out.stats.accounts_failed.dedup();
    out
}

/// One command-line path. A regular file is read as given (whatever its name); `-` is
/// standard input; a FIFO, a device or a process substitution (`<(…)`) named explicitly is read
/// as a stream; a directory is walked and its files parsed while the walk goes on, folded per
/// thread. Read order never shows in the output: reports sort, and duplicates are resolved by
/// content and path.
fn ingest_path(path: &Path, kms_only: bool, cwd: &Path, options: ReadOptions) -> Ingested {
    let mut out = Ingested::default();
    let candidate = |p: &Path| Candidate {
        path: p.to_path_buf(),
        shown: shown_path(p, cwd),
        kms_only,
        options,
        in_directory: false,
    };
    if path.as_os_str() == STDIN {
        out.stats.files_read = 1;
        let c = Candidate {
            shown: STDIN.to_owned(),
            ..candidate(path)
        };
        let y = read_stream(&c, std::io::stdin().lock());
        out.absorb(y);
        return out;
    }
    let c = candidate(path);
    match std::fs::metadata(path) {
        Err(e) => {
            out.errors.push(error(&c.shown, None, None, io_message(&e)));
            return out;
        }
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            out.stats.files_read = 1;
            let y = read_file(&c, &mut out.buffer);
            out.absorb(y);
            return out;
        }
    }
    // Every file's shown path starts with the directory's: worked out once.
    let root = c.shown.clone();
    WalkDir::new(path)
        .follow_links(false)
        .into_iter()
        .par_bridge()
        .fold(Ingested::default, |mut acc, entry| {
            match entry {
                Err(e) => {
                    let at = e.path().map_or(c.shown.clone(), |p| shown_path(p, cwd));
                    let msg = e.io_error().map_or_else(|| e.to_string(), io_message);
                    acc.errors.push(error(&at, None, None, msg));
                }
                Ok(entry) => {
                    let kind = entry.file_type();
                    if kind.is_symlink() {
                        acc.stats.skipped_links += 1;
                    } else if kind.is_file()
                        && (is_json_name(entry.path()) || is_yaml_name(entry.path()))
                    {
                        let c = Candidate {
                            path: entry.path().to_path_buf(),
                            shown: shown_below(&root, path, entry.path(), cwd),
                            kms_only,
                            options,
                            in_directory: true,
                        };
                        let y = read_file(&c, &mut acc.buffer);
                        if y.not_ours {
                            acc.stats.skipped_files += 1;
                        } else {
                            acc.stats.files_read += 1;
                            acc.absorb(y);
                        }
                    } else if kind.is_file() {
                        acc.stats.skipped_files += 1;
                    } else if !kind.is_dir() {
                        // FIFOs, sockets and devices in a directory are never opened: reading one
                        // could block the scan forever.
                        acc.stats.skipped_special += 1;
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
                kms_only: false,
                options: ReadOptions::default(),
                in_directory: false,
            };
            acc.absorb(read_bytes(&c, &bytes));
            acc
        })
        .reduce(Ingested::default, Ingested::merge);
    out.stats.files_read = files;
    out
}

impl Ingested {
    fn absorb(&mut self, y: FileYield) {
        self.stats.documents += y.documents;
        self.stats.pipeline_documents += y.pipeline_docs;
        self.stats.pipeline_other_steps += y.other_steps.values().sum::<usize>();
        crate::pipeline::add_step_types(&mut self.stats.pipeline_other_step_types, y.other_steps);
        self.stats.sdk_config_documents += y.sdk_config_docs;
        add_counts(
            &mut self.stats.sdk_config_keys_not_judged,
            y.sdk_keys_not_judged,
        );
        for r in &y.resources {
            if r.origin == crate::resource::Origin::Resource {
                self.stats.jobs += 1;
            }
            *self.stats.resources.entry(r.group()).or_default() += 1;
        }
        self.stats.kms_keys += y.key_docs;
        self.stats.kms_alias_lists += y.alias_docs;
        self.stats.manifests += y.manifests.len();
        self.stats.rejected_documents += y.rejected;
        self.resources.extend(y.resources);
        self.keys.extend(y.keys);
        self.errors.extend(y.errors);
        for m in y.manifests {
            self.apply_manifest(m);
        }
    }

    pub(crate) fn merge(mut self, other: Ingested) -> Ingested {
        if self.resources.len() < other.resources.len() {
            return other.merge(self);
        }
        self.stats.documents += other.stats.documents;
        self.stats.jobs += other.stats.jobs;
        self.stats.pipeline_documents += other.stats.pipeline_documents;
        self.stats.pipeline_other_steps += other.stats.pipeline_other_steps;
        crate::pipeline::add_step_types(
            &mut self.stats.pipeline_other_step_types,
            other.stats.pipeline_other_step_types,
        );
        self.stats.sdk_config_documents += other.stats.sdk_config_documents;
        add_counts(
            &mut self.stats.sdk_config_keys_not_judged,
            other.stats.sdk_config_keys_not_judged,
        );
        for (kind, n) in other.stats.resources {
            *self.stats.resources.entry(kind).or_default() += n;
        }
        self.stats.kms_keys += other.stats.kms_keys;
        self.stats.kms_alias_lists += other.stats.kms_alias_lists;
        self.stats.manifests += other.stats.manifests;
        self.stats.rejected_documents += other.stats.rejected_documents;
        self.stats.files_read += other.stats.files_read;
        self.stats.skipped_files += other.stats.skipped_files;
        self.stats.skipped_links += other.stats.skipped_links;
        self.stats.skipped_special += other.stats.skipped_special;
        self.stats.jobs_gone.extend(other.stats.jobs_gone);
        self.stats
            .regions_not_enabled
            .extend(other.stats.regions_not_enabled);
        self.stats
            .accounts_scanned
            .extend(other.stats.accounts_scanned);
        self.stats
            .accounts_failed
            .extend(other.stats.accounts_failed);
        self.resources.extend(other.resources);
        self.keys.extend(other.keys);
        self.errors.extend(other.errors);
        self.scope.extend(other.scope);
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
        // Account ids name rows of the reports: only what is one is taken from a manifest.
        let valid = |a: &String| crate::model::is_account_id(a);
        self.stats
            .accounts_scanned
            .extend(m.accounts.into_iter().filter(valid));
        self.stats
            .accounts_failed
            .extend(m.accounts_failed.into_iter().filter(valid));
        self.scope.extend(
            m.scope
                .kinds
                .iter()
                .filter_map(|k| crate::resource::Group::parse(k)),
        );
    }
}

fn is_json_name(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["json", "jsonl", "ndjson"]
            .iter()
            .any(|x| e.eq_ignore_ascii_case(x))
    })
}

/// YAML, read as a CloudFormation template.
fn is_yaml_name(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["yaml", "yml", "template"]
            .iter()
            .any(|x| e.eq_ignore_ascii_case(x))
    })
}

fn is_lines_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"))
}

/// Reads one file. A regular file up to [`IN_MEMORY_BYTES`] is read whole into `buffer` (reused,
/// so 100,000 files cost no allocation each); anything else is streamed.
fn read_file(c: &Candidate, buffer: &mut Vec<u8>) -> FileYield {
    FILES_READ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut y = FileYield::default();
    // One open and one fstat per file: at 100,000 files, path lookups are a real cost.
    let opened = std::fs::File::open(&c.path).and_then(|f| f.metadata().map(|m| (f, m)));
    let (mut file, meta) = match opened {
        Ok(x) => x,
        Err(e) => {
            y.fail(c, None, None, io_message(&e));
            return y;
        }
    };
    if !meta.is_file() {
        return read_stream(c, std::io::BufReader::with_capacity(STREAM_CHUNK, file));
    }
    let len = meta.len();
    if len > MAX_FILE_BYTES {
        y.fail(c, None, None, too_large(len));
        return y;
    }
    if is_lines_name(&c.path) {
        return jsonl::read(c, std::io::BufReader::with_capacity(256 << 10, file));
    }
    if is_yaml_name(&c.path) {
        return read_yaml(c, &mut file, len, buffer);
    }
    if len > IN_MEMORY_BYTES {
        return read_documents(c, std::io::BufReader::with_capacity(STREAM_CHUNK, file));
    }
    match read_whole(&mut file, len as usize, IN_MEMORY_BYTES as usize, buffer) {
        Ok(()) => read_bytes(c, buffer),
        Err(e) => {
            y.fail(c, None, None, io_message(&e));
            y
        }
    }
}

/// A YAML file: a CloudFormation template's pipelines. YAML that is no template is not ours:
/// skipped in a directory, an error when named.
fn read_yaml(c: &Candidate, file: &mut std::fs::File, len: u64, buffer: &mut Vec<u8>) -> FileYield {
    let mut y = FileYield::default();
    if len > MAX_DOCUMENT_BYTES as u64 {
        y.fail(
            c,
            None,
            None,
            format!(
                "YAML file is {} MiB, larger than the {} MiB a template may be",
                len >> 20,
                MAX_DOCUMENT_BYTES >> 20
            ),
        );
        return y;
    }
    if let Err(e) = read_whole(file, len as usize, MAX_DOCUMENT_BYTES, buffer) {
        y.fail(c, None, None, io_message(&e));
        return y;
    }
    let body = buffer.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(buffer);
    let Ok(text) = std::str::from_utf8(body) else {
        y.fail(c, None, None, "not UTF-8 text".into());
        return y;
    };
    let root = match crate::pipeline::yaml::load(text) {
        Ok(Some(root)) => root,
        Ok(None) if c.in_directory => {
            y.not_ours = true;
            return y;
        }
        Ok(None) => {
            y.fail(c, None, None, "YAML file holds no document".into());
            return y;
        }
        Err((message, line)) => {
            y.documents = 1;
            let mut e = crate::document::DocumentError::new(format!("not valid YAML: {message}"));
            e.line = Some(line.max(1));
            Sink { c, y: &mut y }.route(Err(e), 1, None);
            return y;
        }
    };
    let parsed = if let Some(steps) =
        crate::pipeline::cloudformation::yaml_template_of(&root, text, &c.shown)
    {
        Ok(document::Document::Pipeline(Box::new(steps)))
    } else if root.get("StartAt").is_some() && root.get("States").is_some() {
        // A state machine in YAML (`.asl.yaml`), read as JSON on the file's lines.
        match root.to_json_on_lines() {
            Ok(json) => crate::pipeline::states::definition_file(&json, 1, &c.shown)
                .map(|steps| document::Document::Pipeline(Box::new(steps))),
            Err((what, line)) => {
                let mut e = crate::document::DocumentError::new(format!(
                    "state machine: {what} is not plain YAML, which a state machine definition is"
                ));
                e.line = Some(line.max(1));
                Err(e)
            }
        }
    } else if let Some(json) = crate::sdk_config::yaml_file(&root) {
        json.and_then(|json| {
            crate::sdk_config::judge_file(&json, 1, &c.shown)
                .map(|judged| document::Document::SdkConfig(Box::new(judged)))
        })
    } else if c.in_directory {
        y.not_ours = true;
        return y;
    } else {
        y.fail(
            c,
            None,
            None,
            "YAML that is neither a CloudFormation template (a Resources section), a Step \
             Functions state machine (StartAt and States) nor a SageMaker Python SDK config (a \
             SageMaker section) is not read"
                .into(),
        );
        return y;
    };
    y.documents = 1;
    Sink { c, y: &mut y }.route(parsed, 1, None);
    y
}

fn too_large(len: u64) -> String {
    format!(
        "file is {} MiB, larger than the {} MiB limit; split the export into smaller files",
        len / (1024 * 1024),
        MAX_FILE_BYTES / (1024 * 1024)
    )
}

/// Reads a file of `len` bytes (as fstat said) into `buffer`, with no further metadata calls:
/// `File::read_to_end` would stat the file again. The bound holds on the bytes read, not the
/// size at open: a file that grows past `limit` while it is read is an error, never a buffer
/// that follows it.
fn read_whole(
    file: &mut std::fs::File,
    len: usize,
    limit: usize,
    buffer: &mut Vec<u8>,
) -> std::io::Result<()> {
    buffer.clear();
    buffer.resize(len.min(limit) + 1, 0);
    let mut filled = 0;
    loop {
        if filled == buffer.len() {
            if filled > limit {
                return Err(std::io::Error::other(format!(
                    "the file grew while it was read, past {} MiB (it had {} bytes when opened); \
                     scan it again once it is complete",
                    limit >> 20,
                    len
                )));
            }
            buffer.resize((buffer.len() * 2).min(limit + 1), 0);
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

/// A stream (standard input, a FIFO, a device): JSON Lines when its name says so or when its
/// first document fits on its first line, else one document, an array or a sequence of
/// objects.
fn read_stream<R: BufRead>(c: &Candidate, mut reader: R) -> FileYield {
    if is_lines_name(&c.path) {
        return jsonl::read(c, reader);
    }
    let looks_like_lines = match reader.fill_buf() {
        Ok(head) => first_document_is_one_line(head),
        Err(_) => false,
    };
    if looks_like_lines && c.path.extension().is_none_or(|e| e != "json") {
        jsonl::read(c, reader)
    } else {
        read_documents(c, reader)
    }
}

/// True when the text begins with an object that closes before the first line ends.
fn first_document_is_one_line(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let Some(start) = head.iter().position(|b| !b.is_ascii_whitespace()) else {
        return false;
    };
    let line_end = memchr::memchr(b'\n', &head[start..]).map_or(head.len(), |n| start + n);
    let (_, events) = split::split(&head[start..line_end]);
    head[start] == b'{' && matches!(events.as_slice(), [Event::Document(_)])
}

/// Bytes already in memory: a `.jsonl` / `.ndjson` name means JSON Lines; otherwise one
/// document, an array, or a sequence of objects.
fn read_bytes(c: &Candidate, bytes: &[u8]) -> FileYield {
    if is_lines_name(&c.path) {
        return jsonl::parse_all(c, bytes);
    }
    let mut y = FileYield::default();
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        empty(c, &mut y);
        return y;
    };
    // The usual export is one pretty-printed object: parse it directly, and look for more
    // documents only if that fails.
    if body[start] == b'{'
        && let Ok(text) = std::str::from_utf8(&body[start..])
    {
        let first_line = 1 + memchr::memchr_iter(b'\n', &bytes[..bytes.len() - body.len() + start])
            .count() as u32;
        let parsed = document::parse(text, first_line, &c.shown);
        if parsed.is_ok() || single_document(body) {
            y.documents = 1;
            Sink { c, y: &mut y }.route(parsed, first_line, None);
            return y;
        }
    }
    let (scanner, events) = split::split(bytes);
    let spans: Vec<Span> = events
        .iter()
        .filter_map(|e| match e {
            Event::Document(s) => Some(*s),
            Event::Broken { .. } => None,
        })
        .collect();
    let shape = scanner.shape().unwrap_or(Shape::Sequence);
    let piece = |s: &Span| &bytes[s.start as usize..s.end as usize];
    if spans.len() < PARALLEL_ELEMENTS {
        let mut sink = Sink { c, y: &mut y };
        spans.iter().for_each(|s| sink.piece(piece(s), s, shape));
    } else {
        let parts: Vec<FileYield> = spans
            .par_iter()
            .with_min_len(PARALLEL_ELEMENTS / 2)
            .fold(FileYield::default, |mut part, s| {
                Sink { c, y: &mut part }.piece(piece(s), s, shape);
                part
            })
            .collect();
        parts.into_iter().for_each(|part| y.append(part));
    }
    for e in events {
        if let Event::Broken { line, message } = e {
            y.fail(c, None, Some(line), message);
        }
    }
    y
}

/// True when the text holds exactly one document and nothing after it.
fn single_document(text: &[u8]) -> bool {
    let (scanner, events) = split::split(text);
    scanner.documents() == 1 && events.len() == 1
}

fn empty(c: &Candidate, y: &mut FileYield) {
    if !c.options.allow_empty {
        y.fail(c, None, None, "file is empty".into());
    }
}

/// Streams the documents of a large file or a stream through the splitter: each document is
/// cut out as it completes and parsed in batches on every core, so memory stays bounded by
/// the batch and the largest document, whatever the input's size.
fn read_documents<R: Read>(c: &Candidate, mut reader: R) -> FileYield {
    let mut y = FileYield::default();
    let mut scanner = Scanner::default();
    let mut events = Vec::new();
    // The text from `base` on that may still be needed: the document being scanned.
    let mut pending: Vec<u8> = Vec::new();
    let mut base: u64 = 0;
    let mut chunk = vec![0u8; STREAM_CHUNK];
    let mut batch: Vec<(Vec<u8>, Span)> = Vec::new();
    let mut batch_bytes = 0;
    let mut oversized: Option<usize> = None;
    let mut total: u64 = 0;
    let flush = |batch: &mut Vec<(Vec<u8>, Span)>, y: &mut FileYield, shape: Shape| {
        let parts: Vec<FileYield> = std::mem::take(batch)
            .into_par_iter()
            .with_max_len(64)
            .fold(FileYield::default, |mut part, (bytes, span)| {
                Sink { c, y: &mut part }.piece(&bytes, &span, shape);
                part
            })
            .collect();
        parts.into_iter().for_each(|part| y.append(part));
    };
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                y.fail(
                    c,
                    None,
                    None,
                    format!("{} (after {total} bytes)", io_message(&e)),
                );
                break;
            }
        };
        total += n as u64;
        if total > MAX_FILE_BYTES {
            y.fail(c, None, None, too_large(total));
            break;
        }
        events.clear();
        scanner.feed(&chunk[..n], &mut events);
        pending.extend_from_slice(&chunk[..n]);
        let shape = scanner.shape().unwrap_or(Shape::Sequence);
        for event in events.drain(..) {
            match event {
                Event::Document(span) if oversized == Some(span.index) => {
                    oversized = None;
                    y.documents += 1;
                    y.rejected += 1;
                    let at = location(shape, span.index);
                    y.fail(c, at, Some(span.line), document_too_large());
                }
                Event::Document(span) => {
                    let piece =
                        pending[(span.start - base) as usize..(span.end - base) as usize].to_vec();
                    batch_bytes += piece.len();
                    batch.push((piece, span));
                }
                Event::Broken { line, message } => y.fail(c, None, Some(line), message),
            }
        }
        if batch_bytes >= BATCH_BYTES {
            flush(&mut batch, &mut y, shape);
            batch_bytes = 0;
        }
        // Keep only the document still open, unless it has grown too large to keep.
        let keep_from = match scanner.open_document() {
            Some(start) if oversized.is_none() => {
                if (scanner_offset(base, &pending) - start) as usize > MAX_DOCUMENT_BYTES {
                    oversized = Some(scanner.documents());
                    scanner_offset(base, &pending)
                } else {
                    start
                }
            }
            _ => scanner_offset(base, &pending),
        };
        pending.drain(..(keep_from - base) as usize);
        base = keep_from;
        if scanner.failed() {
            break;
        }
    }
    events.clear();
    let any = scanner.finish(&mut events);
    for event in events {
        if let Event::Broken { line, message } = event {
            y.fail(c, None, Some(line), message);
        }
    }
    flush(
        &mut batch,
        &mut y,
        scanner.shape().unwrap_or(Shape::Sequence),
    );
    if !any && y.errors.is_empty() {
        empty(c, &mut y);
    }
    y
}

/// Offset just past the text held in `pending`.
fn scanner_offset(base: u64, pending: &[u8]) -> u64 {
    base + pending.len() as u64
}

fn document_too_large() -> String {
    format!(
        "document is larger than {} MiB; no API response is, so it was not read",
        MAX_DOCUMENT_BYTES / (1024 * 1024)
    )
}

/// How an error names a document: `element N` in an array, `document N` after the first of a
/// sequence.
fn location(shape: Shape, index: usize) -> Option<String> {
    match shape {
        Shape::Array => Some(format!("element {index}")),
        Shape::Sequence if index > 1 => Some(format!("document {index}")),
        Shape::Sequence => None,
    }
}

/// Routes parsed documents of one file to resources, facts or errors.
struct Sink<'a> {
    c: &'a Candidate,
    y: &'a mut FileYield,
}

impl Sink<'_> {
    /// One document found by the splitter.
    fn piece(&mut self, bytes: &[u8], span: &Span, shape: Shape) {
        let at = location(shape, span.index);
        self.y.documents += 1;
        if bytes.len() > MAX_DOCUMENT_BYTES {
            self.reject(at, span.line, document_too_large());
            return;
        }
        if bytes.first() != Some(&b'{') {
            self.reject(at, span.line, "array element is not a JSON object".into());
            return;
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => self.document(text, span.line, at),
            Err(e) => self.reject(
                at,
                span.line,
                format!(
                    "not UTF-8 text (invalid byte at offset {} of the document)",
                    e.valid_up_to()
                ),
            ),
        }
    }

    /// One JSON object, whose text begins on `line` (already counted as a document).
    fn document(&mut self, text: &str, line: u32, at: Option<String>) {
        let parsed = document::parse(text, line, &self.c.shown);
        self.route(parsed, line, at);
    }

    fn reject(&mut self, at: Option<String>, line: u32, message: String) {
        self.y.rejected += 1;
        self.y.fail(self.c, at, Some(line), message);
    }

    /// Sends a parsed document where it belongs; every one ends as exactly one thing.
    fn route(&mut self, parsed: Result<Document, DocumentError>, line: u32, at: Option<String>) {
        match parsed {
            Ok(Document::Resource(_)) if self.c.kms_only => self.reject(
                at,
                line,
                "--kms-keys expects `aws kms describe-key` or `list-aliases` output, not a SageMaker job; pass job files as scan paths".into(),
            ),
            Ok(Document::Resource(r)) => self.y.resources.push(*r),
            Ok(Document::Pipeline(_)) if self.c.kms_only => self.reject(
                at,
                line,
                "--kms-keys expects `aws kms describe-key` or `list-aliases` output, not a pipeline definition; pass it as a scan path".into(),
            ),
            Ok(Document::Pipeline(steps)) => {
                self.y.pipeline_docs += 1;
                crate::pipeline::add_step_types(&mut self.y.other_steps, steps.other_steps);
                self.y.resources.extend(steps.resources);
                // A step that cannot be read is an error of its own; the document still
                // counts as the pipeline definition it is.
                for e in steps.errors {
                    let at_line = e.line.map_or(line, |l| line + l - 1);
                    self.y.fail(self.c, at.clone(), Some(at_line), e.message);
                }
            }
            Ok(Document::SdkConfig(_)) if self.c.kms_only => self.reject(
                at,
                line,
                "--kms-keys expects `aws kms describe-key` or `list-aliases` output, not a SageMaker Python SDK config; pass it as a scan path".into(),
            ),
            Ok(Document::SdkConfig(judged)) => {
                self.y.sdk_config_docs += 1;
                self.y.resources.extend(judged.resources);
                add_counts(&mut self.y.sdk_keys_not_judged, judged.not_judged);
            }
            Ok(Document::Key(fact)) => {
                self.y.key_docs += 1;
                self.y.keys.add_key(fact);
            }
            Ok(Document::Manifest(m)) => self.y.manifests.push(*m),
            Ok(Document::Aliases(aliases)) => {
                self.y.alias_docs += 1;
                for (account, region, name, target) in aliases {
                    self.y.keys.add_alias(&account, &region, &name, &target);
                }
            }
            Err(e) => {
                // The parser counts lines from the document's start; reports count from the file's.
                let at_line = e.line.map_or(line, |l| line + l - 1);
                let message = match e.line {
                    Some(_) => format!("{} at line {at_line}", e.message),
                    None => e.message,
                };
                self.reject(at, at_line, message);
            }
        }
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

/// [`shown_path`] of `path`, a file found under the directory `dir` whose shown path is
/// `root`: the same text, without working the directory's part out again for each file.
fn shown_below(root: &str, dir: &Path, path: &Path, cwd: &Path) -> String {
    // Above the working directory, the shortest way to a file may not pass through `dir`
    // (`scan ..` shows a file of the working directory by its own name).
    let above = root == ".." || root.starts_with("../") || root.starts_with('/');
    let (false, Ok(rest)) = (above, path.strip_prefix(dir)) else {
        return shown_path(path, cwd);
    };
    let mut out = match root {
        "." => String::new(),
        "/" => "/".to_owned(),
        _ => format!("{root}/"),
    };
    let bare = out.len();
    for comp in rest.components() {
        let part = match comp {
            Component::Normal(s) => s.to_string_lossy(),
            // A walk below a directory yields only plain names; anything else is spelled out
            // the long way.
            _ => return shown_path(path, cwd),
        };
        if out.len() > bare {
            out.push('/');
        }
        out.push_str(&part);
    }
    if out.len() == bare {
        return root.to_owned();
    }
    out
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
    /// A file that grows while it is read was read whole (60 MiB at open, gigabytes by the
    /// end); the bound now holds on the bytes read.
    #[test]
    fn a_file_that_grows_while_read_stops_at_the_bound() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("growing.json");
        std::fs::write(&path, b"{\"a\": 1}").unwrap();
        let mut file = std::fs::File::open(&path).unwrap();
        let len = file.metadata().unwrap().len() as usize;
        let mut writer = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        writer.write_all(&vec![b' '; 3 << 20]).unwrap();
        let mut buffer = Vec::new();
        let e = read_whole(&mut file, len, 1 << 20, &mut buffer).unwrap_err();
        assert!(e.to_string().contains("grew while it was read"), "{e}");
        assert!(buffer.len() <= (1 << 20) + 1);
        // Within the bound, growth is read.
        let mut file = std::fs::File::open(&path).unwrap();
        read_whole(&mut file, len, 8 << 20, &mut buffer).unwrap();
        assert_eq!(buffer.len(), len + (3 << 20));
    }

    use super::*;

    /// Every `.json` / `.jsonl` file shipped with the project: fixtures and samples.
    fn shipped_files() -> Vec<PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<PathBuf> = ["tests/fixtures", "samples"]
            .iter()
            .flat_map(|d| WalkDir::new(root.join(d)).into_iter().flatten())
            .filter(|e| e.file_type().is_file() && is_json_name(e.path()))
            .map(|e| e.into_path())
            .collect();
        files.sort();
        assert!(files.len() > 20, "{files:?}");
        files
    }

    fn candidate(path: &Path) -> Candidate {
        Candidate {
            path: path.to_path_buf(),
            shown: path.display().to_string(),
            kms_only: false,
            options: ReadOptions::default(),
            in_directory: false,
        }
    }

    #[test]
    fn every_document_ends_as_exactly_one_thing() {
        for path in shipped_files() {
            let y = read_file(&candidate(&path), &mut Vec::new());
            let jobs = y
                .resources
                .iter()
                .filter(|r| r.origin == crate::resource::Origin::Resource)
                .count();
            let outcomes = jobs
                + y.pipeline_docs
                + y.sdk_config_docs
                + y.key_docs
                + y.alias_docs
                + y.manifests.len()
                + y.rejected;
            assert_eq!(y.documents, outcomes, "{}", path.display());
        }
    }

    /// The kinds a document claims by its top-level fields, decided here independently.
    fn claimed(doc: &serde_json::Value) -> Vec<&'static str> {
        let has = |k: &str| doc.get(k).is_some();
        let mut kinds = Vec::new();
        // A field another kind's response names it by is a reference, unless that kind's ARN
        // is there too.
        let referred = |field: &str| {
            crate::kinds::KINDS
                .iter()
                .any(|o| has(o.api.marker) && o.refers_to.contains(&field))
        };
        for k in crate::kinds::KINDS {
            if has(k.api.marker) && (has(k.api.arn_field) || !referred(k.api.marker)) {
                kinds.push("resource");
            }
            if has(k.api.summaries) {
                kinds.push("list");
            }
        }
        for (field, kind) in [
            ("KeyMetadata", "key"),
            ("Aliases", "aliases"),
            ("SagemakerAuditManifest", "manifest"),
            ("Steps", "pipeline"),
            ("PipelineDefinition", "pipeline"),
            ("terraform_version", "pipeline"),
            ("Resources", "pipeline"),
            ("StartAt", "pipeline"),
            ("SageMaker", "sdk-config"),
            ("PipelineSummaries", "list"),
        ] {
            if has(field) {
                kinds.push(kind);
            }
        }
        kinds
    }

    #[test]
    fn classification_follows_the_fields_a_document_carries() {
        let mut documents = Vec::new();
        for path in shipped_files() {
            let bytes = std::fs::read(&path).unwrap();
            let (_, events) = split::split(&bytes);
            for e in events {
                if let Event::Document(s) = e {
                    documents.push(bytes[s.start as usize..s.end as usize].to_vec());
                }
            }
        }
        // Each shipped job also with the marks of every other kind added.
        let jobs: Vec<Vec<u8>> = documents
            .iter()
            .filter(|d| d.windows(16).any(|w| w == b"\"TrainingJobName"))
            .cloned()
            .collect();
        for job in jobs {
            let text = String::from_utf8(job).unwrap();
            for extra in [
                r#""Aliases": [],"#,
                r#""KeyMetadata": {"KeyId": "k", "KeyManager": "AWS", "KeyState": "Enabled"},"#,
                r#""TrainingJobSummaries": [],"#,
                r#""Steps": [],"#,
                r#""PipelineDefinition": "{}","#,
                r#""StartAt": "A", "States": {},"#,
                r#""SageMaker": {},"#,
            ] {
                documents.push(text.replacen('{', &format!("{{{extra}"), 1).into_bytes());
            }
        }
        let mut checked = 0;
        for bytes in documents {
            let Ok(text) = std::str::from_utf8(&bytes) else {
                continue;
            };
            let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
                continue;
            };
            let kinds = claimed(&value);
            let outcome = document::parse(text, 1, "t.json");
            match (kinds.as_slice(), &outcome) {
                // Refused: as ambiguous, or for a broken field found first.
                ([_, _, ..], Err(_)) => {}
                ([_, _, ..], Ok(_)) => panic!("{kinds:?} accepted: {text}"),
                (["resource"], Ok(Document::Resource(_)))
                | (["key"], Ok(Document::Key(_)))
                | (["aliases"], Ok(Document::Aliases(_)))
                | (["manifest"], Ok(Document::Manifest(_)))
                | (["pipeline"], Ok(Document::Pipeline(_)))
                | (["sdk-config"], Ok(Document::SdkConfig(_)))
                | (_, Err(_)) => {}
                (_, Ok(d)) => panic!("{kinds:?} became {d:?}"),
            }
            checked += 1;
        }
        assert!(checked > 60, "{checked}");
    }

    #[test]
    fn a_file_below_a_directory_is_shown_as_shown_path_shows_it() {
        let cwd = Path::new("/work/repo");
        for (dir, rest) in [
            ("samples", "cli-v2/a.json"),
            ("samples/", "a.json"),
            ("./samples/./x", "a/b.json"),
            (".", "a.json"),
            ("..", "other/a.json"),
            ("/work/repo", "a.json"),
            ("/work/repo/samples", "a.json"),
            ("/work", "repo/a.json"),
            ("/", "etc/a.json"),
            ("/elsewhere/x", "a.json"),
        ] {
            let dir = Path::new(dir);
            let root = shown_path(dir, cwd);
            let file = dir.join(rest);
            assert_eq!(
                shown_below(&root, dir, &file, cwd),
                shown_path(&file, cwd),
                "{}",
                file.display()
            );
        }
    }

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
