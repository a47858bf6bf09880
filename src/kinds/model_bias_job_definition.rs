//! `DescribeModelBiasJobDefinition`: what SageMaker Model Monitor runs on a schedule, with SageMaker
//! Clarify, to watch a deployed model's predictions for bias drift across the groups its
//! configuration names. Its reading is the one the four monitoring job definitions share
//! ([`super::monitoring`]): the monitoring cluster's volume key and the key of the bias reports it
//! writes under `ModelBiasJobOutputConfig` (botocore 1.44.8). botocore documents no local-storage
//! exception for the volume key, so none is made.

use super::monitoring::{VOLUME_KEY, VOLUME_TEXT};
use super::{Api, KindDecl, Names, Settled};
use crate::resource::{Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::rules::volume::VolumeCheck;
use crate::verdict::Severity;

/// Everything about model bias job definitions.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::ModelBiasJobDefinition,
    names: Names {
        resource_type: "model-bias-job-definition",
        arn_resource: "model-bias-job-definition",
        arn_nested: false,
        arn_id: false,
        noun: "Model bias job definition",
        plural: "model bias job definitions",
    },
    api: Api {
        list: "ListModelBiasJobDefinitions",
        // Shared with the other monitoring job definitions (`super::monitoring`).
        summaries: "JobDefinitionSummaries",
        describe: "DescribeModelBiasJobDefinition",
        name_field: "JobDefinitionName",
        marker: "ModelBiasAppSpecification",
        arn_field: "JobDefinitionArn",
        within: None,
    },
    unlisted: None,
    // A job definition has no status (ListModelBiasJobDefinitions filters by none).
    statuses: &[],
    // There is no Update call for a job definition.
    settled: Settled::Always,
    keys: &[VOLUME_KEY, "ModelBiasJobOutputConfig.KmsKeyId"],
    describe_fields: &[
        "ModelBiasAppSpecification",
        "ModelBiasJobInput",
        "ModelBiasJobOutputConfig",
        "JobResources",
        "RoleArn",
    ],
    refers_to: &[],
    // SageMaker Pipelines' ClarifyCheck and QualityCheck steps run processing jobs, not job
    // definitions.
    pipeline_steps: &[],
    creates: &["CreateModelBiasJobDefinition"],
    terraform: &[],
    cloudformation: &["AWS::SageMaker::ModelBiasJobDefinition"],
    parse,
    slots,
    checks: &[&VOLUME, &OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_model_bias_job_definitions, no_status, job_definition_summaries,
        monitoring_job_definition_name, monitoring_job_definition_arn;
        describe_model_bias_job_definition, job_definition_name
    ),
};

super::monitoring::job_definition!(ModelBiasJobDefinition, "ModelBias");

/// The Clarify page on bias drift monitoring.
const BIAS_DRIFT: Reference = Reference {
    title: "SageMaker Clarify: bias drift for models in production",
    url: "https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-model-monitor-bias-drift.html",
};

/// Documentation of `model-bias-job-definition-volume-cmk`.
pub static VOLUME_META: RuleMeta = RuleMeta {
    id: "model-bias-job-definition-volume-cmk",
    kind: Kind::ModelBiasJobDefinition,
    role: Role::Volume,
    name: "ModelBiasJobDefinitionVolumeCustomerManagedKey",
    title: "Model bias monitoring volumes are encrypted with a customer-managed KMS key",
    description: "Checks JobResources.ClusterConfig.VolumeKmsKeyId of each SageMaker Model Monitor \
        model bias job definition. Every monitoring job run from the definition copies captured requests and \
        predictions, the sensitive attributes (facets) it groups them by and their ground truth \
        labels onto the storage volume of its instances. The check passes when the field names an enabled \
        customer-managed KMS key in any form KMS accepts. It fails when the field is missing, \
        null or empty, names an alias/aws/* key, or KMS reports the key as AWS-managed or not \
        enabled. AWS documents no local-storage exception for this key, so none is made for any \
        instance type.",
    risk: "The volume holds production records together with sensitive attributes such as \
        age or gender. Without a customer-managed key you cannot limit decryption through a key \
        policy, rotate on your schedule, audit each use in CloudTrail, or revoke access at once.",
    remediation: Remediation {
        console: "A job definition cannot be changed. Create a new model bias monitoring schedule \
        with the volume KMS key set to your customer-managed key, then delete the old schedule \
        and job definition.",
        aws_cli: "aws sagemaker create-model-bias-job-definition --job-definition-name NEW_NAME \
        --job-resources '{\"ClusterConfig\":{\"InstanceCount\":1,\"InstanceType\":\"ml.m5.xlarge\",\
        \"VolumeSizeInGB\":20,\"VolumeKmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}}' ... \
        (the other arguments from aws sagemaker describe-model-bias-job-definition)",
        boto3: "boto3.client('sagemaker').create_model_bias_job_definition(JobDefinitionName=\
        'new-name', JobResources={'ClusterConfig': {'InstanceCount': 1, 'InstanceType': \
        'ml.m5.xlarge', 'VolumeSizeInGB': 20, 'VolumeKmsKeyId': key_arn}}, ...) with the \
        other arguments copied from describe_model_bias_job_definition.",
        python_sdk: "sagemaker.model_monitor.ModelBiasMonitor(..., volume_kms_key=key_arn, output_kms_key=key_arn)\
        .create_monitoring_schedule(...)",
        // No pipeline step creates a job definition.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: MonitoringClusterConfig.VolumeKmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_MonitoringClusterConfig.html",
        },
        BIAS_DRIFT,
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

/// Documentation of `model-bias-job-definition-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "model-bias-job-definition-output-cmk",
    kind: Kind::ModelBiasJobDefinition,
    role: Role::Output,
    name: "ModelBiasJobDefinitionOutputCustomerManagedKey",
    title: "Model bias monitoring reports are encrypted with a customer-managed KMS key",
    description: "Checks ModelBiasJobOutputConfig.KmsKeyId of each SageMaker Model Monitor \
        model bias job definition, the key for the bias metrics (per facet, such as the difference in positive \
        proportions of predicted labels) and violation reports each monitoring job writes to S3. The check passes when the field names an enabled \
        customer-managed KMS key in any form KMS accepts. It fails when the field is missing, \
        null or empty (the reports then get the bucket's default encryption), names an \
        alias/aws/* key, or KMS reports the key as AWS-managed or not enabled, and when the \
        output goes to an S3 Express One Zone directory bucket. It does not apply to a \
        definition with no S3 output.",
    risk: "Bias reports break the model's outcomes down by sensitive groups of real \
        customers; they are evidence a regulator may ask for and an attacker may use. Under an \
        AWS-managed or S3-managed key anyone with read access to the bucket can read them, with \
        no key policy, rotation or revocation under your control.",
    remediation: Remediation {
        console: "A job definition cannot be changed. Create a new model bias monitoring schedule \
        with the output KMS key set to your customer-managed key, delete the old schedule and \
        job definition, then re-encrypt or delete the old reports in S3.",
        aws_cli: "aws sagemaker create-model-bias-job-definition --job-definition-name NEW_NAME \
        --model-bias-job-output-config '{\"MonitoringOutputs\":[...],\"KmsKeyId\":\
        \"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' ... (the other arguments from aws \
        sagemaker describe-model-bias-job-definition)",
        boto3: "boto3.client('sagemaker').create_model_bias_job_definition(JobDefinitionName=\
        'new-name', ModelBiasJobOutputConfig={'MonitoringOutputs': outputs, 'KmsKeyId': \
        key_arn}, ...) with the other arguments copied from \
        describe_model_bias_job_definition.",
        python_sdk: "sagemaker.model_monitor.ModelBiasMonitor(..., output_kms_key=key_arn, volume_kms_key=key_arn)\
        .create_monitoring_schedule(...)",
        // No pipeline step creates a job definition.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: MonitoringOutputConfig.KmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_MonitoringOutputConfig.html",
        },
        BIAS_DRIFT,
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
        protects: "model bias reports",
        without_key: "the reports get the bucket's default S3 encryption",
    },
};
