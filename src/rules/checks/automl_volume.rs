//! `automl-volume-cmk`: autoML volumes are encrypted with a customer-managed KMS key.

use crate::resource::{Kind, Role};
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::volume::{VolumeCheck, VolumeText};
use crate::rules::RuleMeta;
use crate::verdict::Severity;

/// Documentation of `automl-volume-cmk`.
pub static META: RuleMeta = RuleMeta {
    id: "automl-volume-cmk",
    kind: Kind::AutoMl,
    role: Role::Volume,
    name: "AutomlVolumeCustomerManagedKey",
    title: "AutoML volumes are encrypted with a customer-managed KMS key",
    description: "Checks SecurityConfig.VolumeKmsKeyId of each SageMaker AutoML job \
        (AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId in V1 documents), the key for the \
        storage volumes of every processing and training job AutoML launches. AutoML chooses \
        the instances itself, so no instance type can make the check not applicable. It \
        passes when the field names an enabled customer-managed KMS key in any form KMS \
        accepts and fails when it is missing, null or empty, names an alias/aws/* key, or \
        KMS reports the key as AWS-managed or not enabled.",
    risk: "AutoML copies the whole dataset to the volumes of many candidate jobs. Without a \
        customer-managed key you cannot limit decryption through a key policy, rotate on \
        your schedule, audit each use, or revoke access at once.",
    remediation: Remediation {
        console: "AutoML jobs cannot be changed. Create the experiment again in SageMaker Canvas or \
        Studio with encryption settings (Advanced settings, Security, volume KMS key) set to \
        your customer-managed key.",
        aws_cli: "aws sagemaker create-auto-ml-job-v2 --auto-ml-job-name NEW_NAME --security-config \
        '{\"VolumeKmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' ... (the other \
        arguments from aws sagemaker describe-auto-ml-job-v2 --auto-ml-job-name OLD_NAME)",
        boto3: "boto3.client('sagemaker').create_auto_ml_job_v2(AutoMLJobName='new-name', \
        SecurityConfig={'VolumeKmsKeyId': key_arn}, ...) with the other arguments copied \
        from describe_auto_ml_job_v2.",
        python_sdk: "sagemaker.automl.automlv2.AutoMLV2(problem_config=..., volume_kms_key=key_arn, \
        output_kms_key=key_arn, ...).fit(inputs) in SageMaker Python SDK v2.",
    },
    references: &[
        Reference {
            title: "SageMaker API: AutoMLSecurityConfig.VolumeKmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_AutoMLSecurityConfig.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.5",
};

/// The check itself.
pub static CHECK: VolumeCheck = VolumeCheck {
    meta: &META,
    text: VolumeText {
        protects: "AutoML volumes",
        without_key: "SageMaker chooses the key for the volumes of the AutoML job",
    },
};
