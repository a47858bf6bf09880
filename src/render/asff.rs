//! AWS Security Finding Format for Security Hub's `BatchImportFindings`: a JSON array with one
//! finding per evaluated check, passing ones included, because Security Hub resolves an earlier
//! FAILED finding when the same `Id` comes back PASSED.
//!
//! Field names, limits and values follow the ASFF syntax page of the Security Hub user guide
//! (<https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-findings-format-syntax.html>);
//! the test suite imports the file through the AWS CLI, which checks every finding against
//! botocore's model of `BatchImportFindings`.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{RenderError, RenderOptions, Writer};
use crate::report::{Finding, Report, Severity, Status};

/// The ASFF writer.
pub struct Asff;

impl Writer for Asff {
    fn name(&self) -> &'static str {
        "asff"
    }

    fn extension(&self) -> &'static str {
        "asff.json"
    }

    fn about(&self) -> &'static str {
        "AWS Security Finding Format for Security Hub (BatchImportFindings, 100 per call)"
    }

    fn by_default(&self) -> bool {
        false
    }

    fn write(
        &self,
        report: &Report,
        _: &RenderOptions,
        out: &mut dyn Write,
    ) -> Result<(), RenderError> {
        render(report, out)
    }
}

/// ASFF version every finding declares.
const SCHEMA_VERSION: &str = "2018-10-08";
/// The one finding type: a configuration check against AWS's own security guidance.
const TYPE: &str = "Software and Configuration Checks/AWS Security Best Practices";
/// Limits from the ASFF syntax page (characters; byte limits are never longer).
const MAX_TITLE: usize = 256;
const MAX_DESCRIPTION: usize = 1024;
const MAX_TEXT: usize = 512;
const MAX_DETAIL: usize = 1024;
const MAX_REQUIREMENTS: usize = 32;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AsffFinding<'a> {
    schema_version: &'static str,
    id: String,
    product_arn: String,
    product_name: &'static str,
    company_name: &'static str,
    generator_id: &'static str,
    aws_account_id: &'a str,
    region: &'a str,
    types: [&'static str; 1],
    first_observed_at: &'a str,
    last_observed_at: &'a str,
    created_at: &'a str,
    updated_at: &'a str,
    severity: AsffSeverity,
    title: String,
    description: String,
    remediation: AsffRemediation,
    product_fields: BTreeMap<&'static str, String>,
    resources: [AsffResource<'a>; 1],
    compliance: AsffCompliance<'a>,
    workflow: AsffWorkflow,
    record_state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<AsffNote<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AsffSeverity {
    label: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AsffRemediation {
    recommendation: AsffRecommendation,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AsffRecommendation {
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AsffResource<'a> {
    #[serde(rename = "Type")]
    kind: &'static str,
    id: &'a str,
    partition: &'a str,
    region: &'a str,
    details: AsffDetails,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AsffDetails {
    other: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AsffCompliance<'a> {
    status: &'static str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    related_requirements: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AsffWorkflow {
    status: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AsffNote<'a> {
    text: String,
    updated_by: String,
    updated_at: &'a str,
}

/// The finding's stable identity, built so that no name can make two findings share it: a
/// hash of its structured parts (the resource's ARN, the check and, for a check made once per
/// output or channel, the part), each written with its length. A readable id made by joining
/// them (`ARN/sagemaker-audit/CHECK/PART`) collided when a name held `/sagemaker-audit/…`.
pub fn finding_id(f: &Finding) -> String {
    let mut h = Sha256::new();
    for field in [
        f.resource.arn.as_str(),
        f.rule.id,
        f.part.as_deref().unwrap_or(""),
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.update([u8::from(f.part.is_some())]);
    let hex: String = h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sagemaker-audit/{}/{hex}", f.rule.id)
}

/// Security Hub's label for a finding: the check's severity when it fails, else informational
/// (how Security Hub labels passed control findings).
fn severity_label(f: &Finding) -> &'static str {
    if f.status != Status::Fail {
        return "INFORMATIONAL";
    }
    match f.severity {
        Severity::Low => "LOW",
        Severity::Medium => "MEDIUM",
        Severity::High => "HIGH",
        Severity::Critical => "CRITICAL",
    }
}

/// Whether a finding can be imported: Security Hub files every finding under an account and a
/// region, which a pipeline step read from a file does not have.
pub fn importable(f: &Finding) -> bool {
    crate::model::is_account_id(&f.resource.account_id)
        && crate::model::is_region(&f.resource.region)
}

/// Each check's mapped controls as `FRAMEWORK CONTROL`, built once per check, not per finding.
fn requirements(report: &Report) -> HashMap<&'static str, Vec<String>> {
    report
        .rules
        .iter()
        .map(|rule| {
            let list = report
                .controls(rule)
                .map(|c| crate::text::one_line_within(&c.label(), MAX_TEXT))
                .take(MAX_REQUIREMENTS)
                .collect();
            (rule.id, list)
        })
        .collect()
}

fn finding<'a>(
    report: &'a Report,
    f: &'a Finding,
    requirements: &'a HashMap<&'static str, Vec<String>>,
) -> AsffFinding<'a> {
    let r = &f.resource;
    let partition = r.partition().unwrap_or("aws");
    let at = report.generated_at.as_str();
    let rule = f.rule;
    let mut other = BTreeMap::new();
    other.insert("ResourceType", r.kind.resource_type().to_owned());
    if let Some(origin) = r.origin.name() {
        other.insert("Origin", origin.to_owned());
    }
    other.insert("Name", crate::text::one_line_within(&r.name, MAX_DETAIL));
    if let Some(part) = &f.part {
        other.insert("Part", crate::text::one_line_within(part, MAX_DETAIL));
    }
    if let Some(key) = &f.kms_key {
        other.insert("KmsKey", crate::text::one_line_within(key, MAX_DETAIL));
    }
    if !f.key_manager.as_str().is_empty() {
        other.insert("KeyManager", f.key_manager.as_str().to_owned());
    }
    if let Some(state) = &f.key_state {
        other.insert("KeyState", crate::text::one_line_within(state, MAX_DETAIL));
    }
    if let Some(status) = &r.status {
        other.insert(
            "JobStatus",
            crate::text::one_line_within(status, MAX_DETAIL),
        );
    }
    let mut fields = BTreeMap::new();
    fields.insert("sagemaker-audit/Status", f.status.as_str().to_owned());
    fields.insert("sagemaker-audit/RuleId", rule.id.to_owned());
    fields.insert("sagemaker-audit/RunId", report.run_id.clone());
    fields.insert("sagemaker-audit/Version", report.tool_version.clone());
    fields.insert(
        "sagemaker-audit/SourceFile",
        crate::text::one_line_within(&r.source_file, MAX_DETAIL),
    );
    if let Some(b) = f.baseline {
        fields.insert("sagemaker-audit/Baseline", b.as_str().to_owned());
    }
    let waived = f.applied_waiver();
    let (compliance, workflow) = match (f.status, waived) {
        (Status::Fail, Some(_)) => ("FAILED", "SUPPRESSED"),
        (Status::Fail, None) => ("FAILED", "NEW"),
        (Status::Pass, _) => ("PASSED", "RESOLVED"),
        // Security Hub's status for a check whose result is "not applicable".
        (Status::NotApplicable, _) => ("NOT_AVAILABLE", "RESOLVED"),
    };
    AsffFinding {
        schema_version: SCHEMA_VERSION,
        id: finding_id(f),
        product_arn: format!(
            "arn:{partition}:securityhub:{}:{}:product/{}/default",
            r.region, r.account_id, r.account_id
        ),
        product_name: "sagemaker-audit",
        company_name: "sagemaker-audit",
        generator_id: rule.id,
        aws_account_id: &r.account_id,
        region: &r.region,
        types: [TYPE],
        first_observed_at: at,
        last_observed_at: at,
        created_at: at,
        updated_at: at,
        severity: AsffSeverity {
            label: severity_label(f),
        },
        title: crate::text::one_line_within(rule.title, MAX_TITLE),
        description: crate::text::one_line_within(&f.message, MAX_DESCRIPTION),
        remediation: AsffRemediation {
            recommendation: AsffRecommendation {
                text: crate::text::one_line_within(rule.remediation.console, MAX_TEXT),
                url: rule.references.first().map(|r| r.url),
            },
        },
        product_fields: fields,
        resources: [AsffResource {
            kind: "Other",
            id: &r.arn,
            partition,
            region: &r.region,
            details: AsffDetails { other },
        }],
        compliance: AsffCompliance {
            status: compliance,
            related_requirements: requirements.get(rule.id).map_or(&[], Vec::as_slice),
        },
        workflow: AsffWorkflow { status: workflow },
        record_state: "ACTIVE",
        note: waived.map(|w| AsffNote {
            text: crate::text::one_line_within(
                &format!("Waived until {}: {}", w.expires, w.reason),
                MAX_TEXT,
            ),
            updated_by: crate::text::one_line_within(&w.owner, MAX_TEXT),
            updated_at: at,
        }),
    }
}

/// Writes the findings as one JSON array, one finding per line, streamed.
pub fn render(report: &Report, out: &mut dyn Write) -> Result<(), RenderError> {
    let err = |e: serde_json::Error| RenderError::Serialise("ASFF", e.to_string());
    out.write_all(b"[")?;
    let mut first = true;
    let mut left_out = 0usize;
    let requirements = requirements(report);
    for f in &report.findings {
        if !importable(f) {
            left_out += 1;
            continue;
        }
        out.write_all(if first { b"\n" } else { b",\n" })?;
        first = false;
        serde_json::to_writer(&mut *out, &finding(report, f, &requirements)).map_err(err)?;
    }
    out.write_all(b"\n]\n")?;
    if left_out > 0 {
        crate::warn!(
            "the ASFF report leaves out {left_out} findings of pipeline steps read from files: Security Hub needs an account and region, which only a live scan or describe-pipeline output gives"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::resource::{Kind, ResourceRef};

    fn finding(arn: &str, rule: &'static crate::rules::RuleMeta, part: Option<&str>) -> Finding {
        Finding {
            rule,
            status: Status::Fail,
            severity: rule.severity,
            resource: Arc::new(ResourceRef {
                kind: Kind::Training,
                origin: crate::resource::Origin::PipelineStep,
                name: String::new(),
                arn: arn.to_owned(),
                account_id: String::new(),
                region: String::new(),
                status: None,
                creation_time: None,
                last_modified_time: None,
                instance_types: Vec::new(),
                source_file: String::new(),
            }),
            part: part.map(Arc::from),
            kms_key: None,
            key_manager: crate::kms::KeyManager::None,
            key_state: None,
            message: Arc::from(""),
            line: 1,
            waiver: None,
            baseline: None,
        }
    }

    /// Names that embed `/sagemaker-audit/<check>/` made two findings share one `Id` when ids
    /// were joined text.
    #[test]
    fn no_name_makes_two_findings_share_an_id() {
        let rule = crate::kinds::checks::find("training-volume-cmk").expect("the check exists");
        let arn = "arn:aws:sagemaker:us-east-1:111122223333:pipeline/p/a";
        let pairs = [
            (
                finding(arn, rule, Some("x")),
                finding(
                    &format!("{arn}/sagemaker-audit/training-volume-cmk/x"),
                    rule,
                    None,
                ),
            ),
            (finding(arn, rule, Some("")), finding(arn, rule, None)),
            (
                finding(&format!("{arn}/b"), rule, None),
                finding(arn, rule, Some("b")),
            ),
        ];
        for (a, b) in &pairs {
            assert_ne!(finding_id(a), finding_id(b));
        }
        let id = finding_id(&pairs[0].0);
        assert!(id.len() <= 512 && id.starts_with("sagemaker-audit/training-volume-cmk/"));
        assert_eq!(id, finding_id(&pairs[0].0), "stable");
    }
}
