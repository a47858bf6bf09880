//! `transform-volume-cmk`: batch transform volume is encrypted with a customer-managed KMS key.

use crate::resource::{Kind, Role};
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::volume::{VolumeCheck, VolumeText};
use crate::rules::RuleMeta;
use crate::verdict::Severity;

/// Documentation of `transform-volume-cmk`.
pub static META: RuleMeta = RuleMeta {
    id: "transform-volume-cmk",
    kind: Kind::Transform,
    role: Role::Volume,
    name: "TransformVolumeCustomerManagedKey",
    title: "Batch transform volume is encrypted with a customer-managed KMS key",
    description: "Checks TransformResources.VolumeKmsKeyId of each SageMaker batch transform job. The \
        storage volume of the transform instances holds the model and the records being \
        scored. The check passes when the field names an enabled customer-managed KMS key in \
        any form KMS accepts. It fails when the field is missing, null or empty, names an \
        alias/aws/* key, or KMS reports the key as AWS-managed or not enabled. It does not \
        apply when the job's instance type has local NVMe instance storage, which AWS \
        encrypts in hardware and where it accepts no key.",
    risk: "Batch transform reads whole datasets through the instances' volumes, often \
        production data. Without a customer-managed key you cannot limit decryption through \
        a key policy, rotate on your schedule, audit each use, or revoke access at once.",
    remediation: Remediation {
        console: "Transform jobs cannot be changed. In the SageMaker console open Inference > Batch \
        transform jobs, select the job and choose Clone; under Resource configuration set \
        Volume KMS key to your customer-managed key and create the job.",
        aws_cli: "aws sagemaker create-transform-job --transform-job-name NEW_NAME \
        --transform-resources \
        '{\"InstanceType\":\"ml.m5.xlarge\",\"InstanceCount\":1,\"VolumeKmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' \
        ... (the other arguments from aws sagemaker describe-transform-job \
        --transform-job-name OLD_NAME)",
        boto3: "boto3.client('sagemaker').create_transform_job(TransformJobName='new-name', \
        TransformResources={'InstanceType': 'ml.m5.xlarge', 'InstanceCount': 1, \
        'VolumeKmsKeyId': key_arn}, ...) with the other arguments copied from \
        describe_transform_job.",
        python_sdk: "model.transformer(instance_count=1, instance_type='ml.m5.xlarge', \
        volume_kms_key=key_arn, output_kms_key=key_arn).transform(data) (sagemaker \
        Transformer takes the same arguments); in SageMaker Pipelines pass the transformer \
        to the TransformStep.",
    },
    references: &[
        Reference {
            title: "SageMaker API: TransformResources.VolumeKmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_TransformResources.html",
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
        protects: "transform volumes",
        without_key: "SageMaker chooses the key for the transform volumes",
    },
};
