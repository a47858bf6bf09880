//! `pipeline-step-output-cmk`: a pipeline step names a customer-managed KMS key for the S3
//! output of the job it creates.

use crate::resource::{Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::verdict::Severity;

/// Documentation of `pipeline-step-output-cmk`.
pub static META: RuleMeta = RuleMeta {
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

/// The check itself.
pub static CHECK: OutputCheck = OutputCheck {
    meta: &META,
    text: OutputText {
        protects: "outputs of the job the step creates",
        without_key: "the outputs of the job the step creates get the default S3 encryption",
    },
};
