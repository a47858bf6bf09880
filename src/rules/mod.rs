//! The encryption checks. One file per check; [`REGISTRY`] lists them all.
//!
//! Rules decide verdicts and never format reports; writers never decide verdicts.

mod docs;
pub mod instance_storage;
mod key;
mod output;
mod volume;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::kms::{KeyFacts, KeyManager};
use crate::model::TrainingJob;
use crate::report::Severity;

pub use docs::{Compliance, Reference, Remediation};
pub use instance_storage::InstanceStorageTable;

/// The checks this tool runs, as stable kebab-case ids.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum RuleId {
    /// `ResourceConfig.VolumeKmsKeyId` names a customer-managed key.
    TrainingVolumeCmk,
    /// `OutputDataConfig.KmsKeyId` names a customer-managed key.
    TrainingOutputCmk,
}

impl RuleId {
    /// The id as it appears in every report.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::TrainingVolumeCmk => "training-volume-cmk",
            RuleId::TrainingOutputCmk => "training-output-cmk",
        }
    }

    /// The check's documentation.
    pub fn meta(self) -> &'static RuleMeta {
        match self {
            RuleId::TrainingVolumeCmk => &volume::META,
            RuleId::TrainingOutputCmk => &output::META,
        }
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a check is, why it matters and how to fix it.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable id.
    pub id: RuleId,
    /// PascalCase name (SARIF `name`).
    pub name: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// What the check looks at.
    pub description: &'static str,
    /// What can go wrong when it fails.
    pub risk: &'static str,
    /// How to fix a failing job.
    pub remediation: Remediation,
    /// Where to read more.
    pub references: &'static [Reference],
    /// Framework controls the check supports.
    pub compliance: &'static [Compliance],
    /// Severity of a failure.
    pub severity: Severity,
    /// GitHub code scanning score (7.0–8.9 shows as high).
    pub security_severity: &'static str,
}

/// What rules may consult besides the job itself.
#[derive(Debug)]
pub struct Context<'a> {
    /// KMS facts loaded for this scan.
    pub keys: &'a KeyFacts,
    /// Local-NVMe family table.
    pub storage: &'a InstanceStorageTable,
}

/// A check's conclusion about one job, before it becomes a [`crate::report::Finding`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// PASS, FAIL or NOT_APPLICABLE.
    pub status: crate::report::Status,
    /// The key reference as written, if any.
    pub kms_key: Option<String>,
    /// Who manages the key.
    pub key_manager: KeyManager,
    /// `KeyState`, when known.
    pub key_state: Option<String>,
    /// One-sentence explanation.
    pub message: String,
    /// Line of the deciding key, or of its parent object.
    pub line: u32,
}

/// A check over a training job.
pub trait Rule: Sync {
    /// The check's id and documentation.
    fn meta(&self) -> &'static RuleMeta;
    /// Decides the verdict for one job.
    fn evaluate(&self, job: &TrainingJob, ctx: &Context<'_>) -> Verdict;
}

/// Every compliance framework the checks map to, sorted.
pub fn frameworks() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = REGISTRY
        .iter()
        .flat_map(|r| r.meta().compliance.iter().map(|c| c.framework))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// Finds the framework `--framework NAME` means: case and punctuation are ignored and any
/// unambiguous part of the name works (`nist`, `iso27001`, `pci`, `c5`).
pub fn find_framework(query: &str) -> Result<&'static str, String> {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let q = norm(query);
    let all = frameworks();
    let hits: Vec<&'static str> = all
        .iter()
        .copied()
        .filter(|f| {
            !q.is_empty() && (norm(f).contains(&q) || norm(f).replace("iec", "").contains(&q))
        })
        .collect();
    match hits.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "--framework {query:?} matches none of: {}",
            all.join(", ")
        )),
        many => Err(format!(
            "--framework {query:?} is ambiguous: {}",
            many.join(", ")
        )),
    }
}

/// Every check, in report order.
pub static REGISTRY: &[&dyn Rule] = &[&volume::TrainingVolumeCmk, &output::TrainingOutputCmk];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_ids_are_unique_and_match_their_metadata() {
        let ids: Vec<_> = REGISTRY.iter().map(|r| r.meta().id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        // In id order too: a job's findings then come out of the rules already sorted.
        assert_eq!(sorted, ids);
        for rule in REGISTRY {
            assert!(std::ptr::eq(rule.meta(), rule.meta().id.meta()));
            assert_eq!(
                serde_json::to_value(rule.meta().id).unwrap(),
                rule.meta().id.as_str()
            );
        }
    }

    #[test]
    fn framework_names_are_found_by_any_unambiguous_part() {
        assert_eq!(find_framework("nist").unwrap(), "NIST SP 800-53 r5");
        assert_eq!(find_framework("ISO27001").unwrap(), "ISO/IEC 27001:2022");
        assert_eq!(find_framework("pci").unwrap(), "PCI DSS v4.0");
        assert_eq!(find_framework("c5").unwrap(), "BSI C5:2025");
        assert_eq!(find_framework("fedramp").unwrap(), "FedRAMP Low (Rev. 4)");
        assert_eq!(
            find_framework("well-architected").unwrap(),
            "AWS Well-Architected Security Pillar"
        );
        assert!(find_framework("gdpr").unwrap_err().contains("matches none"));
        assert!(find_framework("").is_err());
    }

    #[test]
    fn every_rule_is_fully_documented() {
        for rule in REGISTRY {
            let m = rule.meta();
            assert!(!m.title.is_empty() && !m.description.is_empty() && !m.risk.is_empty());
            let r = &m.remediation;
            for text in [r.console, r.aws_cli, r.boto3, r.python_sdk] {
                assert!(text.len() > 40, "{}: remediation too short", m.id);
            }
            assert!(m.references.len() >= 2);
            assert!(m.compliance.len() >= 8);
            for c in m.compliance {
                assert!(
                    c.rationale.len() > 30 && c.source.len() > 30,
                    "{}",
                    c.control
                );
            }
            let score: f64 = m.security_severity.parse().unwrap();
            assert!((7.0..9.0).contains(&score), "high severity shows as high");
        }
    }
}
