//! `DescribeInferenceExperiment`: a shadow test that deploys model variants on an endpoint's
//! instances next to the production variant. `KmsKey` is the key "SageMaker uses to encrypt
//! data on the storage volume attached to the ML compute instance that hosts the endpoint"
//! (botocore 1.44.8, `CreateInferenceExperimentRequest.KmsKey`); the variants run on
//! endpoint instance types (`RealTimeInferenceConfig.InstanceType` is
//! `ProductionVariantInstanceType`, the endpoint variants' enum), so, as for an endpoint
//! configuration, a type with local NVMe storage has no volume for the key. Captured requests
//! and responses go to `DataStorageConfig.Destination` under `DataStorageConfig.KmsKey`, which
//! is optional: without it nothing is captured.
//!
//! Its name field, `Name`, is also `DescribePartnerApp`'s and `DescribeMlflowApp`'s, so its
//! responses are recognised by `EndpointMetadata`, which only this output has.

use serde::Deserialize;

use super::{
    Api, At, Draft, Fields, KindDecl, Names, Scope, Settled, SlotDraft, Text, distinct_types,
    identity, resource,
};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{
    Compliance, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST, with_common,
};
use crate::rules::output::{OutputCheck, OutputText};
use crate::rules::volume::{VolumeCheck, VolumeText};
use crate::verdict::Severity;

/// Everything about inference experiments.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::InferenceExperiment,
    names: Names {
        resource_type: "inference-experiment",
        arn_resource: "inference-experiment",
        arn_nested: false,
        arn_id: false,
        noun: "Inference experiment",
        plural: "inference experiments",
    },
    api: Api {
        list: "ListInferenceExperiments",
        summaries: "InferenceExperiments",
        describe: "DescribeInferenceExperiment",
        name_field: "Name",
        marker: "EndpointMetadata",
        arn_field: "Arn",
        within: None,
    },
    unlisted: None,
    // botocore 1.44.8, sagemaker 2017-07-24: enum InferenceExperimentStatus
    // (ListInferenceExperiments.StatusEquals).
    statuses: &[
        "Creating",
        "Created",
        "Updating",
        "Running",
        "Starting",
        "Stopping",
        "Completed",
        "Cancelled",
    ],
    settled: Settled::Never,
    keys: &["KmsKey", "DataStorageConfig.KmsKey"],
    describe_fields: &["EndpointMetadata", "ModelVariants", "ShadowModeConfig"],
    refers_to: &[],
    // SageMaker Pipelines has no step that creates an inference experiment.
    pipeline_steps: &[],
    creates: &["CreateInferenceExperiment"],
    // The Terraform AWS provider has no inference experiment resource.
    terraform: &[],
    cloudformation: &["AWS::SageMaker::InferenceExperiment"],
    parse,
    slots,
    checks: &[&VOLUME, &OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::Calls {
        list: live::list,
        describe: crate::calls::describe!(describe_inference_experiment, name),
        // Its summaries carry no ARN, which is made from the name.
        shards: false,
    },
};

/// The live calls. `ListInferenceExperiments` summaries carry no ARN; each is written as
/// botocore's pattern gives it from the client's region and the partition and account of the
/// experiment's `RoleArn` (SageMaker assumes that role, which `iam:PassRole` confines to the
/// caller's account). A summary without a role gets no ARN, and the listing reports it.
#[cfg(feature = "aws")]
mod live {
    use aws_sdk_sagemaker::Client;
    use aws_sdk_sagemaker::types::InferenceExperimentStatus;

    use crate::calls::{ListArgs, Page, Pending, describe_error};

    /// The experiment's ARN from its role's ARN (`arn:PARTITION:iam::ACCOUNT:role/…`).
    pub(super) fn arn_of(region: &str, role: Option<&str>, name: &str) -> String {
        let parts: Vec<&str> = role.unwrap_or_default().splitn(6, ':').collect();
        match parts[..] {
            ["arn", partition, "iam", "", account, _] => {
                format!("arn:{partition}:sagemaker:{region}:{account}:inference-experiment/{name}")
            }
            _ => String::new(),
        }
    }

    pub(super) fn list<'a>(client: &'a Client, args: ListArgs<'a>) -> Pending<'a, Page> {
        Box::pin(async move {
            let region = client
                .config()
                .region()
                .map(ToString::to_string)
                .unwrap_or_default();
            let page = client
                .list_inference_experiments()
                .max_results(100)
                .set_next_token(args.token.map(str::to_owned))
                .set_creation_time_after(
                    args.created_after
                        .map(aws_smithy_types::DateTime::from_secs),
                )
                .set_status_equals(args.status.map(InferenceExperimentStatus::from))
                .send()
                .await
                .map_err(|e| describe_error(&e))?;
            let pairs = page
                .inference_experiments()
                .iter()
                .map(|s| {
                    let name = s.name().unwrap_or_default();
                    crate::calls::Summary::new(name.to_owned(), arn_of(&region, s.role_arn(), name))
                })
                .collect();
            Ok((pairs, page.next_token().map(str::to_owned)))
        })
    }

    #[cfg(test)]
    #[test]
    fn arns_come_from_the_role() {
        assert_eq!(
            arn_of(
                "eu-west-1",
                Some("arn:aws-cn:iam::111122223333:role/service-role/x"),
                "shadow"
            ),
            "arn:aws-cn:sagemaker:eu-west-1:111122223333:inference-experiment/shadow"
        );
        assert_eq!(arn_of("eu-west-1", None, "shadow"), "");
        assert_eq!(arn_of("eu-west-1", Some("arn:aws:s3:::b"), "shadow"), "");
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Variant<'a> {
    #[serde(borrow, default)]
    infrastructure_config: Option<Infrastructure<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Infrastructure<'a> {
    #[serde(borrow, default)]
    real_time_inference_config: Option<RealTime<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RealTime<'a> {
    #[serde(borrow)]
    instance_type: Option<Text<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Storage<'a> {
    #[serde(borrow)]
    destination: Option<Text<'a>>,
    #[serde(borrow, default)]
    kms_key: At<'a, Option<Text<'a>>>,
}

/// The variants' instance volume key, then the captured data's S3 key (not applicable
/// without `DataStorageConfig`).
fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let mut volume = KeySlot::new(Role::Volume, "KmsKey");
    let variants = f.get::<Option<Vec<Variant<'a>>>>("ModelVariants")?;
    for v in variants.and_then(|v| v.value).unwrap_or_default() {
        if let Some(rt) = v
            .infrastructure_config
            .and_then(|i| i.real_time_inference_config)
        {
            for t in scope.types(
                "ModelVariants[].InfrastructureConfig.RealTimeInferenceConfig.InstanceType",
                &rt.instance_type,
            )? {
                if !volume.instance_types.contains(&t) {
                    volume.instance_types.push(t);
                }
            }
        }
    }
    let key = f.get::<Option<Text<'a>>>("KmsKey")?;
    let volume = SlotDraft::new(volume, key.as_ref(), None, scope)?;
    let storage = f.get::<Option<Storage<'a>>>("DataStorageConfig")?;
    let mut captured = KeySlot::new(Role::Output, "DataStorageConfig.KmsKey");
    captured.nothing_to_protect = storage.as_ref().is_none_or(|s| s.value.is_none());
    let value = storage.as_ref().and_then(|s| s.value.as_ref());
    let captured = SlotDraft::output(
        captured,
        "DataStorageConfig.Destination",
        value.map(|s| &s.destination),
        value.map(|s| &s.kms_key),
        storage.as_ref().and_then(At::slice),
        scope,
    )?;
    Ok(vec![volume, captured])
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::InferenceExperiment)?;
    let mut r = resource(Kind::InferenceExperiment, id);
    r.status = f.string("Status")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    r.instance_types = distinct_types(&slots);
    Ok(Draft { resource: r, slots })
}

/// The AWS Config managed rule and the Security Hub control about the volume key.
static VOLUME_COMPLIANCE: [Compliance; 14] = with_common(&[
    Compliance {
        framework: "AWS Config managed rules",
        control: "sagemaker-inf-experiment-instance-storage-kms-encrypted",
        title: "The inference experiment's instance storage volumes are encrypted with a KMS key",
        rationale: "The rule is NON_COMPLIANT when no KMS key is set for the shadow variants' \
            instance storage volumes (KmsKey); this check fails in that case too, and also on \
            AWS-managed keys and on keys KMS reports as not enabled.",
        source: "AWS Security Hub User Guide, control [SageMaker.23], which names this rule \
        (https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-23).",
    },
    Compliance {
        framework: "AWS Security Hub CSPM controls",
        control: "SageMaker.23",
        title: "SageMaker inference experiments have instance storage volumes encrypted with \
            customer managed KMS keys",
        rationale: "The control fails when no KMS key is set for the shadow variants' instance \
            storage volumes (KmsKey); this check fails in that case too, and also when the key is \
            AWS-managed or not enabled, which the control's title excludes but its rule does not \
            test.",
        source: "AWS Security Hub User Guide, Security Hub CSPM controls for SageMaker AI, \
        [SageMaker.23] (https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-23).",
    },
]);

/// The AWS Config managed rule and the Security Hub control about the captured data key.
static DATA_COMPLIANCE: [Compliance; 14] = with_common(&[
    Compliance {
        framework: "AWS Config managed rules",
        control: "sagemaker-inf-experiment-data-storage-kms-encrypted",
        title: "The inference experiment's captured data is encrypted with a KMS key",
        rationale: "The rule is NON_COMPLIANT when the data storage configuration sets no KMS \
            key for the captured data (DataStorageConfig.KmsKey); this check fails in that case \
            too, and also on AWS-managed keys and on keys KMS reports as not enabled.",
        source: "AWS Security Hub User Guide, control [SageMaker.24], which names this rule \
        (https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-24).",
    },
    Compliance {
        framework: "AWS Security Hub CSPM controls",
        control: "SageMaker.24",
        title: "SageMaker inference experiments have data storage encrypted with customer \
            managed KMS keys",
        rationale: "The control fails when the data storage configuration sets no KMS key for \
            the captured data (DataStorageConfig.KmsKey); this check fails in that case too, and \
            also when the key is AWS-managed or not enabled, which the control's title excludes \
            but its rule does not test.",
        source: "AWS Security Hub User Guide, Security Hub CSPM controls for SageMaker AI, \
        [SageMaker.24] (https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-24).",
    },
]);

/// Documentation of `inference-experiment-volume-cmk`.
pub static VOLUME_META: RuleMeta = RuleMeta {
    id: "inference-experiment-volume-cmk",
    kind: Kind::InferenceExperiment,
    role: Role::Volume,
    name: "InferenceExperimentVolumeCustomerManagedKey",
    title: "Inference experiment variant volumes are encrypted with a customer-managed KMS key",
    description: "Checks KmsKey of each SageMaker inference experiment (shadow test), the key \
        for the storage volumes of the instances that host its model variants. The check \
        passes when the field names an enabled customer-managed KMS key in any form KMS \
        accepts. It fails when the field is missing, null or empty, names an alias/aws/* key, \
        or KMS reports the key as AWS-managed or not enabled. It does not apply when every \
        variant runs on an instance type with local NVMe storage, which takes no key.",
    risk: "A shadow variant receives a copy of production traffic: its instances' volumes hold \
        the model and whatever the container writes while serving real requests. Without a \
        customer-managed key you cannot limit decryption through a key policy, rotate on your \
        schedule or revoke access at once by disabling the key.",
    remediation: Remediation {
        console: "An experiment's key cannot be changed. Stop the shadow test (SageMaker \
        console, Inference > Shadow tests), then create a new one with the encryption key set \
        to your customer-managed key.",
        aws_cli: "aws sagemaker create-inference-experiment --name NEW_NAME --type ShadowMode \
        --role-arn ROLE_ARN --endpoint-name ENDPOINT --model-variants file://variants.json \
        --shadow-mode-config file://shadow.json --kms-key arn:aws:kms:REGION:ACCOUNT:key/KEY_ID",
        boto3: "boto3.client('sagemaker').create_inference_experiment(Name='new-name', \
        Type='ShadowMode', ..., KmsKey=key_arn)",
        python_sdk: "The SageMaker Python SDK does not create inference experiments; with SDK \
        3's resources pass kms_key to InferenceExperiment.create.",
        // No pipeline step creates an inference experiment.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: CreateInferenceExperiment, KmsKey",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateInferenceExperiment.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: &VOLUME_COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.5",
};

/// The volume check.
pub static VOLUME: VolumeCheck = VolumeCheck {
    meta: &VOLUME_META,
    text: VolumeText {
        protects: "shadow variant instance volumes",
        without_key: "the variants' instance volumes are encrypted with a key SageMaker chooses",
        nvme_exempt: true,
        no_instance: "",
    },
};

/// Documentation of `inference-experiment-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "inference-experiment-output-cmk",
    kind: Kind::InferenceExperiment,
    role: Role::Output,
    name: "InferenceExperimentOutputCustomerManagedKey",
    title: "Inference experiment captured data is encrypted with a customer-managed KMS key",
    description: "Checks DataStorageConfig.KmsKey of each SageMaker inference experiment, the \
        key for the requests and responses it captures to DataStorageConfig.Destination. The \
        check passes when the field names an enabled customer-managed KMS key in any form KMS \
        accepts. It fails when the field is missing, null or empty (the objects then get the \
        bucket's default encryption), names an alias/aws/* key, or KMS reports the key as \
        AWS-managed or not enabled. It does not apply to an experiment without \
        DataStorageConfig, which captures nothing.",
    risk: "Captured data is production traffic: the requests your users send and the \
        predictions returned. In S3 without a customer-managed key, anyone with read access \
        to the bucket can read it.",
    remediation: Remediation {
        console: "Stop the shadow test, then create a new one whose data capture names your \
        customer-managed key.",
        aws_cli: "aws sagemaker create-inference-experiment ... --data-storage-config \
        '{\"Destination\":\"s3://BUCKET/PREFIX/\",\"KmsKey\":\
        \"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}'",
        boto3: "boto3.client('sagemaker').create_inference_experiment(..., \
        DataStorageConfig={'Destination': 's3://bucket/prefix/', 'KmsKey': key_arn})",
        python_sdk: "The SageMaker Python SDK does not create inference experiments; with SDK \
        3's resources pass data_storage_config to InferenceExperiment.create.",
        // No pipeline step creates an inference experiment.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: InferenceExperimentDataStorageConfig",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_InferenceExperimentDataStorageConfig.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: &DATA_COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.5",
};

/// The captured data check.
pub static OUTPUT: OutputCheck = OutputCheck {
    meta: &OUTPUT_META,
    text: OutputText {
        protects: "captured requests and responses",
        without_key: "the objects get the default encryption of the bucket they are written to",
    },
};

#[cfg(test)]
mod tests {
    use crate::resource::Resource;

    fn read(rest: &str) -> Resource {
        let text = format!(
            r#"{{"Arn": "arn:aws:sagemaker:us-east-1:111122223333:inference-experiment/shadow", "Name": "shadow",
"Type": "ShadowMode", "Status": "Running", "EndpointMetadata": {{"EndpointName": "ep"}},
"ModelVariants": [{{"ModelName": "a", "VariantName": "a", "InfrastructureConfig": {{"InfrastructureType": "RealTimeInference",
  "RealTimeInferenceConfig": {{"InstanceType": "ml.g5.xlarge", "InstanceCount": 1}}}}}},
 {{"ModelName": "b", "VariantName": "b", "InfrastructureConfig": {{"InfrastructureType": "RealTimeInference",
  "RealTimeInferenceConfig": {{"InstanceType": "ml.m5.large", "InstanceCount": 1}}}}}}]{rest}}}"#
        );
        crate::kinds::read_resource(&text)
    }

    #[test]
    fn the_variants_instance_types_and_both_keys() {
        let r = read(
            r#", "KmsKey": "alias/vol", "DataStorageConfig": {"Destination": "s3://cap/", "KmsKey": "alias/cap"}"#,
        );
        assert_eq!(r.instance_types, ["ml.g5.xlarge", "ml.m5.large"]);
        assert_eq!(r.slots[0].value.as_deref(), Some("alias/vol"));
        assert_eq!(r.slots[1].value.as_deref(), Some("alias/cap"));
        assert_eq!(r.slots[1].locations, ["s3://cap/"]);
        assert!(!r.slots[1].nothing_to_protect);
    }

    #[test]
    fn without_data_storage_nothing_is_captured() {
        let r = read("");
        assert!(r.slots[1].nothing_to_protect && !r.slots[0].nothing_to_protect);
    }
}
