//! `processing-volume-cmk`: processing volume is encrypted with a customer-managed KMS key.

use crate::resource::{Kind, Role};
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::volume::{VolumeCheck, VolumeText};
use crate::rules::RuleMeta;
use crate::verdict::Severity;

/// Documentation of `processing-volume-cmk`.
pub static META: RuleMeta = RuleMeta {
    id: "processing-volume-cmk",
    kind: Kind::Processing,
    role: Role::Volume,
    name: "ProcessingVolumeCustomerManagedKey",
    title: "Processing volume is encrypted with a customer-managed KMS key",
    description: "Checks ProcessingResources.ClusterConfig.VolumeKmsKeyId of each SageMaker processing \
        job. The storage volume of every processing instance holds the inputs copied from S3 \
        and the outputs before they are uploaded: often the raw data that feature \
        engineering or evaluation reads. The check passes when the field names an enabled \
        customer-managed KMS key in any form KMS accepts. It fails when the field is \
        missing, null or empty, names an alias/aws/* key, or KMS reports the key as \
        AWS-managed or not enabled. It does not apply when every instance type the job may \
        run on (InstanceType, SelectedInstanceType or every InstancePreferences entry) has \
        local NVMe instance storage, which AWS encrypts in hardware and where it accepts no \
        key.",
    risk: "Processing jobs prepare the data the models are trained on, so their volumes hold it \
        in full. Without a customer-managed key you cannot limit decryption through a key \
        policy, rotate on your schedule, audit each use in CloudTrail, or revoke access at \
        once.",
    remediation: Remediation {
        console: "Processing jobs cannot be changed. Re-run the job with a volume key: in SageMaker \
        Studio or through the API, create the processing job again with Volume KMS key set \
        to your customer-managed key under the cluster configuration, and retire the old \
        job's outputs once the new run has succeeded.",
        aws_cli: "aws sagemaker create-processing-job --processing-job-name NEW_NAME \
        --processing-resources \
        '{\"ClusterConfig\":{\"InstanceCount\":1,\"InstanceType\":\"ml.m5.xlarge\",\"VolumeSizeInGB\":30,\"VolumeKmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}}' \
        ... (the other arguments from aws sagemaker describe-processing-job \
        --processing-job-name OLD_NAME)",
        boto3: "boto3.client('sagemaker').create_processing_job(ProcessingJobName='new-name', \
        ProcessingResources={'ClusterConfig': {'InstanceCount': 1, 'InstanceType': \
        'ml.m5.xlarge', 'VolumeSizeInGB': 30, 'VolumeKmsKeyId': key_arn}}, ...) with the \
        other arguments copied from describe_processing_job.",
        python_sdk: "sagemaker.processing.Processor(..., volume_kms_key=key_arn, output_kms_key=key_arn) \
        (or ScriptProcessor, SKLearnProcessor and the framework processors, which take the \
        same arguments); in SageMaker Pipelines pass it to the ProcessingStep.",
    },
    references: &[
        Reference {
            title: "SageMaker API: ProcessingClusterConfig.VolumeKmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProcessingClusterConfig.html",
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
        protects: "processing volumes",
        without_key: "SageMaker chooses the key for the processing volumes",
    },
};
