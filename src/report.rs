//! The report: what was read, what each rule concluded, what could not be evaluated.
//!
//! Writers see only this. Findings and errors are sorted once here, so every format
//! lists them in the same deterministic order.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::kms::KeyManager;
pub use crate::resource::ResourceRef;
use crate::resource::{Group, Kind};
use crate::rules::RuleMeta;
pub use crate::verdict::{Severity, Status};

/// One check's verdict on one key slot of one resource, with its evidence.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Which check.
    pub rule: &'static RuleMeta,
    /// The verdict.
    pub status: Status,
    /// The check's severity.
    pub severity: Severity,
    /// The resource, shared by all of its findings.
    pub resource: Arc<ResourceRef>,
    /// Which slot, when the resource has several of the check's role (`definition xgb`,
    /// `data capture`); part of the finding's identity.
    pub part: Option<Arc<str>>,
    /// The key reference as written, if any. Keys, states and messages repeat across
    /// resources, so findings share one copy of each.
    pub kms_key: Option<Arc<str>>,
    /// Who manages that key, as far as is known.
    pub key_manager: KeyManager,
    /// `KeyState`, when KMS facts were available.
    pub key_state: Option<Arc<str>>,
    /// One-sentence explanation of the verdict.
    pub message: Arc<str>,
    /// Line of the key that decided the verdict (or its parent object).
    pub line: u32,
    /// The waiver covering this FAIL, if one applies.
    pub waiver: Option<Box<WaiverNote>>,
    /// Compared with `--baseline`: whether this FAIL is new or was already there.
    pub baseline: Option<BaselineState>,
}

impl Finding {
    /// What makes a finding the same across runs and modes: check, resource ARN and slot.
    pub fn identity(&self) -> (&'static str, &str, Option<&str>) {
        (self.rule.id, &self.resource.arn, self.part.as_deref())
    }

    /// The waiver that accepts this finding: only a failure is ever waived.
    pub fn applied_waiver(&self) -> Option<&WaiverNote> {
        self.waiver
            .as_deref()
            .filter(|_| self.status == Status::Fail)
    }
}

/// Why a failing finding is accepted for now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverNote {
    /// The justification.
    pub reason: String,
    /// Who accepted the risk.
    pub owner: String,
    /// Last day the waiver applies (YYYY-MM-DD).
    pub expires: String,
}

/// A failing finding compared with the baseline report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineState {
    /// Failing now, not in the baseline.
    New,
    /// Failing now and in the baseline.
    Unchanged,
}

impl BaselineState {
    /// Lower-case label, as SARIF's `baselineState` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
        }
    }
}

/// A failure in the baseline that no longer fails.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FixedFinding {
    /// Check id.
    pub rule_id: String,
    /// Resource ARN.
    pub job_arn: String,
    /// Its type as the baseline wrote it (a 1.x baseline holds training jobs only; a 2.x one
    /// may name `pipeline-step`).
    #[serde(default = "training_job")]
    pub resource_type: String,
    /// Which slot of the resource, when it has several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    /// Resource name.
    pub job_name: String,
    /// Its status now (`PASS`, `NOT_APPLICABLE`, or `ABSENT` when the job is gone).
    pub now: String,
    /// The file the baseline reported it in, when it said.
    #[serde(default)]
    pub source_file: Option<String>,
    /// The line the baseline reported it at, when it said.
    #[serde(default)]
    pub line: Option<u32>,
}

/// What `--baseline` found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineSummary {
    /// The baseline file, as given.
    pub file: String,
    /// Failures not in the baseline.
    pub new: usize,
    /// Failures also in the baseline.
    pub unchanged: usize,
    /// Baseline failures that no longer fail.
    pub fixed: Vec<FixedFinding>,
}

/// What `--waivers` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverSummary {
    /// The waiver file, as given.
    pub file: String,
    /// Failing findings waived.
    pub applied: usize,
    /// Waivers past their expiry date: listed, not applied.
    pub expired: Vec<WaiverListing>,
    /// Active waivers that matched no failing finding.
    pub unused: Vec<WaiverListing>,
    /// Waivers that are applied but look wrong: they match everything, or live too long.
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// A waiver as reports list it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WaiverListing {
    /// Line in the waiver file.
    pub line: u32,
    /// What it matches, e.g. `rule=training-volume-cmk job=legacy-*`.
    pub matches: String,
    /// The justification.
    pub reason: String,
    /// Who accepted the risk.
    pub owner: String,
    /// Last day it applies.
    pub expires: String,
}

/// Something that could not be evaluated: a file, a document in it, or (live) an API call.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct InputError {
    /// The file (or call) that failed.
    pub source: String,
    /// Where in it, e.g. `line 7` or `element 3`, when known.
    pub location: Option<String>,
    /// Line in the file, when known.
    pub line: Option<u32>,
    /// What went wrong and what to do, in one line.
    pub message: String,
    /// True when `source` is a file path (SARIF then points at it).
    pub file: bool,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{} ({loc}): {}", self.source, self.message),
            None => write!(f, "{}: {}", self.source, self.message),
        }
    }
}

/// What the scan read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputStats {
    /// Paths given on the command line.
    pub paths: Vec<String>,
    /// Files read and parsed.
    pub files_read: usize,
    /// Resources read, by kind (training jobs are also counted in `jobs`).
    #[serde(default)]
    pub resources: std::collections::BTreeMap<Group, usize>,
    /// JSON documents found in them (objects, array elements, lines); each ended as a job, a
    /// KMS fact, a manifest or an error.
    #[serde(default)]
    pub documents: usize,
    /// Job documents found (describe responses of every job kind).
    pub jobs: usize,
    /// Documents holding pipeline definitions or Step Functions state machines: definition
    /// files, describe-pipeline output, CloudFormation templates and Terraform plans (a
    /// template may hold none). Their job-creating steps and tasks are counted in `resources`
    /// as `pipeline` and `state-machine`.
    #[serde(default)]
    pub pipeline_documents: usize,
    /// Pipeline steps and state machine states that create no job the checks cover
    /// (Condition, Fail, Lambda, Choice, `Task sns:publish`, …).
    #[serde(default)]
    pub pipeline_other_steps: usize,
    /// The same steps by type (since 3.0), at most 64 type names.
    #[serde(default)]
    pub pipeline_other_step_types: std::collections::BTreeMap<String, usize>,
    /// SageMaker Python SDK configuration files read (since 3.1); their sections are counted
    /// in `resources` as `sdk-config`.
    #[serde(default)]
    pub sdk_config_documents: usize,
    /// Key paths those files set that no check judges, with why, and in
    /// how many files (since 3.1).
    #[serde(default)]
    pub sdk_config_keys_not_judged: std::collections::BTreeMap<String, usize>,
    /// The same job found again in another document; the newest copy was kept.
    pub duplicate_jobs: usize,
    /// KMS `describe-key` results loaded.
    pub kms_keys: usize,
    /// KMS `list-aliases` results loaded.
    #[serde(default)]
    pub kms_alias_lists: usize,
    /// Collect manifests read.
    #[serde(default)]
    pub manifests: usize,
    /// Documents refused, each with an error: documents = jobs + pipeline_documents + kms_keys +
    /// kms_alias_lists + manifests + rejected_documents.
    #[serde(default)]
    pub rejected_documents: usize,
    /// Files skipped in directories because they are not `.json`, `.jsonl` or `.ndjson`.
    pub skipped_files: usize,
    /// Symbolic links found in directories and not followed.
    pub skipped_links: usize,
    /// FIFOs, sockets and devices found in directories and never opened.
    #[serde(default)]
    pub skipped_special: usize,
    /// Jobs listed but gone before they could be described (live, or from a manifest).
    pub jobs_gone: Vec<String>,
    /// Regions not enabled for the account (live, or from a manifest); `ACCOUNT/REGION` when
    /// the scan named its accounts.
    pub regions_not_enabled: Vec<String>,
    /// Accounts a live scan (or the collect behind a manifest) reached, jobs or not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts_scanned: Vec<String>,
    /// Accounts it was to scan but could not reach (each also an error).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts_failed: Vec<String>,
}

/// Counts of one status per rule and overall.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// FAIL findings.
    pub fail: usize,
    /// PASS findings.
    pub pass: usize,
    /// NOT_APPLICABLE findings.
    pub not_applicable: usize,
}

impl Counts {
    fn add(&mut self, status: Status) {
        match status {
            Status::Fail => self.fail += 1,
            Status::Pass => self.pass += 1,
            Status::NotApplicable => self.not_applicable += 1,
        }
    }

    fn add_all(&mut self, other: &Counts) {
        self.fail += other.fail;
        self.pass += other.pass;
        self.not_applicable += other.not_applicable;
    }

    /// All findings counted.
    pub fn total(&self) -> usize {
        self.fail + self.pass + self.not_applicable
    }
}

/// How the jobs were obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// From saved `describe-training-job` documents.
    Offline,
    /// From the AWS API.
    Live,
    /// Combined from several JSON reports by `merge`.
    Merged,
}

/// When a run happened and its identity. Every report file of one run carries the same run
/// id, so a set of report files mixed from two runs (a run killed while renaming) is evident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunStamp {
    /// When the scan ran, RFC 3339 UTC.
    pub generated_at: String,
    /// A UUID (version 4 layout) unique to the run.
    pub run_id: String,
}

impl RunStamp {
    /// Stamps a run at `generated_at`. With `pinned` (a `SOURCE_DATE_EPOCH` run) the id is
    /// derived from the time, so reproducible reports stay byte-identical; otherwise it is
    /// random.
    pub fn new(generated_at: String, pinned: bool) -> Self {
        use sha2::{Digest, Sha256};
        use std::hash::{BuildHasher, Hasher};
        let mut seed = Sha256::new();
        seed.update(b"sagemaker-audit run\n");
        seed.update(generated_at.as_bytes());
        if !pinned {
            // std's hasher keys are random per process; time and pid separate runs further.
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u32(std::process::id());
            seed.update(h.finish().to_le_bytes());
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            seed.update(nanos.to_le_bytes());
            seed.update(std::process::id().to_le_bytes());
        }
        let mut b: [u8; 16] = seed.finalize()[..16].try_into().unwrap_or([0; 16]);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        let run_id = format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        );
        RunStamp {
            generated_at,
            run_id,
        }
    }
}

/// The resource type of a finding in a 1.x baseline.
fn training_job() -> String {
    Kind::Training.resource_type().to_owned()
}

/// How one framework control fares in this report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlSummary {
    /// Control id.
    pub control: &'static str,
    /// Control title.
    pub title: &'static str,
    /// Why the checks map to it.
    pub rationale: &'static str,
    /// Where the mapping comes from.
    pub source: &'static str,
    /// The checks mapped to it.
    pub rules: Vec<&'static str>,
    /// Failing findings not waived.
    pub fail: usize,
    /// Failing findings waived.
    pub waived: usize,
    /// Passing findings.
    pub pass: usize,
    /// FAIL when a mapped check fails without a waiver, else PASS when one passes or a
    /// failure is waived, else NOT_APPLICABLE (no finding of its checks was judged).
    pub status: Status,
}

/// How one framework fares in this report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrameworkSummary {
    /// Framework name.
    pub name: &'static str,
    /// Its controls.
    pub controls: Vec<ControlSummary>,
    /// Controls that fail.
    pub failing_controls: usize,
}

/// How resources of one kind fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindSummary {
    /// The kind, or pipeline steps.
    pub kind: Group,
    /// Resources evaluated.
    pub resources: usize,
    /// Their findings by status.
    #[serde(flatten)]
    pub counts: Counts,
}

/// How one account fared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    /// The account id.
    pub account: String,
    /// Resources evaluated.
    pub resources: usize,
    /// Their findings by status.
    #[serde(flatten)]
    pub counts: Counts,
    /// Failing findings not waived.
    pub unwaived_fail: usize,
    /// False when the account could not be reached (its role could not be assumed).
    pub reached: bool,
}

/// Everything the writers need.
#[derive(Debug, Clone)]
pub struct Report {
    /// `sagemaker-audit` version.
    pub tool_version: String,
    /// When the scan ran, RFC 3339 UTC.
    pub generated_at: String,
    /// The run's id, stamped on every report file it writes.
    pub run_id: String,
    /// Offline, live or merged.
    pub mode: Mode,
    /// What was read.
    pub inputs: InputStats,
    /// The checks this report covers, in registry order: those of every kind with a finding
    /// or in the scan's scope.
    pub rules: Vec<&'static RuleMeta>,
    /// What the report counts resources by, in report order: every kind and pipeline steps
    /// when they have a finding or were in the scan's scope.
    pub groups: Vec<Group>,
    /// Every finding, sorted by account, region, resource, slot and check.
    pub findings: Vec<Finding>,
    /// Everything that could not be evaluated, sorted.
    pub errors: Vec<InputError>,
    /// The severity at or above which a FAIL makes the exit code 1 (`None`: never).
    pub fail_on: Option<Severity>,
    /// Only new failures (against `--baseline`) count for the exit code.
    pub fail_on_new: bool,
    /// What `--waivers` did, if given.
    pub waivers: Option<WaiverSummary>,
    /// What `--baseline` found, if given.
    pub baseline: Option<BaselineSummary>,
    /// `--framework`: limit compliance views to this framework.
    pub framework: Option<&'static str>,
    /// How each framework's controls fare (after waivers), limited to `framework`.
    pub compliance: Vec<FrameworkSummary>,
    /// The counts every writer shows, taken in one pass when first asked for and taken again
    /// by [`Report::recount`] after waivers or a baseline change the findings.
    tally: std::sync::OnceLock<Tally>,
}

/// Everything counted over the findings as a whole: one pass, shared by every writer (five
/// writers each counting 100,000 resources again cost a tenth of a second).
#[derive(Debug, Clone, Default)]
struct Tally {
    resources: usize,
    counts: Counts,
    waived: usize,
    gating_failures: usize,
    kinds: Vec<KindSummary>,
    accounts: Vec<AccountSummary>,
    account_ids: Vec<String>,
    regions: Vec<String>,
    /// Per check: its findings by status and its waived failures.
    rules: Vec<(&'static RuleMeta, Counts, usize)>,
}

impl Report {
    /// Builds a report, sorting findings and errors into their canonical order. `scope` names
    /// kinds (and pipeline steps) the report covers even without findings (live mode's
    /// `--kinds`).
    pub fn new(
        run: RunStamp,
        mode: Mode,
        inputs: InputStats,
        mut findings: Vec<Finding>,
        mut errors: Vec<InputError>,
        fail_on: Option<Severity>,
        scope: &[Group],
    ) -> Self {
        // Findings usually arrive grouped by resource; comparing the shared record's address
        // first keeps the sort cheap, and a parallel stable sort keeps it short at 100,000.
        if !findings.is_sorted_by(|a, b| finding_order(a, b).is_le()) {
            use rayon::slice::ParallelSliceMut;
            findings.par_sort_by(finding_order);
        }
        errors.sort();
        // The kinds judged: those of the resources and steps found, and every kind in the
        // scan's scope; pipelines in scope bring every kind a step can create.
        let mut kinds: std::collections::BTreeSet<Kind> = findings
            .chunk_by(|a, b| a.resource.kind == b.resource.kind)
            .map(|run| run[0].resource.kind)
            .collect();
        for g in scope {
            match g {
                Group::Kind(k) => {
                    kinds.insert(*k);
                }
                Group::PipelineSteps => kinds.extend(
                    Kind::ALL
                        .iter()
                        .filter(|k| !k.decl().pipeline_steps.is_empty()),
                ),
                Group::SdkConfig => kinds.extend(crate::sdk_config::kinds()),
                Group::StateMachineTasks => {
                    kinds.extend(Kind::ALL.iter().filter(|k| !k.decl().creates.is_empty()))
                }
                Group::IacResources => kinds.extend(
                    Kind::ALL
                        .iter()
                        .filter(|k| k.decl().in_infrastructure_code()),
                ),
            }
        }
        let mut groups: std::collections::BTreeSet<Group> = scope.iter().copied().collect();
        groups.extend(
            findings
                .chunk_by(|a, b| a.resource.group() == b.resource.group())
                .map(|run| run[0].resource.group()),
        );
        let rules = crate::kinds::checks::REGISTRY
            .iter()
            .map(|c| c.meta())
            .filter(|m| kinds.contains(&m.kind))
            .collect();
        let mut report = Report {
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            generated_at: run.generated_at,
            run_id: run.run_id,
            mode,
            inputs,
            rules,
            groups: groups.into_iter().collect(),
            findings,
            errors,
            fail_on,
            fail_on_new: false,
            waivers: None,
            baseline: None,
            framework: None,
            compliance: Vec::new(),
            tally: std::sync::OnceLock::new(),
        };
        report.recount();
        report
    }

    /// Counts the findings again (after waivers, a baseline or `--framework` changed them)
    /// and rebuilds the compliance summary from them.
    pub fn recount(&mut self) {
        self.tally = std::sync::OnceLock::new();
        self.compliance = self.compliance_summary();
    }

    fn tally(&self) -> &Tally {
        self.tally.get_or_init(|| self.count_everything())
    }

    /// The one pass behind [`Report::tally`].
    fn count_everything(&self) -> Tally {
        let mut t = Tally {
            kinds: self
                .groups
                .iter()
                .map(|&kind| KindSummary {
                    kind,
                    resources: 0,
                    counts: Counts::default(),
                })
                .collect(),
            ..Tally::default()
        };
        let mut accounts: std::collections::BTreeMap<&str, AccountSummary> = Default::default();
        let blank = |account: &str, reached: bool| AccountSummary {
            account: account.to_owned(),
            resources: 0,
            counts: Counts::default(),
            unwaived_fail: 0,
            reached,
        };
        let mut regions: std::collections::BTreeSet<&str> = Default::default();
        let mut last_region = None;
        let mut last_rule = 0;
        for run in self.findings.chunk_by(same_resource) {
            let r = &run[0].resource;
            t.resources += 1;
            let kind = t.kinds.iter_mut().find(|s| s.kind == r.group());
            let account = (!r.account_id.is_empty()).then(|| {
                accounts
                    .entry(r.account_id.as_str())
                    .or_insert_with(|| blank(&r.account_id, true))
            });
            if last_region != Some(r.region.as_str()) {
                regions.insert(r.region.as_str());
                last_region = Some(r.region.as_str());
            }
            let mut run_counts = Counts::default();
            let mut unwaived_fail = 0;
            for f in run {
                run_counts.add(f.status);
                let waived = f.status == Status::Fail && f.applied_waiver().is_some();
                if f.status == Status::Fail && f.waiver.is_none() {
                    unwaived_fail += 1;
                }
                t.waived += usize::from(waived);
                if self.gates(f) {
                    t.gating_failures += 1;
                }
                let same = |x: &(&RuleMeta, Counts, usize)| std::ptr::eq(x.0, f.rule);
                if !t.rules.get(last_rule).is_some_and(same) {
                    last_rule = match t.rules.iter().position(same) {
                        Some(i) => i,
                        None => {
                            t.rules.push((f.rule, Counts::default(), 0));
                            t.rules.len() - 1
                        }
                    };
                }
                let slot = &mut t.rules[last_rule];
                slot.1.add(f.status);
                slot.2 += usize::from(waived);
            }
            t.counts.add_all(&run_counts);
            if let Some(s) = kind {
                s.resources += 1;
                s.counts.add_all(&run_counts);
            }
            if let Some(s) = account {
                s.resources += 1;
                s.counts.add_all(&run_counts);
                s.unwaived_fail += unwaived_fail;
            }
        }
        t.account_ids = accounts.keys().map(|a| (*a).to_owned()).collect();
        for account in &self.inputs.accounts_scanned {
            accounts
                .entry(account)
                .or_insert_with(|| blank(account, true));
        }
        for account in &self.inputs.accounts_failed {
            accounts
                .entry(account)
                .or_insert_with(|| blank(account, false))
                .reached = false;
        }
        t.accounts = accounts.into_values().collect();
        // Pipeline steps read from files belong to no account or region.
        t.regions = regions
            .into_iter()
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .collect();
        t
    }

    /// Counts over all findings.
    pub fn counts(&self) -> Counts {
        self.tally().counts
    }

    /// Counts for one check.
    pub fn counts_for(&self, rule: &RuleMeta) -> Counts {
        self.tally()
            .rules
            .iter()
            .find(|x| std::ptr::eq(x.0, rule))
            .map_or_else(Counts::default, |x| x.1)
    }

    /// Failing findings of one check that a waiver covers.
    fn waived_for(&self, rule: &RuleMeta) -> usize {
        self.tally()
            .rules
            .iter()
            .find(|x| std::ptr::eq(x.0, rule))
            .map_or(0, |x| x.2)
    }

    /// How many failing findings a waiver covers.
    pub fn waived_count(&self) -> usize {
        self.tally().waived
    }

    /// Resources and findings per kind, for the kinds the report covers.
    pub fn kind_summaries(&self) -> Vec<KindSummary> {
        self.tally().kinds.clone()
    }

    /// Resources and findings per account: every account with findings, every account the
    /// scan reached without any, and those it could not reach; sorted by account.
    pub fn account_summaries(&self) -> Vec<AccountSummary> {
        self.tally().accounts.clone()
    }

    /// Number of distinct resources evaluated. Findings are sorted by resource, so a
    /// resource's findings are adjacent.
    pub fn job_count(&self) -> usize {
        self.tally().resources
    }

    /// Distinct accounts seen, sorted.
    pub fn accounts(&self) -> &[String] {
        &self.tally().account_ids
    }

    /// Distinct regions seen, sorted.
    pub fn regions(&self) -> &[String] {
        &self.tally().regions
    }

    /// FAIL findings that count against `--fail-on`: not waived, severe enough, and new
    /// when `--fail-on-new` is set.
    pub fn gating_failures(&self) -> usize {
        self.tally().gating_failures
    }

    /// True when `f` counts against `--fail-on`.
    fn gates(&self, f: &Finding) -> bool {
        self.fail_on.is_some_and(|threshold| {
            f.status == Status::Fail
                && f.severity >= threshold
                && f.waiver.is_none()
                && (!self.fail_on_new || f.baseline == Some(BaselineState::New))
        })
    }

    /// The framework controls a check gives evidence for, limited to `--framework`.
    pub fn controls(
        &self,
        rule: &'static RuleMeta,
    ) -> impl Iterator<Item = &'static crate::rules::Compliance> + '_ {
        rule.compliance
            .iter()
            .filter(|c| self.framework.is_none_or(|fw| fw == c.framework))
    }

    /// Failing findings a waiver covers.
    pub fn waived(&self) -> impl Iterator<Item = &Finding> {
        self.failures().filter(|f| f.applied_waiver().is_some())
    }

    /// Findings whose verdict is FAIL.
    pub fn failures(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.status == Status::Fail)
    }

    /// True when something could not be evaluated.
    pub fn is_incomplete(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Each framework's controls with the findings of the checks mapped to them; recomputed
    /// after waivers change and limited to `--framework`.
    pub fn compliance_summary(&self) -> Vec<FrameworkSummary> {
        let mut frameworks: std::collections::BTreeMap<&'static str, Vec<ControlSummary>> =
            std::collections::BTreeMap::new();
        for meta in &self.rules {
            let counts = self.counts_for(meta);
            let waived = self.waived_for(meta);
            for c in meta.compliance {
                if self.framework.is_some_and(|fw| fw != c.framework) {
                    continue;
                }
                let controls = frameworks.entry(c.framework).or_default();
                let i = match controls.iter().position(|x| x.control == c.control) {
                    Some(i) => i,
                    None => {
                        controls.push(ControlSummary {
                            control: c.control,
                            title: c.title,
                            rationale: c.rationale,
                            source: c.source,
                            rules: Vec::new(),
                            fail: 0,
                            waived: 0,
                            pass: 0,
                            status: Status::NotApplicable,
                        });
                        controls.len() - 1
                    }
                };
                let control = &mut controls[i];
                control.rules.push(meta.id);
                control.fail += counts.fail - waived;
                control.waived += waived;
                control.pass += counts.pass;
                control.status = if control.fail > 0 {
                    Status::Fail
                } else if control.pass + control.waived > 0 {
                    Status::Pass
                } else {
                    // Nothing the control is about was judged: no evidence either way.
                    Status::NotApplicable
                };
            }
        }
        frameworks
            .into_iter()
            .map(|(name, controls)| FrameworkSummary {
                name,
                failing_controls: controls.iter().filter(|c| c.fail > 0).count(),
                controls,
            })
            .collect()
    }
}

fn same_resource(a: &Finding, b: &Finding) -> bool {
    // Findings of one resource share its record; a merged report's may not. Neighbouring
    // ARNs share a long prefix and differ at the end, so they are compared from there.
    let (x, y) = (a.resource.arn.as_bytes(), b.resource.arn.as_bytes());
    Arc::ptr_eq(&a.resource, &b.resource)
        || (x.len() == y.len() && x.iter().rev().eq(y.iter().rev()))
}

/// The canonical order of findings: account, region, resource name, ARN, slot, check.
pub fn finding_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    let rank = |f: &Finding| crate::kinds::checks::rank(f.rule);
    if Arc::ptr_eq(&a.resource, &b.resource) {
        return (&a.part, rank(a)).cmp(&(&b.part, rank(b)));
    }
    let (x, y) = (&a.resource, &b.resource);
    (&x.account_id, &x.region, &x.name, &x.arn, &a.part, rank(a)).cmp(&(
        &y.account_id,
        &y.region,
        &y.name,
        &y.arn,
        &b.part,
        rank(b),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two failing findings, of two accounts, under `--fail-on low`.
    fn two_failures() -> Report {
        let meta = crate::kinds::checks::find("training-volume-cmk").expect("a check");
        let finding = |account: &str| Finding {
            rule: meta,
            status: Status::Fail,
            severity: meta.severity,
            resource: crate::resource::Resource::for_test(
                meta.kind,
                &format!("job-{account}"),
                account,
                "eu-west-1",
                Vec::new(),
            )
            .about
            .clone(),
            part: None,
            kms_key: None,
            key_manager: crate::kms::KeyManager::None,
            key_state: None,
            message: "no key".into(),
            line: 1,
            waiver: None,
            baseline: None,
        };
        Report::new(
            RunStamp {
                generated_at: "2026-12-04T00:00:00Z".into(),
                run_id: "run".into(),
            },
            Mode::Offline,
            InputStats::default(),
            vec![finding("111122223333"), finding("222233334444")],
            Vec::new(),
            Some(Severity::Low),
            &[],
        )
    }

    #[test]
    fn counts_follow_waivers_applied_after_they_were_first_taken() {
        let mut report = two_failures();
        // Taken once, as a writer would.
        assert_eq!(report.gating_failures(), 2);
        assert_eq!(report.job_count(), 2);
        assert_eq!(report.accounts(), ["111122223333", "222233334444"]);
        let waivers = crate::waivers::parse(
            "[[waiver]]\nrule = \"training-volume-cmk\"\naccount = \"111122223333\"\n\
             reason = \"r\"\nowner = \"o\"\nexpires = 2030-01-01\n",
        )
        .unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        crate::waivers::apply(&mut report, "w.toml", &waivers, today);
        assert_eq!(report.gating_failures(), 1);
        assert_eq!(report.waived_count(), 1);
        let accounts = report.account_summaries();
        assert_eq!(
            accounts.iter().map(|a| a.unwaived_fail).collect::<Vec<_>>(),
            [0, 1]
        );
        let controls = &report.compliance[0].controls[0];
        assert_eq!((controls.fail, controls.waived), (1, 1));
    }
}
