//! KMS key references as they appear in training jobs, and what is known about the keys.
//!
//! A job may name its key by key id, key ARN, alias name or alias ARN, in any account.
//! `alias/aws/*` names are reserved for AWS-managed keys and are classified by prefix alone:
//! asking KMS about one can make AWS create the managed key.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::ArnParts;

/// The longest key reference the API accepts (the `KmsKeyId` shape: 2048 characters).
pub const MAX_KEY_LEN: usize = 2048;

/// A parsed `KmsKeyId` / `VolumeKmsKeyId` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRef<'a> {
    /// A bare key id, e.g. `1234abcd-12ab-34cd-56ef-1234567890ab` or `mrk-…`.
    KeyId(&'a str),
    /// `arn:<partition>:kms:<region>:<account>:key/<id>`.
    KeyArn {
        /// Where the key lives.
        at: ArnParts,
        /// The key id part.
        id: &'a str,
    },
    /// `alias/<name>`, resolved in the job's own account and region.
    AliasName(&'a str),
    /// `arn:<partition>:kms:<region>:<account>:alias/<name>`.
    AliasArn {
        /// Where the alias lives.
        at: ArnParts,
        /// The alias name, starting with `alias/`.
        name: &'a str,
    },
    /// Anything else: not a value KMS could accept.
    Unrecognised,
}

impl<'a> KeyRef<'a> {
    /// Parses a key reference; never fails, unknown shapes become [`KeyRef::Unrecognised`].
    pub fn parse(value: &'a str) -> Self {
        let value = value.trim();
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '_' | '-');
        if value.is_empty() || value.len() > MAX_KEY_LEN || !value.chars().all(allowed) {
            return KeyRef::Unrecognised;
        }
        if value.starts_with("arn:") {
            let Some(at) = ArnParts::parse(value) else {
                return KeyRef::Unrecognised;
            };
            let resource = value.splitn(6, ':').nth(5).unwrap_or_default();
            let service = value.split(':').nth(2).unwrap_or_default();
            if service != "kms" {
                return KeyRef::Unrecognised;
            }
            // A key id holds no `/` or `:`, an alias name no `:` (KMS's AliasName pattern
            // is `^[a-zA-Z0-9/_-]+$`).
            return match resource.split_once('/') {
                Some(("key", id)) if !id.is_empty() && !id.contains(['/', ':']) => {
                    KeyRef::KeyArn { at, id }
                }
                Some(("alias", rest)) if !rest.is_empty() && !rest.contains(':') => {
                    KeyRef::AliasArn { at, name: resource }
                }
                _ => KeyRef::Unrecognised,
            };
        }
        if let Some(rest) = value.strip_prefix("alias/") {
            return if rest.is_empty() || rest.contains(':') {
                KeyRef::Unrecognised
            } else {
                KeyRef::AliasName(value)
            };
        }
        if value.contains(['/', ':']) {
            return KeyRef::Unrecognised;
        }
        KeyRef::KeyId(value)
    }

    /// True for `alias/aws/…` names and ARNs: keys that AWS owns and manages.
    pub fn is_aws_managed_alias(&self) -> bool {
        match self {
            KeyRef::AliasName(name) | KeyRef::AliasArn { name, .. } => {
                name.starts_with("alias/aws/")
            }
            _ => false,
        }
    }

    /// A short name for the form, shown as evidence.
    pub fn form(&self) -> &'static str {
        match self {
            KeyRef::KeyId(_) => "key id",
            KeyRef::KeyArn { .. } => "key ARN",
            KeyRef::AliasName(_) => "alias name",
            KeyRef::AliasArn { .. } => "alias ARN",
            KeyRef::Unrecognised => "unrecognised",
        }
    }
}

/// Who manages a key, as every report shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum KeyManager {
    /// A customer-managed key (KMS says `CUSTOMER`).
    Customer,
    /// An AWS-managed key (`alias/aws/*`, or KMS says `AWS`).
    Aws,
    /// Not confirmed with KMS: the reference looks like a customer key.
    Unverified,
    /// No key is involved (missing key, or the check does not apply).
    None,
}

impl KeyManager {
    /// The upper-case label used in CSV, SARIF and the HTML report.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyManager::Customer => "CUSTOMER",
            KeyManager::Aws => "AWS",
            KeyManager::Unverified => "UNVERIFIED",
            KeyManager::None => "",
        }
    }

    /// The manager a report's label names (the inverse of [`KeyManager::as_str`]).
    pub fn parse(label: &str) -> KeyManager {
        match label {
            "CUSTOMER" => KeyManager::Customer,
            "AWS" => KeyManager::Aws,
            "UNVERIFIED" => KeyManager::Unverified,
            _ => KeyManager::None,
        }
    }
}

impl fmt::Display for KeyManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What KMS said about one key (`aws kms describe-key` → `KeyMetadata`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFact {
    /// `KeyId`.
    pub key_id: String,
    /// `Arn`, when given.
    pub arn: Option<String>,
    /// `KeyManager`: `AWS` or `CUSTOMER`.
    pub manager: KeyManager,
    /// `KeyState`, e.g. `Enabled`, `Disabled`, `PendingDeletion`.
    pub state: String,
}

/// Everything known about KMS keys for this scan.
#[derive(Debug, Default, Clone)]
pub struct KeyFacts {
    by_id: HashMap<String, KeyFact>,
    by_arn: HashMap<String, String>,
    /// `(account, region, alias/name)` → target key ids. Exports taken at different times can
    /// disagree; every target is kept and the most cautious fact decides.
    aliases: HashMap<(String, String, String), std::collections::BTreeSet<String>>,
    /// `(region, reference)` → why KMS would not describe it.
    unverified: HashMap<(String, String), String>,
}

/// The outcome of looking a key reference up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAssessment {
    /// Who manages the key, as far as is known.
    pub manager: KeyManager,
    /// `KeyState` when KMS facts were found.
    pub state: Option<String>,
    /// Why the key could not be verified, when KMS was asked and refused.
    pub note: Option<String>,
}

impl KeyFacts {
    /// Records a `describe-key` result. Two different answers for one key (exports taken at
    /// different times) resolve to the more cautious one, whatever order they were read in:
    /// AWS-managed over customer-managed, then a state other than `Enabled`.
    pub fn add_key(&mut self, fact: KeyFact) {
        if let Some(arn) = &fact.arn {
            self.by_arn.insert(arn.clone(), fact.key_id.clone());
        }
        match self.by_id.get(&fact.key_id) {
            Some(existing) if caution(existing) >= caution(&fact) => {}
            _ => {
                self.by_id.insert(fact.key_id.clone(), fact);
            }
        }
    }

    /// Records one `list-aliases` entry.
    pub fn add_alias(&mut self, account: &str, region: &str, alias_name: &str, target: &str) {
        self.aliases
            .entry((account.to_owned(), region.to_owned(), alias_name.to_owned()))
            .or_default()
            .insert(target.to_owned());
    }

    /// Records that KMS would not describe `reference` in `region`, and why. Of two reasons for
    /// one reference the first in text order is kept, so read order never shows.
    pub fn add_unverified(&mut self, region: &str, reference: &str, reason: &str) {
        let slot = self
            .unverified
            .entry((region.to_owned(), reference.to_owned()))
            .or_insert_with(|| reason.to_owned());
        if reason < slot.as_str() {
            *slot = reason.to_owned();
        }
    }

    /// Merges another set of facts into this one; the result does not depend on the order of
    /// merging.
    pub fn extend(&mut self, other: KeyFacts) {
        for fact in other.by_id.into_values() {
            self.add_key(fact);
        }
        for (arn, id) in other.by_arn {
            let slot = self.by_arn.entry(arn).or_insert_with(|| id.clone());
            if id < *slot {
                *slot = id;
            }
        }
        for ((account, region, name), targets) in other.aliases {
            for target in targets {
                self.add_alias(&account, &region, &name, &target);
            }
        }
        for ((region, reference), reason) in other.unverified {
            self.add_unverified(&region, &reference, &reason);
        }
    }

    /// Region in which a reference is resolved: its own for ARNs, else the resource's.
    pub fn lookup_region<'k>(key: &'k KeyRef<'_>, region: &'k str) -> &'k str {
        match key {
            KeyRef::KeyArn { at, .. } | KeyRef::AliasArn { at, .. } => &at.region,
            _ => region,
        }
    }

    /// Decides who manages the key a resource in `account` and `region` names (`raw` as
    /// written, `key` parsed from it). `alias/aws/*` never needs a lookup.
    pub fn assess(
        &self,
        raw: &str,
        key: &KeyRef<'_>,
        account: &str,
        region: &str,
    ) -> KeyAssessment {
        if key.is_aws_managed_alias() {
            return KeyAssessment {
                manager: KeyManager::Aws,
                state: None,
                note: None,
            };
        }
        let fact = match key {
            KeyRef::KeyId(id) => self.by_id.get(*id),
            KeyRef::KeyArn { id, .. } => {
                let arn_hit = self.lookup_arn(key_arn_text(key).as_deref());
                arn_hit.or_else(|| self.by_id.get(*id))
            }
            KeyRef::AliasName(name) => self.resolve_alias(account, region, name),
            KeyRef::AliasArn { at, name } => self.resolve_alias(&at.account_id, &at.region, name),
            KeyRef::Unrecognised => None,
        };
        match fact {
            Some(f) => KeyAssessment {
                manager: f.manager,
                state: Some(f.state.clone()),
                note: None,
            },
            None => KeyAssessment {
                manager: KeyManager::Unverified,
                state: None,
                note: self
                    .unverified
                    .get(&(
                        Self::lookup_region(key, region).to_owned(),
                        raw.trim().to_owned(),
                    ))
                    .cloned(),
            },
        }
    }

    fn lookup_arn(&self, arn: Option<&str>) -> Option<&KeyFact> {
        self.by_arn.get(arn?).and_then(|id| self.by_id.get(id))
    }

    /// The fact an alias leads to. When saved `list-aliases` exports disagree about its target,
    /// the most cautious fact among the targets decides (AWS-managed, then not `Enabled`); a
    /// target without a fact counts as unknown, which is more cautious than an enabled
    /// customer key.
    fn resolve_alias(&self, account: &str, region: &str, name: &str) -> Option<&KeyFact> {
        let targets =
            self.aliases
                .get(&(account.to_owned(), region.to_owned(), name.to_owned()))?;
        let facts: Vec<Option<&KeyFact>> = targets
            .iter()
            .map(|t| self.by_id.get(t).or_else(|| self.lookup_arn(Some(t))))
            .collect();
        let known = facts.iter().flatten().copied().max_by(|a, b| {
            caution(a)
                .cmp(&caution(b))
                .then_with(|| b.key_id.cmp(&a.key_id))
        })?;
        let unknown_target = facts.iter().any(Option::is_none);
        if unknown_target && caution(known) == caution_of_enabled_customer() {
            return None;
        }
        Some(known)
    }
}

/// How cautious a fact is: AWS-managed first, then not `Enabled`, then the state's name.
fn caution(f: &KeyFact) -> (bool, bool, String) {
    (
        f.manager == KeyManager::Aws,
        f.state != "Enabled",
        f.state.clone(),
    )
}

fn caution_of_enabled_customer() -> (bool, bool, String) {
    (false, false, "Enabled".to_owned())
}

fn key_arn_text(key: &KeyRef<'_>) -> Option<String> {
    match key {
        KeyRef::KeyArn { at, id } => Some(format!(
            "arn:{}:kms:{}:{}:key/{}",
            at.partition, at.region, at.account_id, id
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "111122223333";
    const REGION: &str = "us-east-1";

    #[test]
    fn parses_every_key_form() {
        assert_eq!(
            KeyRef::parse("1234abcd-12ab-34cd-56ef-1234567890ab"),
            KeyRef::KeyId("1234abcd-12ab-34cd-56ef-1234567890ab")
        );
        assert!(matches!(
            KeyRef::parse("arn:aws:kms:eu-west-1:444455556666:key/abc"),
            KeyRef::KeyArn { id: "abc", .. }
        ));
        assert_eq!(KeyRef::parse("alias/ml"), KeyRef::AliasName("alias/ml"));
        assert!(matches!(
            KeyRef::parse("arn:aws:kms:eu-west-1:444455556666:alias/ml"),
            KeyRef::AliasArn {
                name: "alias/ml",
                ..
            }
        ));
        for bad in [
            "",
            "alias/",
            "<script>",
            "arn:aws:s3:::bucket",
            "arn:aws:kms:us-east-1:1:key/",
            "a/b",
        ] {
            assert_eq!(KeyRef::parse(bad), KeyRef::Unrecognised, "{bad}");
        }
    }

    #[test]
    fn aws_managed_aliases_are_recognised_by_prefix() {
        assert!(KeyRef::parse("alias/aws/sagemaker").is_aws_managed_alias());
        assert!(KeyRef::parse("arn:aws:kms:us-east-1:1:alias/aws/s3").is_aws_managed_alias());
        assert!(!KeyRef::parse("alias/aws-team").is_aws_managed_alias());
        assert!(!KeyRef::parse("alias/awsome/x").is_aws_managed_alias());
    }

    #[test]
    fn disagreeing_alias_exports_resolve_the_same_in_any_order() {
        let fact = |id: &str, state: &str| KeyFact {
            key_id: id.into(),
            arn: None,
            manager: KeyManager::Customer,
            state: state.into(),
        };
        let mut outcomes = Vec::new();
        for order in [[0, 1], [1, 0]] {
            let parts: Vec<KeyFacts> = ["good", "off"]
                .iter()
                .map(|target| {
                    let mut k = KeyFacts::default();
                    k.add_alias("111122223333", "us-east-1", "alias/team", target);
                    k.add_unverified("us-east-1", "x", &format!("reason {target}"));
                    k
                })
                .collect();
            let mut facts = KeyFacts::default();
            facts.add_key(fact("good", "Enabled"));
            facts.add_key(fact("off", "Disabled"));
            for i in order {
                facts.extend(parts[i].clone());
            }
            let a = facts.assess("alias/team", &KeyRef::parse("alias/team"), ACCOUNT, REGION);
            let u = facts.assess("x", &KeyRef::parse("x"), ACCOUNT, REGION);
            outcomes.push((a.state, u.note));
        }
        assert_eq!(outcomes[0], outcomes[1]);
        assert_eq!(outcomes[0].0.as_deref(), Some("Disabled"));
        assert_eq!(outcomes[0].1.as_deref(), Some("reason good"));
        // One target unknown, the other an enabled customer key: not confirmed.
        let mut facts = KeyFacts::default();
        facts.add_key(fact("good", "Enabled"));
        facts.add_alias("111122223333", "us-east-1", "alias/team", "good");
        facts.add_alias("111122223333", "us-east-1", "alias/team", "unknown");
        let a = facts.assess("alias/team", &KeyRef::parse("alias/team"), ACCOUNT, REGION);
        assert_eq!(a.manager, KeyManager::Unverified);
    }

    #[test]
    fn facts_decide_manager_and_state_for_every_form() {
        let mut facts = KeyFacts::default();
        facts.add_key(KeyFact {
            key_id: "k1".into(),
            arn: Some("arn:aws:kms:us-east-1:111122223333:key/k1".into()),
            manager: KeyManager::Aws,
            state: "Enabled".into(),
        });
        facts.add_key(KeyFact {
            key_id: "k2".into(),
            arn: None,
            manager: KeyManager::Customer,
            state: "Disabled".into(),
        });
        facts.add_alias("111122223333", "us-east-1", "alias/team", "k2");
        facts.add_unverified("us-east-1", "denied-key", "AccessDeniedException: no");
        let assess = |s: &str| facts.assess(s, &KeyRef::parse(s), ACCOUNT, REGION);
        assert_eq!(assess("k1").manager, KeyManager::Aws);
        assert_eq!(
            assess("arn:aws:kms:us-east-1:111122223333:key/k1").manager,
            KeyManager::Aws
        );
        assert_eq!(assess("alias/team").state.as_deref(), Some("Disabled"));
        assert_eq!(
            assess("arn:aws:kms:us-east-1:111122223333:alias/team").manager,
            KeyManager::Customer
        );
        // Same alias name in another region is a different alias.
        assert_eq!(
            assess("arn:aws:kms:eu-west-1:111122223333:alias/team").manager,
            KeyManager::Unverified
        );
        assert_eq!(assess("unknown-key").manager, KeyManager::Unverified);
        assert_eq!(assess("unknown-key").note, None);
        assert_eq!(
            assess("denied-key").note.as_deref(),
            Some("AccessDeniedException: no")
        );
    }
}
