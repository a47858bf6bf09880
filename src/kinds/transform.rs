//! `DescribeTransformJob`: the volume key in `TransformResources`, the output key in
//! `TransformOutput`, and, when data capture is configured, `DataCaptureConfig`'s key.

use serde::Deserialize;

use super::{
    At, Draft, Fields, KindParser, Scope, SlotDraft, Text, distinct_types, identity, resource,
};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Kind, Role};

/// Recognises and reads batch transform jobs.
pub static PARSER: KindParser = KindParser {
    kind: Kind::Transform,
    marker: "TransformJobName",
    arn_field: "TransformJobArn",
    list_marker: "TransformJobSummaries",
    commands: (
        "list-transform-jobs",
        "describe-transform-job",
        "--transform-job-name",
    ),
    describe_fields: &[
        "TransformResources",
        "TransformInput",
        "TransformOutput",
        "ModelName",
    ],
    parse,
    slots,
};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TransformResources<'a> {
    #[serde(borrow)]
    instance_type: Option<Text<'a>>,
    #[serde(borrow, default)]
    volume_kms_key_id: At<'a, Option<Text<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TransformOutput<'a> {
    #[serde(borrow)]
    s3_output_path: Option<Text<'a>>,
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<Text<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DataCapture<'a> {
    #[serde(borrow)]
    destination_s3_uri: Option<Text<'a>>,
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<Text<'a>>>,
}

fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let res = f.get::<TransformResources<'a>>("TransformResources")?;
    let mut volume = KeySlot::new(Role::Volume, "TransformResources.VolumeKmsKeyId");
    if let Some(r) = &res {
        volume.instance_types =
            scope.types("TransformResources.InstanceType", &r.value.instance_type)?;
    }
    let mut slots = vec![SlotDraft::new(
        volume,
        res.as_ref().map(|r| &r.value.volume_kms_key_id),
        res.as_ref().map(|r| r.raw),
        scope,
    )?];
    let out = f.get::<TransformOutput<'a>>("TransformOutput")?;
    let mut output = KeySlot::new(Role::Output, "TransformOutput.KmsKeyId");
    if let Some(o) = &out {
        output.locations = scope
            .text("TransformOutput.S3OutputPath", &o.value.s3_output_path)?
            .into_iter()
            .collect();
    }
    slots.push(SlotDraft::new(
        output,
        out.as_ref().map(|o| &o.value.kms_key_id),
        out.as_ref().map(|o| o.raw),
        scope,
    )?);
    if let Some(capture) = f.get::<Option<DataCapture<'a>>>("DataCaptureConfig")?
        && let Some(c) = &capture.value
    {
        let mut slot = KeySlot::new(Role::Output, "DataCaptureConfig.KmsKeyId");
        slot.part = Some("data capture".to_owned());
        slot.locations = scope
            .text("DataCaptureConfig.DestinationS3Uri", &c.destination_s3_uri)?
            .into_iter()
            .collect();
        slots.push(SlotDraft::new(
            slot,
            Some(&c.kms_key_id),
            Some(capture.raw),
            scope,
        )?);
    }
    Ok(slots)
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::Transform)?;
    let mut r = resource(Kind::Transform, id);
    r.status = f.string("TransformJobStatus")?;
    r.creation_time = f.time("CreationTime")?;
    // DescribeTransformJob has no LastModifiedTime; the end time is the last change.
    r.last_modified_time = f.time("TransformEndTime")?.or(r.creation_time);
    let slots = slots(f, Scope::Describe)?;
    r.instance_types = distinct_types(&slots);
    Ok(Draft { resource: r, slots })
}
