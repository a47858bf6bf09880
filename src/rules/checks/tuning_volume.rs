//! `tuning-volume-cmk`: hyperparameter tuning training volumes are encrypted with a customer-managed KMS key.

use crate::resource::{Kind, Role};
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::volume::{VolumeCheck, VolumeText};
use crate::rules::RuleMeta;
use crate::verdict::Severity;

/// Documentation of `tuning-volume-cmk`.
pub static META: RuleMeta = RuleMeta {
    id: "tuning-volume-cmk",
    kind: Kind::Tuning,
    role: Role::Volume,
    name: "TuningVolumeCustomerManagedKey",
    title: "Hyperparameter tuning training volumes are encrypted with a customer-managed KMS key",
    description: "Checks the volume key of every training job definition of each SageMaker \
        hyperparameter tuning job: ResourceConfig.VolumeKmsKeyId or \
        HyperParameterTuningResourceConfig.VolumeKmsKeyId in TrainingJobDefinition and in \
        each of TrainingJobDefinitions, one finding per definition. Every training job the \
        tuner launches uses it. The check passes when the field names an enabled \
        customer-managed KMS key in any form KMS accepts. It fails when the field is \
        missing, null or empty, names an alias/aws/* key, or KMS reports the key as \
        AWS-managed or not enabled. It does not apply to a definition whose every instance \
        type (InstanceType or each InstanceConfigs entry) has local NVMe instance storage.",
    risk: "A tuning job runs many training jobs on the same data, so an unprotected definition \
        exposes the training data on every one of their volumes. Without a customer-managed \
        key there is no key policy, rotation or revocation under your control.",
    remediation: Remediation {
        console: "Tuning jobs cannot be changed. In the SageMaker console open Training > \
        Hyperparameter tuning jobs, select the job and choose Clone; in each training job \
        definition set the volume encryption key to your customer-managed key, and create \
        the new tuning job.",
        aws_cli: "aws sagemaker create-hyper-parameter-tuning-job --hyper-parameter-tuning-job-name \
        NEW_NAME --hyper-parameter-tuning-job-config file://config.json \
        --training-job-definition file://definition.json, where definition.json's \
        ResourceConfig has \"VolumeKmsKeyId\": \"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\" \
        (start from aws sagemaker describe-hyper-parameter-tuning-job \
        --hyper-parameter-tuning-job-name OLD_NAME)",
        boto3: "boto3.client('sagemaker').create_hyper_parameter_tuning_job(HyperParameterTuningJobName='new-name', \
        HyperParameterTuningJobConfig=config, TrainingJobDefinition={..., 'ResourceConfig': \
        {'InstanceType': 'ml.m5.xlarge', 'InstanceCount': 1, 'VolumeSizeInGB': 50, \
        'VolumeKmsKeyId': key_arn}})",
        python_sdk: "sagemaker.tuner.HyperparameterTuner(estimator=Estimator(..., volume_kms_key=key_arn, \
        output_kms_key=key_arn), ...).fit(inputs); with several estimators, set the keys on \
        each.",
    },
    references: &[
        Reference {
            title: "SageMaker API: HyperParameterTuningResourceConfig.VolumeKmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_HyperParameterTuningResourceConfig.html",
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
        protects: "training volumes of the tuning job",
        without_key: "SageMaker encrypts the training volumes with a transient key it discards",
    },
};
