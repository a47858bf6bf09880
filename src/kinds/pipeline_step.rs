//! A step of a SageMaker Pipeline that creates a job: not a registered kind (its job kind's
//! parser reads its arguments), but judged by checks of its own.

use super::Api;
use crate::resource::{Kind, Role};
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::rules::volume::{VolumeCheck, VolumeText};
use crate::rules::{Check, RuleMeta};
use crate::verdict::Severity;

/// How pipelines are listed and described live (their steps are then read from the
/// definition). `ListPipelines` filters by creation time only: pipelines have no status.
pub static API: Api = Api {
    list: "ListPipelines",
    summaries: "PipelineSummaries",
    describe: "DescribePipeline",
    name_field: "PipelineName",
    arn_field: "PipelineArn",
};

/// The checks of pipeline steps, in report order.
pub static CHECKS: &[&dyn Check] = &[&VOLUME, &OUTPUT];

/// Documentation of `pipeline-step-volume-cmk`.
pub static VOLUME_META: RuleMeta = RuleMeta {
    id: "pipeline-step-volume-cmk",
    kind: Kind::Pipeline,
    role: Role::Volume,
    name: "PipelineStepVolumeCustomerManagedKey",
    title: "Pipeline steps give the jobs they create a customer-managed volume key",
    description: "Checks, in a SageMaker Pipeline definition, the volume key of every step that creates \
        a job: Arguments.ResourceConfig.VolumeKmsKeyId of Training steps, \
        Arguments.ProcessingResources.ClusterConfig.VolumeKmsKeyId of Processing, QualityCheck \
        and ClarifyCheck steps, Arguments.TransformResources.VolumeKmsKeyId of Transform steps, \
        each training job definition's key in Tuning steps and \
        Arguments.AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId of AutoML steps, Condition steps \
        included. It judges the key the job will get before the job exists: a key written in \
        the definition as for a job; a pipeline parameter by its default (an execution may \
        pass another); a parameter without a default fails, since the job gets no key unless \
        every execution passes one; a value known only at run time passes as UNVERIFIED with \
        the expression shown. It does not apply when every instance type the step asks for has \
        local NVMe storage.",
    risk: "A step without a customer-managed volume key creates, on every pipeline run, a job \
        whose instance volumes hold its data under a key you do not control. Fixed in the \
        definition, no such job is ever created; found only on the jobs, each run has already \
        written its data.",
    remediation: Remediation {
        console: "In SageMaker Studio open Pipelines, select the pipeline and its latest version, and \
        edit the step (or the code that builds the definition): set the volume KMS key of the \
        job it creates to your customer-managed key, or to a pipeline parameter whose default \
        is that key, then save a new pipeline version.",
        aws_cli: "aws sagemaker update-pipeline --pipeline-name NAME --pipeline-definition \
        file://definition.json, where each job step's Arguments carry the volume key, for \
        example \"ResourceConfig\": {..., \"VolumeKmsKeyId\": \
        \"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}",
        boto3: "boto3.client('sagemaker').update_pipeline(PipelineName=name, \
        PipelineDefinition=json.dumps(definition)) after setting the volume key in each job \
        step's Arguments, or regenerate the definition with the SageMaker Python SDK.",
        python_sdk: "Build the step's estimator, processor, transformer or tuner with \
        volume_kms_key=key (a string, or a ParameterString with the key as default_value) \
        before passing it to TrainingStep, ProcessingStep, TransformStep or TuningStep, then \
        pipeline.upsert(role_arn=role).",
    },
    references: &[
        Reference {
            title: "SageMaker Pipelines: pipeline definition JSON schema",
            url: "https://github.com/aws-sagemaker-mlops/sagemaker-model-building-pipeline-definition-JSON-schema",
        },
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

/// The volume check.
pub static VOLUME: VolumeCheck = VolumeCheck {
    meta: &VOLUME_META,
    text: VolumeText {
        protects: "volumes of the job the step creates",
        without_key: "SageMaker chooses the key for the volumes of the job the step creates",
    },
};

/// Documentation of `pipeline-step-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "pipeline-step-output-cmk",
    kind: Kind::Pipeline,
    role: Role::Output,
    name: "PipelineStepOutputCustomerManagedKey",
    title: "Pipeline steps give the jobs they create a customer-managed output key",
    description: "Checks, in a SageMaker Pipeline definition, the output key of every step that \
        creates a job: Arguments.OutputDataConfig.KmsKeyId of Training and AutoML steps, \
        Arguments.ProcessingOutputConfig.KmsKeyId of Processing steps (or each output's key in \
        QualityCheck and ClarifyCheck steps), Arguments.TransformOutput.KmsKeyId and \
        Arguments.DataCaptureConfig.KmsKeyId of Transform steps, and each training job \
        definition's key in Tuning steps, Condition steps included. Keys are judged as for \
        jobs; a pipeline parameter by its default (an execution may pass another); a \
        parameter without a default fails; a value known only at run time passes as \
        UNVERIFIED with the expression shown. Output to an S3 Express One Zone directory \
        bucket fails; a Processing step with no S3 output is not applicable.",
    risk: "Every run of a step without a customer-managed output key writes models, datasets or \
        predictions to S3 under a key you do not control. Fixed in the definition, the data is \
        never written that way.",
    remediation: Remediation {
        console: "In SageMaker Studio open Pipelines, select the pipeline and edit the step (or the \
        code that builds the definition): set the output KMS key of the job it creates to your \
        customer-managed key, or to a pipeline parameter whose default is that key, then save a \
        new pipeline version.",
        aws_cli: "aws sagemaker update-pipeline --pipeline-name NAME --pipeline-definition \
        file://definition.json, where each job step's Arguments carry the output key, for \
        example \"OutputDataConfig\": {\"S3OutputPath\": \"s3://BUCKET/PREFIX/\", \
        \"KmsKeyId\": \"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}",
        boto3: "boto3.client('sagemaker').update_pipeline(PipelineName=name, \
        PipelineDefinition=json.dumps(definition)) after setting the output key in each job \
        step's Arguments, or regenerate the definition with the SageMaker Python SDK.",
        python_sdk: "Build the step's estimator, processor, transformer, tuner or AutoML object with \
        output_kms_key=key (a string, or a ParameterString with the key as default_value) before \
        passing it to its step, then pipeline.upsert(role_arn=role).",
    },
    references: &[
        Reference {
            title: "SageMaker Pipelines: pipeline definition JSON schema",
            url: "https://github.com/aws-sagemaker-mlops/sagemaker-model-building-pipeline-definition-JSON-schema",
        },
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

/// The output check.
pub static OUTPUT: OutputCheck = OutputCheck {
    meta: &OUTPUT_META,
    text: OutputText {
        protects: "outputs of the job the step creates",
        without_key: "the outputs of the job the step creates get the default S3 encryption",
    },
};
