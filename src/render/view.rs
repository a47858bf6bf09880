//! Flat, serialisable views of findings shared by the JSON, HTML and Markdown writers.
//!
//! Keeping users' documents on these views means internal refactors never change them.

use serde::Serialize;

use crate::report::{Finding, InputError, WaiverNote};

/// One finding as users read it.
#[derive(Debug, Serialize)]
pub struct FindingView<'a> {
    pub status: &'static str,
    pub severity: &'static str,
    pub rule_id: &'static str,
    pub job_name: &'a str,
    pub job_arn: &'a str,
    pub account_id: &'a str,
    pub region: &'a str,
    pub job_status: Option<&'a str>,
    pub creation_time: Option<&'a str>,
    pub last_modified_time: Option<&'a str>,
    pub instance_types: &'a [String],
    pub kms_key: Option<&'a str>,
    pub key_manager: &'static str,
    pub key_state: Option<&'a str>,
    pub message: &'a str,
    pub source_file: &'a str,
    pub line: u32,
    pub waived: bool,
    pub waiver: Option<&'a WaiverNote>,
    pub baseline_state: Option<&'static str>,
}

impl<'a> From<&'a Finding> for FindingView<'a> {
    fn from(f: &'a Finding) -> Self {
        FindingView {
            status: f.status.as_str(),
            severity: f.severity.as_str(),
            rule_id: f.rule_id.as_str(),
            job_name: &f.job.name,
            job_arn: &f.job.arn,
            account_id: &f.job.account_id,
            region: &f.job.region,
            job_status: f.job.status.as_deref(),
            creation_time: f.job.creation_time.as_deref(),
            last_modified_time: f.job.last_modified_time.as_deref(),
            instance_types: &f.job.instance_types,
            kms_key: f.kms_key.as_deref(),
            key_manager: f.key_manager.as_str(),
            key_state: f.key_state.as_deref(),
            message: &f.message,
            source_file: &f.job.source_file,
            line: f.line,
            waived: f.waiver.is_some(),
            waiver: f.waiver.as_deref(),
            baseline_state: f.baseline.map(|b| b.as_str()),
        }
    }
}

/// One input that could not be evaluated.
#[derive(Debug, Serialize)]
pub struct ErrorView<'a> {
    pub status: &'static str,
    pub source: &'a str,
    pub location: Option<&'a str>,
    pub line: Option<u32>,
    pub message: &'a str,
    pub file: bool,
}

impl<'a> From<&'a InputError> for ErrorView<'a> {
    fn from(e: &'a InputError) -> Self {
        ErrorView {
            status: "ERROR",
            source: &e.source,
            location: e.location.as_deref(),
            line: e.line,
            message: &e.message,
            file: e.file,
        }
    }
}
