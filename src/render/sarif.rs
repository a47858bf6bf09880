//! SARIF 2.1.0 for GitHub code scanning.
//!
//! Only FAIL results by default; evaluation errors become tool execution notifications.
//! Severity maps to SARIF levels here and nowhere else.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::json;
use serde_sarif::sarif::Suppression;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, Result as SarifResult, ResultKind, ResultLevel, Run, RunAutomationDetails,
    Sarif, Tool, ToolComponent,
};
use sha2::{Digest, Sha256};

use super::{RenderError, RenderOptions};
use crate::report::{Finding, Report, Severity, Status};
use crate::rules::{REGISTRY, RuleMeta};

/// GitHub code scanning keeps at most this many results per run.
pub const GITHUB_MAX_RESULTS: usize = 25_000;
/// GitHub code scanning rejects uploads larger than this once gzipped.
pub const GITHUB_MAX_GZIP_BYTES: usize = 10 * 1024 * 1024;

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/sagemaker-audit/sagemaker-audit";

/// Renders the report as SARIF.
pub fn render(report: &Report, options: &RenderOptions) -> Result<Vec<u8>, RenderError> {
    let selected = || {
        report
            .findings
            .iter()
            .filter(|f| options.sarif_all_results || f.status == Status::Fail)
    };
    let total = selected().count();
    // GitHub keeps at most 25,000 results per run: keep the first ones in report order and
    // say what was left out, rather than let the upload drop results silently.
    let mut config_notes = Vec::new();
    if total > GITHUB_MAX_RESULTS {
        let text = format!(
            "This run has {total} results but GitHub code scanning accepts at most {GITHUB_MAX_RESULTS} \
             per run, so only the first {GITHUB_MAX_RESULTS} (sorted by account, region and job) are in \
             this SARIF file; the CSV and JSON reports hold all of them. To get every alert into \
             GitHub, split the scan (one run per account or region, each with its own \
             --sarif-category), waive accepted failures, or gate on new failures with --baseline."
        );
        crate::warn!("{text}");
        config_notes.push(notification("warning", text, None, None));
    }
    // Serialise the run with an empty results array, then stream the results into it one at
    // a time: a typed SARIF result is large, and 25,000 of them at once cost hundreds of MB.
    let skeleton = serde_json::to_vec_pretty(&build(report, options, Vec::new(), config_notes))
        .map_err(|e| RenderError::Serialise("SARIF", e.to_string()))?;
    let marker: &[u8] = b"\"results\": []";
    let Some(at) = memchr::memmem::find(&skeleton, marker) else {
        return Err(RenderError::Serialise(
            "SARIF",
            "no results array in the run".into(),
        ));
    };
    let mut bytes = Vec::with_capacity(skeleton.len() + total.min(GITHUB_MAX_RESULTS) * 1600);
    bytes.extend_from_slice(&skeleton[..at]);
    bytes.extend_from_slice(b"\"results\": [");
    let mut any = false;
    for f in selected().take(GITHUB_MAX_RESULTS) {
        let item = serde_json::to_vec_pretty(&result(f))
            .map_err(|e| RenderError::Serialise("SARIF", e.to_string()))?;
        bytes.extend_from_slice(if any { b",\n" } else { b"\n" });
        any = true;
        // JSON strings hold no raw newlines, so re-indenting line by line is safe.
        for (k, line) in item.split(|b| *b == b'\n').enumerate() {
            if k > 0 {
                bytes.push(b'\n');
            }
            bytes.extend_from_slice(b"        ");
            bytes.extend_from_slice(line);
        }
    }
    // Failures of the baseline that are gone: SARIF's `baselineState: absent` (§3.27.24),
    // so any SARIF consumer sees what went away.
    let fixed = report.baseline.as_ref().map_or(&[][..], |b| &b.fixed[..]);
    for x in fixed.iter().take(GITHUB_MAX_RESULTS.saturating_sub(total)) {
        let item = serde_json::to_vec_pretty(&absent_result(x))
            .map_err(|e| RenderError::Serialise("SARIF", e.to_string()))?;
        bytes.extend_from_slice(if any { b",\n" } else { b"\n" });
        any = true;
        for (k, line) in item.split(|b| *b == b'\n').enumerate() {
            if k > 0 {
                bytes.push(b'\n');
            }
            bytes.extend_from_slice(b"        ");
            bytes.extend_from_slice(line);
        }
    }
    bytes.extend_from_slice(if any { b"\n      ]" } else { b"]" });
    bytes.extend_from_slice(&skeleton[at + marker.len()..]);
    if bytes.len() > GITHUB_MAX_GZIP_BYTES {
        let gz = gzipped_len(&bytes);
        if gz > GITHUB_MAX_GZIP_BYTES {
            crate::warn!(
                "the SARIF file is {} bytes gzipped, over GitHub's {} byte upload limit; split the scan by account or region",
                gz,
                GITHUB_MAX_GZIP_BYTES
            );
        }
    }
    Ok(bytes)
}

fn build(
    report: &Report,
    options: &RenderOptions,
    results: Vec<SarifResult>,
    config_notes: Vec<Notification>,
) -> Sarif {
    let rules: Vec<ReportingDescriptor> = REGISTRY.iter().map(|r| rule(r.meta())).collect();
    let driver = ToolComponent::builder()
        .name("sagemaker-audit")
        .version(report.tool_version.clone())
        .semantic_version(report.tool_version.clone())
        .information_uri(INFORMATION_URI)
        .rules(rules)
        .build();
    let errors: Vec<Notification> = report
        .errors
        .iter()
        // Only an input file has a location; a failed API call is not an artifact.
        .map(|e| {
            notification(
                "error",
                e.to_string(),
                e.file.then_some(e.source.as_str()),
                e.line,
            )
        })
        .collect();
    let mut invocation = Invocation::builder()
        .execution_successful(errors.is_empty())
        .start_time_utc(report.generated_at.clone())
        .build();
    if !errors.is_empty() {
        invocation.tool_execution_notifications = Some(errors);
    }
    if !config_notes.is_empty() {
        invocation.tool_configuration_notifications = Some(config_notes);
    }
    let category = options.sarif_category.trim_end_matches('/');
    let counts = report.counts();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation])
        .automation_details(
            RunAutomationDetails::builder()
                .id(format!("{category}/"))
                .guid(report.run_id.clone())
                .build(),
        )
        .column_kind(json!("unicodeCodePoints"))
        .properties(
            PropertyBag::builder()
                .additional_properties(BTreeMap::from([
                    ("mode".to_owned(), json!(report.mode)),
                    ("runId".to_owned(), json!(report.run_id)),
                    ("jobs".to_owned(), json!(report.job_count())),
                    ("fail".to_owned(), json!(counts.fail)),
                    ("pass".to_owned(), json!(counts.pass)),
                    ("notApplicable".to_owned(), json!(counts.not_applicable)),
                    ("errors".to_owned(), json!(report.errors.len())),
                    ("waived".to_owned(), json!(report.waived().count())),
                    (
                        "fixedSinceBaseline".to_owned(),
                        json!(report.baseline.as_ref().map(|b| b.fixed.len())),
                    ),
                ]))
                .build(),
        )
        .build();
    Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low => ResultLevel::Note,
    }
}

fn level_name(severity: Severity) -> &'static str {
    match level(severity) {
        ResultLevel::Error => "error",
        ResultLevel::Warning => "warning",
        _ => "note",
    }
}

fn rule(meta: &RuleMeta) -> ReportingDescriptor {
    let r = &meta.remediation;
    let references_md: String = meta
        .references
        .iter()
        .map(|x| format!("- [{}]({})\n", x.title, x.url))
        .collect();
    let compliance_md: String = meta
        .compliance
        .iter()
        .map(|c| {
            format!(
                "| {} | {} | {} | {} |\n",
                c.framework, c.control, c.title, c.source
            )
        })
        .collect();
    let markdown = format!(
        "## {title}\n\n{description}\n\n### Risk\n\n{risk}\n\n### Remediation\n\n\
         **Console:** {console}\n\n**AWS CLI:**\n\n```sh\n{cli}\n```\n\n**boto3:**\n\n```python\n{boto3}\n```\n\n\
         **SageMaker Python SDK:**\n\n```python\n{sdk}\n```\n\n### References\n\n{references_md}\n\
         ### Compliance\n\n| Framework | Control | Title | Source |\n|---|---|---|---|\n{compliance_md}",
        title = meta.title,
        description = meta.description,
        risk = meta.risk,
        console = r.console,
        cli = r.aws_cli,
        boto3 = r.boto3,
        sdk = r.python_sdk,
    );
    let text = format!(
        "{}\n\nRisk: {}\n\nRemediation (console): {}\n\nRemediation (AWS CLI): {}\n\nRemediation (boto3): {}\n\nRemediation (SageMaker Python SDK): {}",
        meta.description, meta.risk, r.console, r.aws_cli, r.boto3, r.python_sdk
    );
    let compliance: Vec<String> = meta
        .compliance
        .iter()
        .map(|c| format!("{} {}", c.framework, c.control))
        .collect();
    ReportingDescriptor::builder()
        .id(meta.id.as_str())
        .name(meta.name)
        .short_description(MultiformatMessageString::builder().text(meta.title).build())
        .full_description(
            MultiformatMessageString::builder()
                .text(meta.description)
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(text)
                .markdown(markdown)
                .build(),
        )
        .help_uri(meta.references[0].url)
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level_name(meta.severity)))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(vec![
                    "security".to_owned(),
                    "encryption".to_owned(),
                    "kms".to_owned(),
                    "sagemaker".to_owned(),
                    "external/cwe/cwe-311".to_owned(),
                ])
                .additional_properties(BTreeMap::from([
                    (
                        "security-severity".to_owned(),
                        json!(meta.security_severity),
                    ),
                    ("precision".to_owned(), json!("very-high")),
                    (
                        "problem.severity".to_owned(),
                        json!(level_name(meta.severity)),
                    ),
                    ("compliance".to_owned(), json!(compliance)),
                ]))
                .build(),
        )
        .build()
}

fn result(f: &Finding) -> SarifResult {
    let rule_index = REGISTRY
        .iter()
        .position(|r| r.meta().id == f.rule_id)
        .unwrap_or_default() as i64;
    let (kind, level) = match f.status {
        Status::Fail => (ResultKind::Fail, level(f.severity)),
        Status::Pass => (ResultKind::Pass, ResultLevel::None),
        Status::NotApplicable => (ResultKind::NotApplicable, ResultLevel::None),
    };
    let location = Location::builder()
        .physical_location(physical(&f.job.source_file, Some(f.line)))
        .logical_locations(vec![
            LogicalLocation::builder()
                .name(f.job.name.clone())
                .fully_qualified_name(f.job.arn.clone())
                .kind("resource")
                .build(),
        ])
        .build();
    let fingerprint = fingerprint(f.rule_id.as_str(), &f.job.arn);
    let mut props = BTreeMap::from([
        ("jobName".to_owned(), json!(f.job.name)),
        ("jobArn".to_owned(), json!(f.job.arn)),
        ("accountId".to_owned(), json!(f.job.account_id)),
        ("region".to_owned(), json!(f.job.region)),
        ("keyManager".to_owned(), json!(f.key_manager.as_str())),
        ("status".to_owned(), json!(f.status.as_str())),
    ]);
    if let Some(k) = &f.kms_key {
        props.insert("kmsKey".to_owned(), json!(k));
    }
    if let Some(s) = &f.key_state {
        props.insert("keyState".to_owned(), json!(s));
    }
    let mut result = SarifResult::builder()
        .rule_id(f.rule_id.as_str())
        .rule_index(rule_index)
        .kind(kind)
        .level(level)
        .message(
            Message::builder()
                .text(format!("Training job {}: {}", f.job.name, f.message))
                .build(),
        )
        .locations(vec![location])
        .partial_fingerprints(BTreeMap::from([
            (
                "primaryLocationLineHash".to_owned(),
                format!("{}:1", &fingerprint[..16]),
            ),
            ("sagemakerAuditFinding/v1".to_owned(), fingerprint),
        ]))
        .properties(PropertyBag::builder().additional_properties(props).build())
        .build();
    if let Some(w) = &f.waiver {
        result.suppressions = Some(vec![
            Suppression::builder()
                .kind(json!("external"))
                .status(json!("accepted"))
                .justification(format!(
                    "{} (owner: {}, expires: {})",
                    w.reason, w.owner, w.expires
                ))
                .build(),
        ]);
    }
    if let Some(b) = f.baseline {
        result.baseline_state = Some(json!(b.as_str()));
    }
    result
}

/// A baseline failure that no longer fails. It is not a failure now (kind `pass`, level
/// `none`), and its fingerprint differs from the failure's, so a tool that tracks alerts by
/// fingerprint closes the old alert instead of keeping it open.
fn absent_result(x: &crate::report::FixedFinding) -> SarifResult {
    let rule_index = REGISTRY
        .iter()
        .position(|r| r.meta().id.as_str() == x.rule_id)
        .map(|i| i as i64);
    let location = Location::builder()
        .physical_location(physical(
            x.source_file.as_deref().unwrap_or("."),
            Some(x.line.unwrap_or(1)),
        ))
        .logical_locations(vec![
            LogicalLocation::builder()
                .name(x.job_name.clone())
                .fully_qualified_name(x.job_arn.clone())
                .kind("resource")
                .build(),
        ])
        .build();
    let fingerprint = fingerprint(&format!("absent\n{}", x.rule_id), &x.job_arn);
    let mut result = SarifResult::builder()
        .rule_id(x.rule_id.clone())
        .kind(ResultKind::Pass)
        .level(ResultLevel::None)
        .message(
            Message::builder()
                .text(format!(
                    "Training job {}: failed {} in the baseline and no longer does (now {}).",
                    x.job_name, x.rule_id, x.now
                ))
                .build(),
        )
        .locations(vec![location])
        .partial_fingerprints(BTreeMap::from([
            (
                "primaryLocationLineHash".to_owned(),
                format!("{}:1", &fingerprint[..16]),
            ),
            ("sagemakerAuditFinding/v1".to_owned(), fingerprint),
        ]))
        .properties(
            PropertyBag::builder()
                .additional_properties(BTreeMap::from([
                    ("jobArn".to_owned(), json!(x.job_arn)),
                    ("status".to_owned(), json!(x.now)),
                ]))
                .build(),
        )
        .build();
    result.rule_index = rule_index;
    result.baseline_state = Some(json!("absent"));
    result
}

fn physical(file: &str, line: Option<u32>) -> PhysicalLocation {
    let artifact = ArtifactLocation::builder().uri(uri_reference(file)).build();
    match line {
        Some(line) => PhysicalLocation::builder()
            .artifact_location(artifact)
            .region(Region::builder().start_line(i64::from(line.max(1))).build())
            .build(),
        None => PhysicalLocation::builder()
            .artifact_location(artifact)
            .build(),
    }
}

fn notification(level: &str, text: String, file: Option<&str>, line: Option<u32>) -> Notification {
    let mut n = Notification::builder()
        .level(json!(level))
        .message(Message::builder().text(text).build())
        .build();
    if let Some(file) = file {
        n.locations = Some(vec![
            Location::builder()
                .physical_location(physical(file, line))
                .build(),
        ]);
    }
    n
}

/// Stable identity of an alert: the same rule on the same job, in any mode and any run.
pub fn fingerprint(rule_id: &str, job_arn: &str) -> String {
    let digest = Sha256::digest(format!("{rule_id}\n{job_arn}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A relative path as a URI reference: `/`-separated, with unsafe bytes percent-encoded.
pub fn uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn gzipped_len(bytes: &[u8]) -> usize {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    if enc.write_all(bytes).is_err() {
        return bytes.len();
    }
    enc.finish().map_or(bytes.len(), |v| v.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_references_without_spaces() {
        assert_eq!(uri_reference("samples/a job.json"), "samples/a%20job.json");
        assert_eq!(uri_reference("../x/ü.json"), "../x/%C3%BC.json");
        assert_eq!(uri_reference("a:b#c"), "a%3Ab%23c");
    }

    #[test]
    fn fingerprints_depend_on_rule_and_arn_only() {
        let a = fingerprint(
            "training-volume-cmk",
            "arn:aws:sagemaker:us-east-1:1:training-job/a",
        );
        assert_eq!(a.len(), 64);
        assert_eq!(
            a,
            fingerprint(
                "training-volume-cmk",
                "arn:aws:sagemaker:us-east-1:1:training-job/a"
            )
        );
        assert_ne!(
            a,
            fingerprint(
                "training-output-cmk",
                "arn:aws:sagemaker:us-east-1:1:training-job/a"
            )
        );
    }
}
