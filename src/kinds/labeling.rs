//! `DescribeLabelingJob`: SageMaker Ground Truth labeling jobs. Workers (and, with automated
//! data labeling, models SageMaker trains on the way) label the input objects; the labels go
//! to `OutputConfig.S3OutputPath` under `OutputConfig.KmsKeyId`. Automated data labeling runs
//! training and inference jobs on ML instances whose storage volume takes
//! `LabelingJobAlgorithmsConfig.LabelingJobResourceConfig.VolumeKmsKeyId` (botocore 1.44.8,
//! `LabelingJobResourceConfig`: "the storage volume attached to the ML compute instance(s)
//! that run the training and inference jobs used for automated data labeling"). A job without
//! `LabelingJobAlgorithmsConfig` labels with people only ("a LabelingJobAlgorithmsConfig
//! object must be supplied in order to use auto-labeling"): no instance runs for it, so the
//! volume check does not apply. SageMaker picks those instances itself; the API names no
//! instance type, so no local-storage exception can be made.

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

/// Everything about labeling jobs.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::Labeling,
    names: Names {
        resource_type: "labeling-job",
        arn_resource: "labeling-job",
        arn_nested: false,
        arn_id: false,
        noun: "Labeling job",
        plural: "labeling jobs",
    },
    api: Api {
        list: "ListLabelingJobs",
        summaries: "LabelingJobSummaryList",
        describe: "DescribeLabelingJob",
        name_field: "LabelingJobName",
        marker: "LabelingJobName",
        arn_field: "LabelingJobArn",
        within: None,
    },
    unlisted: None,
    // botocore 1.44.8, sagemaker 2017-07-24: enum LabelingJobStatus
    // (ListLabelingJobs.StatusEquals).
    statuses: &[
        "Initializing",
        "InProgress",
        "Completed",
        "Failed",
        "Stopping",
        "Stopped",
    ],
    settled: Settled::When {
        field: "LabelingJobStatus",
        values: &["Completed", "Failed", "Stopped"],
    },
    keys: &[VOLUME_KEY, OUTPUT_KEY],
    describe_fields: &[
        "LabelCounters",
        "JobReferenceCode",
        "HumanTaskConfig",
        "InputConfig",
        "OutputConfig",
        "RoleArn",
    ],
    refers_to: &[],
    // SageMaker Pipelines has no step that creates a labeling job.
    pipeline_steps: &[],
    creates: &["CreateLabelingJob"],
    terraform: &[],
    // CloudFormation has no resource type for jobs.
    cloudformation: &[],
    parse,
    slots,
    checks: &[&VOLUME, &OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_labeling_jobs, LabelingJobStatus, labeling_job_summary_list,
        labeling_job_name, labeling_job_arn;
        describe_labeling_job, labeling_job_name
    ),
};

const VOLUME_KEY: &str = "LabelingJobAlgorithmsConfig.LabelingJobResourceConfig.VolumeKmsKeyId";
const OUTPUT_KEY: &str = "OutputConfig.KmsKeyId";

/// `LabelingJobAlgorithmsConfig`: automated data labeling.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AlgorithmsConfig<'a> {
    #[serde(borrow)]
    labeling_job_resource_config: Option<At<'a, ResourceConfig<'a>>>,
}

/// `LabelingJobResourceConfig`: the volume key of automated labeling's instances.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ResourceConfig<'a> {
    #[serde(borrow, default)]
    volume_kms_key_id: At<'a, Option<Text<'a>>>,
}

/// `LabelingJobOutputConfig`: where the labels go and their key.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OutputConfig<'a> {
    #[serde(borrow)]
    s3_output_path: Option<Text<'a>>,
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<Text<'a>>>,
}

fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let algorithms = f.get::<AlgorithmsConfig<'a>>("LabelingJobAlgorithmsConfig")?;
    let mut volume = KeySlot::new(Role::Volume, VOLUME_KEY);
    // Without automated labeling no instance runs, and no volume needs the key.
    volume.nothing_to_protect = algorithms.is_none();
    let config = algorithms
        .as_ref()
        .and_then(|a| a.value.labeling_job_resource_config.as_ref());
    let parent = config.map(|c| c.raw).or(algorithms.as_ref().map(|a| a.raw));
    let volume = SlotDraft::new(
        volume,
        config.map(|c| &c.value.volume_kms_key_id),
        parent,
        scope,
    )?;
    let out = f.get::<OutputConfig<'a>>("OutputConfig")?;
    let output = SlotDraft::output(
        KeySlot::new(Role::Output, OUTPUT_KEY),
        "OutputConfig.S3OutputPath",
        out.as_ref().map(|o| &o.value.s3_output_path),
        out.as_ref().map(|o| &o.value.kms_key_id),
        out.as_ref().map(|o| o.raw),
        scope,
    )?;
    Ok(vec![volume, output])
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::Labeling)?;
    let mut r = resource(Kind::Labeling, id);
    r.status = f.string("LabelingJobStatus")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    Ok(Draft { resource: r, slots })
}

/// Documentation of `labeling-volume-cmk`.
pub static VOLUME_META: RuleMeta = RuleMeta {
    id: "labeling-volume-cmk",
    kind: Kind::Labeling,
    role: Role::Volume,
    name: "LabelingVolumeCustomerManagedKey",
    title: "Automated data labeling volumes are encrypted with a customer-managed KMS key",
    description: "Checks LabelingJobAlgorithmsConfig.LabelingJobResourceConfig.VolumeKmsKeyId \
        of each SageMaker Ground Truth labeling job. With automated data labeling, SageMaker \
        trains and runs labeling models on ML instances, whose storage volumes hold the \
        objects being labeled and the labels so far. The check passes when the field names \
        an enabled customer-managed KMS key (key id, key ARN, alias or alias ARN, in any \
        account). It fails when the job uses automated labeling and the field (or \
        LabelingJobResourceConfig) is missing, null or empty, when it names an alias/aws/* \
        key, or when KMS reports the key as AWS-managed or not enabled. It does not apply to \
        a job without LabelingJobAlgorithmsConfig: only people label, and no instance runs \
        for it. The API names no instance type for these instances, so no local-storage \
        exception is made.",
    risk: "The objects sent for labeling are often the rawest data an organisation has \
        (documents, images, recordings of people). Under a key SageMaker chooses you cannot \
        restrict who may decrypt the volumes through a key policy, audit each use in \
        CloudTrail, or make the data unreadable at once by disabling the key.",
    remediation: Remediation {
        console: "The console cannot set this key: the SageMaker Ground Truth console creates \
        automated labeling jobs without a volume key. A labeling job cannot be changed; stop \
        it if it is running and create it again through the API (CreateLabelingJob) with \
        LabelingJobAlgorithmsConfig.LabelingJobResourceConfig.VolumeKmsKeyId set to your \
        customer-managed KMS key. The job's role needs kms:CreateGrant on the key.",
        aws_cli: "aws sagemaker create-labeling-job --labeling-job-name NEW_NAME \
        --labeling-job-algorithms-config '{\"LabelingJobAlgorithmSpecificationArn\":\"ARN\",\
        \"LabelingJobResourceConfig\":{\"VolumeKmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}}' \
        ... (the other arguments as in the original job, from aws sagemaker \
        describe-labeling-job)",
        boto3: "boto3.client('sagemaker').create_labeling_job(LabelingJobName='new-name', \
        LabelingJobAlgorithmsConfig={'LabelingJobAlgorithmSpecificationArn': algorithm_arn, \
        'LabelingJobResourceConfig': {'VolumeKmsKeyId': key_arn}}, ...) with the remaining \
        arguments copied from describe_labeling_job of the old job.",
        python_sdk: "The SageMaker Python SDK has no labeling job class: create the job with \
        boto3 as above.",
        // No pipeline step creates a labeling job.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: LabelingJobResourceConfig",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_LabelingJobResourceConfig.html",
        },
        Reference {
            title: "Ground Truth: output data and storage volume encryption",
            url: "https://docs.aws.amazon.com/sagemaker/latest/dg/sms-security-kms-permissions.html",
        },
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
        protects: "automated labeling volumes",
        without_key: "SageMaker chooses the key for the automated labeling volumes",
        // The API names no instance type for these instances.
        nvme_exempt: false,
        no_instance: "it uses no automated data labeling: LabelingJobAlgorithmsConfig is not set",
    },
};

/// Documentation of `labeling-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "labeling-output-cmk",
    kind: Kind::Labeling,
    role: Role::Output,
    name: "LabelingOutputCustomerManagedKey",
    title: "Labeling job output is encrypted with a customer-managed KMS key",
    description: "Checks OutputConfig.KmsKeyId of each SageMaker Ground Truth labeling job. \
        SageMaker writes the labels, the output manifest and (with automated labeling) the \
        labeling models to OutputConfig.S3OutputPath and encrypts them with this key. The \
        check passes when the field names an enabled customer-managed KMS key (key id, key \
        ARN, alias or alias ARN, in any account). It fails when the field is missing, null \
        or empty (SageMaker then uses the account's default KMS key for S3, an AWS-managed \
        key), when it names an alias/aws/* key, or when KMS reports the key as AWS-managed or \
        not enabled; and when the output path is an S3 Express One Zone directory bucket, \
        which takes no KMS key from SageMaker.",
    risk: "The output manifest repeats every input object's location next to the labels \
        people gave it: the labeled dataset itself. Under an AWS-managed key anyone allowed \
        to read the bucket can read it; you cannot limit decryption through a key policy of \
        your own or revoke access at once by disabling the key.",
    remediation: Remediation {
        console: "A labeling job cannot be changed. In the SageMaker console open Ground Truth > \
        Labeling jobs and create the job again (Clone, where offered); under Output dataset \
        location open Additional configuration and set Encryption key to your \
        customer-managed KMS key, then re-encrypt or delete the old output in S3.",
        aws_cli: "aws sagemaker create-labeling-job --labeling-job-name NEW_NAME \
        --output-config '{\"S3OutputPath\":\"s3://BUCKET/PREFIX/\",\
        \"KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' ... (the other arguments as \
        in the original job, from aws sagemaker describe-labeling-job)",
        boto3: "boto3.client('sagemaker').create_labeling_job(LabelingJobName='new-name', \
        OutputConfig={'S3OutputPath': 's3://bucket/prefix/', 'KmsKeyId': key_arn}, ...) with \
        the remaining arguments copied from describe_labeling_job of the old job.",
        python_sdk: "The SageMaker Python SDK has no labeling job class: create the job with \
        boto3 as above.",
        // No pipeline step creates a labeling job.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: LabelingJobOutputConfig",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_LabelingJobOutputConfig.html",
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
        protects: "labels and output manifests in S3",
        without_key: "SageMaker encrypts the labels and output manifest with the account's \
            default (AWS-managed) KMS key for S3",
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    fn slots_of(json: &str) -> Vec<KeySlot> {
        let f = Fields::parse(json).unwrap();
        slots(&f, Scope::Describe)
            .unwrap()
            .into_iter()
            .map(|d| d.slot)
            .collect()
    }

    #[test]
    fn people_only_jobs_have_no_volume_and_automated_ones_read_its_key() {
        let people = slots_of(r#"{"OutputConfig":{"S3OutputPath":"s3://b/out/"}}"#);
        assert!(people[0].nothing_to_protect && people[0].value.is_none());
        assert_eq!(people[1].locations, ["s3://b/out/"]);
        let automated = slots_of(
            r#"{"LabelingJobAlgorithmsConfig":{"LabelingJobAlgorithmSpecificationArn":"a",
            "LabelingJobResourceConfig":{"VolumeKmsKeyId":"alias/labels"}},
            "OutputConfig":{"S3OutputPath":"s3://b/out/","KmsKeyId":"alias/out"}}"#,
        );
        assert!(!automated[0].nothing_to_protect);
        assert_eq!(automated[0].value.as_deref(), Some("alias/labels"));
        assert_eq!(automated[1].value.as_deref(), Some("alias/out"));
        // Automated labeling without a resource configuration has a volume and no key.
        let bare = slots_of(
            r#"{"LabelingJobAlgorithmsConfig":{"LabelingJobAlgorithmSpecificationArn":"a"}}"#,
        );
        assert!(!bare[0].nothing_to_protect && bare[0].value.is_none());
    }
}
