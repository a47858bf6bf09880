//! Writing the report set: one format to stdout, or every format into `--out-dir` all or
//! none (rendered in parallel into temporary files, then renamed together).

use std::path::Path;

use super::{Format, RenderOptions};
use crate::report::Report;

/// Writes `report` in `formats`: to stdout (one format) without `out_dir`, else as
/// `out_dir/report.<extension>` each, replacing the previous set only when every file is
/// complete. The error names the file or directory that failed.
pub fn write(
    report: &Report,
    formats: &[Format],
    out_dir: Option<&Path>,
    options: &RenderOptions,
) -> Result<(), String> {
    let fail = |e: String| e;
    let Some(dir) = out_dir else {
        // Without --out-dir there is exactly one format, for stdout.
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        for &format in formats {
            super::render(report, format, options, &mut out)
                .map_err(|e| fail(format!("stdout: {e}")))?;
        }
        std::io::Write::flush(&mut out).map_err(|e| fail(format!("stdout: {e}")))?;
        return Ok(());
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(format!("--out-dir {}: {e}", dir.display())))?;
    let stale = crate::fsutil::remove_stale_temporaries(dir);
    if stale > 0 {
        crate::debug!("removed {stale} temporary files left by an interrupted run");
    }
    // Formats are independent: render each into its own temporary in parallel, one task per
    // format, each on a thread of its own: a writer that waits for the disk (each file is
    // synced before the set is renamed) leaves its core to the others. Only when every format
    // is complete are they renamed into place, so a failure or a kill never leaves a set of
    // reports mixed from two runs (and each carries the run id, should a rename be cut short).
    let write_one = |format: Format| {
        let started = std::time::Instant::now();
        let path = super::output_path(dir, format);
        let file = crate::fsutil::prepare(&path, |out| super::render(report, format, options, out))
            .map_err(|e| fail(format!("{}: {e}", path.display())))?;
        crate::debug!(
            "wrote {} in {:.2} s",
            path.display(),
            started.elapsed().as_secs_f64()
        );
        Ok::<_, String>(file)
    };
    let prepared: Vec<crate::fsutil::Prepared> = std::thread::scope(|scope| {
        let running: Vec<_> = formats
            .iter()
            .map(|&format| scope.spawn(move || write_one(format)))
            .collect();
        running
            .into_iter()
            .map(|t| {
                t.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect::<Result<_, String>>()
    })?;
    let mut set = crate::fsutil::FileSet::default();
    prepared.into_iter().for_each(|p| set.add(p));
    set.commit()
        .map_err(|e| fail(format!("--out-dir {}: {e}", dir.display())))
}
