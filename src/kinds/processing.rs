//! `DescribeProcessingJob`: the volume key in `ProcessingResources.ClusterConfig`, the output
//! key in `ProcessingOutputConfig` (applied to every S3 output).

use serde::Deserialize;

use super::{
    At, Draft, Fields, InstanceEntry, KindParser, Scope, SlotDraft, Text, distinct_types, identity,
    resource, types_of,
};
use crate::document::DocumentError;
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
    slots,
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
    #[serde(borrow)]
    instance_type: Option<Text<'a>>,
    #[serde(borrow)]
    selected_instance_type: Option<Text<'a>>,
    #[serde(borrow)]
    instance_preferences: Option<Vec<InstanceEntry<'a>>>,
    #[serde(borrow, default)]
    volume_kms_key_id: At<'a, Option<Text<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OutputConfig<'a> {
    #[serde(borrow, default)]
    outputs: Vec<At<'a, Output<'a>>>,
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<Text<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Output<'a> {
    output_name: Option<String>,
    #[serde(borrow)]
    s3_output: Option<At<'a, S3Output<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct S3Output<'a> {
    #[serde(borrow)]
    s3_uri: Option<Text<'a>>,
    /// Not in the API: the quality and clarify check steps of a pipeline name a key for each
    /// output here.
    #[serde(borrow)]
    kms_key_id: Option<At<'a, Option<Text<'a>>>>,
}

fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
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
        let field = "ProcessingResources.ClusterConfig.InstanceType";
        let named = scope.types(field, &c.instance_type)?;
        let selected = scope.types(field, &c.selected_instance_type)?;
        volume.instance_types = if !named.is_empty() {
            named
        } else if !selected.is_empty() {
            selected
        } else {
            types_of(field, &c.instance_preferences, scope)?
        };
    }
    let volume = SlotDraft::new(
        volume,
        cluster.map(|c| &c.value.volume_kms_key_id),
        cluster.map(|c| c.raw).or(resources.as_ref().map(|r| r.raw)),
        scope,
    )?;
    let config = f.get::<OutputConfig<'a>>("ProcessingOutputConfig")?;
    let outputs = config.as_ref().map_or(&[][..], |c| &c.value.outputs[..]);
    let mut locations = Vec::new();
    for o in outputs {
        if let Some(s3) = &o.value.s3_output {
            locations.extend(scope.text(
                "ProcessingOutputConfig.Outputs.S3Output.S3Uri",
                &s3.value.s3_uri,
            )?);
        }
    }
    // A check step of a pipeline keys each output instead of the whole configuration.
    let per_output = config
        .as_ref()
        .is_some_and(|c| c.value.kms_key_id.slice().is_none())
        && outputs.iter().any(|o| {
            o.value
                .s3_output
                .as_ref()
                .is_some_and(|s| s.value.kms_key_id.is_some())
        });
    let mut slots = vec![volume];
    if per_output {
        for (i, o) in outputs.iter().enumerate() {
            let Some(s3) = &o.value.s3_output else {
                continue;
            };
            let mut slot = KeySlot::new(
                Role::Output,
                format!("ProcessingOutputConfig.Outputs[{i}].S3Output.KmsKeyId"),
            );
            slot.part = Some(match &o.value.output_name {
                Some(name) if !name.trim().is_empty() => format!("output {name}"),
                _ => format!("output {}", i + 1),
            });
            slot.locations = scope
                .text(
                    "ProcessingOutputConfig.Outputs.S3Output.S3Uri",
                    &s3.value.s3_uri,
                )?
                .into_iter()
                .collect();
            slots.push(SlotDraft::new(
                slot,
                s3.value.kms_key_id.as_ref(),
                Some(s3.raw),
                scope,
            )?);
        }
        return Ok(slots);
    }
    let mut output = KeySlot::new(Role::Output, "ProcessingOutputConfig.KmsKeyId");
    // The key applies to S3 outputs; a job without any writes nothing for it to protect.
    output.nothing_to_protect = locations.is_empty();
    output.locations = locations;
    slots.push(SlotDraft::new(
        output,
        config.as_ref().map(|o| &o.value.kms_key_id),
        config.as_ref().map(|o| o.raw),
        scope,
    )?);
    Ok(slots)
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::Processing)?;
    let mut r = resource(Kind::Processing, id);
    r.status = f.string("ProcessingJobStatus")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    r.instance_types = distinct_types(&slots);
    Ok(Draft { resource: r, slots })
}
