//! `DescribeEdgePackagingJob`: SageMaker Edge Manager packages a model that a compilation job
//! compiled (SageMaker Neo) for the devices of an edge fleet. The job runs on an instance whose
//! EBS volume takes `ResourceKey` (botocore 1.44.8, `DescribeEdgePackagingJobResponse.ResourceKey`:
//! "the KMS key to use when encrypting the EBS volume the job run on") and writes the package
//! to `OutputConfig.S3OutputLocation` under `OutputConfig.KmsKeyId` (`EdgeOutputConfig`: without
//! a key, "the default KMS key for Amazon S3 for your role's account"). SageMaker picks the
//! instance; the API names no instance type, so no local-storage exception can be made.

use serde::Deserialize;

use super::{
    Api, At, Draft, Fields, KindDecl, Names, Scope, Settled, SlotDraft, Text, identity, resource,
};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::rules::volume::{VolumeCheck, VolumeText};
use crate::verdict::Severity;

/// Everything about edge packaging jobs.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::EdgePackaging,
    names: Names {
        resource_type: "edge-packaging-job",
        arn_resource: "edge-packaging-job",
        arn_nested: false,
        arn_id: false,
        noun: "Edge packaging job",
        plural: "edge packaging jobs",
    },
    api: Api {
        list: "ListEdgePackagingJobs",
        summaries: "EdgePackagingJobSummaries",
        describe: "DescribeEdgePackagingJob",
        name_field: "EdgePackagingJobName",
        marker: "EdgePackagingJobName",
        arn_field: "EdgePackagingJobArn",
        within: None,
    },
    unlisted: None,
    // botocore 1.44.8, sagemaker 2017-07-24: enum EdgePackagingJobStatus
    // (ListEdgePackagingJobs.StatusEquals), upper case like compilation jobs'.
    statuses: &[
        "STARTING",
        "INPROGRESS",
        "COMPLETED",
        "FAILED",
        "STOPPING",
        "STOPPED",
    ],
    settled: Settled::When {
        field: "EdgePackagingJobStatus",
        values: &["COMPLETED", "FAILED", "STOPPED"],
    },
    keys: &[VOLUME_KEY, OUTPUT_KEY],
    describe_fields: &["OutputConfig", "RoleArn", "ModelArtifact", "ModelSignature"],
    // The compilation job whose output it packages.
    refers_to: &["CompilationJobName"],
    // SageMaker Pipelines has no step that creates an edge packaging job.
    pipeline_steps: &[],
    creates: &["CreateEdgePackagingJob"],
    terraform: &[],
    // CloudFormation has no resource type for jobs.
    cloudformation: &[],
    parse,
    slots,
    checks: &[&VOLUME, &OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_edge_packaging_jobs, EdgePackagingJobStatus, edge_packaging_job_summaries,
        edge_packaging_job_name, edge_packaging_job_arn;
        describe_edge_packaging_job, edge_packaging_job_name
    ),
};

const VOLUME_KEY: &str = "ResourceKey";
const OUTPUT_KEY: &str = "OutputConfig.KmsKeyId";

/// `EdgeOutputConfig`: where the package goes and its key.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OutputConfig<'a> {
    #[serde(borrow)]
    s3_output_location: Option<Text<'a>>,
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<Text<'a>>>,
}

fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    // The volume key sits at the top level, so its parent is the document.
    let key = f.get::<Option<Text<'a>>>(VOLUME_KEY)?;
    let volume = SlotDraft::new(
        KeySlot::new(Role::Volume, VOLUME_KEY),
        key.as_ref(),
        None,
        scope,
    )?;
    let out = f.get::<OutputConfig<'a>>("OutputConfig")?;
    let output = SlotDraft::output(
        KeySlot::new(Role::Output, OUTPUT_KEY),
        "OutputConfig.S3OutputLocation",
        out.as_ref().map(|o| &o.value.s3_output_location),
        out.as_ref().map(|o| &o.value.kms_key_id),
        out.as_ref().map(|o| o.raw),
        scope,
    )?;
    Ok(vec![volume, output])
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::EdgePackaging)?;
    let mut r = resource(Kind::EdgePackaging, id);
    r.status = f.string("EdgePackagingJobStatus")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    Ok(Draft { resource: r, slots })
}

/// Documentation of `edge-packaging-volume-cmk`.
pub static VOLUME_META: RuleMeta = RuleMeta {
    id: "edge-packaging-volume-cmk",
    kind: Kind::EdgePackaging,
    role: Role::Volume,
    name: "EdgePackagingVolumeCustomerManagedKey",
    title: "Edge packaging volumes are encrypted with a customer-managed KMS key",
    description: "Checks ResourceKey of each SageMaker Edge Manager packaging job: the key of the \
        EBS volume of the instance that packages the compiled model for edge devices. The \
        check passes when the field names an enabled customer-managed KMS key (key id, key \
        ARN, alias or alias ARN, in any account). It fails when the field is missing, null or \
        empty (SageMaker then chooses the key), when it names an alias/aws/* key, or when KMS \
        reports the key as AWS-managed or not enabled. The API names no instance type for the \
        job, so no local-storage exception is made.",
    risk: "The volume holds the compiled model while it is signed and packaged. Under a key \
        SageMaker chooses you cannot restrict who may decrypt it through a key policy, audit \
        each use in CloudTrail, or make the data unreadable at once by disabling the key.",
    remediation: Remediation {
        console: "An edge packaging job cannot be changed, and the console sets no volume key: \
        create the job again through the API (CreateEdgePackagingJob) with ResourceKey set to \
        your customer-managed KMS key.",
        aws_cli: "aws sagemaker create-edge-packaging-job --edge-packaging-job-name NEW_NAME \
        --resource-key arn:aws:kms:REGION:ACCOUNT:key/KEY_ID ... (the other arguments as in \
        the original job, from aws sagemaker describe-edge-packaging-job)",
        boto3: "boto3.client('sagemaker').create_edge_packaging_job(\
        EdgePackagingJobName='new-name', ResourceKey=key_arn, ...) with the remaining \
        arguments copied from describe_edge_packaging_job of the old job.",
        python_sdk: "Model.package_for_edge() in the SageMaker Python SDK 2 takes resource_key: \
        pass your key ARN.",
        // No pipeline step creates an edge packaging job.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: CreateEdgePackagingJob",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEdgePackagingJob.html",
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
        protects: "edge packaging volumes",
        without_key: "SageMaker chooses the key for the edge packaging volume",
        // The API names no instance type for the job.
        nvme_exempt: false,
        no_instance: "",
    },
};

/// Documentation of `edge-packaging-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "edge-packaging-output-cmk",
    kind: Kind::EdgePackaging,
    role: Role::Output,
    name: "EdgePackagingOutputCustomerManagedKey",
    title: "Edge model packages are encrypted with a customer-managed KMS key",
    description: "Checks OutputConfig.KmsKeyId of each SageMaker Edge Manager packaging job. \
        SageMaker writes the packaged model to OutputConfig.S3OutputLocation and encrypts it \
        with this key. The check passes when the field names an enabled customer-managed KMS \
        key (key id, key ARN, alias or alias ARN, in any account). It fails when the field or \
        OutputConfig is missing, null or empty (SageMaker then uses the default KMS key for \
        S3 of the role's account, an AWS-managed key), when it names an alias/aws/* key, or \
        when KMS reports the key as AWS-managed or not enabled; and when the output location \
        is an S3 Express One Zone directory bucket, which takes no KMS key from SageMaker.",
    risk: "The package is the model as the devices will run it. Under an AWS-managed key \
        anyone allowed to read the bucket can read it; you cannot limit decryption through a \
        key policy of your own or revoke access at once by disabling the key.",
    remediation: Remediation {
        console: "An edge packaging job cannot be changed. Create the job again (Edge Manager \
        in the SageMaker console, or the API) with the output encryption key set to your \
        customer-managed KMS key, then re-encrypt or delete the old package in S3.",
        aws_cli: "aws sagemaker create-edge-packaging-job --edge-packaging-job-name NEW_NAME \
        --output-config '{\"S3OutputLocation\":\"s3://BUCKET/PREFIX/\",\
        \"KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' ... (the other arguments as \
        in the original job, from aws sagemaker describe-edge-packaging-job)",
        boto3: "boto3.client('sagemaker').create_edge_packaging_job(\
        EdgePackagingJobName='new-name', OutputConfig={'S3OutputLocation': \
        's3://bucket/prefix/', 'KmsKeyId': key_arn}, ...) with the remaining arguments copied \
        from describe_edge_packaging_job of the old job.",
        python_sdk: "Model.package_for_edge() in the SageMaker Python SDK 2 takes s3_kms_key: \
        pass your key ARN.",
        // No pipeline step creates an edge packaging job.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: EdgeOutputConfig",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_EdgeOutputConfig.html",
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
        protects: "edge model packages in S3",
        without_key: "SageMaker encrypts the package with the account's default (AWS-managed) \
            KMS key for S3",
    },
};
