//! `DescribeDomain`: a SageMaker Studio domain. `KmsKeyId` encrypts the Amazon EFS home file
//! system the domain creates and the EBS volumes of its spaces ("SageMaker AI uses Amazon Web
//! Services KMS to encrypt EFS and EBS volumes attached to the domain with an Amazon Web
//! Services managed key by default", botocore 1.44.8, `CreateDomainRequest.KmsKeyId`);
//! `HomeEfsFileSystemKmsKeyId` is its deprecated spelling ("Use KmsKeyId"), read when
//! `KmsKeyId` is absent. Its default user settings name two S3 keys every user profile that
//! sets none inherits: notebook sharing (`SharingSettings.S3KmsKeyId`, used only "when
//! NotebookOutputOption is Allowed", whose default is `Disabled`) and Canvas workspace
//! artifacts (`CanvasAppSettings.WorkspaceSettings.S3KmsKeyId`).

use serde::Deserialize;

use super::{
    Api, At, Draft, Fields, KindDecl, Names, Scope, Settled, SlotDraft, Text, identity, resource,
};
use crate::document::DocumentError;
use crate::resource::{KeySlot, Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::rules::store::{StoreCheck, StoreText};
use crate::verdict::Severity;

/// Everything about Studio domains.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::Domain,
    names: Names {
        resource_type: "domain",
        arn_resource: "domain",
        arn_nested: false,
        arn_id: false,
        noun: "Studio domain",
        plural: "Studio domains",
    },
    api: Api {
        list: "ListDomains",
        summaries: "Domains",
        describe: "DescribeDomain",
        // The Describe request names a domain by id; the ARN ends in the id too.
        name_field: "DomainId",
        marker: "DomainId",
        arn_field: "DomainArn",
        within: None,
    },
    unlisted: None,
    // botocore 1.44.8, sagemaker 2017-07-24: ListDomains filters by nothing (no StatusEquals,
    // no CreationTimeAfter: `--created-after` is applied to the listed CreationTime).
    statuses: &[],
    settled: Settled::Never,
    keys: &[
        "KmsKeyId",
        "HomeEfsFileSystemKmsKeyId",
        "DefaultUserSettings.SharingSettings.S3KmsKeyId",
        "DefaultUserSettings.CanvasAppSettings.WorkspaceSettings.S3KmsKeyId",
    ],
    describe_fields: &["DefaultUserSettings", "AuthMode", "HomeEfsFileSystemId"],
    refers_to: &[],
    // SageMaker Pipelines has no step that creates a domain.
    pipeline_steps: &[],
    creates: &["CreateDomain"],
    terraform: &["aws_sagemaker_domain"],
    cloudformation: &["AWS::SageMaker::Domain"],
    parse,
    slots,
    checks: &[&STORE, &OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::Calls {
        list: live::list,
        describe: crate::calls::describe!(describe_domain, domain_id),
        // ListDomains filters by no creation time.
        shards: false,
    },
};

/// `ListDomains` has neither a status nor a creation-time filter: the listing is whole, and
/// `--created-after` is applied to each summary's `CreationTime`.
#[cfg(feature = "aws")]
mod live {
    use aws_sdk_sagemaker::Client;

    use crate::calls::{ListArgs, Page, Pending, describe_error};

    pub(super) fn list<'a>(client: &'a Client, args: ListArgs<'a>) -> Pending<'a, Page> {
        Box::pin(async move {
            let page = client
                .list_domains()
                .max_results(100)
                .set_next_token(args.token.map(str::to_owned))
                .send()
                .await
                .map_err(|e| describe_error(&e))?;
            let pairs = page
                .domains()
                .iter()
                .filter(|d| {
                    args.created_after
                        .is_none_or(|after| d.creation_time().is_none_or(|t| t.secs() >= after))
                })
                .map(|d| {
                    crate::calls::Summary::new(
                        d.domain_id().unwrap_or_default().to_owned(),
                        d.domain_arn().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            Ok((pairs, page.next_token().map(str::to_owned)))
        })
    }
}

/// `DefaultUserSettings` of a domain, `UserSettings` of a user profile: the parts that name
/// keys.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UserSettings<'a> {
    #[serde(borrow, default)]
    sharing_settings: At<'a, Option<Sharing<'a>>>,
    #[serde(borrow, default)]
    canvas_app_settings: At<'a, Option<Canvas<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Sharing<'a> {
    #[serde(borrow)]
    notebook_output_option: Option<Text<'a>>,
    #[serde(borrow)]
    s3_output_path: Option<Text<'a>>,
    #[serde(borrow, default)]
    s3_kms_key_id: At<'a, Option<Text<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Canvas<'a> {
    #[serde(borrow, default)]
    workspace_settings: At<'a, Option<Workspace<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Workspace<'a> {
    #[serde(borrow)]
    s3_artifact_path: Option<Text<'a>>,
    #[serde(borrow, default)]
    s3_kms_key_id: At<'a, Option<Text<'a>>>,
}

/// The part of the notebook sharing slot.
pub(super) const SHARING: &str = "notebook sharing";
/// The part of the Canvas workspace slot.
pub(super) const CANVAS: &str = "canvas workspace";

/// Whether notebook sharing writes cell output to S3, as a settings object says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SharingOutput {
    /// `NotebookOutputOption` is `Allowed`.
    Allowed,
    /// It is something else.
    NotAllowed,
    /// It is not written.
    Unsaid,
}

/// One S3 key slot of a settings object.
pub(super) struct Setting<'a> {
    /// The slot, read from the object as written.
    pub(super) draft: SlotDraft<'a>,
    /// What the object says about notebook output (Canvas: always [`SharingOutput::Unsaid`]).
    pub(super) output: SharingOutput,
    /// True when the object writes the settings that hold the key (`SharingSettings`,
    /// `CanvasAppSettings.WorkspaceSettings`), even without a key in them.
    pub(super) written: bool,
}

/// A settings object's two S3 key slots (notebook sharing, then Canvas workspace). `field` is
/// the object's name (`DefaultUserSettings`, `UserSettings`).
pub(super) fn user_settings<'a>(
    f: &Fields<'a>,
    field: &str,
    scope: Scope<'_>,
) -> Result<Vec<Setting<'a>>, DocumentError> {
    let settings = f.get::<Option<UserSettings<'a>>>(field)?;
    let holder = settings.as_ref().and_then(At::slice);
    let settings = settings.and_then(|s| s.value);
    let sharing = settings.as_ref().map(|s| &s.sharing_settings);
    let sharing_value = sharing.and_then(|s| s.value.as_ref());
    let option = match sharing_value.map(|s| &s.notebook_output_option) {
        Some(written @ Some(_)) => {
            match scope.text(
                &format!("{field}.SharingSettings.NotebookOutputOption"),
                written,
            )? {
                Some(text) if text == "Allowed" => SharingOutput::Allowed,
                _ => SharingOutput::NotAllowed,
            }
        }
        _ => SharingOutput::Unsaid,
    };
    let mut share = KeySlot::new(Role::Output, format!("{field}.SharingSettings.S3KmsKeyId"));
    share.part = Some(SHARING.to_owned());
    let share = SlotDraft::output(
        share,
        &format!("{field}.SharingSettings.S3OutputPath"),
        sharing_value.map(|s| &s.s3_output_path),
        sharing_value.map(|s| &s.s3_kms_key_id),
        sharing.and_then(At::slice).or(holder),
        scope,
    )?;
    let canvas = settings.as_ref().map(|s| &s.canvas_app_settings);
    let workspace = canvas
        .and_then(|c| c.value.as_ref())
        .map(|c| &c.workspace_settings);
    let workspace_value = workspace.and_then(|w| w.value.as_ref());
    let mut artifacts = KeySlot::new(
        Role::Output,
        format!("{field}.CanvasAppSettings.WorkspaceSettings.S3KmsKeyId"),
    );
    artifacts.part = Some(CANVAS.to_owned());
    let artifacts = SlotDraft::output(
        artifacts,
        &format!("{field}.CanvasAppSettings.WorkspaceSettings.S3ArtifactPath"),
        workspace_value.map(|w| &w.s3_artifact_path),
        workspace_value.map(|w| &w.s3_kms_key_id),
        workspace
            .and_then(At::slice)
            .or(canvas.and_then(At::slice))
            .or(holder),
        scope,
    )?;
    Ok(vec![
        Setting {
            draft: share,
            output: option,
            written: sharing_value.is_some(),
        },
        // Canvas always writes its artifacts somewhere: nothing in the settings turns it off.
        Setting {
            draft: artifacts,
            output: SharingOutput::Unsaid,
            written: workspace_value.is_some(),
        },
    ])
}

/// The home file system key, then the default user settings' S3 keys. Notebook sharing
/// writes to S3 only when `NotebookOutputOption` is `Allowed` (its default is `Disabled`).
fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let (field, key) = match f.get::<Option<Text<'a>>>("KmsKeyId")? {
        Some(key) if key.value.is_some() => ("KmsKeyId", Some(key)),
        own => match f.get::<Option<Text<'a>>>("HomeEfsFileSystemKmsKeyId")? {
            Some(old) if old.value.is_some() => ("HomeEfsFileSystemKmsKeyId", Some(old)),
            _ => ("KmsKeyId", own),
        },
    };
    let mut slots = vec![SlotDraft::new(
        KeySlot::new(Role::Store, field),
        key.as_ref(),
        None,
        scope,
    )?];
    for Setting {
        mut draft, output, ..
    } in user_settings(f, "DefaultUserSettings", scope)?
    {
        if draft.slot.part.as_deref() == Some(SHARING) {
            draft.slot.nothing_to_protect = output != SharingOutput::Allowed;
        }
        slots.push(draft);
    }
    Ok(slots)
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let id = identity(f, Kind::Domain)?;
    let mut r = resource(Kind::Domain, id);
    r.status = f.string("Status")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    Ok(Draft { resource: r, slots })
}

/// Documentation of `domain-storage-cmk`.
pub static STORE_META: RuleMeta = RuleMeta {
    id: "domain-storage-cmk",
    kind: Kind::Domain,
    role: Role::Store,
    name: "DomainStorageCustomerManagedKey",
    title: "Studio home file system and space volumes are encrypted with a customer-managed \
        KMS key",
    description: "Checks KmsKeyId of each SageMaker Studio domain (or, where a response has \
        only the deprecated spelling, HomeEfsFileSystemKmsKeyId): the key for the Amazon EFS \
        file system that holds every user's home directory and for the EBS volumes of the \
        domain's spaces. The check passes when the field names an enabled customer-managed KMS \
        key in any form KMS accepts. It fails when the field is missing, null or empty \
        (SageMaker then uses an AWS-managed key), names an alias/aws/* key, or KMS reports the \
        key as AWS-managed or not enabled.",
    risk: "Studio home directories and space volumes hold notebooks, downloaded datasets, \
        model files and credentials of every user of the domain. Under an AWS-managed key \
        you cannot limit decryption through a key policy of yours, rotate on your schedule \
        or revoke access at once by disabling the key.",
    remediation: Remediation {
        console: "The key of a domain cannot be changed after it is created. Create a new \
        domain (SageMaker console, Domains > Create domain > Set up for organizations) with \
        Encryption key set to your customer-managed key, move the users' files over, then \
        delete the old domain.",
        aws_cli: "aws sagemaker create-domain --domain-name NEW_NAME --auth-mode IAM \
        --default-user-settings ExecutionRole=ROLE_ARN --subnet-ids SUBNET --vpc-id VPC \
        --kms-key-id arn:aws:kms:REGION:ACCOUNT:key/KEY_ID",
        boto3: "boto3.client('sagemaker').create_domain(DomainName='new-name', AuthMode='IAM', \
        DefaultUserSettings={'ExecutionRole': role_arn}, SubnetIds=subnets, VpcId=vpc, \
        KmsKeyId=key_arn)",
        python_sdk: "The SageMaker Python SDK does not create domains; with SDK 3's \
        resources pass kms_key_id to Domain.create.",
        // No pipeline step creates a domain.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: CreateDomain, KmsKeyId",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateDomain.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.5",
};

/// The home file system check.
pub static STORE: StoreCheck = StoreCheck {
    meta: &STORE_META,
    text: StoreText {
        protects: "Studio home directories and space volumes",
        without_key: "SageMaker encrypts the home file system and space volumes with an \
            AWS-managed key",
        // Every domain has them.
        absent: "has no home file system",
    },
};

/// Documentation of `domain-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "domain-output-cmk",
    kind: Kind::Domain,
    role: Role::Output,
    name: "DomainOutputCustomerManagedKey",
    title: "Shared notebooks and Canvas artifacts of a Studio domain's users are encrypted \
        with a customer-managed KMS key",
    description: "Checks the S3 keys of each SageMaker Studio domain's default user settings, \
        which every user profile that sets none of its own uses (one finding each): \
        DefaultUserSettings.SharingSettings.S3KmsKeyId for notebook snapshots shared with \
        their cell output, and DefaultUserSettings.CanvasAppSettings.WorkspaceSettings.\
        S3KmsKeyId for the artifacts SageMaker Canvas writes. The check passes when the field \
        names an enabled customer-managed KMS key in any form KMS accepts. It fails when the \
        field is missing, null or empty (the objects then get the bucket's default \
        encryption), names an alias/aws/* key, or KMS reports the key as AWS-managed or not \
        enabled. It does not apply to notebook sharing unless NotebookOutputOption is Allowed \
        (the default is Disabled).",
    risk: "A shared notebook snapshot with its cell output shows whatever data the notebook \
        displayed; Canvas stores imported datasets, models and predictions. In S3 without a \
        customer-managed key, anyone with read access to the bucket can read them.",
    remediation: Remediation {
        console: "SageMaker console, Domains > the domain > Domain settings > Edit: under \
        notebook sharing and under Canvas storage configuration, set the encryption key to \
        your customer-managed key.",
        aws_cli: "aws sagemaker update-domain --domain-id DOMAIN_ID --default-user-settings \
        '{\"SharingSettings\":{\"NotebookOutputOption\":\"Allowed\",\"S3OutputPath\":\
        \"s3://BUCKET/sharing/\",\"S3KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"},\
        \"CanvasAppSettings\":{\"WorkspaceSettings\":{\"S3ArtifactPath\":\"s3://BUCKET/canvas/\",\
        \"S3KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}}}'",
        boto3: "boto3.client('sagemaker').update_domain(DomainId=domain_id, \
        DefaultUserSettings={'SharingSettings': {..., 'S3KmsKeyId': key_arn}, \
        'CanvasAppSettings': {'WorkspaceSettings': {'S3ArtifactPath': 's3://bucket/canvas/', \
        'S3KmsKeyId': key_arn}}})",
        python_sdk: "The SageMaker Python SDK does not manage domains; with SDK 3's resources \
        call Domain.update with the default user settings above.",
        // No pipeline step creates a domain.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: SharingSettings",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_SharingSettings.html",
        },
        Reference {
            title: "SageMaker API: WorkspaceSettings",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_WorkspaceSettings.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.5",
};

/// The S3 output check.
pub static OUTPUT: OutputCheck = OutputCheck {
    meta: &OUTPUT_META,
    text: OutputText {
        protects: "shared notebooks and Canvas artifacts",
        without_key: "the objects get the default encryption of the bucket they are written to",
    },
};

#[cfg(test)]
mod tests {
    use crate::kinds::read_resource as read;
    use crate::resource::Role;

    fn doc(rest: &str) -> String {
        format!(
            r#"{{"DomainId": "d-abc", "DomainArn": "arn:aws:sagemaker:us-east-1:111122223333:domain/d-abc",
"AuthMode": "IAM"{rest}}}"#
        )
    }

    #[test]
    fn the_home_key_then_sharing_and_canvas_keys_of_the_default_user_settings() {
        let r = read(&doc(
            r#", "KmsKeyId": "alias/home", "HomeEfsFileSystemKmsKeyId": "alias/home",
"DefaultUserSettings": {"SharingSettings": {"NotebookOutputOption": "Allowed",
  "S3OutputPath": "s3://share/", "S3KmsKeyId": "alias/share"},
 "CanvasAppSettings": {"WorkspaceSettings": {"S3ArtifactPath": "s3://canvas/"}}}"#,
        ));
        type Row<'a> = (Role, Option<&'a str>, &'a str, Option<&'a str>, bool);
        let rows: Vec<Row> = r
            .slots
            .iter()
            .map(|s| {
                (
                    s.role,
                    s.part.as_deref(),
                    s.field.as_ref(),
                    s.value.as_deref(),
                    s.nothing_to_protect,
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (Role::Store, None, "KmsKeyId", Some("alias/home"), false),
                (
                    Role::Output,
                    Some("notebook sharing"),
                    "DefaultUserSettings.SharingSettings.S3KmsKeyId",
                    Some("alias/share"),
                    false
                ),
                (
                    Role::Output,
                    Some("canvas workspace"),
                    "DefaultUserSettings.CanvasAppSettings.WorkspaceSettings.S3KmsKeyId",
                    None,
                    false
                ),
            ]
        );
        assert_eq!(r.slots[1].locations, ["s3://share/"]);
        assert_eq!(r.slots[2].parent_line, 5);
    }

    #[test]
    fn the_deprecated_spelling_counts_and_sharing_without_output_protects_nothing() {
        let r = read(&doc(r#", "HomeEfsFileSystemKmsKeyId": "alias/old",
"DefaultUserSettings": {"SharingSettings": {"S3KmsKeyId": "alias/share"}}"#));
        assert_eq!(
            (r.slots[0].field.as_ref(), r.slots[0].value.as_deref()),
            ("HomeEfsFileSystemKmsKeyId", Some("alias/old"))
        );
        // NotebookOutputOption's default is Disabled.
        assert!(r.slots[1].nothing_to_protect);
        let bare = read(&doc(r#", "DefaultUserSettings": {}"#));
        assert_eq!(
            (bare.slots[0].field.as_ref(), bare.slots[0].value.as_deref()),
            ("KmsKeyId", None)
        );
        assert!(bare.slots[1].nothing_to_protect && !bare.slots[2].nothing_to_protect);
    }
}
