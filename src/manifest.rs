//! The manifest `collect` writes beside the exported documents.
//!
//! It records the scope, the counts and every call that failed, so that an offline scan of a
//! collect directory reports exactly what the live scan reported, errors included.

use serde::{Deserialize, Serialize};

/// Bumped on any change that could break a reader.
pub const MANIFEST_VERSION: &str = "1.2";

/// File name inside the collect directory.
pub const MANIFEST_FILE: &str = "manifest.json";

/// Wrapper whose single key tells the document apart from API responses.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestDocument {
    /// The manifest itself.
    #[serde(rename = "SagemakerAuditManifest")]
    pub manifest: Manifest,
}

/// What a collect run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Manifest format version.
    pub schema_version: String,
    /// `sagemaker-audit` version that wrote it.
    pub tool_version: String,
    /// When the collection ran, RFC 3339 UTC.
    pub generated_at: String,
    /// What was asked for.
    pub scope: Scope,
    /// Accounts whose jobs were found (from the job ARNs).
    pub accounts: Vec<String>,
    /// How much was done.
    pub counts: ManifestCounts,
    /// Calls that failed after retries; each becomes an ERROR when the directory is scanned.
    pub failed_calls: Vec<FailedCall>,
    /// ARNs of jobs that were listed but gone by the time they were described.
    pub jobs_gone: Vec<String>,
    /// Regions the account has not enabled (`ACCOUNT/REGION` when the scan named its accounts).
    pub regions_not_enabled: Vec<String>,
    /// Accounts that were to be scanned but could not be reached (since 1.2); each also has a
    /// failed call saying why.
    #[serde(default)]
    pub accounts_failed: Vec<String>,
    /// Keys KMS would not describe (for example AccessDenied), with the reason.
    pub unverified_keys: Vec<UnverifiedKey>,
}

/// The scope of a collection or live scan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// `--profile`, if any.
    pub profile: Option<String>,
    /// Regions visited.
    pub regions: Vec<String>,
    /// Job kinds listed (since 1.1; a 1.0 manifest listed training jobs only).
    #[serde(default = "training_only")]
    pub kinds: Vec<String>,
    /// `--created-after`, if any.
    pub created_after: Option<String>,
    /// `--status`, if any.
    pub status: Option<String>,
    /// `--accounts` as given (since 1.2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<String>,
    /// `--organization` (since 1.2).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub organization: bool,
    /// `--exclude-accounts` (since 1.2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_accounts: Vec<String>,
    /// `--role-name` (since 1.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
}

fn training_only() -> Vec<String> {
    vec!["training".to_owned()]
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Counts of a collection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestCounts {
    /// Jobs returned by the `List*` calls, of every kind.
    pub jobs_listed: usize,
    /// Jobs described successfully.
    pub jobs_described: usize,
    /// Jobs read from the describe cache instead (`--cache`, since 2.1).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub jobs_cached: usize,
    /// Distinct keys described with KMS.
    pub keys_described: usize,
    /// API calls made, retries not counted.
    pub calls: usize,
}

/// One call that failed after retries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedCall {
    /// The job's would-be file, or the call and region.
    pub source: String,
    /// True when `source` is a file path in the collect directory.
    pub file: bool,
    /// What failed, in one line.
    pub message: String,
}

/// A key reference KMS would not describe.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UnverifiedKey {
    /// Region the reference was resolved in.
    pub region: String,
    /// The reference as the job wrote it.
    pub reference: String,
    /// Why it could not be verified.
    pub reason: String,
}
