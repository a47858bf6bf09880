//! `automl-output-cmk`: autoML outputs are encrypted with a customer-managed KMS key.

use crate::resource::{Kind, Role};
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::rules::RuleMeta;
use crate::verdict::Severity;

/// Documentation of `automl-output-cmk`.
pub static META: RuleMeta = RuleMeta {
    id: "automl-output-cmk",
    kind: Kind::AutoMl,
    role: Role::Output,
    name: "AutomlOutputCustomerManagedKey",
    title: "AutoML outputs are encrypted with a customer-managed KMS key",
    description: "Checks OutputDataConfig.KmsKeyId of each SageMaker AutoML job, the key for the \
        candidate models, notebooks and data splits AutoML writes to S3. The check passes \
        when the field names an enabled customer-managed KMS key in any form KMS accepts. It \
        fails when the field is missing, null or empty (the outputs then get the bucket's \
        default encryption), names an alias/aws/* key, or KMS reports the key as AWS-managed \
        or not enabled, and when the output goes to an S3 Express One Zone directory bucket.",
    risk: "AutoML writes many candidate models and copies of the data splits; without a \
        customer-managed key they are readable with S3 read access alone and you control no \
        key policy, rotation or revocation.",
    remediation: Remediation {
        console: "Create the AutoML experiment again in SageMaker Canvas or Studio with the output \
        encryption key set to your customer-managed key, then re-encrypt or delete the old \
        outputs in S3.",
        aws_cli: "aws sagemaker create-auto-ml-job-v2 --auto-ml-job-name NEW_NAME --output-data-config \
        '{\"S3OutputPath\":\"s3://BUCKET/PREFIX/\",\"KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' \
        ...",
        boto3: "boto3.client('sagemaker').create_auto_ml_job_v2(AutoMLJobName='new-name', \
        OutputDataConfig={'S3OutputPath': 's3://bucket/prefix/', 'KmsKeyId': key_arn}, ...)",
        python_sdk: "sagemaker.automl.automlv2.AutoMLV2(problem_config=..., \
        output_path='s3://bucket/prefix/', output_kms_key=key_arn, \
        volume_kms_key=key_arn).fit(inputs) in SageMaker Python SDK v2.",
    },
    references: &[
        Reference {
            title: "SageMaker API: AutoMLOutputDataConfig.KmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_AutoMLOutputDataConfig.html",
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
        protects: "AutoML outputs",
        without_key: "the AutoML outputs get the bucket's default S3 encryption",
    },
};
