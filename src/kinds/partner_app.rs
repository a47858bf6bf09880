//! `DescribePartnerApp`: a SageMaker Partner AI App (Comet, Deepchecks, Fiddler, Lakera Guard
//! run inside SageMaker). The app's data at rest is encrypted under `KmsKeyId` (botocore
//! 1.44.8, `CreatePartnerAppRequest.KmsKeyId`: "an Amazon Web Services managed key by default").
//! `UpdatePartnerApp` cannot change the key, so the fix is a new app. The app is described by
//! its ARN, which ends in an id SageMaker assigns (`partner-app/app-…`, botocore's
//! `PartnerAppArn`), not in the name.

use super::{
    Api, Draft, Fields, KindDecl, Names, Scope, Settled, SlotDraft, Text, identity, resource,
};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::store::{StoreCheck, StoreText};
use crate::verdict::Severity;

/// Everything about Partner AI Apps.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::PartnerApp,
    names: Names {
        resource_type: "partner-app",
        arn_resource: "partner-app",
        arn_nested: false,
        // botocore's PartnerAppArn pattern: `partner-app/app-[A-Z0-9]{12}`.
        arn_id: true,
        noun: "Partner AI App",
        plural: "Partner AI Apps",
    },
    api: Api {
        list: "ListPartnerApps",
        summaries: "Summaries",
        describe: "DescribePartnerApp",
        name_field: "Name",
        marker: "AuthType",
        arn_field: "Arn",
        within: None,
    },
    unlisted: None,
    // ListPartnerApps filters by no status.
    statuses: &[],
    // UpdatePartnerApp changes an app.
    settled: Settled::Never,
    keys: &["KmsKeyId"],
    describe_fields: &["AuthType", "ExecutionRoleArn", "Tier"],
    refers_to: &[],
    // SageMaker Pipelines has no step that creates a Partner AI App.
    pipeline_steps: &[],
    creates: &["CreatePartnerApp"],
    terraform: &[],
    cloudformation: &["AWS::SageMaker::PartnerApp"],
    parse,
    slots,
    checks: &[&STORE],
    #[cfg(feature = "aws")]
    live: crate::calls::Calls {
        list: live::list,
        describe: crate::calls::describe!(describe_partner_app, arn: arn),
        // ListPartnerApps filters by no creation time.
        shards: false,
    },
};

/// `ListPartnerApps` filters by neither status nor creation time: the listing is whole, and
/// `--created-after` is applied to each summary's `CreationTime`. `DescribePartnerApp` takes the
/// app's ARN.
#[cfg(feature = "aws")]
mod live {
    use aws_sdk_sagemaker::Client;

    use crate::calls::{ListArgs, Page, Pending, Summary, describe_error};

    pub(super) fn list<'a>(client: &'a Client, args: ListArgs<'a>) -> Pending<'a, Page> {
        Box::pin(async move {
            let page = client
                .list_partner_apps()
                .max_results(100)
                .set_next_token(args.token.map(str::to_owned))
                .send()
                .await
                .map_err(|e| describe_error(&e))?;
            let pairs = page
                .summaries()
                .iter()
                .filter(|s| {
                    args.created_after
                        .is_none_or(|after| s.creation_time().is_none_or(|t| t.secs() >= after))
                })
                .map(|s| Summary {
                    name: s.name().unwrap_or_default().to_owned(),
                    arn: s.arn().unwrap_or_default().to_owned(),
                    created: s.creation_time().map(|t| t.secs()),
                })
                .collect();
            Ok((pairs, page.next_token().map(str::to_owned)))
        })
    }
}

/// The app's key: every app has data at rest to protect.
fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let key = f.get::<Option<Text<'a>>>("KmsKeyId")?;
    Ok(vec![SlotDraft::new(
        KeySlot::new(Role::Store, "KmsKeyId"),
        key.as_ref(),
        None,
        scope,
    )?])
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::PartnerApp)?;
    let mut r = resource(Kind::PartnerApp, id);
    r.status = f.string("Status")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    Ok(Draft { resource: r, slots })
}

/// Documentation of `partner-app-store-cmk`.
pub static STORE_META: RuleMeta = RuleMeta {
    id: "partner-app-store-cmk",
    kind: Kind::PartnerApp,
    role: Role::Store,
    name: "PartnerAppStoreCustomerManagedKey",
    title: "Partner AI App data is encrypted with a customer-managed KMS key",
    description: "Checks KmsKeyId of each SageMaker Partner AI App (Comet, Deepchecks, Fiddler, \
        Lakera Guard and the like, run by SageMaker in the account), the key of the data the \
        app keeps at rest. The check passes when the field names an enabled customer-managed \
        KMS key (key id, key ARN, alias or alias ARN, in any account). It fails when the field \
        is missing, null or empty (SageMaker then uses an AWS managed key), when it names an \
        alias/aws/* key, or when KMS reports the key as AWS-managed or not enabled.",
    risk: "A partner app keeps what it is given to evaluate, trace or guard: prompts, model \
        outputs, experiment data. Under an AWS managed key you cannot restrict who may decrypt \
        it through a key policy of your own or make it unreadable at once by disabling the \
        key.",
    remediation: Remediation {
        console: "UpdatePartnerApp cannot change the key. Create the app again (SageMaker \
        console: Partner AI Apps) with your customer-managed KMS key, move its users, and \
        delete the old app.",
        aws_cli: "aws sagemaker create-partner-app --name NEW_NAME --type TYPE \
        --execution-role-arn ROLE_ARN --tier TIER --auth-type IAM --kms-key-id \
        arn:aws:kms:REGION:ACCOUNT:key/KEY_ID",
        boto3: "boto3.client('sagemaker').create_partner_app(Name='new-name', Type=app_type, \
        ExecutionRoleArn=role_arn, Tier=tier, AuthType='IAM', KmsKeyId=key_arn)",
        python_sdk: "The SageMaker Python SDK creates no Partner AI Apps: create one with boto3 \
        as above, or set KmsKeyId of AWS::SageMaker::PartnerApp in CloudFormation.",
        // No pipeline step creates a Partner AI App.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: CreatePartnerApp",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreatePartnerApp.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.0",
};

/// The store check.
pub static STORE: StoreCheck = StoreCheck {
    meta: &STORE_META,
    text: StoreText {
        protects: "Partner AI App data",
        without_key: "SageMaker encrypts the app's data with an AWS managed key",
        // Every app keeps data.
        absent: "keeps no data",
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_sits_at_the_top_level() {
        let f = Fields::parse(r#"{"KmsKeyId":"alias/partner"}"#).unwrap();
        let slots = slots(&f, Scope::Describe).unwrap();
        assert_eq!(slots[0].slot.value.as_deref(), Some("alias/partner"));
        let none = Fields::parse("{}").unwrap();
        assert!(slots_of(&none)[0].value.is_none());
    }

    fn slots_of(f: &Fields<'_>) -> Vec<KeySlot> {
        slots(f, Scope::Describe)
            .unwrap()
            .into_iter()
            .map(|d| d.slot)
            .collect()
    }
}
