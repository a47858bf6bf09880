//! `collect`: the live listing written to disk for an offline, air-gapped review.
//!
//! Layout ([`crate::layout`]): `DIR/<account>/<region>/<encoded job name>.json` (the describe
//! response body), `DIR/kms/<region>/…` (describe-key bodies and resolved aliases) and
//! `DIR/manifest.json`. Every path is confined to `DIR`; a document that cannot be written is
//! recorded in the manifest as a failed call, and the manifest is always written.

use std::path::Path;

use super::Fetched;
use crate::fsutil::{confined, remove_stale_temporaries, write_atomic};
use crate::manifest::{FailedCall, MANIFEST_FILE, ManifestDocument};

/// What a collection wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// Files written, the manifest included.
    pub files: usize,
    /// Documents that could not be written (each is a failed call in the manifest).
    pub failed: usize,
}

/// Writes every fetched document and the manifest under `dir`. Only failing to write the
/// manifest itself is an error; a document that cannot be written becomes an entry of the
/// manifest's failed calls, so an offline scan of `dir` reports it.
pub fn write(dir: &Path, fetched: &Fetched) -> std::io::Result<Written> {
    std::fs::create_dir_all(dir)?;
    remove_stale_temporaries(dir);
    let mut manifest = fetched.manifest.clone();
    let mut written = Written::default();
    for (path, bytes) in fetched.jobs.iter().chain(&fetched.keys) {
        let result = confined(dir, path)
            .map_err(|e| e.to_string())
            .and_then(|target| write_atomic(&target, bytes).map_err(|e| e.to_string()));
        match result {
            Ok(()) => written.files += 1,
            Err(message) => {
                written.failed += 1;
                crate::error!("{path}: could not be written: {message}");
                manifest.failed_calls.push(FailedCall {
                    source: path.clone(),
                    file: true,
                    message: format!("collect could not write this document: {message}"),
                });
            }
        }
    }
    manifest
        .failed_calls
        .sort_by(|a, b| a.source.cmp(&b.source));
    let doc = ManifestDocument { manifest };
    let mut bytes = serde_json::to_vec_pretty(&doc).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    write_atomic(&dir.join(MANIFEST_FILE), &bytes)?;
    written.files += 1;
    Ok(written)
}
