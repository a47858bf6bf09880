//! `DescribeAutoMLJobV2` (and V1 documents): the volume key in `SecurityConfig` (V1:
//! `AutoMLJobConfig.SecurityConfig`), the output key in `OutputDataConfig`. AutoML picks the
//! instances itself, so no instance type is known.

use serde::Deserialize;

use super::training::{OutputDataConfig, output_slot};
use super::{At, Draft, Fields, KindParser, Scope, SlotDraft, Text, identity, resource};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Kind, Role};

/// Recognises and reads AutoML jobs.
pub static PARSER: KindParser = KindParser {
    kind: Kind::AutoMl,
    marker: "AutoMLJobName",
    arn_field: "AutoMLJobArn",
    list_marker: "AutoMLJobSummaries",
    commands: (
        "list-auto-ml-jobs",
        "describe-auto-ml-job-v2",
        "--auto-ml-job-name",
    ),
    describe_fields: &[
        "AutoMLJobInputDataConfig",
        "InputDataConfig",
        "OutputDataConfig",
        "RoleArn",
        "AutoMLJobSecondaryStatus",
        "AutoMLProblemTypeConfig",
        "AutoMLJobConfig",
        "SecurityConfig",
    ],
    parse,
    slots,
};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SecurityConfig<'a> {
    #[serde(borrow, default)]
    volume_kms_key_id: At<'a, Option<Text<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct JobConfigV1<'a> {
    #[serde(borrow)]
    security_config: Option<At<'a, SecurityConfig<'a>>>,
}

fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let v2 = f.get::<SecurityConfig<'a>>("SecurityConfig")?;
    let v1 = f.get::<JobConfigV1<'a>>("AutoMLJobConfig")?;
    // V1 and V2 documents keep the volume key in different places; a document with both that
    // disagree has no single reading, and the friendly one must not be picked.
    if let (Some(sc), Some(cfg)) = (&v2, &v1)
        && let Some(old) = &cfg.value.security_config
        && old.value.volume_kms_key_id.raw.trim() != sc.value.volume_kms_key_id.raw.trim()
    {
        return Err(DocumentError::at(
            "the document gives both SecurityConfig (DescribeAutoMLJobV2) and \
             AutoMLJobConfig.SecurityConfig (DescribeAutoMLJob) with different volume keys, so \
             which key the job uses is ambiguous; export it with one describe command",
            old.raw,
        ));
    }
    let volume = match (&v2, &v1) {
        (Some(sc), _) => SlotDraft::new(
            KeySlot::new(Role::Volume, "SecurityConfig.VolumeKmsKeyId"),
            Some(&sc.value.volume_kms_key_id),
            Some(sc.raw),
            scope,
        )?,
        (None, Some(cfg)) => {
            let sc = cfg.value.security_config.as_ref();
            SlotDraft::new(
                KeySlot::new(
                    Role::Volume,
                    "AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId",
                ),
                sc.map(|s| &s.value.volume_kms_key_id),
                sc.map(|s| s.raw).or(Some(cfg.raw)),
                scope,
            )?
        }
        (None, None) => SlotDraft::new(
            KeySlot::new(Role::Volume, "SecurityConfig.VolumeKmsKeyId"),
            None,
            None,
            scope,
        )?,
    };
    let out = f.get::<OutputDataConfig<'a>>("OutputDataConfig")?;
    let output = output_slot("OutputDataConfig.KmsKeyId".into(), out.as_ref(), scope)?;
    Ok(vec![volume, output])
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::AutoMl)?;
    let mut r = resource(Kind::AutoMl, id);
    r.status = f.string("AutoMLJobStatus")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    Ok(Draft { resource: r, slots })
}
