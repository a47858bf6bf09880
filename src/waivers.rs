//! `--waivers FILE`: accepted risks, each with a reason, an owner and an expiry date.
//!
//! A waived FAIL keeps its status, is marked waived in every format and does not count for
//! the exit code. Expired waivers stop applying and are listed, as are waivers that matched
//! nothing. The file is validated before anything runs: a bad one is a usage error naming
//! the line and what is wrong.

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::report::{Finding, Report, Status, WaiverListing, WaiverNote, WaiverSummary};
use crate::rules::RuleId;

/// A validated waiver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    line: u32,
    rule: Option<RuleId>,
    account: Option<String>,
    region: Option<String>,
    job: Option<String>,
    arn: Option<String>,
    reason: String,
    owner: String,
    expires: NaiveDate,
}

/// A waiver file that cannot be used; the message names the line.
#[derive(Debug, thiserror::Error)]
#[error("--waivers {file}: {message}")]
pub struct WaiverError {
    file: String,
    message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiverFile {
    #[serde(default)]
    waiver: Vec<toml::Spanned<RawWaiver>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    rule: Option<String>,
    account: Option<String>,
    region: Option<String>,
    job: Option<String>,
    arn: Option<String>,
    reason: Option<String>,
    owner: Option<String>,
    expires: Option<toml::Value>,
}

/// Reads and validates a waiver file.
pub fn load(path: &Path) -> Result<Vec<Waiver>, WaiverError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| WaiverError {
        file: file.clone(),
        message: e.to_string(),
    })?;
    parse(&text).map_err(|message| WaiverError { file, message })
}

fn line_of(text: &str, offset: usize) -> u32 {
    text[..offset.min(text.len())].matches('\n').count() as u32 + 1
}

/// Parses waiver TOML; errors name the line.
pub fn parse(text: &str) -> Result<Vec<Waiver>, String> {
    let file: WaiverFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(0, |s| line_of(text, s.start));
        format!("line {line}: {}", e.message())
    })?;
    file.waiver
        .into_iter()
        .map(|spanned| {
            let line = line_of(text, spanned.span().start);
            validate(spanned.into_inner(), line).map_err(|m| format!("line {line}: {m}"))
        })
        .collect()
}

fn validate(raw: RawWaiver, line: u32) -> Result<Waiver, String> {
    let required = |v: Option<String>, name: &str| {
        v.filter(|s| !s.trim().is_empty())
            .ok_or_else(|| format!("waiver needs a non-empty `{name}`"))
    };
    let reason = required(raw.reason, "reason")?;
    let owner = required(raw.owner, "owner")?;
    let expires = match raw.expires {
        None => return Err("waiver needs `expires` (a date such as 2026-12-31)".into()),
        Some(toml::Value::Datetime(dt)) => match (dt.date, dt.time) {
            (Some(d), None) => {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
            }
            _ => None,
        },
        Some(toml::Value::String(s)) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok(),
        Some(_) => None,
    }
    .ok_or("`expires` must be a date such as 2026-12-31")?;
    let rule = match raw.rule {
        None => None,
        Some(r) => Some(
            serde_json::from_value::<RuleId>(serde_json::Value::String(r.clone())).map_err(
                |_| {
                    format!(
                        "unknown rule {r:?}; expected training-volume-cmk or training-output-cmk"
                    )
                },
            )?,
        ),
    };
    if rule.is_none()
        && raw.account.is_none()
        && raw.region.is_none()
        && raw.job.is_none()
        && raw.arn.is_none()
    {
        return Err(
            "waiver matches everything; give at least one of rule, account, region, job, arn"
                .into(),
        );
    }
    Ok(Waiver {
        line,
        rule,
        account: raw.account,
        region: raw.region,
        job: raw.job,
        arn: raw.arn,
        reason,
        owner,
        expires,
    })
}

impl Waiver {
    fn matches(&self, f: &Finding) -> bool {
        self.rule.is_none_or(|r| r == f.rule_id)
            && self.account.as_ref().is_none_or(|a| *a == f.job.account_id)
            && self.region.as_ref().is_none_or(|r| *r == f.job.region)
            && self.job.as_ref().is_none_or(|g| glob(g, &f.job.name))
            && self.arn.as_ref().is_none_or(|g| glob(g, &f.job.arn))
    }

    fn listing(&self) -> WaiverListing {
        let mut parts = Vec::new();
        if let Some(r) = self.rule {
            parts.push(format!("rule={r}"));
        }
        for (name, value) in [
            ("account", &self.account),
            ("region", &self.region),
            ("job", &self.job),
            ("arn", &self.arn),
        ] {
            if let Some(v) = value {
                parts.push(format!("{name}={v}"));
            }
        }
        WaiverListing {
            line: self.line,
            matches: parts.join(" "),
            reason: self.reason.clone(),
            owner: self.owner.clone(),
            expires: self.expires.to_string(),
        }
    }
}

/// Applies waivers to the report's failing findings. A waiver applies up to and including
/// its `expires` day (UTC) and stops the day after.
pub fn apply(report: &mut Report, file: &str, waivers: &[Waiver], today: NaiveDate) {
    let mut summary = WaiverSummary {
        file: file.to_owned(),
        ..WaiverSummary::default()
    };
    let (active, expired): (Vec<&Waiver>, Vec<&Waiver>) =
        waivers.iter().partition(|w| today <= w.expires);
    summary.expired = expired.iter().map(|w| w.listing()).collect();
    let mut used = vec![false; active.len()];
    for f in report
        .findings
        .iter_mut()
        .filter(|f| f.status == Status::Fail)
    {
        if let Some(i) = active.iter().position(|w| w.matches(f)) {
            used[i] = true;
            let w = active[i];
            f.waiver = Some(Box::new(WaiverNote {
                reason: w.reason.clone(),
                owner: w.owner.clone(),
                expires: w.expires.to_string(),
            }));
            summary.applied += 1;
        }
    }
    summary.unused = active
        .iter()
        .zip(used)
        .filter(|(_, u)| !u)
        .map(|(w, _)| w.listing())
        .collect();
    report.waivers = Some(summary);
}

/// `*` matches any run of characters, `?` one; everything else literally.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("legacy-*", "legacy-2024"));
        assert!(glob("*-v?", "model-v7"));
        assert!(!glob("*-v?", "model-v10"));
        assert!(glob("exact", "exact"));
        assert!(!glob("exact", "exactly"));
        assert!(glob("*", ""));
    }

    #[test]
    fn errors_name_the_line() {
        let missing_owner = "# waivers\n\n[[waiver]]\nrule = \"training-volume-cmk\"\nreason = \"r\"\nexpires = 2030-01-01\n";
        assert_eq!(
            parse(missing_owner).unwrap_err(),
            "line 3: waiver needs a non-empty `owner`"
        );
        let bad_rule =
            "[[waiver]]\nrule = \"nope\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2030-01-01\n";
        assert!(
            parse(bad_rule)
                .unwrap_err()
                .starts_with("line 1: unknown rule")
        );
        let bad_date =
            "[[waiver]]\njob = \"x\"\nreason = \"r\"\nowner = \"o\"\nexpires = \"soon\"\n";
        assert!(parse(bad_date).unwrap_err().contains("must be a date"));
        let everything = "[[waiver]]\nreason = \"r\"\nowner = \"o\"\nexpires = 2030-01-01\n";
        assert!(
            parse(everything)
                .unwrap_err()
                .contains("matches everything")
        );
        let typo = "[[waiver]]\njobb = \"x\"\n";
        assert!(
            parse(typo)
                .unwrap_err()
                .starts_with("line 2: unknown field `jobb`"),
            "{}",
            parse(typo).unwrap_err()
        );
        let syntax = "[[waiver]\n";
        assert!(parse(syntax).unwrap_err().starts_with("line 1:"));
    }

    #[test]
    fn quoted_and_bare_dates_both_work() {
        let w = parse("[[waiver]]\njob = \"a\"\nreason = \"r\"\nowner = \"o\"\nexpires = \"2030-01-02\"\n[[waiver]]\njob = \"b\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2030-01-02\n").unwrap();
        assert_eq!(w[0].expires, w[1].expires);
        assert_eq!((w[0].line, w[1].line), (1, 6));
    }
}
