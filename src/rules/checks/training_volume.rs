//! `training-volume-cmk`: training volume is encrypted with a customer-managed KMS key.

use crate::resource::{Kind, Role};
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::volume::{VolumeCheck, VolumeText};
use crate::rules::RuleMeta;
use crate::verdict::Severity;

/// Documentation of `training-volume-cmk`.
pub static META: RuleMeta = RuleMeta {
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

/// The check itself.
pub static CHECK: VolumeCheck = VolumeCheck {
    meta: &META,
    text: VolumeText {
        protects: "training volumes",
        without_key: "SageMaker encrypts the training volumes with a transient key it discards",
    },
};
