//! `DescribeEndpointConfig`: what a real-time, asynchronous or serverless endpoint runs with.
//! `KmsKeyId` encrypts the ML storage volume of every variant's instances; data capture,
//! asynchronous inference output and each variant's core dumps go to S3 under keys of their
//! own. Production and shadow variants alike run on the volume. A variant names its instance
//! type directly or through instance pools; a serverless variant names none and has no volume.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{
    Api, At, Draft, Fields, InstanceEntry, KindDecl, Names, Scope, Settled, SlotDraft, Text,
    distinct_types, identity, resource, types_of,
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

/// Everything about endpoint configurations.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::EndpointConfig,
    names: Names {
        resource_type: "endpoint-config",
        arn_resource: "endpoint-config",
        arn_nested: false,
        arn_id: false,
        noun: "Endpoint configuration",
        plural: "endpoint configurations",
    },
    api: Api {
        list: "ListEndpointConfigs",
        summaries: "EndpointConfigs",
        describe: "DescribeEndpointConfig",
        name_field: "EndpointConfigName",
        marker: "EndpointConfigName",
        arn_field: "EndpointConfigArn",
        within: None,
    },
    unlisted: None,
    // botocore 1.44.8, sagemaker 2017-07-24: ListEndpointConfigs has no StatusEquals, and an
    // endpoint configuration no status.
    statuses: &[],
    // There is no UpdateEndpointConfig: a configuration is replaced, never changed.
    settled: Settled::Always,
    keys: &[
        "KmsKeyId",
        "ProductionVariants[].CoreDumpConfig.KmsKeyId",
        "ShadowProductionVariants[].CoreDumpConfig.KmsKeyId",
        "DataCaptureConfig.KmsKeyId",
        "AsyncInferenceConfig.OutputConfig.KmsKeyId",
    ],
    describe_fields: &["ProductionVariants"],
    refers_to: &[],
    // sagemaker 3.27.0 `sagemaker/mlops/workflow/endpoint_step.py`: EndpointConfigStep, whose
    // arguments are the CreateEndpointConfig request.
    pipeline_steps: &["EndpointConfig"],
    creates: &["CreateEndpointConfig"],
    terraform: &["aws_sagemaker_endpoint_configuration"],
    cloudformation: &["AWS::SageMaker::EndpointConfig"],
    parse,
    slots,
    checks: &[&VOLUME, &OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_endpoint_configs, no_status, endpoint_configs, endpoint_config_name,
        endpoint_config_arn;
        describe_endpoint_config, endpoint_config_name
    ),
};

/// A production or shadow variant: what it runs on and where its core dumps go.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Variant<'a> {
    #[serde(borrow)]
    variant_name: Option<Text<'a>>,
    #[serde(borrow)]
    instance_type: Option<Text<'a>>,
    #[serde(borrow)]
    instance_pools: Option<Vec<InstanceEntry<'a>>>,
    #[serde(borrow, default)]
    core_dump_config: At<'a, Option<S3Key<'a>>>,
}

/// An S3 destination and its key (`CoreDumpConfig`, `DataCaptureConfig`).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct S3Key<'a> {
    #[serde(borrow)]
    destination_s3_uri: Option<Text<'a>>,
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<Text<'a>>>,
    /// `DataCaptureConfig.EnableCapture` ("defaults to enabled"), as written.
    #[serde(borrow)]
    enable_capture: Option<&'a RawValue>,
}

/// `AsyncInferenceConfig` (and an inference router's `RoutingTargetAsyncInferenceConfig`, the
/// same members): where asynchronous results go and their key.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AsyncInference<'a> {
    #[serde(borrow, default)]
    output_config: At<'a, Option<AsyncOutput<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AsyncOutput<'a> {
    #[serde(borrow)]
    s3_output_path: Option<Text<'a>>,
    #[serde(borrow)]
    s3_failure_path: Option<Text<'a>>,
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<Text<'a>>>,
}

/// How a variant is named in a slot's part: its name when written, else its position.
fn variant_name(v: &Variant<'_>, i: usize) -> String {
    match &v.variant_name {
        Some(Text::Plain(name)) if !name.trim().is_empty() => crate::text::one_line(name, 60),
        _ => format!("#{}", i + 1),
    }
}

fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let lists = [
        ("ProductionVariants", ""),
        ("ShadowProductionVariants", "shadow "),
    ];
    let mut variants: Vec<(&str, &str, Vec<At<'a, Variant<'a>>>)> = Vec::new();
    for (field, prefix) in lists {
        let list = f.get::<Option<Vec<At<'a, Variant<'a>>>>>(field)?;
        variants.push((
            field,
            prefix,
            list.and_then(|l| l.value).unwrap_or_default(),
        ));
    }
    let mut volume = KeySlot::new(Role::Volume, "KmsKeyId");
    let mut any_variant = false;
    for (field, _, list) in &variants {
        for v in list {
            any_variant = true;
            volume
                .instance_types
                .extend(scope.types(&format!("{field}[].InstanceType"), &v.value.instance_type)?);
            volume.instance_types.extend(types_of(
                &format!("{field}[].InstancePools[].InstanceType"),
                &v.value.instance_pools,
                scope,
            )?);
        }
    }
    // Every variant serverless: no instance, no storage volume for the key to encrypt.
    volume.nothing_to_protect = any_variant && volume.instance_types.is_empty();
    let key = f.get::<Option<Text<'a>>>("KmsKeyId")?;
    let mut slots = vec![SlotDraft::new(volume, key.as_ref(), None, scope)?];

    slots.extend(capture(f, scope)?);
    slots.extend(async_output(f, scope)?);
    for (field, prefix, list) in &variants {
        for (i, v) in list.iter().enumerate() {
            let Some(dump) = &v.value.core_dump_config.value else {
                continue;
            };
            let mut slot = KeySlot::new(
                Role::Output,
                format!("{field}[{i}].CoreDumpConfig.KmsKeyId"),
            );
            slot.part = Some(format!("core dump {prefix}{}", variant_name(&v.value, i)));
            slots.push(SlotDraft::output(
                slot,
                "CoreDumpConfig.DestinationS3Uri",
                Some(&dump.destination_s3_uri),
                Some(&dump.kms_key_id),
                v.value.core_dump_config.slice(),
                scope,
            )?);
        }
    }
    // Nothing written to S3 at all: one finding says so, so the output check has its verdict.
    if slots.len() == 1 {
        slots.push(nothing_captured(scope)?);
    }
    Ok(slots)
}

/// The data capture slot (`DataCaptureConfig`, in a configuration or as `DescribeEndpoint`
/// summarises it); `None` when nothing is configured. A `DataCaptureConfig` with neither
/// destination, key nor switch configures nothing (moto 5.2.1 returns `{}` for one created
/// without it; AWS leaves it out). Capture switched off protects nothing.
pub(super) fn capture<'a>(
    f: &Fields<'a>,
    scope: Scope<'_>,
) -> Result<Option<SlotDraft<'a>>, DocumentError> {
    let Some(capture) = f.get::<Option<S3Key<'a>>>("DataCaptureConfig")? else {
        return Ok(None);
    };
    let Some(c) = capture.value.as_ref().filter(|c| {
        c.destination_s3_uri.is_some()
            || c.kms_key_id.slice().is_some()
            || c.enable_capture.is_some()
    }) else {
        return Ok(None);
    };
    let mut slot = KeySlot::new(Role::Output, "DataCaptureConfig.KmsKeyId");
    slot.part = Some("data capture".to_owned());
    slot.nothing_to_protect = c.enable_capture.is_some_and(|e| e.get().trim() == "false");
    SlotDraft::output(
        slot,
        "DataCaptureConfig.DestinationS3Uri",
        Some(&c.destination_s3_uri),
        Some(&c.kms_key_id),
        Some(capture.raw),
        scope,
    )
    .map(Some)
}

/// The data capture slot of something that writes nothing to S3: NOT_APPLICABLE, so the output
/// check still has a verdict for it.
pub(super) fn nothing_captured<'a>(scope: Scope<'_>) -> Result<SlotDraft<'a>, DocumentError> {
    let mut none = KeySlot::new(Role::Output, "DataCaptureConfig.KmsKeyId");
    none.part = Some("data capture".to_owned());
    none.nothing_to_protect = true;
    SlotDraft::new(none, None, None, scope)
}

/// The asynchronous inference output slot (results and failures under one key), when
/// `AsyncInferenceConfig` is there.
pub(super) fn async_output<'a>(
    f: &Fields<'a>,
    scope: Scope<'_>,
) -> Result<Option<SlotDraft<'a>>, DocumentError> {
    let Some(config) = f.get::<Option<AsyncInference<'a>>>("AsyncInferenceConfig")? else {
        return Ok(None);
    };
    let Some(a) = &config.value else {
        return Ok(None);
    };
    let mut slot = KeySlot::new(Role::Output, "AsyncInferenceConfig.OutputConfig.KmsKeyId");
    slot.part = Some("async inference".to_owned());
    async_output_slot(slot, "AsyncInferenceConfig", Some(a), config.raw, scope).map(Some)
}

/// The output slot of the asynchronous inference settings at `at` (`slot` names their key):
/// `OutputConfig.S3OutputPath` and `S3FailurePath`, both written under `OutputConfig.KmsKeyId`.
/// `parent` is the text the settings sit in, shown when they have no `OutputConfig`.
pub(super) fn async_output_slot<'a>(
    slot: KeySlot,
    at: &str,
    config: Option<&AsyncInference<'a>>,
    parent: &'a str,
    scope: Scope<'_>,
) -> Result<SlotDraft<'a>, DocumentError> {
    let out = config.and_then(|a| a.output_config.value.as_ref());
    let mut draft = SlotDraft::output(
        slot,
        &format!("{at}.OutputConfig.S3OutputPath"),
        out.map(|o| &o.s3_output_path),
        out.map(|o| &o.kms_key_id),
        Some(
            config
                .and_then(|a| a.output_config.slice())
                .unwrap_or(parent),
        ),
        scope,
    )?;
    // Failed requests are written under the same key.
    if let Some(o) = out {
        draft.slot.locations.extend(scope.text(
            &format!("{at}.OutputConfig.S3FailurePath"),
            &o.s3_failure_path,
        )?);
    }
    Ok(draft)
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::EndpointConfig)?;
    let mut r = resource(Kind::EndpointConfig, id);
    r.creation_time = f.time("CreationTime")?;
    // An endpoint configuration cannot be changed: its creation is its last change.
    r.last_modified_time = r.creation_time;
    let slots = slots(f, Scope::Describe)?;
    r.instance_types = distinct_types(&slots);
    Ok(Draft { resource: r, slots })
}

/// The AWS Config managed rules about endpoint configurations' keys, on top of the common
/// framework mappings.
static ENDPOINT_CONFIG_COMPLIANCE: [Compliance; 14] = with_common(&[
    Compliance {
        framework: "AWS Config managed rules",
        control: "sagemaker-endpoint-configuration-kms-key-configured",
        title: "A KMS key is configured for the endpoint configuration",
        rationale: "The rule is NON_COMPLIANT when KmsKeyId is not set; this check fails in \
            that case too, and also on AWS-managed keys and on keys KMS reports as not enabled.",
        source: "AWS Config Developer Guide, managed rule \
            sagemaker-endpoint-configuration-kms-key-configured \
            (https://docs.aws.amazon.com/config/latest/developerguide/sagemaker-endpoint-configuration-kms-key-configured.html).",
    },
    Compliance {
        framework: "AWS Config managed rules",
        control: "sagemaker-endpoint-config-kms-key-required",
        title: "Endpoint configurations are encrypted with a customer-managed KMS key",
        rationale: "The rule is NON_COMPLIANT when KmsKeyId is not set on the endpoint \
            configuration, the volume key this check reads.",
        source: "AWS Config Developer Guide, managed rule \
            sagemaker-endpoint-config-kms-key-required \
            (https://docs.aws.amazon.com/config/latest/developerguide/sagemaker-endpoint-config-kms-key-required.html).",
    },
]);

/// Documentation of `endpoint-config-volume-cmk`.
pub static VOLUME_META: RuleMeta = RuleMeta {
    id: "endpoint-config-volume-cmk",
    kind: Kind::EndpointConfig,
    role: Role::Volume,
    name: "EndpointConfigVolumeCustomerManagedKey",
    title: "Endpoint instance volumes are encrypted with a customer-managed KMS key",
    description: "Checks KmsKeyId of each SageMaker endpoint configuration, the key for the \
        ML storage volume attached to every instance of its production and shadow variants. \
        The check passes when the field names an enabled customer-managed KMS key in any form \
        KMS accepts. It fails when the field is missing, null or empty (SageMaker then \
        encrypts the volumes with a transient key it discards), names an alias/aws/* key, or \
        KMS reports the key as AWS-managed or not enabled. It does not apply when every \
        variant runs on instance types with local NVMe storage, which the key does not \
        encrypt (AWS encrypts it in hardware), or when every variant is serverless and has \
        no volume.",
    risk: "The instances of an endpoint hold the model and, while they serve, the requests \
        and responses that pass through them. Without a customer-managed key you cannot \
        limit who may decrypt the volumes through a key policy, rotate on your schedule, \
        audit each use in CloudTrail, or revoke access at once by disabling the key.",
    remediation: Remediation {
        console: "Endpoint configurations cannot be changed. In the SageMaker console open \
        Inference > Endpoint configurations, select the configuration and choose Clone; set \
        Encryption key to your customer-managed key, create it, then update each endpoint \
        that uses the old configuration to the new one (Inference > Endpoints > Change).",
        aws_cli: "aws sagemaker create-endpoint-config --endpoint-config-name NEW_NAME \
        --kms-key-id arn:aws:kms:REGION:ACCOUNT:key/KEY_ID --production-variants ... (the \
        variants from aws sagemaker describe-endpoint-config), then aws sagemaker \
        update-endpoint --endpoint-name ENDPOINT --endpoint-config-name NEW_NAME",
        boto3: "sm = boto3.client('sagemaker'); sm.create_endpoint_config(EndpointConfigName='new-name', \
        KmsKeyId=key_arn, ProductionVariants=old['ProductionVariants'], ...); \
        sm.update_endpoint(EndpointName=endpoint, EndpointConfigName='new-name')",
        python_sdk: "model.deploy(initial_instance_count=1, instance_type='ml.m5.xlarge', \
        kms_key=key_arn) (sagemaker 2), or set SageMaker.EndpointConfig.KmsKeyId in the SDK's \
        config.yaml so every endpoint configuration it creates gets the key.",
        pipeline: "Set KmsKeyId in the EndpointConfig step's arguments (the \
        CreateEndpointConfig request), then update the pipeline.",
    },
    references: &[
        Reference {
            title: "SageMaker API: CreateEndpointConfig, KmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpointConfig.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: &ENDPOINT_CONFIG_COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.5",
};

/// The volume check.
pub static VOLUME: VolumeCheck = VolumeCheck {
    meta: &VOLUME_META,
    text: VolumeText {
        protects: "endpoint instance volumes",
        without_key: "SageMaker encrypts the endpoint instance volumes with a transient key it discards",
        nvme_exempt: true,
        no_instance: "every variant is serverless",
    },
};

/// Documentation of `endpoint-config-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "endpoint-config-output-cmk",
    kind: Kind::EndpointConfig,
    role: Role::Output,
    name: "EndpointConfigOutputCustomerManagedKey",
    title: "Captured data, asynchronous inference results and core dumps of endpoints are \
        encrypted with a customer-managed KMS key",
    description: "Checks, for each SageMaker endpoint configuration, the key of each place \
        its endpoints write to S3 (one finding each): DataCaptureConfig.KmsKeyId for captured \
        requests and responses, AsyncInferenceConfig.OutputConfig.KmsKeyId for asynchronous \
        inference results and failures, and CoreDumpConfig.KmsKeyId of each production and \
        shadow variant that collects core dumps. The check passes when the field names an \
        enabled customer-managed KMS key in any form KMS accepts. It fails when the field is \
        missing, null or empty (SageMaker then uses the default S3 key of the role's \
        account), names an alias/aws/* key, or KMS reports the key as AWS-managed or not \
        enabled, and when the destination is an S3 Express One Zone directory bucket. It \
        does not apply to data capture that is configured but disabled.",
    risk: "Captured requests and responses and asynchronous results are the data the model \
        is asked about and its answers, often personal or confidential; a core dump holds \
        whatever the container had in memory. Without a customer-managed key anyone with S3 \
        read access can read them, and their decryption is not under a key policy of yours.",
    remediation: Remediation {
        console: "Endpoint configurations cannot be changed. Clone the configuration in the \
        SageMaker console (Inference > Endpoint configurations), set the data capture, \
        asynchronous output and core dump encryption keys to your customer-managed key, and \
        update each endpoint to the new configuration.",
        aws_cli: "aws sagemaker create-endpoint-config --endpoint-config-name NEW_NAME \
        --data-capture-config '{\"EnableCapture\":true,\"InitialSamplingPercentage\":100,\
        \"DestinationS3Uri\":\"s3://BUCKET/capture/\",\"KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\",\
        \"CaptureOptions\":[{\"CaptureMode\":\"Input\"},{\"CaptureMode\":\"Output\"}]}' \
        --async-inference-config '{\"OutputConfig\":{\"S3OutputPath\":\"s3://BUCKET/async/\",\
        \"KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}}' --production-variants ... \
        (with CoreDumpConfig.KmsKeyId in each variant that collects core dumps)",
        boto3: "boto3.client('sagemaker').create_endpoint_config(EndpointConfigName='new-name', \
        DataCaptureConfig={..., 'KmsKeyId': key_arn}, AsyncInferenceConfig={'OutputConfig': \
        {'S3OutputPath': 's3://bucket/async/', 'KmsKeyId': key_arn}}, \
        ProductionVariants=[{..., 'CoreDumpConfig': {'DestinationS3Uri': 's3://bucket/dumps/', \
        'KmsKeyId': key_arn}}])",
        python_sdk: "model.deploy(..., data_capture_config=DataCaptureConfig(enable_capture=True, \
        destination_s3_uri='s3://bucket/capture/', kms_key_id=key_arn), \
        async_inference_config=AsyncInferenceConfig(output_path='s3://bucket/async/', \
        kms_key_id=key_arn)) (sagemaker 2).",
        pipeline: "Set DataCaptureConfig.KmsKeyId, AsyncInferenceConfig.OutputConfig.KmsKeyId \
        and each variant's CoreDumpConfig.KmsKeyId in the EndpointConfig step's arguments, \
        then update the pipeline.",
    },
    references: &[
        Reference {
            title: "SageMaker API: DataCaptureConfig.KmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DataCaptureConfig.html",
        },
        Reference {
            title: "SageMaker API: AsyncInferenceOutputConfig.KmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_AsyncInferenceOutputConfig.html",
        },
        Reference {
            title: "SageMaker API: ProductionVariantCoreDumpConfig.KmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariantCoreDumpConfig.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: &ENDPOINT_CONFIG_COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.5",
};

/// The output check.
pub static OUTPUT: OutputCheck = OutputCheck {
    meta: &OUTPUT_META,
    text: OutputText {
        protects: "captured data, asynchronous results and core dumps",
        without_key: "SageMaker uses the default S3 key of the role's account for what the endpoint writes",
    },
};

#[cfg(test)]
mod tests {
    use crate::kinds::read_resource as read;
    use crate::resource::Role;

    const ARN: &str = "arn:aws:sagemaker:us-east-1:111122223333:endpoint-config/ec";

    #[test]
    fn variants_pools_and_shadows_feed_one_volume_and_each_s3_place_has_its_slot() {
        let r = read(&format!(
            r#"{{"EndpointConfigName": "ec", "EndpointConfigArn": "{ARN}",
"ProductionVariants": [{{"VariantName": "a", "InstanceType": "ml.g5.xlarge",
  "CoreDumpConfig": {{"DestinationS3Uri": "s3://d/", "KmsKeyId": "alias/d"}}}},
  {{"VariantName": "b", "InstancePools": [{{"InstanceType": "ml.m5.xlarge"}}]}}],
"ShadowProductionVariants": [{{"VariantName": "s", "InstanceType": "ml.p4d.24xlarge",
  "CoreDumpConfig": {{"DestinationS3Uri": "s3://e/"}}}}],
"DataCaptureConfig": {{"EnableCapture": false, "DestinationS3Uri": "s3://c/"}},
"AsyncInferenceConfig": {{"OutputConfig": {{"S3OutputPath": "s3://o/", "S3FailurePath": "s3://f/",
  "KmsKeyId": "alias/o"}}}},
"KmsKeyId": "alias/v"}}"#
        ));
        let volume = &r.slots[0];
        assert_eq!(
            (volume.role, volume.value.as_deref()),
            (Role::Volume, Some("alias/v"))
        );
        assert_eq!(
            volume.instance_types,
            ["ml.g5.xlarge", "ml.m5.xlarge", "ml.p4d.24xlarge"]
        );
        let parts: Vec<(Option<&str>, &str, bool)> = r.slots[1..]
            .iter()
            .map(|s| (s.part.as_deref(), s.field.as_ref(), s.nothing_to_protect))
            .collect();
        assert_eq!(
            parts,
            [
                (Some("data capture"), "DataCaptureConfig.KmsKeyId", true),
                (
                    Some("async inference"),
                    "AsyncInferenceConfig.OutputConfig.KmsKeyId",
                    false
                ),
                (
                    Some("core dump a"),
                    "ProductionVariants[0].CoreDumpConfig.KmsKeyId",
                    false
                ),
                (
                    Some("core dump shadow s"),
                    "ShadowProductionVariants[0].CoreDumpConfig.KmsKeyId",
                    false
                ),
            ]
        );
        assert_eq!(r.slots[2].locations, ["s3://o/", "s3://f/"]);
        assert_eq!(r.slots[3].value_line, Some(3));
        assert_eq!(r.slots[4].value, None);
    }

    #[test]
    fn serverless_variants_have_no_volume_and_an_empty_capture_is_none() {
        let r = read(&format!(
            r#"{{"EndpointConfigName": "ec", "EndpointConfigArn": "{ARN}",
"ProductionVariants": [{{"VariantName": "a", "ServerlessConfig": {{"MemorySizeInMB": 2048}}}}],
"DataCaptureConfig": {{}}}}"#
        ));
        // The volume, and one output finding saying nothing is written to S3.
        assert_eq!(r.slots.len(), 2);
        assert!(r.slots[0].nothing_to_protect && r.slots[1].nothing_to_protect);
        assert!(r.slots[0].instance_types.is_empty());
    }
}
