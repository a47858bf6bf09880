//! `DescribeInferenceRouter`: a SageMaker inference router, which sends each request for a
//! routing target to one of that target's endpoints or inference components, in any account
//! and Region of the partition (botocore 1.44.8, `CreateInferenceRouter`). A routing target
//! with `AsyncInferenceConfig` is asynchronous: the router writes the results of its requests
//! to `OutputConfig.S3OutputPath` and the details of failed ones to `S3FailurePath`, both
//! encrypted under `OutputConfig.KmsKeyId` (`RoutingTargetAsyncInferenceOutputConfig`). A
//! target without it "serves real-time requests" (`RoutingTarget.AsyncInferenceConfig`): the
//! router writes nothing to S3 for it, so its slot is NOT_APPLICABLE. The router keeps no
//! volume of its own; its destinations are judged as the endpoints they are.
//!
//! The AWS SDK for Rust (aws-sdk-sagemaker 1.248.0, the newest on crates.io) has no inference
//! router operation, so a live scan cannot list routers: they are read from saved
//! `describe-inference-router` responses, Step Functions tasks and Create requests only.

use serde::Deserialize;

use super::endpoint_config::{AsyncInference, async_output_slot};
use super::{
    Api, At, Draft, Fields, KindDecl, Names, Scope, Settled, SlotDraft, Text, identity, resource,
};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::verdict::Severity;

/// Everything about inference routers.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::InferenceRouter,
    names: Names {
        resource_type: "inference-router",
        arn_resource: "inference-router",
        arn_nested: false,
        arn_id: false,
        noun: "Inference router",
        plural: "inference routers",
    },
    api: Api {
        list: "ListInferenceRouters",
        summaries: "InferenceRouters",
        describe: "DescribeInferenceRouter",
        name_field: "InferenceRouterName",
        marker: "InferenceRouterName",
        arn_field: "InferenceRouterArn",
        within: None,
    },
    unlisted: Some(
        "aws-sdk-sagemaker 1.248.0, the AWS SDK for Rust this tool is built with, has no \
         ListInferenceRouters or DescribeInferenceRouter",
    ),
    // botocore 1.44.8: ListInferenceRouters filters by no status.
    statuses: &[],
    // UpdateInferenceRouter replaces the routing targets, their output keys included.
    settled: Settled::Never,
    keys: &["RoutingTargets[].AsyncInferenceConfig.OutputConfig.KmsKeyId"],
    describe_fields: &["RoutingTargets", "Status"],
    refers_to: &[],
    // SageMaker Pipelines has no step that creates an inference router.
    pipeline_steps: &[],
    creates: &["CreateInferenceRouter"],
    // Neither the Terraform AWS provider nor CloudFormation (cfn-lint 1.58.0's schemas) has
    // an inference router resource type.
    terraform: &[],
    cloudformation: &[],
    parse,
    slots,
    checks: &[&OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::UNLISTED,
};

/// `RoutingTarget`: a name callers invoke and, for an asynchronous target, where its results go
/// (`RoutingTargetAsyncInferenceConfig` has the members of an endpoint's `AsyncInferenceConfig`).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Target<'a> {
    #[serde(borrow)]
    name: Option<Text<'a>>,
    #[serde(borrow, default)]
    async_inference_config: At<'a, Option<AsyncInference<'a>>>,
}

/// How a routing target is named in a slot's part: its name when written, else its position.
fn target_name(t: &Target<'_>, i: usize) -> String {
    match &t.name {
        Some(Text::Plain(name)) if !name.trim().is_empty() => {
            format!("routing target {}", crate::text::one_line(name, 60))
        }
        _ => format!("routing target #{}", i + 1),
    }
}

/// One output slot per routing target, NOT_APPLICABLE for a real-time one; one
/// NOT_APPLICABLE slot when there is no target at all (the API requires one, so a document
/// without any describes a router that serves nothing).
fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let targets = f.get::<Option<Vec<At<'a, Target<'a>>>>>("RoutingTargets")?;
    let targets = targets.as_ref().and_then(|t| t.value.as_ref());
    let mut slots = Vec::new();
    for (i, target) in targets.into_iter().flatten().enumerate() {
        let t = &target.value;
        let config = t.async_inference_config.value.as_ref();
        let at = format!("RoutingTargets[{i}].AsyncInferenceConfig");
        let mut slot = KeySlot::new(Role::Output, format!("{at}.OutputConfig.KmsKeyId"));
        slot.part = Some(target_name(t, i));
        // A real-time target (botocore: without AsyncInferenceConfig it "serves real-time
        // requests") writes nothing to S3.
        slot.nothing_to_protect = config.is_none();
        let parent = t.async_inference_config.slice().unwrap_or(target.raw);
        slots.push(async_output_slot(slot, &at, config, parent, scope)?);
    }
    if slots.is_empty() {
        let mut none = KeySlot::new(
            Role::Output,
            "RoutingTargets[].AsyncInferenceConfig.OutputConfig.KmsKeyId",
        );
        none.nothing_to_protect = true;
        slots.push(SlotDraft::new(none, None, None, scope)?);
    }
    Ok(slots)
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::InferenceRouter)?;
    let mut r = resource(Kind::InferenceRouter, id);
    r.status = f.string("Status")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    Ok(Draft { resource: r, slots })
}

/// Documentation of `inference-router-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "inference-router-output-cmk",
    kind: Kind::InferenceRouter,
    role: Role::Output,
    name: "InferenceRouterOutputCustomerManagedKey",
    title: "Asynchronous inference router results are encrypted with a customer-managed KMS key",
    description: "Checks RoutingTargets[].AsyncInferenceConfig.OutputConfig.KmsKeyId of each \
        SageMaker inference router, once per routing target. An asynchronous target's results \
        are written to its S3OutputPath and the details of its failed requests to its \
        S3FailurePath, both under this key. The check passes when the field names an enabled \
        customer-managed KMS key (key id, key ARN, alias or alias ARN; an ARN when a \
        destination is in another account or Region). It fails when the field is missing, null \
        or empty, when it names an alias/aws/* key, when KMS reports the key as AWS-managed or \
        not enabled, and when an output location is an S3 Express One Zone directory bucket. \
        It does not apply to a real-time routing target (no AsyncInferenceConfig), which \
        writes nothing to S3.",
    risk: "The results are the model's answers to every asynchronous request sent through the \
        router, from whichever account or Region served it, and the failure details can echo \
        the requests. Without a key of your own they get only the bucket's default \
        encryption: you cannot limit decryption through a key policy of your own or revoke \
        access at once by disabling the key.",
    remediation: Remediation {
        console: "Describe the router, set OutputConfig.KmsKeyId of every asynchronous routing \
        target to your customer-managed KMS key and send all the targets back with \
        UpdateInferenceRouter, which replaces them as a whole; results already written keep \
        their encryption until they are copied or re-encrypted.",
        aws_cli: "aws sagemaker describe-inference-router --inference-router-name NAME \
        --query RoutingTargets > targets.json; edit each target's \
        AsyncInferenceConfig.OutputConfig to add \
        \"KmsKeyId\": \"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"; then aws sagemaker \
        update-inference-router --inference-router-name NAME --routing-targets \
        file://targets.json",
        boto3: "sm = boto3.client('sagemaker'); targets = \
        sm.describe_inference_router(InferenceRouterName='name')['RoutingTargets']; for each \
        target with AsyncInferenceConfig set \
        target['AsyncInferenceConfig']['OutputConfig']['KmsKeyId'] = key_arn; then \
        sm.update_inference_router(InferenceRouterName='name', RoutingTargets=targets)",
        python_sdk: "The SageMaker Python SDK has no inference router class: update the router \
        with boto3 as above.",
        // No pipeline step creates an inference router.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: CreateInferenceRouter",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateInferenceRouter.html",
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
        protects: "asynchronous inference results and failure details in S3",
        without_key: "the results and failure details get only the bucket's default encryption",
    },
};
