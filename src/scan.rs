//! One scan: inputs → jobs → rules → [`Report`]. Live mode will meet this at [`evaluate`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::ingest;
use crate::kms::KeyFacts;
use crate::model::TrainingJob;
use crate::report::{Finding, JobRef, Mode, Report, Severity};
use crate::rules::{Context, InstanceStorageTable, REGISTRY};

/// Everything an offline scan needs, already validated.
#[derive(Debug)]
pub struct ScanConfig {
    /// Files and directories of exported jobs (and KMS facts).
    pub paths: Vec<PathBuf>,
    /// Extra files and directories of KMS facts only.
    pub kms_paths: Vec<PathBuf>,
    /// Local-NVMe family table in force.
    pub storage: InstanceStorageTable,
    /// Exit-code threshold.
    pub fail_on: Option<Severity>,
    /// Run timestamp, RFC 3339.
    pub generated_at: String,
}

/// Reads the saved documents and evaluates every rule on every job.
pub fn offline(config: &ScanConfig, cwd: &Path) -> Report {
    let ingested = ingest::ingest(&config.paths, &config.kms_paths, cwd);
    let mut stats = ingested.stats;
    let (jobs, duplicates) = keep_newest(ingested.jobs);
    stats.duplicate_jobs = duplicates;
    let findings = evaluate(&jobs, &ingested.keys, &config.storage);
    Report::new(
        config.generated_at.clone(),
        Mode::Offline,
        stats,
        findings,
        ingested.errors,
        config.fail_on,
    )
}

/// Evaluates what live mode fetched, through the same parser and rules as offline mode.
#[cfg(feature = "aws")]
pub fn live(config: &ScanConfig, fetched: crate::aws::Fetched) -> Report {
    let regions = fetched.manifest.scope.regions.clone();
    let mut documents = fetched.jobs;
    documents.extend(fetched.keys);
    let mut ingested = ingest::ingest_documents(documents);
    ingested.apply_manifest(fetched.manifest);
    let mut stats = ingested.stats;
    stats.paths = regions.iter().map(|r| format!("live:{r}")).collect();
    let (jobs, duplicates) = keep_newest(ingested.jobs);
    stats.duplicate_jobs = duplicates;
    let findings = evaluate(&jobs, &ingested.keys, &config.storage);
    Report::new(
        config.generated_at.clone(),
        Mode::Live,
        stats,
        findings,
        ingested.errors,
        config.fail_on,
    )
}

/// Runs every registered rule on every job.
pub fn evaluate(
    jobs: &[TrainingJob],
    keys: &KeyFacts,
    storage: &InstanceStorageTable,
) -> Vec<Finding> {
    let ctx = Context { keys, storage };
    jobs.par_iter()
        .flat_map_iter(|job| {
            let ctx = &ctx;
            REGISTRY.iter().map(move |rule| {
                let meta = rule.meta();
                let v = rule.evaluate(job, ctx);
                Finding {
                    rule_id: meta.id,
                    status: v.status,
                    severity: meta.severity,
                    job: job_ref(job),
                    kms_key: v.kms_key,
                    key_manager: v.key_manager,
                    key_state: v.key_state,
                    instance_types: job
                        .resource
                        .as_ref()
                        .map(|r| r.instance_types().into_iter().map(str::to_owned).collect())
                        .unwrap_or_default(),
                    message: v.message,
                    source_file: job.origin.file.clone(),
                    line: v.line,
                    waiver: None,
                    baseline: None,
                }
            })
        })
        .collect()
}

fn job_ref(job: &TrainingJob) -> JobRef {
    JobRef {
        name: job.name.clone(),
        arn: job.arn.clone(),
        account_id: job.account_id.clone(),
        region: job.region.clone(),
        status: job.status.clone(),
        creation_time: job.creation_time.map(|t| t.to_rfc3339()),
        last_modified_time: job.last_modified_time.map(|t| t.to_rfc3339()),
    }
}

/// The same job exported twice counts once: the copy with the newest `LastModifiedTime`
/// wins, the first one read on a tie. Returns the jobs and how many copies were dropped.
pub fn keep_newest(jobs: Vec<TrainingJob>) -> (Vec<TrainingJob>, usize) {
    let total = jobs.len();
    let mut index: HashMap<String, usize> = HashMap::with_capacity(total);
    let mut kept: Vec<TrainingJob> = Vec::with_capacity(total);
    for job in jobs {
        match index.get(&job.arn) {
            Some(&i) => {
                if job.last_modified_time > kept[i].last_modified_time {
                    kept[i] = job;
                }
            }
            None => {
                index.insert(job.arn.clone(), kept.len());
                kept.push(job);
            }
        }
    }
    let dropped = total - kept.len();
    (kept, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Timestamp;

    fn job(arn: &str, file: &str, modified: Option<f64>) -> TrainingJob {
        TrainingJob {
            name: "n".into(),
            arn: arn.into(),
            account_id: String::new(),
            region: String::new(),
            partition: "aws".into(),
            status: None,
            creation_time: None,
            last_modified_time: modified.and_then(Timestamp::from_epoch_seconds),
            resource: None,
            output: None,
            origin: crate::model::Origin {
                file: file.into(),
                ..Default::default()
            },
        }
    }

    #[test]
    fn duplicates_keep_the_newest_copy() {
        let (kept, dropped) = keep_newest(vec![
            job("a", "old.json", Some(10.0)),
            job("b", "b.json", None),
            job("a", "new.json", Some(20.0)),
            job("a", "older.json", Some(5.0)),
        ]);
        assert_eq!(dropped, 2);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].origin.file, "new.json");
    }
}
