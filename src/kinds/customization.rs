//! `DescribeJob`: model customization jobs (`CreateJob`: agent reinforcement fine-tuning,
//! synthetic data generation, evaluations, data transformation). The request is a category
//! and a `JobConfigDocument`, a JSON document in a string whose schema SageMaker serves per
//! category (`DescribeJobSchemaVersion`); botocore's model does not publish it. What the job
//! writes to S3 goes to `OutputDataConfig.S3OutputPath` under `OutputDataConfig.KmsKeyArn`
//! inside that document, as the SageMaker Python SDK 3 writes it (sagemaker 3.27.0
//! `sagemaker/train/evaluate/multi_turn_rl_evaluator.py`). Findings point at the
//! `JobConfigDocument` line: a line inside a string is no line of the file.

use serde_json::Value;

use super::{Api, Draft, Fields, KindDecl, Names, Scope, Settled, SlotDraft, Text, resource};
use crate::document::DocumentError;
use crate::model::ArnParts;
use crate::resource::{KeySlot, Kind, Role};
use crate::rules::RuleMeta;
use crate::rules::docs::{COMPLIANCE, KMS_REFERENCE, Reference, Remediation, SAGEMAKER_AT_REST};
use crate::rules::output::{OutputCheck, OutputText};
use crate::verdict::Severity;

/// Everything about model customization jobs.
pub static KIND: KindDecl = KindDecl {
    kind: Kind::Customization,
    names: Names {
        resource_type: "customization-job",
        // botocore's JobArn pattern: `…:job/<category>/<name>`.
        arn_resource: "job",
        arn_nested: true,
        arn_id: false,
        noun: "Model customization job",
        plural: "model customization jobs",
    },
    api: Api {
        list: "ListJobs",
        summaries: "JobSummaries",
        describe: "DescribeJob",
        name_field: "JobName",
        // `JobName` is also `DescribeInferenceRecommendationsJob`'s; only DescribeJob (and
        // DescribeJobSchemaVersion, which no kind reads) returns a `JobCategory`.
        marker: "JobCategory",
        arn_field: "JobArn",
        within: None,
    },
    unlisted: None,
    // botocore 1.44.8, sagemaker 2017-07-24: enum JobStatus (ListJobs.StatusEquals).
    statuses: &[
        "InProgress",
        "Completed",
        "Failed",
        "Stopping",
        "Stopped",
        "Deleting",
        "DeleteFailed",
    ],
    // Inside the JobConfigDocument JSON string, which botocore's model does not describe.
    settled: Settled::Never,
    keys: &["JobConfigDocument.OutputDataConfig.KmsKeyArn"],
    // ListJobs summaries carry `JobCategory` too.
    describe_fields: &["JobConfigDocument", "RoleArn"],
    refers_to: &[],
    // sagemaker 3.27.0 `sagemaker/mlops/workflow/steps.py`: StepTypeEnum.JOB, whose arguments
    // are the CreateJob request.
    pipeline_steps: &["Job"],
    creates: &["CreateJob"],
    terraform: &[],
    cloudformation: &[],
    parse,
    slots,
    checks: &[&OUTPUT],
    // ListJobs lists one category at a time (`JobCategory` is required): [`live`].
    #[cfg(feature = "aws")]
    live: crate::calls::Calls {
        list: live::list,
        describe: live::describe,
        // One listing walks every job category in turn (see `live::list`).
        shards: false,
    },
};

/// The live calls: `ListJobs` requires a category, so a listing walks the categories one after
/// another; the page token carries the category's position (`N:` then `N:TOKEN`).
#[cfg(feature = "aws")]
mod live {
    use aws_sdk_sagemaker::Client;
    use aws_sdk_sagemaker::types::{JobCategory, JobStatus};
    use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;

    use crate::calls::{ListArgs, Page, Pending, describe_error};

    /// botocore 1.44.8, sagemaker 2017-07-24: enum JobCategory.
    pub(super) const CATEGORIES: &[&str] = &[
        "AgentRFT",
        "SyntheticDataGeneration",
        "DataQualityEvaluation",
        "AgentRFTEvaluation",
        "DataTransformation",
    ];

    /// The category's position and the service's token in a page token.
    fn position(token: Option<&str>) -> (usize, Option<String>) {
        let Some(token) = token else {
            return (0, None);
        };
        let (index, rest) = token.split_once(':').unwrap_or((token, ""));
        (
            index.parse().unwrap_or(usize::MAX),
            Some(rest.to_owned()).filter(|r| !r.is_empty()),
        )
    }

    pub(super) fn list<'a>(client: &'a Client, args: ListArgs<'a>) -> Pending<'a, Page> {
        Box::pin(async move {
            let (index, token) = position(args.token);
            let Some(category) = CATEGORIES.get(index) else {
                return Ok((Vec::new(), None));
            };
            let page = client
                .list_jobs()
                .job_category(JobCategory::from(*category))
                .max_results(100)
                .set_next_token(token)
                .set_creation_time_after(
                    args.created_after
                        .map(aws_smithy_types::DateTime::from_secs),
                )
                .set_status_equals(args.status.map(JobStatus::from))
                .send()
                .await
                .map_err(|e| describe_error(&e))?;
            let pairs = page
                .job_summaries()
                .iter()
                .map(|s| {
                    crate::calls::Summary::new(
                        s.job_name().unwrap_or_default().to_owned(),
                        s.job_arn().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            let next = match page.next_token() {
                Some(t) => Some(format!("{index}:{t}")),
                None if index + 1 < CATEGORIES.len() => Some(format!("{}:", index + 1)),
                None => None,
            };
            Ok((pairs, next))
        })
    }

    /// `DescribeJob` takes the category too: the listed ARN names it
    /// (`…:job/<category>/<name>`, checked before any describe).
    pub(super) fn describe<'a>(
        client: &'a Client,
        name: &'a str,
        arn: &'a str,
        capture: SharedInterceptor,
    ) -> Pending<'a, ()> {
        Box::pin(async move {
            let category = arn
                .split_once(":job/")
                .and_then(|(_, rest)| rest.split_once('/'))
                .map_or("", |(category, _)| category);
            client
                .describe_job()
                .job_name(name)
                .job_category(JobCategory::from(category))
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
    fn tokens_walk_the_categories() {
        assert_eq!(position(None), (0, None));
        assert_eq!(position(Some("2:")), (2, None));
        assert_eq!(position(Some("3:abc:def")), (3, Some("abc:def".to_owned())));
        assert_eq!(position(Some("x")).0, usize::MAX);
    }
}

/// The key's path, as findings name it.
const FIELD: &str = "JobConfigDocument.OutputDataConfig.KmsKeyArn";

fn slots<'a>(f: &Fields<'a>, scope: Scope<'_>) -> Result<Vec<SlotDraft<'a>>, DocumentError> {
    let mut slot = KeySlot::new(Role::Output, FIELD);
    let document = f.get::<Option<Text<'a>>>("JobConfigDocument")?;
    let Some((raw, text)) = document
        .as_ref()
        .and_then(|d| d.value.as_ref().map(|v| (d.raw, v)))
    else {
        // No document: no key; the finding points at the request.
        return Ok(vec![SlotDraft {
            slot,
            value_at: None,
            parent_at: None,
        }]);
    };
    let inner = match text {
        // Built when the pipeline runs: known only then.
        Text::Expr(_) => {
            let (value, source) = scope.key(FIELD, Some(text))?;
            slot.value = value;
            slot.source = source;
            return Ok(vec![SlotDraft {
                slot,
                value_at: Some(raw),
                parent_at: Some(raw),
            }]);
        }
        Text::Plain(document) => serde_json::from_str::<Value>(document).map_err(|e| {
            DocumentError::at(
                format!(
                    "JobConfigDocument is not a JSON document ({})",
                    crate::document::describe_json_error(&e)
                ),
                raw,
            )
        })?,
    };
    let output = inner.get("OutputDataConfig").filter(|o| !o.is_null());
    if let Some(o) = output
        && !o.is_object()
    {
        return Err(DocumentError::at(
            "JobConfigDocument.OutputDataConfig is not an object",
            raw,
        ));
    }
    slot.locations = output
        .and_then(|o| o.get("S3OutputPath"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .into_iter()
        .collect();
    let key = output.and_then(|o| o.get("KmsKeyArn"));
    slot.value = match key {
        None | Some(Value::Null) => None,
        Some(Value::String(k)) => Some(k.clone()),
        Some(_) => {
            return Err(DocumentError::at(format!("{FIELD} is not text"), raw));
        }
    };
    Ok(vec![SlotDraft {
        slot,
        value_at: key.is_some().then_some(raw),
        parent_at: Some(raw),
    }])
}

fn parse<'a>(f: &Fields<'a>) -> Result<Draft<'a>, DocumentError> {
    let name = f.string("JobName")?;
    let arn = f.string("JobArn")?;
    let category = f.string("JobCategory")?;
    let (Some(name), Some(arn)) = (name, arn) else {
        return Err(DocumentError::new(format!(
            "DescribeJob document without {}",
            if f.has("JobName") {
                "JobArn"
            } else {
                "JobName"
            }
        )));
    };
    // The ARN names the category, then the job.
    let prefix = format!("job/{}", category.as_deref().unwrap_or_default());
    let (parts, arn_name) = ArnParts::sagemaker(&arn, &prefix)
        .map_err(|e| DocumentError::new(format!("JobArn {e}")))?;
    if !arn_name.eq_ignore_ascii_case(&name) {
        return Err(DocumentError::new(format!(
            "JobArn names {:?} but JobName is {:?}",
            crate::text::one_line(arn_name, 100),
            crate::text::one_line(&name, 100)
        )));
    }
    let mut r = resource(Kind::Customization, super::Identity { name, arn, parts });
    r.status = f.string("JobStatus")?;
    r.creation_time = f.time("CreationTime")?;
    r.last_modified_time = f.time("LastModifiedTime")?;
    let slots = slots(f, Scope::Describe)?;
    Ok(Draft { resource: r, slots })
}

/// Documentation of `customization-output-cmk`.
pub static OUTPUT_META: RuleMeta = RuleMeta {
    id: "customization-output-cmk",
    kind: Kind::Customization,
    role: Role::Output,
    name: "CustomizationOutputCustomerManagedKey",
    title: "Model customization job output is encrypted with a customer-managed KMS key",
    description: "Checks OutputDataConfig.KmsKeyArn inside the JobConfigDocument of each \
        SageMaker model customization job (CreateJob: agent reinforcement fine-tuning, \
        synthetic data generation, evaluations, data transformation), the key for what the \
        job writes to OutputDataConfig.S3OutputPath. The check passes when the field names \
        an enabled customer-managed KMS key. It fails when the document, its OutputDataConfig \
        or the key is missing, null or empty, when it names an alias/aws/* key, or KMS \
        reports the key as AWS-managed or not enabled, and when the output goes to an S3 \
        Express One Zone directory bucket. The document's schema is served by SageMaker per \
        job category (DescribeJobSchemaVersion), not published in botocore's model; the path \
        read is the one the SageMaker Python SDK 3 writes.",
    risk: "Customization jobs write generated datasets, evaluation transcripts and tuned \
        models, derived from your data and prompts. Without a customer-managed key anyone with \
        S3 read access can read them, and there is no key policy, rotation or revocation \
        under your control.",
    remediation: Remediation {
        console: "A job cannot be changed: create it again with the output key set to your \
        customer-managed key, then re-encrypt or delete the old output.",
        aws_cli: "aws sagemaker create-job --job-name NEW_NAME --job-category CATEGORY \
        --job-config-schema-version VERSION --role-arn ROLE_ARN --job-config-document \
        '{..., \"OutputDataConfig\": {\"S3OutputPath\": \"s3://BUCKET/PREFIX/\", \
        \"KmsKeyArn\": \"arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\"}}'",
        boto3: "boto3.client('sagemaker').create_job(JobName='new-name', JobCategory=category, \
        JobConfigSchemaVersion=version, RoleArn=role_arn, \
        JobConfigDocument=json.dumps({..., 'OutputDataConfig': {'S3OutputPath': \
        's3://bucket/prefix/', 'KmsKeyArn': key_arn}}))",
        python_sdk: "Pass kms_key_id=key_arn to the SDK 3 evaluator or trainer that creates the \
        job (for example MultiTurnRLEvaluator), which writes it as OutputDataConfig.KmsKeyArn.",
        pipeline: "Set OutputDataConfig.KmsKeyArn in the Job step's JobConfigDocument, then \
        update the pipeline.",
    },
    references: &[
        Reference {
            title: "SageMaker API: CreateJob",
            url: "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateJob.html",
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
        protects: "customization job outputs",
        without_key: "the job's output gets the default encryption of the bucket it is written to",
    },
};

#[cfg(test)]
mod tests {
    use crate::ingest::document::{Document, parse};
    use crate::resource::{Kind, Resource};

    fn read(text: &str) -> Result<Resource, String> {
        match parse(text, 1, "f.json") {
            Ok(Document::Resource(r)) => Ok(*r),
            Ok(_) => Err("not a resource".into()),
            Err(e) => Err(e.to_string()),
        }
    }

    fn job(document: &str) -> String {
        format!(
            r#"{{"JobName": "eval-1", "JobCategory": "AgentRFTEvaluation",
"JobArn": "arn:aws:sagemaker:us-east-1:111122223333:job/AgentRFTEvaluation/eval-1",
"RoleArn": "arn:aws:iam::111122223333:role/r", "JobStatus": "Completed",
"JobConfigDocument": {}}}"#,
            serde_json::Value::String(document.to_owned())
        )
    }

    #[test]
    fn the_key_is_read_inside_the_document_and_points_at_its_line() {
        let r = read(&job(
            r#"{"OutputDataConfig": {"S3OutputPath": "s3://o/", "KmsKeyArn": "alias/k"}}"#,
        ))
        .unwrap();
        assert_eq!(r.kind, Kind::Customization);
        assert_eq!(r.slots[0].value.as_deref(), Some("alias/k"));
        assert_eq!(r.slots[0].locations, ["s3://o/"]);
        assert_eq!(r.slots[0].value_line, Some(4));
        let none = read(&job(r#"{"OutputDataConfig": {"S3OutputPath": "s3://o/"}}"#)).unwrap();
        assert_eq!(
            (none.slots[0].value.as_deref(), none.slots[0].parent_line),
            (None, 4)
        );
    }

    #[test]
    fn a_broken_document_or_an_arn_of_another_category_is_an_error() {
        let e = read(&job("{not json")).unwrap_err();
        assert!(
            e.contains("JobConfigDocument is not a JSON document"),
            "{e}"
        );
        let e = read(&job(r#"{"OutputDataConfig": {"KmsKeyArn": 1}}"#)).unwrap_err();
        assert!(e.contains("is not text"), "{e}");
        let other = job("{}").replace("job/AgentRFTEvaluation/", "job/AgentRFT/");
        assert!(read(&other).unwrap_err().contains("JobArn"));
    }
}
