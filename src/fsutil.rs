//! Writing files into a directory someone else may also write to.
//!
//! - A file is written to a temporary beside its final path, created exclusively under an
//!   unpredictable name (so a link planted in a shared directory cannot redirect it), then
//!   renamed into place: a crash never leaves half a file, and a rename replaces a link at the
//!   final path instead of writing through it.
//! - A [`FileSet`] completes every file before it renames any, so an interrupted run can only
//!   be interrupted between renames, and every report carries the run id to show it.
//! - Temporaries left behind by a killed run are removed by the next one.
//! - [`confined`] keeps every path built from untrusted names inside its directory.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// Prefix of every temporary this tool creates; followed by the writer's process id.
const TEMP_PREFIX: &str = ".sagemaker-audit-";
const TEMP_SUFFIX: &str = ".tmp";

fn temporary_in(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{}-", std::process::id()))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
}

fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Writes `bytes` to `path` through an exclusive temporary and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut set = FileSet::default();
    set.write(path, |w| w.write_all(bytes))?;
    set.commit()
}

/// Files written as one unit: each is completed and synced to a temporary, and only
/// [`FileSet::commit`] renames them into place, one after the other. Dropping the set without
/// committing removes every temporary.
#[derive(Default)]
pub struct FileSet {
    pending: Vec<(tempfile::NamedTempFile, PathBuf)>,
}

impl FileSet {
    /// Streams one file into a temporary beside `path`. On error the temporary is removed and
    /// `path` is left as it was.
    pub fn write<E: From<std::io::Error>>(
        &mut self,
        path: &Path,
        write: impl FnOnce(&mut dyn Write) -> Result<(), E>,
    ) -> Result<(), E> {
        let temp = write_temporary(path, write)?;
        self.pending.push((temp, path.to_path_buf()));
        Ok(())
    }

    /// Adds a temporary written elsewhere (for example on another thread).
    pub fn add(&mut self, prepared: Prepared) {
        self.pending.push((prepared.0, prepared.1));
    }

    /// Renames every file into place, all or none: a path that cannot be replaced (a
    /// directory stands there) fails the set before anything is renamed, and a rename that
    /// fails midway puts back the files already replaced, so a failed commit leaves the old
    /// set whole, never a mix of new and old reports.
    pub fn commit(self) -> std::io::Result<()> {
        for (_, path) in &self.pending {
            if let Ok(meta) = path.symlink_metadata()
                && meta.is_dir()
            {
                return Err(std::io::Error::other(format!(
                    "{} is a directory, so it cannot be replaced; no report was replaced",
                    path.display()
                )));
            }
        }
        let mut done: Vec<(PathBuf, Option<tempfile::TempPath>)> = Vec::new();
        for (temp, path) in self.pending {
            let result = (|| {
                // The old file moves aside first, so it can come back.
                let backup = match path.symlink_metadata() {
                    Ok(_) => {
                        let aside = temporary_in(parent_of(&path))?.into_temp_path();
                        std::fs::rename(&path, &aside)?;
                        Some(aside)
                    }
                    Err(_) => None,
                };
                match temp.persist(&path) {
                    Ok(_) => Ok(backup),
                    Err(e) => {
                        if let Some(aside) = &backup {
                            let _ = std::fs::rename(aside, &path);
                        }
                        Err(e.error)
                    }
                }
            })();
            match result {
                Ok(backup) => done.push((path, backup)),
                Err(e) => {
                    for (path, backup) in done.into_iter().rev() {
                        match backup {
                            Some(aside) => {
                                let _ = std::fs::rename(&aside, &path);
                            }
                            None => {
                                let _ = std::fs::remove_file(&path);
                            }
                        }
                    }
                    return Err(e);
                }
            }
        }
        // Every file is in place: the old ones go (dropping a TempPath removes it).
        drop(done);
        Ok(())
    }
}

/// One completed temporary and the path it is meant for, ready for a [`FileSet`].
pub struct Prepared(tempfile::NamedTempFile, PathBuf);

/// Writes `path`'s content to a temporary beside it without renaming it yet.
pub fn prepare<E: From<std::io::Error>>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<Prepared, E> {
    Ok(Prepared(write_temporary(path, write)?, path.to_path_buf()))
}

fn write_temporary<E: From<std::io::Error>>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<tempfile::NamedTempFile, E> {
    let mut temp = temporary_in(parent_of(path))?;
    {
        let mut out = std::io::BufWriter::with_capacity(1 << 20, temp.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    temp.as_file().sync_all()?;
    Ok(temp)
}

/// Removes temporaries that a killed run of this tool left in `dir`: regular files named like
/// ours whose process is gone (on systems without `/proc`, those older than a day). Links and
/// anything else are left alone. Returns how many were removed.
pub fn remove_stale_temporaries(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        // Ours, and the `.report.<format>.<pid>.tmp` names of versions before 0.2.
        let pid = if let Some(rest) = name.strip_prefix(TEMP_PREFIX) {
            rest.split('-').next()
        } else if name.starts_with(".report.") {
            name.rsplit('.').nth(1)
        } else {
            None
        };
        let Some(pid) = pid.filter(|_| name.ends_with(TEMP_SUFFIX)) else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        if !meta.file_type().is_file() || pid == std::process::id() || process_alive(pid, &meta) {
            continue;
        }
        if std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

fn process_alive(pid: u32, meta: &std::fs::Metadata) -> bool {
    let proc = Path::new("/proc");
    if proc.join("self").exists() {
        return proc.join(pid.to_string()).exists();
    }
    // No way to ask: treat anything younger than a day as in use.
    meta.modified()
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_none_or(|age| age.as_secs() < 24 * 3600)
}

/// Why a path was refused.
#[derive(Debug, thiserror::Error)]
#[error("refusing to write {path:?}: {reason}")]
pub struct ConfinementError {
    path: String,
    reason: &'static str,
}

/// Joins `relative` (built from names an API or a file supplied) onto `dir`, refusing anything
/// that could leave it: absolute paths, `..`, `.`, drive prefixes, empty components, NUL and
/// backslashes. Missing directories on the way are created; an existing one must be a real
/// directory, not a link, so a link planted inside `dir` cannot lead out of it either.
pub fn confined(dir: &Path, relative: &str) -> Result<PathBuf, ConfinementError> {
    let refuse = |reason| ConfinementError {
        path: crate::text::one_line(relative, 200),
        reason,
    };
    if relative.is_empty() || relative.contains(['\0', '\\']) {
        return Err(refuse("empty, or holds a NUL or backslash"));
    }
    let parts: Vec<&str> = relative.split('/').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == "..")
        || !Path::new(relative)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
    {
        return Err(refuse("is not a plain relative path"));
    }
    let mut current = dir.to_path_buf();
    for part in &parts[..parts.len() - 1] {
        current.push(part);
        let meta = match current.symlink_metadata() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                match std::fs::create_dir(&current) {
                    Ok(()) => continue,
                    // Someone else made it meanwhile: look at what it is.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        current.symlink_metadata()
                    }
                    Err(_) => return Err(refuse("its directory cannot be created")),
                }
            }
            other => other,
        };
        match meta {
            Ok(m) if m.file_type().is_dir() => {}
            Ok(_) => return Err(refuse("a directory on its way is a link or a file")),
            Err(_) => return Err(refuse("its directory cannot be read")),
        }
    }
    Ok(dir.join(relative))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.csv");
        std::fs::write(&target, "old").unwrap();
        write_atomic(&target, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_link_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        let target = dir.path().join("report.html");
        std::os::unix::fs::symlink(&victim, &target).unwrap();
        // The old predictable temporary name, planted as a link too.
        std::os::unix::fs::symlink(
            &victim,
            dir.path()
                .join(format!(".report.html.{}.tmp", std::process::id())),
        )
        .unwrap();
        write_atomic(&target, b"report").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "report");
        assert!(!target.symlink_metadata().unwrap().file_type().is_symlink());
    }

    #[test]
    fn a_set_renames_nothing_until_every_file_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, "old a").unwrap();
        let mut set = FileSet::default();
        set.write(&a, |w| w.write_all(b"new a")).unwrap();
        let failed = set.write(&b, |_| Err(std::io::Error::other("disk full")));
        assert!(failed.is_err());
        drop(set);
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a");
        assert!(!b.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    /// Exit 4 left a mixed set (new report.json, old report.sarif) when one path could not
    /// be replaced.
    #[test]
    fn a_set_that_cannot_replace_one_path_replaces_none() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            dir.path().join("a"),
            dir.path().join("b"),
            dir.path().join("c"),
        );
        std::fs::write(&a, "old a").unwrap();
        std::fs::create_dir(&b).unwrap();
        let mut set = FileSet::default();
        for p in [&a, &b, &c] {
            set.write(p, |w| w.write_all(b"new")).unwrap();
        }
        assert!(set.commit().is_err());
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a");
        assert!(b.is_dir() && !c.exists());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            2,
            "no temporaries"
        );
        // A rename that fails midway (its directory is gone) puts back what it replaced.
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let d = sub.join("d");
        let mut set = FileSet::default();
        set.write(&a, |w| w.write_all(b"new a")).unwrap();
        set.write(&d, |w| w.write_all(b"new d")).unwrap();
        std::fs::remove_dir_all(&sub).unwrap();
        assert!(set.commit().is_err());
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a");
        // And a set that can be written replaces every file and leaves no backup behind.
        let mut set = FileSet::default();
        set.write(&a, |w| w.write_all(b"new a")).unwrap();
        set.write(&c, |w| w.write_all(b"new c")).unwrap();
        set.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
    }

    #[test]
    fn temporaries_of_dead_runs_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // pid 0 never names a user process: its /proc entry does not exist.
        let dead = dir.path().join(".sagemaker-audit-0-abc123.tmp");
        let old_style = dir.path().join(".report.html.0.tmp");
        let mine = dir
            .path()
            .join(format!(".sagemaker-audit-{}-x.tmp", std::process::id()));
        let unrelated = dir.path().join("notes.tmp");
        for p in [&dead, &old_style, &mine, &unrelated] {
            std::fs::write(p, "x").unwrap();
        }
        if Path::new("/proc/self").exists() {
            assert_eq!(remove_stale_temporaries(dir.path()), 2);
            assert!(!dead.exists() && !old_style.exists());
        }
        assert!(mine.exists() && unrelated.exists());
    }

    #[test]
    fn confined_paths_stay_inside() {
        let dir = tempfile::tempdir().unwrap();
        let ok = confined(dir.path(), "123456789012/us-east-1/job.json").unwrap();
        assert!(ok.starts_with(dir.path()));
        for bad in [
            "../x.json",
            "/tmp/x.json",
            "a/../../x.json",
            "a//b.json",
            "./a.json",
            "",
            "a\\..\\b",
            "a/\0b",
        ] {
            assert!(confined(dir.path(), bad).is_err(), "{bad:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_inside_the_directory_cannot_lead_out() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("123456789012")).unwrap();
        let err = confined(dir.path(), "123456789012/us-east-1/job.json").unwrap_err();
        assert!(err.to_string().contains("link"), "{err}");
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    }
}
