//! `DescribeTrainingJob`: the volume key in `ResourceConfig`, the output key in
//! `OutputDataConfig`.

use std::borrow::Cow;

use serde::Deserialize;

use super::{
    At, Draft, Fields, InstanceEntry, KindParser, Scope, SlotDraft, Text, distinct_types, identity,
    resource, types_of,
};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Kind, Role};

/// Recognises and reads training jobs.
pub static PARSER: KindParser = KindParser {
    kind: Kind::Training,
    marker: "TrainingJobName",
    arn_field: "TrainingJobArn",
    list_marker: "TrainingJobSummaries",
    commands: (
        "list-training-jobs",
        "describe-training-job",
        "--training-job-name",
    ),
    describe_fields: &[
        "AlgorithmSpecification",
        "StoppingCondition",
        "ModelArtifacts",
        "RoleArn",
        "SecondaryStatus",
        "ResourceConfig",
        "OutputDataConfig",
        "ServerlessJobConfig",
    ],
    parse,
    slots,
};

/// `ResourceConfig` (also the shape of a tuning job's training definitions).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ResourceConfig<'a> {
    #[serde(borrow)]
    pub instance_type: Option<Text<'a>>,
    #[serde(borrow)]
    pub instance_groups: Option<Vec<InstanceEntry<'a>>>,
    #[serde(borrow)]
    pub selected_instance_type: Option<Text<'a>>,
    #[serde(borrow)]
    pub instance_preferences: Option<Vec<InstanceEntry<'a>>>,
    /// `HyperParameterTuningResourceConfig` only.
    #[serde(borrow)]
    pub instance_configs: Option<Vec<InstanceEntry<'a>>>,
    /// Kept as written even when `null`, so a finding can point at the line.
    #[serde(borrow, default)]
    pub volume_kms_key_id: At<'a, Option<Text<'a>>>,
}

impl ResourceConfig<'_> {
    /// The instance types the job may run on: `InstanceType` together with every instance
    /// group's (or tuning instance config's) type — a document that names both is ambiguous,
    /// and one EBS-backed type among them makes the key required —, else the type SageMaker
    /// selected from `InstancePreferences`, else every preferred type (before SageMaker picks,
    /// any of them may run the job).
    pub fn instance_types(
        &self,
        field: &str,
        scope: Scope<'_>,
    ) -> Result<Vec<String>, DocumentError> {
        let mut named = scope.types(field, &self.instance_type)?;
        named.extend(types_of(field, &self.instance_groups, scope)?);
        named.extend(types_of(field, &self.instance_configs, scope)?);
        if !named.is_empty() {
            return Ok(named);
        }
        let selected = scope.types(field, &self.selected_instance_type)?;
        if !selected.is_empty() {
            return Ok(selected);
        }
        types_of(field, &self.instance_preferences, scope)
    }
}

/// `OutputDataConfig` (training, tuning definitions and AutoML share its key and path).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct OutputDataConfig<'a> {
    #[serde(borrow, default)]
    pub kms_key_id: At<'a, Option<Text<'a>>>,
    #[serde(borrow)]
    pub s3_output_path: Option<Text<'a>>,
}

/// The volume slot of a `ResourceConfig`-shaped object whose key is at `field`.
pub(super) fn volume_slot<'a>(
    field: Cow<'static, str>,
    config: Option<&At<'a, ResourceConfig<'a>>>,
    scope: Scope<'_>,
) -> Result<SlotDraft<'a>, DocumentError> {
    let mut slot = KeySlot::new(Role::Volume, field);
    if let Some(c) = config {
        slot.instance_types = c.value.instance_types(&slot.field, scope)?;
    }
    SlotDraft::new(
        slot,
        config.map(|c| &c.value.volume_kms_key_id),
        config.map(|c| c.raw),
        scope,
    )
}

/// The output slot of an `OutputDataConfig`-shaped object whose key is at `field`.
pub(super) fn output_slot<'a>(
    field: Cow<'static, str>,
    config: Option<&At<'a, OutputDataConfig<'a>>>,
    scope: Scope<'_>,
) -> Result<SlotDraft<'a>, DocumentError> {
    let mut slot = KeySlot::new(Role::Output, field);
    if let Some(c) = config {
        slot.locations = scope
            .text(&slot.field, &c.value.s3_output_path)?
            .into_iter()
            .collect();
    }
    SlotDraft::new(
        slot,
        config.map(|c| &c.value.kms_key_id),
        config.map(|c| c.raw),
        scope,
    )
}

fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let rc = f.get::<ResourceConfig<'a>>("ResourceConfig")?;
    let out = f.get::<OutputDataConfig<'a>>("OutputDataConfig")?;
    Ok(vec![
        volume_slot("ResourceConfig.VolumeKmsKeyId".into(), rc.as_ref(), scope)?,
        output_slot("OutputDataConfig.KmsKeyId".into(), out.as_ref(), scope)?,
    ])
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::Training)?;
    let mut r = resource(Kind::Training, id);
    r.status = f.string("TrainingJobStatus")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    r.instance_types = distinct_types(&slots);
    Ok(Draft { resource: r, slots })
}

#[cfg(test)]
mod tests {
    use crate::ingest::document::{Document, parse};
    use crate::resource::Role;

    const JOB: &str = r#"{"TrainingJobName":"a","TrainingJobArn":"arn:aws:sagemaker:eu-west-1:111122223333:training-job/a",
        "TrainingJobStatus":"Completed","CreationTime":1710407565.5,"LastModifiedTime":"2024-03-14T10:00:00+01:00",
        "AlgorithmSpecification":{"TrainingImage":"x"},"NewFieldFrom2030":{"deep":[1,2,3]},
        "ResourceConfig":{"InstanceGroups":[{"InstanceType":"ml.p4d.24xlarge","InstanceCount":1,"InstanceGroupName":"g"}],"VolumeKmsKeyId":null},
        "OutputDataConfig":{"S3OutputPath":"s3://b/","KmsKeyId":"alias/ml"}}"#;

    #[test]
    fn reads_a_describe_document_with_unknown_fields_and_lines() {
        let Ok(Document::Resource(r)) = parse(JOB, 10, "f.json") else {
            panic!("not a resource")
        };
        assert_eq!(
            (r.region.as_str(), r.account_id.as_str()),
            ("eu-west-1", "111122223333")
        );
        assert_eq!(r.instance_types, ["ml.p4d.24xlarge"]);
        assert_eq!(
            r.last_modified_time.as_deref(),
            Some("2024-03-14T09:00:00.000Z")
        );
        let volume = &r.slots[0];
        assert_eq!((volume.role, volume.value.as_deref()), (Role::Volume, None));
        assert_eq!(
            (volume.value_line, volume.parent_line),
            (Some(13), 13),
            "null has a line"
        );
        let output = &r.slots[1];
        assert_eq!(output.value.as_deref(), Some("alias/ml"));
        assert_eq!((output.value_line, output.parent_line), (Some(14), 14));
        assert_eq!(output.locations, ["s3://b/"]);
        assert_eq!(r.source_file, "f.json");
    }

    #[test]
    fn a_missing_resource_config_still_has_a_volume_slot() {
        let doc = r#"{"TrainingJobName":"a","TrainingJobArn":"arn:aws:sagemaker:eu-west-1:111122223333:training-job/a",
            "ServerlessJobConfig":{"JobType":"FineTuning"},"OutputDataConfig":{"S3OutputPath":"s3://b/"}}"#;
        let Ok(Document::Resource(r)) = parse(doc, 1, "f.json") else {
            panic!("not a resource")
        };
        assert_eq!(r.slots.len(), 2);
        assert_eq!((r.slots[0].value_line, r.slots[0].parent_line), (None, 1));
    }
}
