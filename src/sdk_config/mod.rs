//! SageMaker Python SDK configuration files (`config.yaml`), judged as policy.
//!
//! The SDK reads an administrator's and a user's configuration file and writes the keys they
//! set into every request of the matching kind whose code names no key itself
//! (`SageMaker.TrainingJob.ResourceConfig.VolumeKmsKeyId`, …; SDK 3 also reads
//! `SageMaker.PythonSDK.Resources.<Resource>` with snake_case fields). Each section of a file
//! that a kind's checks cover becomes one resource of that kind with the origin
//! [`Origin::SdkConfig`], named by its key path; each key path of the section is one slot,
//! judged by the kind's own checks, on the line of the key or of the mapping that should hold
//! it. Which key paths exist, and which kind judges each, is one data table
//! (`data/sdk-config-keys.toml`, checked against the SDK's own schemas by the test suite).
//!
//! Several files in the SDK's order ([`places`]) are judged together: a key path's verdict
//! comes from the last file that sets it (a user's file overrides the administrator's, as the
//! SDK merges them), else from the last file, which leaves it unset.

pub mod places;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::document::DocumentError;
use crate::kinds::{Draft, Fields, Head, SlotDraft};
use crate::resource::{KeySlot, Kind, Origin, Resource, Role};

/// The top-level field that marks a configuration file.
pub const MARK: &str = "SageMaker";

/// Which of the SDK's two configuration schemas a key path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Schema {
    /// `SageMaker.<Section>` and `SageMaker.PythonSDK.Modules.<Module>` (SDK 2 and 3).
    Classic,
    /// `SageMaker.PythonSDK.Resources.<Resource>` (sagemaker-core, SDK 3).
    Resources,
}

/// One key path of the table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyPath {
    /// Its schema.
    pub schema: Schema,
    /// The section it sits in, e.g. `SageMaker.TrainingJob`.
    pub section: String,
    /// Its path inside the section, e.g. `ResourceConfig.VolumeKmsKeyId` (`[]`: every item
    /// of a list).
    pub key: String,
    /// The kind whose checks judge it.
    pub kind: Option<Kind>,
    /// `volume` or `output`.
    pub role: Option<String>,
    /// Which of several keys of one role in the section it is.
    pub part: Option<String>,
    /// What the key belongs to, when no kind judges it yet.
    pub not_judged: Option<String>,
}

impl KeyPath {
    /// The whole path, e.g. `SageMaker.TrainingJob.ResourceConfig.VolumeKmsKeyId`.
    pub fn path(&self) -> String {
        format!("{}.{}", self.section, self.key)
    }

    /// The role of a judged key.
    pub fn role(&self) -> Option<Role> {
        match self.role.as_deref() {
            Some("volume") => Some(Role::Volume),
            Some("output") => Some(Role::Output),
            Some("store") => Some(Role::Store),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
struct Table {
    key: Vec<KeyPath>,
}

/// Every key path of the SDK's configuration schemas.
pub static KEYS: LazyLock<Vec<KeyPath>> = LazyLock::new(|| {
    toml::from_str::<Table>(include_str!("../../data/sdk-config-keys.toml"))
        .expect("data/sdk-config-keys.toml is valid (unit test)")
        .key
});

/// The kinds some configuration key is judged by.
pub fn kinds() -> impl Iterator<Item = Kind> {
    KEYS.iter().filter_map(|k| k.kind)
}

/// True when some configuration key is judged by `kind`'s check of `role`.
pub fn judges(kind: Kind, role: Role) -> bool {
    KEYS.iter()
        .any(|k| k.kind == Some(kind) && k.role() == Some(role))
}

/// How reports name a key path no check judges: the path and what it belongs to.
fn not_judged_name(k: &KeyPath) -> Option<String> {
    let what = k.not_judged.as_deref()?;
    Some(format!("{} ({what})", k.path()))
}

/// True when `name` is how reports name one of the table's key paths no check judges.
pub fn is_not_judged_name(name: &str) -> bool {
    KEYS.iter()
        .any(|k| not_judged_name(k).is_some_and(|n| n == name))
}

/// One configuration file: its content as JSON whose lines are the file's.
pub struct ConfigFile<'t> {
    /// The JSON text (a YAML file rendered line for line).
    pub text: &'t str,
    /// The file line the text starts on.
    pub first_line: u32,
    /// The path reports show.
    pub file: &'t str,
}

/// What judging configuration files yields.
#[derive(Debug, Default)]
pub struct Judged {
    /// One resource per section and file that decides it.
    pub resources: Vec<Resource>,
    /// Problems, each with the index of its file in the chain.
    pub errors: Vec<(usize, DocumentError)>,
    /// Key paths set in a file that no check judges (named with why), and
    /// in how many files.
    pub not_judged: BTreeMap<String, usize>,
}

/// A key path's value in one file: the value's text (`None`: not set) and the text of the
/// deepest mapping on its path that the file has (where the key is, or should be).
struct Found<'a> {
    value: Option<&'a RawValue>,
    holder: &'a str,
}

/// Looks a dotted path up in a JSON object text. A step through something that is not a
/// mapping is an error naming the path so far (the SDK's schema refuses such a file).
fn lookup<'a>(text: &'a str, path: &str) -> Result<Vec<Found<'a>>, DocumentError> {
    let mut found = vec![text];
    let mut so_far = String::new();
    let mut out = Vec::new();
    let segments: Vec<&str> = path.split('.').collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        let mut next = Vec::new();
        for raw in found {
            if *segment == "[]" {
                let items: Vec<&RawValue> = serde_json::from_str(raw)
                    .map_err(|_| DocumentError::at(format!("{so_far} is not a list"), raw))?;
                next.extend(items.into_iter().map(RawValue::get));
                continue;
            }
            let fields = Fields::parse(raw)
                .map_err(|_| DocumentError::at(format!("{so_far} is not a mapping"), raw))?;
            match fields.raw(segment) {
                Some(v) if last => out.push(Found {
                    value: (v.get() != "null").then_some(v),
                    holder: raw,
                }),
                Some(v) if v.get() == "null" => out.push(Found {
                    value: None,
                    holder: raw,
                }),
                Some(v) => next.push(v.get()),
                None => out.push(Found {
                    value: None,
                    holder: raw,
                }),
            }
        }
        if !so_far.is_empty() {
            so_far.push('.');
        }
        so_far.push_str(segment);
        found = next;
    }
    Ok(out)
}

/// The schemas a file writes: the resources schema when it has
/// `SageMaker.PythonSDK.Resources`, the classic one when it has anything else under
/// `SageMaker` (or nothing at all).
fn schemas(text: &str) -> Vec<Schema> {
    let has = |path: &str| {
        lookup(text, path)
            .ok()
            .is_some_and(|f| f.iter().any(|f| f.value.is_some()))
    };
    let resources = has("SageMaker.PythonSDK.Resources");
    let other = Fields::parse(text)
        .ok()
        .and_then(|f| f.raw(MARK))
        .and_then(|s| Fields::parse(s.get()).ok())
        .is_some_and(|s| s.entries().any(|(k, _)| k != "PythonSDK"))
        || has("SageMaker.PythonSDK.Modules");
    match (other || !resources, resources) {
        (true, true) => vec![Schema::Classic, Schema::Resources],
        (true, false) => vec![Schema::Classic],
        _ => vec![Schema::Resources],
    }
}

/// Judges configuration files read in the SDK's order (administrator's first): every key
/// path of the schemas they write (only `only`'s, when given) gets one slot, in the resource
/// of the file that decides it.
pub fn judge(chain: &[ConfigFile<'_>], only: Option<Schema>) -> Judged {
    let mut out = Judged::default();
    let Some(last) = chain.len().checked_sub(1) else {
        return out;
    };
    let mut used: Vec<Schema> = chain.iter().flat_map(|c| schemas(c.text)).collect();
    used.dedup();
    if let Some(only) = only {
        used.retain(|s| *s == only);
    }
    // (file, section) → slots and kind, in table order.
    let mut sections: Vec<((usize, &str), Kind, Vec<SlotDraft<'_>>)> = Vec::new();
    let mut failed = vec![false; chain.len()];
    for entry in KEYS.iter().filter(|k| used.contains(&k.schema)) {
        let path = entry.path();
        let mut per_file = Vec::with_capacity(chain.len());
        for (i, c) in chain.iter().enumerate() {
            match lookup(c.text, &path) {
                Ok(found) => per_file.push(found),
                Err(e) => {
                    if !std::mem::replace(&mut failed[i], true) {
                        out.errors.push((i, e));
                    }
                    per_file.push(Vec::new());
                }
            }
        }
        let (Some(kind), Some(role)) = (entry.kind, entry.role()) else {
            let name = not_judged_name(entry).unwrap_or_else(|| path.clone());
            for found in &per_file {
                if found.iter().any(|f| f.value.is_some()) {
                    *out.not_judged.entry(name.clone()).or_default() += 1;
                }
            }
            continue;
        };
        // The last file that sets it decides; else the last file leaves it unset.
        let decided = per_file
            .iter()
            .rposition(|f| f.iter().any(|f| f.value.is_some()))
            .unwrap_or(last);
        if failed[decided] {
            continue;
        }
        let Some(found) = per_file[decided].first() else {
            continue;
        };
        let mut slot = KeySlot::new(role, Cow::Owned(path));
        slot.part.clone_from(&entry.part);
        if role == Role::Volume {
            // Only training and endpoint configuration requests drop a configured volume key for
            // instance types with local NVMe storage (sagemaker 2.257.7,
            // `Session.get_train_request` and `Session.create_endpoint_config`).
            slot.instance_types = vec![crate::resource::open_instance_type(
                "each request the SDK builds names its own instance type",
            )];
        }
        match found.value.map(|v| serde_json::from_str::<String>(v.get())) {
            Some(Ok(text)) => slot.value = Some(text),
            Some(Err(_)) => {
                let raw = found.value.map_or(found.holder, |v| v.get());
                if !std::mem::replace(&mut failed[decided], true) {
                    out.errors.push((
                        decided,
                        DocumentError::at(format!("{} is not text", slot.field), raw),
                    ));
                }
                continue;
            }
            None => {}
        }
        let draft = SlotDraft {
            slot,
            value_at: found.value.map(|v| v.get()),
            parent_at: Some(found.holder),
        };
        let at = (decided, entry.section.as_str());
        match sections.iter_mut().find(|(k, ..)| *k == at) {
            Some((_, _, slots)) => slots.push(draft),
            None => sections.push((at, kind, vec![draft])),
        }
    }
    for ((i, section), kind, slots) in sections {
        if failed[i] {
            continue;
        }
        let c = &chain[i];
        let draft = Draft {
            resource: Head {
                kind,
                origin: Origin::SdkConfig,
                name: section.to_owned(),
                // A configuration file has no ARN: its path and the section are the identity.
                arn: format!("{}#{}/{section}", c.file, crate::resource::SDK_CONFIG),
                account_id: String::new(),
                region: String::new(),
                partition: String::new(),
                status: None,
                creation_time: None,
                last_modified_time: None,
                instance_types: crate::kinds::distinct_types(&slots),
            },
            slots,
        };
        out.resources
            .push(draft.finish(c.text, c.first_line, c.file));
    }
    out
}

/// Reads one YAML configuration file into JSON on its lines; `None` when it is YAML but no
/// configuration (no `SageMaker` mapping at the top).
pub fn yaml_file(root: &crate::pipeline::yaml::Node) -> Option<Result<String, DocumentError>> {
    root.get(MARK)?;
    Some(json_of(root))
}

/// A YAML document as JSON on its lines. A tag is refused, as the SDK's loader refuses it.
pub fn json_of(root: &crate::pipeline::yaml::Node) -> Result<String, DocumentError> {
    root.to_json_on_lines().map_err(|(what, line)| {
        let mut e = DocumentError::new(format!(
            "SDK config: {what} is not plain YAML, and the SDK reads its configuration with \
             yaml.safe_load, which refuses it"
        ));
        e.line = Some(line.max(1));
        e
    })
}

/// One configuration file (JSON text, starting at `first_line` of `file`) judged on its own; a
/// problem in it is the document's error.
pub fn judge_file(text: &str, first_line: u32, file: &str) -> Result<Judged, DocumentError> {
    let mut judged = judge(
        &[ConfigFile {
            text,
            first_line,
            file,
        }],
        None,
    );
    match judged.errors.pop() {
        Some((_, e)) => Err(e.locate(text)),
        None => Ok(judged),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::yaml;

    fn judged(texts: &[(&str, &str)]) -> Judged {
        let json: Vec<String> = texts
            .iter()
            .map(|(t, _)| {
                yaml_file(&yaml::load(t).unwrap().unwrap())
                    .unwrap()
                    .unwrap()
            })
            .collect();
        let chain: Vec<ConfigFile<'_>> = json
            .iter()
            .zip(texts)
            .map(|(j, (_, f))| ConfigFile {
                text: j,
                first_line: 1,
                file: f,
            })
            .collect();
        judge(&chain, None)
    }

    /// `(resource name, field, value, line, file)` of every slot.
    fn rows(j: &Judged) -> Vec<(String, String, Option<String>, u32, String)> {
        j.resources
            .iter()
            .flat_map(|r| {
                r.slots.iter().map(move |s| {
                    (
                        r.name.clone(),
                        s.field.to_string(),
                        s.value.clone(),
                        s.line(),
                        r.source_file.clone(),
                    )
                })
            })
            .collect()
    }

    #[test]
    fn the_table_is_whole_and_every_section_has_one_kind() {
        assert_eq!(KEYS.len(), 83);
        for k in KEYS.iter() {
            assert!(
                (k.kind.is_some() && k.role().is_some() && k.not_judged.is_none())
                    || (k.kind.is_none() && k.role.is_none() && k.not_judged.is_some()),
                "{}",
                k.path()
            );
            assert!(
                k.kind.is_none() || !k.key.contains("[]"),
                "a judged key sits in one place: {}",
                k.path()
            );
        }
        for a in KEYS.iter().filter(|k| k.kind.is_some()) {
            for b in KEYS
                .iter()
                .filter(|b| b.section == a.section && b.kind.is_some())
            {
                assert_eq!(a.kind, b.kind, "{} and {}", a.path(), b.path());
                if a.kind.is_some() && a.path() != b.path() && a.role == b.role {
                    assert_ne!(a.part, b.part, "{} and {}", a.path(), b.path());
                }
            }
        }
    }

    #[test]
    fn a_file_is_judged_key_by_key_on_its_own_lines() {
        let text = "SchemaVersion: '1.0'
SageMaker:
  TrainingJob:
    ResourceConfig:
      VolumeKmsKeyId: arn:aws:kms:us-east-1:111122223333:key/k1
  ProcessingJob:
    ProcessingOutputConfig:
      KmsKeyId: alias/aws/sagemaker
  EndpointConfig:
    KmsKeyId: alias/team
";
        let j = judged(&[(text, "config.yaml")]);
        assert!(j.errors.is_empty(), "{:?}", j.errors);
        let rows = rows(&j);
        let find = |field: &str| rows.iter().find(|r| r.1 == field).cloned().unwrap();
        assert_eq!(
            find("SageMaker.TrainingJob.ResourceConfig.VolumeKmsKeyId").3,
            5
        );
        assert_eq!(
            find("SageMaker.TrainingJob.OutputDataConfig.KmsKeyId"),
            (
                "SageMaker.TrainingJob".into(),
                "SageMaker.TrainingJob.OutputDataConfig.KmsKeyId".into(),
                None,
                3,
                "config.yaml".into()
            ),
            "an unset key points at the section that should hold it"
        );
        assert_eq!(
            find("SageMaker.TransformJob.TransformOutput.KmsKeyId").3,
            2,
            "a missing section points at SageMaker"
        );
        assert_eq!(
            find("SageMaker.ProcessingJob.ProcessingOutputConfig.KmsKeyId").2,
            Some("alias/aws/sagemaker".into())
        );
        // The endpoint configuration's volume key is judged by its kind; nothing is left over.
        assert!(j.not_judged.is_empty(), "{:?}", j.not_judged);
        assert_eq!(
            find("SageMaker.EndpointConfig.KmsKeyId").2,
            Some("alias/team".into())
        );
        assert!(
            rows.iter().all(|r| !r.1.contains("PythonSDK.Resources")),
            "a classic file is not judged by the resources schema"
        );
        let kinds: Vec<Kind> = j.resources.iter().map(|r| r.kind).collect();
        assert!(kinds.contains(&Kind::Compilation) && kinds.contains(&Kind::AutoMl));
        assert!(j.resources.iter().all(|r| r.origin == Origin::SdkConfig));
    }

    #[test]
    fn the_users_file_overrides_the_administrators_key_by_key() {
        let admin = "SageMaker:
  TrainingJob:
    OutputDataConfig:
      KmsKeyId: alias/admin
    ResourceConfig:
      VolumeKmsKeyId: alias/admin-volume
";
        let user = "SageMaker:
  TrainingJob:
    OutputDataConfig:
      KmsKeyId: alias/user
";
        let j = judged(&[(admin, "admin.yaml"), (user, "user.yaml")]);
        let rows = rows(&j);
        let find = |field: &str| rows.iter().find(|r| r.1 == field).cloned().unwrap();
        let out = find("SageMaker.TrainingJob.OutputDataConfig.KmsKeyId");
        assert_eq!(
            (out.2.as_deref(), out.4.as_str()),
            (Some("alias/user"), "user.yaml")
        );
        let vol = find("SageMaker.TrainingJob.ResourceConfig.VolumeKmsKeyId");
        assert_eq!(
            (vol.2.as_deref(), vol.3, vol.4.as_str()),
            (Some("alias/admin-volume"), 6, "admin.yaml")
        );
        let unset = find("SageMaker.ProcessingJob.ProcessingOutputConfig.KmsKeyId");
        assert_eq!((unset.2, unset.4.as_str()), (None, "user.yaml"));
        assert_eq!(
            rows.iter()
                .filter(|r| r.1 == "SageMaker.TrainingJob.OutputDataConfig.KmsKeyId")
                .count(),
            1,
            "one verdict per key path"
        );
    }

    #[test]
    fn the_resources_schema_is_judged_when_a_file_writes_it() {
        let text = "SageMaker:
  PythonSDK:
    Resources:
      TrainingJob:
        resource_config:
          volume_kms_key_id: alias/team
";
        let j = judged(&[(text, "c.yaml")]);
        let rows = rows(&j);
        assert!(rows.iter().all(|r| r.1.contains(".Resources.")), "{rows:?}");
        let vol = rows
            .iter()
            .find(|r| {
                r.1 == "SageMaker.PythonSDK.Resources.TrainingJob.resource_config.volume_kms_key_id"
            })
            .unwrap();
        assert_eq!((vol.2.as_deref(), vol.3), (Some("alias/team"), 6));
    }

    #[test]
    fn a_malformed_file_is_one_error_and_no_verdict() {
        let j = judged(&[("SageMaker:\n  TrainingJob: [1]\n", "c.yaml")]);
        assert_eq!(j.errors.len(), 1);
        assert!(
            j.errors[0]
                .1
                .message
                .contains("SageMaker.TrainingJob is not a mapping"),
            "{:?}",
            j.errors
        );
        assert!(j.resources.iter().all(|r| r.source_file != "c.yaml"));
        let j = judged(&[(
            "SageMaker:\n  TrainingJob:\n    OutputDataConfig:\n      KmsKeyId: [a]\n",
            "c.yaml",
        )]);
        assert!(
            j.errors[0].1.message.contains("is not text"),
            "{:?}",
            j.errors
        );
        assert!(j.resources.is_empty());
        let tagged = yaml::load("SageMaker: !Ref x\n").unwrap().unwrap();
        let e = yaml_file(&tagged).unwrap().unwrap_err();
        assert!(e.message.contains("!Ref"), "{e}");
        assert!(yaml_file(&yaml::load("Resources: {}\n").unwrap().unwrap()).is_none());
    }
}
