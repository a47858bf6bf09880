//! The encryption checks: what a check is ([`RuleMeta`], [`Check`]) and the shared judgements
//! of keys (`volume`, `output`, `store`). Each check is declared with its kind's key slots in
//! `crate::kinds`, whose registry is the only list of rule ids.
//!
//! A check declares the resource kind and the key role it judges; the scan runs it on every
//! key slot of that role of every resource of that kind. Checks decide verdicts and write one
//! sentence of evidence; they never format reports.

pub mod docs;
pub mod instance_storage;
mod key;
pub mod output;
pub mod store;
pub mod volume;

use crate::kms::{KeyFacts, KeyManager};
use crate::resource::{KeySlot, Kind, Resource, Role};
use crate::verdict::{Severity, Status};

pub use docs::{Compliance, Reference, Remediation};
pub use instance_storage::InstanceStorageTable;

/// What a check is, what it judges, why it matters and how to fix it.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable kebab-case id, e.g. `training-volume-cmk`.
    pub id: &'static str,
    /// The kind of resource it judges.
    pub kind: Kind,
    /// The key role it judges.
    pub role: Role,
    /// PascalCase name (SARIF `name`).
    pub name: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// What the check looks at.
    pub description: &'static str,
    /// What can go wrong when it fails.
    pub risk: &'static str,
    /// How to fix a failing resource.
    pub remediation: Remediation,
    /// Where to read more.
    pub references: &'static [Reference],
    /// Framework controls the check supports, each with its rationale and source.
    pub compliance: &'static [Compliance],
    /// Severity of a failure.
    pub severity: Severity,
    /// GitHub code scanning score (7.0–8.9 shows as high).
    pub security_severity: &'static str,
}

/// A check is its id: two metas with one id are the same check.
impl PartialEq for RuleMeta {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for RuleMeta {}

/// What checks may consult besides the resource itself.
#[derive(Debug)]
pub struct Context<'a> {
    /// KMS facts loaded for this scan.
    pub keys: &'a KeyFacts,
    /// Local-NVMe family table.
    pub storage: &'a InstanceStorageTable,
}

/// A check's conclusion about one key slot, before it becomes a [`crate::report::Finding`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// PASS, FAIL or NOT_APPLICABLE.
    pub status: Status,
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

/// A check over one key slot of a resource.
pub trait Check: Sync {
    /// The check's id, scope and documentation.
    fn meta(&self) -> &'static RuleMeta;
    /// Decides the verdict for one slot (of the check's role) of one resource (of its kind).
    fn evaluate(&self, resource: &Resource, slot: &KeySlot, ctx: &Context<'_>) -> Verdict;
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::kinds::checks::{REGISTRY, find, find_framework, ids};
    use crate::kms::{KeyFact, KeyFacts, KeyManager};

    /// A resource of `meta`'s kind with one slot of its role holding `key`.
    fn subject(meta: &RuleMeta, key: Option<&str>, types: &[&str]) -> (Resource, KeySlot) {
        let mut slot = KeySlot::new(meta.role, "Some.KmsKeyId");
        slot.value = key.map(str::to_owned);
        slot.value_line = key.map(|_| 7);
        slot.parent_line = 5;
        slot.instance_types = types.iter().map(|t| (*t).to_owned()).collect();
        if meta.role == Role::Output {
            slot.locations = vec!["s3://bucket/out/".into()];
        }
        let resource = Resource::for_test(
            meta.kind,
            "j",
            "111122223333",
            "us-east-1",
            vec![slot.clone()],
        );
        (resource, slot)
    }

    fn judge_with(
        check: &dyn Check,
        key: Option<&str>,
        types: &[&str],
        keys: &KeyFacts,
    ) -> Verdict {
        let (r, slot) = subject(check.meta(), key, types);
        let storage = InstanceStorageTable::built_in();
        check.evaluate(
            &r,
            &slot,
            &Context {
                keys,
                storage: &storage,
            },
        )
    }

    fn judge(check: &dyn Check, key: Option<&str>) -> Verdict {
        judge_with(check, key, &["ml.m5.xlarge"], &KeyFacts::default())
    }

    #[test]
    fn every_check_judges_keys_the_same_way() {
        let mut facts = KeyFacts::default();
        for (id, manager, state) in [
            (
                "1234abcd-12ab-34cd-56ef-1234567890ab",
                KeyManager::Customer,
                "Enabled",
            ),
            (
                "00000000-1111-2222-3333-444444444444",
                KeyManager::Customer,
                "PendingDeletion",
            ),
            (
                "99999999-8888-7777-6666-555555555555",
                KeyManager::Aws,
                "Enabled",
            ),
        ] {
            facts.add_key(KeyFact {
                key_id: id.into(),
                arn: None,
                manager,
                state: state.into(),
            });
        }
        for check in REGISTRY.iter() {
            let id = check.meta().id;
            let missing = judge(*check, None);
            assert_eq!(missing.status, Status::Fail, "{id}");
            assert!(
                missing.message.contains("Some.KmsKeyId is not set"),
                "{id}: {}",
                missing.message
            );
            assert_eq!(missing.line, 5, "{id}: a missing key points at its parent");
            let empty = judge(*check, Some("  "));
            assert_eq!(empty.status, Status::Fail, "{id}");
            let junk = judge(*check, Some("not a key"));
            assert_eq!(junk.status, Status::Fail, "{id}");
            let aws = judge(*check, Some("alias/aws/sagemaker"));
            assert_eq!(
                (aws.status, aws.key_manager),
                (Status::Fail, KeyManager::Aws),
                "{id}"
            );
            assert_eq!(aws.line, 7, "{id}: a key points at itself");
            for form in [
                "1234abcd-12ab-34cd-56ef-1234567890ab",
                "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                "alias/ml",
                "arn:aws:kms:us-east-1:111122223333:alias/ml",
            ] {
                let v = judge(*check, Some(form));
                assert_eq!(
                    (v.status, v.key_manager),
                    (Status::Pass, KeyManager::Unverified),
                    "{id} {form}"
                );
            }
            let confirmed = judge_with(
                *check,
                Some("1234abcd-12ab-34cd-56ef-1234567890ab"),
                &["ml.m5.xlarge"],
                &facts,
            );
            assert_eq!(
                (confirmed.status, confirmed.key_manager),
                (Status::Pass, KeyManager::Customer),
                "{id}"
            );
            let pending = judge_with(
                *check,
                Some("00000000-1111-2222-3333-444444444444"),
                &["ml.m5.xlarge"],
                &facts,
            );
            assert_eq!(pending.status, Status::Fail, "{id}");
            assert!(pending.message.contains("PendingDeletion"), "{id}");
            let managed = judge_with(
                *check,
                Some("99999999-8888-7777-6666-555555555555"),
                &["ml.m5.xlarge"],
                &facts,
            );
            assert_eq!(
                (managed.status, managed.key_manager),
                (Status::Fail, KeyManager::Aws),
                "{id}"
            );
        }
    }

    #[test]
    fn volume_checks_do_not_apply_where_every_instance_has_local_nvme() {
        let keys = KeyFacts::default();
        for check in REGISTRY.iter().filter(|c| c.meta().role == Role::Volume) {
            let id = check.meta().id;
            let nvme = judge_with(*check, None, &["ml.p4d.24xlarge", "ml.g5.2xlarge"], &keys);
            // A check whose volume takes a key whatever the instance type (a notebook's ML
            // storage volume, a monitoring cluster's, for which AWS documents no exception)
            // says so in its documentation.
            let description = check.meta().description;
            if description.contains("whatever the instance type")
                || description.contains("no local-storage exception")
            {
                assert_eq!(nvme.status, Status::Fail, "{id}");
                continue;
            }
            assert_eq!(nvme.status, Status::NotApplicable, "{id}");
            assert!(
                nvme.message.contains("ml.p4d.24xlarge, ml.g5.2xlarge"),
                "{id}"
            );
            let mixed = judge_with(*check, None, &["ml.p4d.24xlarge", "ml.m5.xlarge"], &keys);
            assert_eq!(
                mixed.status,
                Status::Fail,
                "{id}: one EBS-backed type needs the key"
            );
            let unknown = judge_with(*check, None, &[], &keys);
            assert_eq!(
                unknown.status,
                Status::Fail,
                "{id}: no known type is judged as written"
            );
        }
    }

    #[test]
    fn output_checks_fail_express_one_zone_and_skip_jobs_without_outputs() {
        let keys = KeyFacts::default();
        let storage = InstanceStorageTable::built_in();
        let ctx = Context {
            keys: &keys,
            storage: &storage,
        };
        for check in REGISTRY.iter().filter(|c| c.meta().role == Role::Output) {
            let id = check.meta().id;
            let (r, mut slot) = subject(check.meta(), Some("alias/ml"), &[]);
            slot.locations = vec!["s3://models--use1-az4--x-s3/out/".into()];
            let express = check.evaluate(&r, &slot, &ctx);
            assert_eq!(express.status, Status::Fail, "{id}");
            assert!(express.message.contains("Express One Zone"), "{id}");
            let (r, mut slot) = subject(check.meta(), None, &[]);
            slot.nothing_to_protect = true;
            assert_eq!(
                check.evaluate(&r, &slot, &ctx).status,
                Status::NotApplicable,
                "{id}"
            );
            // NVMe instance types say nothing about an output key.
            let nvme = judge_with(*check, None, &["ml.p4d.24xlarge"], &keys);
            assert_eq!(nvme.status, Status::Fail, "{id}");
        }
    }

    #[test]
    fn every_kind_has_checks_and_ids_are_unique() {
        let mut ids = ids();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), REGISTRY.len());
        // Every kind has checks (that each slot it reads has one: `crate::kinds`' tests).
        for &kind in Kind::ALL {
            assert!(
                REGISTRY.iter().any(|c| c.meta().kind == kind),
                "no check for {kind}: its keys would go unjudged"
            );
        }
        for check in REGISTRY.iter() {
            let m = check.meta();
            assert!(
                m.id.starts_with(&format!("{}-", m.kind.name().replace('_', "-"))),
                "{}: ids start with their kind",
                m.id
            );
            assert!(
                m.id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}: ids are kebab-case",
                m.id
            );
            assert_eq!(find(m.id).map(|f| f.id), Some(m.id));
        }
        // Report order: grouped by kind, in the kinds' order.
        let order: Vec<Kind> = REGISTRY.iter().map(|c| c.meta().kind).collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted);
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
        for rule in REGISTRY.iter() {
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
            // GitHub shows a security-severity score by its band: the score must sit in the
            // band of the check's own severity.
            let score: f64 = m.security_severity.parse().unwrap();
            let band = match m.severity {
                Severity::Critical => 9.0..=10.0,
                Severity::High => 7.0..=8.9,
                Severity::Medium => 4.0..=6.9,
                Severity::Low => 0.1..=3.9,
            };
            assert!(
                band.contains(&score),
                "{}: {score} is not {:?}",
                m.id,
                m.severity
            );
        }
    }
}
