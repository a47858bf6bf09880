//! HTML and Markdown reports through Tera templates, embedded and overridable.
//!
//! Tera auto-escapes templates whose name ends in `.html`; the Markdown template gets its
//! own `md` filter. Finding data for the HTML table travels as a JSON island whose `<`, `>`
//! and `&` are escaped, so no input string can end the script element.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use std::io::Write;

use serde::Serialize;
use serde_json::Value;
use tera::Tera;

use super::RenderError;
use super::view::{ErrorView, FindingView};
use crate::report::{Report, Status};
use crate::rules::{REGISTRY, RuleMeta};

const HTML: &str = include_str!("../../report-templates/report.html");
const MARKDOWN: &str = include_str!("../../report-templates/report.md");

/// Stands in for the findings data while the HTML template renders.
const ISLAND_PLACEHOLDER: &str = "SAGEMAKER_AUDIT_FINDINGS_DATA_7f3a9c";

/// GitHub's `$GITHUB_STEP_SUMMARY` limit.
pub const MARKDOWN_MAX_BYTES: usize = 1024 * 1024;
/// Accounts or regions named in the Markdown report's run line; the rest are counted.
const MARKDOWN_MAX_NAMES: usize = 50;
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

    /// Renders the HTML report into `out`.
    pub fn render_html(&self, report: &Report, out: &mut dyn Write) -> Result<(), RenderError> {
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
        // The data island can be tens of megabytes: render a placeholder, then write the page
        // around it and stream the island into its place, escaping as it goes.
        ctx.insert("findings_json", ISLAND_PLACEHOLDER);
        let page = render_one("report.html", self.html.as_deref().unwrap_or(HTML), ctx)?;
        let (before, after) = match memchr::memmem::find(&page, ISLAND_PLACEHOLDER.as_bytes()) {
            Some(at) => (&page[..at], Some(&page[at + ISLAND_PLACEHOLDER.len()..])),
            None => (&page[..], None),
        };
        out.write_all(before)?;
        if let Some(after) = after {
            write_findings_island(report, &mut ScriptSafe(&mut *out))?;
            out.write_all(after)?;
        }
        Ok(())
    }

    /// Renders the Markdown report. Every list that grows with the input (failing findings,
    /// inputs that could not be evaluated, waived and fixed findings, waivers) is trimmed by
    /// the same proportion, each with a count of what was left out, so the page stays under
    /// GitHub's 1 MiB step-summary limit whatever the input.
    pub fn render_markdown(&self, report: &Report) -> Result<Vec<u8>, RenderError> {
        const NAME: &str = "report.md";
        let template = self.markdown.as_deref().unwrap_or(MARKDOWN);
        let tera = engine(NAME, template).map_err(|e| template_error(NAME, &e))?;
        let mut base = base_context(report);
        let failing: Vec<FindingView<'_>> = report
            .failures()
            .filter(|f| f.waiver.is_none())
            .map(FindingView::from)
            .collect();
        let errors: Vec<ErrorView<'_>> = report.errors.iter().map(ErrorView::from).collect();
        let waived: Vec<FindingView<'_>> = report.waived().map(FindingView::from).collect();
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
            ctx.insert("failing", &failing[..keep[0]]);
            ctx.insert("errors", &errors[..keep[1]]);
            ctx.insert("waived", &waived[..keep[2]]);
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
}

fn engine(name: &str, text: &str) -> tera::Result<Tera> {
    let mut tera = Tera::default();
    tera.set_escape_fn(escape_html);
    tera.register_filter("md", markdown_filter);
    tera.add_raw_template(name, text)?;
    Ok(tera)
}

fn template_error(name: &str, e: &tera::Error) -> RenderError {
    RenderError::Template {
        name: name.to_owned(),
        message: error_chain(e),
    }
}

fn render_one(name: &str, text: &str, ctx: tera::Context) -> Result<Vec<u8>, RenderError> {
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
    /// Bar widths in percent for the summary chart.
    fail_pct: f64,
    pass_pct: f64,
    na_pct: f64,
}

#[derive(Serialize)]
struct ControlView {
    control: &'static str,
    title: &'static str,
    rationale: &'static str,
    source: &'static str,
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
                        rationale: c.rationale,
                        source: c.source,
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

/// Findings for the HTML table, compact enough for 100,000 jobs: a string table, one row
/// per job and one small row per finding, safe to place inside `<script>`.
///
/// `{"s": [strings], "j": [[name, arn|0, account, region, file, types, status, created]],
///   "f": [[job, status, rule, key, manager, state, message, line, waived, baseline]]}` —
/// account to baseline (except line and waived) are indexes into `s`; an ARN of the standard
/// form is 0 and rebuilt in the page.
fn write_findings_island(report: &Report, out: &mut dyn Write) -> Result<(), RenderError> {
    /// Interns strings; index 0 is the empty string.
    struct Strings<'a> {
        index: HashMap<&'a str, usize>,
        list: Vec<&'a str>,
    }
    impl<'a> Strings<'a> {
        fn id(&mut self, s: &'a str) -> usize {
            if let Some(&i) = self.index.get(s) {
                return i;
            }
            self.list.push(s);
            self.index.insert(s, self.list.len() - 1);
            self.list.len() - 1
        }
    }
    /// Input text as the page shows it: hidden controls made visible, so a bidirectional
    /// override cannot reorder what an auditor reads.
    struct Shown<'a>(&'a str);
    impl Serialize for Shown<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&crate::text::visible(self.0))
        }
    }
    /// An ARN of the standard form travels as 0 and is rebuilt in the page.
    #[derive(Serialize)]
    #[serde(untagged)]
    enum Arn<'a> {
        Standard(u8),
        Other(Shown<'a>),
    }
    type JobRow<'a> = (
        Shown<'a>,
        Arn<'a>,
        usize,
        usize,
        Shown<'a>,
        usize,
        usize,
        Shown<'a>,
    );
    type FindingRow = (usize, u8, usize, usize, usize, usize, usize, u32, u8, usize);
    #[derive(Serialize)]
    struct Island<'a> {
        s: Vec<Shown<'a>>,
        j: Vec<JobRow<'a>>,
        f: Vec<FindingRow>,
    }

    let rule_index: HashMap<&str, usize> = REGISTRY
        .iter()
        .enumerate()
        .map(|(i, r)| (r.meta().id.as_str(), i))
        .collect();
    // Joined instance-type lists must outlive the string table that borrows them.
    let mut joined: HashMap<*const crate::report::JobRef, String> = HashMap::new();
    for f in &report.findings {
        joined
            .entry(std::sync::Arc::as_ptr(&f.job))
            .or_insert_with(|| f.job.instance_types.join(", "));
    }
    let mut strings = Strings {
        index: HashMap::new(),
        list: Vec::new(),
    };
    strings.id("");
    let mut jobs: Vec<JobRow<'_>> = Vec::new();
    // Findings of one job share its `Arc<JobRef>`, so the pointer identifies the job.
    let mut job_index: HashMap<*const crate::report::JobRef, usize> = HashMap::new();
    let mut rows: Vec<FindingRow> = Vec::with_capacity(report.findings.len());
    for f in &report.findings {
        let ptr = std::sync::Arc::as_ptr(&f.job);
        let j = match job_index.get(&ptr) {
            Some(&j) => j,
            None => {
                let job = &f.job;
                let standard = job
                    .arn
                    .strip_prefix("arn:aws:sagemaker:")
                    .and_then(|r| r.strip_prefix(job.region.as_str()))
                    .and_then(|r| r.strip_prefix(':'))
                    .and_then(|r| r.strip_prefix(job.account_id.as_str()))
                    .and_then(|r| r.strip_prefix(":training-job/"))
                    == Some(job.name.as_str());
                jobs.push((
                    Shown(&job.name),
                    if standard {
                        Arn::Standard(0)
                    } else {
                        Arn::Other(Shown(&job.arn))
                    },
                    strings.id(&job.account_id),
                    strings.id(&job.region),
                    Shown(&job.source_file),
                    strings.id(joined.get(&ptr).map_or("", String::as_str)),
                    strings.id(job.status.as_deref().unwrap_or("")),
                    Shown(job.creation_time.as_deref().unwrap_or("")),
                ));
                job_index.insert(ptr, jobs.len() - 1);
                jobs.len() - 1
            }
        };
        let status = match f.status {
            Status::Fail => 0,
            Status::Pass => 1,
            Status::NotApplicable => 2,
        };
        rows.push((
            j,
            status,
            rule_index.get(f.rule_id.as_str()).copied().unwrap_or(0),
            strings.id(f.kms_key.as_deref().unwrap_or("")),
            strings.id(f.key_manager.as_str()),
            strings.id(f.key_state.as_deref().unwrap_or("")),
            strings.id(&f.message),
            f.line,
            u8::from(f.waiver.is_some()),
            strings.id(f.baseline.map_or("", |b| b.as_str())),
        ));
    }
    let island = Island {
        s: strings.list.into_iter().map(Shown).collect(),
        j: jobs,
        f: rows,
    };
    serde_json::to_writer(out, &island).map_err(|e| RenderError::Serialise("HTML", e.to_string()))
}

/// Escapes, on the way through, what could end or confuse a `<script>` element holding
/// JSON: `<`, `>`, `&` and the JavaScript line terminators U+2028/U+2029. serde_json writes
/// each string in one piece, so a multi-byte character never straddles two calls.
struct ScriptSafe<'a>(&'a mut dyn Write);

impl Write for ScriptSafe<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut start = 0;
        let mut i = 0;
        while i < buf.len() {
            let escape: Option<(&[u8], usize)> = match buf[i] {
                b'<' => Some((b"\\u003c", 1)),
                b'>' => Some((b"\\u003e", 1)),
                b'&' => Some((b"\\u0026", 1)),
                0xE2 if buf.get(i + 1) == Some(&0x80) && buf.get(i + 2) == Some(&0xA8) => {
                    Some((b"\\u2028", 3))
                }
                0xE2 if buf.get(i + 1) == Some(&0x80) && buf.get(i + 2) == Some(&0xA9) => {
                    Some((b"\\u2029", 3))
                }
                _ => None,
            };
            if let Some((text, width)) = escape {
                self.0.write_all(&buf[start..i])?;
                self.0.write_all(text)?;
                i += width;
                start = i;
            } else {
                i += 1;
            }
        }
        self.0.write_all(&buf[start..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Tera's HTML escaping, after hidden controls are made visible: a bidirectional override in a
/// job name must show as `\u{202e}`, not reorder the text around it.
fn escape_html(text: &str) -> String {
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

    #[test]
    fn script_island_cannot_close_the_script() {
        let mut s = Vec::new();
        ScriptSafe(&mut s)
            .write_all("[\"</script><script>alert(1)</script>\u{2028}&\"]".as_bytes())
            .unwrap();
        assert!(!s.contains(&b'<') && !s.contains(&b'>') && !s.contains(&b'&'));
        let back: Vec<String> = serde_json::from_slice(&s).unwrap();
        assert_eq!(back[0], "</script><script>alert(1)</script>\u{2028}&");
    }
}
