//! `processing-output-cmk`: processing outputs are encrypted with a customer-managed KMS key.

use crate::resource::{Kind, Role};
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::rules::RuleMeta;
use crate::verdict::Severity;

/// Documentation of `processing-output-cmk`.
pub static META: RuleMeta = RuleMeta {
    id: "processing-output-cmk",
    kind: Kind::Processing,
    role: Role::Output,
    name: "ProcessingOutputCustomerManagedKey",
    title: "Processing outputs are encrypted with a customer-managed KMS key",
    description: "Checks ProcessingOutputConfig.KmsKeyId of each SageMaker processing job, the key \
        SageMaker applies to every output it uploads to S3. The check passes when the field \
        names an enabled customer-managed KMS key in any form KMS accepts. It fails when the \
        field is missing, null or empty (the outputs then get the bucket's default \
        encryption), names an alias/aws/* key, or KMS reports the key as AWS-managed or not \
        enabled, and when an output goes to an S3 Express One Zone directory bucket. It does \
        not apply to a job with no S3 output: the key would protect nothing.",
    risk: "Processing outputs are usually the training and evaluation datasets themselves. \
        Encrypted only with an AWS-managed or S3-managed key, they are readable by anyone \
        with S3 read access, with no key policy, rotation or revocation under your control.",
    remediation: Remediation {
        console: "Processing jobs cannot be changed. Create the job again with an output KMS key set \
        to your customer-managed key (Output configuration, KMS key), then re-encrypt or \
        delete the old outputs in S3.",
        aws_cli: "aws sagemaker create-processing-job --processing-job-name NEW_NAME \
        --processing-output-config \
        '{\"Outputs\":[...],\"KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' ... \
        (the other arguments from aws sagemaker describe-processing-job)",
        boto3: "boto3.client('sagemaker').create_processing_job(ProcessingJobName='new-name', \
        ProcessingOutputConfig={'Outputs': outputs, 'KmsKeyId': key_arn}, ...) with the \
        other arguments copied from describe_processing_job.",
        python_sdk: "sagemaker.processing.Processor(..., output_kms_key=key_arn, \
        volume_kms_key=key_arn).run(outputs=[...]) sets the key for every output.",
    },
    references: &[
        Reference {
            title: "SageMaker API: ProcessingOutputConfig.KmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProcessingOutputConfig.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.5",
};

/// The check itself.
pub static CHECK: OutputCheck = OutputCheck {
    meta: &META,
    text: OutputText {
        protects: "processing outputs",
        without_key: "the processing outputs get the bucket's default S3 encryption",
    },
};
