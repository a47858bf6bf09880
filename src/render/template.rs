//! What the HTML and Markdown writers share: the Tera engine with its escaping, the
//! templates in force (embedded, or from `--templates DIR`), and the context every template
//! gets.
//!
//! Tera auto-escapes templates whose name ends in `.html`; the Markdown template gets its
//! own `md` filter.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;
use tera::Tera;

use super::RenderError;
use crate::report::Report;
use crate::resource::{Group, Kind, Origin};
use crate::rules::RuleMeta;
use crate::schema;

const HTML: &str = include_str!("../../report-templates/report.html");
const MARKDOWN: &str = include_str!("../../report-templates/report.md");

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

    /// The HTML template in force.
    pub(super) fn html(&self) -> &str {
        self.html.as_deref().unwrap_or(HTML)
    }

    /// The Markdown template in force.
    pub(super) fn markdown(&self) -> &str {
        self.markdown.as_deref().unwrap_or(MARKDOWN)
    }
}

pub(super) fn engine(name: &str, text: &str) -> tera::Result<Tera> {
    let mut tera = Tera::default();
    tera.set_escape_fn(escape_html);
    tera.register_filter("md", markdown_filter);
    tera.add_raw_template(name, text)?;
    Ok(tera)
}

pub(super) fn template_error(name: &str, e: &tera::Error) -> RenderError {
    RenderError::Template {
        name: name.to_owned(),
        message: error_chain(e),
    }
}

pub(super) fn render_one(
    name: &str,
    text: &str,
    ctx: tera::Context,
) -> Result<Vec<u8>, RenderError> {
    let tera = engine(name, text).map_err(|e| template_error(name, &e))?;
    tera.render(name, &ctx)
        .map(String::into_bytes)
        .map_err(|e| template_error(name, &e))
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
    /// Findings of the check on pipeline steps.
    steps: usize,
    /// Its findings on SageMaker Python SDK configuration sections.
    sdk_config: usize,
    /// How such findings are judged and fixed.
    sdk_config_fix: &'static str,
    /// Its findings on Step Functions task states.
    state_machine: usize,
    /// How such findings are judged and fixed.
    state_machine_fix: &'static str,
    /// How the check judges pipeline steps (empty when no step creates its kind).
    pipeline_steps: &'static str,
    /// Bar widths in percent for the summary chart.
    fail_pct: f64,
    pass_pct: f64,
    na_pct: f64,
}

fn rule_view(
    meta: &'static RuleMeta,
    report: &Report,
    steps: usize,
    sdk_config: usize,
    state_machine: usize,
) -> RuleView {
    let c = report.counts_for(meta);
    let total = c.total().max(1) as f64;
    let pct = |n: usize| (n as f64 * 1000.0 / total).round() / 10.0;
    RuleView {
        id: meta.id,
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
        steps,
        sdk_config,
        sdk_config_fix: crate::rules::docs::SDK_CONFIG,
        state_machine,
        state_machine_fix: crate::rules::docs::STATE_MACHINES,
        pipeline_steps: if meta.remediation.pipeline.is_empty() {
            ""
        } else {
            crate::rules::docs::PIPELINE_STEPS
        },
        fail_pct: pct(c.fail),
        pass_pct: pct(c.pass),
        na_pct: pct(c.not_applicable),
    }
}

/// One kind of resource in the per-kind summary.
#[derive(Serialize)]
struct KindView {
    name: &'static str,
    resource_type: &'static str,
    noun: &'static str,
    plural: &'static str,
    resources: usize,
    fail: usize,
    pass: usize,
    not_applicable: usize,
}

/// One pipeline and how its steps fared.
#[derive(Serialize)]
pub(super) struct PipelineView {
    /// The pipeline's name.
    pub name: String,
    /// Where its definition was read: the file, or the account and region.
    pub place: String,
    /// Job-creating steps judged.
    pub steps: usize,
    pub fail: usize,
    pub pass: usize,
    pub not_applicable: usize,
}

/// Pipeline findings grouped under their pipeline, in report order.
pub(super) fn pipelines(report: &Report) -> Vec<PipelineView> {
    use crate::verdict::Status;
    let mut out: Vec<PipelineView> = Vec::new();
    let mut index: std::collections::HashMap<(&str, &str), usize> = Default::default();
    let mut last_step: Option<*const crate::resource::ResourceRef> = None;
    for f in report
        .findings
        .iter()
        .filter(|f| f.resource.origin == Origin::PipelineStep)
    {
        let r = &*f.resource;
        // `PIPELINE/STEP` (`PIPELINE/FOREACH/STEP` in a ForEach body): a pipeline's name has
        // no slash, so it is everything before the first.
        let (pipeline, step) = r.name.split_once('/').unwrap_or((r.name.as_str(), ""));
        // Definitions from files are told apart by file, deployed ones by the pipeline's ARN
        // (the step's ARN without the step's part of the name).
        let group = if r.account_id.is_empty() {
            r.source_file.as_str()
        } else {
            r.arn
                .strip_suffix(step)
                .and_then(|a| a.strip_suffix('/'))
                .unwrap_or(r.arn.as_str())
        };
        let key = (pipeline, group);
        let i = *index.entry(key).or_insert_with(|| {
            out.push(PipelineView {
                name: pipeline.to_owned(),
                place: if r.account_id.is_empty() {
                    r.source_file.clone()
                } else {
                    format!("{} {}", r.account_id, r.region)
                },
                steps: 0,
                fail: 0,
                pass: 0,
                not_applicable: 0,
            });
            out.len() - 1
        });
        let p = &mut out[i];
        let ptr = std::sync::Arc::as_ptr(&f.resource);
        if last_step != Some(ptr) {
            p.steps += 1;
            last_step = Some(ptr);
        }
        match f.status {
            Status::Fail => p.fail += 1,
            Status::Pass => p.pass += 1,
            Status::NotApplicable => p.not_applicable += 1,
        }
    }
    out
}

/// How a report names the resources it covers: "training job" when that is all it covers,
/// as reports always have, "pipeline step" for definitions only, the group's noun for one group
/// read from files only (SDK config sections, state machine tasks, Terraform resources),
/// "resource" when those are mixed with others, else "job".
fn job_noun(groups: &[Group]) -> &'static str {
    match groups {
        [Group::Kind(Kind::Training)] => "training job",
        [Group::PipelineSteps] => "pipeline step",
        [Group::SdkConfig] => "SDK config section",
        [Group::StateMachineTasks] => "state machine task",
        [Group::IacResources] => "infrastructure-code resource",
        _ if groups.iter().any(|g| !g.counts_as_jobs()) => "resource",
        _ => "job",
    }
}

/// The heading of a count of what the report covers: "Jobs", or "Resources" once it covers
/// more than jobs and their pipeline steps.
fn count_heading(noun: &str) -> &'static str {
    match noun {
        "training job" | "job" | "pipeline step" => "Jobs",
        _ => "Resources",
    }
}

/// The context every template gets.
pub(super) fn base_context(report: &Report) -> tera::Context {
    let counts = report.counts();
    let mut ctx = tera::Context::new();
    ctx.insert("tool_name", "sagemaker-audit");
    ctx.insert("tool_version", &report.tool_version);
    ctx.insert("generated_at", &report.generated_at);
    ctx.insert("run_id", &report.run_id);
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
    // Findings of pipeline steps and of SDK configuration sections per check, counted in one
    // pass.
    let mut steps: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut sdk_config: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut tasks: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for f in &report.findings {
        match f.resource.origin {
            Origin::PipelineStep => *steps.entry(f.rule.id).or_default() += 1,
            Origin::SdkConfig => *sdk_config.entry(f.rule.id).or_default() += 1,
            Origin::StateMachineTask => *tasks.entry(f.rule.id).or_default() += 1,
            Origin::Resource | Origin::IacResource => {}
        }
    }
    let rules: Vec<RuleView> = report
        .rules
        .iter()
        .map(|r| {
            let count =
                |m: &std::collections::HashMap<&str, usize>| m.get(r.id).copied().unwrap_or(0);
            rule_view(r, report, count(&steps), count(&sdk_config), count(&tasks))
        })
        .collect();
    ctx.insert("rules", &rules);
    let kinds: Vec<KindView> = report
        .kind_summaries()
        .into_iter()
        .map(|k| KindView {
            name: k.kind.name(),
            resource_type: k.kind.resource_type(),
            noun: k.kind.noun(),
            plural: k.kind.plural(),
            resources: k.resources,
            fail: k.counts.fail,
            pass: k.counts.pass,
            not_applicable: k.counts.not_applicable,
        })
        .collect();
    ctx.insert("several_kinds", &(kinds.len() > 1));
    ctx.insert("kinds", &kinds);
    let noun = job_noun(&report.groups);
    ctx.insert("job_noun", noun);
    ctx.insert("count_heading", count_heading(noun));
    // `capitalize` would lower the rest ("Sdk config section").
    let mut heading = noun.to_owned();
    heading[..1].make_ascii_uppercase();
    ctx.insert("noun_heading", &heading);
    ctx.insert("pipelines", &pipelines(report));
    // The account table, when the report spans several accounts or one could not be reached.
    let accounts = report.account_summaries();
    let accounts = if accounts.len() > 1 || accounts.iter().any(|a| !a.reached) {
        accounts
    } else {
        Vec::new()
    };
    let mut by_fail = accounts.clone();
    by_fail.sort_by(|a, b| {
        (b.unwaived_fail, !b.reached)
            .cmp(&(a.unwaived_fail, !a.reached))
            .then_with(|| a.account.cmp(&b.account))
    });
    // Whether accounts were reached is only a question for live scans and collect directories.
    let reach_known =
        !report.inputs.accounts_scanned.is_empty() || accounts.iter().any(|a| !a.reached);
    ctx.insert("account_reach", &reach_known);
    ctx.insert("account_table", &accounts);
    ctx.insert("accounts_by_fail", &by_fail);
    ctx.insert("compliance", &report.compliance);
    let errors: Vec<schema::Error<'_>> = report.errors.iter().map(schema::Error::from).collect();
    ctx.insert("errors", &errors);
    ctx.insert("framework", &report.framework);
    let waived: Vec<schema::Finding<'_>> = report.waived().map(schema::Finding::from).collect();
    ctx.insert("open_fail", &(counts.fail - waived.len()));
    ctx.insert("waived", &waived);
    ctx.insert("waivers", &report.waivers);
    ctx.insert("baseline", &report.baseline);
    ctx
}

/// Tera's HTML escaping, after hidden controls are made visible: a bidirectional override in a
/// job name must show as `\u{202e}`, not reorder the text around it.
pub(super) fn escape_html(text: &str) -> String {
    tera::escape_html(&crate::text::visible(text))
}

/// Escapes untrusted text for GitHub-flavoured Markdown (a table cell or a list item), so it
/// renders as the same characters and nothing else: no link, image, heading, emphasis, table
/// break or HTML. Hidden controls are first made visible (`\u{202e}`). GitHub also turns bare
/// URLs, `www.` names and e-mail addresses into links: a `\:` stops every scheme (`https:`,
/// `mailto:`, `xmpp:`), a `\.` after `www` stops www links, and a word joiner (U+2060,
/// invisible) after `@` stops e-mail links. Checked against `cmark-gfm`, GitHub's renderer, in
/// the end-to-end tests.
pub fn escape_markdown(text: &str) -> String {
    let text = crate::text::visible(text);
    let mut out = String::with_capacity(text.len() + 8);
    let mut prev: [char; 3] = [' '; 3];
    for ch in text.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' | '{' | '}' | '(' | ')'
            | ':' => {
                out.push('\\');
                out.push(ch);
            }
            '.' if prev.iter().all(|c| c.eq_ignore_ascii_case(&'w')) => out.push_str("\\."),
            '@' => out.push_str("@&#8288;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
        prev = [prev[1], prev[2], ch];
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
            "\\[x\\]\\(javascript\\:1\\)"
        );
        // A newline or a bidi control shows as its escape (whose `\`, `{`, `}` are escaped).
        assert_eq!(escape_markdown("line\nbreak"), "line\\\\u\\{a\\}break");
        assert_eq!(escape_markdown("gnp.\u{202e}exe"), "gnp.\\\\u\\{202e\\}exe");
    }

    #[test]
    fn markdown_escaping_stops_autolinks() {
        assert_eq!(
            escape_markdown("https://evil.example/x"),
            "https\\://evil.example/x"
        );
        assert_eq!(
            escape_markdown("see WWW.evil.example"),
            "see WWW\\.evil.example"
        );
        assert_eq!(escape_markdown("a@b.co"), "a@&#8288;b.co");
        // Dots elsewhere stay as they are.
        assert_eq!(escape_markdown("report.json"), "report.json");
    }
}
