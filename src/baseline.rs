//! `--baseline FILE`: a previous JSON or SARIF report. Each failing finding becomes new or
//! unchanged; baseline failures that no longer fail are listed as fixed.
//!
//! Identity is the check id plus the job ARN, the same pair the SARIF fingerprints use, so
//! a baseline from another mode or a moved file still lines up.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::report::{BaselineState, BaselineSummary, FixedFinding, Report, Status};

/// Failures recorded in a baseline: `(rule id, job ARN)` → job name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    file: String,
    failing: BTreeMap<(String, String), String>,
}

/// A baseline that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("--baseline {file}: {message}")]
pub struct BaselineError {
    file: String,
    message: String,
}

/// Reads a sagemaker-audit JSON report or SARIF file.
pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
    let file = path.display().to_string();
    let fail = |message: String| BaselineError {
        file: file.clone(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let doc: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| fail(format!("not JSON ({e})")))?;
    let failing = if doc.get("schema_version").is_some() && doc.get("findings").is_some() {
        from_json_report(&doc)
    } else if doc.get("runs").is_some() {
        from_sarif(&doc)
    } else {
        return Err(fail(
            "neither a sagemaker-audit JSON report nor a SARIF file".into(),
        ));
    };
    Ok(Baseline { file, failing })
}

fn from_json_report(doc: &Value) -> BTreeMap<(String, String), String> {
    doc["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["status"] == "FAIL")
        .filter_map(|f| {
            Some((
                (
                    f["rule_id"].as_str()?.to_owned(),
                    f["job_arn"].as_str()?.to_owned(),
                ),
                f["job_name"].as_str().unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}

fn from_sarif(doc: &Value) -> BTreeMap<(String, String), String> {
    doc["runs"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|run| run["results"].as_array().into_iter().flatten())
        .filter(|r| {
            r["kind"].as_str().is_none_or(|k| k == "fail") && r["baselineState"] != "absent"
        })
        .filter_map(|r| {
            let logical = &r["locations"][0]["logicalLocations"][0];
            let arn = logical["fullyQualifiedName"].as_str()?;
            Some((
                (r["ruleId"].as_str()?.to_owned(), arn.to_owned()),
                logical["name"].as_str().unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}

/// Marks failing findings new or unchanged and lists what was fixed.
pub fn apply(report: &mut Report, baseline: &Baseline, fail_on_new: bool) {
    let mut summary = BaselineSummary {
        file: baseline.file.clone(),
        ..BaselineSummary::default()
    };
    let mut failing_now = BTreeSet::new();
    for f in report
        .findings
        .iter_mut()
        .filter(|f| f.status == Status::Fail)
    {
        let key = (f.rule_id.as_str().to_owned(), f.job.arn.clone());
        let state = if baseline.failing.contains_key(&key) {
            summary.unchanged += 1;
            BaselineState::Unchanged
        } else {
            summary.new += 1;
            BaselineState::New
        };
        f.baseline = Some(state);
        failing_now.insert(key);
    }
    let status_now: BTreeMap<(&str, &str), Status> = report
        .findings
        .iter()
        .map(|f| ((f.rule_id.as_str(), f.job.arn.as_str()), f.status))
        .collect();
    summary.fixed = baseline
        .failing
        .iter()
        .filter(|(key, _)| !failing_now.contains(*key))
        .map(|((rule, arn), name)| FixedFinding {
            rule_id: rule.clone(),
            job_arn: arn.clone(),
            job_name: name.clone(),
            now: status_now
                .get(&(rule.as_str(), arn.as_str()))
                .map_or("ABSENT", |s| s.as_str())
                .to_owned(),
        })
        .collect();
    report.baseline = Some(summary);
    report.fail_on_new = fail_on_new;
}
