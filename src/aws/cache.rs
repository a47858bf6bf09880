//! The describe cache of `scan --live --cache DIR` (and of `collect` into an existing export):
//! each describe response that can no longer change ([`crate::kinds::Settled`], a job that has
//! ended) is kept under the path `collect` gives it, and a later scan that lists the same
//! resource reads it instead of describing it again. Key facts are never cached.
//!
//! The cache is read like any input: a file is used only when it is a regular file (not a link)
//! within [`crate::ingest::MAX_DOCUMENT_BYTES`], a JSON object whose ARN is the listed one,
//! whose `CreationTime` is the one the listing gave (a resource deleted and created again under
//! its name has the same ARN) and whose status is still final; anything else is described
//! again and overwritten. Every path is confined to the directory.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::fsutil::{confined, write_atomic};

/// A cache directory.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache in `dir` (created when missing).
    pub fn open(dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        crate::fsutil::remove_stale_temporaries(dir);
        Ok(Cache {
            dir: dir.to_path_buf(),
        })
    }

    /// The kept response of the resource `listed`, when there is a usable one.
    pub fn get(&self, path: &str, listed: &Listed<'_>) -> Option<Vec<u8>> {
        let file = confined(&self.dir, path).ok()?;
        let meta = std::fs::symlink_metadata(&file).ok()?;
        let limit = crate::ingest::MAX_DOCUMENT_BYTES;
        if !meta.file_type().is_file() || meta.len() > limit as u64 {
            return None;
        }
        let mut body = Vec::new();
        std::fs::File::open(&file)
            .ok()?
            .take(limit as u64 + 1)
            .read_to_end(&mut body)
            .ok()?;
        let why = match usable(&body, listed) {
            Ok(()) => return Some(body),
            Err(why) => why,
        };
        crate::debug!("cache: {path} was not used ({why}); it is described again");
        None
    }

    /// Keeps `body` (a describe response of the resource `listed`) when it can no longer
    /// change. A cache that cannot be written is noted, not an error: the scan is complete
    /// without it.
    pub fn put(&self, path: &str, listed: &Listed<'_>, body: &[u8]) {
        if usable(body, listed).is_err() {
            return;
        }
        if let Err(e) = confined(&self.dir, path)
            .map_err(|e| e.to_string())
            .and_then(|file| write_atomic(&file, body).map_err(|e| e.to_string()))
        {
            crate::debug!("cache: {path} could not be written: {e}");
        }
    }
}

use crate::kinds::Settled;

/// What the listing says of one resource, and when its kind's responses are final.
#[derive(Debug, Clone, Copy)]
pub struct Listed<'a> {
    /// The field of the describe response that holds the ARN.
    pub arn_field: &'a str,
    /// The listed ARN.
    pub arn: &'a str,
    /// The listed creation time, whole seconds.
    pub created: Option<i64>,
    /// When the kind's describe response is final.
    pub settled: Settled,
}

/// Why a response may not stand in for a describe call, if it may not.
fn usable(body: &[u8], listed: &Listed<'_>) -> Result<(), &'static str> {
    let fields: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(body).map_err(|_| "not a JSON object")?;
    if fields.get(listed.arn_field).and_then(|v| v.as_str()) != Some(listed.arn) {
        return Err("its ARN is not the listed one");
    }
    let created = fields
        .get("CreationTime")
        .and_then(serde_json::Value::as_f64)
        .map(|t| t.floor() as i64);
    match (created, listed.created) {
        (Some(kept), Some(now)) if kept == now => {}
        (_, None) => return Err("the listing gave no creation time to match"),
        _ => return Err("it was created at another time than the listed resource"),
    }
    if !listed
        .settled
        .holds(|f| fields.get(f).and_then(|v| v.as_str()).map(str::to_owned))
    {
        return Err("the resource can still change");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENDED: Settled = Settled::When {
        field: "TrainingJobStatus",
        values: &["Completed", "Failed", "Stopped"],
    };

    fn listed(arn: &'static str, created: Option<i64>, settled: Settled) -> Listed<'static> {
        Listed {
            arn_field: "TrainingJobArn",
            arn,
            created,
            settled,
        }
    }

    fn body(status: &str) -> Vec<u8> {
        format!(
            r#"{{"TrainingJobArn": "arn:a", "TrainingJobStatus": "{status}", "CreationTime": 1700000000.25}}"#
        )
        .into_bytes()
    }

    const PATH: &str = "1/us-east-1/training/a.json";

    #[test]
    fn keeps_only_final_responses_of_the_listed_resource() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let job = listed("arn:a", Some(1_700_000_000), ENDED);
        cache.put(PATH, &job, &body("InProgress"));
        assert!(cache.get(PATH, &job).is_none(), "a running job is not kept");
        cache.put(PATH, &job, &body("Completed"));
        assert_eq!(cache.get(PATH, &job), Some(body("Completed")));
        // Another ARN, another creation time (a resource of the same name created anew), no
        // creation time to compare, or a kind that can change: described again.
        for other in [
            listed("arn:b", Some(1_700_000_000), ENDED),
            listed("arn:a", Some(1_700_000_999), ENDED),
            listed("arn:a", None, ENDED),
            listed("arn:a", Some(1_700_000_000), Settled::Never),
        ] {
            assert!(cache.get(PATH, &other).is_none(), "{other:?}");
        }
    }

    #[test]
    fn hostile_cache_files_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let job = listed("arn:a", Some(1_700_000_000), ENDED);
        std::fs::create_dir_all(dir.path().join("1/r/training")).unwrap();
        // Garbage, a link to a good file elsewhere, a path leaving the directory.
        std::fs::write(dir.path().join("1/r/training/garbage.json"), b"{not json").unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("good.json"), body("Completed")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(
            outside.path().join("good.json"),
            dir.path().join("1/r/training/link.json"),
        )
        .unwrap();
        for path in [
            "1/r/training/garbage.json",
            "1/r/training/link.json",
            "../good.json",
            "/etc/passwd",
        ] {
            assert!(cache.get(path, &job).is_none(), "{path}");
        }
        // Too big.
        let big = vec![b' '; crate::ingest::MAX_DOCUMENT_BYTES + 1];
        std::fs::write(dir.path().join("1/r/training/big.json"), big).unwrap();
        assert!(cache.get("1/r/training/big.json", &job).is_none());
    }
}
