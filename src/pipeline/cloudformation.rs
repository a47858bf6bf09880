//! CloudFormation templates, JSON and YAML: every `AWS::SageMaker::Pipeline` resource whose
//! `PipelineDefinition.PipelineDefinitionBody` the template holds.
//!
//! The body is a string, or built with `Fn::Sub` (variables given as literals are substituted;
//! the rest, `${AWS::Region}` and parameters, stay as `${…}` and make the values holding them
//! not statically known) or `Fn::Join` (literal parts joined; any other part becomes a `${…}`
//! placeholder). A definition kept in S3 (`PipelineDefinitionS3Location`) is not in the
//! template: that is an error with the way to check it (the live scan).

use serde_json::Value;
use serde_json::value::RawValue;

use super::yaml::{self, Node, Style};
use super::{LineMap, Source, Steps, line_in, read};
use crate::ingest::document::DocumentError;
use crate::kinds::Fields;

/// The resource type this reads.
const PIPELINE: &str = "AWS::SageMaker::Pipeline";

/// One pipeline resource of a template.
struct PipelineResource {
    logical_id: String,
    /// Line of the resource in the file.
    line: u32,
    /// `PipelineName` when it is a literal.
    name: Option<String>,
    /// `PipelineDefinitionBody` and how its lines map to the file.
    body: Option<(Value, LineMap)>,
    /// `PipelineDefinitionS3Location` is given.
    in_s3: bool,
}

/// A JSON template (a document with `Resources`).
pub fn json_template(
    f: &Fields<'_>,
    text: &str,
    first_line: u32,
    file: &str,
) -> Result<Steps, DocumentError> {
    let Some(resources) = f.raw("Resources") else {
        return Ok(Steps::default());
    };
    let resources = Fields::parse(resources.get()).map_err(|e| {
        DocumentError::at(
            format!(
                "Resources is not an object of resources ({})",
                crate::ingest::document::describe_json_error(&e)
            ),
            resources.get(),
        )
    })?;
    let mut found = Vec::new();
    for (logical_id, raw) in resources.entries() {
        let Ok(resource) = Fields::parse(raw.get()) else {
            continue;
        };
        if resource.string("Type").ok().flatten().as_deref() != Some(PIPELINE) {
            continue;
        }
        let line = line_in(text, first_line, raw.get());
        let properties = resource
            .raw("Properties")
            .and_then(|p| Fields::parse(p.get()).ok());
        let definition = properties
            .as_ref()
            .and_then(|p| p.raw("PipelineDefinition"))
            .and_then(|d| Fields::parse(d.get()).ok());
        let body: Option<&RawValue> = definition
            .as_ref()
            .and_then(|d| d.raw("PipelineDefinitionBody"));
        found.push(PipelineResource {
            logical_id: logical_id.to_owned(),
            line,
            name: properties
                .as_ref()
                .and_then(|p| p.string("PipelineName").ok().flatten()),
            body: body.and_then(|b| {
                let value: Value = serde_json::from_str(b.get()).ok()?;
                Some((value, LineMap::Fixed(line_in(text, first_line, b.get()))))
            }),
            in_s3: definition
                .as_ref()
                .is_some_and(|d| d.has("PipelineDefinitionS3Location")),
        });
    }
    Ok(steps(found, first_line, file))
}

/// A YAML template; `None` when the YAML is no CloudFormation template (no `Resources`
/// mapping), so a directory's other YAML files are skipped, not errors.
pub fn yaml_template(text: &str, file: &str) -> Result<Option<Steps>, DocumentError> {
    let root = match yaml::load(text) {
        Ok(Some(root)) => root,
        Ok(None) => return Ok(None),
        Err((message, line)) => {
            let mut e = DocumentError::new(format!("not valid YAML: {message}"));
            e.line = Some(line.max(1));
            return Err(e);
        }
    };
    let Some(resources) = root.get("Resources") else {
        return Ok(None);
    };
    let yaml::Value::Map(entries) = &resources.value else {
        return Ok(None);
    };
    // YAML reads a lone carriage return as a line break, editors and GitHub do not: a block's
    // lines would no longer follow the file's one for one.
    let lone_cr = yaml::has_lone_cr(text);
    let mut found = Vec::new();
    for (logical_id, node) in entries {
        if node.get("Type").and_then(Node::text) != Some(PIPELINE) {
            continue;
        }
        let properties = node.get("Properties");
        let definition = properties.and_then(|p| p.get("PipelineDefinition"));
        let body = definition.and_then(|d| d.get("PipelineDefinitionBody"));
        found.push(PipelineResource {
            logical_id: logical_id.clone(),
            line: node.line,
            name: properties
                .and_then(|p| p.get("PipelineName"))
                .and_then(Node::text)
                .map(str::to_owned),
            body: body.map(|b| (b.to_json(), yaml_lines(b, lone_cr))),
            in_s3: definition.is_some_and(|d| d.get("PipelineDefinitionS3Location").is_some()),
        });
    }
    Ok(Some(steps(found, 1, file)))
}

/// How a YAML body's lines map: a literal block (directly, or as the string of `!Sub`) keeps
/// its lines, from its first line on; anything else, or a block in a file whose line breaks
/// YAML counts differently (`lone_cr`), points at the node.
fn yaml_lines(body: &Node, lone_cr: bool) -> LineMap {
    if lone_cr {
        return LineMap::Fixed(body.line);
    }
    let literal = match (&body.value, body.tag.as_deref()) {
        (yaml::Value::Scalar(text, Style::Literal), None | Some("Sub")) => Some((body.line, text)),
        (yaml::Value::Seq(items), Some("Sub")) => match items.first() {
            Some(Node {
                value: yaml::Value::Scalar(text, Style::Literal),
                line,
                ..
            }) => Some((*line, text)),
            _ => None,
        },
        _ => None,
    };
    match literal {
        // The parser places a block at its first line that is not blank; the text keeps the
        // blank lines before it.
        Some((line, text)) => {
            let blank = u32::try_from(text.bytes().take_while(|b| *b == b'\n').count());
            let first = line.saturating_sub(blank.unwrap_or(0));
            let count = u32::try_from(text.lines().count()).unwrap_or(u32::MAX);
            LineMap::Offset(first, first.saturating_add(count.max(1) - 1))
        }
        None => LineMap::Fixed(body.line),
    }
}

/// The steps of every pipeline resource found.
fn steps(found: Vec<PipelineResource>, first_line: u32, file: &str) -> Steps {
    let mut out = Steps::default();
    for r in found {
        let fail = |message: String| {
            let mut e = DocumentError::new(format!("{PIPELINE} {}: {message}", r.logical_id));
            e.line = Some(r.line.saturating_sub(first_line).saturating_add(1));
            e
        };
        let name = r.name.clone().unwrap_or_else(|| r.logical_id.clone());
        let Some((value, lines)) = r.body else {
            out.errors.push(fail(if r.in_s3 {
                "the definition is kept in S3 (PipelineDefinitionS3Location), so the template \
                 cannot show it; check the deployed pipeline with `scan --live --kinds pipeline`"
                    .to_owned()
            } else {
                "no PipelineDefinition.PipelineDefinitionBody to check".to_owned()
            }));
            continue;
        };
        let (text, placeholders) = match body_text(&value) {
            Ok(b) => b,
            Err(m) => {
                out.errors.push(fail(m));
                continue;
            }
        };
        let source = Source {
            text: &text,
            name,
            arn: None,
            status: None,
            creation_time: None,
            last_modified_time: None,
            lines,
            document_line: first_line,
            placeholders,
        };
        match read(&source, file) {
            Ok(s) => {
                out.resources.extend(s.resources);
                out.other_steps += s.other_steps;
                out.errors.extend(s.errors.into_iter().map(|mut e| {
                    e.message = format!("{PIPELINE} {}: {}", r.logical_id, e.message);
                    e
                }));
            }
            Err(mut e) => {
                if placeholders {
                    e.message.push_str(
                        " (after Fn::Sub or Fn::Join, with the values the template does not \
                         fix left as ${…})",
                    );
                }
                e.message = format!("{PIPELINE} {}: {}", r.logical_id, e.message);
                out.errors.push(e);
            }
        }
    }
    out
}

/// The body's text and whether `${…}` placeholders remain in it.
fn body_text(value: &Value) -> Result<(String, bool), String> {
    match value {
        Value::String(s) => Ok((s.clone(), false)),
        Value::Object(o) if o.len() == 1 => {
            let (function, argument) = o.iter().next().expect("one entry");
            match function.as_str() {
                "Fn::Sub" => substitute(argument).map(|t| (t, true)),
                "Fn::Join" => join(argument).map(|t| (t, true)),
                other => Err(format!(
                    "PipelineDefinitionBody is built with {other}, which the template alone \
                     cannot resolve; check the deployed pipeline with `scan --live --kinds pipeline`"
                )),
            }
        }
        _ => Err("PipelineDefinitionBody is neither a string, Fn::Sub nor Fn::Join".into()),
    }
}

/// `Fn::Sub`: a string, or `[string, {name: value}]` whose literal values are substituted.
fn substitute(argument: &Value) -> Result<String, String> {
    let (template, variables) = match argument {
        Value::String(s) => (s.as_str(), None),
        Value::Array(a) => match (a.first(), a.get(1)) {
            (Some(Value::String(s)), Some(Value::Object(vars))) => (s.as_str(), Some(vars)),
            _ => return Err("Fn::Sub takes a string, or a string and a map of variables".into()),
        },
        _ => return Err("Fn::Sub takes a string, or a string and a map of variables".into()),
    };
    let mut text = template.to_owned();
    for (name, value) in variables.into_iter().flatten() {
        if let Value::String(v) = value {
            text = text.replace(&format!("${{{name}}}"), v);
        }
    }
    Ok(text)
}

/// `Fn::Join`: `[separator, [parts]]`; a part that is not a literal becomes a placeholder.
fn join(argument: &Value) -> Result<String, String> {
    let (Some(Value::String(separator)), Some(Value::Array(parts))) =
        (argument.get(0), argument.get(1))
    else {
        return Err("Fn::Join takes a separator and a list".into());
    };
    let parts: Vec<String> = parts
        .iter()
        .map(|p| match p {
            Value::String(s) => s.clone(),
            other => placeholder(other),
        })
        .collect();
    Ok(parts.join(separator))
}

/// `${…}` standing for an intrinsic function's value: `${Name}` for `Ref`, `${Res.Attr}` for
/// `Fn::GetAtt`, else the function's name. Only characters that are safe inside a JSON string.
fn placeholder(value: &Value) -> String {
    let text = match value {
        Value::Object(o) if o.len() == 1 => match o.iter().next() {
            Some((k, Value::String(name))) if k == "Ref" => name.clone(),
            Some((k, Value::Array(a))) if k == "Fn::GetAtt" => a
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("."),
            Some((k, _)) => k.clone(),
            None => String::new(),
        },
        _ => "value".to_owned(),
    };
    let safe: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '-' | '_'))
        .take(80)
        .collect();
    format!("${{{safe}}}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::KeySource;

    const BODY: &str = r#"{"Version": "2020-12-01", "Steps": [{"Name": "Train", "Type": "Training",
 "Arguments": {"ResourceConfig": {"InstanceType": "ml.m5.xlarge", "VolumeKmsKeyId": "${KeyArn}"},
  "OutputDataConfig": {"S3OutputPath": "s3://b/", "KmsKeyId": "alias/ml"}}}]}"#;

    /// Inputs the fuzzer found (tests/fixtures/fuzz/template-*): every line reported lies in
    /// the file.
    #[test]
    fn fuzz_findings_point_inside_the_file() {
        for (name, text) in [
            (
                "template-lone-cr.yaml",
                include_str!("../../tests/fixtures/fuzz/template-lone-cr.yaml"),
            ),
            (
                "template-cr-in-block.yaml",
                include_str!("../../tests/fixtures/fuzz/template-cr-in-block.yaml"),
            ),
            (
                "template-block-cut-short.yaml",
                include_str!("../../tests/fixtures/fuzz/template-block-cut-short.yaml"),
            ),
            (
                "template-sub-line-past-end.yaml",
                include_str!("../../tests/fixtures/fuzz/template-sub-line-past-end.yaml"),
            ),
        ] {
            let lines = u32::try_from(text.lines().count()).unwrap() + 1;
            let steps = match yaml_template(text, name) {
                Ok(Some(steps)) => steps,
                Ok(None) => continue,
                Err(e) => {
                    assert!(e.line.is_none_or(|l| l <= lines), "{name}: {e:?}");
                    continue;
                }
            };
            for e in &steps.errors {
                assert!(e.line.is_none_or(|l| l <= lines), "{name}: {e:?}");
            }
            for slot in steps.resources.iter().flat_map(|r| &r.slots) {
                assert!((1..=lines).contains(&slot.line()), "{name}: {slot:?}");
            }
        }
    }

    #[test]
    fn json_templates_resolve_sub_and_point_at_the_body() {
        let template = serde_json::json!({
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {
                "Bucket": {"Type": "AWS::S3::Bucket"},
                "Pipeline": {"Type": PIPELINE, "Properties": {
                    "PipelineName": "churn",
                    "PipelineDefinition": {"PipelineDefinitionBody": {"Fn::Sub": [BODY, {"Unused": "x"}]}}}},
                "Remote": {"Type": PIPELINE, "Properties": {
                    "PipelineDefinition": {"PipelineDefinitionS3Location": {"Bucket": "b", "Key": "k"}}}}
            }
        });
        let text = serde_json::to_string_pretty(&template).unwrap();
        let f = Fields::parse(&text).unwrap();
        let steps = json_template(&f, &text, 1, "t.json").unwrap();
        assert_eq!(steps.resources.len(), 1);
        let r = &steps.resources[0];
        assert_eq!(r.name, "churn/Train");
        assert!(matches!(&r.slots[0].source, KeySource::Expression(e) if e.contains("${KeyArn}")));
        assert_eq!(r.slots[1].value.as_deref(), Some("alias/ml"));
        let body_line = text
            .lines()
            .position(|l| l.contains("PipelineDefinitionBody"))
            .unwrap() as u32
            + 1;
        assert_eq!(r.slots[1].line(), body_line, "the line of the body");
        assert_eq!(steps.errors.len(), 1);
        assert!(
            steps.errors[0].message.contains("kept in S3"),
            "{:?}",
            steps.errors
        );
    }

    #[test]
    fn yaml_literal_blocks_map_line_for_line() {
        let yaml = format!(
            "Resources:\n  Pipeline:\n    Type: {PIPELINE}\n    Properties:\n      PipelineName: churn\n      PipelineDefinition:\n        PipelineDefinitionBody: !Sub |\n{}\n",
            BODY.lines()
                .map(|l| format!("          {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let steps = yaml_template(&yaml, "t.yaml").unwrap().unwrap();
        assert!(steps.errors.is_empty(), "{:?}", steps.errors);
        let r = &steps.resources[0];
        // The body starts on line 8; its third line holds OutputDataConfig.
        assert_eq!(r.slots[0].value_line, Some(9));
        assert_eq!(r.slots[1].value_line, Some(10));
        assert!(
            yaml_template("name: x\non: push\n", "ci.yml")
                .unwrap()
                .is_none()
        );
        // Blank lines at the start of the block still count.
        let blank = yaml.replace("!Sub |\n", "!Sub |\n\n");
        let steps = yaml_template(&blank, "t.yaml").unwrap().unwrap();
        assert_eq!(steps.resources[0].slots[1].value_line, Some(11));
    }

    #[test]
    fn joins_keep_what_is_not_literal_as_placeholders() {
        let v = serde_json::json!({"Fn::Join": ["", ["{\"Steps\": [], \"K\": \"", {"Ref": "Key"}, "\"}"]]});
        let (text, placeholders) = body_text(&v).unwrap();
        assert!(placeholders);
        assert!(text.contains("${Key}"), "{text}");
        assert!(serde_json::from_str::<Value>(&text).is_ok());
        assert!(body_text(&serde_json::json!({"Fn::GetAtt": ["a", "b"]})).is_err());
    }
}
