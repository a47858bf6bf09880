//! The self-contained HTML report: a Tera template around a JSON island of findings that the
//! page's script filters and sorts. The island's `<`, `>` and `&` are escaped, so no input
//! string can end the script element.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use serde::Serialize;

use super::template::{base_context, render_one};
use super::{RenderError, RenderOptions, Writer};
use crate::report::{Report, ResourceRef, Status};
use crate::resource::Group;
use crate::schema;

/// Stands in for the findings data while the HTML template renders.
const ISLAND_PLACEHOLDER: &str = "SAGEMAKER_AUDIT_FINDINGS_DATA_7f3a9c";

/// Failing findings listed in the HTML's static (no-script, print) table.
const HTML_STATIC_ROWS: usize = 1000;

/// The HTML writer.
pub struct Html;

impl Writer for Html {
    fn name(&self) -> &'static str {
        "html"
    }

    fn about(&self) -> &'static str {
        "Self-contained, interactive HTML report"
    }

    fn write(
        &self,
        report: &Report,
        options: &RenderOptions,
        out: &mut dyn Write,
    ) -> Result<(), RenderError> {
        let mut ctx = base_context(report);
        let unwaived = || report.failures().filter(|f| f.applied_waiver().is_none());
        let failing: Vec<schema::Finding<'_>> = unwaived()
            .take(HTML_STATIC_ROWS)
            .map(schema::Finding::from)
            .collect();
        ctx.insert("static_failing", &failing);
        ctx.insert(
            "static_failing_omitted",
            &unwaived().count().saturating_sub(HTML_STATIC_ROWS),
        );
        // The data island can be tens of megabytes: render a placeholder, then write the page
        // around it and stream the island into its place, escaping as it goes.
        ctx.insert("findings_json", ISLAND_PLACEHOLDER);
        let page = render_one("report.html", options.templates.html(), ctx)?;
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
}

/// Findings for the HTML table, compact enough for 100,000 jobs: a string table, one row
/// per resource and one small row per finding, safe to place inside `<script>`.
///
/// `{"s": [strings], "k": [[resource type, ARN resource, noun]],
///   "j": [[name, arn|0, account, region, file, types, status, created, kind]],
///   "f": [[job, status, rule, key, manager, state, message, line, waived, baseline, part]]}` —
/// account to baseline and part (except line and waived) are indexes into `s`, kind into `k`,
/// rule into the report's rules; an ARN of the standard form is 0 and rebuilt in the page.
fn write_findings_island(report: &Report, out: &mut dyn Write) -> Result<(), RenderError> {
    /// Interns strings; index 0 is the empty string. Rows come sorted by account and region,
    /// so each column's value is most often the one before it: that is compared before
    /// hashing. Keys, states and messages are shared copies (see `scan::evaluate`), so a text
    /// seen before is most often found by its address, without hashing or comparing its bytes.
    struct Strings<'a> {
        index: HashMap<&'a str, u32>,
        by_address: HashMap<(usize, usize), u32>,
        list: Vec<&'a str>,
        last: [(&'a str, u32); 9],
    }
    impl<'a> Strings<'a> {
        fn id(&mut self, s: &'a str) -> u32 {
            let address = (s.as_ptr() as usize, s.len());
            if let Some(&i) = self.by_address.get(&address) {
                return i;
            }
            let i = match self.index.get(s) {
                Some(&i) => i,
                None => {
                    let i = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
                    self.list.push(s);
                    self.index.insert(s, i);
                    i
                }
            };
            self.by_address.insert(address, i);
            i
        }
        /// [`Strings::id`] of a value of one column.
        fn column(&mut self, column: usize, s: &'a str) -> u32 {
            let (last, i) = self.last[column];
            if (last.as_ptr() == s.as_ptr() && last.len() == s.len()) || last == s {
                return i;
            }
            let i = self.id(s);
            self.last[column] = (s, i);
            i
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
    // Indices are u32 (a report with more than four billion strings or rows never gets
    // here: memory runs out long before); 200,000 findings' rows take 8 MB instead of 17.
    type JobRow<'a> = (
        Shown<'a>,
        Arn<'a>,
        u32,
        u32,
        Shown<'a>,
        u32,
        u32,
        Shown<'a>,
        u32,
    );
    type FindingRow = (u32, u8, u32, u32, u32, u32, u32, u32, u8, u32, u32);
    #[derive(Serialize)]
    struct Island<'a> {
        s: Vec<Shown<'a>>,
        k: Vec<[&'static str; 3]>,
        j: Vec<JobRow<'a>>,
        f: Vec<FindingRow>,
    }

    // Resources are shown by group: their kind, or pipeline step.
    let kinds: Vec<Group> = Group::all();
    let rule_index: HashMap<&str, u32> = report
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id, u32::try_from(i).unwrap_or(u32::MAX)))
        .collect();
    // Joined instance-type lists must outlive the string table that borrows them: one per
    // distinct list (a handful), not one per resource.
    let mut joined: HashMap<&[String], String> = HashMap::new();
    for f in &report.findings {
        let types = f.resource.instance_types.as_slice();
        if !joined.contains_key(types) {
            joined.insert(types, types.join(", "));
        }
    }
    let mut strings = Strings {
        index: HashMap::new(),
        by_address: HashMap::new(),
        list: Vec::new(),
        last: [("", 0); 9],
    };
    strings.id("");
    let mut jobs: Vec<JobRow<'_>> = Vec::new();
    // Findings of one resource share its `Arc<ResourceRef>`, so the pointer identifies it.
    let mut job_index: HashMap<*const ResourceRef, u32> = HashMap::new();
    let mut rows: Vec<FindingRow> = Vec::with_capacity(report.findings.len());
    for f in &report.findings {
        let ptr = Arc::as_ptr(&f.resource);
        let j = match job_index.get(&ptr) {
            Some(&j) => j,
            None => {
                let r = &f.resource;
                let standard = r
                    .arn
                    .strip_prefix("arn:aws:sagemaker:")
                    .and_then(|x| x.strip_prefix(r.region.as_str()))
                    .and_then(|x| x.strip_prefix(':'))
                    .and_then(|x| x.strip_prefix(r.account_id.as_str()))
                    .and_then(|x| x.strip_prefix(':'))
                    .and_then(|x| x.strip_prefix(r.group().arn_resource()))
                    .and_then(|x| x.strip_prefix('/'))
                    == Some(r.name.as_str());
                jobs.push((
                    Shown(&r.name),
                    if standard {
                        Arn::Standard(0)
                    } else {
                        Arn::Other(Shown(&r.arn))
                    },
                    strings.column(0, &r.account_id),
                    strings.column(1, &r.region),
                    Shown(&r.source_file),
                    strings.column(
                        2,
                        joined
                            .get(r.instance_types.as_slice())
                            .map_or("", String::as_str),
                    ),
                    strings.column(3, r.status.as_deref().unwrap_or("")),
                    Shown(r.creation_time.as_deref().unwrap_or("")),
                    kinds
                        .iter()
                        .position(|k| *k == r.group())
                        .and_then(|k| u32::try_from(k).ok())
                        .unwrap_or(0),
                ));
                let j = u32::try_from(jobs.len() - 1).unwrap_or(u32::MAX);
                job_index.insert(ptr, j);
                j
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
            rule_index.get(f.rule.id).copied().unwrap_or(0),
            strings.column(4, f.kms_key.as_deref().unwrap_or("")),
            strings.column(5, f.key_manager.as_str()),
            strings.column(6, f.key_state.as_deref().unwrap_or("")),
            strings.id(&f.message),
            f.line,
            u8::from(f.applied_waiver().is_some()),
            strings.column(7, f.baseline.map_or("", |b| b.as_str())),
            strings.column(8, f.part.as_deref().unwrap_or("")),
        ));
    }
    let island = Island {
        s: strings.list.into_iter().map(Shown).collect(),
        k: kinds
            .iter()
            .map(|k| [k.resource_type(), k.arn_resource(), k.noun()])
            .collect(),
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

#[cfg(test)]
mod tests {
    use super::*;

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
