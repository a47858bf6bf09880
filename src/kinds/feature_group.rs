//! `DescribeFeatureGroup`: a SageMaker Feature Store feature group. It keeps its records in up
//! to two stores, each with its own key: the online store
//! (`OnlineStoreConfig.SecurityConfig.KmsKeyId`, a store SageMaker manages, present only when
//! `EnableOnlineStore` is true, whose default is false) and the offline store, S3 objects under
//! `OfflineStoreConfig.S3StorageConfig.S3Uri` encrypted with
//! `OfflineStoreConfig.S3StorageConfig.KmsKeyId` (botocore 1.44.8, `OnlineStoreConfig`,
//! `OnlineStoreSecurityConfig`, `S3StorageConfig`). Without keys, Feature Store uses an
//! AWS-owned key for the online store and an AWS-managed key for the offline store (SageMaker
//! Developer Guide, "Security and access control" of Feature Store, KMS permissions).

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{
    Api, At, Draft, Fields, KindDecl, Names, Scope, Settled, SlotDraft, Text, identity, resource,
};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{
    Compliance, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST, with_common,
};
use crate::rules::output::{OutputCheck, OutputText};
use crate::rules::store::{StoreCheck, StoreText};
use crate::verdict::Severity;

/// Everything about feature groups.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::FeatureGroup,
    names: Names {
        resource_type: "feature-group",
        arn_resource: "feature-group",
        arn_nested: false,
        arn_id: false,
        noun: "Feature group",
        plural: "feature groups",
    },
    api: Api {
        list: "ListFeatureGroups",
        summaries: "FeatureGroupSummaries",
        describe: "DescribeFeatureGroup",
        name_field: "FeatureGroupName",
        marker: "FeatureGroupName",
        arn_field: "FeatureGroupArn",
        within: None,
    },
    unlisted: None,
    // botocore 1.44.8, sagemaker 2017-07-24: enum FeatureGroupStatus
    // (ListFeatureGroups.FeatureGroupStatusEquals).
    statuses: &[
        "Creating",
        "Created",
        "CreateFailed",
        "Deleting",
        "DeleteFailed",
    ],
    settled: Settled::Never,
    keys: &[
        "OnlineStoreConfig.SecurityConfig.KmsKeyId",
        "OfflineStoreConfig.S3StorageConfig.KmsKeyId",
    ],
    describe_fields: &[
        "FeatureDefinitions",
        "RecordIdentifierFeatureName",
        "EventTimeFeatureName",
    ],
    refers_to: &[],
    // SageMaker Pipelines has no step that creates a feature group.
    pipeline_steps: &[],
    creates: &["CreateFeatureGroup"],
    terraform: &["aws_sagemaker_feature_group"],
    cloudformation: &["AWS::SageMaker::FeatureGroup"],
    parse,
    slots,
    checks: &[&ONLINE, &OFFLINE],
    // `ListFeatureGroups` names its status filter `FeatureGroupStatusEquals`.
    #[cfg(feature = "aws")]
    live: crate::calls::calls!(
        list_feature_groups, (FeatureGroupStatus, set_feature_group_status_equals),
        feature_group_summaries, feature_group_name, feature_group_arn;
        describe_feature_group, feature_group_name
    ),
};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Online<'a> {
    /// As written: `true`, `false`, or (in a template) an expression.
    #[serde(borrow)]
    enable_online_store: Option<&'a RawValue>,
    #[serde(borrow, default)]
    security_config: At<'a, Option<Security<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Security<'a> {
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<Text<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Offline<'a> {
    #[serde(borrow, default)]
    s3_storage_config: At<'a, Option<S3Storage<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct S3Storage<'a> {
    #[serde(borrow)]
    s3_uri: Option<Text<'a>>,
    #[serde(borrow, default)]
    kms_key_id: At<'a, Option<Text<'a>>>,
}

/// The online store's key (not applicable unless the store is enabled), then the offline
/// store's (not applicable without an offline store).
fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let online = f.get::<Option<Online<'a>>>("OnlineStoreConfig")?;
    let online_value = online.as_ref().and_then(|o| o.value.as_ref());
    let security = online_value.map(|o| &o.security_config);
    let mut store = KeySlot::new(Role::Store, "OnlineStoreConfig.SecurityConfig.KmsKeyId");
    // Off unless written true; an expression (a template parameter) may be true.
    store.nothing_to_protect = online_value
        .and_then(|o| o.enable_online_store)
        .is_none_or(|e| matches!(e.get().trim(), "false" | "null"));
    let store = SlotDraft::new(
        store,
        security
            .and_then(|s| s.value.as_ref())
            .map(|s| &s.kms_key_id),
        security
            .and_then(At::slice)
            .or(online.as_ref().and_then(At::slice)),
        scope,
    )?;
    let offline = f.get::<Option<Offline<'a>>>("OfflineStoreConfig")?;
    let s3 = offline
        .as_ref()
        .and_then(|o| o.value.as_ref())
        .map(|o| &o.s3_storage_config);
    let s3_value = s3.and_then(|s| s.value.as_ref());
    let mut objects = KeySlot::new(Role::Output, "OfflineStoreConfig.S3StorageConfig.KmsKeyId");
    objects.nothing_to_protect = offline.as_ref().is_none_or(|o| o.value.is_none());
    let objects = SlotDraft::output(
        objects,
        "OfflineStoreConfig.S3StorageConfig.S3Uri",
        s3_value.map(|s| &s.s3_uri),
        s3_value.map(|s| &s.kms_key_id),
        s3.and_then(At::slice)
            .or(offline.as_ref().and_then(At::slice)),
        scope,
    )?;
    Ok(vec![store, objects])
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::FeatureGroup)?;
    let mut r = resource(Kind::FeatureGroup, id);
    r.status = f.string("FeatureGroupStatus")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    Ok(Draft { resource: r, slots })
}

/// The AWS Config managed rule and the Security Hub control about the online store's key.
static ONLINE_COMPLIANCE: [Compliance; 14] = with_common(&[
    Compliance {
        framework: "AWS Config managed rules",
        control: "sagemaker-featuregroup-online-store-encryption",
        title: "Feature groups encrypt their online store with a KMS key",
        rationale: "The rule is NON_COMPLIANT when a feature group with a standard online store \
        has no KMS key for it; this check fails in that case too, and also on AWS-managed keys \
        and on keys KMS reports as not enabled.",
        source: "AWS Config Developer Guide, managed rule \
        sagemaker-featuregroup-online-store-encryption \
        (https://docs.aws.amazon.com/config/latest/developerguide/sagemaker-featuregroup-online-store-encryption.html).",
    },
    Compliance {
        framework: "AWS Security Hub CSPM controls",
        control: "SageMaker.18",
        title: "SageMaker feature group online stores with standard storage are encrypted with \
            KMS keys",
        rationale: "The control fails when a feature group's standard online store has no KMS \
            key; this check fails in that case too, and also on AWS-managed keys and keys KMS \
            reports as not enabled. It also judges in-memory online stores, which the control \
            leaves out.",
        source: "AWS Security Hub User Guide, Security Hub CSPM controls for SageMaker AI, \
        [SageMaker.18] (https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-18).",
    },
]);

/// The AWS Config managed rule and the Security Hub control about the offline store's key.
static OFFLINE_COMPLIANCE: [Compliance; 14] = with_common(&[
    Compliance {
        framework: "AWS Config managed rules",
        control: "sagemaker-featuregroup-encryption-at-rest",
        title: "Feature groups encrypt their offline store with a KMS key",
        rationale: "The rule is NON_COMPLIANT when the offline store's S3 storage has no KMS key; \
        this check fails in that case too, and also on AWS-managed keys and on keys KMS \
        reports as not enabled.",
        source: "AWS Config Developer Guide, managed rule sagemaker-featuregroup-encryption-at-rest \
        (https://docs.aws.amazon.com/config/latest/developerguide/sagemaker-featuregroup-encryption-at-rest.html).",
    },
    Compliance {
        framework: "AWS Security Hub CSPM controls",
        control: "SageMaker.17",
        title: "SageMaker feature group offline stores are encrypted with KMS keys",
        rationale: "The control fails when the offline store's S3 storage has no KMS key; this \
            check fails in that case too, and also on AWS-managed keys and keys KMS reports as \
            not enabled.",
        source: "AWS Security Hub User Guide, Security Hub CSPM controls for SageMaker AI, \
        [SageMaker.17] (https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-17).",
    },
]);

/// Feature Store's security page: the default keys of both stores.
const FEATURE_STORE_SECURITY: Reference = Reference {
    title: "SageMaker Feature Store: security and access control (KMS keys)",
    url: "https://docs.aws.amazon.com/sagemaker/latest/dg/feature-store-security.html",
};

/// Documentation of `feature-group-online-store-cmk`.
pub static ONLINE_META: RuleMeta = RuleMeta {
    id: "feature-group-online-store-cmk",
    kind: Kind::FeatureGroup,
    role: Role::Store,
    name: "FeatureGroupOnlineStoreCustomerManagedKey",
    title: "Feature group online store is encrypted with a customer-managed KMS key",
    description: "Checks OnlineStoreConfig.SecurityConfig.KmsKeyId of each SageMaker Feature \
        Store feature group, the key for the records of its online store. The check passes \
        when the field names an enabled customer-managed KMS key in any form KMS accepts. It \
        fails when the field is missing, null or empty (Feature Store then uses an AWS-owned \
        key), names an alias/aws/* key, or KMS reports the key as AWS-managed or not enabled. \
        It does not apply to a feature group without an online store (EnableOnlineStore is \
        not true; false is the default).",
    risk: "The online store serves the latest feature values of every record to models in \
        production: customer attributes, transactions, behaviour. Under an AWS-owned key you \
        cannot limit decryption through a key policy, audit each use in CloudTrail or revoke \
        access by disabling the key.",
    remediation: Remediation {
        console: "The online store's key cannot be changed. Create a new feature group \
        (SageMaker Studio, Data > Feature Store > Create feature group) with the online store \
        enabled and its encryption key set to your customer-managed key, ingest the records \
        again, then delete the old feature group.",
        aws_cli: "aws sagemaker create-feature-group --feature-group-name NEW_NAME \
        --record-identifier-feature-name ID --event-time-feature-name TIME \
        --feature-definitions file://features.json --online-store-config \
        '{\"EnableOnlineStore\":true,\"SecurityConfig\":{\"KmsKeyId\":\
        \"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}}'",
        boto3: "boto3.client('sagemaker').create_feature_group(FeatureGroupName='new-name', \
        ..., OnlineStoreConfig={'EnableOnlineStore': True, 'SecurityConfig': \
        {'KmsKeyId': key_arn}})",
        python_sdk: "FeatureGroup(name='new-name', sagemaker_session=session).create(..., \
        enable_online_store=True, online_store_kms_key_id=key_arn)",
        // No pipeline step creates a feature group.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: OnlineStoreSecurityConfig",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_OnlineStoreSecurityConfig.html",
        },
        FEATURE_STORE_SECURITY,
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: &ONLINE_COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.5",
};

/// The online store check.
pub static ONLINE: StoreCheck = StoreCheck {
    meta: &ONLINE_META,
    text: StoreText {
        protects: "online store records",
        without_key: "Feature Store encrypts the online store with an AWS-owned key",
        absent: "has no online store (EnableOnlineStore is not true)",
    },
};

/// Documentation of `feature-group-offline-store-cmk`.
pub static OFFLINE_META: RuleMeta = RuleMeta {
    id: "feature-group-offline-store-cmk",
    kind: Kind::FeatureGroup,
    role: Role::Output,
    name: "FeatureGroupOfflineStoreCustomerManagedKey",
    title: "Feature group offline store is encrypted with a customer-managed KMS key",
    description: "Checks OfflineStoreConfig.S3StorageConfig.KmsKeyId of each SageMaker Feature \
        Store feature group, the key for the objects its offline store writes to \
        OfflineStoreConfig.S3StorageConfig.S3Uri, the full history of every record. The check \
        passes when the field names an enabled customer-managed KMS key in any form KMS \
        accepts. It fails when the field is missing, null or empty (Feature Store then uses an \
        AWS-managed key), names an alias/aws/* key, or KMS reports the key as AWS-managed or \
        not enabled. It does not apply to a feature group without an offline store.",
    risk: "The offline store keeps every version of every record for training and batch \
        inference, usually for years. Under an AWS-managed key anyone with read access to the \
        bucket can read it, and there is no key policy, rotation or revocation under your \
        control.",
    remediation: Remediation {
        console: "The offline store's key cannot be changed. Create a new feature group \
        (SageMaker Studio, Data > Feature Store > Create feature group) with the offline \
        store's encryption key set to your customer-managed key, ingest the records again, \
        then delete the old feature group.",
        aws_cli: "aws sagemaker create-feature-group --feature-group-name NEW_NAME \
        --record-identifier-feature-name ID --event-time-feature-name TIME \
        --feature-definitions file://features.json --role-arn ROLE_ARN \
        --offline-store-config '{\"S3StorageConfig\":{\"S3Uri\":\"s3://BUCKET/PREFIX/\",\
        \"KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}}'",
        boto3: "boto3.client('sagemaker').create_feature_group(FeatureGroupName='new-name', \
        ..., RoleArn=role_arn, OfflineStoreConfig={'S3StorageConfig': {'S3Uri': \
        's3://bucket/prefix/', 'KmsKeyId': key_arn}})",
        python_sdk: "FeatureGroup(name='new-name', sagemaker_session=session).create(\
        s3_uri='s3://bucket/prefix/', ..., offline_store_kms_key_id=key_arn)",
        // No pipeline step creates a feature group.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: S3StorageConfig",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_S3StorageConfig.html",
        },
        FEATURE_STORE_SECURITY,
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: &OFFLINE_COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.5",
};

/// The offline store check.
pub static OFFLINE: OutputCheck = OutputCheck {
    meta: &OFFLINE_META,
    text: OutputText {
        protects: "offline store objects",
        without_key: "Feature Store encrypts the offline store's objects with an AWS-managed key",
    },
};

#[cfg(test)]
mod tests {
    use crate::resource::{Resource, Role};

    fn read(rest: &str) -> Resource {
        let text = format!(
            r#"{{"FeatureGroupName": "fg", "FeatureGroupArn": "arn:aws:sagemaker:us-east-1:111122223333:feature-group/fg",
"RecordIdentifierFeatureName": "id", "EventTimeFeatureName": "t", "FeatureDefinitions": []{rest}}}"#
        );
        crate::kinds::read_resource(&text)
    }

    #[test]
    fn both_stores_with_their_keys() {
        let r = read(
            r#", "OnlineStoreConfig": {"EnableOnlineStore": true, "SecurityConfig": {"KmsKeyId": "alias/online"}},
"OfflineStoreConfig": {"S3StorageConfig": {"S3Uri": "s3://fs/", "KmsKeyId": "alias/offline"}}"#,
        );
        let rows: Vec<_> = r
            .slots
            .iter()
            .map(|s| (s.role, s.value.as_deref(), s.nothing_to_protect))
            .collect();
        assert_eq!(
            rows,
            [
                (Role::Store, Some("alias/online"), false),
                (Role::Output, Some("alias/offline"), false)
            ]
        );
        assert_eq!(r.slots[1].locations, ["s3://fs/"]);
        assert_eq!(
            (r.slots[0].value_line, r.slots[1].value_line),
            (Some(2), Some(3))
        );
    }

    #[test]
    fn a_store_that_is_not_there_protects_nothing() {
        for online in [
            "",
            r#", "OnlineStoreConfig": {"SecurityConfig": {"KmsKeyId": "k"}}"#,
            r#", "OnlineStoreConfig": {"EnableOnlineStore": false}"#,
            r#", "OnlineStoreConfig": null"#,
        ] {
            let r = read(online);
            assert!(r.slots.iter().all(|s| s.nothing_to_protect), "{online}");
        }
        // On, without a key: judged.
        let r = read(r#", "OnlineStoreConfig": {"EnableOnlineStore": true}"#);
        assert!(!r.slots[0].nothing_to_protect && r.slots[0].value.is_none());
    }
}
