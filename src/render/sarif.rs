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
    Sarif as SarifLog, Tool, ToolComponent,
};
use sha2::{Digest, Sha256};

use super::{RenderError, RenderOptions, Writer};
use crate::report::{Finding, Report, Severity, Status};
use crate::rules::RuleMeta;

/// The SARIF writer.
pub struct Sarif;

impl Writer for Sarif {
    fn name(&self) -> &'static str {
        "sarif"
    }

    fn about(&self) -> &'static str {
        "SARIF 2.1.0 for GitHub code scanning"
    }

    fn write(
        &self,
        report: &Report,
        options: &RenderOptions,
        out: &mut dyn Write,
    ) -> Result<(), RenderError> {
        render(report, options, out)
    }
}

/// GitHub code scanning keeps at most this many results per run.
pub const GITHUB_MAX_RESULTS: usize = 25_000;
/// GitHub code scanning rejects uploads larger than this once gzipped.
pub const GITHUB_MAX_GZIP_BYTES: usize = 10 * 1024 * 1024;

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/sagemaker-audit/sagemaker-audit";

/// Counts the bytes written to it (the size of a gzipped stream, without keeping it).
#[derive(Default)]
struct Count(usize);

impl Write for Count {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Where the SARIF text goes: the output, and (for large runs) a gzip stream whose size is
/// compared with GitHub's upload limit. Text is gathered in 64 KiB pieces first, so both see
/// few large writes.
struct Sink<'a> {
    out: &'a mut dyn Write,
    buf: Vec<u8>,
    raw: usize,
    gzip: Option<flate2::write::GzEncoder<Count>>,
}

impl Sink<'_> {
    const PIECE: usize = 64 * 1024;

    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= Self::PIECE {
            self.drain()?;
        }
        Ok(())
    }

    fn drain(&mut self) -> std::io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.raw += self.buf.len();
        if let Some(g) = &mut self.gzip {
            g.write_all(&self.buf)?;
        }
        self.buf.clear();
        Ok(())
    }

    /// One result, indented as a member of `results`.
    fn result(&mut self, first: bool, item: &[u8]) -> std::io::Result<()> {
        self.put(if first { b"\n" } else { b",\n" })?;
        // JSON strings hold no raw newlines, so re-indenting line by line is safe.
        for (k, line) in item.split(|b| *b == b'\n').enumerate() {
            if k > 0 {
                self.put(b"\n")?;
            }
            self.put(b"        ")?;
            self.put(line)?;
        }
        Ok(())
    }
}

/// Results below this many cannot reach GitHub's gzipped limit in practice, so their size is
/// only checked raw.
const GZIP_CHECK_FROM: usize = 2_000;

/// Writes the report as SARIF, streaming one result at a time.
pub fn render(
    report: &Report,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> Result<(), RenderError> {
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
    let fixed = report.baseline.as_ref().map_or(&[][..], |b| &b.fixed[..]);
    let mut sink = Sink {
        out,
        buf: Vec::with_capacity(Sink::PIECE * 2),
        raw: 0,
        gzip: (total + fixed.len() >= GZIP_CHECK_FROM)
            .then(|| flate2::write::GzEncoder::new(Count::default(), flate2::Compression::fast())),
    };
    sink.put(&skeleton[..at])?;
    sink.put(b"\"results\": [")?;
    let mut first = true;
    for f in selected().take(GITHUB_MAX_RESULTS) {
        let item = serde_json::to_vec_pretty(&result(report, f))
            .map_err(|e| RenderError::Serialise("SARIF", e.to_string()))?;
        sink.result(first, &item)?;
        first = false;
    }
    // Failures of the baseline that are gone: SARIF's `baselineState: absent` (§3.27.24),
    // so any SARIF consumer sees what went away.
    for x in fixed.iter().take(GITHUB_MAX_RESULTS.saturating_sub(total)) {
        let item = serde_json::to_vec_pretty(&absent_result(report, x))
            .map_err(|e| RenderError::Serialise("SARIF", e.to_string()))?;
        sink.result(first, &item)?;
        first = false;
    }
    sink.put(if first { b"]" } else { b"\n      ]" })?;
    sink.put(&skeleton[at + marker.len()..])?;
    sink.drain()?;
    sink.out.flush()?;
    let gzipped = match sink.gzip {
        Some(g) => g.finish()?.0,
        None => sink.raw,
    };
    if gzipped > GITHUB_MAX_GZIP_BYTES {
        crate::warn!(
            "the SARIF file is {gzipped} bytes gzipped, over GitHub's {GITHUB_MAX_GZIP_BYTES} byte upload limit; split the scan by account or region"
        );
    }
    Ok(())
}

fn build(
    report: &Report,
    options: &RenderOptions,
    results: Vec<SarifResult>,
    config_notes: Vec<Notification>,
) -> SarifLog {
    let rules: Vec<ReportingDescriptor> = report.rules.iter().map(|r| rule(r)).collect();
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
                    ("waived".to_owned(), json!(report.waived_count())),
                    (
                        "fixedSinceBaseline".to_owned(),
                        json!(report.baseline.as_ref().map(|b| b.fixed.len())),
                    ),
                ]))
                .build(),
        )
        .build();
    SarifLog::builder()
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
    let mut text = format!(
        "{}\n\nRisk: {}\n\nRemediation (console): {}\n\nRemediation (AWS CLI): {}\n\nRemediation (boto3): {}\n\nRemediation (SageMaker Python SDK): {}",
        meta.description, meta.risk, r.console, r.aws_cli, r.boto3, r.python_sdk
    );
    let mut markdown = markdown;
    if !r.pipeline.is_empty() {
        let steps = crate::rules::docs::PIPELINE_STEPS;
        markdown.push_str(&format!(
            "\n### Pipeline steps\n\n{steps}\n\n**Fix in the definition:** {}\n",
            r.pipeline
        ));
        text.push_str(&format!(
            "\n\nPipeline steps: {steps}\n\nRemediation (pipeline definition): {}",
            r.pipeline
        ));
    }
    if !meta.kind.decl().creates.is_empty() {
        let how = crate::rules::docs::STATE_MACHINES;
        markdown.push_str(&format!("\n### Step Functions state machines\n\n{how}\n"));
        text.push_str(&format!("\n\nStep Functions state machines: {how}"));
    }
    if crate::sdk_config::judges(meta.kind, meta.role) {
        let fix = crate::rules::docs::SDK_CONFIG;
        markdown.push_str(&format!(
            "\n### SageMaker Python SDK configuration\n\n{fix}\n"
        ));
        text.push_str(&format!("\n\nSageMaker Python SDK configuration: {fix}"));
    }
    let compliance: Vec<String> = meta
        .compliance
        .iter()
        .map(crate::rules::Compliance::label)
        .collect();
    ReportingDescriptor::builder()
        .id(meta.id)
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

/// The rule's position in the run's `rules` array.
fn rule_index(report: &Report, id: &str) -> Option<i64> {
    report
        .rules
        .iter()
        .position(|r| r.id == id)
        .map(|i| i as i64)
}

/// The resource as a logical location: its name, its ARN, and its type.
fn logical(name: &str, arn: &str, resource_type: &str) -> LogicalLocation {
    LogicalLocation::builder()
        .name(name)
        .fully_qualified_name(arn)
        .kind("resource")
        .properties(
            PropertyBag::builder()
                .additional_properties(BTreeMap::from([(
                    "resourceType".to_owned(),
                    json!(resource_type),
                )]))
                .build(),
        )
        .build()
}

/// How messages name a resource (a pipeline step by its origin) and, when it has several,
/// the key slot.
fn subject(noun: &str, name: &str, part: Option<&str>) -> String {
    match part {
        Some(part) => format!("{noun} {name} ({part})"),
        None => format!("{noun} {name}"),
    }
}

fn result(report: &Report, f: &Finding) -> SarifResult {
    let r = &*f.resource;
    let rule_index = rule_index(report, f.rule.id).unwrap_or_default();
    let (kind, level) = match f.status {
        Status::Fail => (ResultKind::Fail, level(f.severity)),
        Status::Pass => (ResultKind::Pass, ResultLevel::None),
        Status::NotApplicable => (ResultKind::NotApplicable, ResultLevel::None),
    };
    let location = Location::builder()
        .physical_location(physical(&r.source_file, Some(f.line)))
        .logical_locations(vec![logical(&r.name, &r.arn, r.kind.resource_type())])
        .build();
    let fingerprint = fingerprint(f.rule.id, &r.arn, f.part.as_deref());
    let mut props = BTreeMap::from([
        ("jobName".to_owned(), json!(r.name)),
        ("jobArn".to_owned(), json!(r.arn)),
        ("resourceType".to_owned(), json!(r.kind.resource_type())),
        ("accountId".to_owned(), json!(r.account_id)),
        ("region".to_owned(), json!(r.region)),
        ("keyManager".to_owned(), json!(f.key_manager.as_str())),
        ("status".to_owned(), json!(f.status.as_str())),
    ]);
    if let Some(p) = &f.part {
        props.insert("part".to_owned(), json!(p));
    }
    if let Some(origin) = r.origin.name() {
        props.insert("origin".to_owned(), json!(origin));
    }
    if let Some(k) = &f.kms_key {
        props.insert("kmsKey".to_owned(), json!(k));
    }
    if let Some(s) = &f.key_state {
        props.insert("keyState".to_owned(), json!(s));
    }
    let mut result = SarifResult::builder()
        .rule_id(f.rule.id)
        .rule_index(rule_index)
        .kind(kind)
        .level(level)
        .message(
            Message::builder()
                .text(format!(
                    "{}: {}",
                    subject(r.group().noun(), &r.name, f.part.as_deref()),
                    f.message
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
        .properties(PropertyBag::builder().additional_properties(props).build())
        .build();
    if let Some(w) = f.applied_waiver() {
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
fn absent_result(report: &Report, x: &crate::report::FixedFinding) -> SarifResult {
    let rule_index = rule_index(report, &x.rule_id);
    let location = Location::builder()
        .physical_location(physical(
            x.source_file.as_deref().unwrap_or("."),
            Some(x.line.unwrap_or(1)),
        ))
        .logical_locations(vec![logical(&x.job_name, &x.job_arn, &x.resource_type)])
        .build();
    let fingerprint = fingerprint(
        &format!("absent\n{}", x.rule_id),
        &x.job_arn,
        x.part.as_deref(),
    );
    let mut props = BTreeMap::from([
        ("jobArn".to_owned(), json!(x.job_arn)),
        ("resourceType".to_owned(), json!(x.resource_type)),
        ("status".to_owned(), json!(x.now)),
    ]);
    if let Some(p) = &x.part {
        props.insert("part".to_owned(), json!(p));
    }
    let mut result = SarifResult::builder()
        .rule_id(x.rule_id.clone())
        .kind(ResultKind::Pass)
        .level(ResultLevel::None)
        .message(
            Message::builder()
                .text(format!(
                    "{}: failed {} in the baseline and no longer does (now {}).",
                    subject(
                        crate::resource::Group::of_resource_type(&x.resource_type)
                            .map_or("Resource", |g| g.noun()),
                        &x.job_name,
                        x.part.as_deref()
                    ),
                    x.rule_id,
                    x.now
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
        .properties(PropertyBag::builder().additional_properties(props).build())
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

/// Stable identity of an alert: the same rule on the same key slot of the same resource, in
/// any mode and any run. A resource's only slot of a role has no part, so training-job
/// fingerprints are those of earlier versions.
pub fn fingerprint(rule_id: &str, arn: &str, part: Option<&str>) -> String {
    let text = match part {
        Some(part) => format!("{rule_id}\n{arn}\n{part}"),
        None => format!("{rule_id}\n{arn}"),
    };
    let digest = Sha256::digest(text.as_bytes());
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
    fn fingerprints_depend_on_rule_arn_and_part_only() {
        let a = fingerprint(
            "training-volume-cmk",
            "arn:aws:sagemaker:us-east-1:1:training-job/a",
            None,
        );
        // The value earlier versions gave, so existing alerts stay open or closed.
        let digest =
            Sha256::digest(b"training-volume-cmk\narn:aws:sagemaker:us-east-1:1:training-job/a");
        let old: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(a, old);
        let t = "arn:aws:sagemaker:us-east-1:1:hyper-parameter-tuning-job/t";
        assert_ne!(
            fingerprint("tuning-volume-cmk", t, Some("definition a")),
            fingerprint("tuning-volume-cmk", t, Some("definition b"))
        );
        assert_eq!(a.len(), 64);
        assert_eq!(
            a,
            fingerprint(
                "training-volume-cmk",
                "arn:aws:sagemaker:us-east-1:1:training-job/a",
                None
            )
        );
        assert_ne!(
            a,
            fingerprint(
                "training-output-cmk",
                "arn:aws:sagemaker:us-east-1:1:training-job/a",
                None
            )
        );
    }
}
