//! `pipeline-step-volume-cmk`: a pipeline step names a customer-managed KMS key for the
//! volumes of the job it creates.

use crate::resource::{Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::volume::{VolumeCheck, VolumeText};
use crate::verdict::Severity;

/// Documentation of `pipeline-step-volume-cmk`.
pub static META: RuleMeta = RuleMeta {
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

/// The check itself.
pub static CHECK: VolumeCheck = VolumeCheck {
    meta: &META,
    text: VolumeText {
        protects: "volumes of the job the step creates",
        without_key: "SageMaker chooses the key for the volumes of the job the step creates",
    },
};
