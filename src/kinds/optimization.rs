//! `DescribeOptimizationJob`: SageMaker's inference optimization (quantization, speculative
//! decoding, compilation) turns a model into one that serves faster on `DeploymentInstanceType`
//! and uploads the optimized model's artifacts to `OutputConfig.S3OutputLocation` under
//! `OutputConfig.KmsKeyId` (botocore 1.44.8, `OptimizationJobOutputConfig.KmsKeyId`: "SageMaker
//! uses the key to encrypt the artifacts of the optimized model when SageMaker uploads the model
//! to Amazon S3"). An optimization job has no volume key: botocore's model gives its request and
//! response none (SageMaker runs the job on instances it manages; `DeploymentInstanceType` is
//! where the optimized model will be hosted, not where the job runs), so its only slot is the
//! output.

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

/// Everything about optimization jobs.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::Optimization,
    names: Names {
        resource_type: "optimization-job",
        arn_resource: "optimization-job",
        arn_nested: false,
        arn_id: false,
        noun: "Inference optimization job",
        plural: "inference optimization jobs",
    },
    api: Api {
        list: "ListOptimizationJobs",
        summaries: "OptimizationJobSummaries",
        describe: "DescribeOptimizationJob",
        name_field: "OptimizationJobName",
        marker: "OptimizationJobName",
        arn_field: "OptimizationJobArn",
        within: None,
    },
    unlisted: None,
    // botocore 1.44.8, sagemaker 2017-07-24: enum OptimizationJobStatus
    // (ListOptimizationJobs.StatusEquals), upper case like compilation jobs'.
    statuses: &[
        "INPROGRESS",
        "COMPLETED",
        "FAILED",
        "STARTING",
        "STOPPING",
        "STOPPED",
    ],
    settled: Settled::When {
        field: "OptimizationJobStatus",
        values: &["COMPLETED", "FAILED", "STOPPED"],
    },
    keys: &["OutputConfig.KmsKeyId"],
    describe_fields: &[
        "ModelSource",
        "DeploymentInstanceType",
        "OptimizationConfigs",
        "OutputConfig",
        "RoleArn",
        "StoppingCondition",
    ],
    refers_to: &[],
    // SageMaker Pipelines has no step that creates an optimization job.
    pipeline_steps: &[],
    creates: &["CreateOptimizationJob"],
    terraform: &[],
    // CloudFormation has no resource type for jobs.
    cloudformation: &[],
    parse,
    slots,
    checks: &[&OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_optimization_jobs, OptimizationJobStatus, optimization_job_summaries,
        optimization_job_name, optimization_job_arn;
        describe_optimization_job, optimization_job_name
    ),
};

/// `OptimizationJobOutputConfig`: where the optimized model goes and its key.
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
    let id = identity(f, Kind::Optimization)?;
    let mut r = resource(Kind::Optimization, id);
    r.status = f.string("OptimizationJobStatus")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    Ok(Draft { resource: r, slots })
}

/// Documentation of `optimization-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "optimization-output-cmk",
    kind: Kind::Optimization,
    role: Role::Output,
    name: "OptimizationOutputCustomerManagedKey",
    title: "Optimized models are encrypted with a customer-managed KMS key",
    description: "Checks OutputConfig.KmsKeyId of each SageMaker inference optimization job. \
        SageMaker encrypts the optimized model's artifacts it uploads to \
        OutputConfig.S3OutputLocation with this key. The check passes when the field names an \
        enabled customer-managed KMS key (key id, key ARN, alias or alias ARN, in any \
        account). It fails when the field is missing, null or empty (the artifacts then get \
        whatever default encryption the bucket has, which the job does not choose), when it names an alias/aws/* \
        key, or when KMS reports the key as AWS-managed or not enabled; and when the output \
        location is an S3 Express One Zone directory bucket, which takes no KMS key from \
        SageMaker. An optimization job has no storage volume key to check: the API has no such \
        field.",
    risk: "An optimized model is the trained model, quantized or compiled, often with a draft \
        model for speculative decoding: it carries what the model learnt and is what gets \
        deployed. Without a key of your own you cannot limit who may decrypt it through a key \
        policy, audit each use in CloudTrail, or revoke access at once by disabling the key.",
    remediation: Remediation {
        console: "An optimization job cannot be changed. In SageMaker Studio open the model \
        (JumpStart, or Models > Deployable models), choose Optimize, and under Output set the \
        encryption key to your customer-managed KMS key; or create the job again with the API. \
        Then re-encrypt or delete the old optimized model in S3.",
        aws_cli: "aws sagemaker create-optimization-job --optimization-job-name NEW_NAME \
        --output-config '{\"S3OutputLocation\":\"s3://BUCKET/PREFIX/\",\
        \"KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' ... (the other arguments as \
        in the original job, from aws sagemaker describe-optimization-job)",
        boto3: "boto3.client('sagemaker').create_optimization_job(OptimizationJobName='new-name', \
        OutputConfig={'S3OutputLocation': 's3://bucket/prefix/', 'KmsKeyId': key_arn}, ...) \
        with the remaining arguments copied from describe_optimization_job of the old job.",
        python_sdk: "ModelBuilder.optimize(..., output_path='s3://bucket/prefix/', \
        kms_key=key_arn) in the SageMaker Python SDK 2 sets OutputConfig.KmsKeyId.",
        // No pipeline step creates an optimization job.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: OptimizationJobOutputConfig",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_OptimizationJobOutputConfig.html",
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
        protects: "optimized model artifacts in S3",
        without_key: "the optimized model's artifacts get the bucket's default encryption",
    },
};
