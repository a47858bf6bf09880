//! `DescribeCompilationJob`: SageMaker Neo compiles a model for a target device or platform
//! and writes the compiled model to S3 under `OutputConfig.KmsKeyId`. A compilation job has no
//! volume key: botocore's model gives its request and response none (SageMaker runs the
//! compiler on instances it manages), so its only slot is the output.

use serde::Deserialize;

use super::{
    Api, At, Draft, Fields, KindDecl, Names, Scope, Settled, SlotDraft, Text, identity, resource,
};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::verdict::Severity;

/// Everything about compilation jobs.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::Compilation,
    names: Names {
        resource_type: "compilation-job",
        arn_resource: "compilation-job",
        arn_nested: false,
        arn_id: false,
        noun: "Compilation job",
        plural: "compilation jobs",
    },
    api: Api {
        list: "ListCompilationJobs",
        summaries: "CompilationJobSummaries",
        describe: "DescribeCompilationJob",
        name_field: "CompilationJobName",
        marker: "CompilationJobName",
        arn_field: "CompilationJobArn",
        within: None,
    },
    unlisted: None,
    // botocore 1.44.8, sagemaker 2017-07-24: enum CompilationJobStatus
    // (ListCompilationJobs.StatusEquals), upper case unlike the other jobs'.
    statuses: &[
        "INPROGRESS",
        "COMPLETED",
        "FAILED",
        "STARTING",
        "STOPPING",
        "STOPPED",
    ],
    settled: Settled::When {
        field: "CompilationJobStatus",
        values: &["COMPLETED", "FAILED", "STOPPED"],
    },
    keys: &["OutputConfig.KmsKeyId"],
    describe_fields: &[
        "OutputConfig",
        "InputConfig",
        "RoleArn",
        "StoppingCondition",
        "ModelArtifacts",
    ],
    refers_to: &[],
    // SageMaker Pipelines has no step that creates a compilation job.
    pipeline_steps: &[],
    creates: &["CreateCompilationJob"],
    terraform: &[],
    // CloudFormation has no resource type for jobs.
    cloudformation: &[],
    parse,
    slots,
    checks: &[&OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_compilation_jobs, CompilationJobStatus, compilation_job_summaries,
        compilation_job_name, compilation_job_arn;
        describe_compilation_job, compilation_job_name
    ),
};

/// `OutputConfig`: where the compiled model goes and its key.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OutputConfig<'a> {
    #[serde(borrow)]
    s3_output_location: Option<Text<'a>>,
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<Text<'a>>>,
}

fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let out = f.get::<OutputConfig<'a>>("OutputConfig")?;
    Ok(vec![SlotDraft::output(
        KeySlot::new(Role::Output, "OutputConfig.KmsKeyId"),
        "OutputConfig.S3OutputLocation",
        out.as_ref().map(|o| &o.value.s3_output_location),
        out.as_ref().map(|o| &o.value.kms_key_id),
        out.as_ref().map(|o| o.raw),
        scope,
    )?])
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::Compilation)?;
    let mut r = resource(Kind::Compilation, id);
    r.status = f.string("CompilationJobStatus")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    Ok(Draft { resource: r, slots })
}

/// Documentation of `compilation-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "compilation-output-cmk",
    kind: Kind::Compilation,
    role: Role::Output,
    name: "CompilationOutputCustomerManagedKey",
    title: "Compiled models are encrypted with a customer-managed KMS key",
    description: "Checks OutputConfig.KmsKeyId of each SageMaker Neo compilation job. SageMaker \
        encrypts the compiled model it writes to OutputConfig.S3OutputLocation with this key, \
        using S3 server-side encryption. The check passes when the field names an enabled \
        customer-managed KMS key (key id, key ARN, alias or alias ARN, in any account). It \
        fails when the field or OutputConfig is missing, null or empty (SageMaker then uses \
        the account's default KMS key for S3, an AWS-managed key), when it names an \
        alias/aws/* key, or when KMS reports the key as AWS-managed or not enabled; and when \
        the output location is an S3 Express One Zone directory bucket, which takes no KMS \
        key from SageMaker. A compilation job has no storage volume key to check: the API \
        has no such field.",
    risk: "A compiled model is the trained model in another form: it carries what the model \
        learnt from its data and is what gets deployed to devices and endpoints. Under an \
        AWS-managed key, anyone allowed to read the bucket can read it; you cannot limit \
        decryption through a key policy of your own, choose its rotation, or revoke access \
        at once by disabling the key.",
    remediation: Remediation {
        console: "A compilation job cannot be changed. In the SageMaker console open Inference > \
        Compilation jobs, select the job and choose Clone; under Output configuration set \
        Encryption key to your customer-managed KMS key (not aws/s3), create the job, then \
        re-encrypt or delete the old compiled model in S3. The job's role needs kms:Encrypt \
        and kms:GenerateDataKey on the key.",
        aws_cli: "aws sagemaker create-compilation-job --compilation-job-name NEW_NAME \
        --output-config '{\"S3OutputLocation\":\"s3://BUCKET/PREFIX/\",\"TargetDevice\":\"ml_c5\",\
        \"KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' ... (the other arguments as \
        in the original job, from aws sagemaker describe-compilation-job)",
        boto3: "boto3.client('sagemaker').create_compilation_job(CompilationJobName='new-name', \
        OutputConfig={'S3OutputLocation': 's3://bucket/prefix/', 'TargetDevice': 'ml_c5', \
        'KmsKeyId': key_arn}, ...) with the remaining arguments copied from \
        describe_compilation_job of the old job.",
        python_sdk: "Model.compile() and Estimator.compile_model() take no key argument in the \
        SageMaker Python SDK 2: set SageMaker.CompilationJob.OutputConfig.KmsKeyId to your key \
        in the SDK's admin or user configuration file (config.yaml), which the SDK adds to \
        every compilation job it creates, then compile again.",
        // No pipeline step creates a compilation job.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: OutputConfig.KmsKeyId (compilation jobs)",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_OutputConfig.html",
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
        protects: "compiled models in S3",
        without_key: "SageMaker encrypts the compiled model with the account's default \
            (AWS-managed) KMS key for S3",
    },
};
