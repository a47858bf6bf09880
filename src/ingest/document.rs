//! One JSON document: a describe response of a resource kind the checks read, a KMS
//! `describe-key` or `list-aliases` response, a `collect` manifest, or something we name and
//! refuse. Every document ends as exactly one of these or an error.

use serde::Deserialize;

use crate::document::DocumentError;
use crate::kinds::{Fields, KINDS, KindDecl};
use crate::kms::{KeyFact, KeyManager};
use crate::model::ArnParts;
use crate::resource::Resource;

/// What a document turned out to be.
#[derive(Debug)]
pub enum Document {
    /// A resource of one of the kinds the checks read.
    Resource(Box<Resource>),
    /// `aws kms describe-key` output.
    Key(KeyFact),
    /// `aws kms list-aliases` output: `(account, region, alias name, target key id)`.
    Aliases(Vec<(String, String, String, String)>),
    /// The manifest of a `collect` directory.
    Manifest(Box<crate::manifest::Manifest>),
    /// Pipeline definitions (a definition file, `describe-pipeline` output, a CloudFormation
    /// template or a Terraform plan): one resource per step that creates a job, and the steps
    /// that could not be read.
    Pipeline(Box<crate::pipeline::Steps>),
    /// A SageMaker Python SDK configuration file: one resource per section a kind's checks
    /// judge, and the key paths set that none judges yet.
    SdkConfig(Box<crate::sdk_config::Judged>),
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawKeyMetadata {
    key_id: Option<String>,
    arn: Option<String>,
    key_manager: Option<String>,
    key_state: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawAlias {
    alias_name: Option<String>,
    alias_arn: Option<String>,
    target_key_id: Option<String>,
}

/// What a recognised document is read as.
#[derive(Clone, Copy)]
enum Reader {
    Manifest,
    Key,
    Aliases,
    ListPipelines,
    DescribePipeline,
    TerraformPlan,
    CloudFormation,
    Definition,
    StateMachine,
    SdkConfig,
    /// The List output of every kind whose summaries sit under this member (Model Monitor's
    /// four job definitions share `JobDefinitionSummaries`), refused with advice.
    List(&'static str),
    /// A kind's describe output.
    Describe(&'static KindDecl),
}

/// One kind of document: the top-level field that marks it, what it is called in messages,
/// and how it is read.
struct Recogniser {
    field: &'static str,
    what: std::borrow::Cow<'static, str>,
    reader: Reader,
}

/// Every kind of document, in the order they are tried: the one table [`parse`] uses, built
/// once (its messages spell CLI command names, which cost an allocation each).
fn recognisers() -> &'static [Recogniser] {
    static TABLE: std::sync::LazyLock<Vec<Recogniser>> = std::sync::LazyLock::new(table);
    &TABLE
}

fn table() -> Vec<Recogniser> {
    let fixed = [
        (
            "SagemakerAuditManifest",
            "collect manifest",
            Reader::Manifest,
        ),
        ("KeyMetadata", "KMS describe-key", Reader::Key),
        ("Aliases", "KMS list-aliases", Reader::Aliases),
        ("PipelineSummaries", "list-pipelines", Reader::ListPipelines),
        (
            "PipelineDefinition",
            "describe-pipeline",
            Reader::DescribePipeline,
        ),
        ("terraform_version", "Terraform plan", Reader::TerraformPlan),
        (
            "Resources",
            "CloudFormation template",
            Reader::CloudFormation,
        ),
        ("Steps", "pipeline definition", Reader::Definition),
        (
            "StartAt",
            "Step Functions state machine",
            Reader::StateMachine,
        ),
        (
            crate::sdk_config::MARK,
            "SageMaker Python SDK config",
            Reader::SdkConfig,
        ),
    ]
    .into_iter()
    .map(|(field, what, reader)| Recogniser {
        field,
        what: what.into(),
        reader,
    });
    let mut lists: Vec<&'static str> = KINDS.iter().map(|k| k.api.summaries).collect();
    lists.sort_unstable();
    lists.dedup();
    let lists = lists.into_iter().map(|field| Recogniser {
        field,
        what: sharing(field)
            .map(|k| k.api.list_command())
            .collect::<Vec<_>>()
            .join(" or ")
            .into(),
        reader: Reader::List(field),
    });
    let describes = KINDS.iter().map(|&k| Recogniser {
        field: k.api.marker,
        what: k.api.describe_command().into(),
        reader: Reader::Describe(k),
    });
    fixed.chain(lists).chain(describes).collect()
}

/// The kinds whose List output holds its summaries under `field`, in registry order.
fn sharing(field: &'static str) -> impl Iterator<Item = &'static KindDecl> {
    KINDS
        .iter()
        .copied()
        .filter(move |k| k.api.summaries == field)
}

/// The recognisers, by field name in the order [`Fields::entries`] keeps.
fn by_field() -> &'static [(&'static str, usize)] {
    static INDEX: std::sync::LazyLock<Vec<(&'static str, usize)>> =
        std::sync::LazyLock::new(|| {
            let mut index: Vec<(&'static str, usize)> = recognisers()
                .iter()
                .enumerate()
                .map(|(i, r)| (r.field, i))
                .collect();
            index.sort_unstable();
            index
        });
    &INDEX
}

/// The recognisers whose field the document has, in table order: one walk over the
/// document's fields and the index side by side, both sorted by name (a lookup per
/// recogniser cost about 3% of a scan).
fn marked(f: &Fields<'_>) -> Vec<&'static Recogniser> {
    let index = by_field();
    let mut found = Vec::new();
    let mut at = 0;
    for (name, _) in f.entries() {
        while at < index.len() && index[at].0 < name {
            at += 1;
        }
        let mut same = at;
        while same < index.len() && index[same].0 == name {
            found.push(index[same].1);
            same += 1;
        }
        if at == index.len() {
            break;
        }
    }
    found.sort_unstable();
    found.into_iter().map(|i| &recognisers()[i]).collect()
}

/// The recognisers whose field the document has, but for a field that the kind it marks
/// declares as a reference to another kind's resource (a `DescribeEndpoint` response names its
/// `EndpointConfigName`).
fn claimants(f: &Fields<'_>) -> Vec<&'static Recogniser> {
    let found = marked(f);
    let referred: Vec<&'static str> = found
        .iter()
        .filter_map(|r| match r.reader {
            Reader::Describe(k) => Some(k.refers_to),
            _ => None,
        })
        .flatten()
        .copied()
        .collect();
    found
        .into_iter()
        // A reference names the other resource only: with that kind's ARN too, the document
        // claims both.
        .filter(|r| {
            !matches!(r.reader, Reader::Describe(k)
                if referred.contains(&r.field) && !f.has(k.api.arn_field))
        })
        .collect()
}

/// Parses one JSON object text, which begins on `first_line` of `file`, into a document.
/// A document that carries the marks of two kinds is refused rather than guessed at, so no
/// resource can hide behind a KMS or manifest field.
pub fn parse(text: &str, first_line: u32, file: &str) -> Result<Document, DocumentError> {
    let f = Fields::parse(text).map_err(|e| DocumentError::json(&e))?;
    let recogniser = match claimants(&f).as_slice() {
        [] => return Err(unknown()),
        [one] => *one,
        several => {
            let kinds: Vec<String> = several
                .iter()
                .map(|r| format!("{} ({})", r.what, r.field))
                .collect();
            return Err(DocumentError::new(format!(
                "ambiguous document: it has the fields of {}; an API response is exactly one \
                 of them, so export each response to its own document",
                kinds.join(" and ")
            )));
        }
    };
    let pipeline = |steps: crate::pipeline::Steps| Document::Pipeline(Box::new(steps));
    match recogniser.reader {
        Reader::Manifest => {
            let m = f.get::<crate::manifest::Manifest>("SagemakerAuditManifest")?;
            Ok(Document::Manifest(Box::new(m.ok_or_else(unknown)?.value)))
        }
        Reader::Key => {
            let meta = f
                .get::<RawKeyMetadata>("KeyMetadata")?
                .ok_or_else(unknown)?;
            key_fact(meta.value).map(Document::Key)
        }
        Reader::Aliases => {
            let aliases = f.get::<Vec<RawAlias>>("Aliases")?.ok_or_else(unknown)?;
            Ok(Document::Aliases(alias_facts(aliases.value)))
        }
        Reader::ListPipelines => Err(DocumentError::new(
            "this is `aws sagemaker list-pipelines` output, which holds no definitions; export \
             each pipeline with `aws sagemaker describe-pipeline --pipeline-name NAME`",
        )),
        Reader::DescribePipeline => {
            crate::pipeline::describe(&f, text, first_line, file).map(pipeline)
        }
        Reader::TerraformPlan => {
            crate::pipeline::terraform::plan(&f, text, first_line, file).map(pipeline)
        }
        Reader::CloudFormation => {
            crate::pipeline::cloudformation::json_template(&f, text, first_line, file).map(pipeline)
        }
        // A `Steps` that is no list is no definition.
        Reader::Definition if !crate::pipeline::is_definition(&f) => Err(unknown()),
        Reader::Definition => {
            crate::pipeline::definition_file(text, first_line, file).map(pipeline)
        }
        Reader::StateMachine if !crate::pipeline::states::is_state_machine(&f) => Err(unknown()),
        Reader::StateMachine => {
            crate::pipeline::states::definition_file(text, first_line, file).map(pipeline)
        }
        // JSON is YAML to the SDK's loader.
        Reader::SdkConfig => Ok(Document::SdkConfig(Box::new(
            crate::sdk_config::judge_file(text, first_line, file)?,
        ))),
        Reader::List(field) => {
            let or = |spell: fn(&KindDecl) -> String| {
                sharing(field)
                    .map(|k| format!("`aws sagemaker {}`", spell(k)))
                    .collect::<Vec<_>>()
                    .join(" or ")
            };
            Err(DocumentError::new(format!(
                "this is {} output, which has no encryption settings; export each resource with {}",
                or(|k| k.api.list_command()),
                or(|k| format!("{} {} NAME", k.api.describe_command(), k.api.name_option()))
            )))
        }
        Reader::Describe(k) => {
            if !k.describe_fields.iter().any(|d| f.has(d)) {
                return Err(DocumentError::new(format!(
                    "this looks like a {} summary (name and ARN only); export the resource \
                     with `aws sagemaker {}`",
                    k.api.list_command(),
                    k.api.describe_command()
                )));
            }
            let draft = (k.parse)(&f).map_err(|e| e.locate(text))?;
            Ok(Document::Resource(Box::new(
                draft.finish(text, first_line, file),
            )))
        }
    }
}

/// The error of a document no recogniser claims, naming what the tool reads.
fn unknown() -> DocumentError {
    let kinds: Vec<&str> = KINDS.iter().map(|k| k.names.plural).collect();
    let (last, rest) = kinds.split_last().expect("kinds are registered");
    DocumentError::new(format!(
        "not the describe output of {} or {last}, a pipeline definition, describe-pipeline \
         output, a CloudFormation template or a Terraform plan, nor KMS describe-key or \
         list-aliases output",
        rest.join(", ")
    ))
}

fn key_fact(meta: RawKeyMetadata) -> Result<KeyFact, DocumentError> {
    let key_id = meta
        .key_id
        .ok_or_else(|| DocumentError::new("describe-key output without KeyMetadata.KeyId"))?;
    let manager = match meta.key_manager.as_deref() {
        Some("AWS") => KeyManager::Aws,
        Some("CUSTOMER") => KeyManager::Customer,
        other => {
            return Err(DocumentError::new(format!(
                "describe-key output for {key_id} has KeyManager {other:?}; expected \"AWS\" or \"CUSTOMER\""
            )));
        }
    };
    let state = meta.key_state.ok_or_else(|| {
        DocumentError::new(format!("describe-key output for {key_id} has no KeyState"))
    })?;
    Ok(KeyFact {
        key_id,
        arn: meta.arn,
        manager,
        state,
    })
}

fn alias_facts(aliases: Vec<RawAlias>) -> Vec<(String, String, String, String)> {
    aliases
        .into_iter()
        .filter_map(|a| {
            let parts = ArnParts::parse(a.alias_arn.as_deref()?)?;
            Some((
                parts.account_id,
                parts.region,
                a.alias_name?,
                a.target_key_id?,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const JOB: &str = r#"{"TrainingJobName":"a","TrainingJobArn":"arn:aws:sagemaker:eu-west-1:111122223333:training-job/a",
        "TrainingJobStatus":"Completed","CreationTime":1710407565.5,"LastModifiedTime":"2024-03-14T10:00:00+01:00",
        "AlgorithmSpecification":{"TrainingImage":"x"},"NewFieldFrom2030":{"deep":[1,2,3]},
        "ResourceConfig":{"InstanceGroups":[{"InstanceType":"ml.p4d.24xlarge","InstanceCount":1,"InstanceGroupName":"g"}],"VolumeKmsKeyId":null},
        "OutputDataConfig":{"S3OutputPath":"s3://b/","KmsKeyId":"alias/ml"}}"#;

    fn resource(text: &str) -> Box<Resource> {
        match parse(text, 1, "f.json") {
            Ok(Document::Resource(r)) => r,
            other => panic!("not a resource: {other:?}"),
        }
    }

    fn error(text: &str) -> DocumentError {
        parse(text, 1, "f.json").unwrap_err()
    }

    #[test]
    fn escaped_key_text_still_has_a_position() {
        let escaped = JOB.replace("\"alias/ml\"", "\"alias\\/ml\"");
        let r = resource(&escaped);
        assert_eq!(r.slots[1].value.as_deref(), Some("alias/ml"));
        assert_eq!(r.slots[1].value_line, Some(5));
    }

    #[test]
    fn a_field_given_twice_is_refused() {
        let twice = JOB.replacen(
            "{",
            "{\"OutputDataConfig\":{\"KmsKeyId\":\"alias/other\"},",
            1,
        );
        assert!(
            error(&twice).message.contains("given twice"),
            "{}",
            error(&twice)
        );
    }

    #[test]
    fn nesting_in_fields_not_read_is_skipped_without_recursion() {
        let deep = JOB.replace(
            "{\"deep\":[1,2,3]}",
            &format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        );
        resource(&deep);
    }

    #[test]
    fn names_what_other_documents_are() {
        let list = r#"{"TrainingJobSummaries":[{"TrainingJobName":"a"}]}"#;
        assert!(error(list).message.contains("list-training-jobs"));
        let list = r#"{"ProcessingJobSummaries":[]}"#;
        assert!(
            error(list)
                .message
                .contains("describe-processing-job --processing-job-name")
        );
        // Kinds whose List outputs look alike share one piece of advice naming each of them.
        let shared = error(r#"{"JobDefinitionSummaries":[]}"#).message;
        for k in crate::kinds::KINDS
            .iter()
            .filter(|k| k.api.summaries == "JobDefinitionSummaries")
        {
            assert!(shared.contains(&k.api.list_command()), "{shared}");
            assert!(shared.contains(&k.api.describe_command()), "{shared}");
        }
        assert!(!shared.contains("ambiguous"), "{shared}");
        let summary = r#"{"TrainingJobName":"a","TrainingJobArn":"arn:aws:sagemaker:us-east-1:111122223333:training-job/a","TrainingJobStatus":"Completed"}"#;
        assert!(error(summary).message.contains("summary"));
        // What the tool reads is named from the registry of kinds.
        let unknown = error(r#"{"foo":1}"#).message;
        for k in crate::kinds::KINDS {
            assert!(unknown.contains(k.names.plural), "{unknown}");
        }
        assert!(
            unknown.starts_with("not the describe output of"),
            "{unknown}"
        );
        // A `Steps` that is no list is no pipeline definition.
        assert!(
            error(r#"{"Steps":"x"}"#)
                .message
                .starts_with("not the describe output")
        );
        // Two marks are refused, each named from the one table of recognisers.
        let two = error(r#"{"KeyMetadata":{},"TrainingJobName":"a"}"#).message;
        assert!(
            two.contains(
                "KMS describe-key (KeyMetadata) and describe-training-job (TrainingJobName)"
            ),
            "{two}"
        );
        let bad_time = JOB.replace("1710407565.5", "\"last tuesday\"");
        assert!(error(&bad_time).message.contains("ISO 8601"));
        let bad_type = JOB.replace("\"alias/ml\"", "42");
        let e = error(&bad_type);
        assert!(e.message.contains("unexpected type"), "{}", e.message);
        assert!(
            e.message.starts_with("OutputDataConfig.KmsKeyId has "),
            "{}",
            e.message
        );
        let line = JOB[..JOB.find("\"alias/ml\"").unwrap()]
            .matches('\n')
            .count() as u32
            + 1;
        assert_eq!(e.line, Some(line), "the error names the value's line");
        assert!(!e.message.contains(" at line "), "{}", e.message);
    }

    #[test]
    fn arns_that_could_lead_anywhere_are_refused() {
        for (arn, why) in [
            (
                "arn:aws:sagemaker:eu-west-1:../../../../tmp/x:training-job/a",
                "12 digits",
            ),
            (
                "arn:aws:sagemaker:/etc:111122223333:training-job/a",
                "not a region",
            ),
            (
                "arn:aws:sagemaker:eu-west-1:111122223333:training-job/b",
                "names",
            ),
            (
                "arn:aws:sagemaker:eu-west-1:111122223333:processing-job/a",
                "training-job/",
            ),
            ("not-an-arn", "six"),
        ] {
            let doc = JOB.replace(
                "arn:aws:sagemaker:eu-west-1:111122223333:training-job/a",
                arn,
            );
            let e = error(&doc);
            assert!(e.message.contains(why), "{arn}: {e}");
        }
        let upper = JOB.replace("\"TrainingJobName\":\"a\"", "\"TrainingJobName\":\"A\"");
        resource(&upper);
    }

    #[test]
    fn a_document_with_the_fields_of_two_kinds_is_refused() {
        let manifest = serde_json::to_string(&crate::manifest::Manifest::default()).unwrap();
        for extra in [
            r#""Aliases": []"#.to_owned(),
            r#""KeyMetadata": {"KeyId": "k", "KeyManager": "AWS", "KeyState": "Enabled"}"#
                .to_owned(),
            format!(r#""SagemakerAuditManifest": {manifest}"#),
            r#""TrainingJobSummaries": []"#.to_owned(),
            r#""ProcessingJobName": "p""#.to_owned(),
            r#""AutoMLJobName": "m""#.to_owned(),
        ] {
            let doc = JOB.replacen('{', &format!("{{{extra},"), 1);
            let e = error(&doc);
            assert!(e.message.starts_with("ambiguous document"), "{extra}: {e}");
        }
        // A training job launched by a tuning or AutoML job names its parent by ARN only: not
        // ambiguous.
        let child = JOB.replacen(
            '{',
            r#"{"TuningJobArn": "arn:aws:sagemaker:eu-west-1:111122223333:hyper-parameter-tuning-job/t", "AutoMLJobArn": "arn:aws:sagemaker:eu-west-1:111122223333:automl-job/m","#,
            1,
        );
        resource(&child);
        // An endpoint names its configuration: a reference, not a second kind.
        let endpoint = r#"{"EndpointName": "ep", "EndpointArn": "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/ep", "EndpointConfigName": "ec", "EndpointStatus": "InService"}"#;
        assert_eq!(resource(endpoint).kind, crate::resource::Kind::Endpoint);
        let both = endpoint.replace(r#""EndpointStatus""#, r#""EndpointConfigArn": "arn:aws:sagemaker:eu-west-1:111122223333:endpoint-config/ec", "ProductionVariants": [], "EndpointStatus""#);
        assert!(error(&both).message.contains("ambiguous"), "{both}");
    }

    #[test]
    fn reads_kms_documents() {
        let key = r#"{"KeyMetadata":{"KeyId":"k","Arn":"arn:aws:kms:us-east-1:1:key/k","KeyManager":"AWS","KeyState":"Enabled"}}"#;
        assert!(matches!(
            parse(key, 1, "k.json").unwrap(),
            Document::Key(KeyFact {
                manager: KeyManager::Aws,
                ..
            })
        ));
        let aliases = r#"{"Aliases":[{"AliasName":"alias/ml","AliasArn":"arn:aws:kms:us-east-1:1:alias/ml","TargetKeyId":"k"},{"AliasName":"alias/aws/s3","AliasArn":"arn:aws:kms:us-east-1:1:alias/aws/s3"}]}"#;
        let Ok(Document::Aliases(list)) = parse(aliases, 1, "a.json") else {
            panic!()
        };
        assert_eq!(list.len(), 1);
    }
}
