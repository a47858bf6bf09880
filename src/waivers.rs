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
use crate::resource::{Group, Origin, Role};
use crate::rules::RuleMeta;

/// Waiver files larger than this are refused.
pub const MAX_WAIVER_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A validated waiver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    line: u32,
    rule: Option<RuleMatch>,
    kind: Option<Group>,
    account: Option<String>,
    region: Option<String>,
    job: Option<Glob>,
    arn: Option<Glob>,
    reason: String,
    owner: String,
    expires: NaiveDate,
}

/// What a waiver's `rule` names: a check, or (a rule id of schema 2.x) every check of one key
/// role on pipeline steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RuleMatch {
    Check(&'static RuleMeta),
    FormerStepRule(&'static str, Role),
}

impl RuleMatch {
    fn id(self) -> &'static str {
        match self {
            RuleMatch::Check(r) => r.id,
            RuleMatch::FormerStepRule(id, _) => id,
        }
    }

    fn matches(self, f: &Finding) -> bool {
        match self {
            RuleMatch::Check(r) => std::ptr::eq(r, f.rule),
            RuleMatch::FormerStepRule(_, role) => {
                f.resource.origin == Origin::PipelineStep && f.rule.role == role
            }
        }
    }
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
    kind: Option<String>,
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
    let fail = |message: String| WaiverError {
        file: file.clone(),
        message,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| fail(e.to_string()))?
        .len();
    if size > MAX_WAIVER_FILE_BYTES {
        return Err(fail(format!(
            "the file is {} MiB, larger than the {} MiB limit for a waiver file",
            size >> 20,
            MAX_WAIVER_FILE_BYTES >> 20
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
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

/// A check by its id, or a pipeline-step rule id of schema 2.x.
fn rule_match(id: &str) -> Option<RuleMatch> {
    if let Some(r) = crate::kinds::checks::find(id) {
        return Some(RuleMatch::Check(r));
    }
    let role = crate::kinds::pipeline_step::alias_role(id)?;
    let alias = crate::kinds::pipeline_step::alias_of(role)?;
    Some(RuleMatch::FormerStepRule(alias, role))
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
        Some(r) => Some(rule_match(&r).ok_or_else(|| {
            format!(
                "unknown rule {:?}; expected one of {}",
                crate::text::one_line(&r, 80),
                crate::kinds::checks::ids().join(", ")
            )
        })?),
    };
    let kind = match raw.kind {
        None => None,
        Some(k) => Some(Group::parse(&k).ok_or_else(|| {
            format!(
                "unknown kind {:?}; expected one of {}",
                crate::text::one_line(&k, 80),
                Group::all()
                    .iter()
                    .map(|g| g.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?),
    };
    if let (Some(r), Some(k)) = (rule, kind) {
        let never = match (r, k) {
            (RuleMatch::Check(r), Group::Kind(k)) => r.kind != k,
            (RuleMatch::Check(r), Group::PipelineSteps) => r.kind.decl().pipeline_steps.is_empty(),
            (RuleMatch::FormerStepRule(..), Group::Kind(_)) => true,
            (RuleMatch::FormerStepRule(..), Group::PipelineSteps) => false,
            (RuleMatch::Check(r), Group::SdkConfig) => {
                !crate::sdk_config::kinds().any(|k| k == r.kind)
            }
            (RuleMatch::Check(r), Group::StateMachineTasks) => r.kind.decl().creates.is_empty(),
            (RuleMatch::Check(r), Group::IacResources) => !r.kind.decl().in_infrastructure_code(),
            (
                RuleMatch::FormerStepRule(..),
                Group::SdkConfig | Group::StateMachineTasks | Group::IacResources,
            ) => true,
        };
        if never {
            return Err(format!(
                "rule {} never judges {}, so the waiver would never match",
                r.id(),
                k.plural()
            ));
        }
    }
    if rule.is_none()
        && kind.is_none()
        && raw.account.is_none()
        && raw.region.is_none()
        && raw.job.is_none()
        && raw.arn.is_none()
    {
        return Err(
            "waiver matches everything; give at least one of rule, kind, account, region, job, arn"
                .into(),
        );
    }
    Ok(Waiver {
        line,
        rule,
        kind,
        account: raw.account,
        region: raw.region,
        job: raw.job.as_deref().map(Glob::new),
        arn: raw.arn.as_deref().map(Glob::new),
        reason,
        owner,
        expires,
    })
}

/// A finding's fields as waivers compare them; the text is split into characters once per
/// finding, not once per waiver.
struct Subject<'a> {
    finding: &'a Finding,
    name: Vec<char>,
    arn: Vec<char>,
}

impl Waiver {
    fn matches(&self, s: &Subject<'_>) -> bool {
        let f = s.finding;
        self.rule.is_none_or(|r| r.matches(f))
            && self.kind.is_none_or(|k| k == f.resource.group())
            && self
                .account
                .as_ref()
                .is_none_or(|a| *a == f.resource.account_id)
            && self.region.as_ref().is_none_or(|r| *r == f.resource.region)
            && self.job.as_ref().is_none_or(|g| g.matches(&s.name))
            && self.arn.as_ref().is_none_or(|g| g.matches(&s.arn))
    }

    /// True when the waiver matches every failing finding: no rule, account or region, and
    /// its globs are all `*`.
    fn matches_everything(&self) -> bool {
        self.rule.is_none()
            && self.kind.is_none()
            && self.account.is_none()
            && self.region.is_none()
            && [&self.job, &self.arn]
                .iter()
                .all(|g| g.as_ref().is_none_or(Glob::matches_everything))
    }

    fn listing(&self) -> WaiverListing {
        let mut parts = Vec::new();
        if let Some(r) = self.rule {
            parts.push(format!("rule={}", r.id()));
        }
        if let Some(k) = self.kind {
            parts.push(format!("kind={}", k.name()));
        }
        for (name, value) in [
            ("account", &self.account),
            ("region", &self.region),
            ("job", &self.job.as_ref().map(|g| g.text.clone())),
            ("arn", &self.arn.as_ref().map(|g| g.text.clone())),
        ] {
            if let Some(v) = value {
                parts.push(format!("{name}={}", crate::text::one_line(v, 200)));
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

/// Waivers whose expiry is further away than this are accepted with a warning.
const LONG_LIVED_DAYS: i64 = 366;

/// Applies waivers to the report's failing findings. A waiver applies up to and including
/// its `expires` day (UTC) and stops the day after. Waivers that match every failure, or
/// that expire more than a year from `today`, are applied and warned about.
pub fn apply(report: &mut Report, file: &str, waivers: &[Waiver], today: NaiveDate) {
    let mut summary = WaiverSummary {
        file: file.to_owned(),
        ..WaiverSummary::default()
    };
    let (active, expired): (Vec<&Waiver>, Vec<&Waiver>) =
        waivers.iter().partition(|w| today <= w.expires);
    summary.expired = expired.iter().map(|w| w.listing()).collect();
    for w in &active {
        if w.matches_everything() {
            summary.warnings.push(format!(
                "the waiver at line {} matches every failing finding (no rule, account or region, and only `*` globs)",
                w.line
            ));
        }
        if (w.expires - today).num_days() > LONG_LIVED_DAYS {
            summary.warnings.push(format!(
                "the waiver at line {} expires on {}, more than a year away; accepted risks should be reviewed at least once a year",
                w.line, w.expires
            ));
        }
    }
    let mut used = vec![false; active.len()];
    // The kinds each waiver without `rule` or `kind` ends up waiving: `job = "nightly-*"`
    // written for training jobs must not quietly waive pipeline steps and tuning jobs too.
    let mut kinds = vec![std::collections::BTreeSet::new(); active.len()];
    for f in report
        .findings
        .iter_mut()
        .filter(|f| f.status == Status::Fail)
    {
        let subject = Subject {
            name: f.resource.name.chars().collect(),
            arn: f.resource.arn.chars().collect(),
            finding: f,
        };
        let Some(i) = active.iter().position(|w| w.matches(&subject)) else {
            continue;
        };
        used[i] = true;
        kinds[i].insert(f.resource.group());
        let w = active[i];
        f.waiver = Some(Box::new(WaiverNote {
            reason: w.reason.clone(),
            owner: w.owner.clone(),
            expires: w.expires.to_string(),
        }));
        summary.applied += 1;
    }
    for (w, kinds) in active.iter().zip(&kinds) {
        if w.rule.is_none() && w.kind.is_none() && kinds.len() > 1 {
            summary.warnings.push(format!(
                "the waiver at line {} names no kind or rule and waives failures of {} kinds ({}); \
                 add kind = \"…\" if it is meant for one",
                w.line,
                kinds.len(),
                kinds
                    .iter()
                    .map(|k| k.plural())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    summary.unused = active
        .iter()
        .zip(used)
        .filter(|(_, u)| !u)
        .map(|(w, _)| w.listing())
        .collect();
    report.waivers = Some(summary);
    report.recount();
}

/// A glob compiled once: `*` matches any run of characters, `?` exactly one, everything else
/// itself. Matching takes time linear in the pattern and, per `*`-separated part, in the text,
/// so a long or adversarial pattern cannot make a scan slow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    text: String,
    /// The parts between `*`s; `?` is `None`.
    parts: Vec<Vec<Option<char>>>,
}

impl Glob {
    /// Compiles a pattern.
    pub fn new(pattern: &str) -> Self {
        Glob {
            text: pattern.to_owned(),
            parts: pattern
                .split('*')
                .map(|p| p.chars().map(|c| (c != '?').then_some(c)).collect())
                .collect(),
        }
    }

    fn matches_everything(&self) -> bool {
        self.parts.iter().all(Vec::is_empty) && self.parts.len() > 1
    }

    /// True when the whole of `text` matches.
    pub fn matches(&self, text: &[char]) -> bool {
        let fits = |part: &[Option<char>], at: &[char]| {
            part.iter().zip(at).all(|(p, c)| p.is_none_or(|p| p == *c))
        };
        let (first, rest) = self.parts.split_first().expect("split yields one part");
        let Some((last, middle)) = rest.split_last() else {
            // No `*`: the text is the pattern.
            return text.len() == first.len() && fits(first, text);
        };
        if text.len() < first.len() + last.len()
            || !fits(first, text)
            || !fits(last, &text[text.len() - last.len()..])
        {
            return false;
        }
        // Between the anchored ends, each middle part at its leftmost place is enough.
        let mut window = &text[first.len()..text.len() - last.len()];
        for part in middle {
            match (0..=window.len().saturating_sub(part.len()))
                .find(|&i| window.len() >= part.len() && fits(part, &window[i..]))
            {
                Some(i) => window = &window[i + part.len()..],
                None => return false,
            }
        }
        true
    }
}

/// `pattern` against `text` (compiles the pattern each time; for one-off use).
pub fn glob(pattern: &str, text: &str) -> bool {
    Glob::new(pattern).matches(&text.chars().collect::<Vec<_>>())
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
        assert!(glob("a*b*c", "abc"));
        assert!(glob("a*b*c", "aXbYbZc"));
        assert!(!glob("a*b*c", "aXcYb"));
        assert!(glob("*ab*ab*", "xabyab"));
        assert!(!glob("ab*ba", "aba"), "the ends must not overlap");
        assert!(glob("?*?", "ab"));
        assert!(!glob("?*?", "a"));
        assert!(glob("caf?-*", "café-1"));
        assert!(glob("**", "anything"));
    }

    #[test]
    fn a_long_adversarial_pattern_is_matched_without_backtracking() {
        // Backtracking matchers take pattern × text steps per call here (10^8); this one stops
        // when the text runs out. `scripts/bench-waivers` measures a whole waiver file.
        let pattern = format!("{}b", "*a".repeat(500_000));
        let g = Glob::new(&pattern);
        let text: Vec<char> = "a".repeat(200).chars().collect();
        for _ in 0..100 {
            assert!(!g.matches(&text));
        }
        assert!(Glob::new(&format!("{}*", "*a".repeat(200))).matches(&text));
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
    fn rules_and_kinds_are_validated_against_the_registry() {
        let waiver = |extra: &str| {
            parse(&format!(
                "[[waiver]]\n{extra}\nreason = \"r\"\nowner = \"o\"\nexpires = 2030-01-01\n"
            ))
        };
        for id in crate::kinds::checks::ids() {
            let w = waiver(&format!("rule = \"{id}\"")).unwrap();
            assert_eq!(w[0].rule.map(RuleMatch::id), Some(id));
        }
        let unknown = waiver("rule = \"training-vol\"").unwrap_err();
        assert!(unknown.contains("processing-output-cmk"), "{unknown}");
        let w = waiver("kind = \"transform\"").unwrap();
        assert_eq!(
            w[0].kind,
            Some(Group::Kind(crate::resource::Kind::Transform))
        );
        assert!(
            waiver("kind = \"inference-experiment\"")
                .unwrap_err()
                .contains("unknown kind")
        );
        let never = waiver("rule = \"training-volume-cmk\"\nkind = \"tuning\"").unwrap_err();
        assert!(never.contains("never match"), "{never}");
    }

    #[test]
    fn quoted_and_bare_dates_both_work() {
        let w = parse("[[waiver]]\njob = \"a\"\nreason = \"r\"\nowner = \"o\"\nexpires = \"2030-01-02\"\n[[waiver]]\njob = \"b\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2030-01-02\n").unwrap();
        assert_eq!(w[0].expires, w[1].expires);
        assert_eq!((w[0].line, w[1].line), (1, 6));
    }
}
