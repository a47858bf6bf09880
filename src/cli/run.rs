//! Running each command: validated configuration in, a report (or files) and an exit code
//! out.

#[cfg(feature = "aws")]
use super::CollectArgs;
use super::valid::{self, Reporting};
use super::{CompletionsArgs, Failure, KindsArgs, MergeArgs, ScanArgs, exit, usage};
use crate::report::Report;
use crate::rules::InstanceStorageTable;
use crate::scan::{self, ScanConfig};

pub(super) fn completions(args: &CompletionsArgs) -> Result<u8, Failure> {
    use std::io::Write;
    let script = crate::docs::completions(&super::command(), args.shell);
    let mut out = std::io::stdout().lock();
    out.write_all(&script)
        .and_then(|()| out.flush())
        .map_err(|e| Failure::Output(format!("cannot write the completion script: {e}")))?;
    Ok(exit::CLEAN)
}

pub(super) fn kinds(args: &KindsArgs) -> Result<u8, Failure> {
    use std::io::Write;
    let text = if args.json {
        crate::catalogue::json()
    } else if args.iam_policy {
        crate::catalogue::iam_policy()
    } else {
        crate::catalogue::table()
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Failure::Output(format!("cannot write the catalogue: {e}")))?;
    Ok(exit::CLEAN)
}

/// Annotates the report (waivers, baseline, framework), writes it, and picks the exit code.
pub(super) fn finish(mut report: Report, prepared: &Reporting) -> Result<u8, Failure> {
    prepared.audit.annotate(&mut report);
    for e in &report.errors {
        crate::error!("{e}");
    }
    let output = &prepared.output;
    crate::render::set::write(
        &report,
        &output.formats,
        output.out_dir.as_deref(),
        &output.options,
    )
    .map_err(Failure::Output)?;
    super::summary::summarise(&report, output);
    let code = exit_code(&report);
    // The process ends with this command, and freeing every finding and resource one by one
    // takes tens of milliseconds at 100,000 resources: the operating system takes it back.
    std::mem::forget(report);
    Ok(code)
}

pub(super) fn scan(args: ScanArgs) -> Result<u8, Failure> {
    let mut storage = InstanceStorageTable::built_in();
    if let Some(file) = &args.nvme_families {
        storage
            .apply_file(file)
            .map_err(|e| usage(format!("--nvme-families {e}")))?;
    }
    let prepared = Reporting::from_args(&args.report)?;
    let cwd = std::env::current_dir()
        .map_err(|e| usage(format!("cannot read the working directory: {e}")))?;
    let config = ScanConfig {
        paths: args.paths,
        kms_paths: args.kms_keys,
        allow_empty: args.allow_empty,
        sdk_config: args.sdk_config,
        storage,
        fail_on: prepared.fail_on,
        run: valid::run_stamp(),
    };
    #[cfg(feature = "aws")]
    let report = if args.live {
        let mut options = valid::live_options(&args.aws, config.run.generated_at.clone())?;
        options.cache = args.cache.clone();
        let fetched = crate::aws::fetch(&options).map_err(|e| usage(e.to_string()))?;
        scan::live(&config, fetched)
    } else {
        scan::offline(&config, &cwd)
    };
    #[cfg(not(feature = "aws"))]
    let report = scan::offline(&config, &cwd);
    finish(report, &prepared)
}

pub(super) fn merge(args: MergeArgs) -> Result<u8, Failure> {
    let prepared = Reporting::from_args(&args.report)?;
    let cwd = std::env::current_dir()
        .map_err(|e| usage(format!("cannot read the working directory: {e}")))?;
    let report = crate::merge::merge(
        &args.reports,
        &cwd,
        valid::run_stamp(),
        prepared.fail_on,
        args.prefer,
    );
    finish(report, &prepared)
}

#[cfg(feature = "aws")]
pub(super) fn collect(args: CollectArgs) -> Result<u8, Failure> {
    let mut options = valid::live_options(&args.aws, valid::run_stamp().generated_at)?;
    // An earlier export in the same directory is the cache: its jobs that have ended are not
    // described again.
    options.cache = Some(args.out_dir.clone());
    let fetched = crate::aws::fetch(&options).map_err(|e| usage(e.to_string()))?;
    for call in &fetched.manifest.failed_calls {
        crate::error!("{}: {}", call.source, call.message);
    }
    let written = crate::aws::collect::write(&args.out_dir, &fetched).map_err(|e| {
        Failure::Output(format!(
            "--out-dir {}: cannot write the manifest: {e}",
            args.out_dir.display()
        ))
    })?;
    let m = &fetched.manifest;
    crate::info!(
        "sagemaker-audit collect: {} jobs listed, {} described, {} kept from the export, {} gone, {} keys described, {} failed calls; {} files in {}{}",
        m.counts.jobs_listed,
        m.counts.jobs_described,
        m.counts.jobs_cached,
        m.jobs_gone.len(),
        m.counts.keys_described,
        m.failed_calls.len() + written.failed,
        written.files,
        args.out_dir.display(),
        if written.failed > 0 {
            format!(" ({} could not be written)", written.failed)
        } else {
            String::new()
        }
    );
    Ok(if m.failed_calls.is_empty() && written.failed == 0 {
        exit::CLEAN
    } else {
        exit::INCOMPLETE
    })
}

/// 3 when incomplete (precedence), else 1 with gating failures, else 0.
pub fn exit_code(report: &Report) -> u8 {
    if report.is_incomplete() {
        exit::INCOMPLETE
    } else if report.gating_failures() > 0 {
        exit::FAILURES
    } else {
        exit::CLEAN
    }
}
