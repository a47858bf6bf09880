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
    /// An offline scan that finds no job (or an empty file) is not an error.
    pub allow_empty: bool,
    /// Local-NVMe family table in force.
    pub storage: InstanceStorageTable,
    /// Exit-code threshold.
    pub fail_on: Option<Severity>,
    /// When the run happened and its id.
    pub run: crate::report::RunStamp,
}

/// Reads the saved documents and evaluates every rule on every job.
pub fn offline(config: &ScanConfig, cwd: &Path) -> Report {
    let started = std::time::Instant::now();
    let progress = crate::log::Progress::files_read();
    let options = ingest::ReadOptions {
        allow_empty: config.allow_empty,
    };
    let mut ingested = ingest::ingest(&config.paths, &config.kms_paths, cwd, options);
    drop(progress);
    if ingested.jobs.is_empty() && ingested.errors.is_empty() && !config.allow_empty {
        // Nothing failed, but nothing was checked either: that is no pass.
        ingested.errors.push(crate::report::InputError {
            source: crate::text::one_line(&ingested.stats.paths.join(", "), 200),
            location: None,
            line: None,
            message: "no training job was found to evaluate, so the scan proves nothing; \
                      pass --allow-empty if an empty export is expected"
                .into(),
            file: false,
        });
    }
    crate::debug!(
        "read {} files ({} jobs) in {:.2} s",
        ingested.stats.files_read,
        ingested.stats.jobs,
        started.elapsed().as_secs_f64()
    );
    conclude(config, ingested, Mode::Offline)
}

/// Evaluates what live mode fetched, through the same parser and rules as offline mode.
#[cfg(feature = "aws")]
pub fn live(config: &ScanConfig, fetched: crate::aws::Fetched) -> Report {
    let regions = fetched.manifest.scope.regions.clone();
    let mut documents = fetched.jobs;
    documents.extend(fetched.keys);
    let mut ingested = ingest::ingest_documents(documents);
    ingested.apply_manifest(fetched.manifest);
    ingested.stats.paths = regions.iter().map(|r| format!("live:{r}")).collect();
    conclude(config, ingested, Mode::Live)
}

/// Where both modes meet: one copy per job, every rule, one report.
fn conclude(config: &ScanConfig, ingested: ingest::Ingested, mode: Mode) -> Report {
    let started = std::time::Instant::now();
    let mut stats = ingested.stats;
    let (jobs, duplicates) = keep_newest(ingested.jobs);
    stats.duplicate_jobs = duplicates;
    let jobs = in_report_order(jobs);
    let findings = evaluate(jobs, &ingested.keys, &config.storage);
    let report = Report::new(
        config.run.clone(),
        mode,
        stats,
        findings,
        ingested.errors,
        config.fail_on,
    );
    crate::debug!(
        "evaluated and sorted {} findings in {:.2} s",
        report.findings.len(),
        started.elapsed().as_secs_f64()
    );
    report
}

/// Puts jobs in the order reports list them (account, region, name, ARN), so findings come
/// out of [`evaluate`] already sorted. The jobs are large, so their positions are sorted, with
/// accounts and regions ranked first to keep string comparisons to the job names.
fn in_report_order(mut jobs: Vec<TrainingJob>) -> Vec<TrainingJob> {
    fn ranks<'a>(values: impl Iterator<Item = &'a str>) -> HashMap<&'a str, u32> {
        let distinct: std::collections::BTreeSet<&str> = values.collect();
        distinct.into_iter().zip(0..).collect()
    }
    let accounts = ranks(jobs.iter().map(|j| j.account_id.as_str()));
    let regions = ranks(jobs.iter().map(|j| j.region.as_str()));
    let mut order: Vec<(u32, u32, &str, &str, usize)> = jobs
        .iter()
        .enumerate()
        .map(|(i, j)| {
            (
                accounts[j.account_id.as_str()],
                regions[j.region.as_str()],
                j.name.as_str(),
                j.arn.as_str(),
                i,
            )
        })
        .collect();
    order.par_sort_unstable();
    let order: Vec<usize> = order.into_iter().map(|k| k.4).collect();
    permute(&mut jobs, &order);
    jobs
}

/// Rearranges `items` in place so that position `k` holds what was at `order[k]`, following
/// each cycle of the permutation with swaps (no second copy of 100,000 jobs).
fn permute<T>(items: &mut [T], order: &[usize]) {
    let mut done = vec![false; items.len()];
    for start in 0..items.len() {
        let mut at = start;
        while !done[at] {
            done[at] = true;
            let from = order[at];
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

/// Runs every registered rule on every job. Jobs are consumed: each becomes the shared
/// record its findings point to, so the full documents are never held next to the findings.
pub fn evaluate(
    jobs: Vec<TrainingJob>,
    keys: &KeyFacts,
    storage: &InstanceStorageTable,
) -> Vec<Finding> {
    let ctx = Context { keys, storage };
    jobs.into_par_iter()
        // Few chunks, so each worker's interner sees most repeats.
        .with_min_len(4096)
        .map_init(Interner::default, |strings, job| {
            let verdicts: Vec<_> = REGISTRY
                .iter()
                .map(|rule| (rule.meta(), rule.evaluate(&job, &ctx)))
                .collect();
            let shared = std::sync::Arc::new(job_ref(job));
            verdicts
                .into_iter()
                .map(|(meta, v)| Finding {
                    rule_id: meta.id,
                    status: v.status,
                    severity: meta.severity,
                    job: shared.clone(),
                    kms_key: v.kms_key.map(|k| strings.share(k)),
                    key_manager: v.key_manager,
                    key_state: v.key_state.map(|s| strings.share(s)),
                    message: strings.share(v.message),
                    line: v.line,
                    waiver: None,
                    baseline: None,
                })
                .collect::<Vec<_>>()
        })
        .flat_map_iter(|findings| findings)
        .collect()
}

/// One shared copy of each distinct text: across 100,000 jobs, keys, key states and
/// messages repeat (an organisation has far fewer keys than jobs).
#[derive(Default)]
struct Interner(std::collections::HashSet<std::sync::Arc<str>>);

impl Interner {
    fn share(&mut self, text: String) -> std::sync::Arc<str> {
        if let Some(shared) = self.0.get(text.as_str()) {
            return shared.clone();
        }
        let shared: std::sync::Arc<str> = text.into();
        self.0.insert(shared.clone());
        shared
    }
}

fn job_ref(job: TrainingJob) -> JobRef {
    let instance_types = job
        .resource
        .as_ref()
        .map(|r| r.instance_types().into_iter().map(str::to_owned).collect())
        .unwrap_or_default();
    JobRef {
        name: job.name,
        arn: job.arn,
        account_id: job.account_id,
        region: job.region,
        status: job.status,
        creation_time: job.creation_time.map(|t| t.to_rfc3339()),
        last_modified_time: job.last_modified_time.map(|t| t.to_rfc3339()),
        instance_types,
        source_file: job.origin.file,
    }
}

/// The same job exported twice counts once: the copy with the newest `LastModifiedTime`
/// wins, the one from the first file in path order on a tie. Returns the jobs and how many copies were dropped.
pub fn keep_newest(jobs: Vec<TrainingJob>) -> (Vec<TrainingJob>, usize) {
    use std::collections::hash_map::Entry;
    let total = jobs.len();
    // Pick each ARN's winner by index first, borrowing the ARNs, then move only the winners.
    let mut winner: HashMap<&str, usize> = HashMap::with_capacity(total);
    for (i, job) in jobs.iter().enumerate() {
        match winner.entry(job.arn.as_str()) {
            Entry::Vacant(e) => {
                e.insert(i);
            }
            Entry::Occupied(mut e) => {
                let kept = &jobs[*e.get()];
                // Newest wins; on a tie the first file in path order, so the choice never
                // depends on which thread read which file first.
                let newer = (job.last_modified_time, std::cmp::Reverse(&job.origin.file))
                    > (
                        kept.last_modified_time,
                        std::cmp::Reverse(&kept.origin.file),
                    );
                if newer {
                    e.insert(i);
                }
            }
        }
    }
    if winner.len() == total {
        return (jobs, 0);
    }
    let mut keep = vec![false; total];
    winner.into_values().for_each(|i| keep[i] = true);
    let kept: Vec<TrainingJob> = jobs
        .into_iter()
        .zip(keep)
        .filter_map(|(job, keep)| keep.then_some(job))
        .collect();
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
            serverless: false,
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
        let a = kept
            .iter()
            .find(|j| j.arn == "a")
            .map(|j| j.origin.file.as_str());
        assert_eq!(a, Some("new.json"));
        // Ties go to the first path, whatever the read order.
        for order in [["z.json", "a.json"], ["a.json", "z.json"]] {
            let (kept, _) = keep_newest(order.iter().map(|f| job("a", f, Some(1.0))).collect());
            assert_eq!(kept[0].origin.file, "a.json");
        }
    }

    #[test]
    fn jobs_are_put_in_report_order() {
        let mut jobs = Vec::new();
        for (account, region, name) in [
            ("2", "eu-west-1", "a"),
            ("1", "us-east-1", "b"),
            ("1", "eu-west-1", "z"),
            ("1", "eu-west-1", "c"),
        ] {
            let mut j = job(&format!("arn:{account}:{region}:{name}"), "f.json", None);
            j.account_id = account.into();
            j.region = region.into();
            j.name = name.into();
            jobs.push(j);
        }
        let names: Vec<String> = in_report_order(jobs).into_iter().map(|j| j.name).collect();
        assert_eq!(names, ["c", "z", "b", "a"]);
    }

    #[test]
    fn permutations_are_applied_in_place() {
        let mut items = vec!['a', 'b', 'c', 'd', 'e'];
        permute(&mut items, &[3, 0, 4, 1, 2]);
        assert_eq!(items, ['d', 'a', 'e', 'b', 'c']);
        let mut same = vec![1, 2, 3];
        permute(&mut same, &[0, 1, 2]);
        assert_eq!(same, [1, 2, 3]);
    }

    #[test]
    fn findings_share_repeated_texts() {
        let jobs = vec![job("a", "a.json", None), job("b", "b.json", None)];
        let findings = evaluate(
            jobs,
            &KeyFacts::default(),
            &InstanceStorageTable::built_in(),
        );
        assert_eq!(findings.len(), 4);
        let (first, second) = (&findings[0], &findings[2]);
        assert_eq!(first.rule_id, second.rule_id);
        assert!(std::sync::Arc::ptr_eq(&first.message, &second.message));
    }
}
