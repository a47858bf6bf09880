//! Which instance families carry local NVMe storage, and so take no volume key.
//!
//! The table is data (`data/local-nvme-families.toml`, documented there with its sources)
//! and users can extend or override it with `--nvme-families FILE`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

const BUILT_IN: &str = include_str!("../../data/local-nvme-families.toml");

/// The local-NVMe family table in force for a scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceStorageTable {
    families: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    #[serde(default)]
    family: Vec<FamilyEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FamilyEntry {
    name: String,
    local_nvme: bool,
    #[serde(default)]
    note: String,
}

/// A table file that could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct TableError {
    path: String,
    message: String,
}

impl InstanceStorageTable {
    /// The table shipped with the tool.
    pub fn built_in() -> Self {
        let mut table = InstanceStorageTable {
            families: BTreeMap::new(),
        };
        table
            .apply(BUILT_IN, "built-in table")
            .expect("the built-in instance storage table is valid TOML");
        table
    }

    /// Applies a user file on top: `local_nvme = true` adds a family, `false` removes one.
    pub fn apply_file(&mut self, path: &Path) -> Result<(), TableError> {
        let text = std::fs::read_to_string(path).map_err(|e| TableError {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        self.apply(&text, &path.display().to_string())
    }

    fn apply(&mut self, text: &str, origin: &str) -> Result<(), TableError> {
        let file: TableFile = toml::from_str(text).map_err(|e| TableError {
            path: origin.to_owned(),
            message: e.to_string().lines().collect::<Vec<_>>().join(" "),
        })?;
        for entry in file.family {
            let name = entry
                .name
                .trim()
                .trim_start_matches("ml.")
                .to_ascii_lowercase();
            if name.is_empty() || name.contains('.') {
                return Err(TableError {
                    path: origin.to_owned(),
                    message: format!(
                        "family name {:?} should be a family such as \"p4d\", not an instance type",
                        entry.name
                    ),
                });
            }
            if entry.local_nvme {
                self.families.insert(name, entry.note);
            } else {
                self.families.remove(&name);
            }
        }
        Ok(())
    }

    /// True when the instance type's family always has local NVMe instance storage.
    pub fn has_local_nvme(&self, instance_type: &str) -> bool {
        family_of(instance_type).is_some_and(|f| self.families.contains_key(&f))
    }
}

/// `ml.p4d.24xlarge` → `p4d`; `ml.p6-b200.48xlarge` → `p6-b200`.
pub fn family_of(instance_type: &str) -> Option<String> {
    let lower = instance_type.trim().to_ascii_lowercase();
    let bare = lower.strip_prefix("ml.").unwrap_or(&lower);
    let (family, size) = bare.split_once('.')?;
    (!family.is_empty() && !size.is_empty()).then(|| family.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_are_read_from_instance_types() {
        assert_eq!(family_of("ml.p4d.24xlarge").as_deref(), Some("p4d"));
        assert_eq!(family_of("ml.p6-b200.48xlarge").as_deref(), Some("p6-b200"));
        assert_eq!(family_of("ML.G5.XLARGE").as_deref(), Some("g5"));
        assert_eq!(family_of("ml.g5.xlarge").as_deref(), Some("g5"));
        assert_eq!(family_of("garbage"), None);
    }

    #[test]
    fn built_in_table_knows_gpu_families_but_not_ebs_only_ones() {
        let t = InstanceStorageTable::built_in();
        for local in [
            "ml.p4d.24xlarge",
            "ml.g5.2xlarge",
            "ml.trn1.32xlarge",
            "ml.p3dn.24xlarge",
        ] {
            assert!(t.has_local_nvme(local), "{local}");
        }
        for ebs in [
            "ml.m5.xlarge",
            "ml.p3.2xlarge",
            "ml.c5.xlarge",
            "ml.newfamily9.xlarge",
        ] {
            assert!(!t.has_local_nvme(ebs), "{ebs}");
        }
    }

    #[test]
    fn user_file_adds_and_removes_families() {
        let mut t = InstanceStorageTable::built_in();
        t.apply(
            "[[family]]\nname = \"m5d\"\nlocal_nvme = true\n[[family]]\nname = \"g5\"\nlocal_nvme = false\n",
            "test",
        )
        .unwrap();
        assert!(t.has_local_nvme("ml.m5d.large"));
        assert!(!t.has_local_nvme("ml.g5.xlarge"));
    }

    #[test]
    fn bad_user_file_is_a_clear_error() {
        let mut t = InstanceStorageTable::built_in();
        let err = t
            .apply(
                "[[family]]\nname = \"ml.p4d.24xlarge\"\nlocal_nvme = true\n",
                "f.toml",
            )
            .unwrap_err();
        assert!(err.to_string().contains("not an instance type"), "{err}");
        let err = t.apply("[[family]]\nnom = 1\n", "f.toml").unwrap_err();
        assert!(err.to_string().starts_with("f.toml: "), "{err}");
    }
}
