//! `DescribeModelQualityJobDefinition`: what SageMaker Model Monitor runs on a schedule to measure
//! a model's predictions against the ground truth labels uploaded for them. Its reading is the one
//! the four monitoring job definitions share ([`super::monitoring`]): the monitoring cluster's
//! volume key and the key of the metrics it writes under `ModelQualityJobOutputConfig`
//! (botocore 1.44.8). botocore documents no local-storage exception for the volume key, so none is
//! made.

use super::monitoring::{VOLUME_KEY, VOLUME_TEXT};
use super::{Api, KindDecl, Names, Settled};
use crate::resource::{Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::rules::volume::VolumeCheck;
use crate::verdict::Severity;

/// Everything about model quality job definitions.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::ModelQualityJobDefinition,
    names: Names {
        resource_type: "model-quality-job-definition",
        arn_resource: "model-quality-job-definition",
        arn_nested: false,
        arn_id: false,
        noun: "Model quality job definition",
        plural: "model quality job definitions",
    },
    api: Api {
        list: "ListModelQualityJobDefinitions",
        // Shared with the other monitoring job definitions (`super::monitoring`).
        summaries: "JobDefinitionSummaries",
        describe: "DescribeModelQualityJobDefinition",
        name_field: "JobDefinitionName",
        marker: "ModelQualityAppSpecification",
        arn_field: "JobDefinitionArn",
        within: None,
    },
    unlisted: None,
    // A job definition has no status (ListModelQualityJobDefinitions filters by none).
    statuses: &[],
    // There is no Update call for a job definition.
    settled: Settled::Always,
    keys: &[VOLUME_KEY, "ModelQualityJobOutputConfig.KmsKeyId"],
    describe_fields: &[
        "ModelQualityAppSpecification",
        "ModelQualityJobInput",
        "ModelQualityJobOutputConfig",
        "JobResources",
        "RoleArn",
    ],
    refers_to: &[],
    // SageMaker Pipelines' ClarifyCheck and QualityCheck steps run processing jobs, not job
    // definitions.
    pipeline_steps: &[],
    creates: &["CreateModelQualityJobDefinition"],
    terraform: &[],
    cloudformation: &["AWS::SageMaker::ModelQualityJobDefinition"],
    parse,
    slots,
    checks: &[&VOLUME, &OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_model_quality_job_definitions, no_status, job_definition_summaries,
        monitoring_job_definition_name, monitoring_job_definition_arn;
        describe_model_quality_job_definition, job_definition_name
    ),
};

super::monitoring::job_definition!(ModelQualityJobDefinition, "ModelQuality");

/// The Model Monitor page on model quality.
const MODEL_QUALITY: Reference = Reference {
    title: "SageMaker Model Monitor: monitor model quality",
    url: "https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-model-quality.html",
};

/// Documentation of `model-quality-job-definition-volume-cmk`.
pub static VOLUME_META: RuleMeta = RuleMeta {
    id: "model-quality-job-definition-volume-cmk",
    kind: Kind::ModelQualityJobDefinition,
    role: Role::Volume,
    name: "ModelQualityJobDefinitionVolumeCustomerManagedKey",
    title: "Model quality monitoring volumes are encrypted with a customer-managed KMS key",
    description: "Checks JobResources.ClusterConfig.VolumeKmsKeyId of each SageMaker Model Monitor \
        model quality job definition. Every monitoring job run from the definition merges the predictions captured from an endpoint or \
        batch transform job with the ground truth labels uploaded for them, on the storage volume \
        of its instances. The check passes when the field names an enabled \
        customer-managed KMS key in any form KMS accepts. It fails when the field is missing, \
        null or empty, names an alias/aws/* key, or KMS reports the key as AWS-managed or not \
        enabled. AWS documents no local-storage exception for this key, so none is made for any \
        instance type.",
    risk: "The volume holds what the model decided about real requests next to what \
        turned out to be true: production inputs, predictions and labels your team paid to \
        collect. Without a customer-managed key you cannot limit decryption through a key \
        policy, rotate on your schedule, audit each use in CloudTrail, or revoke access at once.",
    remediation: Remediation {
        console: "A job definition cannot be changed. Create a new model quality monitoring schedule \
        with the volume KMS key set to your customer-managed key, then delete the old schedule \
        and job definition.",
        aws_cli: "aws sagemaker create-model-quality-job-definition --job-definition-name NEW_NAME \
        --job-resources '{\"ClusterConfig\":{\"InstanceCount\":1,\"InstanceType\":\"ml.m5.xlarge\",\
        \"VolumeSizeInGB\":20,\"VolumeKmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}}' ... \
        (the other arguments from aws sagemaker describe-model-quality-job-definition)",
        boto3: "boto3.client('sagemaker').create_model_quality_job_definition(JobDefinitionName=\
        'new-name', JobResources={'ClusterConfig': {'InstanceCount': 1, 'InstanceType': \
        'ml.m5.xlarge', 'VolumeSizeInGB': 20, 'VolumeKmsKeyId': key_arn}}, ...) with the \
        other arguments copied from describe_model_quality_job_definition.",
        python_sdk: "sagemaker.model_monitor.ModelQualityMonitor(..., volume_kms_key=key_arn, output_kms_key=key_arn)\
        .create_monitoring_schedule(...)",
        // No pipeline step creates a job definition.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: MonitoringClusterConfig.VolumeKmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_MonitoringClusterConfig.html",
        },
        MODEL_QUALITY,
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
    text: VOLUME_TEXT,
};

/// Documentation of `model-quality-job-definition-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "model-quality-job-definition-output-cmk",
    kind: Kind::ModelQualityJobDefinition,
    role: Role::Output,
    name: "ModelQualityJobDefinitionOutputCustomerManagedKey",
    title: "Model quality monitoring reports are encrypted with a customer-managed KMS key",
    description: "Checks ModelQualityJobOutputConfig.KmsKeyId of each SageMaker Model Monitor \
        model quality job definition, the key for the quality metrics (accuracy, precision, recall, error) and constraint \
        violation reports each monitoring job writes to S3. The check passes when the field names an enabled \
        customer-managed KMS key in any form KMS accepts. It fails when the field is missing, \
        null or empty (the reports then get the bucket's default encryption), names an \
        alias/aws/* key, or KMS reports the key as AWS-managed or not enabled, and when the \
        output goes to an S3 Express One Zone directory bucket. It does not apply to a \
        definition with no S3 output.",
    risk: "The reports say how well the model performs on live traffic and where it \
        fails, which tells a competitor or an attacker what it gets wrong. Under an AWS-managed \
        or S3-managed key anyone with read access to the bucket can read them, with no key \
        policy, rotation or revocation under your control.",
    remediation: Remediation {
        console: "A job definition cannot be changed. Create a new model quality monitoring schedule \
        with the output KMS key set to your customer-managed key, delete the old schedule and \
        job definition, then re-encrypt or delete the old reports in S3.",
        aws_cli: "aws sagemaker create-model-quality-job-definition --job-definition-name NEW_NAME \
        --model-quality-job-output-config '{\"MonitoringOutputs\":[...],\"KmsKeyId\":\
        \"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' ... (the other arguments from aws \
        sagemaker describe-model-quality-job-definition)",
        boto3: "boto3.client('sagemaker').create_model_quality_job_definition(JobDefinitionName=\
        'new-name', ModelQualityJobOutputConfig={'MonitoringOutputs': outputs, 'KmsKeyId': \
        key_arn}, ...) with the other arguments copied from \
        describe_model_quality_job_definition.",
        python_sdk: "sagemaker.model_monitor.ModelQualityMonitor(..., output_kms_key=key_arn, volume_kms_key=key_arn)\
        .create_monitoring_schedule(...)",
        // No pipeline step creates a job definition.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: MonitoringOutputConfig.KmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_MonitoringOutputConfig.html",
        },
        MODEL_QUALITY,
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
        protects: "model quality reports",
        without_key: "the reports get the bucket's default S3 encryption",
    },
};
