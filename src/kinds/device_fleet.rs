//! `DescribeDeviceFleet`: a SageMaker Edge Manager fleet of edge devices. The devices' agents
//! upload the model inputs and outputs they sample to `OutputConfig.S3OutputLocation`, encrypted
//! under `OutputConfig.KmsKeyId` (botocore 1.44.8, `EdgeOutputConfig`: without a key, "the
//! default KMS key for Amazon S3 for your role's account"). The devices are the customer's own
//! hardware, so the fleet has no instance volume; its only slot is the output. Botocore's
//! `DeviceFleetArn` pattern says `arn:aws:iam::ACCOUNT:device-fleet/NAME`; the API returns
//! SageMaker ARNs (`arn:aws:sagemaker:REGION:ACCOUNT:device-fleet/NAME`), which is what this
//! kind reads.

use serde::Deserialize;

use super::{
    Api, At, Draft, Fields, KindDecl, Names, Scope, Settled, SlotDraft, Text, identity, resource,
};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::verdict::Severity;

/// Everything about edge device fleets.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::DeviceFleet,
    names: Names {
        resource_type: "device-fleet",
        arn_resource: "device-fleet",
        arn_nested: false,
        arn_id: false,
        noun: "Edge device fleet",
        plural: "edge device fleets",
    },
    api: Api {
        list: "ListDeviceFleets",
        summaries: "DeviceFleetSummaries",
        describe: "DescribeDeviceFleet",
        name_field: "DeviceFleetName",
        marker: "DeviceFleetName",
        arn_field: "DeviceFleetArn",
        within: None,
    },
    unlisted: None,
    // ListDeviceFleets filters by no status.
    statuses: &[],
    // UpdateDeviceFleet changes its output configuration.
    settled: Settled::Never,
    keys: &["OutputConfig.KmsKeyId"],
    describe_fields: &["OutputConfig", "RoleArn", "IotRoleAlias"],
    refers_to: &[],
    // SageMaker Pipelines has no step that creates a device fleet.
    pipeline_steps: &[],
    creates: &["CreateDeviceFleet"],
    terraform: &["aws_sagemaker_device_fleet"],
    cloudformation: &["AWS::SageMaker::DeviceFleet"],
    parse,
    slots,
    checks: &[&OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_device_fleets, no_status, device_fleet_summaries,
        device_fleet_name, device_fleet_arn;
        describe_device_fleet, device_fleet_name
    ),
};

/// `EdgeOutputConfig`: where the sampled data goes and its key.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OutputConfig<'a> {
    #[serde(borrow)]
    s3_output_location: Option<Text<'a>>,
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<Text<'a>>>,
}

fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let out = f.get::<OutputConfig<'a>>("OutputConfig")?;
    Ok(vec![SlotDraft::output(
        KeySlot::new(Role::Output, "OutputConfig.KmsKeyId"),
        "OutputConfig.S3OutputLocation",
        out.as_ref().map(|o| &o.value.s3_output_location),
        out.as_ref().map(|o| &o.value.kms_key_id),
        out.as_ref().map(|o| o.raw),
        scope,
    )?])
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::DeviceFleet)?;
    let mut r = resource(Kind::DeviceFleet, id);
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    Ok(Draft { resource: r, slots })
}

/// Documentation of `device-fleet-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "device-fleet-output-cmk",
    kind: Kind::DeviceFleet,
    role: Role::Output,
    name: "DeviceFleetOutputCustomerManagedKey",
    title: "Data sampled from edge devices is encrypted with a customer-managed KMS key",
    description: "Checks OutputConfig.KmsKeyId of each SageMaker Edge Manager device fleet. The \
        fleet's devices upload the model inputs and predictions they sample to \
        OutputConfig.S3OutputLocation, encrypted with this key. The check passes when the \
        field names an enabled customer-managed KMS key (key id, key ARN, alias or alias ARN, \
        in any account). It fails when the field is missing, null or empty (SageMaker then \
        uses the default KMS key for S3 of the role's account, an AWS-managed key), when it \
        names an alias/aws/* key, or when KMS reports the key as AWS-managed or not enabled; \
        and when the output location is an S3 Express One Zone directory bucket, which takes \
        no KMS key from SageMaker.",
    risk: "Sampled data is what the devices saw and what the model said about it: camera \
        frames, sensor readings, the predictions made on them. Under an AWS-managed key anyone \
        allowed to read the bucket can read it; you cannot limit decryption through a key \
        policy of your own or revoke access at once by disabling the key.",
    remediation: Remediation {
        console: "In the SageMaker console open Edge Manager > Edge device fleets, edit the fleet \
        and set the output encryption key to your customer-managed KMS key (UpdateDeviceFleet); \
        data already uploaded keeps its key until it is re-encrypted.",
        aws_cli: "aws sagemaker update-device-fleet --device-fleet-name NAME --output-config \
        '{\"S3OutputLocation\":\"s3://BUCKET/PREFIX/\",\
        \"KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}'",
        boto3: "boto3.client('sagemaker').update_device_fleet(DeviceFleetName='name', \
        OutputConfig={'S3OutputLocation': 's3://bucket/prefix/', 'KmsKeyId': key_arn})",
        python_sdk: "The SageMaker Python SDK has no device fleet class: update it with boto3 as \
        above, or set OutputConfig.KmsKeyId of AWS::SageMaker::DeviceFleet in CloudFormation.",
        // No pipeline step creates a device fleet.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: EdgeOutputConfig",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_EdgeOutputConfig.html",
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
        protects: "data sampled from edge devices in S3",
        without_key: "SageMaker encrypts the sampled data with the account's default \
            (AWS-managed) KMS key for S3",
    },
};
