//! `tuning-output-cmk`: hyperparameter tuning model artifacts are encrypted with a customer-managed KMS key.

use crate::resource::{Kind, Role};
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::rules::RuleMeta;
use crate::verdict::Severity;

/// Documentation of `tuning-output-cmk`.
pub static META: RuleMeta = RuleMeta {
    id: "tuning-output-cmk",
    kind: Kind::Tuning,
    role: Role::Output,
    name: "TuningOutputCustomerManagedKey",
    title: "Hyperparameter tuning model artifacts are encrypted with a customer-managed KMS key",
    description: "Checks OutputDataConfig.KmsKeyId of every training job definition of each SageMaker \
        hyperparameter tuning job, one finding per definition: the key for the model \
        artifacts of every training job the tuner launches. The check passes when the field \
        names an enabled customer-managed KMS key in any form KMS accepts. It fails when the \
        field is missing, null or empty (the artifacts then get the account's default S3 \
        encryption), names an alias/aws/* key, or KMS reports the key as AWS-managed or not \
        enabled, and when the output goes to an S3 Express One Zone directory bucket.",
    risk: "A tuning job leaves one set of model artifacts per training job it runs, each of \
        which can memorise its training data. Without a customer-managed key, all of them \
        are readable with S3 read access alone.",
    remediation: Remediation {
        console: "Clone the tuning job in the SageMaker console (Training > Hyperparameter tuning \
        jobs) and set the output encryption key of each training job definition to your \
        customer-managed key; re-encrypt or delete the old artifacts.",
        aws_cli: "aws sagemaker create-hyper-parameter-tuning-job ... --training-job-definition \
        file://definition.json, where definition.json has \"OutputDataConfig\": \
        {\"S3OutputPath\": \"s3://BUCKET/PREFIX/\", \"KmsKeyId\": \
        \"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}",
        boto3: "boto3.client('sagemaker').create_hyper_parameter_tuning_job(..., \
        TrainingJobDefinition={..., 'OutputDataConfig': {'S3OutputPath': \
        's3://bucket/prefix/', 'KmsKeyId': key_arn}})",
        python_sdk: "sagemaker.tuner.HyperparameterTuner(estimator=Estimator(..., output_kms_key=key_arn, \
        volume_kms_key=key_arn), ...).fit(inputs).",
    },
    references: &[
        Reference {
            title: "SageMaker API: HyperParameterTrainingJobDefinition",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_HyperParameterTrainingJobDefinition.html",
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
        protects: "model artifacts of the tuning job",
        without_key: "the model artifacts get the account's default S3 encryption",
    },
};
