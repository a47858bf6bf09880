//! `transform-output-cmk`: batch transform output and captured data are encrypted with a customer-managed KMS key.

use crate::resource::{Kind, Role};
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::rules::RuleMeta;
use crate::verdict::Severity;

/// Documentation of `transform-output-cmk`.
pub static META: RuleMeta = RuleMeta {
    id: "transform-output-cmk",
    kind: Kind::Transform,
    role: Role::Output,
    name: "TransformOutputCustomerManagedKey",
    title: "Batch transform output and captured data are encrypted with a customer-managed KMS \
        key",
    description: "Checks TransformOutput.KmsKeyId of each SageMaker batch transform job, the key for \
        the predictions it writes to S3, and, when data capture is configured, \
        DataCaptureConfig.KmsKeyId, the key for the captured inputs and outputs (one finding \
        each). The check passes when the field names an enabled customer-managed KMS key in \
        any form KMS accepts. It fails when the field is missing, null or empty (SageMaker \
        then uses the account's default S3 key), names an alias/aws/* key, or KMS reports \
        the key as AWS-managed or not enabled, and when the output goes to an S3 Express One \
        Zone directory bucket.",
    risk: "Predictions and captured records are derived from, and often contain, the scored \
        data. Without a customer-managed key anyone with S3 read access can read them, and \
        there is no key policy, rotation or revocation under your control.",
    remediation: Remediation {
        console: "Transform jobs cannot be changed. Clone the job in the SageMaker console (Inference \
        > Batch transform jobs), set the Output data configuration's encryption key (and the \
        data capture key, if you capture) to your customer-managed key, and re-encrypt or \
        delete the old output.",
        aws_cli: "aws sagemaker create-transform-job --transform-job-name NEW_NAME --transform-output \
        '{\"S3OutputPath\":\"s3://BUCKET/PREFIX/\",\"KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' \
        --data-capture-config \
        '{\"DestinationS3Uri\":\"s3://BUCKET/capture/\",\"KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' \
        ... (the other arguments from aws sagemaker describe-transform-job)",
        boto3: "boto3.client('sagemaker').create_transform_job(TransformJobName='new-name', \
        TransformOutput={'S3OutputPath': 's3://bucket/prefix/', 'KmsKeyId': key_arn}, \
        DataCaptureConfig={'DestinationS3Uri': 's3://bucket/capture/', 'KmsKeyId': key_arn}, \
        ...)",
        python_sdk: "model.transformer(..., output_kms_key=key_arn, \
        volume_kms_key=key_arn).transform(data, \
        batch_data_capture_config=BatchDataCaptureConfig(destination_s3_uri='s3://bucket/capture/', \
        kms_key_id=key_arn)).",
    },
    references: &[
        Reference {
            title: "SageMaker API: TransformOutput.KmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_TransformOutput.html",
        },
        Reference {
            title: "SageMaker API: BatchDataCaptureConfig.KmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_BatchDataCaptureConfig.html",
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
        protects: "transform outputs",
        without_key: "SageMaker uses the default S3 key of the role's account for the transform outputs",
    },
};
