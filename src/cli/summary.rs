//! The one line on stderr that sums a run up, and the warnings that go with it.

use std::path::Path;

use super::valid::Output;
use crate::report::Report;
use crate::resource::{Group, Kind};

pub(super) fn summarise(report: &Report, output: &Output) {
    let c = report.counts();
    let where_to = match &output.out_dir {
        Some(dir) => {
            let exts: Vec<&str> = output.formats.iter().map(|f| f.extension()).collect();
            format!(
                "; reports in {}",
                shown(&dir.join(format!("report.{{{}}}", exts.join(","))))
            )
        }
        None => String::new(),
    };
    let source = match report.mode {
        crate::report::Mode::Offline => counted(report.inputs.files_read, "file", "files"),
        crate::report::Mode::Live => "the AWS API".to_owned(),
        crate::report::Mode::Merged => format!("{} reports", report.inputs.paths.len()),
    };
    let kinds = report.kind_summaries();
    let jobs = match kinds.as_slice() {
        [] => "0 jobs".to_owned(),
        [only] if only.kind == Group::Kind(Kind::Training) => {
            counted(only.resources, "job", "jobs")
        }
        [only] => counted(only.resources, only.kind.singular(), only.kind.plural()),
        _ => format!(
            "{} ({})",
            // Once more than jobs and their pipeline steps are counted, they are resources.
            if kinds.iter().any(|k| !k.kind.counts_as_jobs()) {
                counted(report.job_count(), "resource", "resources")
            } else {
                counted(report.job_count(), "job", "jobs")
            },
            kinds
                .iter()
                .map(|k| match k.kind {
                    Group::Kind(kind) => format!("{} {}", k.resources, kind.name()),
                    other => format!("{} {}", k.resources, other.plural()),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    crate::info!(
        "sagemaker-audit: {jobs} from {source}: {} FAIL, {} PASS, {} NOT_APPLICABLE, {} not evaluated{}",
        c.fail,
        c.pass,
        c.not_applicable,
        report.errors.len(),
        where_to
    );
    let i = &report.inputs;
    if i.skipped_files + i.skipped_links + i.skipped_special > 0 {
        crate::info!(
            "skipped {} non-JSON files, {} symbolic links and {} FIFOs, sockets or devices in the scanned directories",
            i.skipped_files,
            i.skipped_links,
            i.skipped_special
        );
    }
    if let Some(w) = &report.waivers {
        crate::info!(
            "waivers: {} failing findings waived; {} waivers expired, {} matched nothing",
            w.applied,
            w.expired.len(),
            w.unused.len()
        );
        for warning in &w.warnings {
            crate::warn!("{}: {warning}", w.file);
        }
        for x in &w.expired {
            crate::warn!(
                "waiver at {}:{} ({}) expired on {}",
                w.file,
                x.line,
                x.matches,
                x.expires
            );
        }
    }
    if let Some(b) = &report.baseline {
        crate::info!(
            "since the baseline: {} new, {} unchanged, {} fixed",
            b.new,
            b.unchanged,
            b.fixed.len()
        );
    }
    if report.inputs.pipeline_other_steps > 0 {
        let types: Vec<String> = report
            .inputs
            .pipeline_other_step_types
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect();
        crate::info!(
            "{} steps of pipelines and states of state machines were not judged: they create nothing the checks read ({})",
            report.inputs.pipeline_other_steps,
            types.join(", ")
        );
    }
    if !report.inputs.sdk_config_keys_not_judged.is_empty() {
        let keys: Vec<String> = report
            .inputs
            .sdk_config_keys_not_judged
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        crate::info!(
            "SDK config keys set that no check judges (each says why): {}",
            keys.join(", ")
        );
    }
    if report.inputs.duplicate_jobs > 0 {
        let n = report.inputs.duplicate_jobs;
        crate::warn!(
            "{} appeared more than once; the copy with the newest LastModifiedTime was kept",
            if n == 1 {
                "1 resource".to_owned()
            } else {
                format!("{n} resources")
            }
        );
    }
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// `1 file`, `2 files`: a count with the noun it needs.
fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
