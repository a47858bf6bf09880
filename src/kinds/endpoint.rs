//! `DescribeEndpoint`: a deployed endpoint, as it runs now. Its response repeats what the
//! endpoint writes to S3 — captured data (`DataCaptureConfig`, with the key in use) and
//! asynchronous results (`AsyncInferenceConfig.OutputConfig`) — so an endpoint is judged on
//! those even when the endpoint configuration it was deployed from has since been deleted.
//! The instance volume key is not in the response: it belongs to the endpoint configuration
//! (`EndpointConfigName`), judged as that kind. `CreateEndpoint` and the resources that
//! declare endpoints (`AWS::SageMaker::Endpoint`, `aws_sagemaker_endpoint`, the `Endpoint`
//! pipeline step) name a configuration and carry no key, so only deployed endpoints are read.

use super::{Api, Draft, Fields, KindDecl, Names, Scope, Settled, SlotDraft, identity, resource};
use crate::document::DocumentError;
use crate::resource::{Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::verdict::Severity;

/// Everything about endpoints.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::Endpoint,
    names: Names {
        resource_type: "endpoint",
        arn_resource: "endpoint",
        arn_nested: false,
        arn_id: false,
        noun: "Endpoint",
        plural: "endpoints",
    },
    api: Api {
        list: "ListEndpoints",
        summaries: "Endpoints",
        describe: "DescribeEndpoint",
        name_field: "EndpointName",
        marker: "EndpointName",
        arn_field: "EndpointArn",
        within: None,
    },
    unlisted: None,
    // botocore 1.44.8, sagemaker 2017-07-24: enum EndpointStatus (ListEndpoints.StatusEquals).
    statuses: &[
        "OutOfService",
        "Creating",
        "Updating",
        "SystemUpdating",
        "RollingBack",
        "InService",
        "Deleting",
        "Failed",
        "UpdateRollbackFailed",
    ],
    settled: Settled::Never,
    keys: &[
        "DataCaptureConfig.KmsKeyId",
        "AsyncInferenceConfig.OutputConfig.KmsKeyId",
    ],
    describe_fields: &["EndpointStatus", "EndpointConfigName", "ProductionVariants"],
    refers_to: &["EndpointConfigName"],
    // The Endpoint step, CreateEndpoint and the resource types that declare endpoints carry
    // no key (they name an endpoint configuration).
    pipeline_steps: &[],
    creates: &[],
    terraform: &[],
    cloudformation: &[],
    parse,
    slots,
    checks: &[&OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_endpoints, EndpointStatus, endpoints, endpoint_name, endpoint_arn;
        describe_endpoint, endpoint_name
    ),
};

fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    use super::endpoint_config::{async_output, capture, nothing_captured};
    // An endpoint that captures nothing writes no captured data: one finding says so, so every
    // endpoint has a verdict.
    let mut slots = vec![match capture(f, scope)? {
        Some(slot) => slot,
        None => nothing_captured(scope)?,
    }];
    slots.extend(async_output(f, scope)?);
    Ok(slots)
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::Endpoint)?;
    let mut r = resource(Kind::Endpoint, id);
    r.status = f.string("EndpointStatus")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    Ok(Draft { resource: r, slots })
}

/// Documentation of `endpoint-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "endpoint-output-cmk",
    kind: Kind::Endpoint,
    role: Role::Output,
    name: "EndpointOutputCustomerManagedKey",
    title: "What a deployed endpoint captures and returns asynchronously is encrypted with a \
        customer-managed KMS key",
    description: "Checks, for each deployed SageMaker endpoint, the key it uses now for each \
        place it writes to S3 (one finding each): DataCaptureConfig.KmsKeyId for captured \
        requests and responses, and AsyncInferenceConfig.OutputConfig.KmsKeyId for \
        asynchronous results and failures. The check passes when the field names an enabled \
        customer-managed KMS key in any form KMS accepts. It fails when the field is missing, \
        null or empty (SageMaker then uses the default S3 key of the role's account), names \
        an alias/aws/* key, or KMS reports the key as AWS-managed or not enabled, and when the \
        destination is an S3 Express One Zone directory bucket. It does not apply to an \
        endpoint that captures nothing. The instance volume key is judged on the endpoint \
        configuration the endpoint names (endpoint-config-volume-cmk).",
    risk: "A live endpoint keeps writing: every captured request and response, every \
        asynchronous result. Without a customer-managed key anyone with S3 read access can \
        read them, and their decryption is not under a key policy of yours.",
    remediation: Remediation {
        console: "Create an endpoint configuration with the data capture and asynchronous output \
        keys set to your customer-managed key (clone the current one in Inference > Endpoint \
        configurations), then choose Inference > Endpoints, select the endpoint and change it \
        to the new configuration.",
        aws_cli: "aws sagemaker create-endpoint-config --endpoint-config-name NEW_CONFIG \
        --data-capture-config '{...,\"KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' \
        ... then aws sagemaker update-endpoint --endpoint-name ENDPOINT --endpoint-config-name \
        NEW_CONFIG",
        boto3: "sm = boto3.client('sagemaker'); sm.create_endpoint_config(EndpointConfigName='new', \
        DataCaptureConfig={..., 'KmsKeyId': key_arn}, ...); \
        sm.update_endpoint(EndpointName=endpoint, EndpointConfigName='new')",
        python_sdk: "predictor.update_data_capture_config(DataCaptureConfig(enable_capture=True, \
        destination_s3_uri='s3://bucket/capture/', kms_key_id=key_arn)) (sagemaker 2).",
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: DescribeEndpoint, DataCaptureConfigSummary",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DataCaptureConfigSummary.html",
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
        protects: "captured data and asynchronous results",
        without_key: "SageMaker uses the default S3 key of the role's account for what the endpoint writes",
    },
};

#[cfg(test)]
mod tests {
    use crate::kinds::read_resource as read;
    use crate::resource::Kind;

    #[test]
    fn an_endpoint_is_told_from_its_configuration_and_always_has_a_verdict() {
        let r = read(
            r#"{"EndpointName": "ep", "EndpointArn": "arn:aws:sagemaker:us-east-1:111122223333:endpoint/ep",
"EndpointConfigName": "ec", "EndpointStatus": "InService", "ProductionVariants": []}"#,
        );
        assert_eq!(r.kind, Kind::Endpoint);
        assert_eq!(r.slots.len(), 1);
        assert!(r.slots[0].nothing_to_protect);
        let r = read(
            r#"{"EndpointName": "ep", "EndpointArn": "arn:aws:sagemaker:us-east-1:111122223333:endpoint/ep",
"EndpointConfigName": "ec", "EndpointStatus": "InService",
"DataCaptureConfig": {"EnableCapture": true, "DestinationS3Uri": "s3://c/", "KmsKeyId": "alias/k"},
"AsyncInferenceConfig": {"OutputConfig": {"S3OutputPath": "s3://o/"}}}"#,
        );
        assert_eq!(r.slots.len(), 2);
        assert_eq!(r.slots[0].value.as_deref(), Some("alias/k"));
        assert_eq!(r.slots[0].value_line, Some(3));
        assert_eq!(r.slots[1].part.as_deref(), Some("async inference"));
        assert_eq!(r.slots[1].value, None);
    }
}
