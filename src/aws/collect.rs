//! `collect`: the live listing written to disk for an offline, air-gapped review.
//!
//! Layout: `DIR/<account>/<region>/<job>.json` (the describe response body),
//! `DIR/kms/<region>/…` (describe-key bodies and resolved aliases), `DIR/manifest.json`.

use std::path::Path;

use super::Fetched;
use crate::fsutil::write_atomic;
use crate::manifest::{MANIFEST_FILE, ManifestDocument};

/// Writes every fetched document and the manifest under `dir`.
pub fn write(dir: &Path, fetched: &Fetched) -> std::io::Result<usize> {
    let mut written = 0;
    for (path, bytes) in fetched.jobs.iter().chain(&fetched.keys) {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        write_atomic(&target, bytes)?;
        written += 1;
    }
    std::fs::create_dir_all(dir)?;
    let doc = ManifestDocument {
        manifest: fetched.manifest.clone(),
    };
    let mut bytes = serde_json::to_vec_pretty(&doc).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    write_atomic(&dir.join(MANIFEST_FILE), &bytes)?;
    Ok(written + 1)
}
