//! `DescribeHyperParameterTuningJob`: each training job definition (`TrainingJobDefinition`,
//! `TrainingJobDefinitions[]`) has its own volume key (in `ResourceConfig` or
//! `HyperParameterTuningResourceConfig`) and output key (`OutputDataConfig`).

use serde::Deserialize;

use super::training::{OutputDataConfig, ResourceConfig, output_slot, volume_slot};
use super::{
    Api, At, Draft, Fields, KindDecl, Names, Scope, Settled, SlotDraft, distinct_types, identity,
    resource,
};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::rules::volume::{VolumeCheck, VolumeText};
use crate::verdict::Severity;

/// Everything about hyperparameter tuning jobs.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::Tuning,
    names: Names {
        resource_type: "hyperparameter-tuning-job",
        arn_resource: "hyper-parameter-tuning-job",
        arn_nested: false,
        arn_id: false,
        noun: "Hyperparameter tuning job",
        plural: "hyperparameter tuning jobs",
    },
    api: Api {
        list: "ListHyperParameterTuningJobs",
        summaries: "HyperParameterTuningJobSummaries",
        describe: "DescribeHyperParameterTuningJob",
        name_field: "HyperParameterTuningJobName",
        marker: "HyperParameterTuningJobName",
        arn_field: "HyperParameterTuningJobArn",
        within: None,
    },
    unlisted: None,
    // botocore 1.44.8, sagemaker 2017-07-24: enum HyperParameterTuningJobStatus (ListHyperParameterTuningJobs.StatusEquals).
    statuses: &[
        "Completed",
        "InProgress",
        "Failed",
        "Stopped",
        "Stopping",
        "Deleting",
        "DeleteFailed",
    ],
    settled: Settled::When {
        field: "HyperParameterTuningJobStatus",
        values: &["Completed", "Failed", "Stopped"],
    },
    keys: &[
        "TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId",
        "TrainingJobDefinition.HyperParameterTuningResourceConfig.VolumeKmsKeyId",
        "TrainingJobDefinition.OutputDataConfig.KmsKeyId",
        "TrainingJobDefinitions[].ResourceConfig.VolumeKmsKeyId",
        "TrainingJobDefinitions[].HyperParameterTuningResourceConfig.VolumeKmsKeyId",
        "TrainingJobDefinitions[].OutputDataConfig.KmsKeyId",
    ],
    describe_fields: &[
        "HyperParameterTuningJobConfig",
        "TrainingJobDefinition",
        "TrainingJobDefinitions",
        "TrainingJobStatusCounters",
    ],
    refers_to: &[],
    pipeline_steps: &["Tuning"],
    creates: &["CreateHyperParameterTuningJob"],
    // terraform-provider-aws `internal/service/sagemaker/hyper_parameter_tuning_job.go`.
    terraform: &["aws_sagemaker_hyper_parameter_tuning_job"],
    // CloudFormation has no resource type for jobs.
    cloudformation: &[],
    parse,
    slots,
    checks: &[&VOLUME, &OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_hyper_parameter_tuning_jobs, HyperParameterTuningJobStatus, hyper_parameter_tuning_job_summaries,
        hyper_parameter_tuning_job_name, hyper_parameter_tuning_job_arn;
        describe_hyper_parameter_tuning_job, hyper_parameter_tuning_job_name
    ),
};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Definition<'a> {
    definition_name: Option<String>,
    #[serde(borrow)]
    resource_config: Option<At<'a, ResourceConfig<'a>>>,
    #[serde(borrow)]
    hyper_parameter_tuning_resource_config: Option<At<'a, ResourceConfig<'a>>>,
    #[serde(borrow)]
    output_data_config: Option<At<'a, OutputDataConfig<'a>>>,
}

/// The two slots of one definition at `path`, named `part` when the job has several.
fn definition_slots<'a>(
    path: &str,
    part: Option<String>,
    def: &At<'a, Definition<'a>>,
    scope: Scope<'_>,
) -> Result<[SlotDraft<'a>; 2], DocumentError> {
    let d = &def.value;
    let (config_field, config) = match (
        &d.resource_config,
        &d.hyper_parameter_tuning_resource_config,
    ) {
        (Some(rc), _) => ("ResourceConfig", Some(rc)),
        (None, Some(hrc)) => ("HyperParameterTuningResourceConfig", Some(hrc)),
        (None, None) => ("ResourceConfig", None),
    };
    let mut volume = volume_slot(
        format!("{path}.{config_field}.VolumeKmsKeyId").into(),
        config,
        scope,
    )?;
    let mut output = output_slot(
        format!("{path}.OutputDataConfig.KmsKeyId").into(),
        d.output_data_config.as_ref(),
        scope,
    )?;
    for s in [&mut volume, &mut output] {
        s.slot.part.clone_from(&part);
        // Without the holding object, point at the definition.
        s.parent_at = s.parent_at.or(Some(def.raw));
    }
    Ok([volume, output])
}

fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let single = f.get::<Option<Definition<'a>>>("TrainingJobDefinition")?;
    let many = f.get::<Option<Vec<At<'a, Definition<'a>>>>>("TrainingJobDefinitions")?;
    let many = many.and_then(|m| m.value).unwrap_or_default();
    let mut slots = Vec::new();
    if let Some(At {
        raw,
        value: Some(def),
    }) = single
    {
        let part = (!many.is_empty()).then(|| "TrainingJobDefinition".to_owned());
        slots.extend(definition_slots(
            "TrainingJobDefinition",
            part,
            &At { raw, value: def },
            scope,
        )?);
    }
    // Parts identify findings, so they must differ: a definition without a name, or with the
    // name of an earlier one, is named by its position.
    let mut used = std::collections::HashSet::new();
    for (i, def) in many.iter().enumerate() {
        let mut part = match &def.value.definition_name {
            Some(name) if !name.trim().is_empty() => format!("definition {name}"),
            _ => format!("definition {}", i + 1),
        };
        if used.contains(&part) {
            part = format!("definition {}", i + 1);
        }
        while used.contains(&part) {
            part.push('\'');
        }
        used.insert(part.clone());
        slots.extend(definition_slots(
            &format!("TrainingJobDefinitions[{i}]"),
            Some(part),
            def,
            scope,
        )?);
    }
    if slots.is_empty() {
        // No definition at all: nothing names a key, so both checks judge a missing one.
        slots.push(SlotDraft::new(
            KeySlot::new(
                Role::Volume,
                "TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId",
            ),
            None,
            None,
            scope,
        )?);
        slots.push(SlotDraft::new(
            KeySlot::new(
                Role::Output,
                "TrainingJobDefinition.OutputDataConfig.KmsKeyId",
            ),
            None,
            None,
            scope,
        )?);
    }
    Ok(slots)
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::Tuning)?;
    let mut r = resource(Kind::Tuning, id);
    r.status = f.string("HyperParameterTuningJobStatus")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    r.instance_types = distinct_types(&slots);
    Ok(Draft { resource: r, slots })
}

/// Documentation of `tuning-volume-cmk`.
pub static VOLUME_META: RuleMeta = RuleMeta {
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
        pipeline: "Set the volume key of every training job definition in the Tuning step's Arguments \
        (volume_kms_key= on each estimator the HyperparameterTuner uses), then update the \
        pipeline.",
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

/// The volume check.
pub static VOLUME: VolumeCheck = VolumeCheck {
    meta: &VOLUME_META,
    text: VolumeText {
        protects: "training volumes of the tuning job",
        without_key: "SageMaker encrypts the training volumes with a transient key it discards",
        nvme_exempt: true,
        no_instance: "",
    },
};

/// Documentation of `tuning-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
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
        pipeline: "Set OutputDataConfig.KmsKeyId of every training job definition in the Tuning step's \
        Arguments (output_kms_key= on each estimator of the tuner), then update the pipeline.",
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

/// The output check.
pub static OUTPUT: OutputCheck = OutputCheck {
    meta: &OUTPUT_META,
    text: OutputText {
        protects: "model artifacts of the tuning job",
        without_key: "the model artifacts get the account's default S3 encryption",
    },
};
