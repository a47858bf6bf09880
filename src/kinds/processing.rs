//! `DescribeProcessingJob`: the volume key in `ProcessingResources.ClusterConfig`, the output
//! key in `ProcessingOutputConfig` (applied to every S3 output).

use serde::Deserialize;

use super::{
    At, Draft, Fields, InstanceEntry, KindParser, SlotDraft, identity, resource, types_of,
};
use crate::ingest::document::DocumentError;
use crate::model::non_empty;
use crate::resource::{KeySlot, Kind, Role};

/// Recognises and reads processing jobs.
pub static PARSER: KindParser = KindParser {
    kind: Kind::Processing,
    marker: "ProcessingJobName",
    arn_field: "ProcessingJobArn",
    list_marker: "ProcessingJobSummaries",
    commands: (
        "list-processing-jobs",
        "describe-processing-job",
        "--processing-job-name",
    ),
    describe_fields: &[
        "ProcessingResources",
        "AppSpecification",
        "ProcessingOutputConfig",
        "ProcessingInputs",
        "RoleArn",
        "StoppingCondition",
    ],
    parse,
};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProcessingResources<'a> {
    #[serde(borrow)]
    cluster_config: Option<At<'a, ClusterConfig<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ClusterConfig<'a> {
    instance_type: Option<String>,
    selected_instance_type: Option<String>,
    instance_preferences: Option<Vec<InstanceEntry>>,
    #[serde(borrow, default)]
    volume_kms_key_id: At<'a, Option<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OutputConfig<'a> {
    #[serde(default)]
    outputs: Vec<Output>,
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Output {
    s3_output: Option<S3Output>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct S3Output {
    s3_uri: Option<String>,
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::Processing)?;
    let mut r = resource(Kind::Processing, id);
    r.status = f.string("ProcessingJobStatus")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let resources = f.get::<ProcessingResources<'a>>("ProcessingResources")?;
    let cluster = resources
        .as_ref()
        .and_then(|r| r.value.cluster_config.as_ref());
    let mut volume = KeySlot::new(
        Role::Volume,
        "ProcessingResources.ClusterConfig.VolumeKmsKeyId",
    );
    if let Some(c) = cluster {
        let c = &c.value;
        // As for training: the type, else the selected preference, else every preference.
        volume.instance_types = match (
            non_empty(&c.instance_type),
            non_empty(&c.selected_instance_type),
        ) {
            (Some(t), _) | (None, Some(t)) => vec![t.to_owned()],
            (None, None) => types_of(&c.instance_preferences),
        };
    }
    let volume = SlotDraft::new(
        volume,
        cluster.map(|c| &c.value.volume_kms_key_id),
        cluster.map(|c| c.raw).or(resources.as_ref().map(|r| r.raw)),
    );
    let outputs = f.get::<OutputConfig<'a>>("ProcessingOutputConfig")?;
    let mut output = KeySlot::new(Role::Output, "ProcessingOutputConfig.KmsKeyId");
    output.locations = outputs
        .iter()
        .flat_map(|o| &o.value.outputs)
        .filter_map(|o| o.s3_output.as_ref()?.s3_uri.clone())
        .collect();
    // The key applies to S3 outputs; a job without any writes nothing for it to protect.
    output.nothing_to_protect = output.locations.is_empty();
    let output = SlotDraft::new(
        output,
        outputs.as_ref().map(|o| &o.value.kms_key_id),
        outputs.as_ref().map(|o| o.raw),
    );
    r.instance_types = volume.slot.instance_types.clone();
    Ok(Draft {
        resource: r,
        slots: vec![volume, output],
    })
}
