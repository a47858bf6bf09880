//! `training-output-cmk`: training output artifacts are encrypted with a customer-managed KMS key.

use crate::resource::{Kind, Role};
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::rules::RuleMeta;
use crate::verdict::Severity;

/// Documentation of `training-output-cmk`.
pub static META: RuleMeta = RuleMeta {
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

/// The check itself.
pub static CHECK: OutputCheck = OutputCheck {
    meta: &META,
    text: OutputText {
        protects: "model artifacts in S3",
        without_key: "the model artifacts get the account's default S3 encryption",
    },
};
