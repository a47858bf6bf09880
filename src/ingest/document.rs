//! One JSON document: a `describe-training-job` response, a KMS `describe-key` or
//! `list-aliases` response, or something we name and refuse.

use std::fmt;

use serde::de::{self, IgnoredAny, Visitor};
use serde::{Deserialize, Deserializer};

use crate::kms::{KeyFact, KeyManager};
use crate::model::{ArnParts, OutputDataConfig, ResourceConfig, Timestamp, TrainingJob};

/// What a document turned out to be.
#[derive(Debug)]
pub enum Document {
    /// A training job.
    Job(Box<TrainingJob>),
    /// `aws kms describe-key` output.
    Key(KeyFact),
    /// `aws kms list-aliases` output: `(account, region, alias name, target key id)`.
    Aliases(Vec<(String, String, String, String)>),
    /// The manifest of a `collect` directory.
    Manifest(Box<crate::manifest::Manifest>),
}

/// Where, in the parsed text, the values findings point at begin. Each is a slice of that
/// text, so its position (and line) is known without a second pass over the document.
#[derive(Debug, Clone, Copy, Default)]
pub struct Anchors<'a> {
    /// The `ResourceConfig` object.
    pub resource_config: Option<&'a str>,
    /// The `ResourceConfig.VolumeKmsKeyId` value.
    pub volume_key: Option<&'a str>,
    /// The `OutputDataConfig` object.
    pub output_config: Option<&'a str>,
    /// The `OutputDataConfig.KmsKeyId` value.
    pub output_key: Option<&'a str>,
}

/// A value together with the slice of the input it was read from. A field that is absent
/// (under `#[serde(default)]`) has an empty slice: a JSON value never is empty.
struct At<'a, T> {
    raw: &'a str,
    value: T,
}

impl<T: Default> Default for At<'_, T> {
    fn default() -> Self {
        At {
            raw: "",
            value: T::default(),
        }
    }
}

impl<'a, T> At<'a, T> {
    /// The slice the value was read from; `None` when the field was absent.
    fn slice(&self) -> Option<&'a str> {
        Some(self.raw).filter(|r| !r.is_empty())
    }
}

impl<'de: 'a, 'a, T: Deserialize<'de>> Deserialize<'de> for At<'a, T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw: &'de serde_json::value::RawValue = Deserialize::deserialize(d)?;
        let raw = raw.get();
        // The slice is small (one object or one string); its own position in an error would
        // be relative to the slice, so only the outer parser's position is kept.
        serde_json::from_str(raw)
            .map(|value| At { raw, value })
            .map_err(|e| {
                let text = e.to_string();
                let message = match text.rsplit_once(" at line ") {
                    Some((message, _)) if e.line() > 0 => message,
                    _ => &text,
                };
                de::Error::custom(message)
            })
    }
}

/// Fields of every document kind we accept; everything else is skipped unread.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawDocument<'a> {
    training_job_name: Option<String>,
    training_job_arn: Option<String>,
    training_job_status: Option<String>,
    creation_time: Option<RawTime>,
    last_modified_time: Option<RawTime>,
    #[serde(borrow)]
    resource_config: Option<At<'a, RawResourceConfig<'a>>>,
    #[serde(borrow)]
    output_data_config: Option<At<'a, RawOutputDataConfig<'a>>>,
    serverless_job_config: Option<IgnoredAny>,
    algorithm_specification: Option<IgnoredAny>,
    stopping_condition: Option<IgnoredAny>,
    model_artifacts: Option<IgnoredAny>,
    role_arn: Option<IgnoredAny>,
    secondary_status: Option<IgnoredAny>,
    training_job_summaries: Option<IgnoredAny>,
    key_metadata: Option<RawKeyMetadata>,
    aliases: Option<Vec<RawAlias>>,
    sagemaker_audit_manifest: Option<crate::manifest::Manifest>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawResourceConfig<'a> {
    instance_type: Option<String>,
    instance_groups: Option<Vec<RawInstanceGroup>>,
    selected_instance_type: Option<String>,
    instance_preferences: Option<Vec<RawInstanceGroup>>,
    /// Kept as written even when `null`, so a finding can point at the line.
    #[serde(borrow, default)]
    volume_kms_key_id: At<'a, Option<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawInstanceGroup {
    instance_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawOutputDataConfig<'a> {
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<String>>,
    s3_output_path: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawKeyMetadata {
    key_id: Option<String>,
    arn: Option<String>,
    key_manager: Option<String>,
    key_state: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawAlias {
    alias_name: Option<String>,
    alias_arn: Option<String>,
    target_key_id: Option<String>,
}

/// A timestamp as the wire / CLI v1 (epoch seconds) or CLI v2 (ISO 8601) prints it.
struct RawTime(Timestamp);

impl<'de> Deserialize<'de> for RawTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RawTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("epoch seconds or an ISO 8601 timestamp")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawTime, E> {
                Timestamp::from_epoch_seconds(v)
                    .map(RawTime)
                    .ok_or_else(|| E::custom(format!("timestamp {v} is out of range")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawTime, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawTime, E> {
                self.visit_f64(v as f64)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawTime, E> {
                Timestamp::parse_iso(v)
                    .map(RawTime)
                    .ok_or_else(|| E::custom(format!("{v:?} is not an ISO 8601 timestamp")))
            }
        }
        d.deserialize_any(V)
    }
}

/// Why a document was refused; the message says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentError {
    /// What is wrong, without a position.
    pub message: String,
    /// Line of the problem within the parsed text (1-based), when the parser knows it.
    pub line: Option<u32>,
}

impl DocumentError {
    fn new(message: impl Into<String>) -> Self {
        DocumentError {
            message: message.into(),
            line: None,
        }
    }

    /// A parser error, with its position kept apart from the message.
    pub fn json(e: &serde_json::Error) -> Self {
        DocumentError {
            message: describe_json_error(e),
            line: (e.line() > 0).then(|| u32::try_from(e.line()).unwrap_or(u32::MAX)),
        }
    }
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Turns a serde_json error into one readable sentence, without its position.
pub fn describe_json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    let text = text.strip_suffix(&position).unwrap_or(&text);
    if text.contains("recursion limit exceeded") {
        return format!(
            "JSON is nested more than 128 levels deep ({text}); an exported API response never is"
        );
    }
    match e.classify() {
        serde_json::error::Category::Eof => {
            format!("JSON ends early, the file looks truncated ({text})")
        }
        serde_json::error::Category::Syntax => format!("not valid JSON ({text})"),
        serde_json::error::Category::Data => {
            format!("a field has an unexpected type or value ({text})")
        }
        serde_json::error::Category::Io => format!("could not be read ({text})"),
    }
}

/// Parses one JSON object text into a document. `origin` is filled in by the caller from
/// the anchors, which are slices of `text`.
pub fn parse(text: &str) -> Result<(Document, Anchors<'_>), DocumentError> {
    let raw: RawDocument<'_> = serde_json::from_str(text).map_err(|e| DocumentError::json(&e))?;
    let anchors = Anchors {
        resource_config: raw.resource_config.as_ref().map(|a| a.raw),
        volume_key: raw
            .resource_config
            .as_ref()
            .and_then(|a| a.value.volume_kms_key_id.slice()),
        output_config: raw.output_data_config.as_ref().map(|a| a.raw),
        output_key: raw
            .output_data_config
            .as_ref()
            .and_then(|a| a.value.kms_key_id.slice()),
    };
    classify(raw).map(|document| (document, anchors))
}

/// The kinds of document a text can claim to be, by the fields that mark them.
fn kinds(raw: &RawDocument<'_>) -> Vec<&'static str> {
    let mut kinds = Vec::new();
    if raw.training_job_name.is_some() || raw.training_job_arn.is_some() {
        kinds.push("describe-training-job (TrainingJobName/TrainingJobArn)");
    }
    if raw.training_job_summaries.is_some() {
        kinds.push("list-training-jobs (TrainingJobSummaries)");
    }
    if raw.key_metadata.is_some() {
        kinds.push("KMS describe-key (KeyMetadata)");
    }
    if raw.aliases.is_some() {
        kinds.push("KMS list-aliases (Aliases)");
    }
    if raw.sagemaker_audit_manifest.is_some() {
        kinds.push("collect manifest (SagemakerAuditManifest)");
    }
    kinds
}

/// Decides what a document is. It becomes exactly one thing or an error: a document that
/// carries the marks of two kinds is refused rather than guessed at, so no training job can
/// hide behind a KMS or manifest field.
fn classify(raw: RawDocument<'_>) -> Result<Document, DocumentError> {
    let kinds = kinds(&raw);
    if kinds.len() > 1 {
        return Err(DocumentError::new(format!(
            "ambiguous document: it has the fields of {}; an API response is exactly one of \
             them, so export each response to its own document",
            kinds.join(" and ")
        )));
    }
    if let Some(manifest) = raw.sagemaker_audit_manifest {
        return Ok(Document::Manifest(Box::new(manifest)));
    }
    if let Some(meta) = raw.key_metadata {
        return key_fact(meta).map(Document::Key);
    }
    if let Some(aliases) = raw.aliases {
        return Ok(Document::Aliases(alias_facts(aliases)));
    }
    if raw.training_job_summaries.is_some() {
        return Err(DocumentError::new(
            "this is `aws sagemaker list-training-jobs` output, which has no encryption settings; \
             export each job with `aws sagemaker describe-training-job --training-job-name NAME`",
        ));
    }
    let has_describe_fields = raw.algorithm_specification.is_some()
        || raw.serverless_job_config.is_some()
        || raw.stopping_condition.is_some()
        || raw.model_artifacts.is_some()
        || raw.role_arn.is_some()
        || raw.secondary_status.is_some()
        || raw.resource_config.is_some()
        || raw.output_data_config.is_some();
    let (name, arn) = match (raw.training_job_name, raw.training_job_arn) {
        (Some(name), Some(arn)) if has_describe_fields => (name, arn),
        (Some(_), Some(_)) => {
            return Err(DocumentError::new(
                "this looks like a list-training-jobs summary (name and ARN only); export the job \
                 with `aws sagemaker describe-training-job`",
            ));
        }
        (Some(_), None) => {
            return Err(DocumentError::new(
                "describe-training-job document without TrainingJobArn",
            ));
        }
        (None, _) => {
            return Err(DocumentError::new(
                "not a describe-training-job document (no TrainingJobName), nor KMS describe-key \
                 or list-aliases output",
            ));
        }
    };
    // The ARN's parts become report columns and, in `collect`, directory names: validate them.
    let (parts, arn_name) = ArnParts::sagemaker(&arn, "training-job")
        .map_err(|e| DocumentError::new(format!("TrainingJobArn {e}")))?;
    // SageMaker writes the name into the ARN in lower case.
    if !arn_name.eq_ignore_ascii_case(&name) {
        return Err(DocumentError::new(format!(
            "TrainingJobArn names the job {:?} but TrainingJobName is {:?}",
            crate::text::one_line(arn_name, 100),
            crate::text::one_line(&name, 100)
        )));
    }
    let resource = raw
        .resource_config
        .map(|At { value: rc, .. }| ResourceConfig {
            instance_type: rc.instance_type,
            instance_groups: rc
                .instance_groups
                .unwrap_or_default()
                .into_iter()
                .filter_map(|g| g.instance_type)
                .collect(),
            selected_instance_type: rc.selected_instance_type,
            instance_preferences: rc
                .instance_preferences
                .unwrap_or_default()
                .into_iter()
                .filter_map(|p| p.instance_type)
                .collect(),
            volume_kms_key_id: rc.volume_kms_key_id.value,
        });
    Ok(Document::Job(Box::new(TrainingJob {
        name,
        arn,
        account_id: parts.account_id,
        region: parts.region,
        partition: parts.partition,
        status: raw.training_job_status,
        creation_time: raw.creation_time.map(|t| t.0),
        last_modified_time: raw.last_modified_time.map(|t| t.0),
        resource,
        output: raw.output_data_config.map(|o| OutputDataConfig {
            kms_key_id: o.value.kms_key_id.value,
            s3_output_path: o.value.s3_output_path,
        }),
        serverless: raw.serverless_job_config.is_some(),
        origin: Default::default(),
    })))
}

fn key_fact(meta: RawKeyMetadata) -> Result<KeyFact, DocumentError> {
    let key_id = meta
        .key_id
        .ok_or_else(|| DocumentError::new("describe-key output without KeyMetadata.KeyId"))?;
    let manager = match meta.key_manager.as_deref() {
        Some("AWS") => KeyManager::Aws,
        Some("CUSTOMER") => KeyManager::Customer,
        other => {
            return Err(DocumentError::new(format!(
                "describe-key output for {key_id} has KeyManager {other:?}; expected \"AWS\" or \"CUSTOMER\""
            )));
        }
    };
    let state = meta.key_state.ok_or_else(|| {
        DocumentError::new(format!("describe-key output for {key_id} has no KeyState"))
    })?;
    Ok(KeyFact {
        key_id,
        arn: meta.arn,
        manager,
        state,
    })
}

fn alias_facts(aliases: Vec<RawAlias>) -> Vec<(String, String, String, String)> {
    aliases
        .into_iter()
        .filter_map(|a| {
            let parts = ArnParts::parse(a.alias_arn.as_deref()?)?;
            Some((
                parts.account_id,
                parts.region,
                a.alias_name?,
                a.target_key_id?,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const JOB: &str = r#"{"TrainingJobName":"a","TrainingJobArn":"arn:aws:sagemaker:eu-west-1:111122223333:training-job/a",
        "TrainingJobStatus":"Completed","CreationTime":1710407565.5,"LastModifiedTime":"2024-03-14T10:00:00+01:00",
        "AlgorithmSpecification":{"TrainingImage":"x"},"NewFieldFrom2030":{"deep":[1,2,3]},
        "ResourceConfig":{"InstanceGroups":[{"InstanceType":"ml.p4d.24xlarge","InstanceCount":1,"InstanceGroupName":"g"}],"VolumeKmsKeyId":null},
        "OutputDataConfig":{"S3OutputPath":"s3://b/","KmsKeyId":"alias/ml"}}"#;

    #[test]
    fn reads_a_describe_document_with_unknown_fields() {
        let Ok((Document::Job(job), anchors)) = parse(JOB) else {
            panic!("not a job")
        };
        assert_eq!(job.region, "eu-west-1");
        assert_eq!(job.account_id, "111122223333");
        let rc = job.resource.as_ref().unwrap();
        assert_eq!(rc.instance_groups, vec!["ml.p4d.24xlarge"]);
        assert_eq!(rc.volume_kms_key_id, None);
        assert_eq!(
            job.output.as_ref().unwrap().kms_key_id.as_deref(),
            Some("alias/ml")
        );
        assert_eq!(
            job.last_modified_time.unwrap().to_rfc3339(),
            "2024-03-14T09:00:00.000Z"
        );
        assert!(
            anchors
                .resource_config
                .unwrap()
                .starts_with("{\"InstanceGroups\"")
        );
        assert_eq!(
            anchors.volume_key,
            Some("null"),
            "a null key still has a line"
        );
        let absent = JOB.replace(",\"VolumeKmsKeyId\":null", "");
        assert!(absent.len() < JOB.len());
        let Ok((_, without)) = parse(&absent) else {
            panic!("not a job")
        };
        assert_eq!(without.volume_key, None);
        assert!(
            anchors
                .output_config
                .unwrap()
                .starts_with("{\"S3OutputPath\"")
        );
        assert_eq!(anchors.output_key, Some("\"alias/ml\""));
        let offset = anchors.output_key.unwrap().as_ptr() as usize - JOB.as_ptr() as usize;
        assert_eq!(&JOB[offset..offset + 10], "\"alias/ml\"");
    }

    #[test]
    fn escaped_key_text_still_has_a_position() {
        let escaped = JOB.replace("\"alias/ml\"", "\"alias\\/ml\"");
        let Ok((Document::Job(job), anchors)) = parse(&escaped) else {
            panic!("not a job")
        };
        assert_eq!(job.output.unwrap().kms_key_id.as_deref(), Some("alias/ml"));
        assert_eq!(anchors.output_key, Some("\"alias\\/ml\""));
    }

    #[test]
    fn nesting_in_fields_not_read_is_skipped_without_recursion() {
        let deep = JOB.replace(
            "{\"deep\":[1,2,3]}",
            &format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        );
        assert!(matches!(parse(&deep), Ok((Document::Job(_), _))));
    }

    #[test]
    fn names_what_other_documents_are() {
        let list = r#"{"TrainingJobSummaries":[{"TrainingJobName":"a"}]}"#;
        assert!(
            parse(list)
                .unwrap_err()
                .message
                .contains("list-training-jobs")
        );
        let summary = r#"{"TrainingJobName":"a","TrainingJobArn":"arn:aws:sagemaker:us-east-1:111122223333:training-job/a","TrainingJobStatus":"Completed"}"#;
        assert!(parse(summary).unwrap_err().message.contains("summary"));
        assert!(
            parse(r#"{"foo":1}"#)
                .unwrap_err()
                .message
                .contains("not a describe-training-job")
        );
        let bad_time = JOB.replace("1710407565.5", "\"last tuesday\"");
        assert!(parse(&bad_time).unwrap_err().message.contains("ISO 8601"));
        let bad_type = JOB.replace("\"alias/ml\"", "42");
        let error = parse(&bad_type).unwrap_err();
        assert!(
            error.message.contains("unexpected type"),
            "{}",
            error.message
        );
        assert!(!error.message.contains(" at line "), "{}", error.message);
        assert_eq!(error.line, Some(5), "the line of OutputDataConfig's key");
    }

    #[test]
    fn arns_that_could_lead_anywhere_are_refused() {
        for (arn, why) in [
            (
                "arn:aws:sagemaker:eu-west-1:../../../../tmp/x:training-job/a",
                "12 digits",
            ),
            (
                "arn:aws:sagemaker:/etc:111122223333:training-job/a",
                "not a region",
            ),
            (
                "arn:aws:sagemaker:eu-west-1:111122223333:training-job/b",
                "names the job",
            ),
            ("not-an-arn", "six"),
        ] {
            let doc = JOB.replace(
                "arn:aws:sagemaker:eu-west-1:111122223333:training-job/a",
                arn,
            );
            let error = parse(&doc).unwrap_err();
            assert!(error.message.contains(why), "{arn}: {error}");
        }
        let upper = JOB.replace("\"TrainingJobName\":\"a\"", "\"TrainingJobName\":\"A\"");
        assert!(
            parse(&upper).is_ok(),
            "the ARN holds the name in lower case"
        );
    }

    #[test]
    fn a_document_with_the_fields_of_two_kinds_is_refused() {
        let manifest = serde_json::to_string(&crate::manifest::Manifest::default()).unwrap();
        for extra in [
            r#""Aliases": []"#.to_owned(),
            r#""KeyMetadata": {"KeyId": "k", "KeyManager": "AWS", "KeyState": "Enabled"}"#
                .to_owned(),
            format!(r#""SagemakerAuditManifest": {manifest}"#),
            r#""TrainingJobSummaries": []"#.to_owned(),
        ] {
            let doc = JOB.replacen('{', &format!("{{{extra},"), 1);
            let error = parse(&doc).unwrap_err();
            assert!(
                error.message.starts_with("ambiguous document"),
                "{extra}: {error}"
            );
        }
    }

    #[test]
    fn reads_kms_documents() {
        let key = r#"{"KeyMetadata":{"KeyId":"k","Arn":"arn:aws:kms:us-east-1:1:key/k","KeyManager":"AWS","KeyState":"Enabled"}}"#;
        assert!(matches!(
            parse(key).unwrap().0,
            Document::Key(KeyFact {
                manager: KeyManager::Aws,
                ..
            })
        ));
        let aliases = r#"{"Aliases":[{"AliasName":"alias/ml","AliasArn":"arn:aws:kms:us-east-1:1:alias/ml","TargetKeyId":"k"},{"AliasName":"alias/aws/s3","AliasArn":"arn:aws:kms:us-east-1:1:alias/aws/s3"}]}"#;
        let Document::Aliases(list) = parse(aliases).unwrap().0 else {
            panic!()
        };
        assert_eq!(list.len(), 1);
    }
}
