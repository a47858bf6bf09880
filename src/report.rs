//! The report: what was read, what each rule concluded, what could not be evaluated.
//!
//! Writers see only this. Findings and errors are sorted once here, so every format
//! lists them in the same deterministic order.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::kms::KeyManager;
use crate::rules::RuleId;

/// The verdict of one check on one job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// The check failed: the data is not protected by a usable customer-managed key.
    Fail,
    /// The check passed.
    Pass,
    /// The check does not apply to this job.
    NotApplicable,
}

impl Status {
    /// Upper-case label used in every format.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fail => "FAIL",
            Status::Pass => "PASS",
            Status::NotApplicable => "NOT_APPLICABLE",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much a failing check matters; `--fail-on` compares against it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Low,
    /// Worth fixing.
    Medium,
    /// Fix soon.
    High,
    /// Fix now.
    Critical,
}

impl Severity {
    /// Lower-case label used in every format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// Identity of the job a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobRef {
    /// `TrainingJobName`.
    pub name: String,
    /// `TrainingJobArn`.
    pub arn: String,
    /// Account id from the ARN.
    pub account_id: String,
    /// Region from the ARN.
    pub region: String,
    /// `TrainingJobStatus`.
    pub status: Option<String>,
    /// `CreationTime`, RFC 3339.
    pub creation_time: Option<String>,
    /// `LastModifiedTime`, RFC 3339.
    pub last_modified_time: Option<String>,
    /// Instance types the job runs on.
    pub instance_types: Vec<String>,
    /// File the job was read from (live: the path `collect` writes it to).
    pub source_file: String,
}

/// One check's verdict on one job, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Which check.
    pub rule_id: RuleId,
    /// The verdict.
    pub status: Status,
    /// The check's severity.
    pub severity: Severity,
    /// The job, shared by all of its findings.
    pub job: Arc<JobRef>,
    /// The key reference as written in the job, if any. Keys, states and messages repeat
    /// across jobs, so findings share one copy of each.
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
    /// Job ARN.
    pub job_arn: String,
    /// Job name.
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
    /// JSON documents found in them (objects, array elements, lines); each ended as a job, a
    /// KMS fact, a manifest or an error.
    #[serde(default)]
    pub documents: usize,
    /// Training-job documents found.
    pub jobs: usize,
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
    /// Documents refused, each with an error: documents = jobs + kms_keys + kms_alias_lists +
    /// manifests + rejected_documents.
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
    /// Regions not enabled for the account (live, or from a manifest).
    pub regions_not_enabled: Vec<String>,
}

/// Counts of one status per rule and overall.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
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

/// Everything the writers need.
#[derive(Debug, Clone)]
pub struct Report {
    /// `sagemaker-audit` version.
    pub tool_version: String,
    /// When the scan ran, RFC 3339 UTC.
    pub generated_at: String,
    /// The run's id, stamped on every report file it writes.
    pub run_id: String,
    /// Offline or live.
    pub mode: Mode,
    /// What was read.
    pub inputs: InputStats,
    /// Every finding, sorted by account, region, job, rule.
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
}

impl Report {
    /// Builds a report, sorting findings and errors into their canonical order.
    pub fn new(
        run: RunStamp,
        mode: Mode,
        inputs: InputStats,
        mut findings: Vec<Finding>,
        mut errors: Vec<InputError>,
        fail_on: Option<Severity>,
    ) -> Self {
        // Findings usually arrive grouped by job; comparing the shared record's address first
        // keeps the sort cheap, and a parallel stable sort keeps it short at 100,000 jobs.
        if !findings.is_sorted_by(|a, b| finding_order(a, b).is_le()) {
            use rayon::slice::ParallelSliceMut;
            findings.par_sort_by(finding_order);
        }
        errors.sort();
        Report {
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            generated_at: run.generated_at,
            run_id: run.run_id,
            mode,
            inputs,
            findings,
            errors,
            fail_on,
            fail_on_new: false,
            waivers: None,
            baseline: None,
            framework: None,
        }
    }

    /// Counts over all findings.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        self.findings.iter().for_each(|f| c.add(f.status));
        c
    }

    /// Counts for one rule.
    pub fn counts_for(&self, rule: RuleId) -> Counts {
        let mut c = Counts::default();
        self.findings
            .iter()
            .filter(|f| f.rule_id == rule)
            .for_each(|f| c.add(f.status));
        c
    }

    /// Number of distinct jobs evaluated. Findings are sorted by job, so a job's findings
    /// are adjacent.
    pub fn job_count(&self) -> usize {
        self.findings
            .chunk_by(|a, b| Arc::ptr_eq(&a.job, &b.job) || a.job.arn == b.job.arn)
            .count()
    }

    /// Distinct accounts seen, sorted.
    pub fn accounts(&self) -> Vec<&str> {
        self.distinct(|job| &job.account_id)
    }

    /// Distinct regions seen, sorted.
    pub fn regions(&self) -> Vec<&str> {
        self.distinct(|job| &job.region)
    }

    /// Distinct values of one job field, sorted. Findings come grouped by account and region,
    /// so runs of equal values collapse before the (short) list is sorted.
    fn distinct(&self, field: impl Fn(&JobRef) -> &str) -> Vec<&str> {
        let mut values: Vec<&str> = self
            .findings
            .chunk_by(|a, b| field(&a.job) == field(&b.job))
            .map(|run| field(&run[0].job))
            .collect();
        values.sort_unstable();
        values.dedup();
        values
    }

    /// FAIL findings that count against `--fail-on`: not waived, severe enough, and new
    /// when `--fail-on-new` is set.
    pub fn gating_failures(&self) -> usize {
        let Some(threshold) = self.fail_on else {
            return 0;
        };
        self.findings
            .iter()
            .filter(|f| f.status == Status::Fail && f.severity >= threshold)
            .filter(|f| f.waiver.is_none())
            .filter(|f| !self.fail_on_new || f.baseline == Some(BaselineState::New))
            .count()
    }

    /// Failing findings a waiver covers.
    pub fn waived(&self) -> impl Iterator<Item = &Finding> {
        self.failures().filter(|f| f.waiver.is_some())
    }

    /// Findings whose verdict is FAIL.
    pub fn failures(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.status == Status::Fail)
    }

    /// True when something could not be evaluated.
    pub fn is_incomplete(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// The canonical order of findings: account, region, job name, job ARN, rule.
pub fn finding_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    if Arc::ptr_eq(&a.job, &b.job) {
        return a.rule_id.cmp(&b.rule_id);
    }
    let (x, y) = (&a.job, &b.job);
    (&x.account_id, &x.region, &x.name, &x.arn, a.rule_id).cmp(&(
        &y.account_id,
        &y.region,
        &y.name,
        &y.arn,
        b.rule_id,
    ))
}
