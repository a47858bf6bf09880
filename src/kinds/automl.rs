//! `DescribeAutoMLJobV2` (and V1 documents): the volume key in `SecurityConfig` (V1:
//! `AutoMLJobConfig.SecurityConfig`), the output key in `OutputDataConfig`. AutoML picks the
//! instances itself, so no instance type is known.

use serde::Deserialize;

use super::training::{OutputDataConfig, output_slot};
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

/// Everything about AutoML jobs.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::AutoMl,
    names: Names {
        resource_type: "automl-job",
        arn_resource: "automl-job",
        arn_nested: false,
        arn_id: false,
        noun: "AutoML job",
        plural: "AutoML jobs",
    },
    api: Api {
        list: "ListAutoMLJobs",
        summaries: "AutoMLJobSummaries",
        describe: "DescribeAutoMLJobV2",
        name_field: "AutoMLJobName",
        marker: "AutoMLJobName",
        arn_field: "AutoMLJobArn",
        within: None,
    },
    unlisted: None,
    // botocore 1.44.8, sagemaker 2017-07-24: enum AutoMLJobStatus (ListAutoMLJobs.StatusEquals).
    statuses: &["Completed", "InProgress", "Failed", "Stopped", "Stopping"],
    // AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId: DescribeAutoMLJob (V1) documents.
    settled: Settled::When {
        field: "AutoMLJobStatus",
        values: &["Completed", "Failed", "Stopped"],
    },
    keys: &[
        "SecurityConfig.VolumeKmsKeyId",
        "AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId",
        "OutputDataConfig.KmsKeyId",
    ],
    describe_fields: &[
        "AutoMLJobInputDataConfig",
        "InputDataConfig",
        "OutputDataConfig",
        "RoleArn",
        "AutoMLJobSecondaryStatus",
        "AutoMLProblemTypeConfig",
        "AutoMLJobConfig",
        "SecurityConfig",
    ],
    refers_to: &[],
    pipeline_steps: &["AutoML"],
    creates: &["CreateAutoMLJob", "CreateAutoMLJobV2"],
    terraform: &[],
    // CloudFormation has no resource type for jobs.
    cloudformation: &[],
    parse,
    slots,
    checks: &[&VOLUME, &OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_auto_ml_jobs, AutoMlJobStatus, auto_ml_job_summaries, auto_ml_job_name, auto_ml_job_arn;
        describe_auto_ml_job_v2, auto_ml_job_name
    ),
};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SecurityConfig<'a> {
    #[serde(borrow, default)]
    volume_kms_key_id: At<'a, Option<Text<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct JobConfigV1<'a> {
    #[serde(borrow)]
    security_config: Option<At<'a, SecurityConfig<'a>>>,
}

fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let v2 = f.get::<SecurityConfig<'a>>("SecurityConfig")?;
    let v1 = f.get::<JobConfigV1<'a>>("AutoMLJobConfig")?;
    // V1 and V2 documents keep the volume key in different places; a document with both that
    // disagree has no single reading, and the friendly one must not be picked.
    if let (Some(sc), Some(cfg)) = (&v2, &v1)
        && let Some(old) = &cfg.value.security_config
        && old.value.volume_kms_key_id.raw.trim() != sc.value.volume_kms_key_id.raw.trim()
    {
        return Err(DocumentError::at(
            "the document gives both SecurityConfig (DescribeAutoMLJobV2) and \
             AutoMLJobConfig.SecurityConfig (DescribeAutoMLJob) with different volume keys, so \
             which key the job uses is ambiguous; export it with one describe command",
            old.raw,
        ));
    }
    let volume = match (&v2, &v1) {
        (Some(sc), _) => SlotDraft::new(
            KeySlot::new(Role::Volume, "SecurityConfig.VolumeKmsKeyId"),
            Some(&sc.value.volume_kms_key_id),
            Some(sc.raw),
            scope,
        )?,
        (None, Some(cfg)) => {
            let sc = cfg.value.security_config.as_ref();
            SlotDraft::new(
                KeySlot::new(
                    Role::Volume,
                    "AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId",
                ),
                sc.map(|s| &s.value.volume_kms_key_id),
                sc.map(|s| s.raw).or(Some(cfg.raw)),
                scope,
            )?
        }
        (None, None) => SlotDraft::new(
            KeySlot::new(Role::Volume, "SecurityConfig.VolumeKmsKeyId"),
            None,
            None,
            scope,
        )?,
    };
    let out = f.get::<OutputDataConfig<'a>>("OutputDataConfig")?;
    let output = output_slot("OutputDataConfig.KmsKeyId".into(), out.as_ref(), scope)?;
    Ok(vec![volume, output])
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::AutoMl)?;
    let mut r = resource(Kind::AutoMl, id);
    r.status = f.string("AutoMLJobStatus")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    Ok(Draft { resource: r, slots })
}

/// Documentation of `automl-volume-cmk`.
pub static VOLUME_META: RuleMeta = RuleMeta {
    id: "automl-volume-cmk",
    kind: Kind::AutoMl,
    role: Role::Volume,
    name: "AutomlVolumeCustomerManagedKey",
    title: "AutoML volumes are encrypted with a customer-managed KMS key",
    description: "Checks SecurityConfig.VolumeKmsKeyId of each SageMaker AutoML job \
        (AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId in V1 documents), the key for the \
        storage volumes of every processing and training job AutoML launches. AutoML chooses \
        the instances itself, so no instance type can make the check not applicable. It \
        passes when the field names an enabled customer-managed KMS key in any form KMS \
        accepts and fails when it is missing, null or empty, names an alias/aws/* key, or \
        KMS reports the key as AWS-managed or not enabled.",
    risk: "AutoML copies the whole dataset to the volumes of many candidate jobs. Without a \
        customer-managed key you cannot limit decryption through a key policy, rotate on \
        your schedule, audit each use, or revoke access at once.",
    remediation: Remediation {
        console: "AutoML jobs cannot be changed. Create the experiment again in SageMaker Canvas or \
        Studio with encryption settings (Advanced settings, Security, volume KMS key) set to \
        your customer-managed key.",
        aws_cli: "aws sagemaker create-auto-ml-job-v2 --auto-ml-job-name NEW_NAME --security-config \
        '{\"VolumeKmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' ... (the other \
        arguments from aws sagemaker describe-auto-ml-job-v2 --auto-ml-job-name OLD_NAME)",
        boto3: "boto3.client('sagemaker').create_auto_ml_job_v2(AutoMLJobName='new-name', \
        SecurityConfig={'VolumeKmsKeyId': key_arn}, ...) with the other arguments copied \
        from describe_auto_ml_job_v2.",
        python_sdk: "sagemaker.automl.automlv2.AutoMLV2(problem_config=..., volume_kms_key=key_arn, \
        output_kms_key=key_arn, ...).fit(inputs) in SageMaker Python SDK v2.",
        pipeline: "Set AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId in the AutoML step's Arguments \
        (volume_kms_key= on the AutoML object passed to AutoMLStep), then update the pipeline.",
    },
    references: &[
        Reference {
            title: "SageMaker API: AutoMLSecurityConfig.VolumeKmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_AutoMLSecurityConfig.html",
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
        protects: "AutoML volumes",
        without_key: "SageMaker chooses the key for the volumes of the AutoML job",
        nvme_exempt: true,
        no_instance: "",
    },
};

/// Documentation of `automl-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "automl-output-cmk",
    kind: Kind::AutoMl,
    role: Role::Output,
    name: "AutomlOutputCustomerManagedKey",
    title: "AutoML outputs are encrypted with a customer-managed KMS key",
    description: "Checks OutputDataConfig.KmsKeyId of each SageMaker AutoML job, the key for the \
        candidate models, notebooks and data splits AutoML writes to S3. The check passes \
        when the field names an enabled customer-managed KMS key in any form KMS accepts. It \
        fails when the field is missing, null or empty (the outputs then get the bucket's \
        default encryption), names an alias/aws/* key, or KMS reports the key as AWS-managed \
        or not enabled, and when the output goes to an S3 Express One Zone directory bucket.",
    risk: "AutoML writes many candidate models and copies of the data splits; without a \
        customer-managed key they are readable with S3 read access alone and you control no \
        key policy, rotation or revocation.",
    remediation: Remediation {
        console: "Create the AutoML experiment again in SageMaker Canvas or Studio with the output \
        encryption key set to your customer-managed key, then re-encrypt or delete the old \
        outputs in S3.",
        aws_cli: "aws sagemaker create-auto-ml-job-v2 --auto-ml-job-name NEW_NAME --output-data-config \
        '{\"S3OutputPath\":\"s3://BUCKET/PREFIX/\",\"KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' \
        ...",
        boto3: "boto3.client('sagemaker').create_auto_ml_job_v2(AutoMLJobName='new-name', \
        OutputDataConfig={'S3OutputPath': 's3://bucket/prefix/', 'KmsKeyId': key_arn}, ...)",
        python_sdk: "sagemaker.automl.automlv2.AutoMLV2(problem_config=..., \
        output_path='s3://bucket/prefix/', output_kms_key=key_arn, \
        volume_kms_key=key_arn).fit(inputs) in SageMaker Python SDK v2.",
        pipeline: "Set OutputDataConfig.KmsKeyId in the AutoML step's Arguments (output_kms_key= on the \
        AutoML object), then update the pipeline.",
    },
    references: &[
        Reference {
            title: "SageMaker API: AutoMLOutputDataConfig.KmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_AutoMLOutputDataConfig.html",
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
        protects: "AutoML outputs",
        without_key: "the AutoML outputs get the bucket's default S3 encryption",
    },
};
