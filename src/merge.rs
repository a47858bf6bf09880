//! `merge`: combine JSON reports from many accounts and regions into one report.
//!
//! A job seen in several reports is taken from the report where its `LastModifiedTime` is
//! newest (the first such report on a tie); every error of every report is kept. A report
//! that cannot be read becomes an ERROR itself, and the merge goes on.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::ingest::shown_path;
use crate::kms::KeyManager;
use crate::report::{Finding, InputError, InputStats, JobRef, Mode, Report, Severity, Status};
use crate::rules::RuleId;

#[derive(Deserialize)]
struct JsonReport {
    schema_version: String,
    inputs: InputStats,
    findings: Vec<JsonFinding>,
    errors: Vec<JsonError>,
}

#[derive(Deserialize)]
struct JsonFinding {
    status: Status,
    severity: Severity,
    rule_id: RuleId,
    job_name: String,
    job_arn: String,
    account_id: String,
    region: String,
    job_status: Option<String>,
    creation_time: Option<String>,
    last_modified_time: Option<String>,
    instance_types: Vec<String>,
    kms_key: Option<String>,
    key_manager: String,
    key_state: Option<String>,
    message: String,
    source_file: String,
    line: u32,
}

#[derive(Deserialize)]
struct JsonError {
    source: String,
    location: Option<String>,
    line: Option<u32>,
    message: String,
    #[serde(default = "yes")]
    file: bool,
}

fn yes() -> bool {
    true
}

impl From<JsonFinding> for Finding {
    fn from(f: JsonFinding) -> Self {
        Finding {
            rule_id: f.rule_id,
            status: f.status,
            severity: f.severity,
            job: std::sync::Arc::new(JobRef {
                name: f.job_name,
                arn: f.job_arn,
                account_id: f.account_id,
                region: f.region,
                status: f.job_status,
                creation_time: f.creation_time,
                last_modified_time: f.last_modified_time,
                instance_types: f.instance_types,
                source_file: f.source_file,
            }),
            kms_key: f.kms_key.map(Into::into),
            key_manager: match f.key_manager.as_str() {
                "CUSTOMER" => KeyManager::Customer,
                "AWS" => KeyManager::Aws,
                "UNVERIFIED" => KeyManager::Unverified,
                _ => KeyManager::None,
            },
            key_state: f.key_state.map(Into::into),
            message: f.message.into(),
            line: f.line,
            waiver: None,
            baseline: None,
        }
    }
}

/// Merges JSON reports; waivers, baselines and `--fail-on` are applied afresh afterwards.
pub fn merge(
    paths: &[PathBuf],
    cwd: &Path,
    run: crate::report::RunStamp,
    fail_on: Option<Severity>,
) -> Report {
    let mut stats = InputStats {
        paths: paths.iter().map(|p| shown_path(p, cwd)).collect(),
        ..InputStats::default()
    };
    let mut errors: BTreeSet<InputError> = BTreeSet::new();
    // job ARN → (last modified, report index, findings)
    let mut jobs: BTreeMap<String, (Option<String>, usize, Vec<Finding>)> = BTreeMap::new();
    let mut seen_twice = BTreeSet::new();
    for (index, path) in paths.iter().enumerate() {
        let shown = shown_path(path, cwd);
        let report = match read(path) {
            Ok(r) => r,
            Err(message) => {
                errors.insert(InputError {
                    source: shown,
                    location: None,
                    line: None,
                    message,
                    file: true,
                });
                continue;
            }
        };
        stats.files_read += report.inputs.files_read;
        stats.kms_keys += report.inputs.kms_keys;
        stats.skipped_files += report.inputs.skipped_files;
        stats.skipped_links += report.inputs.skipped_links;
        stats.skipped_special += report.inputs.skipped_special;
        stats.documents += report.inputs.documents;
        stats.kms_alias_lists += report.inputs.kms_alias_lists;
        stats.manifests += report.inputs.manifests;
        stats.rejected_documents += report.inputs.rejected_documents;
        stats.duplicate_jobs += report.inputs.duplicate_jobs;
        stats.jobs_gone.extend(report.inputs.jobs_gone);
        stats
            .regions_not_enabled
            .extend(report.inputs.regions_not_enabled);
        for e in report.errors {
            errors.insert(InputError {
                source: e.source,
                location: e.location,
                line: e.line,
                message: e.message,
                file: e.file,
            });
        }
        let mut by_job: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
        for f in report.findings {
            by_job.entry(f.job_arn.clone()).or_default().push(f.into());
        }
        for (arn, findings) in by_job {
            let modified = findings[0].job.last_modified_time.clone();
            match jobs.get(&arn) {
                Some((existing, first, _)) => {
                    if *first != index {
                        seen_twice.insert(arn.clone());
                    }
                    // RFC 3339 in UTC with fixed precision sorts as text.
                    if modified > *existing {
                        jobs.insert(arn, (modified, index, findings));
                    }
                }
                None => {
                    jobs.insert(arn, (modified, index, findings));
                }
            }
        }
    }
    stats.duplicate_jobs += seen_twice.len();
    stats.jobs = jobs.len();
    stats.jobs_gone.sort();
    stats.jobs_gone.dedup();
    stats.regions_not_enabled.sort();
    stats.regions_not_enabled.dedup();
    let findings = jobs.into_values().flat_map(|(_, _, f)| f).collect();
    Report::new(
        run,
        Mode::Merged,
        stats,
        findings,
        errors.into_iter().collect(),
        fail_on,
    )
}

fn read(path: &Path) -> Result<JsonReport, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("could not be read: {e}"))?;
    let report: JsonReport = serde_json::from_str(&text)
        .map_err(|e| format!("not a sagemaker-audit JSON report ({e})"))?;
    if !report.schema_version.starts_with("1.") {
        return Err(format!(
            "JSON report schema_version {} is not supported (this tool reads 1.x)",
            report.schema_version
        ));
    }
    Ok(report)
}
