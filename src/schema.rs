//! The JSON report's schema: the types the JSON writer serialises are the types `merge` and
//! `--baseline` read back, so there is one definition of the document and no untyped walking.
//!
//! Strings are `Cow`: the writer borrows them from the report, readers own them.
//!
//! Versions: 2.0 added `resource_type` and `part` to findings, the covered `rules` and
//! per-kind summaries, and made a finding's identity `(rule_id, job_arn, part)`; 2.1 added
//! pipeline steps (`resource_type` `pipeline-step`, `job_name` `PIPELINE/STEP`, checks
//! `pipeline-step-*`) and the inputs' `pipeline_documents` and `pipeline_other_steps`; 2.2 the
//! per-account summaries. 3.0 (this one) judges a pipeline step as the kind of resource it
//! creates: its `resource_type` and `rule_id` are that kind's, and `origin` is `pipeline-step`
//! (`null` for the resources themselves); a reader that told steps apart by their resource type
//! would count them as jobs, hence the major version. 1.x reports (training jobs only) are read
//! as reports whose findings are all training jobs with no part; the pipeline-step findings of
//! 2.1 and 2.2 reports name no kind, so `merge` leaves them out with an error and baselines
//! match them through the old rule ids. 3.1 (this one) adds SageMaker Python SDK config sections
//! (`origin` `sdk-config`, judged as the kind whose requests they fill in) with the inputs'
//! `sdk_config_documents` and `sdk_config_keys_not_judged`, Step Functions task states
//! (`origin` `state-machine-task`, judged as the kind their Create call makes) and jobs declared
//! in Terraform (`origin` `iac-resource`).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::report::{
    AccountSummary, BaselineState, BaselineSummary, Counts, InputStats, KindSummary, Mode,
    WaiverNote, WaiverSummary,
};
use crate::resource::{Kind, Origin};
use crate::verdict::{Severity, Status};

/// The version this build writes. Bumped on any change that could break a reader: the major
/// part when a reader relying on the old shape could draw a wrong conclusion.
pub const SCHEMA_VERSION: &str = "3.1";

/// Checks that a report's `schema_version` is one this build reads (1.x or 2.x).
pub fn check_version(version: &str) -> Result<(), String> {
    match version.split('.').next() {
        Some("1" | "2" | "3") => Ok(()),
        _ => Err(format!(
            "JSON report schema_version {:?} is not supported (this tool reads 1.x to 3.x)",
            crate::text::one_line(version, 40)
        )),
    }
}

/// A JSON report. `F` is how the findings are held: a streaming sequence when written, a
/// vector when merged, a filter that keeps only failures when read as a baseline.
#[derive(Debug, Serialize, Deserialize)]
pub struct Report<'a, F> {
    /// [`SCHEMA_VERSION`] when written.
    pub schema_version: Cow<'a, str>,
    /// The tool that wrote it.
    pub tool: Tool<'a>,
    /// When the scan ran, RFC 3339 UTC.
    pub generated_at: Cow<'a, str>,
    /// The run's id (since 1.1).
    #[serde(default)]
    pub run_id: Cow<'a, str>,
    /// Offline, live or merged.
    pub mode: Mode,
    /// What was read.
    pub inputs: Cow<'a, InputStats>,
    /// Totals.
    pub summary: Summary,
    /// Ids of the checks the report covers (since 2.0; a 1.x report covers the training
    /// checks).
    #[serde(default)]
    pub rules: Vec<Cow<'a, str>>,
    /// What `--waivers` did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waivers: Option<Cow<'a, WaiverSummary>>,
    /// What `--baseline` found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Cow<'a, BaselineSummary>>,
    /// One entry per check and key slot of each resource.
    pub findings: F,
    /// Inputs that could not be evaluated.
    pub errors: Vec<Error<'a>>,
}

/// `tool`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Tool<'a> {
    /// `sagemaker-audit`.
    pub name: Cow<'a, str>,
    /// Its version.
    pub version: Cow<'a, str>,
}

/// `summary`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Summary {
    /// Resources evaluated (of every kind).
    pub jobs: usize,
    /// Findings by status.
    #[serde(flatten)]
    pub counts: Counts,
    /// Inputs that could not be evaluated.
    pub errors: usize,
    /// Failing findings a waiver covers.
    #[serde(default)]
    pub waived: usize,
    /// Failing findings that set the exit code.
    #[serde(default)]
    pub gating_failures: usize,
    /// True when something could not be evaluated.
    pub incomplete: bool,
    /// Resources and findings per kind (since 2.0).
    #[serde(default)]
    pub kinds: Vec<KindSummary>,
    /// Resources and findings per account, accounts scanned without resources and accounts
    /// that could not be reached included (since 2.2).
    #[serde(default)]
    pub accounts: Vec<AccountSummary>,
}

/// The resource type of a 1.x finding.
fn training_job() -> Cow<'static, str> {
    Cow::Borrowed(Kind::Training.resource_type())
}

/// One finding.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding<'a> {
    /// PASS, FAIL or NOT_APPLICABLE.
    pub status: Status,
    /// The check's severity.
    pub severity: Severity,
    /// The check's id.
    pub rule_id: Cow<'a, str>,
    /// The resource's name (every kind the tool audits is a job).
    pub job_name: Cow<'a, str>,
    /// The resource's ARN.
    pub job_arn: Cow<'a, str>,
    /// The resource's type, e.g. `processing-job` (since 2.0; 1.x findings are training jobs).
    /// Read as written: a 2.2 report calls pipeline steps `pipeline-step`, which is no kind.
    #[serde(default = "training_job")]
    pub resource_type: Cow<'a, str>,
    /// `pipeline-step` for a step of a pipeline definition, judged by the checks of the kind
    /// it creates; `null` for the resource itself (since 2.3).
    #[serde(default)]
    pub origin: Origin,
    /// Which key slot, when the resource has several for the check (`definition NAME`,
    /// `data capture`); `null` otherwise (since 2.0).
    #[serde(default)]
    pub part: Option<Cow<'a, str>>,
    /// Account id.
    pub account_id: Cow<'a, str>,
    /// Region.
    pub region: Cow<'a, str>,
    /// The resource's status field.
    pub job_status: Option<Cow<'a, str>>,
    /// RFC 3339.
    pub creation_time: Option<Cow<'a, str>>,
    /// RFC 3339.
    pub last_modified_time: Option<Cow<'a, str>>,
    /// Instance types the resource may run on.
    pub instance_types: Cow<'a, [String]>,
    /// The key reference as written.
    pub kms_key: Option<Cow<'a, str>>,
    /// `CUSTOMER`, `AWS`, `UNVERIFIED` or empty.
    pub key_manager: Cow<'a, str>,
    /// `KeyState`, when known.
    pub key_state: Option<Cow<'a, str>>,
    /// One-sentence explanation.
    pub message: Cow<'a, str>,
    /// The file the resource was read from.
    pub source_file: Cow<'a, str>,
    /// The line the finding points at.
    pub line: u32,
    /// True when a waiver covers this FAIL.
    #[serde(default)]
    pub waived: bool,
    /// The waiver, when one applies.
    #[serde(default)]
    pub waiver: Option<Cow<'a, WaiverNote>>,
    /// `new` or `unchanged` against `--baseline`.
    #[serde(default)]
    pub baseline_state: Option<BaselineState>,
}

impl<'a> From<&'a crate::report::Finding> for Finding<'a> {
    fn from(f: &'a crate::report::Finding) -> Self {
        let r = &*f.resource;
        Finding {
            status: f.status,
            severity: f.severity,
            rule_id: Cow::Borrowed(f.rule.id),
            job_name: Cow::Borrowed(&r.name),
            job_arn: Cow::Borrowed(&r.arn),
            resource_type: Cow::Borrowed(r.kind.resource_type()),
            origin: r.origin,
            part: f.part.as_deref().map(Cow::Borrowed),
            account_id: Cow::Borrowed(&r.account_id),
            region: Cow::Borrowed(&r.region),
            job_status: r.status.as_deref().map(Cow::Borrowed),
            creation_time: r.creation_time.as_deref().map(Cow::Borrowed),
            last_modified_time: r.last_modified_time.as_deref().map(Cow::Borrowed),
            instance_types: Cow::Borrowed(&r.instance_types),
            kms_key: f.kms_key.as_deref().map(Cow::Borrowed),
            key_manager: Cow::Borrowed(f.key_manager.as_str()),
            key_state: f.key_state.as_deref().map(Cow::Borrowed),
            message: Cow::Borrowed(&f.message),
            source_file: Cow::Borrowed(&r.source_file),
            line: f.line,
            waived: f.applied_waiver().is_some(),
            waiver: f.applied_waiver().map(Cow::Borrowed),
            baseline_state: f.baseline,
        }
    }
}

/// One input that could not be evaluated.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Error<'a> {
    /// Always `ERROR`.
    #[serde(default = "error_status")]
    pub status: Cow<'a, str>,
    /// The file (or call) that failed.
    pub source: Cow<'a, str>,
    /// Where in it, when known.
    pub location: Option<Cow<'a, str>>,
    /// Line in the file, when known.
    pub line: Option<u32>,
    /// What went wrong.
    pub message: Cow<'a, str>,
    /// True when `source` is a file (1.0 reports lack the field; their sources were files).
    #[serde(default = "yes")]
    pub file: bool,
}

fn error_status() -> Cow<'static, str> {
    Cow::Borrowed("ERROR")
}

fn yes() -> bool {
    true
}

impl<'a> From<&'a crate::report::InputError> for Error<'a> {
    fn from(e: &'a crate::report::InputError) -> Self {
        Error {
            status: error_status(),
            source: Cow::Borrowed(&e.source),
            location: e.location.as_deref().map(Cow::Borrowed),
            line: e.line,
            message: Cow::Borrowed(&e.message),
            file: e.file,
        }
    }
}

impl From<Error<'_>> for crate::report::InputError {
    fn from(e: Error<'_>) -> Self {
        crate::report::InputError {
            source: e.source.into_owned(),
            location: e.location.map(Cow::into_owned),
            line: e.line,
            message: e.message.into_owned(),
            file: e.file,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_one_to_three_are_read() {
        for v in ["1.0", "1.1", "2.0", "2.7", "3.0", SCHEMA_VERSION] {
            assert!(check_version(v).is_ok(), "{v}");
        }
        for v in ["4.0", "", "0.9", "x"] {
            assert!(check_version(v).is_err(), "{v}");
        }
    }

    #[test]
    fn a_1_0_finding_reads_as_a_training_job_without_part() {
        let f: Finding<'static> = serde_json::from_str(
            r#"{"status":"FAIL","severity":"high","rule_id":"training-volume-cmk","job_name":"a",
                "job_arn":"arn:aws:sagemaker:us-east-1:111122223333:training-job/a","account_id":"111122223333",
                "region":"us-east-1","job_status":null,"creation_time":null,"last_modified_time":null,
                "instance_types":[],"kms_key":null,"key_manager":"","key_state":null,"message":"m",
                "source_file":"a.json","line":3}"#,
        )
        .unwrap();
        assert_eq!(
            (f.resource_type.as_ref(), f.part.is_none()),
            ("training-job", true)
        );
        assert!(!f.waived);
        let back = serde_json::to_value(&f).unwrap();
        assert_eq!(back["resource_type"], "training-job");
        assert_eq!(back["part"], serde_json::Value::Null);
    }
}
