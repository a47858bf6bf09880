//! `DescribeTransformJob`: the volume key in `TransformResources`, the output key in
//! `TransformOutput`, and, when data capture is configured, `DataCaptureConfig`'s key.

use serde::Deserialize;

use super::{At, Draft, Fields, KindParser, SlotDraft, identity, resource};
use crate::ingest::document::DocumentError;
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
};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TransformResources<'a> {
    instance_type: Option<String>,
    #[serde(borrow, default)]
    volume_kms_key_id: At<'a, Option<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TransformOutput<'a> {
    s3_output_path: Option<String>,
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DataCapture<'a> {
    destination_s3_uri: Option<String>,
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<String>>,
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::Transform)?;
    let mut r = resource(Kind::Transform, id);
    r.status = f.string("TransformJobStatus")?;
    r.creation_time = f.time("CreationTime")?;
    // DescribeTransformJob has no LastModifiedTime; the end time is the last change.
    r.last_modified_time = f.time("TransformEndTime")?.or(r.creation_time);
    let res = f.get::<TransformResources<'a>>("TransformResources")?;
    let mut volume = KeySlot::new(Role::Volume, "TransformResources.VolumeKmsKeyId");
    volume.instance_types = res
        .as_ref()
        .and_then(|r| r.value.instance_type.clone())
        .filter(|t| !t.trim().is_empty())
        .into_iter()
        .collect();
    r.instance_types = volume.instance_types.clone();
    let mut slots = vec![SlotDraft::new(
        volume,
        res.as_ref().map(|r| &r.value.volume_kms_key_id),
        res.as_ref().map(|r| r.raw),
    )];
    let out = f.get::<TransformOutput<'a>>("TransformOutput")?;
    let mut output = KeySlot::new(Role::Output, "TransformOutput.KmsKeyId");
    output.locations = out
        .as_ref()
        .and_then(|o| o.value.s3_output_path.clone())
        .into_iter()
        .collect();
    slots.push(SlotDraft::new(
        output,
        out.as_ref().map(|o| &o.value.kms_key_id),
        out.as_ref().map(|o| o.raw),
    ));
    if let Some(capture) = f.get::<Option<DataCapture<'a>>>("DataCaptureConfig")?
        && let Some(c) = &capture.value
    {
        let mut slot = KeySlot::new(Role::Output, "DataCaptureConfig.KmsKeyId");
        slot.part = Some("data capture".to_owned());
        slot.locations = c.destination_s3_uri.clone().into_iter().collect();
        slots.push(SlotDraft::new(slot, Some(&c.kms_key_id), Some(capture.raw)));
    }
    Ok(Draft { resource: r, slots })
}
