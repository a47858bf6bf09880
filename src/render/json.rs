//! The tool's own JSON document, versioned so users can rely on its shape.

use std::io::Write;

use serde::Serialize;

use super::RenderError;
use super::view::{ErrorView, FindingView};
use crate::report::{BaselineSummary, Counts, InputStats, Mode, Report, WaiverSummary};

/// Bumped on any change that could break a reader.
pub const SCHEMA_VERSION: &str = "1.1";

#[derive(Serialize)]
struct JsonReport<'a> {
    schema_version: &'static str,
    tool: Tool<'a>,
    generated_at: &'a str,
    run_id: &'a str,
    mode: Mode,
    inputs: &'a InputStats,
    summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    waivers: Option<&'a WaiverSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'a BaselineSummary>,
    findings: Seq<'a>,
    errors: Vec<ErrorView<'a>>,
}

/// Findings serialised straight from the report, without an intermediate vector.
struct Seq<'a>(&'a [crate::report::Finding]);

impl Serialize for Seq<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(FindingView::from))
    }
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct Summary {
    jobs: usize,
    #[serde(flatten)]
    counts: Counts,
    errors: usize,
    waived: usize,
    gating_failures: usize,
    incomplete: bool,
}

/// Writes the report as the versioned JSON document.
pub fn render(report: &Report, out: &mut dyn Write) -> Result<(), RenderError> {
    let doc = JsonReport {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "sagemaker-audit",
            version: &report.tool_version,
        },
        generated_at: &report.generated_at,
        run_id: &report.run_id,
        mode: report.mode,
        inputs: &report.inputs,
        summary: Summary {
            jobs: report.job_count(),
            counts: report.counts(),
            errors: report.errors.len(),
            waived: report.waived().count(),
            gating_failures: report.gating_failures(),
            incomplete: report.is_incomplete(),
        },
        waivers: report.waivers.as_ref(),
        baseline: report.baseline.as_ref(),
        findings: Seq(&report.findings),
        errors: report.errors.iter().map(ErrorView::from).collect(),
    };
    // Compact: the document is for programs (baselines, merges, jq), and at 100,000 jobs
    // indentation alone would add a third to its size and write time.
    // serde_json writes in many small pieces: buffer them here, where the writer's type is
    // known, rather than pay a dynamic call for each one.
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, out);
    serde_json::to_writer(&mut out, &doc)
        .map_err(|e| RenderError::Serialise("JSON", e.to_string()))?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}
