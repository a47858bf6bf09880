//! The Markdown report, sized for GitHub's `$GITHUB_STEP_SUMMARY`.

use std::io::Write;

use super::template::{Templates, base_context, engine, template_error};
use super::{RenderError, RenderOptions, Writer};
use crate::report::{Finding, Report};
use crate::schema;

/// GitHub's `$GITHUB_STEP_SUMMARY` limit.
pub const MARKDOWN_MAX_BYTES: usize = 1024 * 1024;
/// Accounts or regions named in the Markdown report's run line; the rest are counted.
const MARKDOWN_MAX_NAMES: usize = 50;

/// The Markdown writer.
pub struct Markdown;

impl Writer for Markdown {
    fn name(&self) -> &'static str {
        "md"
    }

    fn about(&self) -> &'static str {
        "GitHub-flavoured Markdown (fits $GITHUB_STEP_SUMMARY)"
    }

    fn write(
        &self,
        report: &Report,
        options: &RenderOptions,
        out: &mut dyn Write,
    ) -> Result<(), RenderError> {
        Ok(out.write_all(&render(report, &options.templates)?)?)
    }
}

/// Renders the Markdown report. Every list that grows with the input (failing findings,
/// inputs that could not be evaluated, waived and fixed findings, waivers) is trimmed by
/// the same proportion, each with a count of what was left out, so the page stays under
/// GitHub's 1 MiB step-summary limit whatever the input.
pub fn render(report: &Report, templates: &Templates) -> Result<Vec<u8>, RenderError> {
    const NAME: &str = "report.md";
    let template = templates.markdown();
    let tera = engine(NAME, template).map_err(|e| template_error(NAME, &e))?;
    let mut base = base_context(report);
    // Only the rows that fit are turned into their serialised form, once per render.
    let failing: Vec<&Finding> = report
        .failures()
        .filter(|f| f.applied_waiver().is_none())
        .collect();
    let errors: Vec<schema::Error<'_>> = report.errors.iter().map(schema::Error::from).collect();
    let waived: Vec<&Finding> = report.waived().collect();
    fn rows<'a>(findings: &[&'a Finding]) -> Vec<schema::Finding<'a>> {
        findings.iter().map(|&f| schema::Finding::from(f)).collect()
    }
    let fixed = report.baseline.as_ref().map_or(&[][..], |b| &b.fixed[..]);
    let (expired, unused) = report
        .waivers
        .as_ref()
        .map_or((&[][..], &[][..]), |w| (&w.expired[..], &w.unused[..]));
    // Short lists in the page's text are capped outright.
    for (name, values) in [
        ("accounts", report.accounts()),
        ("regions", report.regions()),
    ] {
        let shown = values.len().min(MARKDOWN_MAX_NAMES);
        base.insert(name, &values[..shown]);
        base.insert(format!("{name}_omitted"), &(values.len() - shown));
    }
    base.insert("waived_total", &waived.len());
    base.insert("fixed_total", &fixed.len());
    let totals = [
        failing.len(),
        errors.len(),
        waived.len(),
        fixed.len(),
        expired.len(),
        unused.len(),
    ];
    let render = |keep: [usize; 6]| -> Result<Vec<u8>, RenderError> {
        let mut ctx = base.clone();
        ctx.insert("failing", &rows(&failing[..keep[0]]));
        ctx.insert("errors", &errors[..keep[1]]);
        ctx.insert("waived", &rows(&waived[..keep[2]]));
        ctx.insert("fixed", &fixed[..keep[3]]);
        ctx.insert("expired", &expired[..keep[4]]);
        ctx.insert("unused", &unused[..keep[5]]);
        for (i, name) in ["failing", "errors", "waived", "fixed", "expired", "unused"]
            .iter()
            .enumerate()
        {
            ctx.insert(format!("{name}_omitted"), &(totals[i] - keep[i]));
        }
        tera.render(NAME, &ctx)
            .map(String::into_bytes)
            .map_err(|e| template_error(NAME, &e))
    };
    // Measure what the page costs without rows and what a sample of rows adds, then render
    // about as many rows as fit; shrink further only if the estimate overshoots.
    let sample = totals.map(|n| n.min(200));
    let sampled = render(sample)?;
    if sample == totals && sampled.len() <= MARKDOWN_MAX_BYTES {
        return Ok(sampled);
    }
    let empty = render([0; 6])?;
    if empty.len() > MARKDOWN_MAX_BYTES {
        return Ok(empty);
    }
    let sampled_rows: usize = sample.iter().sum();
    let per_row = (sampled.len().saturating_sub(empty.len()) / sampled_rows.max(1)).max(1);
    let room = (MARKDOWN_MAX_BYTES - empty.len()) as f64 * 0.98;
    let all_rows: usize = totals.iter().sum();
    let mut ratio = (room / (per_row * all_rows.max(1)) as f64).min(1.0);
    let mut keep = totals.map(|n| (n as f64 * ratio) as usize);
    loop {
        let out = render(keep)?;
        if out.len() <= MARKDOWN_MAX_BYTES || keep.iter().all(|&k| k == 0) {
            return Ok(out);
        }
        // Shrink every list in proportion to the overshoot, with a margin for the notes.
        ratio = MARKDOWN_MAX_BYTES as f64 / out.len() as f64 * 0.97;
        keep = keep.map(|k| ((k as f64 * ratio) as usize).min(k.saturating_sub(1)));
    }
}
