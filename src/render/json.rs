//! The tool's own JSON document, in the versioned shape of [`crate::schema`].

use std::borrow::Cow;
use std::io::Write;

use serde::Serialize;

use super::{RenderError, RenderOptions, Writer};
use crate::report::Report;
use crate::schema;

/// The JSON writer.
pub struct Json;

impl Writer for Json {
    fn name(&self) -> &'static str {
        "json"
    }

    fn about(&self) -> &'static str {
        "The tool's own versioned JSON document (merge and --baseline read it)"
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

/// Findings serialised straight from the report, without an intermediate vector.
struct Seq<'a>(&'a [crate::report::Finding]);

impl Serialize for Seq<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(schema::Finding::from))
    }
}

/// Writes the report as the versioned JSON document.
pub fn render(report: &Report, out: &mut dyn Write) -> Result<(), RenderError> {
    let doc = schema::Report {
        schema_version: Cow::Borrowed(schema::SCHEMA_VERSION),
        tool: schema::Tool {
            name: Cow::Borrowed("sagemaker-audit"),
            version: Cow::Borrowed(&report.tool_version),
        },
        generated_at: Cow::Borrowed(&report.generated_at),
        run_id: Cow::Borrowed(&report.run_id),
        mode: report.mode,
        inputs: Cow::Borrowed(&report.inputs),
        summary: schema::Summary {
            jobs: report.job_count(),
            counts: report.counts(),
            errors: report.errors.len(),
            waived: report.waived_count(),
            gating_failures: report.gating_failures(),
            incomplete: report.is_incomplete(),
            kinds: report.kind_summaries(),
            accounts: report.account_summaries(),
        },
        rules: report.rules.iter().map(|r| Cow::Borrowed(r.id)).collect(),
        waivers: report.waivers.as_ref().map(Cow::Borrowed),
        baseline: report.baseline.as_ref().map(Cow::Borrowed),
        findings: Seq(&report.findings),
        errors: report.errors.iter().map(schema::Error::from).collect(),
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
