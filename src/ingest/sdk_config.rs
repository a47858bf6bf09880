//! `scan --sdk-config`: the SageMaker Python SDK's configuration files, read where the SDK
//! reads them ([`crate::sdk_config::places`]) and judged in its order, so each key path's
//! verdict is the one the SDK's merged configuration gives.

use std::path::Path;

use super::{Ingested, MAX_DOCUMENT_BYTES, error, io_message, read_whole, shown_path};
use crate::sdk_config::places::{self, Place};
use crate::sdk_config::{ConfigFile, Schema, judge};

/// One file read: the path reports show and its content as JSON on the file's lines.
struct Read {
    shown: String,
    json: String,
}

/// Reads the SDK's places (environment from `env`, platform as [`places::places`] names it).
/// A place a variable names must be a readable configuration file (the SDK raises
/// otherwise); a default place may be absent. No file found at all is an error: there is
/// nothing to judge.
pub fn read(env: &dyn Fn(&str) -> Option<String>, platform: &str, cwd: &Path) -> Ingested {
    let mut out = Ingested::default();
    let mut files: Vec<(String, Option<Read>)> = Vec::new();
    let mut looked = Vec::new();
    for schema in [Schema::Classic, Schema::Resources] {
        let mut chain = Vec::new();
        for place in places::places(schema, env, platform) {
            let path = places::file_of(&place);
            let key = path.to_string_lossy().into_owned();
            if !looked.contains(&place.path) {
                looked.push(place.path.clone());
            }
            if !files.iter().any(|(k, _)| *k == key) {
                let read = read_place(&place, &path, cwd, &mut out);
                files.push((key.clone(), read));
            }
            if let Some((_, Some(_))) = files.iter().find(|(k, _)| *k == key) {
                chain.push(key);
            }
        }
        let chain: Vec<ConfigFile<'_>> = chain
            .iter()
            .filter_map(|k| files.iter().find(|(f, _)| f == k))
            .filter_map(|(_, r)| r.as_ref())
            .map(|r| ConfigFile {
                text: &r.json,
                first_line: 1,
                file: &r.shown,
            })
            .collect();
        let judged = judge(&chain, Some(schema));
        for (i, e) in judged.errors {
            out.errors.push(error(
                chain[i].file,
                None,
                e.line,
                format!("SDK config: {}", e.message),
            ));
        }
        for r in &judged.resources {
            *out.stats.resources.entry(r.group()).or_default() += 1;
        }
        out.resources.extend(judged.resources);
        super::add_counts(&mut out.stats.sdk_config_keys_not_judged, judged.not_judged);
    }
    let read = files.iter().filter(|(_, r)| r.is_some()).count();
    out.stats.sdk_config_documents += read;
    out.stats.documents += read;
    out.stats.files_read += read;
    if read == 0 && out.errors.is_empty() {
        out.errors.push(error(
            "--sdk-config",
            None,
            None,
            format!(
                "no SageMaker Python SDK configuration file in the places the SDK reads ({}), \
                 so there is nothing to judge",
                crate::text::one_line(&looked.join(", "), 400)
            ),
        ));
    }
    out
}

/// Reads one place; `None` when there is nothing there (an error is recorded where the SDK
/// would raise).
fn read_place(place: &Place, path: &Path, cwd: &Path, out: &mut Ingested) -> Option<Read> {
    let shown = shown_path(path, cwd);
    let named = |what: String| match place.variable {
        Some(var) => format!("{var} names {what}"),
        None => what,
    };
    if place.path.starts_with("s3://") {
        out.errors.push(error(
            &crate::text::one_line(&place.path, 200),
            None,
            None,
            named(
                "a configuration file in S3, which an offline scan does not fetch; download it \
                 and scan it by path"
                    .into(),
            ),
        ));
        return None;
    }
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && place.variable.is_none() => {
            crate::debug!("--sdk-config: no file at {shown}");
            return None;
        }
        Err(e) => {
            out.errors.push(error(
                &shown,
                None,
                None,
                named(format!("a file that {}", io_message(&e))),
            ));
            return None;
        }
    };
    if !meta.is_file() {
        out.errors
            .push(error(&shown, None, None, named("no regular file".into())));
        return None;
    }
    let mut buffer = Vec::new();
    let opened = std::fs::File::open(path).and_then(|mut f| {
        let len = usize::try_from(meta.len()).unwrap_or(usize::MAX);
        read_whole(&mut f, len, MAX_DOCUMENT_BYTES, &mut buffer)
    });
    if let Err(e) = opened {
        out.errors.push(error(&shown, None, None, io_message(&e)));
        return None;
    }
    let body = buffer.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&buffer);
    let Ok(text) = std::str::from_utf8(body) else {
        out.errors
            .push(error(&shown, None, None, "not UTF-8 text".into()));
        return None;
    };
    let root = match crate::pipeline::yaml::load(text) {
        Ok(Some(root)) => root,
        // An empty file sets nothing (the SDK skips it).
        Ok(None) => crate::pipeline::yaml::Node::empty_map(),
        Err((message, line)) => {
            out.errors.push(error(
                &shown,
                None,
                Some(line.max(1)),
                format!("not valid YAML: {message}"),
            ));
            return None;
        }
    };
    match crate::sdk_config::json_of(&root) {
        Ok(json) if json.trim_start().starts_with('{') => Some(Read { shown, json }),
        Ok(_) => {
            out.errors.push(error(
                &shown,
                None,
                Some(root.line),
                "SDK config: the file is not a mapping".into(),
            ));
            None
        }
        Err(e) => {
            out.errors.push(error(&shown, None, e.line, e.message));
            None
        }
    }
}
