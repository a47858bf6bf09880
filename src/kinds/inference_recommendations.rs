//! `DescribeInferenceRecommendationsJob`: an Inference Recommender job deploys a model to
//! endpoints it creates for the test and load-tests them to recommend an instance type and
//! count. The endpoints' ML storage volumes take `InputConfig.VolumeKmsKeyId` (botocore 1.44.8,
//! `RecommendationJobInputConfig.VolumeKmsKeyId`: "a key that Amazon SageMaker uses to encrypt
//! data on the storage volume attached to the ML compute instance that hosts the endpoint. This
//! key will be passed to SageMaker Hosting for endpoint creation").
//!
//! What the response cannot show: the Create request's `OutputConfig.KmsKeyId` (the key of the
//! compiled model a job writes to `OutputConfig.CompiledOutputConfig.S3OutputUri`) is not a
//! member of `DescribeInferenceRecommendationsJobResponse`, so nothing read from the API carries
//! it, and the volume is the only slot.
//!
//! The instance types are those of `InputConfig.EndpointConfigurations` (an advanced job's
//! endpoints) and `InputConfig.ContainerConfig.SupportedInstanceTypes` (the types a default job
//! tests); a job that names none lets SageMaker choose, so its key is required. When every
//! endpoint configuration is serverless the job creates no instance and the key protects
//! nothing.

use serde::Deserialize;

use super::{
    Api, At, Draft, Fields, KindDecl, Names, Scope, Settled, SlotDraft, Text, identity, resource,
};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::volume::{VolumeCheck, VolumeText};
use crate::verdict::Severity;

/// Everything about inference recommendation jobs.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::InferenceRecommendations,
    names: Names {
        resource_type: "inference-recommendations-job",
        // botocore's RecommendationJobArn pattern: `…:inference-recommendations-job/<name>`.
        arn_resource: "inference-recommendations-job",
        arn_nested: false,
        arn_id: false,
        noun: "Inference Recommender job",
        plural: "Inference Recommender jobs",
    },
    api: Api {
        list: "ListInferenceRecommendationsJobs",
        summaries: "InferenceRecommendationsJobs",
        describe: "DescribeInferenceRecommendationsJob",
        name_field: "JobName",
        // `JobName` is also DescribeJob's; of the outputs the kinds read only this one has a
        // `JobType` (DescribeImageVersion's is no kind's).
        marker: "JobType",
        arn_field: "JobArn",
        within: None,
    },
    unlisted: None,
    // botocore 1.44.8, sagemaker 2017-07-24: enum RecommendationJobStatus
    // (ListInferenceRecommendationsJobs.StatusEquals).
    statuses: &[
        "PENDING",
        "IN_PROGRESS",
        "COMPLETED",
        "FAILED",
        "STOPPING",
        "STOPPED",
        "DELETING",
        "DELETED",
    ],
    settled: Settled::When {
        field: "Status",
        values: &["COMPLETED", "FAILED", "STOPPED", "DELETED"],
    },
    keys: &[KEY],
    describe_fields: &["InputConfig", "RoleArn", "StoppingConditions"],
    refers_to: &[],
    // SageMaker Pipelines has no step that creates an inference recommendations job.
    pipeline_steps: &[],
    creates: &["CreateInferenceRecommendationsJob"],
    terraform: &[],
    // CloudFormation has no resource type for jobs.
    cloudformation: &[],
    parse,
    slots,
    checks: &[&VOLUME],
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_inference_recommendations_jobs, RecommendationJobStatus,
        inference_recommendations_jobs, job_name, job_arn;
        describe_inference_recommendations_job, job_name
    ),
};

const KEY: &str = "InputConfig.VolumeKmsKeyId";

/// `RecommendationJobInputConfig`: the endpoints the job creates and their volume key.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InputConfig<'a> {
    #[serde(borrow, default)]
    volume_kms_key_id: At<'a, Option<Text<'a>>>,
    #[serde(borrow)]
    endpoint_configurations: Option<Vec<EndpointConfiguration<'a>>>,
    #[serde(borrow)]
    container_config: Option<ContainerConfig<'a>>,
}

/// `EndpointInputConfiguration`: one instance type or a serverless configuration.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EndpointConfiguration<'a> {
    #[serde(borrow)]
    instance_type: Option<Text<'a>>,
    serverless_config: Option<serde::de::IgnoredAny>,
}

/// `RecommendationJobContainerConfig`: the instance types a default job tests.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ContainerConfig<'a> {
    #[serde(borrow)]
    supported_instance_types: Option<Vec<Option<Text<'a>>>>,
}

fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let input = f.get::<InputConfig<'a>>("InputConfig")?;
    let mut volume = KeySlot::new(Role::Volume, KEY);
    let mut serverless = 0;
    let configurations = input
        .as_ref()
        .and_then(|i| i.value.endpoint_configurations.as_deref())
        .unwrap_or_default();
    for c in configurations {
        let types = scope.types(
            "InputConfig.EndpointConfigurations[].InstanceType",
            &c.instance_type,
        )?;
        if types.is_empty() && c.serverless_config.is_some() {
            serverless += 1;
        }
        volume.instance_types.extend(types);
    }
    let supported = input
        .as_ref()
        .and_then(|i| i.value.container_config.as_ref())
        .and_then(|c| c.supported_instance_types.as_deref())
        .unwrap_or_default();
    for t in supported {
        volume
            .instance_types
            .extend(scope.types("InputConfig.ContainerConfig.SupportedInstanceTypes[]", t)?);
    }
    // Every endpoint configuration serverless (and no other type named): no instance, no
    // storage volume for the key to encrypt.
    volume.nothing_to_protect =
        serverless > 0 && serverless == configurations.len() && volume.instance_types.is_empty();
    volume.instance_types.sort();
    volume.instance_types.dedup();
    Ok(vec![SlotDraft::new(
        volume,
        input.as_ref().map(|i| &i.value.volume_kms_key_id),
        input.as_ref().map(|i| i.raw),
        scope,
    )?])
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::InferenceRecommendations)?;
    let mut r = resource(Kind::InferenceRecommendations, id);
    r.status = f.string("Status")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    r.instance_types = slots[0].slot.instance_types.clone();
    Ok(Draft { resource: r, slots })
}

/// Documentation of `inference-recommendations-volume-cmk`.
pub static VOLUME_META: RuleMeta = RuleMeta {
    id: "inference-recommendations-volume-cmk",
    kind: Kind::InferenceRecommendations,
    role: Role::Volume,
    name: "InferenceRecommendationsVolumeCustomerManagedKey",
    title: "Inference Recommender test endpoints' volumes are encrypted with a customer-managed KMS key",
    description: "Checks InputConfig.VolumeKmsKeyId of each SageMaker Inference Recommender \
        job: the key SageMaker hands to hosting for the storage volumes of the endpoints the \
        job creates to test the model. The check passes when the field names an enabled \
        customer-managed KMS key. It fails when the field is missing, null or empty, when it \
        names an alias/aws/* key, or when KMS reports the key as AWS-managed or not enabled. \
        It does not apply when every instance type the job names has local NVMe storage, \
        which the key does not encrypt, or when every endpoint configuration is serverless. \
        The compiled-model key of the request (OutputConfig.KmsKeyId) is not in the describe \
        response, so it cannot be checked from the API.",
    risk: "The test endpoints hold the model and the sample payloads sent to them for the \
        length of the job. Without a key you control you cannot limit who may decrypt those \
        volumes through a key policy, audit each use in CloudTrail, or revoke access at once \
        by disabling the key.",
    remediation: Remediation {
        console: "A recommendation job cannot be changed: run it again with the AWS CLI or \
        boto3 (below), with InputConfig.VolumeKmsKeyId set to your customer-managed KMS key.",
        aws_cli: "aws sagemaker create-inference-recommendations-job --job-name NEW_NAME \
        --job-type Default --role-arn ROLE_ARN --input-config '{\"ModelPackageVersionArn\":\
        \"MODEL_PACKAGE_ARN\",\"VolumeKmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}'",
        boto3: "boto3.client('sagemaker').create_inference_recommendations_job(JobName='new-name', \
        JobType='Default', RoleArn=role, InputConfig={'ModelPackageVersionArn': package_arn, \
        'VolumeKmsKeyId': key_arn})",
        python_sdk: "The SageMaker Python SDK 2 takes no volume key for these jobs (Model.right_size \
        and Session.create_inference_recommendations_job in 2.257.7 have no such argument): \
        create the job with boto3 as above.",
        // No pipeline step creates a recommendation job.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: RecommendationJobInputConfig",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_RecommendationJobInputConfig.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: COMPLIANCE,
    severity: Severity::Medium,
    security_severity: "5.0",
};

/// The volume check.
pub static VOLUME: VolumeCheck = VolumeCheck {
    meta: &VOLUME_META,
    text: VolumeText {
        protects: "test endpoint volumes",
        // As for endpoint configurations: the key goes to SageMaker hosting.
        without_key: "SageMaker encrypts the test endpoints' volumes with a transient key it discards",
        nvme_exempt: true,
        no_instance: "every endpoint configuration it tests is serverless",
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    fn read(doc: &str) -> Draft<'_> {
        parse(Box::leak(Box::new(Fields::parse(doc).unwrap()))).unwrap()
    }

    #[test]
    fn the_volume_key_covers_every_instance_type_the_job_tests() {
        let d = read(
            r#"{"JobName":"rightsize","JobType":"Advanced",
            "JobArn":"arn:aws:sagemaker:us-east-1:111122223333:inference-recommendations-job/rightsize",
            "InputConfig":{"VolumeKmsKeyId":"alias/v","EndpointConfigurations":[
              {"InstanceType":"ml.g5.xlarge"},{"InstanceType":"ml.c5d.xlarge"},
              {"ServerlessConfig":{"MemorySizeInMB":2048,"MaxConcurrency":1}}],
              "ContainerConfig":{"SupportedInstanceTypes":["ml.c5d.xlarge","ml.m5.large"]}}}"#,
        );
        let v = &d.slots[0].slot;
        assert_eq!(v.value.as_deref(), Some("alias/v"));
        assert_eq!(
            v.instance_types,
            ["ml.c5d.xlarge", "ml.g5.xlarge", "ml.m5.large"]
        );
        assert!(!v.nothing_to_protect);
    }

    #[test]
    fn only_serverless_endpoints_leave_the_key_nothing_to_protect() {
        let d = read(
            r#"{"JobName":"sl","JobType":"Advanced",
            "JobArn":"arn:aws:sagemaker:us-east-1:111122223333:inference-recommendations-job/sl",
            "InputConfig":{"EndpointConfigurations":[
              {"ServerlessConfig":{"MemorySizeInMB":2048,"MaxConcurrency":1}}]}}"#,
        );
        assert!(d.slots[0].slot.nothing_to_protect);
        // A default job that names no type: SageMaker chooses, the key is needed.
        let d = read(
            r#"{"JobName":"d","JobType":"Default",
            "JobArn":"arn:aws:sagemaker:us-east-1:111122223333:inference-recommendations-job/d",
            "InputConfig":{"ModelName":"m"}}"#,
        );
        let v = &d.slots[0].slot;
        assert!(!v.nothing_to_protect && v.instance_types.is_empty() && v.value.is_none());
    }
}
