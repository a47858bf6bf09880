//! `DescribeTrainingJob`: the volume key in `ResourceConfig`, the output key in
//! `OutputDataConfig`.

use std::borrow::Cow;

use serde::Deserialize;

use super::{
    Api, At, Draft, Fields, InstanceEntry, KindDecl, Names, Scope, Settled, SlotDraft, Text,
    distinct_types, identity, resource, types_of,
};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::rules::volume::{VolumeCheck, VolumeText};
use crate::verdict::Severity;

/// Everything about training jobs.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::Training,
    names: Names {
        resource_type: "training-job",
        arn_resource: "training-job",
        arn_nested: false,
        arn_id: false,
        noun: "Training job",
        plural: "training jobs",
    },
    api: Api {
        list: "ListTrainingJobs",
        summaries: "TrainingJobSummaries",
        describe: "DescribeTrainingJob",
        name_field: "TrainingJobName",
        marker: "TrainingJobName",
        arn_field: "TrainingJobArn",
        within: None,
    },
    unlisted: None,
    // botocore 1.44.8, sagemaker 2017-07-24: enum TrainingJobStatus (ListTrainingJobs.StatusEquals).
    statuses: &[
        "InProgress",
        "Completed",
        "Failed",
        "Stopping",
        "Stopped",
        "Deleting",
    ],
    settled: Settled::When {
        field: "TrainingJobStatus",
        values: &["Completed", "Failed", "Stopped"],
    },
    keys: &["ResourceConfig.VolumeKmsKeyId", "OutputDataConfig.KmsKeyId"],
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
    refers_to: &[],
    pipeline_steps: &["Training"],
    creates: &["CreateTrainingJob"],
    // terraform-provider-aws `internal/service/sagemaker/training_job.go`.
    terraform: &["aws_sagemaker_training_job"],
    // CloudFormation has no resource type for jobs.
    cloudformation: &[],
    parse,
    slots,
    checks: &[&VOLUME, &OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_training_jobs, TrainingJobStatus, training_job_summaries, training_job_name, training_job_arn;
        describe_training_job, training_job_name
    ),
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
    let slot = KeySlot::new(Role::Output, field);
    let location_field = slot.field.clone();
    SlotDraft::output(
        slot,
        &location_field,
        config.map(|c| &c.value.s3_output_path),
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

/// Documentation of `training-volume-cmk`.
pub static VOLUME_META: RuleMeta = RuleMeta {
    id: "training-volume-cmk",
    kind: Kind::Training,
    role: Role::Volume,
    name: "TrainingVolumeCustomerManagedKey",
    title: "Training volume is encrypted with a customer-managed KMS key",
    description: "Checks ResourceConfig.VolumeKmsKeyId of each SageMaker training job. The EBS volume \
        attached to every training instance holds the training data copied from S3, \
        checkpoints and logs while the job runs. The check passes when the field names a \
        customer-managed KMS key (by key id, key ARN, alias or alias ARN, in any account) \
        that is enabled. It fails when the field is missing, null or empty (SageMaker then \
        encrypts the volume with a transient key it discards), names an alias/aws/* key, or \
        KMS reports the key as AWS-managed or not enabled; a serverless job without the key \
        fails too. It does not apply when every instance type the job may run on has local \
        NVMe instance storage (hardware-encrypted, no EBS volume, and AWS accepts no key \
        there).",
    risk: "Without a key you control, you cannot restrict who may decrypt the volume through a \
        key policy, choose the rotation schedule, audit each use of the key in CloudTrail, \
        or make the data unreadable at once by disabling the key. Training volumes can hold \
        raw, sensitive training data; many regulated workloads must show customer control of \
        the key.",
    remediation: Remediation {
        console: "A training job cannot be changed after it is created. In the SageMaker console open \
        Training > Training jobs, select the job and choose Clone. Under Resource \
        configuration set Volume encryption key to your customer-managed KMS key (not \
        aws/sagemaker), create the new job, and delete or retire the old one once the new \
        one has succeeded. The execution role needs kms:CreateGrant, kms:Decrypt, \
        kms:GenerateDataKey and kms:DescribeKey on the key.",
        aws_cli: "aws sagemaker create-training-job --training-job-name NEW_NAME --resource-config \
        '{\"InstanceType\":\"ml.m5.xlarge\",\"InstanceCount\":1,\"VolumeSizeInGB\":50,\"VolumeKmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' \
        ... (the remaining arguments as in the original job; read them with aws sagemaker \
        describe-training-job --training-job-name OLD_NAME)",
        boto3: "boto3.client('sagemaker').create_training_job(TrainingJobName='new-name', \
        ResourceConfig={'InstanceType': 'ml.m5.xlarge', 'InstanceCount': 1, \
        'VolumeSizeInGB': 50, 'VolumeKmsKeyId': key_arn}, ...) with the other arguments \
        copied from describe_training_job of the old job.",
        python_sdk: "sagemaker.estimator.Estimator(..., volume_kms_key=key_arn, \
        output_kms_key=key_arn).fit(inputs) creates the replacement job with the volume key \
        set; in SageMaker Pipelines pass that estimator to the TrainingStep.",
        pipeline: "Set the volume key in the step's Arguments: ResourceConfig.VolumeKmsKeyId of the \
        Training step (in the SageMaker Python SDK, volume_kms_key= on the estimator passed to \
        TrainingStep, a string or a ParameterString whose default is your key), then update the \
        pipeline (pipeline.upsert) so every run creates jobs with it.",
    },
    references: &[
        Reference {
            title: "SageMaker API: ResourceConfig.VolumeKmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ResourceConfig.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.5",
};

/// The volume check.
pub static VOLUME: VolumeCheck = VolumeCheck {
    meta: &VOLUME_META,
    text: VolumeText {
        protects: "training volumes",
        without_key: "SageMaker encrypts the training volumes with a transient key it discards",
        nvme_exempt: true,
        no_instance: "",
    },
};

/// Documentation of `training-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "training-output-cmk",
    kind: Kind::Training,
    role: Role::Output,
    name: "TrainingOutputCustomerManagedKey",
    title: "Training output artifacts are encrypted with a customer-managed KMS key",
    description: "Checks OutputDataConfig.KmsKeyId of each SageMaker training job. SageMaker uses this \
        key to encrypt the model artifacts (model.tar.gz and output data) it uploads to S3 \
        when the job ends. The check passes when the field names an enabled customer-managed \
        KMS key in any of the forms KMS accepts, including keys in other accounts. It fails \
        when the field or the whole OutputDataConfig is missing (the artifacts then get the \
        account's default S3 encryption), when the value is null or empty, names an \
        alias/aws/* key, or KMS reports the key as AWS-managed or not enabled. It also fails \
        when S3OutputPath is an S3 Express One Zone directory bucket, where SageMaker writes \
        with SSE-S3 and accepts no KMS key.",
    risk: "Model artifacts can memorise and leak the data they were trained on. Encrypted only \
        with an AWS-managed or S3-managed key, they can be read by anyone with S3 read \
        access in the account, without a key policy you control, a rotation schedule you \
        choose, or the ability to cut access off at once by disabling the key.",
    remediation: Remediation {
        console: "Training jobs are immutable. In the SageMaker console open Training > Training jobs, \
        select the job, choose Clone, and under Output data configuration set Encryption key \
        to your customer-managed KMS key. Create the new job, then re-encrypt or delete the \
        old artifacts in S3 (for example by copying them with aws s3 cp --sse aws:kms \
        --sse-kms-key-id KEY).",
        aws_cli: "aws sagemaker create-training-job --training-job-name NEW_NAME --output-data-config \
        '{\"S3OutputPath\":\"s3://BUCKET/PREFIX/\",\"KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' \
        ... (the other arguments as in the original job, from aws sagemaker \
        describe-training-job)",
        boto3: "boto3.client('sagemaker').create_training_job(TrainingJobName='new-name', \
        OutputDataConfig={'S3OutputPath': 's3://bucket/prefix/', 'KmsKeyId': key_arn}, ...) \
        with the remaining arguments copied from describe_training_job of the old job.",
        python_sdk: "sagemaker.estimator.Estimator(..., output_path='s3://bucket/prefix/', \
        output_kms_key=key_arn, volume_kms_key=key_arn).fit(inputs); the same estimator \
        works inside a SageMaker Pipelines TrainingStep.",
        pipeline: "Set OutputDataConfig.KmsKeyId in the Training step's Arguments (output_kms_key= on the \
        estimator passed to TrainingStep, or a ParameterString whose default is your key), then \
        update the pipeline so every run writes its artifacts under that key.",
    },
    references: &[
        Reference {
            title: "SageMaker API: OutputDataConfig.KmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_OutputDataConfig.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.5",
};

/// The output check.
pub static OUTPUT: OutputCheck = OutputCheck {
    meta: &OUTPUT_META,
    text: OutputText {
        protects: "model artifacts in S3",
        without_key: "the model artifacts get the account's default S3 encryption",
    },
};

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
