//! OCSF Compliance Finding events (class 2003, schema 1.5.0), the shape Amazon Security Lake
//! and Prowler exchange: a JSON array with one event per evaluated check.
//!
//! Attribute names and enumerations follow the OCSF 1.5.0 schema's Compliance Finding class
//! (<https://schema.ocsf.io/1.5.0/classes/compliance_finding>); the test suite validates every
//! event with py-ocsf-models, the OCSF models Prowler maintains, and fails on any attribute the
//! class does not define.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use serde::Serialize;

use super::{RenderError, RenderOptions, Writer};
use crate::report::{Finding, Report, Severity, Status};

/// The OCSF writer.
pub struct Ocsf;

impl Writer for Ocsf {
    fn name(&self) -> &'static str {
        "ocsf"
    }

    fn extension(&self) -> &'static str {
        "ocsf.json"
    }

    fn about(&self) -> &'static str {
        "OCSF 1.5 Compliance Finding events (class 2003) for Security Lake and SIEMs"
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

const OCSF_VERSION: &str = "1.5.0";
/// Findings category and the Compliance Finding class.
const CATEGORY_UID: u8 = 2;
const CLASS_UID: u32 = 2003;
/// Activity "Create": each scan reports its findings afresh.
const ACTIVITY_ID: u32 = 1;

#[derive(Serialize)]
struct Event<'a> {
    metadata: Metadata<'a>,
    time: i64,
    time_dt: &'a str,
    category_uid: u8,
    category_name: &'static str,
    class_uid: u32,
    class_name: &'static str,
    activity_id: u32,
    activity_name: &'static str,
    type_uid: u32,
    type_name: &'static str,
    severity_id: u8,
    severity: &'static str,
    status_id: u8,
    status: &'static str,
    status_code: &'static str,
    status_detail: String,
    message: String,
    finding_info: FindingInfo<'a>,
    compliance: Compliance<'a>,
    remediation: Remediation,
    resources: [Resource<'a>; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    version: &'static str,
    product: Product<'a>,
    event_code: &'static str,
    uid: String,
    correlation_uid: &'a str,
}

#[derive(Serialize)]
struct Product<'a> {
    name: &'static str,
    vendor_name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct FindingInfo<'a> {
    uid: String,
    title: &'static str,
    desc: &'static str,
    types: [&'static str; 1],
    created_time: i64,
    created_time_dt: &'a str,
}

#[derive(Serialize)]
struct Compliance<'a> {
    control: &'static str,
    status_id: u8,
    #[serde(skip_serializing_if = "<[&str]>::is_empty")]
    standards: &'a [&'static str],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    requirements: &'a [String],
}

/// A check's mapped frameworks and controls, built once per check, not per event.
#[derive(Default)]
struct Mapping {
    standards: Vec<&'static str>,
    requirements: Vec<String>,
}

fn mappings(report: &Report) -> HashMap<&'static str, Mapping> {
    report
        .rules
        .iter()
        .map(|rule| {
            let mut m = Mapping::default();
            for c in report.controls(rule) {
                if !m.standards.contains(&c.framework) {
                    m.standards.push(c.framework);
                }
                m.requirements.push(c.label());
            }
            (rule.id, m)
        })
        .collect()
}

#[derive(Serialize)]
struct Remediation {
    desc: &'static str,
    references: Vec<&'static str>,
}

#[derive(Serialize)]
struct Resource<'a> {
    uid: &'a str,
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "str::is_empty")]
    region: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    cloud_partition: &'a str,
    data: BTreeMap<&'static str, String>,
}

/// OCSF severity (id, caption): the check's severity when it fails, else informational.
fn severity(f: &Finding) -> (u8, &'static str) {
    if f.status != Status::Fail {
        return (1, "Informational");
    }
    match f.severity {
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

fn event<'a>(report: &'a Report, f: &'a Finding, mapping: &'a Mapping, time: i64) -> Event<'a> {
    let r = &f.resource;
    let rule = f.rule;
    let (severity_id, severity) = severity(f);
    let waived = f.applied_waiver();
    // Finding status (New, Suppressed, Resolved) and compliance status (Pass, Fail, Other).
    let ((status_id, status), compliance_status) = match (f.status, waived) {
        (Status::Fail, Some(_)) => ((3, "Suppressed"), 3),
        (Status::Fail, None) => ((1, "New"), 3),
        (Status::Pass, _) => ((4, "Resolved"), 1),
        (Status::NotApplicable, _) => ((4, "Resolved"), 99),
    };
    let mut data = BTreeMap::new();
    if !r.account_id.is_empty() {
        data.insert("account_id", r.account_id.clone());
    }
    if let Some(part) = &f.part {
        data.insert("part", part.to_string());
    }
    if let Some(origin) = r.origin.name() {
        data.insert("origin", origin.to_owned());
    }
    if let Some(key) = &f.kms_key {
        data.insert("kms_key", key.to_string());
    }
    if !f.key_manager.as_str().is_empty() {
        data.insert("key_manager", f.key_manager.as_str().to_owned());
    }
    if let Some(state) = &f.key_state {
        data.insert("key_state", state.to_string());
    }
    if let Some(status) = &r.status {
        data.insert("job_status", status.clone());
    }
    data.insert("source_file", r.source_file.clone());
    if f.line > 0 {
        data.insert("line", f.line.to_string());
    }
    if let Some(b) = f.baseline {
        data.insert("baseline_state", b.as_str().to_owned());
    }
    let uid = super::asff::finding_id(f);
    Event {
        metadata: Metadata {
            version: OCSF_VERSION,
            product: Product {
                name: "sagemaker-audit",
                vendor_name: "sagemaker-audit",
                version: &report.tool_version,
            },
            event_code: rule.id,
            uid: format!("{}/{uid}", report.run_id),
            correlation_uid: &report.run_id,
        },
        time,
        time_dt: &report.generated_at,
        category_uid: CATEGORY_UID,
        category_name: "Findings",
        class_uid: CLASS_UID,
        class_name: "Compliance Finding",
        activity_id: ACTIVITY_ID,
        activity_name: "Create",
        type_uid: CLASS_UID * 100 + ACTIVITY_ID,
        type_name: "Compliance Finding: Create",
        severity_id,
        severity,
        status_id,
        status,
        status_code: f.status.as_str(),
        status_detail: f.message.to_string(),
        message: f.message.to_string(),
        finding_info: FindingInfo {
            uid,
            title: rule.title,
            desc: rule.description,
            types: ["Software and Configuration Checks"],
            created_time: time,
            created_time_dt: &report.generated_at,
        },
        compliance: Compliance {
            control: rule.id,
            status_id: compliance_status,
            standards: &mapping.standards,
            requirements: &mapping.requirements,
        },
        remediation: Remediation {
            desc: rule.remediation.console,
            references: rule.references.iter().map(|r| r.url).collect(),
        },
        resources: [Resource {
            uid: &r.arn,
            name: &r.name,
            kind: r.kind.resource_type(),
            region: &r.region,
            cloud_partition: r.partition().unwrap_or(""),
            data,
        }],
        comment: waived.map(|w| format!("Waived by {} until {}: {}", w.owner, w.expires, w.reason)),
    }
}

/// Writes the events as one JSON array, one event per line, streamed.
pub fn render(report: &Report, out: &mut dyn Write) -> Result<(), RenderError> {
    let err = |e: serde_json::Error| RenderError::Serialise("OCSF", e.to_string());
    let time = crate::model::Timestamp::parse_iso(&report.generated_at)
        .map_or(0, |t| t.0.timestamp_millis());
    let mappings = mappings(report);
    let none = Mapping::default();
    out.write_all(b"[")?;
    for (i, f) in report.findings.iter().enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        let mapping = mappings.get(f.rule.id).unwrap_or(&none);
        serde_json::to_writer(&mut *out, &event(report, f, mapping, time)).map_err(err)?;
    }
    out.write_all(b"\n]\n")?;
    Ok(())
}
