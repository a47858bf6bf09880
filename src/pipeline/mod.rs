//! SageMaker Pipeline definitions, judged before any job exists.
//!
//! A definition (`{"Version", "Parameters", "Steps"}`) is found in four kinds of input: a
//! definition file, `describe-pipeline` output (the definition as a JSON string), a
//! CloudFormation template ([`cloudformation`]) and a Terraform plan ([`terraform`]). Each step
//! whose type a kind declares (`Training`, `Processing`, `QualityCheck`, `ClarifyCheck`,
//! `Transform`, `Tuning`, `AutoML`, also inside `Condition` steps) becomes one resource of that
//! kind with the origin [`Origin::PipelineStep`], named `PIPELINE/STEP`, whose key slots are read
//! from the step's `Arguments` (the request of the matching Create call) by the kind's own
//! parser, with expressions resolved through the definition's parameters ([`crate::expr`]), and
//! which the kind's own checks judge.

pub mod cloudformation;
pub mod cloudformation_resources;
pub mod states;
pub mod strict;
pub mod terraform;
pub mod terraform_resources;
pub mod yaml;

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::document::DocumentError;
use crate::document::lines::LineCounter;
use crate::expr::Parameters;
use crate::kinds::{self, Draft, Fields, Head, Scope, distinct_types};
use crate::model::{ArnParts, Timestamp};
use crate::resource::{Kind, Origin, Resource};

/// The resource part of a pipeline's ARN (`arn:…:pipeline/NAME`).
pub const PIPELINE_ARN_RESOURCE: &str = "pipeline";

/// How lines in the definition text map to lines of the file it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineMap {
    /// The definition is the document itself, which starts at this file line.
    Direct(u32),
    /// The definition is one string value (a JSON string, a folded YAML scalar) on this file
    /// line: everything in it points there.
    Fixed(u32),
    /// The definition is a YAML literal block spanning these file lines (first, last); its
    /// lines follow one for one, and the end of its text (where a truncated definition fails)
    /// is its last line.
    Offset(u32, u32),
}

impl LineMap {
    fn file_line(self, definition_line: u32) -> u32 {
        match self {
            LineMap::Direct(first) => first.saturating_add(definition_line.saturating_sub(1)),
            LineMap::Offset(first, last) => first
                .saturating_add(definition_line.saturating_sub(1))
                .min(last),
            LineMap::Fixed(line) => line,
        }
    }
}

/// A pipeline definition and what is known about the pipeline around it.
#[derive(Debug, Clone)]
pub struct Source<'t> {
    /// The definition's JSON text.
    pub text: &'t str,
    /// The pipeline's name (the file's name where the input has none).
    pub name: String,
    /// The pipeline's ARN and its parts, when the input names them.
    pub arn: Option<(String, ArnParts)>,
    /// `PipelineStatus`, when known.
    pub status: Option<String>,
    /// `CreationTime`, when known.
    pub creation_time: Option<Timestamp>,
    /// `LastModifiedTime`, when known.
    pub last_modified_time: Option<Timestamp>,
    /// Where its lines are in the file.
    pub lines: LineMap,
    /// Line of the document in the file (error lines are reported relative to it).
    pub document_line: u32,
    /// The definition came through a CloudFormation `Fn::Sub` or `Fn::Join`: what the
    /// template gives the `${…}` placeholders left in its text.
    pub template: Option<&'t crate::expr::TemplateValues>,
}

/// What a definition yields.
#[derive(Debug, Default)]
pub struct Steps {
    /// One resource per step that creates a job.
    pub resources: Vec<Resource>,
    /// Steps that could not be read; the others are still judged.
    pub errors: Vec<DocumentError>,
    /// Steps that create no job these checks cover (Condition, Fail, Lambda, …), by type.
    pub other_steps: StepTypes,
}

/// Steps counted by type, bounded: at most [`MAX_STEP_TYPES`] type names (each one line of at
/// most 60 bytes) and the rest under one entry, so a hostile definition cannot grow it.
pub type StepTypes = std::collections::BTreeMap<String, usize>;

/// Distinct step types kept by name.
pub const MAX_STEP_TYPES: usize = 64;

/// The entry that counts step types past [`MAX_STEP_TYPES`].
const MORE_TYPES: &str = "(other types)";

/// Counts `n` steps of `step_type`.
pub fn count_step_type(types: &mut StepTypes, step_type: &str, n: usize) {
    let name = crate::text::one_line_within(step_type, 60);
    let key = if types.contains_key(&name) || types.len() < MAX_STEP_TYPES {
        name
    } else {
        MORE_TYPES.to_owned()
    };
    *types.entry(key).or_default() += n;
}

/// Adds the counts of `more` to `types`.
pub fn add_step_types(types: &mut StepTypes, more: StepTypes) {
    for (t, n) in more {
        count_step_type(types, &t, n);
    }
}

#[derive(Deserialize)]
struct Definition<'a> {
    #[serde(rename = "Parameters")]
    parameters: Option<serde_json::Value>,
    #[serde(rename = "Steps", borrow)]
    steps: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct Step<'a> {
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "Type")]
    kind: Option<String>,
    #[serde(rename = "Arguments", borrow)]
    arguments: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Condition<'a> {
    #[serde(rename = "IfSteps", borrow, default)]
    if_steps: Vec<&'a RawValue>,
    #[serde(rename = "ElseSteps", borrow, default)]
    else_steps: Vec<&'a RawValue>,
}

/// The arguments of a `ForEach` step (SageMaker Python SDK 3): the steps run once per item.
#[derive(Deserialize)]
struct ForEach<'a> {
    #[serde(rename = "ForEachBody", borrow, default)]
    body: Vec<&'a RawValue>,
}

/// Condition and ForEach steps nest at most this deep.
const MAX_DEPTH: usize = 32;

/// The kind whose Create request a step type's arguments are (each kind declares its step
/// types).
fn job_kind(step_type: &str) -> Option<Kind> {
    kinds::of_step(step_type)
}

/// True when a JSON object's top-level fields look like a pipeline definition.
pub fn is_definition(f: &Fields<'_>) -> bool {
    f.raw("Steps")
        .is_some_and(|s| s.get().trim_start().starts_with('['))
}

/// Reads a definition into one resource per job-creating step. An unreadable definition is
/// one error; an unreadable step is an error of its own and the other steps still count.
pub fn read(source: &Source<'_>, file: &str) -> Result<Steps, DocumentError> {
    let definition: Definition<'_> = parse_strict(source, "pipeline definition")?;
    let parameters = Parameters::from_definition(definition.parameters.as_ref()).map_err(|m| {
        at_document_line(
            DocumentError::new(format!("pipeline definition: {m}")),
            source,
        )
    })?;
    let mut out = Steps::default();
    let mut names = std::collections::HashSet::new();
    walk(
        &definition.steps,
        0,
        "",
        source,
        &parameters,
        file,
        &mut names,
        &mut out,
    );
    Ok(out)
}

/// A definition's text read as `T`, refusing a key given twice in one object; `what` names
/// the definition in messages. Errors point at the definition's lines in the file.
fn parse_strict<'a, T: Deserialize<'a>>(
    source: &Source<'a>,
    what: &str,
) -> Result<T, DocumentError> {
    if let Some(key) = strict::duplicate_key(source.text) {
        return Err(at_document_line(
            DocumentError::new(format!(
                "{what}: the key {key:?} is given twice in one object, so the definition has \
                 no single meaning; remove one"
            )),
            source,
        ));
    }
    serde_json::from_str(source.text).map_err(|e| {
        let mut error = DocumentError::json(&e);
        error.message = format!("{what}: {}", error.message);
        at_document_line(error, source)
    })
}

/// Makes an error's line relative to the document the definition sits in.
fn at_document_line(error: DocumentError, source: &Source<'_>) -> DocumentError {
    let mut error = error.locate(source.text);
    let line = match (source.lines, error.line) {
        (LineMap::Fixed(line), _) => Some(line),
        (map, Some(l)) => Some(map.file_line(l)),
        (_, None) => None,
    };
    error.line = line.map(|l| l.saturating_sub(source.document_line).saturating_add(1));
    error
}

/// Reads `steps`; those of a `ForEach` body are named after it (`prefix` is `FOREACH/`), since
/// each runs once per item; those of a Condition's branches keep their own names.
#[allow(clippy::too_many_arguments)]
fn walk<'a>(
    steps: &[&'a RawValue],
    depth: usize,
    prefix: &str,
    source: &Source<'a>,
    parameters: &Parameters,
    file: &str,
    names: &mut std::collections::HashSet<String>,
    out: &mut Steps,
) {
    for (i, raw) in steps.iter().enumerate() {
        let fail =
            |message: String| at_document_line(DocumentError::at(message, raw.get()), source);
        let step: Step<'a> = match serde_json::from_str(raw.get()) {
            Ok(s) => s,
            Err(e) => {
                out.errors.push(fail(format!(
                    "pipeline step {} is not a step object ({})",
                    i + 1,
                    crate::text::one_line(&e.to_string(), 120)
                )));
                continue;
            }
        };
        let (Some(name), Some(step_type)) = (step.name, step.kind) else {
            out.errors.push(fail(format!(
                "pipeline step {} has no Name or no Type",
                i + 1
            )));
            continue;
        };
        let shown = crate::text::one_line(&name, 100);
        if !names.insert(name.clone()) {
            out.errors.push(fail(format!(
                "pipeline step {shown:?} appears twice; step names must be unique"
            )));
            continue;
        }
        if step_type == "Condition" {
            if depth >= MAX_DEPTH {
                out.errors.push(fail(format!(
                    "condition step {shown:?} nests steps more than {MAX_DEPTH} deep"
                )));
                continue;
            }
            let nested: Result<Condition<'a>, _> = match step.arguments {
                Some(a) => serde_json::from_str(a.get()),
                None => Ok(Condition {
                    if_steps: Vec::new(),
                    else_steps: Vec::new(),
                }),
            };
            match nested {
                Ok(c) => {
                    count_step_type(&mut out.other_steps, &step_type, 1);
                    for branch in [&c.if_steps, &c.else_steps] {
                        walk(
                            branch,
                            depth + 1,
                            prefix,
                            source,
                            parameters,
                            file,
                            names,
                            out,
                        );
                    }
                }
                Err(e) => out.errors.push(fail(format!(
                    "condition step {shown:?}: IfSteps and ElseSteps must be lists of steps ({})",
                    crate::text::one_line(&e.to_string(), 120)
                ))),
            }
            continue;
        }
        if step_type == "ForEach" {
            if depth >= MAX_DEPTH {
                out.errors.push(fail(format!(
                    "ForEach step {shown:?} nests steps more than {MAX_DEPTH} deep"
                )));
                continue;
            }
            let body: Result<ForEach<'a>, _> = match step.arguments {
                Some(a) => serde_json::from_str(a.get()),
                None => Ok(ForEach { body: Vec::new() }),
            };
            match body {
                Ok(f) => {
                    count_step_type(&mut out.other_steps, &step_type, 1);
                    walk(
                        &f.body,
                        depth + 1,
                        &format!("{prefix}{name}/"),
                        source,
                        parameters,
                        file,
                        names,
                        out,
                    );
                }
                Err(e) => out.errors.push(fail(format!(
                    "ForEach step {shown:?}: ForEachBody must be a list of steps ({})",
                    crate::text::one_line(&e.to_string(), 120)
                ))),
            }
            continue;
        }
        let Some(kind) = job_kind(&step_type) else {
            count_step_type(&mut out.other_steps, &step_type, 1);
            continue;
        };
        let Some(arguments) = step.arguments else {
            out.errors
                .push(fail(format!("{step_type} step {shown:?} has no Arguments")));
            continue;
        };
        match step_resource(
            source,
            parameters,
            file,
            &format!("{prefix}{name}"),
            kind,
            arguments,
        ) {
            Ok(r) => out.resources.push(r),
            Err(e) => {
                let mut e = at_document_line(e, source);
                e.message = format!("{step_type} step {shown:?}: {}", e.message);
                out.errors.push(e);
            }
        }
    }
}

/// The resource of one job-creating step.
fn step_resource<'a>(
    source: &Source<'a>,
    parameters: &Parameters,
    file: &str,
    step: &str,
    kind: Kind,
    arguments: &'a RawValue,
) -> Result<Resource, DocumentError> {
    if !arguments.get().trim_start().starts_with('{') {
        return Err(DocumentError::at(
            "Arguments is not an object",
            arguments.get(),
        ));
    }
    let fields = Fields::parse(arguments.get()).map_err(|e| {
        DocumentError::at(
            format!("Arguments: {}", crate::document::describe_json_error(&e)),
            arguments.get(),
        )
    })?;
    let scope = Scope::Pipeline {
        parameters,
        template: source.template,
    };
    let mut slots = (kind.decl().slots)(&fields, scope).map_err(|mut e| {
        // Lines the field readers count start at the arguments; make them the definition's.
        if e.at.is_none()
            && let Some(l) = e.line
        {
            let before = line_in(source.text, 1, arguments.get()) - 1;
            e.line = Some(l.saturating_add(before));
        }
        e
    })?;
    for d in &mut slots {
        d.slot.field = Cow::Owned(format!("Arguments.{}", d.slot.field));
        // A key whose holding object the step leaves out is missing from the step: point at
        // its Arguments, not at the top of the definition.
        d.parent_at.get_or_insert(arguments.get());
    }
    let name = format!("{}/{step}", source.name);
    let (arn, account_id, region, partition) = match &source.arn {
        Some((arn, parts)) => (
            format!("{arn}/{step}"),
            parts.account_id.clone(),
            parts.region.clone(),
            parts.partition.clone(),
        ),
        // Without an ARN, the file, pipeline and step names are the identity: two files
        // that define pipelines of one name are two pipelines (their findings must not share
        // a fingerprint or a baseline entry), and a finding keeps its identity when lines
        // shift.
        None => (
            format!("{file}#pipeline/{name}"),
            String::new(),
            String::new(),
            String::new(),
        ),
    };
    let instance_types = distinct_types(&slots);
    let draft = Draft {
        resource: Head {
            kind,
            origin: Origin::PipelineStep,
            name,
            arn,
            account_id,
            region,
            partition,
            status: source.status.clone(),
            creation_time: source.creation_time,
            last_modified_time: source.last_modified_time,
            instance_types,
        },
        slots,
    };
    let mut resource = match source.lines {
        LineMap::Direct(first) => draft.finish(source.text, first, file),
        map => {
            let mut r = draft.finish(source.text, 1, file);
            for slot in &mut r.slots {
                slot.value_line = slot.value_line.map(|l| map.file_line(l));
                slot.parent_line = map.file_line(slot.parent_line);
            }
            r
        }
    };
    resource.document_line = source.document_line;
    Ok(resource)
}

/// A definition file: the document is the definition, named after the file.
pub fn definition_file(text: &str, first_line: u32, file: &str) -> Result<Steps, DocumentError> {
    read(
        &Source {
            text,
            name: name_of_file(file),
            arn: None,
            status: None,
            creation_time: None,
            last_modified_time: None,
            lines: LineMap::Direct(first_line),
            document_line: first_line,
            template: None,
        },
        file,
    )
}

/// The pipeline name a file stands for: its name without the extension.
pub fn name_of_file(file: &str) -> String {
    std::path::Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty() && s != "-")
        .unwrap_or_else(|| "pipeline".to_owned())
}

/// `aws sagemaker describe-pipeline` output: the definition is the JSON string in
/// `PipelineDefinition`, and findings point at that field's line.
pub fn describe(
    f: &Fields<'_>,
    text: &str,
    first_line: u32,
    file: &str,
) -> Result<Steps, DocumentError> {
    let (Some(name), Some(arn)) = (f.string("PipelineName")?, f.string("PipelineArn")?) else {
        return Err(DocumentError::new(
            "describe-pipeline document without PipelineName or PipelineArn",
        ));
    };
    let (parts, arn_name) = ArnParts::sagemaker(&arn, PIPELINE_ARN_RESOURCE)
        .map_err(|e| DocumentError::new(format!("PipelineArn {e}")))?;
    if !arn_name.eq_ignore_ascii_case(&name) {
        return Err(DocumentError::new(format!(
            "PipelineArn names {:?} but PipelineName is {:?}",
            crate::text::one_line(arn_name, 100),
            crate::text::one_line(&name, 100)
        )));
    }
    let Some(definition) = f.get::<Option<String>>("PipelineDefinition")? else {
        return Err(DocumentError::new(
            "describe-pipeline document without PipelineDefinition",
        ));
    };
    let Some(body) = &definition.value else {
        return Err(DocumentError::new(
            "PipelineDefinition is null: the definition is not in this export",
        ));
    };
    let line = line_in(text, first_line, definition.raw);
    read(
        &Source {
            text: body,
            name,
            arn: Some((arn, parts)),
            status: f.string("PipelineStatus")?,
            creation_time: f.time("CreationTime")?,
            last_modified_time: f.time("LastModifiedTime")?,
            lines: LineMap::Fixed(line),
            document_line: first_line,
            template: None,
        },
        file,
    )
}

/// The line of a value that `text` (a document starting at file line `first_line`) holds.
pub fn line_in(text: &str, first_line: u32, slice: &str) -> u32 {
    LineCounter::new(text, first_line).line_of(slice)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::{KeySource, Role};

    const DEFINITION: &str = r#"{
  "Version": "2020-12-01",
  "Parameters": [
    {"Name": "KmsKey", "Type": "String", "DefaultValue": "alias/ml"},
    {"Name": "OutputKey", "Type": "String"},
    {"Name": "InstanceType", "Type": "String", "DefaultValue": "ml.p4d.24xlarge"}
  ],
  "Steps": [
    {"Name": "Prepare", "Type": "Processing", "Arguments": {
      "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": {"Get": "Parameters.InstanceType"}, "VolumeSizeInGB": 30}},
      "ProcessingOutputConfig": {"Outputs": [{"OutputName": "train", "S3Output": {"S3Uri": "s3://b/train", "LocalPath": "/opt/ml/processing/train", "S3UploadMode": "EndOfJob"}}],
        "KmsKeyId": {"Get": "Parameters.KmsKey"}}}},
    {"Name": "Train", "Type": "Training", "Arguments": {
      "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30},
      "OutputDataConfig": {"S3OutputPath": "s3://b/model", "KmsKeyId": {"Get": "Parameters.OutputKey"}}}},
    {"Name": "Check", "Type": "Condition", "Arguments": {"Conditions": [],
      "IfSteps": [{"Name": "Score", "Type": "Transform", "Arguments": {
        "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeKmsKeyId": {"Get": "Steps.Train.OutputDataConfig.KmsKeyId"}},
        "TransformOutput": {"S3OutputPath": "s3://b/out"}}}],
      "ElseSteps": [{"Name": "Stop", "Type": "Fail", "Arguments": {"ErrorMessage": "no"}}]}}
  ]
}"#;

    fn source(text: &str) -> Source<'_> {
        Source {
            text,
            name: "churn".into(),
            arn: None,
            status: None,
            creation_time: None,
            last_modified_time: None,
            lines: LineMap::Direct(1),
            document_line: 1,
            template: None,
        }
    }

    #[test]
    fn step_types_are_counted_within_bounds() {
        let mut types = StepTypes::new();
        for i in 0..200 {
            count_step_type(
                &mut types,
                &format!("Type{i}\u{1b}[31m{}", "x".repeat(100)),
                1,
            );
        }
        count_step_type(&mut types, "Type0\u{1b}[31m", 1);
        assert_eq!(types.len(), MAX_STEP_TYPES + 1);
        assert_eq!(types.values().sum::<usize>(), 201);
        assert_eq!(types[MORE_TYPES], 201 - MAX_STEP_TYPES);
        assert!(types.keys().all(|t| t.len() <= 64 && !t.contains('\u{1b}')));
    }

    #[test]
    fn job_steps_become_resources_with_their_keys_resolved() {
        let steps = read(&source(DEFINITION), "churn.json").unwrap();
        assert!(steps.errors.is_empty(), "{:?}", steps.errors);
        assert_eq!(
            steps.other_steps,
            StepTypes::from([("Condition".to_owned(), 1), ("Fail".to_owned(), 1)])
        );
        let names: Vec<&str> = steps.resources.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["churn/Prepare", "churn/Train", "churn/Score"]);
        let prepare = &steps.resources[0];
        assert_eq!(
            (prepare.kind, prepare.origin),
            (Kind::Processing, Origin::PipelineStep)
        );
        assert_eq!(prepare.arn, "churn.json#pipeline/churn/Prepare");
        assert_eq!(prepare.instance_types[0], "ml.p4d.24xlarge");
        // The default is NVMe-backed, but an execution can pass any type.
        let why = crate::resource::open_instance_type_reason(&prepare.instance_types[1]);
        assert!(
            why.is_some_and(|w| w.contains("parameter InstanceType (default ml.p4d.24xlarge)")),
            "{:?}",
            prepare.instance_types
        );
        let volume = &prepare.slots[0];
        assert_eq!(volume.role, Role::Volume);
        assert_eq!(
            volume.field,
            "Arguments.ProcessingResources.ClusterConfig.VolumeKmsKeyId"
        );
        assert_eq!((volume.value.as_deref(), volume.parent_line), (None, 10));
        let output = &prepare.slots[1];
        assert_eq!(output.value.as_deref(), Some("alias/ml"));
        assert_eq!(output.source, KeySource::Parameters(vec!["KmsKey".into()]));
        assert_eq!(output.value_line, Some(12));
        let train_output = &steps.resources[1].slots[1];
        assert_eq!(
            train_output.source,
            KeySource::NoDefault(vec!["OutputKey".into()])
        );
        assert_eq!(train_output.value_line, Some(15));
        let score_volume = &steps.resources[2].slots[0];
        assert!(
            matches!(&score_volume.source, KeySource::Expression { shown, .. } if shown.contains("Steps.Train"))
        );
        assert_eq!(score_volume.value_line, Some(18));
    }

    #[test]
    fn string_definitions_point_at_their_field_or_follow_a_literal_block() {
        let mut s = source(DEFINITION);
        s.lines = LineMap::Fixed(7);
        let steps = read(&s, "describe.json").unwrap();
        assert!(
            steps
                .resources
                .iter()
                .all(|r| r.slots.iter().all(|slot| slot.line() == 7))
        );
        s.lines = LineMap::Offset(20, 40);
        let steps = read(&s, "template.yaml").unwrap();
        assert_eq!(steps.resources[0].slots[1].value_line, Some(20 + 11));
        // A definition cut short fails at the end of its text: the block's last line.
        let cut = &DEFINITION[..DEFINITION.len() - 3];
        let mut s = source(cut);
        s.lines = LineMap::Offset(20, 22);
        let e = read(&s, "template.yaml").unwrap_err();
        assert_eq!(e.line, Some(22));
    }

    #[test]
    fn bad_steps_are_errors_and_the_rest_still_count() {
        let text = r#"{"Version": "2020-12-01", "Steps": [
  {"Name": "A", "Type": "Training", "Arguments": {"ResourceConfig": "big", "OutputDataConfig": {}}},
  {"Name": "B", "Type": "Training"},
  {"Type": "Training", "Arguments": {}},
  {"Name": "A", "Type": "Processing", "Arguments": {}},
  {"Name": "C", "Type": "Training", "Arguments": {"OutputDataConfig": {"KmsKeyId": "alias/ok"}}}
]}"#;
        let steps = read(&source(text), "p.json").unwrap();
        let messages: Vec<(String, Option<u32>)> = steps
            .errors
            .iter()
            .map(|e| (e.message.clone(), e.line))
            .collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(
            messages[0]
                .0
                .starts_with("Training step \"A\": ResourceConfig has an unexpected type"),
            "{messages:?}"
        );
        assert_eq!(messages[0].1, Some(2));
        assert!(messages[1].0.contains("\"B\" has no Arguments"));
        assert!(messages[2].0.contains("has no Name or no Type"));
        assert!(messages[3].0.contains("appears twice"));
        assert_eq!(steps.resources.len(), 1, "A's error does not stop C");
        assert_eq!(steps.resources[0].name, "churn/C");
        assert!(read(&source("{\"Steps\": 3}"), "p.json").is_err());
    }

    #[test]
    fn quality_check_steps_key_each_output() {
        let text = r#"{"Steps": [{"Name": "Quality", "Type": "QualityCheck", "Arguments": {
  "ProcessingResources": {"ClusterConfig": {"InstanceType": "ml.m5.xlarge", "VolumeKmsKeyId": "alias/v"}},
  "ProcessingOutputConfig": {"Outputs": [
    {"OutputName": "quality-check-output", "S3Output": {"S3Uri": "s3://b/q", "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob", "KmsKeyId": "alias/o"}}]}}}]}"#;
        let steps = read(&source(text), "p.json").unwrap();
        let slots = &steps.resources[0].slots;
        assert_eq!(slots.len(), 2);
        assert_eq!(
            slots[1].part.as_deref(),
            Some("output quality-check-output")
        );
        assert_eq!(slots[1].value.as_deref(), Some("alias/o"));
        assert_eq!(
            slots[1].field,
            "Arguments.ProcessingOutputConfig.Outputs[0].S3Output.KmsKeyId"
        );
    }
}
