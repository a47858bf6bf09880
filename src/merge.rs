//! `merge`: combine JSON reports from many accounts and regions into one report.
//!
//! Reports are read through the JSON report's own types ([`crate::schema`]), 1.x and 2.x
//! alike. When several reports judge one resource, each of its checks keeps the worst verdict
//! any report gives (a FAIL is never replaced by a PASS: a forged `LastModifiedTime` in 2099
//! must not turn a failure into exit 0), the newest `LastModifiedTime` deciding between equals
//! (the first report on a tie); `--prefer newest` takes the whole resource from the report
//! where it is newest instead. Every error of every report is kept. A report that cannot be
//! read becomes an ERROR itself, and the merge goes on.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::ingest::shown_path;
use crate::kms::KeyManager;
use crate::report::{Finding, InputError, InputStats, Mode, Report, ResourceRef, Severity};
use crate::resource::{Group, Kind, Origin};
use crate::schema;

type JsonReport = schema::Report<'static, Vec<schema::Finding<'static>>>;

/// A report's findings of one resource, ready to be merged.
struct Resource {
    last_modified: Option<String>,
    report: usize,
    findings: Vec<Finding>,
}

/// Which finding wins when reports disagree about one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Prefer {
    /// Per check, the worst verdict (FAIL over the rest), the newest between equals.
    Worst,
    /// The whole resource from the report where its `LastModifiedTime` is newest.
    Newest,
}

/// Merges JSON reports; waivers, baselines and `--fail-on` are applied afresh afterwards.
pub fn merge(
    paths: &[PathBuf],
    cwd: &Path,
    run: crate::report::RunStamp,
    fail_on: Option<Severity>,
    prefer: Prefer,
) -> Report {
    let mut stats = InputStats {
        paths: paths.iter().map(|p| shown_path(p, cwd)).collect(),
        ..InputStats::default()
    };
    let mut errors: BTreeSet<InputError> = BTreeSet::new();
    let mut resources: BTreeMap<String, Resource> = BTreeMap::new();
    let mut seen_twice = BTreeSet::new();
    let mut scope: BTreeSet<Group> = BTreeSet::new();
    for (index, path) in paths.iter().enumerate() {
        let shown = shown_path(path, cwd);
        let (report, findings, legacy_steps) = match read(path) {
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
        add_stats(&mut stats, report.inputs.into_owned());
        errors.extend(report.errors.into_iter().map(InputError::from));
        // A 1.x report covers the training checks; a 2.x one lists what it covers.
        if report.rules.is_empty() {
            scope.insert(Group::Kind(Kind::Training));
        }
        scope.extend(
            report
                .rules
                .iter()
                .filter_map(|id| crate::kinds::checks::find(id))
                .map(|r| Group::Kind(r.kind)),
        );
        scope.extend(report.summary.kinds.iter().map(|k| k.kind));
        if legacy_steps > 0 {
            // A 2.x report's pipeline steps name no kind, so their findings cannot be put
            // beside a scan's: say so once for the report.
            errors.insert(InputError {
                source: shown.clone(),
                location: None,
                line: None,
                message: format!(
                    "{legacy_steps} findings of pipeline steps were left out: schema {} judged steps by \
                     checks of their own (pipeline-step-*), this version by the checks of the kind \
                     each step creates; scan the pipeline definitions again to merge them",
                    crate::text::one_line(&report.schema_version, 20)
                ),
                file: true,
            });
        }
        let mut by_arn: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
        for f in findings {
            by_arn.entry(f.resource.arn.clone()).or_default().push(f);
        }
        for (arn, findings) in by_arn {
            let modified = findings[0].resource.last_modified_time.clone();
            let candidate = Resource {
                last_modified: modified,
                report: index,
                findings,
            };
            match resources.get_mut(&arn) {
                Some(existing) => {
                    if existing.report != index {
                        seen_twice.insert(arn.clone());
                    }
                    match prefer {
                        // RFC 3339 in UTC with fixed precision sorts as text.
                        Prefer::Newest if candidate.last_modified > existing.last_modified => {
                            *existing = candidate;
                        }
                        Prefer::Newest => {}
                        Prefer::Worst => worst_of(existing, candidate),
                    }
                }
                None => {
                    resources.insert(arn, candidate);
                }
            }
        }
    }
    stats.duplicate_jobs += seen_twice.len();
    stats.jobs = resources
        .values()
        .filter(|r| r.findings[0].resource.origin == Origin::Resource)
        .count();
    stats.resources = BTreeMap::new();
    for r in resources.values() {
        *stats
            .resources
            .entry(r.findings[0].resource.group())
            .or_default() += 1;
    }
    stats.jobs_gone.sort();
    stats.jobs_gone.dedup();
    stats.regions_not_enabled.sort();
    stats.regions_not_enabled.dedup();
    stats.accounts_scanned.sort();
    stats.accounts_scanned.dedup();
    stats.accounts_failed.sort();
    stats.accounts_failed.dedup();
    let findings = resources.into_values().flat_map(|r| r.findings).collect();
    let scope: Vec<Group> = scope.into_iter().collect();
    Report::new(
        run,
        Mode::Merged,
        stats,
        findings,
        errors.into_iter().collect(),
        fail_on,
        &scope,
    )
}

/// Folds another report's findings of a resource into `existing`, check by check: a FAIL
/// beats any other verdict; between equals, the newer report wins.
fn worst_of(existing: &mut Resource, candidate: Resource) {
    let newer = candidate.last_modified > existing.last_modified;
    let fails = |f: &Finding| f.status == crate::verdict::Status::Fail;
    for f in candidate.findings {
        match existing
            .findings
            .iter_mut()
            .find(|e| e.rule.id == f.rule.id && e.part == f.part)
        {
            Some(e) if fails(&f) != fails(e) => {
                if fails(&f) {
                    *e = f;
                }
            }
            Some(e) if newer => *e = f,
            Some(_) => {}
            None => existing.findings.push(f),
        }
    }
    if newer {
        existing.last_modified = candidate.last_modified;
    }
}

fn add_stats(total: &mut InputStats, r: InputStats) {
    total.files_read += r.files_read;
    total.kms_keys += r.kms_keys;
    total.skipped_files += r.skipped_files;
    total.skipped_links += r.skipped_links;
    total.skipped_special += r.skipped_special;
    total.documents += r.documents;
    total.kms_alias_lists += r.kms_alias_lists;
    total.manifests += r.manifests;
    total.rejected_documents += r.rejected_documents;
    total.duplicate_jobs += r.duplicate_jobs;
    total.pipeline_documents += r.pipeline_documents;
    total.pipeline_other_steps += r.pipeline_other_steps;
    crate::pipeline::add_step_types(
        &mut total.pipeline_other_step_types,
        r.pipeline_other_step_types,
    );
    total.sdk_config_documents += r.sdk_config_documents;
    // Names from a report are input: only the table's own are kept, which bounds them.
    for (name, n) in r.sdk_config_keys_not_judged {
        if crate::sdk_config::is_not_judged_name(&name) {
            *total.sdk_config_keys_not_judged.entry(name).or_default() += n;
        }
    }
    total.jobs_gone.extend(r.jobs_gone);
    total.regions_not_enabled.extend(r.regions_not_enabled);
    total.accounts_scanned.extend(r.accounts_scanned);
    total.accounts_failed.extend(r.accounts_failed);
}

/// Reads one report and turns its findings back into the report's own findings; the
/// findings of one resource share one record, as in a scan. Also counts the findings of
/// pipeline steps a 2.x report holds, which are left out (they name no kind).
fn read(path: &Path) -> Result<(JsonReport, Vec<Finding>, usize), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("could not be read: {e}"))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > crate::baseline::MAX_BASELINE_BYTES {
        return Err(format!(
            "the report is {} MiB, larger than the {} MiB a report may be",
            size >> 20,
            crate::baseline::MAX_BASELINE_BYTES >> 20
        ));
    }
    let reader = std::io::BufReader::with_capacity(1 << 20, file);
    let mut report: JsonReport = serde_json::from_reader(reader).map_err(|e| {
        format!(
            "not a sagemaker-audit JSON report ({})",
            crate::text::one_line(&e.to_string(), 200)
        )
    })?;
    schema::check_version(&report.schema_version)?;
    let mut findings = Vec::with_capacity(report.findings.len());
    let mut shared: Option<Arc<ResourceRef>> = None;
    let mut legacy_steps = 0;
    for (i, f) in std::mem::take(&mut report.findings).into_iter().enumerate() {
        if f.resource_type == crate::resource::PIPELINE_STEP
            && crate::kinds::pipeline_step::alias_role(&f.rule_id).is_some()
        {
            legacy_steps += 1;
            continue;
        }
        let rule = crate::kinds::checks::find(&f.rule_id).ok_or_else(|| {
            format!(
                "finding {} names the check {:?}, which this version does not know; merge with the version that wrote it",
                i + 1,
                crate::text::one_line(&f.rule_id, 80)
            )
        })?;
        if rule.kind.resource_type() != f.resource_type {
            return Err(format!(
                "finding {} applies {} to a {}, which it does not judge",
                i + 1,
                rule.id,
                crate::text::one_line(&f.resource_type, 60)
            ));
        }
        let resource = match &shared {
            Some(r) if r.arn == *f.job_arn => r.clone(),
            _ => {
                let r = Arc::new(ResourceRef {
                    kind: rule.kind,
                    origin: f.origin,
                    name: f.job_name.into_owned(),
                    arn: f.job_arn.into_owned(),
                    account_id: f.account_id.into_owned(),
                    region: f.region.into_owned(),
                    status: f.job_status.map(|c| c.into_owned()),
                    creation_time: f.creation_time.map(|c| c.into_owned()),
                    last_modified_time: f.last_modified_time.map(|c| c.into_owned()),
                    instance_types: f.instance_types.into_owned(),
                    source_file: f.source_file.into_owned(),
                });
                shared = Some(r.clone());
                r
            }
        };
        findings.push(Finding {
            rule,
            status: f.status,
            severity: f.severity,
            resource,
            part: f.part.map(|p| Arc::from(p.as_ref())),
            kms_key: f.kms_key.map(|k| Arc::from(k.as_ref())),
            key_manager: KeyManager::parse(&f.key_manager),
            key_state: f.key_state.map(|s| Arc::from(s.as_ref())),
            message: Arc::from(f.message.as_ref()),
            line: f.line,
            waiver: None,
            baseline: None,
        });
    }
    Ok((report, findings, legacy_steps))
}
