//! `DescribeTrainingSession`: a SageMaker training session (interactive fine-tuning of a base
//! model with LoRA). Its checkpoints and model artifacts go to
//! `TrainingSessionDetail.OutputConfig.S3Location.Path` under `…S3Location.KmsKeyArn` (botocore
//! 1.44.8, `TrainingSessionS3Location.KmsKeyArn`: "if not specified, the default Amazon S3
//! encryption is used"). The response wraps every field in `TrainingSessionDetail`, so the
//! session is read from there; SageMaker runs the training on instances it manages and the API
//! names no volume key, so the only slot is the output.
//!
//! `ListTrainingSessions` summaries carry the ARN and no name: the name is the ARN's last part
//! (botocore's `TrainingSessionArn` pattern ends in the name). A `CreateTrainingSession` request
//! (a Step Functions task) is not wrapped: its `OutputConfig` sits at the top level, and its slot
//! is named there.

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

/// Everything about training sessions.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::TrainingSession,
    names: Names {
        resource_type: "training-session",
        arn_resource: "training-session",
        arn_nested: false,
        arn_id: false,
        noun: "Training session",
        plural: "training sessions",
    },
    api: Api {
        list: "ListTrainingSessions",
        summaries: "TrainingSessionSummaries",
        describe: "DescribeTrainingSession",
        // Inside TrainingSessionDetail, as the ARN.
        name_field: "TrainingSessionName",
        marker: DETAIL,
        arn_field: "TrainingSessionArn",
        within: Some(DETAIL),
    },
    unlisted: None,
    // botocore 1.44.8, sagemaker 2017-07-24: enum TrainingSessionStatus
    // (ListTrainingSessions.StatusEquals).
    statuses: &[
        "Created",
        "Blocked",
        "Running",
        "Failed",
        "Scheduled",
        "Stopping",
        "Stopped",
        "Expired",
        "Deleting",
        "DeletionFailed",
    ],
    // The status sits inside TrainingSessionDetail, where the cache does not look: a session is
    // described again on every scan.
    settled: Settled::Never,
    keys: &[KEY],
    describe_fields: &[DETAIL],
    refers_to: &[],
    // SageMaker Pipelines has no step that creates a training session.
    pipeline_steps: &[],
    creates: &["CreateTrainingSession"],
    terraform: &[],
    cloudformation: &[],
    parse,
    slots,
    checks: &[&OUTPUT],
    #[cfg(feature = "aws")]
    // `ListTrainingSessions` summaries carry no name: it is the ARN's last part.
    live: crate::calls::calls!(
        list_training_sessions,
        TrainingSessionStatus,
        training_session_summaries,
        (|s| name_in(s.training_session_arn().unwrap_or_default()).to_owned()),
        training_session_arn;
        describe_training_session,
        training_session_name
    ),
};

/// The member that holds every field of a describe response.
const DETAIL: &str = "TrainingSessionDetail";
const KEY: &str = "TrainingSessionDetail.OutputConfig.S3Location.KmsKeyArn";
/// The same key in a `CreateTrainingSession` request, which has no `TrainingSessionDetail`.
const REQUEST_KEY: &str = "OutputConfig.S3Location.KmsKeyArn";

/// The name an ARN ends in (empty when it has none, so the listing reports it).
#[cfg(any(feature = "aws", test))]
fn name_in(arn: &str) -> &str {
    arn.split_once(":training-session/")
        .map_or("", |(_, name)| name)
}

/// `TrainingSessionOutputConfig`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OutputConfig<'a> {
    #[serde(borrow)]
    s3_location: Option<At<'a, S3Location<'a>>>,
}

/// `TrainingSessionS3Location`: where the checkpoints and artifacts go, and their key.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct S3Location<'a> {
    #[serde(borrow)]
    path: Option<Text<'a>>,
    #[serde(borrow, default)]
    kms_key_arn: At<'a, Option<Text<'a>>>,
}

/// The fields inside `TrainingSessionDetail`.
fn detail<'a>(f: &Fields<'a>) -> Result<Fields<'a>, DocumentError> {
    let Some(raw) = f.raw(DETAIL) else {
        return Err(DocumentError::new(format!(
            "DescribeTrainingSession document without {DETAIL}"
        )));
    };
    Fields::parse(raw.get()).map_err(|_| DocumentError::new(format!("{DETAIL} is not an object")))
}

fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    // A describe response holds the session in its detail (parse refuses one without it); a
    // Create request holds the same members at the top level.
    let owned;
    let (inner, key, path) = match f.raw(DETAIL) {
        Some(_) => {
            owned = detail(f)?;
            (
                &owned,
                KEY,
                "TrainingSessionDetail.OutputConfig.S3Location.Path",
            )
        }
        None => (f, REQUEST_KEY, "OutputConfig.S3Location.Path"),
    };
    let out = inner.get::<Option<OutputConfig<'a>>>("OutputConfig")?;
    let location = out
        .as_ref()
        .and_then(|o| o.value.as_ref())
        .and_then(|o| o.s3_location.as_ref());
    // Without S3Location, point at OutputConfig, else at the detail.
    let parent = location
        .map(|l| l.raw)
        .or(out.as_ref().and_then(At::slice))
        .or(f.raw(DETAIL).map(|r| r.get()));
    Ok(vec![SlotDraft::output(
        KeySlot::new(Role::Output, key),
        path,
        location.map(|l| &l.value.path),
        location.map(|l| &l.value.kms_key_arn),
        parent,
        scope,
    )?])
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let inner = detail(f)?;
    let id = identity(&inner, Kind::TrainingSession)?;
    let mut r = resource(Kind::TrainingSession, id);
    r.status = inner.string("TrainingSessionStatus")?;
    r.creation_time = inner.time("CreationTime")?;
    r.last_modified_time = inner.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    Ok(Draft { resource: r, slots })
}

/// Documentation of `training-session-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "training-session-output-cmk",
    kind: Kind::TrainingSession,
    role: Role::Output,
    name: "TrainingSessionOutputCustomerManagedKey",
    title: "Training session output is encrypted with a customer-managed KMS key",
    description: "Checks TrainingSessionDetail.OutputConfig.S3Location.KmsKeyArn of each SageMaker \
        training session: the key of the checkpoints and model artifacts the session writes to \
        S3Location.Path. The check passes when the field names an enabled customer-managed KMS \
        key. It fails when the field is missing, null or empty (the objects then get the \
        default S3 encryption), when it names an alias/aws/* key, or when KMS reports the key \
        as AWS-managed or not enabled; and when the path is an S3 Express One Zone directory \
        bucket, which takes no KMS key from SageMaker. A session has no volume key to check: \
        the API has no such field.",
    risk: "A session's checkpoints are the fine-tuned model at each step, trained on your \
        data. Without a key you control you cannot restrict who may decrypt them through a key \
        policy or make them unreadable at once by disabling the key.",
    remediation: Remediation {
        console: "A training session cannot be changed. Create a new session with \
        OutputConfig.S3Location.KmsKeyArn set to your customer-managed KMS key ARN, then \
        re-encrypt or delete the old session's output in S3.",
        aws_cli: "aws sagemaker create-training-session --training-session-name NEW_NAME \
        --output-config '{\"S3Location\":{\"Path\":\"s3://BUCKET/PREFIX/\",\
        \"KmsKeyArn\":\"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}}' ... (the other arguments as \
        in the original, from aws sagemaker describe-training-session)",
        boto3: "boto3.client('sagemaker').create_training_session(TrainingSessionName='new-name', \
        OutputConfig={'S3Location': {'Path': 's3://bucket/prefix/', 'KmsKeyArn': key_arn}}, ...)",
        python_sdk: "The SageMaker Python SDK has no training session class: create the session \
        with boto3 as above, with OutputConfig.S3Location.KmsKeyArn set to your key ARN.",
        // No pipeline step creates a training session.
        pipeline: "",
    },
    references: &[
        Reference {
            title: "SageMaker API: CreateTrainingSession",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateTrainingSession.html",
        },
        SAGEMAKER_AT_REST,
        KMS_REFERENCE,
    ],
    compliance: COMPLIANCE,
    severity: Severity::High,
    security_severity: "7.0",
};

/// The output check.
pub static OUTPUT: OutputCheck = OutputCheck {
    meta: &OUTPUT_META,
    text: OutputText {
        protects: "training session checkpoints and artifacts in S3",
        without_key: "the objects get the default S3 encryption",
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_is_read_from_its_detail_and_named_by_its_arn() {
        let doc = r#"{"TrainingSessionDetail":{"TrainingSessionName":"lora-1",
            "TrainingSessionArn":"arn:aws:sagemaker:us-east-1:111122223333:training-session/lora-1",
            "OutputConfig":{"S3Location":{"Path":"s3://b/o/","KmsKeyArn":"alias/s"}}}}"#;
        let f = Fields::parse(doc).unwrap();
        let draft = parse(&f).unwrap();
        assert_eq!(draft.resource.name, "lora-1");
        assert_eq!(draft.slots[0].slot.value.as_deref(), Some("alias/s"));
        assert_eq!(draft.slots[0].slot.locations, ["s3://b/o/"]);
        assert!(parse(&Fields::parse(r#"{"TrainingSessionDetail":"x"}"#).unwrap()).is_err());
        assert_eq!(
            name_in("arn:aws:sagemaker:us-east-1:111122223333:training-session/lora-1"),
            "lora-1"
        );
        assert_eq!(name_in("arn:aws:sagemaker:us-east-1:1:job/x"), "");
    }

    #[test]
    fn a_create_request_is_read_at_its_top_level() {
        let request = r#"{"TrainingSessionName":"lora-2",
            "OutputConfig":{"S3Location":{"Path":"s3://b/p/","KmsKeyArn":"alias/k"}}}"#;
        let f = Fields::parse(request).unwrap();
        let slots = slots(&f, Scope::Describe).unwrap();
        assert_eq!(slots[0].slot.field, REQUEST_KEY);
        assert_eq!(slots[0].slot.value.as_deref(), Some("alias/k"));
        assert_eq!(slots[0].slot.locations, ["s3://b/p/"]);
        let f = Fields::parse(r#"{"TrainingSessionName":"lora-3"}"#).unwrap();
        assert_eq!(slots_of(&f), (REQUEST_KEY.to_owned(), None));
    }

    fn slots_of(f: &Fields<'_>) -> (String, Option<String>) {
        let s = &slots(f, Scope::Describe).unwrap()[0].slot;
        (s.field.to_string(), s.value.clone())
    }
}
