//! `DescribeModelCard`: a SageMaker model card, the governance record of a model (intended
//! uses, risk rating, training details, evaluation results). SageMaker keeps its `Content`
//! encrypted under `SecurityConfig.KmsKeyId` (botocore 1.44.8, `ModelCardSecurityConfig`: "A
//! Key Management Service key ID to use for encrypting a model card"), set when the card is
//! created: `UpdateModelCard` takes no security configuration, so every version keeps the key
//! of the first. Describe returns the latest version.

use serde::Deserialize;

use super::{
    Api, At, Draft, Fields, KindDecl, Names, Scope, Settled, SlotDraft, Text, identity, resource,
};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation};
use crate::rules::store::{StoreCheck, StoreText};
use crate::verdict::Severity;

/// Everything about model cards.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::ModelCard,
    names: Names {
        resource_type: "model-card",
        arn_resource: "model-card",
        arn_nested: false,
        arn_id: false,
        noun: "Model card",
        plural: "model cards",
    },
    api: Api {
        list: "ListModelCards",
        summaries: "ModelCardSummaries",
        describe: "DescribeModelCard",
        name_field: "ModelCardName",
        marker: "ModelCardName",
        arn_field: "ModelCardArn",
        within: None,
    },
    unlisted: None,
    // botocore 1.44.8, sagemaker 2017-07-24: enum ModelCardStatus (ListModelCards.ModelCardStatus).
    statuses: &["Draft", "PendingReview", "Approved", "Archived"],
    settled: Settled::Never,
    keys: &["SecurityConfig.KmsKeyId"],
    describe_fields: &["ModelCardVersion", "Content", "ModelCardStatus"],
    refers_to: &[],
    // SageMaker Pipelines has no step that creates a model card.
    pipeline_steps: &[],
    creates: &["CreateModelCard"],
    // The Terraform AWS provider has no model card resource.
    terraform: &[],
    cloudformation: &["AWS::SageMaker::ModelCard"],
    parse,
    slots,
    checks: &[&CONTENT],
    // `ListModelCards` names its status filter `ModelCardStatus`. Cards are described as
    // metadata only, which needs no `kms:Decrypt` on the card's key and keeps the card's
    // content out of the scan and of collect exports.
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_model_cards, (ModelCardStatus, set_model_card_status), model_card_summaries,
        model_card_name, model_card_arn;
        describe_model_card, model_card_name,
        included_data(aws_sdk_sagemaker::types::IncludedData::MetadataOnly)
    ),
};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Security<'a> {
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<Text<'a>>>,
}

/// The key of the card's content: a model card always has content to protect.
fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let security = f.get::<Option<Security<'a>>>("SecurityConfig")?;
    let value = security.as_ref().and_then(|s| s.value.as_ref());
    Ok(vec![SlotDraft::new(
        KeySlot::new(Role::Store, "SecurityConfig.KmsKeyId"),
        value.map(|s| &s.kms_key_id),
        security.as_ref().and_then(At::slice),
        scope,
    )?])
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::ModelCard)?;
    let mut r = resource(Kind::ModelCard, id);
    r.status = f.string("ModelCardStatus")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    Ok(Draft { resource: r, slots })
}

/// Documentation of `model-card-content-cmk`.
pub static CONTENT_META: RuleMeta = RuleMeta {
    id: "model-card-content-cmk",
    kind: Kind::ModelCard,
    role: Role::Store,
    name: "ModelCardContentCustomerManagedKey",
    title: "Model card content is encrypted with a customer-managed KMS key",
    description: "Checks SecurityConfig.KmsKeyId of each SageMaker model card, the key SageMaker \
        encrypts the card's content with. The check passes when the field names an enabled \
        customer-managed KMS key in any form KMS accepts. It fails when SecurityConfig or its \
        KmsKeyId is missing, null or empty (the content is then encrypted with a key you do \
        not control), names an alias/aws/* key, or KMS reports the key as AWS-managed or not \
        enabled. The key is chosen when the card is created and every later version keeps it.",
    risk: "A model card records what a model is for, what it was trained on, how it was \
        evaluated and the risks found in review: evidence a regulator or an attacker would \
        both want. Without a customer-managed key you cannot restrict who may decrypt it \
        through a key policy, see each decryption in CloudTrail, or cut off access at once \
        by disabling the key; and sharing cards with other accounts cannot be limited by key \
        grants.",
    remediation: Remediation {
        console: "A model card's key cannot be changed. In SageMaker Studio open Models > Model \
        cards, export the card (or copy its content), create a new card with Encryption set to \
        your customer-managed key and the same content, then delete the old card once the new \
        one is approved.",
        aws_cli: "aws sagemaker create-model-card --model-card-name NEW_NAME --model-card-status \
        Draft --content file://content.json --security-config \
        '{\"KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}' (the content from aws \
        sagemaker describe-model-card --model-card-name OLD_NAME --query Content --output \
        text)",
        boto3: "boto3.client('sagemaker').create_model_card(ModelCardName='new-name', \
        ModelCardStatus='Draft', Content=old['Content'], SecurityConfig={'KmsKeyId': \
        key_arn}) where old is describe_model_card of the old card.",
        python_sdk: "sagemaker.model_card.ModelCard(name='new-name', ..., \
        sagemaker_session=session).create() does not take a key in the SageMaker Python SDK 2: \
        create the card with boto3 as above.",
        // No pipeline step creates a model card.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: ModelCardSecurityConfig",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ModelCardSecurityConfig.html",
        },
        Reference {
            title: "SageMaker API: DescribeModelCard (IncludedData)",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeModelCard.html",
        },
        KMS_REFERENCE,
    ],
    compliance: COMPLIANCE,
    severity: Severity::Medium,
    security_severity: "5.5",
};

/// The content check.
pub static CONTENT: StoreCheck = StoreCheck {
    meta: &CONTENT_META,
    text: StoreText {
        protects: "model card contents",
        without_key: "SageMaker encrypts the card's content with a key you do not control",
        absent: "has no content",
    },
};

#[cfg(test)]
mod tests {
    use crate::resource::Role;

    fn read(rest: &str) -> crate::resource::Resource {
        crate::kinds::read_resource(&format!(
            r#"{{"ModelCardName": "churn", "ModelCardArn": "arn:aws:sagemaker:us-east-1:111122223333:model-card/churn",
"ModelCardVersion": 2, "Content": "{{}}", "ModelCardStatus": "Draft"{rest}}}"#
        ))
    }

    #[test]
    fn the_security_config_key_is_the_content_slot() {
        let r = read(r#", "SecurityConfig": {"KmsKeyId": "alias/cards"}"#);
        let [slot] = &r.slots[..] else {
            panic!("{:?}", r.slots)
        };
        assert_eq!(
            (
                slot.role,
                slot.field.as_ref(),
                slot.value.as_deref(),
                slot.nothing_to_protect
            ),
            (
                Role::Store,
                "SecurityConfig.KmsKeyId",
                Some("alias/cards"),
                false
            )
        );
        assert_eq!(r.status.as_deref(), Some("Draft"));
    }

    #[test]
    fn a_card_without_security_config_still_has_content_to_protect() {
        let r = read("");
        assert_eq!(r.slots.len(), 1);
        assert_eq!(
            (r.slots[0].value.as_deref(), r.slots[0].nothing_to_protect),
            (None, false)
        );
    }
}
