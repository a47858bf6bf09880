//! `DescribeFlowDefinition`: Amazon Augmented AI (A2I) human review workflows. A flow definition
//! sends the inputs a model was unsure about (or every input, for custom task types) to human
//! reviewers and writes each human loop's output object (the input, the reviewers' answers and
//! the flow's metadata) to `OutputConfig.S3OutputPath` under `OutputConfig.KmsKeyId`
//! (botocore 1.44.8, `FlowDefinitionOutputConfig`). The reviewers work in a browser; no instance
//! of the account runs for a flow definition, so its only slot is the output. It cannot be
//! changed after creation (the API has no update operation).

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

/// Everything about human review flow definitions.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::FlowDefinition,
    names: Names {
        resource_type: "flow-definition",
        arn_resource: "flow-definition",
        arn_nested: false,
        arn_id: false,
        noun: "Human review flow definition",
        plural: "human review flow definitions",
    },
    api: Api {
        list: "ListFlowDefinitions",
        summaries: "FlowDefinitionSummaries",
        describe: "DescribeFlowDefinition",
        name_field: "FlowDefinitionName",
        marker: "FlowDefinitionName",
        arn_field: "FlowDefinitionArn",
        within: None,
    },
    unlisted: None,
    // ListFlowDefinitions filters by no status.
    statuses: &[],
    settled: Settled::When {
        field: "FlowDefinitionStatus",
        // botocore 1.44.8: enum FlowDefinitionStatus; `Deleting` ends in its removal.
        values: &["Active", "Failed"],
    },
    keys: &["OutputConfig.KmsKeyId"],
    describe_fields: &["HumanLoopConfig", "OutputConfig", "RoleArn"],
    refers_to: &[],
    // SageMaker Pipelines has no step that creates a flow definition.
    pipeline_steps: &[],
    creates: &["CreateFlowDefinition"],
    terraform: &["aws_sagemaker_flow_definition"],
    // CloudFormation has no resource type for jobs.
    cloudformation: &[],
    parse,
    slots,
    checks: &[&OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_flow_definitions, no_status, flow_definition_summaries,
        flow_definition_name, flow_definition_arn;
        describe_flow_definition, flow_definition_name
    ),
};

/// `FlowDefinitionOutputConfig`: where the human loops' output goes and its key.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OutputConfig<'a> {
    #[serde(borrow)]
    s3_output_path: Option<Text<'a>>,
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<Text<'a>>>,
}

fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let out = f.get::<OutputConfig<'a>>("OutputConfig")?;
    Ok(vec![SlotDraft::output(
        KeySlot::new(Role::Output, "OutputConfig.KmsKeyId"),
        "OutputConfig.S3OutputPath",
        out.as_ref().map(|o| &o.value.s3_output_path),
        out.as_ref().map(|o| &o.value.kms_key_id),
        out.as_ref().map(|o| o.raw),
        scope,
    )?])
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::FlowDefinition)?;
    let mut r = resource(Kind::FlowDefinition, id);
    r.status = f.string("FlowDefinitionStatus")?;
    r.creation_time = f.time("CreationTime")?;
    // A flow definition has no LastModifiedTime: it cannot change.
    let slots = slots(f, Scope::Describe)?;
    Ok(Draft { resource: r, slots })
}

/// Documentation of `flow-definition-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "flow-definition-output-cmk",
    kind: Kind::FlowDefinition,
    role: Role::Output,
    name: "FlowDefinitionOutputCustomerManagedKey",
    title: "Human review output is encrypted with a customer-managed KMS key",
    description: "Checks OutputConfig.KmsKeyId of each Amazon Augmented AI (A2I) human review \
        flow definition. A2I writes the output of every human loop the flow starts (the \
        reviewed input, each reviewer's answers and the loop's metadata) to \
        OutputConfig.S3OutputPath, encrypted with this key. The check passes when the field \
        names an enabled customer-managed KMS key (key id, key ARN, alias or alias ARN, in any \
        account). It fails when the field is missing, null or empty (the output then gets \
        whatever default encryption the bucket has, which the flow does not choose), when it \
        names an alias/aws/* key, or when KMS reports the key as AWS-managed or not enabled; \
        and when the output path is an S3 Express One Zone directory bucket, which takes no \
        KMS key from SageMaker.",
    risk: "Human review is where the cases a model could not decide go: loan documents, \
        medical forms, moderated images. Each output object repeats the input next to what \
        people said about it. Without a key of your own you cannot limit who may decrypt it \
        through a key policy, audit each use in CloudTrail, or revoke access at once by \
        disabling the key.",
    remediation: Remediation {
        console: "A flow definition cannot be changed. In the SageMaker console open Augmented \
        AI > Human review workflows and create the workflow again; under Amazon S3 bucket \
        choose Encryption, set your customer-managed KMS key, then point the model or \
        application that starts human loops at the new flow definition ARN and delete the old \
        one.",
        aws_cli: "aws sagemaker create-flow-definition --flow-definition-name NEW_NAME \
        --output-config '{\"S3OutputPath\":\"s3://BUCKET/PREFIX/\",\
        \"KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' ... (the other arguments as \
        in the original, from aws sagemaker describe-flow-definition)",
        boto3: "boto3.client('sagemaker').create_flow_definition(FlowDefinitionName='new-name', \
        OutputConfig={'S3OutputPath': 's3://bucket/prefix/', 'KmsKeyId': key_arn}, ...) with \
        the remaining arguments copied from describe_flow_definition of the old one.",
        python_sdk: "The SageMaker Python SDK has no flow definition class: create it with boto3 \
        as above.",
        // No pipeline step creates a flow definition.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: FlowDefinitionOutputConfig",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_FlowDefinitionOutputConfig.html",
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
        protects: "human loop outputs in S3",
        without_key: "the human loops' output objects get the bucket's default encryption",
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_output_path_is_where_the_key_protects() {
        let f = Fields::parse(
            r#"{"OutputConfig":{"S3OutputPath":"s3://reviews--use1-az4--x-s3/out/","KmsKeyId":"alias/a2i"}}"#,
        )
        .unwrap();
        let slots = slots(&f, Scope::Describe).unwrap();
        assert_eq!(
            slots[0].slot.locations,
            ["s3://reviews--use1-az4--x-s3/out/"]
        );
        assert_eq!(slots[0].slot.value.as_deref(), Some("alias/a2i"));
    }
}
