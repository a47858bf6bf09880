//! `DescribeUserProfile`: a user of a SageMaker Studio domain. Its `UserSettings` may name the
//! two S3 keys its domain's default user settings name (`domain`): notebook sharing
//! (`SharingSettings.S3KmsKeyId`, used only when `NotebookOutputOption` is `Allowed`) and
//! Canvas workspace artifacts (`CanvasAppSettings.WorkspaceSettings.S3KmsKeyId`). A profile
//! that leaves a setting out uses its domain's ("For all other settings in UserSettings, the
//! values specified in CreateUserProfile take precedence over those specified in
//! CreateDomain", botocore 1.44.8, `CreateDomainRequest.DefaultUserSettings`): the key judged
//! is then the domain's, found in the same scan (`crate::inherit`).
//!
//! What counts as leaving it out is read strictly: a profile that writes `SharingSettings`
//! (or `WorkspaceSettings`) is judged on that object alone, so a profile that writes an output
//! path without a key is not credited with its domain's key. The precedence is documented per
//! setting, not per member, so this cannot pass a profile whose data AWS writes unkeyed.

use super::domain::{CANVAS, SHARING, Setting, SharingOutput, user_settings};
use super::{Api, Draft, Fields, KindDecl, Names, Scope, Settled, SlotDraft, Text, resource};
use crate::document::DocumentError;
use crate::model::ArnParts;
use crate::resource::{Inherit, Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::verdict::Severity;

/// Everything about Studio user profiles.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::UserProfile,
    names: Names {
        resource_type: "user-profile",
        // botocore's UserProfileArn pattern: `…:user-profile/<domain id>/<name>`.
        arn_resource: "user-profile",
        arn_nested: true,
        arn_id: false,
        noun: "Studio user profile",
        plural: "Studio user profiles",
    },
    api: Api {
        list: "ListUserProfiles",
        summaries: "UserProfiles",
        describe: "DescribeUserProfile",
        name_field: "UserProfileName",
        marker: "UserProfileName",
        arn_field: "UserProfileArn",
        within: None,
    },
    unlisted: None,
    // botocore 1.44.8, sagemaker 2017-07-24: ListUserProfiles filters by domain and name only
    // (no StatusEquals, no CreationTimeAfter: `--created-after` is applied to the listed
    // CreationTime).
    statuses: &[],
    settled: Settled::Never,
    keys: &[
        "UserSettings.SharingSettings.S3KmsKeyId",
        "UserSettings.CanvasAppSettings.WorkspaceSettings.S3KmsKeyId",
    ],
    describe_fields: &[
        "UserSettings",
        "HomeEfsFileSystemUid",
        "SingleSignOnUserIdentifier",
    ],
    // The response names its domain by the domain's own name field.
    refers_to: &["DomainId"],
    // SageMaker Pipelines has no step that creates a user profile.
    pipeline_steps: &[],
    creates: &["CreateUserProfile"],
    terraform: &["aws_sagemaker_user_profile"],
    cloudformation: &["AWS::SageMaker::UserProfile"],
    parse,
    slots,
    checks: &[&OUTPUT],
    #[cfg(feature = "aws")]
    live: crate::calls::Calls {
        list: live::list,
        describe: live::describe,
        // ListUserProfiles filters by no creation time.
        shards: false,
    },
};

/// The live calls. `ListUserProfiles` summaries carry no ARN, and an ARN is what a listed
/// resource's account, region and file are made of: the listing reads the partition, region
/// and account of this client's domains from one `ListDomains` summary (a profile exists only
/// in a domain) and writes each profile's ARN as botocore's pattern gives it. The page token
/// carries that prefix (`PREFIX` newline `TOKEN`). `DescribeUserProfile` takes the domain id,
/// read back from the ARN.
#[cfg(feature = "aws")]
mod live {
    use aws_sdk_sagemaker::Client;
    use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;

    use crate::calls::{ListArgs, Page, Pending, describe_error};

    /// `arn:PARTITION:sagemaker:REGION:ACCOUNT:` from a domain's ARN.
    fn prefix(domain_arn: &str) -> Option<&str> {
        let at = domain_arn.find(":domain/")?;
        Some(&domain_arn[..=at])
    }

    /// The domain id of a profile's ARN.
    pub(super) fn domain_of(arn: &str) -> &str {
        arn.split_once(":user-profile/")
            .and_then(|(_, rest)| rest.split_once('/'))
            .map_or("", |(domain, _)| domain)
    }

    pub(super) fn list<'a>(client: &'a Client, args: ListArgs<'a>) -> Pending<'a, Page> {
        Box::pin(async move {
            let (prefix, token) = match args.token.and_then(|t| t.split_once('\n')) {
                Some((p, t)) => (p.to_owned(), Some(t.to_owned()).filter(|t| !t.is_empty())),
                None => {
                    let domains = client
                        .list_domains()
                        .max_results(1)
                        .send()
                        .await
                        .map_err(|e| describe_error(&e))?;
                    let Some(found) = domains
                        .domains()
                        .iter()
                        .find_map(|d| d.domain_arn().and_then(prefix))
                    else {
                        // No domain, so no profile.
                        return Ok((Vec::new(), None));
                    };
                    (found.to_owned(), None)
                }
            };
            let page = client
                .list_user_profiles()
                .max_results(100)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| describe_error(&e))?;
            let pairs = page
                .user_profiles()
                .iter()
                .filter(|p| {
                    args.created_after
                        .is_none_or(|after| p.creation_time().is_none_or(|t| t.secs() >= after))
                })
                .map(|p| {
                    let name = p.user_profile_name().unwrap_or_default();
                    let arn = format!(
                        "{prefix}user-profile/{}/{name}",
                        p.domain_id().unwrap_or_default()
                    );
                    crate::calls::Summary::new(name.to_owned(), arn)
                })
                .collect();
            let next = page.next_token().map(|t| format!("{prefix}\n{t}"));
            Ok((pairs, next))
        })
    }

    pub(super) fn describe<'a>(
        client: &'a Client,
        name: &'a str,
        arn: &'a str,
        capture: SharedInterceptor,
    ) -> Pending<'a, ()> {
        Box::pin(async move {
            client
                .describe_user_profile()
                .domain_id(domain_of(arn))
                .user_profile_name(name)
                .customize()
                .interceptor(capture)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| describe_error(&e))
        })
    }

    #[cfg(test)]
    #[test]
    fn arns_are_written_from_a_domain_arn_and_read_back() {
        assert_eq!(
            prefix("arn:aws-cn:sagemaker:cn-north-1:111122223333:domain/d-abc"),
            Some("arn:aws-cn:sagemaker:cn-north-1:111122223333:")
        );
        assert_eq!(prefix("arn:aws:sagemaker:r:1:notebook/d"), None);
        assert_eq!(
            domain_of("arn:aws:sagemaker:us-east-1:111122223333:user-profile/d-abc/alice"),
            "d-abc"
        );
        assert_eq!(
            domain_of("arn:aws:sagemaker:us-east-1:1:user-profile/x"),
            ""
        );
    }
}

/// The domain a profile belongs to, as its `DomainId` names it: the id; in a CloudFormation
/// template the logical id of the domain a `Ref` or `Fn::GetAtt …DomainId` points at; in a
/// Terraform plan the address of the `aws_sagemaker_domain` whose `id` (the domain id, known
/// after apply) the configuration refers to. Each is the name that domain has in the same scan.
fn domain_of<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<String, DocumentError> {
    let id = f.get::<Option<Text<'a>>>("DomainId")?;
    let written = match id.as_ref().and_then(|i| i.value.as_ref()) {
        Some(Text::Plain(text)) => text.clone(),
        Some(Text::Expr(raw)) => {
            let value: Option<serde_json::Value> = serde_json::from_str(raw.get()).ok();
            let reference = value
                .as_ref()
                .and_then(|v| v.get(crate::expr::AFTER_APPLY))
                .and_then(serde_json::Value::as_str);
            if let Some(address) = reference
                .and_then(|r| r.strip_suffix(".id"))
                .filter(|a| a.starts_with("aws_sagemaker_domain."))
            {
                return Ok(address.to_owned());
            }
            crate::text::one_line(raw.get(), 100)
        }
        None => return Ok(String::new()),
    };
    if let Scope::Pipeline {
        template: Some(_), ..
    } = scope
        && let Some(inner) = written.strip_prefix("${").and_then(|w| w.strip_suffix('}'))
        && let Some(logical) = inner
            .strip_suffix(".DomainId")
            .or(Some(inner))
            .filter(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        return Ok(logical.to_owned());
    }
    Ok(written)
}

/// The profile's two S3 key slots; each setting it leaves out is its domain's.
fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let domain = domain_of(f, scope)?;
    let mut slots = Vec::new();
    for Setting {
        mut draft,
        output,
        written,
    } in user_settings(f, "UserSettings", scope)?
    {
        let sharing = draft.slot.part.as_deref() == Some(SHARING);
        if written {
            // Notebook output is shared only when allowed: `Disabled` is the default.
            draft.slot.nothing_to_protect = sharing && output != SharingOutput::Allowed;
        } else {
            let own = draft.slot.field.as_ref();
            let field = format!(
                "DefaultUserSettings.{}",
                own.strip_prefix("UserSettings.").unwrap_or(own)
            );
            draft.slot.inherits = Some(Box::new(Inherit {
                kind: Kind::Domain,
                name: domain.clone(),
                field: field.into(),
                key: true,
                applicability: sharing,
            }));
        }
        debug_assert!(matches!(draft.slot.part.as_deref(), Some(SHARING | CANVAS)));
        slots.push(draft);
    }
    Ok(slots)
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let name = f.string("UserProfileName")?;
    let arn = f.string("UserProfileArn")?;
    let domain = f.string("DomainId")?;
    let (Some(name), Some(arn), Some(domain)) = (name, arn, domain) else {
        let missing = ["UserProfileName", "UserProfileArn", "DomainId"]
            .into_iter()
            .find(|m| f.string(m).ok().flatten().is_none())
            .unwrap_or("UserProfileName");
        return Err(DocumentError::new(format!(
            "DescribeUserProfile document without {missing}"
        )));
    };
    // The ARN names the domain, then the profile.
    let (parts, arn_name) = ArnParts::sagemaker(&arn, &format!("user-profile/{domain}"))
        .map_err(|e| DocumentError::new(format!("UserProfileArn {e}")))?;
    if !arn_name.eq_ignore_ascii_case(&name) {
        return Err(DocumentError::new(format!(
            "UserProfileArn names {:?} but UserProfileName is {:?}",
            crate::text::one_line(arn_name, 100),
            crate::text::one_line(&name, 100)
        )));
    }
    let mut r = resource(Kind::UserProfile, super::Identity { name, arn, parts });
    r.status = f.string("Status")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    Ok(Draft { resource: r, slots })
}

/// Documentation of `user-profile-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "user-profile-output-cmk",
    kind: Kind::UserProfile,
    role: Role::Output,
    name: "UserProfileOutputCustomerManagedKey",
    title: "Shared notebooks and Canvas artifacts of a Studio user are encrypted with a \
        customer-managed KMS key",
    description: "Checks the S3 keys that apply to each SageMaker Studio user profile (one \
        finding each): UserSettings.SharingSettings.S3KmsKeyId for notebook snapshots shared \
        with their cell output, and UserSettings.CanvasAppSettings.WorkspaceSettings.S3KmsKeyId \
        for the artifacts SageMaker Canvas writes. A profile that does not write SharingSettings \
        (or WorkspaceSettings) uses its domain's default user settings; the finding judges the \
        domain's key and says so, and is UNVERIFIED when the domain is not in the scan. The \
        check passes when the key is an enabled customer-managed KMS key in any form KMS \
        accepts. It fails when it is missing, null or empty (the objects then get the bucket's \
        default encryption), names an alias/aws/* key, or KMS reports the key as AWS-managed or \
        not enabled. It does not apply to notebook sharing unless NotebookOutputOption is \
        Allowed (the default is Disabled).",
    risk: "A shared notebook snapshot with its cell output shows whatever data the notebook \
        displayed; Canvas stores imported datasets, models and predictions. In S3 without a \
        customer-managed key, anyone with read access to the bucket can read them.",
    remediation: Remediation {
        console: "SageMaker console, Domains > the domain > User profiles > the profile > Edit: \
        set the notebook sharing and Canvas storage encryption keys to your customer-managed \
        key, or remove the profile's own settings so the domain's (with your key) apply.",
        aws_cli: "aws sagemaker update-user-profile --domain-id DOMAIN_ID \
        --user-profile-name NAME --user-settings \
        '{\"SharingSettings\":{\"NotebookOutputOption\":\"Allowed\",\"S3OutputPath\":\
        \"s3://BUCKET/sharing/\",\"S3KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"},\
        \"CanvasAppSettings\":{\"WorkspaceSettings\":{\"S3ArtifactPath\":\"s3://BUCKET/canvas/\",\
        \"S3KmsKeyId\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}}}'",
        boto3: "boto3.client('sagemaker').update_user_profile(DomainId=domain_id, \
        UserProfileName=name, UserSettings={'SharingSettings': {..., 'S3KmsKeyId': key_arn}, \
        'CanvasAppSettings': {'WorkspaceSettings': {'S3ArtifactPath': 's3://bucket/canvas/', \
        'S3KmsKeyId': key_arn}}})",
        python_sdk: "The SageMaker Python SDK does not manage user profiles; with SDK 3's \
        resources call UserProfile.update with the user settings above.",
        // No pipeline step creates a user profile.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: CreateUserProfile",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateUserProfile.html",
        },
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
    use crate::ingest::document::parse;
    use crate::kinds::read_resource as read;
    use crate::resource::Kind;

    fn doc(rest: &str) -> String {
        format!(
            r#"{{"DomainId": "d-abc", "UserProfileName": "alice",
"UserProfileArn": "arn:aws:sagemaker:us-east-1:111122223333:user-profile/d-abc/alice",
"Status": "InService", "HomeEfsFileSystemUid": "200001"{rest}}}"#
        )
    }

    #[test]
    fn a_profile_that_writes_no_settings_leaves_both_keys_to_its_domain() {
        let r = read(&doc(""));
        assert_eq!(r.kind, Kind::UserProfile);
        let inherited: Vec<_> = r
            .slots
            .iter()
            .map(|s| {
                let i = s.inherits.as_deref().expect("inherited");
                (i.name.as_str(), i.field.as_ref(), i.key, i.applicability)
            })
            .collect();
        assert_eq!(
            inherited,
            [
                (
                    "d-abc",
                    "DefaultUserSettings.SharingSettings.S3KmsKeyId",
                    true,
                    true
                ),
                (
                    "d-abc",
                    "DefaultUserSettings.CanvasAppSettings.WorkspaceSettings.S3KmsKeyId",
                    true,
                    false
                ),
            ]
        );
    }

    #[test]
    fn settings_the_profile_writes_are_its_own_even_without_a_key() {
        let r = read(&doc(
            r#", "UserSettings": {"SharingSettings": {"NotebookOutputOption": "Allowed",
  "S3OutputPath": "s3://share/"},
 "CanvasAppSettings": {"WorkspaceSettings": {"S3KmsKeyId": "alias/canvas"}}}"#,
        ));
        let [sharing, canvas] = &r.slots[..] else {
            panic!("two slots")
        };
        assert!(sharing.inherits.is_none() && canvas.inherits.is_none());
        assert_eq!(
            (sharing.value.as_deref(), sharing.nothing_to_protect),
            (None, false)
        );
        assert_eq!(sharing.locations, ["s3://share/"]);
        assert_eq!(canvas.value.as_deref(), Some("alias/canvas"));
        // Sharing written without the option: the default, Disabled, applies.
        let r = read(&doc(
            r#", "UserSettings": {"SharingSettings": {"S3OutputPath": "s3://share/"}}"#,
        ));
        assert!(r.slots[0].nothing_to_protect && r.slots[0].inherits.is_none());
        assert!(r.slots[1].inherits.is_some());
    }

    #[test]
    fn the_arn_must_name_the_domain_and_the_profile() {
        for (arn, problem) in [
            (
                "arn:aws:sagemaker:us-east-1:111122223333:user-profile/d-other/alice",
                "does not begin with `user-profile/d-abc/`",
            ),
            (
                "arn:aws:sagemaker:us-east-1:111122223333:user-profile/d-abc/bob",
                "names \"bob\" but UserProfileName is \"alice\"",
            ),
        ] {
            let text = doc("").replace(
                "arn:aws:sagemaker:us-east-1:111122223333:user-profile/d-abc/alice",
                arn,
            );
            let Err(e) = parse(&text, 1, "p.json") else {
                panic!("accepted {arn}")
            };
            assert!(e.to_string().contains(problem), "{e}");
        }
        let text = doc("").replace(r#""DomainId": "d-abc", "#, "");
        let Err(e) = parse(&text, 1, "p.json") else {
            panic!("accepted without DomainId")
        };
        assert!(e.to_string().contains("without DomainId"), "{e}");
    }
}
