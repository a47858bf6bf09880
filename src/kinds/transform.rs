//! `DescribeTransformJob`: the volume key in `TransformResources`, the output key in
//! `TransformOutput`, and, when data capture is configured, `DataCaptureConfig`'s key.

use serde::Deserialize;

use super::{
    Api, At, Draft, Fields, KindDecl, Names, Scope, Settled, SlotDraft, Text, distinct_types,
    identity, resource,
};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::rules::volume::{VolumeCheck, VolumeText};
use crate::verdict::Severity;

/// Everything about batch transform jobs.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::Transform,
    names: Names {
        resource_type: "transform-job",
        arn_resource: "transform-job",
        arn_nested: false,
        arn_id: false,
        noun: "Batch transform job",
        plural: "batch transform jobs",
    },
    api: Api {
        list: "ListTransformJobs",
        summaries: "TransformJobSummaries",
        describe: "DescribeTransformJob",
        name_field: "TransformJobName",
        marker: "TransformJobName",
        arn_field: "TransformJobArn",
        within: None,
    },
    unlisted: None,
    // botocore 1.44.8, sagemaker 2017-07-24: enum TransformJobStatus (ListTransformJobs.StatusEquals).
    statuses: &["InProgress", "Completed", "Failed", "Stopping", "Stopped"],
    settled: Settled::When {
        field: "TransformJobStatus",
        values: &["Completed", "Failed", "Stopped"],
    },
    keys: &[
        "TransformResources.VolumeKmsKeyId",
        "TransformOutput.KmsKeyId",
        "DataCaptureConfig.KmsKeyId",
    ],
    describe_fields: &[
        "TransformResources",
        "TransformInput",
        "TransformOutput",
        "ModelName",
    ],
    refers_to: &[],
    pipeline_steps: &["Transform"],
    creates: &["CreateTransformJob"],
    terraform: &[],
    // CloudFormation has no resource type for jobs.
    cloudformation: &[],
    parse,
    slots,
    checks: &[&VOLUME, &OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_transform_jobs, TransformJobStatus, transform_job_summaries, transform_job_name, transform_job_arn;
        describe_transform_job, transform_job_name
    ),
};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TransformResources<'a> {
    #[serde(borrow)]
    instance_type: Option<Text<'a>>,
    #[serde(borrow, default)]
    volume_kms_key_id: At<'a, Option<Text<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TransformOutput<'a> {
    #[serde(borrow)]
    s3_output_path: Option<Text<'a>>,
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<Text<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DataCapture<'a> {
    #[serde(borrow)]
    destination_s3_uri: Option<Text<'a>>,
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<Text<'a>>>,
}

fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let res = f.get::<TransformResources<'a>>("TransformResources")?;
    let mut volume = KeySlot::new(Role::Volume, "TransformResources.VolumeKmsKeyId");
    if let Some(r) = &res {
        volume.instance_types =
            scope.types("TransformResources.InstanceType", &r.value.instance_type)?;
    }
    let mut slots = vec![SlotDraft::new(
        volume,
        res.as_ref().map(|r| &r.value.volume_kms_key_id),
        res.as_ref().map(|r| r.raw),
        scope,
    )?];
    let out = f.get::<TransformOutput<'a>>("TransformOutput")?;
    slots.push(SlotDraft::output(
        KeySlot::new(Role::Output, "TransformOutput.KmsKeyId"),
        "TransformOutput.S3OutputPath",
        out.as_ref().map(|o| &o.value.s3_output_path),
        out.as_ref().map(|o| &o.value.kms_key_id),
        out.as_ref().map(|o| o.raw),
        scope,
    )?);
    if let Some(capture) = f.get::<Option<DataCapture<'a>>>("DataCaptureConfig")?
        && let Some(c) = &capture.value
    {
        let mut slot = KeySlot::new(Role::Output, "DataCaptureConfig.KmsKeyId");
        slot.part = Some("data capture".to_owned());
        slots.push(SlotDraft::output(
            slot,
            "DataCaptureConfig.DestinationS3Uri",
            Some(&c.destination_s3_uri),
            Some(&c.kms_key_id),
            Some(capture.raw),
            scope,
        )?);
    }
    Ok(slots)
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::Transform)?;
    let mut r = resource(Kind::Transform, id);
    r.status = f.string("TransformJobStatus")?;
    r.creation_time = f.time("CreationTime")?;
    // DescribeTransformJob has no LastModifiedTime; the end time is the last change.
    r.last_modified_time = f.time("TransformEndTime")?.or(r.creation_time);
    let slots = slots(f, Scope::Describe)?;
    r.instance_types = distinct_types(&slots);
    Ok(Draft { resource: r, slots })
}

/// Documentation of `transform-volume-cmk`.
pub static VOLUME_META: RuleMeta = RuleMeta {
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
        pipeline: "Set TransformResources.VolumeKmsKeyId in the Transform step's Arguments (volume_kms_key= \
        on the Transformer passed to TransformStep), then update the pipeline.",
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

/// The volume check.
pub static VOLUME: VolumeCheck = VolumeCheck {
    meta: &VOLUME_META,
    text: VolumeText {
        protects: "transform volumes",
        without_key: "SageMaker chooses the key for the transform volumes",
        nvme_exempt: true,
        no_instance: "",
    },
};

/// Documentation of `transform-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
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
        pipeline: "Set TransformOutput.KmsKeyId (and DataCaptureConfig.KmsKeyId when the step captures \
        data) in the Transform step's Arguments (output_kms_key= on the Transformer), then \
        update the pipeline.",
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

/// The output check.
pub static OUTPUT: OutputCheck = OutputCheck {
    meta: &OUTPUT_META,
    text: OutputText {
        protects: "transform outputs",
        without_key: "SageMaker uses the default S3 key of the role's account for the transform outputs",
    },
};
