//! `DescribeModelExplainabilityJobDefinition`: what SageMaker Model Monitor runs on a schedule, with
//! SageMaker Clarify, to watch how much each feature contributes to a deployed model's
//! predictions (feature attribution drift). Its reading is the one the four monitoring job
//! definitions share ([`super::monitoring`]): the monitoring cluster's volume key and the key of
//! the attribution reports it writes under `ModelExplainabilityJobOutputConfig` (botocore 1.44.8).
//! botocore documents no local-storage exception for the volume key, so none is made.

use super::monitoring::{VOLUME_KEY, VOLUME_TEXT};
use super::{Api, KindDecl, Names, Settled};
use crate::resource::{Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::rules::volume::VolumeCheck;
use crate::verdict::Severity;

/// Everything about model explainability job definitions.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::ModelExplainabilityJobDefinition,
    names: Names {
        resource_type: "model-explainability-job-definition",
        arn_resource: "model-explainability-job-definition",
        arn_nested: false,
        arn_id: false,
        noun: "Model explainability job definition",
        plural: "model explainability job definitions",
    },
    api: Api {
        list: "ListModelExplainabilityJobDefinitions",
        // Shared with the other monitoring job definitions (`super::monitoring`).
        summaries: "JobDefinitionSummaries",
        describe: "DescribeModelExplainabilityJobDefinition",
        name_field: "JobDefinitionName",
        marker: "ModelExplainabilityAppSpecification",
        arn_field: "JobDefinitionArn",
        within: None,
    },
    unlisted: None,
    // A job definition has no status (ListModelExplainabilityJobDefinitions filters by none).
    statuses: &[],
    // There is no Update call for a job definition.
    settled: Settled::Always,
    keys: &[VOLUME_KEY, "ModelExplainabilityJobOutputConfig.KmsKeyId"],
    describe_fields: &[
        "ModelExplainabilityAppSpecification",
        "ModelExplainabilityJobInput",
        "ModelExplainabilityJobOutputConfig",
        "JobResources",
        "RoleArn",
    ],
    refers_to: &[],
    // SageMaker Pipelines' ClarifyCheck and QualityCheck steps run processing jobs, not job
    // definitions.
    pipeline_steps: &[],
    creates: &["CreateModelExplainabilityJobDefinition"],
    terraform: &[],
    cloudformation: &["AWS::SageMaker::ModelExplainabilityJobDefinition"],
    parse,
    slots,
    checks: &[&VOLUME, &OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_model_explainability_job_definitions, no_status, job_definition_summaries,
        monitoring_job_definition_name, monitoring_job_definition_arn;
        describe_model_explainability_job_definition, job_definition_name
    ),
};

super::monitoring::job_definition!(ModelExplainabilityJobDefinition, "ModelExplainability");

/// The Clarify page on feature attribution drift monitoring.
const ATTRIBUTION_DRIFT: Reference = Reference {
    title: "SageMaker Clarify: feature attribution drift for models in production",
    url: "https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-model-monitor-feature-attribution-drift.html",
};

/// Documentation of `model-explainability-job-definition-volume-cmk`.
pub static VOLUME_META: RuleMeta = RuleMeta {
    id: "model-explainability-job-definition-volume-cmk",
    kind: Kind::ModelExplainabilityJobDefinition,
    role: Role::Volume,
    name: "ModelExplainabilityJobDefinitionVolumeCustomerManagedKey",
    title: "Model explainability monitoring volumes are encrypted with a customer-managed KMS key",
    description: "Checks JobResources.ClusterConfig.VolumeKmsKeyId of each SageMaker Model Monitor \
        model explainability job definition. Every monitoring job run from the definition copies captured requests onto the \
        storage volume of its instances and computes the feature attributions of the model's \
        predictions for them. The check passes when the field names an enabled \
        customer-managed KMS key in any form KMS accepts. It fails when the field is missing, \
        null or empty, names an alias/aws/* key, or KMS reports the key as AWS-managed or not \
        enabled. AWS documents no local-storage exception for this key, so none is made for any \
        instance type.",
    risk: "The volume holds production inference inputs and how the model weighed each of \
        their features. Without a customer-managed key you cannot limit decryption through a key \
        policy, rotate on your schedule, audit each use in CloudTrail, or revoke access at once.",
    remediation: Remediation {
        console: "A job definition cannot be changed. Create a new model explainability monitoring schedule \
        with the volume KMS key set to your customer-managed key, then delete the old schedule \
        and job definition.",
        aws_cli: "aws sagemaker create-model-explainability-job-definition --job-definition-name NEW_NAME \
        --job-resources '{\"ClusterConfig\":{\"InstanceCount\":1,\"InstanceType\":\"ml.m5.xlarge\",\
        \"VolumeSizeInGB\":20,\"VolumeKmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}}' ... \
        (the other arguments from aws sagemaker describe-model-explainability-job-definition)",
        boto3: "boto3.client('sagemaker').create_model_explainability_job_definition(JobDefinitionName=\
        'new-name', JobResources={'ClusterConfig': {'InstanceCount': 1, 'InstanceType': \
        'ml.m5.xlarge', 'VolumeSizeInGB': 20, 'VolumeKmsKeyId': key_arn}}, ...) with the \
        other arguments copied from describe_model_explainability_job_definition.",
        python_sdk: "sagemaker.model_monitor.ModelExplainabilityMonitor(..., volume_kms_key=key_arn, output_kms_key=key_arn)\
        .create_monitoring_schedule(...)",
        // No pipeline step creates a job definition.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: MonitoringClusterConfig.VolumeKmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_MonitoringClusterConfig.html",
        },
        ATTRIBUTION_DRIFT,
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

/// Documentation of `model-explainability-job-definition-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "model-explainability-job-definition-output-cmk",
    kind: Kind::ModelExplainabilityJobDefinition,
    role: Role::Output,
    name: "ModelExplainabilityJobDefinitionOutputCustomerManagedKey",
    title: "Model explainability monitoring reports are encrypted with a customer-managed KMS key",
    description: "Checks ModelExplainabilityJobOutputConfig.KmsKeyId of each SageMaker Model Monitor \
        model explainability job definition, the key for the feature attribution (SHAP) reports and drift violations each \
        monitoring job writes to S3. The check passes when the field names an enabled \
        customer-managed KMS key in any form KMS accepts. It fails when the field is missing, \
        null or empty (the reports then get the bucket's default encryption), names an \
        alias/aws/* key, or KMS reports the key as AWS-managed or not enabled, and when the \
        output goes to an S3 Express One Zone directory bucket. It does not apply to a \
        definition with no S3 output.",
    risk: "Attribution reports show which features drive the model's decisions and by how \
        much: enough to learn how to game it. Under an AWS-managed or S3-managed key anyone with \
        read access to the bucket can read them, with no key policy, rotation or revocation \
        under your control.",
    remediation: Remediation {
        console: "A job definition cannot be changed. Create a new model explainability monitoring schedule \
        with the output KMS key set to your customer-managed key, delete the old schedule and \
        job definition, then re-encrypt or delete the old reports in S3.",
        aws_cli: "aws sagemaker create-model-explainability-job-definition --job-definition-name NEW_NAME \
        --model-explainability-job-output-config '{\"MonitoringOutputs\":[...],\"KmsKeyId\":\
        \"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' ... (the other arguments from aws \
        sagemaker describe-model-explainability-job-definition)",
        boto3: "boto3.client('sagemaker').create_model_explainability_job_definition(JobDefinitionName=\
        'new-name', ModelExplainabilityJobOutputConfig={'MonitoringOutputs': outputs, 'KmsKeyId': \
        key_arn}, ...) with the other arguments copied from \
        describe_model_explainability_job_definition.",
        python_sdk: "sagemaker.model_monitor.ModelExplainabilityMonitor(..., output_kms_key=key_arn, volume_kms_key=key_arn)\
        .create_monitoring_schedule(...)",
        // No pipeline step creates a job definition.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: MonitoringOutputConfig.KmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_MonitoringOutputConfig.html",
        },
        ATTRIBUTION_DRIFT,
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
        protects: "model explainability reports",
        without_key: "the reports get the bucket's default S3 encryption",
    },
};
