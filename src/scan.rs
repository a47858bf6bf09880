//! One scan: inputs → resources → checks → [`Report`]. Offline, live and collected scans all
//! meet at [`conclude`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::ingest;
use crate::kinds::checks::REGISTRY;
use crate::kms::KeyFacts;
use crate::report::{Finding, Mode, Report, Severity};
use crate::resource::Resource;
use crate::rules::{Context, InstanceStorageTable};

/// Everything an offline scan needs, already validated.
#[derive(Debug)]
pub struct ScanConfig {
    /// Files and directories of exported jobs (and KMS facts).
    pub paths: Vec<PathBuf>,
    /// Extra files and directories of KMS facts only.
    pub kms_paths: Vec<PathBuf>,
    /// An offline scan that finds no job (or an empty file) is not an error.
    pub allow_empty: bool,
    /// Also read the SageMaker Python SDK's configuration files where the SDK reads them.
    pub sdk_config: bool,
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
    if config.sdk_config {
        let env = |name: &str| std::env::var(name).ok();
        let platform = crate::sdk_config::places::this_platform();
        ingested = ingested.merge(ingest::sdk_config::read(&env, platform, cwd));
    }
    drop(progress);
    if ingested.resources.is_empty() && ingested.errors.is_empty() && !config.allow_empty {
        // Nothing failed, but nothing was checked either: that is no pass.
        ingested.errors.push(crate::report::InputError {
            source: crate::text::one_line(&ingested.stats.paths.join(", "), 200),
            location: None,
            line: None,
            message: "no SageMaker job and no pipeline step that creates one was found to \
                      evaluate, so the scan proves nothing; pass --allow-empty if an empty \
                      export is expected"
                .into(),
            file: false,
        });
    }
    crate::debug!(
        "read {} files ({} jobs) in {:.2} s{}",
        ingested.stats.files_read,
        ingested.stats.jobs,
        started.elapsed().as_secs_f64(),
        crate::log::peak_memory()
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
    // The manifest brings failed calls, gone jobs and the kinds listed, as from a collect
    // directory.
    ingested.apply_manifest(fetched.manifest);
    ingested.stats.paths = regions.iter().map(|r| format!("live:{r}")).collect();
    conclude(config, ingested, Mode::Live)
}

/// Where both modes meet: one copy per resource, every check, one report. A collect
/// directory's manifest brings the kinds the live run listed.
fn conclude(config: &ScanConfig, ingested: ingest::Ingested, mode: Mode) -> Report {
    let scope: Vec<crate::resource::Group> = ingested.scope.iter().copied().collect();
    let started = std::time::Instant::now();
    let mut stats = ingested.stats;
    let (resources, duplicates) = keep_newest(ingested.resources);
    stats.duplicate_jobs = duplicates;
    let mut resources = in_report_order(resources);
    crate::inherit::resolve(&mut resources);
    let findings = evaluate(resources, &ingested.keys, &config.storage);
    crate::debug!(
        "evaluated {} findings in {:.2} s{}",
        findings.len(),
        started.elapsed().as_secs_f64(),
        crate::log::peak_memory()
    );
    let started = std::time::Instant::now();
    let report = Report::new(
        config.run.clone(),
        mode,
        stats,
        findings,
        ingested.errors,
        config.fail_on,
        &scope,
    );
    crate::debug!(
        "sorted and summarised {} findings in {:.2} s{}",
        report.findings.len(),
        started.elapsed().as_secs_f64(),
        crate::log::peak_memory()
    );
    report
}

/// Puts resources in the order reports list them (account, region, name, ARN), so findings
/// come out of [`evaluate`] already sorted. Resources are large, so their positions are
/// sorted, with accounts and regions ranked first to keep string comparisons to the names.
fn in_report_order(mut resources: Vec<Resource>) -> Vec<Resource> {
    fn ranks<'a>(values: impl Iterator<Item = &'a str>) -> HashMap<&'a str, u32> {
        let distinct: std::collections::BTreeSet<&str> = values.collect();
        distinct.into_iter().zip(0..).collect()
    }
    let accounts = ranks(resources.iter().map(|r| r.account_id.as_str()));
    let regions = ranks(resources.iter().map(|r| r.region.as_str()));
    let mut order: Vec<(u32, u32, &str, &str, usize)> = resources
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (
                accounts[r.account_id.as_str()],
                regions[r.region.as_str()],
                r.name.as_str(),
                r.arn.as_str(),
                i,
            )
        })
        .collect();
    order.par_sort_unstable();
    let order: Vec<usize> = order.into_iter().map(|k| k.4).collect();
    permute(&mut resources, &order);
    resources
}

/// Rearranges `items` in place so that position `k` holds what was at `order[k]`, following
/// each cycle of the permutation with swaps (no second copy of 100,000 resources).
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

/// Runs every check of each resource's kind on every key slot of the check's role.
/// Resources are consumed: each becomes the shared record its findings point to, so the full
/// documents are never held next to the findings. Within a resource, findings come out by
/// slot, then check: the report's order.
pub fn evaluate(
    resources: Vec<Resource>,
    keys: &KeyFacts,
    storage: &InstanceStorageTable,
) -> Vec<Finding> {
    let ctx = Context { keys, storage };
    resources
        .into_par_iter()
        // Few chunks, so each worker's interner sees most repeats.
        .with_min_len(4096)
        .map_init(Interner::default, |strings, resource| {
            let mut verdicts = Vec::with_capacity(resource.slots.len());
            for check in REGISTRY.iter().filter(|c| c.meta().kind == resource.kind) {
                let meta = check.meta();
                for slot in resource.slots.iter().filter(|s| s.role == meta.role) {
                    let part = slot.part.clone();
                    verdicts.push((meta, part, check.evaluate(&resource, slot, &ctx)));
                }
            }
            verdicts.sort_by(|a, b| {
                (&a.1, crate::kinds::checks::rank(a.0))
                    .cmp(&(&b.1, crate::kinds::checks::rank(b.0)))
            });
            let shared = resource.about.clone();
            drop(resource);
            verdicts
                .into_iter()
                .map(|(meta, part, v)| Finding {
                    rule: meta,
                    status: v.status,
                    severity: meta.severity,
                    resource: shared.clone(),
                    part: part.map(|p| strings.share(p)),
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

/// One shared copy of each distinct text: across 100,000 resources, keys, key states and
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

/// The same resource exported twice counts once: the copy with the newest
/// `LastModifiedTime` wins, the one from the first file in path order on a tie. Returns the
/// resources and how many copies were dropped.
pub fn keep_newest(resources: Vec<Resource>) -> (Vec<Resource>, usize) {
    use std::collections::hash_map::Entry;
    let total = resources.len();
    // Pick each ARN's winner by index first, borrowing the ARNs, then move only the winners.
    let mut winner: HashMap<&str, usize> = HashMap::with_capacity(total);
    let mut kept_anyway: Vec<usize> = Vec::new();
    for (i, r) in resources.iter().enumerate() {
        // A pipeline step read from a definition without an ARN is named by its pipeline and
        // step only; two files may define the same names differently, so both are judged.
        if !r.arn.starts_with("arn:") {
            kept_anyway.push(i);
            continue;
        }
        match winner.entry(r.arn.as_str()) {
            Entry::Vacant(e) => {
                e.insert(i);
            }
            Entry::Occupied(mut e) => {
                let kept = &resources[*e.get()];
                // Newest wins; on a tie the first file in path order, so the choice never
                // depends on which thread read which file first.
                let newer = (r.last_modified, std::cmp::Reverse(&r.source_file))
                    > (kept.last_modified, std::cmp::Reverse(&kept.source_file));
                if newer {
                    e.insert(i);
                }
            }
        }
    }
    if winner.len() + kept_anyway.len() == total {
        return (resources, 0);
    }
    let mut keep = vec![false; total];
    winner.into_values().for_each(|i| keep[i] = true);
    kept_anyway.into_iter().for_each(|i| keep[i] = true);
    let kept: Vec<Resource> = resources
        .into_iter()
        .zip(keep)
        .filter_map(|(r, keep)| keep.then_some(r))
        .collect();
    let dropped = total - kept.len();
    (kept, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Timestamp;
    use crate::resource::{KeySlot, Role};

    use crate::resource::Kind;

    fn resource(arn: &str, file: &str, modified: Option<f64>) -> Resource {
        let mut volume = KeySlot::new(Role::Volume, "ResourceConfig.VolumeKmsKeyId");
        volume.parent_line = 1;
        let mut output = KeySlot::new(Role::Output, "OutputDataConfig.KmsKeyId");
        output.parent_line = 1;
        let mut r = Resource::for_test(Kind::Training, "n", "", "", vec![volume, output]);
        let about = std::sync::Arc::make_mut(&mut r.about);
        about.arn = arn.into();
        about.source_file = file.into();
        r.last_modified = modified.and_then(Timestamp::from_epoch_seconds);
        r
    }

    #[test]
    fn duplicates_keep_the_newest_copy() {
        let (kept, dropped) = keep_newest(vec![
            resource("arn:a", "old.json", Some(10.0)),
            resource("arn:b", "b.json", None),
            resource("arn:a", "new.json", Some(20.0)),
            resource("arn:a", "older.json", Some(5.0)),
        ]);
        assert_eq!(dropped, 2);
        assert_eq!(kept.len(), 2);
        let a = kept
            .iter()
            .find(|r| r.arn == "arn:a")
            .map(|r| r.source_file.as_str());
        assert_eq!(a, Some("new.json"));
        // Ties go to the first path, whatever the read order.
        for order in [["z.json", "a.json"], ["a.json", "z.json"]] {
            let (kept, _) = keep_newest(
                order
                    .iter()
                    .map(|f| resource("arn:a", f, Some(1.0)))
                    .collect(),
            );
            assert_eq!(kept[0].source_file, "a.json");
        }
    }

    #[test]
    fn pipeline_steps_named_without_an_arn_are_all_kept() {
        // Two files define a pipeline of the same name: both are judged.
        let (kept, dropped) = keep_newest(vec![
            resource("pipeline/churn/Train", "a.json", None),
            resource("pipeline/churn/Train", "b.json", None),
        ]);
        assert_eq!((kept.len(), dropped), (2, 0));
    }

    #[test]
    fn resources_are_put_in_report_order() {
        let mut all = Vec::new();
        for (account, region, name) in [
            ("2", "eu-west-1", "a"),
            ("1", "us-east-1", "b"),
            ("1", "eu-west-1", "z"),
            ("1", "eu-west-1", "c"),
        ] {
            let mut r = resource(&format!("arn:{account}:{region}:{name}"), "f.json", None);
            let about = std::sync::Arc::make_mut(&mut r.about);
            about.account_id = account.into();
            about.region = region.into();
            about.name = name.into();
            all.push(r);
        }
        let names: Vec<String> = in_report_order(all)
            .into_iter()
            .map(|r| r.name.clone())
            .collect();
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
    fn every_slot_gets_one_finding_per_check_of_its_role() {
        let mut tuning = resource("t", "t.json", None);
        std::sync::Arc::make_mut(&mut tuning.about).kind = Kind::Tuning;
        tuning.slots = ["definition a", "definition b"]
            .iter()
            .flat_map(|part| {
                [Role::Volume, Role::Output].map(|role| {
                    let mut s = KeySlot::new(role, "f");
                    s.part = Some((*part).to_owned());
                    s
                })
            })
            .collect();
        let findings = evaluate(
            vec![resource("a", "a.json", None), tuning],
            &KeyFacts::default(),
            &InstanceStorageTable::built_in(),
        );
        let ids: Vec<(&str, Option<&str>)> = findings
            .iter()
            .map(|f| (f.rule.id, f.part.as_deref()))
            .collect();
        // Each slot, in order, gets one finding per check of its kind and role, in the
        // registry's order.
        let of = |kind: Kind, role: Role| -> Vec<&'static str> {
            REGISTRY
                .iter()
                .map(|c| c.meta())
                .filter(|m| m.kind == kind && m.role == role)
                .map(|m| m.id)
                .collect()
        };
        let mut expected: Vec<(&str, Option<&str>)> = Vec::new();
        for role in [Role::Volume, Role::Output] {
            expected.extend(of(Kind::Training, role).into_iter().map(|id| (id, None)));
        }
        for part in ["definition a", "definition b"] {
            for role in [Role::Volume, Role::Output] {
                expected.extend(
                    of(Kind::Tuning, role)
                        .into_iter()
                        .map(|id| (id, Some(part))),
                );
            }
        }
        assert_eq!(ids, expected);
        assert_eq!(ids.len(), 6);
        // Repeated texts are shared: the two tuning definitions' volume findings say the same
        // thing, and hold one copy of it.
        assert_eq!(findings[2].message, findings[4].message);
        assert!(std::sync::Arc::ptr_eq(
            &findings[2].message,
            &findings[4].message
        ));
    }
}
