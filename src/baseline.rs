//! `--baseline FILE`: a previous JSON or SARIF report. Each failing finding becomes new or
//! unchanged; baseline failures that no longer fail are listed as fixed.
//!
//! Identity is the check id, the resource ARN and the key slot's part (for resources with
//! several slots of a check, such as a tuning job's definitions), the same triple the SARIF
//! fingerprints use, so a baseline from another mode or a moved file still lines up. JSON
//! reports are read through the report's own types ([`crate::schema`]), 1.x and 2.x alike.
//!
//! The file is read as a stream and only its failures are kept, so memory follows the number
//! of failures, not the size of the file; files over [`MAX_BASELINE_BYTES`] are refused.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use serde::Deserialize;
use serde::de::{SeqAccess, Visitor};

use crate::report::{BaselineState, BaselineSummary, FixedFinding, Report, Status};
use crate::resource::{Kind, Origin};
use crate::schema;

/// Baseline files larger than this are refused.
pub const MAX_BASELINE_BYTES: u64 = 512 * 1024 * 1024;

/// Where a baseline failure was reported, for the result that says it went away.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Place {
    name: String,
    /// The resource type as the baseline wrote it (`pipeline-step` in 2.x).
    resource_type: String,
    file: Option<String>,
    line: Option<u32>,
}

/// A failure's identity: check id, resource ARN and part.
type Key = (String, String, Option<String>);

/// Failures recorded in a baseline: identity → where it was.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    file: String,
    failing: BTreeMap<Key, Place>,
}

/// A baseline that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("--baseline {file}: {message}")]
pub struct BaselineError {
    file: String,
    message: String,
}

/// The fields of either report kind a baseline needs; everything else is skipped unread.
#[derive(Deserialize)]
struct Document {
    schema_version: Option<String>,
    findings: Option<Failures<schema::Finding<'static>>>,
    runs: Option<Vec<SarifRun>>,
}

/// A SARIF run, read with the types the SARIF writer builds (`serde_sarif`), keeping only
/// its failures.
#[derive(Deserialize)]
struct SarifRun {
    results: Option<Failures<SarifResult>>,
}

/// A SARIF result as the writer's types describe it.
type SarifResult = serde_sarif::sarif::Result;

/// An entry of a report that may record a failure.
trait Entry {
    /// The failure's identity and where it was, when the entry is a failure.
    fn failure(self) -> Option<(Key, Place)>;
}

impl Entry for schema::Finding<'static> {
    fn failure(self) -> Option<(Key, Place)> {
        (self.status == Status::Fail).then(|| {
            (
                (
                    self.rule_id.into_owned(),
                    self.job_arn.into_owned(),
                    self.part.map(|p| p.into_owned()),
                ),
                Place {
                    name: self.job_name.into_owned(),
                    resource_type: self.resource_type.into_owned(),
                    file: Some(self.source_file.into_owned()),
                    line: Some(self.line),
                },
            )
        })
    }
}

impl Entry for SarifResult {
    fn failure(self) -> Option<(Key, Place)> {
        use serde_sarif::sarif::ResultKind;
        if self.kind.is_some_and(|k| !matches!(k, ResultKind::Fail))
            || self.baseline_state.as_ref().and_then(|s| s.as_str()) == Some("absent")
        {
            return None;
        }
        let location = self.locations?.into_iter().next()?;
        let logical = location.logical_locations?.into_iter().next()?;
        let physical = location.physical_location;
        let mut properties = self.properties.map(|p| p.additional_properties);
        let mut property = |name: &str| -> Option<String> {
            match properties.as_mut()?.remove(name)? {
                serde_json::Value::String(s) => Some(s),
                _ => None,
            }
        };
        let part = property("part");
        let resource_type =
            property("resourceType").unwrap_or_else(|| Kind::Training.resource_type().to_owned());
        Some((
            (self.rule_id?, logical.fully_qualified_name?, part),
            Place {
                name: logical.name.unwrap_or_default(),
                resource_type,
                file: physical
                    .as_ref()
                    .and_then(|p| p.artifact_location.as_ref()?.uri.as_deref())
                    .map(percent_decode),
                line: physical
                    .and_then(|p| p.region?.start_line)
                    .and_then(|l| u32::try_from(l).ok()),
            },
        ))
    }
}

/// A list of report entries of which only the failures are kept, as they are read.
struct Failures<T>(Vec<(Key, Place)>, std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de> + Entry> Deserialize<'de> for Failures<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Entry> Visitor<'de> for V<T> {
            type Value = Failures<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of findings")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut kept = Vec::new();
                while let Some(entry) = seq.next_element::<T>()? {
                    kept.extend(entry.failure());
                }
                Ok(Failures(kept, std::marker::PhantomData))
            }
        }
        d.deserialize_seq(V(std::marker::PhantomData))
    }
}

/// Reads a sagemaker-audit JSON report or SARIF file.
pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
    let file = path.display().to_string();
    let fail = |message: String| BaselineError {
        file: crate::text::one_line(&file, 300),
        message,
    };
    let opened = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    let size = opened.metadata().map_err(|e| fail(e.to_string()))?.len();
    if size > MAX_BASELINE_BYTES {
        return Err(fail(format!(
            "the file is {} MiB, larger than the {} MiB limit for a baseline; use the JSON report of one scan",
            size >> 20,
            MAX_BASELINE_BYTES >> 20
        )));
    }
    let mut reader = std::io::BufReader::with_capacity(1 << 20, opened);
    skip_bom(&mut reader).map_err(|e| fail(e.to_string()))?;
    let doc: Document = serde_json::from_reader(reader).map_err(|e| {
        fail(format!(
            "not a JSON report or SARIF file ({})",
            crate::text::one_line(&e.to_string(), 200)
        ))
    })?;
    let failing = match doc {
        Document {
            schema_version: Some(version),
            findings: Some(f),
            ..
        } => {
            schema::check_version(&version).map_err(fail)?;
            f.0
        }
        Document {
            runs: Some(runs), ..
        } => runs
            .into_iter()
            .flat_map(|r| r.results.map(|f| f.0).unwrap_or_default())
            .collect(),
        _ => {
            return Err(fail(
                "neither a sagemaker-audit JSON report nor a SARIF file".into(),
            ));
        }
    };
    Ok(Baseline {
        file,
        failing: failing.into_iter().collect(),
    })
}

fn skip_bom(reader: &mut impl std::io::BufRead) -> std::io::Result<()> {
    if reader.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    Ok(())
}

/// `%XX` escapes of a SARIF URI back to the bytes of the path.
fn percent_decode(uri: &str) -> String {
    let bytes = uri.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
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
        let key = (
            f.rule.id.to_owned(),
            f.resource.arn.clone(),
            f.part.as_deref().map(str::to_owned),
        );
        // A step failing in a baseline from before steps took their kind's checks (2.x) is
        // recorded under the old rule id of the key's role.
        let former = (f.resource.origin == Origin::PipelineStep)
            .then(|| crate::kinds::pipeline_step::alias_of(f.rule.role))
            .flatten()
            .map(|alias| (alias.to_owned(), key.1.clone(), key.2.clone()))
            .filter(|k| baseline.failing.contains_key(k));
        let was_failing = baseline.failing.contains_key(&key) || former.is_some();
        if let Some(former) = former {
            failing_now.insert(former);
        }
        let state = if was_failing {
            summary.unchanged += 1;
            BaselineState::Unchanged
        } else {
            summary.new += 1;
            BaselineState::New
        };
        f.baseline = Some(state);
        failing_now.insert(key);
    }
    let status_now: BTreeMap<(&str, &str, Option<&str>), Status> = report
        .findings
        .iter()
        .map(|f| (f.identity(), f.status))
        .collect();
    summary.fixed = baseline
        .failing
        .iter()
        .filter(|(key, _)| !failing_now.contains(*key))
        .map(|((rule, arn, part), place)| FixedFinding {
            rule_id: rule.clone(),
            job_arn: arn.clone(),
            resource_type: place.resource_type.clone(),
            part: part.clone(),
            job_name: place.name.clone(),
            now: status_now
                .get(&(rule.as_str(), arn.as_str(), part.as_deref()))
                .map_or("ABSENT", |s| s.as_str())
                .to_owned(),
            source_file: place.file.clone(),
            line: place.line,
        })
        .collect();
    report.baseline = Some(summary);
    report.fail_on_new = fail_on_new;
    report.recount();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sarif_uris_decode_to_paths() {
        assert_eq!(percent_decode("a%20b/%C3%BC.json"), "a b/ü.json");
        assert_eq!(percent_decode("100%"), "100%");
    }

    fn finding(status: &str, rule: &str, kind: &str, arn: &str, part: &str) -> String {
        format!(
            r#"{{"status":"{status}","severity":"high","rule_id":"{rule}","job_name":"j","job_arn":"{arn}",
               "resource_type":"{kind}","part":{part},"account_id":"111122223333","region":"us-east-1",
               "job_status":null,"creation_time":null,"last_modified_time":null,"instance_types":[],
               "kms_key":null,"key_manager":"","key_state":null,"message":"m","source_file":"x.json",
               "line":3,"extra":[1,2]}}"#
        )
    }

    fn key(rule: &str, arn: &str, part: Option<&str>) -> Key {
        (rule.to_owned(), arn.to_owned(), part.map(str::to_owned))
    }

    #[test]
    fn only_failures_are_kept_from_either_kind_of_report() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("b.json");
        let findings = [
            finding("FAIL", "training-volume-cmk", "training-job", "a1", "null"),
            finding("PASS", "training-volume-cmk", "training-job", "a2", "null"),
            finding(
                "FAIL",
                "tuning-volume-cmk",
                "hyperparameter-tuning-job",
                "t",
                "\"definition x\"",
            ),
        ];
        std::fs::write(
            &json,
            format!(
                r#"{{"schema_version":"2.0","findings":[{}]}}"#,
                findings.join(",")
            ),
        )
        .unwrap();
        let b = load(&json).unwrap();
        assert_eq!(b.failing.len(), 2);
        let place = &b.failing[&key("training-volume-cmk", "a1", None)];
        assert_eq!(
            (place.file.as_deref(), place.resource_type.as_str()),
            (Some("x.json"), "training-job")
        );
        let tuning = &b.failing[&key("tuning-volume-cmk", "t", Some("definition x"))];
        assert_eq!(tuning.resource_type, "hyperparameter-tuning-job");
        let sarif = dir.path().join("b.sarif");
        std::fs::write(
            &sarif,
            r#"{"runs":[{"results":[
              {"ruleId":"r","kind":"fail","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a%20b.json"},"region":{"startLine":7}},"logicalLocations":[{"name":"j","fullyQualifiedName":"a1"}]}]},
              {"ruleId":"r","kind":"fail","message":{"text":"m"},"properties":{"part":"definition y","resourceType":"hyperparameter-tuning-job"},"locations":[{"logicalLocations":[{"fullyQualifiedName":"t"}]}]},
              {"ruleId":"r","kind":"pass","message":{"text":"m"},"locations":[{"logicalLocations":[{"fullyQualifiedName":"a2"}]}]},
              {"ruleId":"r","baselineState":"absent","message":{"text":"m"},"locations":[{"logicalLocations":[{"fullyQualifiedName":"a3"}]}]}]}]}"#,
        )
        .unwrap();
        let b = load(&sarif).unwrap();
        assert_eq!(b.failing.len(), 2);
        let place = &b.failing[&key("r", "a1", None)];
        assert_eq!(
            (place.file.as_deref(), place.line),
            (Some("a b.json"), Some(7))
        );
        assert_eq!(
            b.failing[&key("r", "t", Some("definition y"))].resource_type,
            "hyperparameter-tuning-job"
        );
        // Read with the writer's SARIF types: what SARIF does not allow is refused, not skipped.
        std::fs::write(
            &sarif,
            r#"{"runs":[{"results":[{"ruleId":"r","kind":"bogus","message":{"text":"m"}}]}]}"#,
        )
        .unwrap();
        assert!(load(&sarif).is_err());
    }

    #[test]
    fn reports_of_unknown_major_versions_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("b.json");
        std::fs::write(&json, r#"{"schema_version":"4.0","findings":[]}"#).unwrap();
        assert!(
            load(&json)
                .unwrap_err()
                .to_string()
                .contains("not supported")
        );
    }
}
