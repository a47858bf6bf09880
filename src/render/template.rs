//! HTML and Markdown reports through Tera templates, embedded and overridable.
//!
//! Tera auto-escapes templates whose name ends in `.html`; the Markdown template gets its
//! own `md` filter. Finding data for the HTML table travels as a JSON island whose `<`, `>`
//! and `&` are escaped, so no input string can end the script element.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;
use tera::Tera;

use super::RenderError;
use super::view::{ErrorView, FindingView};
use crate::report::{Report, Status};
use crate::rules::{REGISTRY, RuleMeta};

const HTML: &str = include_str!("../../report-templates/report.html");
const MARKDOWN: &str = include_str!("../../report-templates/report.md");

/// GitHub's `$GITHUB_STEP_SUMMARY` limit.
pub const MARKDOWN_MAX_BYTES: usize = 1024 * 1024;
/// Failing findings listed in the HTML's static (no-script, print) table.
const HTML_STATIC_ROWS: usize = 1000;

/// The templates in force: embedded ones unless `--templates DIR` replaced them.
#[derive(Debug, Clone, Default)]
pub struct Templates {
    html: Option<String>,
    markdown: Option<String>,
}

/// A template directory that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("--templates {dir}: {message}")]
pub struct TemplateDirError {
    dir: String,
    message: String,
}

impl Templates {
    /// Loads `report.html` and/or `report.md` from `dir`; a missing one stays embedded.
    /// Both are compiled now so a syntax error is a usage error, not a failed scan.
    pub fn from_dir(dir: &Path) -> Result<Self, TemplateDirError> {
        let fail = |message: String| TemplateDirError {
            dir: dir.display().to_string(),
            message,
        };
        if !dir.is_dir() {
            return Err(fail("is not a directory".into()));
        }
        let read = |name: &str| -> Result<Option<String>, TemplateDirError> {
            let path = dir.join(name);
            if !path.exists() {
                return Ok(None);
            }
            std::fs::read_to_string(&path)
                .map(Some)
                .map_err(|e| fail(format!("{name}: {e}")))
        };
        let t = Templates {
            html: read("report.html")?,
            markdown: read("report.md")?,
        };
        if t.html.is_none() && t.markdown.is_none() {
            return Err(fail("contains neither report.html nor report.md".into()));
        }
        for (name, text) in [("report.html", &t.html), ("report.md", &t.markdown)] {
            if let Some(text) = text {
                engine(name, text).map_err(|e| fail(e.to_string()))?;
            }
        }
        Ok(t)
    }

    /// Renders the HTML report.
    pub fn render_html(&self, report: &Report) -> Result<Vec<u8>, RenderError> {
        let mut ctx = base_context(report);
        let unwaived = || report.failures().filter(|f| f.waiver.is_none());
        let failing: Vec<FindingView<'_>> = unwaived()
            .take(HTML_STATIC_ROWS)
            .map(FindingView::from)
            .collect();
        ctx.insert("static_failing", &failing);
        ctx.insert(
            "static_failing_omitted",
            &unwaived().count().saturating_sub(HTML_STATIC_ROWS),
        );
        ctx.insert("findings_json", &findings_island(report));
        render_one("report.html", self.html.as_deref().unwrap_or(HTML), ctx)
    }

    /// Renders the Markdown report, trimming the failing list to stay under 1 MiB.
    pub fn render_markdown(&self, report: &Report) -> Result<Vec<u8>, RenderError> {
        let template = self.markdown.as_deref().unwrap_or(MARKDOWN);
        let failing: Vec<FindingView<'_>> = report
            .failures()
            .filter(|f| f.waiver.is_none())
            .map(FindingView::from)
            .collect();
        let total = failing.len();
        let mut keep = total;
        loop {
            let mut ctx = base_context(report);
            ctx.insert("failing", &failing[..keep]);
            ctx.insert("failing_omitted", &(total - keep));
            let out = render_one("report.md", template, ctx)?;
            if out.len() <= MARKDOWN_MAX_BYTES || keep == 0 {
                return Ok(out);
            }
            // Shrink in proportion to the overshoot, with a margin for the note.
            let ratio = MARKDOWN_MAX_BYTES as f64 / out.len() as f64;
            keep = ((keep as f64 * ratio * 0.97) as usize).min(keep - 1);
        }
    }
}

fn engine(name: &str, text: &str) -> tera::Result<Tera> {
    let mut tera = Tera::default();
    tera.register_filter("md", markdown_filter);
    tera.add_raw_template(name, text)?;
    Ok(tera)
}

fn render_one(name: &str, text: &str, ctx: tera::Context) -> Result<Vec<u8>, RenderError> {
    let fail = |e: tera::Error| RenderError::Template {
        name: name.to_owned(),
        message: error_chain(&e),
    };
    let tera = engine(name, text).map_err(fail)?;
    tera.render(name, &ctx)
        .map(String::into_bytes)
        .map_err(fail)
}

fn error_chain(e: &tera::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text.replace('\n', " ")
}

#[derive(Serialize)]
struct RuleView {
    id: &'static str,
    title: &'static str,
    description: &'static str,
    risk: &'static str,
    severity: &'static str,
    security_severity: &'static str,
    remediation: &'static crate::rules::Remediation,
    references: &'static [crate::rules::Reference],
    compliance: &'static [crate::rules::Compliance],
    fail: usize,
    pass: usize,
    not_applicable: usize,
    /// Bar widths in percent for the summary chart.
    fail_pct: f64,
    pass_pct: f64,
    na_pct: f64,
}

#[derive(Serialize)]
struct ControlView {
    control: &'static str,
    title: &'static str,
    rules: Vec<&'static str>,
    /// Failing findings not waived.
    fail: usize,
    waived: usize,
    pass: usize,
    status: &'static str,
}

#[derive(Serialize)]
struct FrameworkView {
    name: &'static str,
    controls: Vec<ControlView>,
    failing_controls: usize,
}

fn rule_view(meta: &'static RuleMeta, report: &Report) -> RuleView {
    let c = report.counts_for(meta.id);
    let total = c.total().max(1) as f64;
    let pct = |n: usize| (n as f64 * 1000.0 / total).round() / 10.0;
    RuleView {
        id: meta.id.as_str(),
        title: meta.title,
        description: meta.description,
        risk: meta.risk,
        severity: meta.severity.as_str(),
        security_severity: meta.security_severity,
        remediation: &meta.remediation,
        references: meta.references,
        compliance: meta.compliance,
        fail: c.fail,
        pass: c.pass,
        not_applicable: c.not_applicable,
        fail_pct: pct(c.fail),
        pass_pct: pct(c.pass),
        na_pct: pct(c.not_applicable),
    }
}

fn compliance_view(report: &Report) -> Vec<FrameworkView> {
    let mut frameworks: BTreeMap<&'static str, Vec<ControlView>> = BTreeMap::new();
    for rule in REGISTRY {
        let meta = rule.meta();
        let counts = report.counts_for(meta.id);
        let waived = report.waived().filter(|f| f.rule_id == meta.id).count();
        for c in meta.compliance {
            if report.framework.is_some_and(|fw| fw != c.framework) {
                continue;
            }
            let controls = frameworks.entry(c.framework).or_default();
            let existing = match controls.iter_mut().position(|x| x.control == c.control) {
                Some(i) => &mut controls[i],
                None => {
                    controls.push(ControlView {
                        control: c.control,
                        title: c.title,
                        rules: Vec::new(),
                        fail: 0,
                        waived: 0,
                        pass: 0,
                        status: "PASS",
                    });
                    controls.last_mut().expect("just pushed")
                }
            };
            existing.rules.push(meta.id.as_str());
            existing.fail += counts.fail - waived;
            existing.waived += waived;
            existing.pass += counts.pass;
            if existing.fail > 0 {
                existing.status = "FAIL";
            }
        }
    }
    frameworks
        .into_iter()
        .map(|(name, controls)| FrameworkView {
            name,
            failing_controls: controls.iter().filter(|c| c.fail > 0).count(),
            controls,
        })
        .collect()
}

fn base_context(report: &Report) -> tera::Context {
    let counts = report.counts();
    let mut ctx = tera::Context::new();
    ctx.insert("tool_name", "sagemaker-audit");
    ctx.insert("tool_version", &report.tool_version);
    ctx.insert("generated_at", &report.generated_at);
    ctx.insert("mode", &report.mode);
    ctx.insert("inputs", &report.inputs);
    ctx.insert("accounts", &report.accounts());
    ctx.insert("regions", &report.regions());
    ctx.insert("jobs", &report.job_count());
    ctx.insert("counts", &counts);
    ctx.insert("error_count", &report.errors.len());
    ctx.insert("incomplete", &report.is_incomplete());
    ctx.insert("fail_on", &report.fail_on.map(|s| s.as_str()));
    ctx.insert("gating_failures", &report.gating_failures());
    let rules: Vec<RuleView> = REGISTRY
        .iter()
        .map(|r| rule_view(r.meta(), report))
        .collect();
    ctx.insert("rules", &rules);
    ctx.insert("compliance", &compliance_view(report));
    let errors: Vec<ErrorView<'_>> = report.errors.iter().map(ErrorView::from).collect();
    ctx.insert("errors", &errors);
    ctx.insert("framework", &report.framework);
    let waived: Vec<FindingView<'_>> = report.waived().map(FindingView::from).collect();
    ctx.insert("open_fail", &(counts.fail - waived.len()));
    ctx.insert("waived", &waived);
    ctx.insert("waivers", &report.waivers);
    ctx.insert("baseline", &report.baseline);
    ctx
}

/// Findings as compact rows for the HTML table, safe to place inside `<script>`.
fn findings_island(report: &Report) -> String {
    let rule_index: HashMap<&str, usize> = REGISTRY
        .iter()
        .enumerate()
        .map(|(i, r)| (r.meta().id.as_str(), i))
        .collect();
    let status_index = |s: Status| match s {
        Status::Fail => 0,
        Status::Pass => 1,
        Status::NotApplicable => 2,
    };
    let rows: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            serde_json::json!([
                status_index(f.status),
                rule_index.get(f.rule_id.as_str()).copied().unwrap_or(0),
                f.job.name,
                f.job.arn,
                f.job.account_id,
                f.job.region,
                f.kms_key.as_deref().unwrap_or(""),
                f.key_manager.as_str(),
                f.key_state.as_deref().unwrap_or(""),
                f.instance_types.join(", "),
                f.message,
                f.source_file,
                f.line,
                f.job.status.as_deref().unwrap_or(""),
                f.job.creation_time.as_deref().unwrap_or(""),
                u8::from(f.waiver.is_some()),
                f.baseline.map_or("", |b| b.as_str()),
            ])
        })
        .collect();
    let json = serde_json::to_string(&rows).unwrap_or_else(|_| "[]".into());
    script_safe(&json)
}

/// Escapes what could end or confuse a `<script>` element holding JSON.
fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for ch in json.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a GitHub-flavoured Markdown table cell.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' | '{' | '}' | '(' | ')' => {
                out.push('\\');
                out.push(ch);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn markdown_filter(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let text = match value {
        Value::String(s) => escape_markdown(s),
        Value::Null => String::new(),
        other => escape_markdown(&other.to_string()),
    };
    Ok(Value::String(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escaping_keeps_table_cells_inert() {
        assert_eq!(escape_markdown("a|b"), "a\\|b");
        assert_eq!(escape_markdown("<img src=x>"), "&lt;img src=x&gt;");
        assert_eq!(
            escape_markdown("[x](javascript:1)"),
            "\\[x\\]\\(javascript:1\\)"
        );
        assert_eq!(escape_markdown("line\nbreak"), "line break");
    }

    #[test]
    fn script_island_cannot_close_the_script() {
        let s = script_safe(r#"["</script><script>alert(1)</script>"]"#);
        assert!(!s.contains('<') && !s.contains('>'));
        let back: Vec<String> = serde_json::from_str(&s).unwrap();
        assert_eq!(back[0], "</script><script>alert(1)</script>");
    }
}
