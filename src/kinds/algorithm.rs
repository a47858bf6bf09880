//! `DescribeAlgorithm`: SageMaker algorithm resources (your own training algorithm, or one to
//! list in AWS Marketplace). An algorithm may carry a `ValidationSpecification` whose profiles
//! SageMaker runs before it lists the algorithm: each profile runs a training job
//! (`TrainingJobDefinition`, botocore 1.44.8: required) and may run a batch transform job
//! (`TransformJobDefinition`) on the model it trained, with the keys of those jobs' requests
//! (read in `validation.rs`). Each job's volume and output are judged like a training or
//! transform job's, with their local-storage exceptions; an algorithm without profiles runs
//! nothing, and the checks do not apply. An algorithm cannot be changed (the API has no update
//! operation).

use super::validation::{self, Jobs};
use super::{Api, Draft, Fields, KindDecl, Names, Scope, Settled, SlotDraft, distinct_types};
use super::{identity, resource};
use crate::document::DocumentError;
use crate::resource::{Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::rules::volume::{VolumeCheck, VolumeText};
use crate::verdict::Severity;

/// Everything about algorithms.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::Algorithm,
    names: Names {
        resource_type: "algorithm",
        arn_resource: "algorithm",
        arn_nested: false,
        arn_id: false,
        noun: "Algorithm",
        plural: "algorithms",
    },
    api: Api {
        list: "ListAlgorithms",
        summaries: "AlgorithmSummaryList",
        describe: "DescribeAlgorithm",
        name_field: "AlgorithmName",
        marker: "AlgorithmName",
        arn_field: "AlgorithmArn",
        within: None,
    },
    unlisted: None,
    // ListAlgorithms filters by no status.
    statuses: &[],
    settled: Settled::When {
        field: "AlgorithmStatus",
        // botocore 1.44.8: enum AlgorithmStatus; `Deleting` ends in its removal.
        values: &["Completed", "Failed"],
    },
    keys: &[
        TRAINING_VOLUME_KEY,
        TRAINING_OUTPUT_KEY,
        TRANSFORM_VOLUME_KEY,
        TRANSFORM_OUTPUT_KEY,
    ],
    describe_fields: &["TrainingSpecification", "AlgorithmStatusDetails"],
    refers_to: &[],
    // SageMaker Pipelines has no step that creates an algorithm.
    pipeline_steps: &[],
    creates: &["CreateAlgorithm"],
    terraform: &[],
    // CloudFormation has no resource type for algorithms.
    cloudformation: &[],
    parse,
    slots,
    checks: &[&VOLUME, &OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_algorithms, no_status, algorithm_summary_list, algorithm_name, algorithm_arn;
        describe_algorithm, algorithm_name
    ),
};

const TRAINING_VOLUME_KEY: &str = "ValidationSpecification.ValidationProfiles[].TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId";
const TRAINING_OUTPUT_KEY: &str =
    "ValidationSpecification.ValidationProfiles[].TrainingJobDefinition.OutputDataConfig.KmsKeyId";
const TRANSFORM_VOLUME_KEY: &str = "ValidationSpecification.ValidationProfiles[].TransformJobDefinition.TransformResources.VolumeKmsKeyId";
const TRANSFORM_OUTPUT_KEY: &str =
    "ValidationSpecification.ValidationProfiles[].TransformJobDefinition.TransformOutput.KmsKeyId";

fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    validation::slots(
        f,
        scope,
        Jobs::TrainingAndTransform,
        TRAINING_VOLUME_KEY,
        TRAINING_OUTPUT_KEY,
    )
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::Algorithm)?;
    let mut r = resource(Kind::Algorithm, id);
    r.status = f.string("AlgorithmStatus")?;
    r.creation_time = f.time("CreationTime")?;
    // An algorithm has no LastModifiedTime: it cannot change.
    let slots = slots(f, Scope::Describe)?;
    r.instance_types = distinct_types(&slots);
    Ok(Draft { resource: r, slots })
}

/// Documentation of `algorithm-validation-volume-cmk`.
pub static VOLUME_META: RuleMeta = RuleMeta {
    id: "algorithm-validation-volume-cmk",
    kind: Kind::Algorithm,
    role: Role::Volume,
    name: "AlgorithmValidationVolumeCustomerManagedKey",
    title: "Algorithm validation volumes are encrypted with a customer-managed KMS key",
    description: "Checks the volume keys of the jobs each validation profile of a SageMaker \
        algorithm runs: TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId of its training \
        job and TransformJobDefinition.TransformResources.VolumeKmsKeyId of its transform job, \
        one finding each (parts `validation profile NAME training` and `… transform`). It \
        passes, fails and does not apply as a training or transform job's volume check does: \
        it fails when the key is missing, null or empty, names an alias/aws/* key, or KMS \
        reports the key as AWS-managed or not enabled, and does not apply when every instance \
        type the job may run on has local NVMe storage (AWS takes no volume key there) or when \
        the algorithm has no validation profile (nothing runs).",
    risk: "Validation trains the algorithm on the profile's data and scores data with the \
        result: the volumes hold that data while it runs. Without a key you control you \
        cannot restrict who may decrypt them through a key policy or make the data unreadable \
        at once by disabling the key.",
    remediation: Remediation {
        console: "An algorithm cannot be changed. Create it again (SageMaker console: \
        Training > Algorithms > Create algorithm, or the API) with VolumeKmsKeyId set in each \
        validation profile's ResourceConfig and TransformResources, then delete the old one.",
        aws_cli: "aws sagemaker create-algorithm --algorithm-name NEW_NAME \
        --validation-specification '{\"ValidationRole\":\"ROLE_ARN\",\"ValidationProfiles\":[\
        {\"ProfileName\":\"NAME\",\"TrainingJobDefinition\":{...,\"ResourceConfig\":{...,\
        \"VolumeKmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}}}]}' ... (the other \
        arguments as in the original, from aws sagemaker describe-algorithm)",
        boto3: "boto3.client('sagemaker').create_algorithm(AlgorithmName='new-name', \
        ValidationSpecification={'ValidationRole': role_arn, 'ValidationProfiles': [{'ProfileName': \
        'name', 'TrainingJobDefinition': {..., 'ResourceConfig': {..., 'VolumeKmsKeyId': \
        key_arn}}}]}, ...) with the remaining arguments copied from describe_algorithm.",
        python_sdk: "The SageMaker Python SDK creates no algorithms: create it with boto3 as \
        above.",
        // No pipeline step creates an algorithm.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: AlgorithmValidationProfile",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_AlgorithmValidationProfile.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.0",
};

/// The validation volume check.
pub static VOLUME: VolumeCheck = VolumeCheck {
    meta: &VOLUME_META,
    text: VolumeText {
        protects: "validation job volumes",
        without_key: "SageMaker encrypts the validation job volumes with a transient key it \
            discards",
        nvme_exempt: true,
        no_instance: "it has no validation profile",
    },
};

/// Documentation of `algorithm-validation-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "algorithm-validation-output-cmk",
    kind: Kind::Algorithm,
    role: Role::Output,
    name: "AlgorithmValidationOutputCustomerManagedKey",
    title: "Algorithm validation output is encrypted with a customer-managed KMS key",
    description: "Checks the output keys of the jobs each validation profile of a SageMaker \
        algorithm runs: TrainingJobDefinition.OutputDataConfig.KmsKeyId (the trained model) \
        and TransformJobDefinition.TransformOutput.KmsKeyId (the predictions), one finding \
        each. It passes when the key names an enabled customer-managed KMS key, and fails \
        when it is missing, null or empty (SageMaker then uses the account's default KMS key \
        for S3, an AWS-managed key), names an alias/aws/* key, KMS reports the key as \
        AWS-managed or not enabled, or the output is an S3 Express One Zone directory bucket. \
        It does not apply when the algorithm has no validation profile.",
    risk: "Validation writes a trained model and its predictions to S3. Under an AWS-managed \
        key anyone allowed to read the bucket can read them.",
    remediation: Remediation {
        console: "An algorithm cannot be changed. Create it again with KmsKeyId set in each \
        validation profile's OutputDataConfig and TransformOutput, then delete the old one.",
        aws_cli: "aws sagemaker create-algorithm --algorithm-name NEW_NAME \
        --validation-specification '{\"ValidationRole\":\"ROLE_ARN\",\"ValidationProfiles\":[\
        {\"ProfileName\":\"NAME\",\"TrainingJobDefinition\":{...,\"OutputDataConfig\":\
        {\"S3OutputPath\":\"s3://BUCKET/PREFIX/\",\"KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}}}]}' \
        ...",
        boto3: "boto3.client('sagemaker').create_algorithm(AlgorithmName='new-name', \
        ValidationSpecification={'ValidationRole': role_arn, 'ValidationProfiles': [{'ProfileName': \
        'name', 'TrainingJobDefinition': {..., 'OutputDataConfig': {'S3OutputPath': \
        's3://bucket/prefix/', 'KmsKeyId': key_arn}}}]}, ...)",
        python_sdk: "The SageMaker Python SDK creates no algorithms: create it with boto3 as \
        above.",
        // No pipeline step creates an algorithm.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: AlgorithmValidationProfile",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_AlgorithmValidationProfile.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.0",
};

/// The validation output check.
pub static OUTPUT: OutputCheck = OutputCheck {
    meta: &OUTPUT_META,
    text: OutputText {
        protects: "validation models and predictions in S3",
        without_key: "SageMaker encrypts them with the account's default (AWS-managed) KMS key \
            for S3",
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_profile_runs_a_training_job_and_maybe_a_transform_job() {
        let f = Fields::parse(
            r#"{"ValidationSpecification":{"ValidationProfiles":[
            {"ProfileName":"smoke","TrainingJobDefinition":{
              "ResourceConfig":{"InstanceType":"ml.p4d.24xlarge","VolumeKmsKeyId":"alias/v"},
              "OutputDataConfig":{"S3OutputPath":"s3://b/m/"}},
             "TransformJobDefinition":{"TransformResources":{"InstanceType":"ml.m5.xlarge"},
              "TransformOutput":{"S3OutputPath":"s3://b/p/","KmsKeyId":"alias/o"}}},
            {"ProfileName":"train-only","TrainingJobDefinition":{}}]}}"#,
        )
        .unwrap();
        let slots: Vec<_> = slots(&f, Scope::Describe)
            .unwrap()
            .into_iter()
            .map(|d| d.slot)
            .collect();
        let parts: Vec<_> = slots.iter().map(|s| s.part.as_deref().unwrap()).collect();
        assert_eq!(
            parts,
            [
                "validation profile smoke training",
                "validation profile smoke training",
                "validation profile smoke transform",
                "validation profile smoke transform",
                "validation profile train-only training",
                "validation profile train-only training",
            ]
        );
        assert_eq!(slots[0].instance_types, ["ml.p4d.24xlarge"]);
        assert_eq!(slots[1].locations, ["s3://b/m/"]);
        assert_eq!(slots[3].value.as_deref(), Some("alias/o"));
        let none = slots_of_nothing();
        assert!(none.iter().all(|s| s.nothing_to_protect));
        assert_eq!(none[0].part.as_deref(), Some(validation::NO_PROFILE));
    }

    fn slots_of_nothing() -> Vec<crate::resource::KeySlot> {
        let f = Fields::parse("{}").unwrap();
        slots(&f, Scope::Describe)
            .unwrap()
            .into_iter()
            .map(|d| d.slot)
            .collect()
    }
}
