//! CloudFormation templates, JSON and YAML: every `AWS::SageMaker::Pipeline` resource whose
//! `PipelineDefinition.PipelineDefinitionBody` the template holds, also those an
//! `Fn::ForEach` loop (`AWS::LanguageExtensions`) makes over a collection the template gives.
//!
//! The body is a string, or built with `Fn::Sub` (variables given as literals are substituted)
//! or `Fn::Join` (literal parts joined). What stays a `${…}` placeholder is resolved where a
//! key needs it through [`TemplateValues`]: a template parameter takes each of its
//! `AllowedValues` (else its `Default`), `Fn::If` each branch, `Fn::Select` each element, and
//! each reading is judged. What the template cannot give (`${AWS::Region}`, a resource's
//! attribute) stays a hole. A definition kept in S3 (`PipelineDefinitionS3Location`) is not
//! in the template: that is an error with the way to check it (the live scan).
//!
//! A template that gives one key twice is refused (JSON readers disagree about which copy
//! wins; YAML forbids it), and YAML aliases and merge keys are expanded as CloudFormation's
//! own tools expand them ([`yaml`]).

use serde_json::{Map, Value};

use super::yaml::{self, Node, Style};
use super::{LineMap, Source, Steps, line_in, read};
use crate::document::DocumentError;
use crate::expr::{Choice, Part, TemplateValues};
use crate::kinds::Fields;

/// The resource types this reads: pipelines, and Step Functions state machines (also as SAM
/// writes them).
const PIPELINE: &str = "AWS::SageMaker::Pipeline";
const STATE_MACHINE: &str = "AWS::StepFunctions::StateMachine";
const SAM_STATE_MACHINE: &str = "AWS::Serverless::StateMachine";

/// True for a resource type whose definition this reads.
fn reads_type(t: &str) -> bool {
    matches!(t, PIPELINE | STATE_MACHINE | SAM_STATE_MACHINE)
}

/// A definition in a template.
enum Body {
    /// A string, `Fn::Sub` or `Fn::Join` (`PipelineDefinitionBody`, `DefinitionString`).
    Expr(Value),
    /// An inline object (a state machine's `Definition`), as JSON text.
    Text(String),
}

/// `Fn::ForEach` loops nest at most this deep, and make at most this many resources.
const MAX_LOOP_DEPTH: usize = 5;
const MAX_LOOP_RESOURCES: usize = 10_000;

/// One pipeline or state machine resource of a template.
struct PipelineResource {
    /// Its resource type.
    type_name: &'static str,
    logical_id: String,
    /// Line of the resource in the file.
    line: u32,
    /// `PipelineName` (`StateMachineName`, `Name`) when it is a literal.
    name: Option<String>,
    /// The definition and how its lines map to the file.
    body: Option<(Body, LineMap)>,
    /// A state machine's `DefinitionSubstitutions`.
    substitutions: Option<Map<String, Value>>,
    /// The definition is kept elsewhere (`PipelineDefinitionS3Location`,
    /// `DefinitionS3Location`, `DefinitionUri`): the property's name.
    elsewhere: Option<&'static str>,
}

/// The properties a resource type keeps its definition in: name, body (an expression),
/// inline object, and where it points elsewhere.
struct Properties {
    name: &'static str,
    body: &'static str,
    object: Option<&'static str>,
    elsewhere: &'static str,
}

fn properties_of(type_name: &str) -> Properties {
    match type_name {
        STATE_MACHINE => Properties {
            name: "StateMachineName",
            body: "DefinitionString",
            object: Some("Definition"),
            elsewhere: "DefinitionS3Location",
        },
        SAM_STATE_MACHINE => Properties {
            name: "Name",
            body: "DefinitionString",
            object: Some("Definition"),
            elsewhere: "DefinitionUri",
        },
        _ => Properties {
            name: "PipelineName",
            body: "PipelineDefinitionBody",
            object: None,
            elsewhere: "PipelineDefinitionS3Location",
        },
    }
}

fn type_name_of(t: &str) -> &'static str {
    match t {
        STATE_MACHINE => STATE_MACHINE,
        SAM_STATE_MACHINE => SAM_STATE_MACHINE,
        _ => PIPELINE,
    }
}

impl PipelineResource {
    /// A pipeline resource read from its JSON value; its body points at `line`.
    fn from_value(logical_id: String, resource: &Value, line: u32) -> Self {
        let type_name = type_name_of(resource.get("Type").and_then(Value::as_str).unwrap_or(""));
        let props = properties_of(type_name);
        let properties = resource.get("Properties");
        // Pipelines nest their definition one level down.
        let definition = if type_name == PIPELINE {
            properties.and_then(|p| p.get("PipelineDefinition"))
        } else {
            properties
        };
        let object = props
            .object
            .and_then(|o| definition?.get(o))
            .map(|v| (Body::Text(v.to_string()), LineMap::Fixed(line)));
        PipelineResource {
            type_name,
            logical_id,
            line,
            // A literal, or a `Fn::Sub` left with no placeholder (a loop's `!Sub ${Team}-x`).
            name: properties
                .and_then(|p| p.get(props.name))
                .and_then(|n| n.as_str().or_else(|| n.get("Fn::Sub")?.as_str()))
                .filter(|n| !n.contains("${"))
                .map(str::to_owned),
            body: object.or_else(|| {
                definition
                    .and_then(|d| d.get(props.body))
                    .map(|b| (Body::Expr(b.clone()), LineMap::Fixed(line)))
            }),
            substitutions: properties
                .and_then(|p| p.get("DefinitionSubstitutions"))
                .and_then(Value::as_object)
                .filter(|_| type_name != PIPELINE)
                .cloned(),
            elsewhere: definition
                .is_some_and(|d| d.get(props.elsewhere).is_some())
                .then_some(props.elsewhere),
        }
    }
}

/// A JSON template (a document with `Resources`).
pub fn json_template(
    f: &Fields<'_>,
    text: &str,
    first_line: u32,
    file: &str,
) -> Result<Steps, DocumentError> {
    if let Some(key) = super::strict::duplicate_key(text) {
        return Err(given_twice(&key));
    }
    let Some(resources) = f.raw("Resources") else {
        return Ok(Steps::default());
    };
    let resources = Fields::parse(resources.get()).map_err(|e| {
        DocumentError::at(
            format!(
                "Resources is not an object of resources ({})",
                crate::document::describe_json_error(&e)
            ),
            resources.get(),
        )
    })?;
    let parameters: Value = f
        .raw("Parameters")
        .and_then(|p| serde_json::from_str(p.get()).ok())
        .unwrap_or(Value::Null);
    let mut found = Vec::new();
    let mut declared = Vec::new();
    let mut errors = Vec::new();
    for (logical_id, raw) in resources.entries() {
        let line = line_in(text, first_line, raw.get());
        if logical_id.starts_with("Fn::ForEach::") {
            let value: Value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
            for_each(
                logical_id,
                &value,
                &parameters,
                line,
                0,
                &mut found,
                &mut errors,
            );
            continue;
        }
        let Ok(resource) = Fields::parse(raw.get()) else {
            continue;
        };
        let Some(type_name) = resource.string("Type").ok().flatten() else {
            continue;
        };
        if let Some(kind) = crate::kinds::of_cloudformation_type(&type_name) {
            let (properties, at) = match resource.raw("Properties") {
                Some(p) => (p.get(), line_in(text, first_line, p.get())),
                None => ("{}", line),
            };
            match super::cloudformation_resources::resource(
                kind,
                logical_id,
                properties,
                at,
                &parameters,
                file,
            ) {
                Ok(r) => declared.push(r),
                Err(e) => errors.push((
                    format!("{type_name} {logical_id}: {}", e.message),
                    e.line
                        .map_or(line, |l| at.saturating_add(l.saturating_sub(1))),
                )),
            }
            continue;
        }
        if !reads_type(&type_name) {
            continue;
        }
        let type_name = type_name_of(&type_name);
        let props = properties_of(type_name);
        let properties = resource
            .raw("Properties")
            .and_then(|p| Fields::parse(p.get()).ok());
        let definition = if type_name == PIPELINE {
            properties
                .as_ref()
                .and_then(|p| p.raw("PipelineDefinition"))
                .and_then(|d| Fields::parse(d.get()).ok())
        } else {
            // A state machine keeps its definition among its properties.
            resource
                .raw("Properties")
                .and_then(|p| Fields::parse(p.get()).ok())
        };
        // An inline definition object keeps its own lines; an expression points at its line.
        let object = props
            .object
            .and_then(|o| definition.as_ref()?.raw(o))
            .filter(|o| o.get().trim_start().starts_with('{'))
            .map(|o| {
                (
                    Body::Text(o.get().to_owned()),
                    LineMap::Direct(line_in(text, first_line, o.get())),
                )
            });
        let body = object.or_else(|| {
            let b = definition.as_ref()?.raw(props.body)?;
            let value: Value = serde_json::from_str(b.get()).ok()?;
            Some((
                Body::Expr(value),
                LineMap::Fixed(line_in(text, first_line, b.get())),
            ))
        });
        found.push(PipelineResource {
            type_name,
            logical_id: logical_id.to_owned(),
            line,
            name: properties
                .as_ref()
                .and_then(|p| p.string(props.name).ok().flatten()),
            body,
            substitutions: properties
                .as_ref()
                .filter(|_| type_name != PIPELINE)
                .and_then(|p| p.raw("DefinitionSubstitutions"))
                .and_then(|v| serde_json::from_str::<Map<String, Value>>(v.get()).ok()),
            elsewhere: definition
                .as_ref()
                .is_some_and(|d| d.has(props.elsewhere))
                .then_some(props.elsewhere),
        });
    }
    let mut out = steps(found, &parameters, first_line, file);
    out.resources.extend(declared.into_iter().map(|mut r| {
        r.document_line = first_line;
        r
    }));
    out.errors.extend(errors.into_iter().map(|(message, line)| {
        let mut e = DocumentError::new(message);
        e.line = Some(line.saturating_sub(first_line).saturating_add(1));
        e
    }));
    Ok(out)
}

/// The error for a key given twice.
fn given_twice(key: &str) -> DocumentError {
    DocumentError::new(format!(
        "the key {key:?} is given twice in one object of this template, so it has no single \
         meaning (CloudFormation refuses such a template); remove one"
    ))
}

/// A YAML template; `None` when the YAML is no CloudFormation template (no `Resources`
/// mapping), so a directory's other YAML files are skipped, not errors.
pub fn yaml_template(text: &str, file: &str) -> Result<Option<Steps>, DocumentError> {
    match yaml::load(text) {
        Ok(Some(root)) => Ok(yaml_template_of(&root, text, file)),
        Ok(None) => Ok(None),
        Err((message, line)) => {
            let mut e = DocumentError::new(format!("not valid YAML: {message}"));
            e.line = Some(line.max(1));
            Err(e)
        }
    }
}

/// [`yaml_template`] on a YAML document already loaded from `text`.
pub fn yaml_template_of(root: &Node, text: &str, file: &str) -> Option<Steps> {
    let resources = root.get("Resources")?;
    let yaml::Value::Map(entries) = &resources.value else {
        return None;
    };
    let parameters = root
        .get("Parameters")
        .map(Node::to_json)
        .unwrap_or(Value::Null);
    // YAML reads a lone carriage return as a line break, editors and GitHub do not: a block's
    // lines would no longer follow the file's one for one.
    let lone_cr = yaml::has_lone_cr(text);
    let mut found = Vec::new();
    let mut declared = Vec::new();
    let mut errors = Vec::new();
    for (logical_id, node) in entries {
        if logical_id.starts_with("Fn::ForEach::") {
            let value = node.to_json();
            for_each(
                logical_id,
                &value,
                &parameters,
                node.line,
                0,
                &mut found,
                &mut errors,
            );
            continue;
        }
        if let Some(kind) = node
            .get("Type")
            .and_then(Node::text)
            .and_then(crate::kinds::of_cloudformation_type)
        {
            // The properties laid out on the file's lines, tags written out as functions.
            let (properties, at) = match node.get("Properties") {
                Some(p) if matches!(p.value, yaml::Value::Map(_)) => {
                    (p.to_template_json_on_lines(), 1)
                }
                _ => ("{}".to_owned(), node.line),
            };
            match super::cloudformation_resources::resource(
                kind,
                logical_id,
                &properties,
                at,
                &parameters,
                file,
            ) {
                Ok(r) => declared.push(r),
                Err(e) => errors.push((
                    format!(
                        "{} {logical_id}: {}",
                        kind.decl().cloudformation[0],
                        e.message
                    ),
                    e.line.unwrap_or(node.line),
                )),
            }
            continue;
        }
        let Some(type_name) = node
            .get("Type")
            .and_then(Node::text)
            .filter(|t| reads_type(t))
        else {
            continue;
        };
        let type_name = type_name_of(type_name);
        let props = properties_of(type_name);
        let properties = node.get("Properties");
        let definition = if type_name == PIPELINE {
            properties.and_then(|p| p.get("PipelineDefinition"))
        } else {
            properties
        };
        // An inline definition object is laid out on the file's lines.
        let object = props
            .object
            .and_then(|o| definition?.get(o))
            .filter(|o| matches!(o.value, yaml::Value::Map(_)))
            .map(|o| match o.to_json_on_lines() {
                Ok(json) => (Body::Text(json), LineMap::Direct(1)),
                // A tag inside: read it as CloudFormation would, on the property's line.
                Err(_) => (Body::Text(o.to_json().to_string()), LineMap::Fixed(o.line)),
            });
        let body = object.or_else(|| {
            let b = definition?.get(props.body)?;
            Some((Body::Expr(b.to_json()), yaml_lines(b, lone_cr)))
        });
        found.push(PipelineResource {
            type_name,
            logical_id: logical_id.clone(),
            line: node.line,
            name: properties
                .and_then(|p| p.get(props.name))
                .and_then(Node::text)
                .map(str::to_owned),
            body,
            substitutions: properties
                .filter(|_| type_name != PIPELINE)
                .and_then(|p| p.get("DefinitionSubstitutions"))
                .and_then(|d| d.to_json().as_object().cloned()),
            elsewhere: definition
                .is_some_and(|d| d.get(props.elsewhere).is_some())
                .then_some(props.elsewhere),
        });
    }
    let mut out = steps(found, &parameters, 1, file);
    out.resources.extend(declared);
    out.errors.extend(errors.into_iter().map(|(message, line)| {
        let mut e = DocumentError::new(message);
        e.line = Some(line.max(1));
        e
    }));
    Some(out)
}

/// Expands `Fn::ForEach::Name: [Identifier, Collection, {LogicalIdTemplate: Resource}]`
/// (`AWS::LanguageExtensions`) over a collection the template gives (a literal list, or a
/// `CommaDelimitedList` parameter's default), replacing `${Identifier}` and `&{Identifier}` in
/// logical ids and inside `Fn::Sub`, where CloudFormation replaces them.
/// A loop whose collection the template does not give, yet makes pipelines, is an error.
fn for_each(
    name: &str,
    value: &Value,
    parameters: &Value,
    line: u32,
    depth: usize,
    found: &mut Vec<PipelineResource>,
    errors: &mut Vec<(String, u32)>,
) {
    let fail = |errors: &mut Vec<(String, u32)>, why: &str| {
        errors.push((format!("{}: {why}", crate::text::one_line(name, 120)), line));
    };
    let (Some(Value::String(ident)), Some(collection), Some(Value::Object(fragment))) =
        (value.get(0), value.get(1), value.get(2))
    else {
        if makes_pipelines(value) {
            fail(
                errors,
                "Fn::ForEach takes an identifier, a collection and a fragment",
            );
        }
        return;
    };
    if depth >= MAX_LOOP_DEPTH {
        fail(errors, "Fn::ForEach loops nest too deep to expand");
        return;
    }
    let items: Option<Vec<String>> = match collection {
        Value::Array(items) => items.iter().map(|i| scalar(i).map(str::to_owned)).collect(),
        Value::Object(o) => match o.get("Ref").and_then(Value::as_str) {
            Some(p) => parameters
                .get(p)
                .and_then(|p| p.get("Default"))
                .and_then(Value::as_str)
                .map(|d| d.split(',').map(|s| s.trim().to_owned()).collect()),
            None => None,
        },
        _ => None,
    };
    let Some(items) = items else {
        if makes_pipelines(&Value::Object(fragment.clone())) {
            fail(
                errors,
                "the loop's collection is not given in the template (no literal list or \
                 parameter default), so the pipelines it makes cannot be listed; check the \
                 deployed pipelines with `scan --live --kinds pipeline`",
            );
        }
        return;
    };
    for item in &items {
        let alnum: String = item.chars().filter(char::is_ascii_alphanumeric).collect();
        let replace = |text: &str| {
            text.replace(&format!("${{{ident}}}"), item)
                .replace(&format!("&{{{ident}}}"), &alnum)
        };
        for (id_template, resource) in fragment {
            if found.len() >= MAX_LOOP_RESOURCES {
                fail(errors, "Fn::ForEach makes too many resources to expand");
                return;
            }
            let id = replace(id_template);
            let resource = substituted(resource, &replace, false);
            if id.starts_with("Fn::ForEach::") {
                for_each(&id, &resource, parameters, line, depth + 1, found, errors);
            } else if resource
                .get("Type")
                .and_then(Value::as_str)
                .is_some_and(reads_type)
            {
                found.push(PipelineResource::from_value(id, &resource, line));
            }
        }
    }
}

/// True when a template fragment declares a pipeline resource anywhere.
fn makes_pipelines(value: &Value) -> bool {
    match value {
        Value::String(s) => reads_type(s),
        Value::Array(items) => items.iter().any(makes_pipelines),
        Value::Object(o) => o.values().any(makes_pipelines),
        _ => false,
    }
}

/// A loop fragment's value for one item: as CloudFormation does, the identifier is replaced
/// in the strings of `Fn::Sub` (`in_sub`) and nowhere else; a plain string keeps `${Team}`.
fn substituted(value: &Value, replace: &dyn Fn(&str) -> String, in_sub: bool) -> Value {
    match value {
        Value::String(s) if in_sub => Value::String(replace(s)),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| substituted(v, replace, in_sub))
                .collect(),
        ),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), substituted(v, replace, in_sub || k == "Fn::Sub")))
                .collect(),
        ),
        other => other.clone(),
    }
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
fn steps(found: Vec<PipelineResource>, parameters: &Value, first_line: u32, file: &str) -> Steps {
    let mut out = Steps::default();
    for r in found {
        let type_name = r.type_name;
        let fail = |message: String| {
            let mut e = DocumentError::new(format!("{type_name} {}: {message}", r.logical_id));
            e.line = Some(r.line.saturating_sub(first_line).saturating_add(1));
            e
        };
        let name = r.name.clone().unwrap_or_else(|| r.logical_id.clone());
        let Some((body, lines)) = r.body else {
            out.errors.push(fail(match (r.elsewhere, r.type_name) {
                (Some(property), PIPELINE) => format!(
                    "the definition is kept in S3 ({property}), so the template cannot show \
                     it; check the deployed pipeline with `scan --live --kinds pipeline`"
                ),
                (Some(property), _) => format!(
                    "the definition is kept elsewhere ({property}), so the template cannot show \
                     it; scan that file"
                ),
                (None, PIPELINE) => {
                    "no PipelineDefinition.PipelineDefinitionBody to check".to_owned()
                }
                (None, _) => "no Definition or DefinitionString to check".to_owned(),
            }));
            continue;
        };
        let (mut text, mut variables) = match body {
            Body::Text(t) => (t, None),
            Body::Expr(value) => match body_text(&value) {
                Ok(b) => b,
                Err(m) => {
                    out.errors.push(fail(m));
                    continue;
                }
            },
        };
        // `DefinitionSubstitutions` fill `${…}` as a `Fn::Sub`'s variables would.
        if let Some(subs) = r.substitutions {
            match substitute(&Value::Array(vec![
                Value::String(text.clone()),
                Value::Object(subs),
            ])) {
                Ok((t, rest)) => {
                    text = t;
                    variables.get_or_insert_with(Map::new).extend(rest);
                }
                Err(m) => {
                    out.errors.push(fail(m));
                    continue;
                }
            }
        }
        let template = variables.map(|v| template_values(parameters, &v));
        let source = Source {
            text: &text,
            name,
            arn: None,
            status: None,
            creation_time: None,
            last_modified_time: None,
            lines,
            document_line: first_line,
            template: template.as_ref(),
        };
        let read = if r.type_name == PIPELINE {
            read(&source, file)
        } else {
            super::states::read(&source, file)
        };
        match read {
            Ok(s) => {
                out.resources.extend(s.resources);
                super::add_step_types(&mut out.other_steps, s.other_steps);
                out.errors.extend(s.errors.into_iter().map(|mut e| {
                    e.message = format!("{type_name} {}: {}", r.logical_id, e.message);
                    e
                }));
            }
            Err(mut e) => {
                if template.is_some() {
                    e.message.push_str(
                        " (after Fn::Sub or Fn::Join, with the values the template does not \
                         fix left as ${…})",
                    );
                }
                e.message = format!("{type_name} {}: {}", r.logical_id, e.message);
                out.errors.push(e);
            }
        }
    }
    out
}

/// The body's text and, when it was built with `Fn::Sub` or `Fn::Join`, the values of the
/// `${…}` placeholders left in it that the template gives as functions (`Fn::If`, `Ref`, …).
fn body_text(value: &Value) -> Result<(String, Option<Map<String, Value>>), String> {
    match value {
        Value::String(s) => Ok((s.clone(), None)),
        Value::Object(o) if o.len() == 1 => {
            let (function, argument) = o.iter().next().expect("one entry");
            match function.as_str() {
                "Fn::Sub" => substitute(argument).map(|(t, v)| (t, Some(v))),
                "Fn::Join" => join(argument).map(|(t, v)| (t, Some(v))),
                other => Err(format!(
                    "PipelineDefinitionBody is built with {other}, which the template alone \
                     cannot resolve; check the deployed pipeline with `scan --live --kinds pipeline`"
                )),
            }
        }
        _ => Err("PipelineDefinitionBody is neither a string, Fn::Sub nor Fn::Join".into()),
    }
}

/// `Fn::Sub`: a string, or `[string, {name: value}]`; literal values are substituted, the
/// others are returned to be resolved where a key needs them.
fn substitute(argument: &Value) -> Result<(String, Map<String, Value>), String> {
    let (template, variables) = match argument {
        Value::String(s) => (s.as_str(), None),
        Value::Array(a) => match (a.first(), a.get(1)) {
            (Some(Value::String(s)), Some(Value::Object(vars))) => (s.as_str(), Some(vars)),
            _ => return Err("Fn::Sub takes a string, or a string and a map of variables".into()),
        },
        _ => return Err("Fn::Sub takes a string, or a string and a map of variables".into()),
    };
    let mut text = template.to_owned();
    let mut rest = Map::new();
    for (name, value) in variables.into_iter().flatten() {
        match value {
            Value::String(v) => text = text.replace(&format!("${{{name}}}"), v),
            other => {
                rest.insert(name.clone(), other.clone());
            }
        }
    }
    Ok((text, rest))
}

/// `Fn::Join`: `[separator, [parts]]`; a part that is not a literal becomes a placeholder
/// `${Fn::Join.N}` whose value is returned to be resolved where a key needs it.
fn join(argument: &Value) -> Result<(String, Map<String, Value>), String> {
    let (Some(Value::String(separator)), Some(Value::Array(parts))) =
        (argument.get(0), argument.get(1))
    else {
        return Err("Fn::Join takes a separator and a list".into());
    };
    let mut variables = Map::new();
    let parts: Vec<String> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| match p {
            Value::String(s) => s.clone(),
            other => {
                let name = format!("Fn::Join.{i}");
                variables.insert(name.clone(), other.clone());
                format!("${{{name}}}")
            }
        })
        .collect();
    Ok((parts.join(separator), variables))
}

/// What the template gives its placeholders: every template parameter, and the body's
/// variables (which hide parameters of the same name).
pub(super) fn template_values(
    parameters: &Value,
    variables: &Map<String, Value>,
) -> TemplateValues {
    let mut values = TemplateValues::default();
    if let Value::Object(declared) = parameters {
        for name in declared.keys() {
            values.insert(name.clone(), parameter_choices(parameters, name));
        }
    }
    for (name, value) in variables {
        values.insert(name.clone(), choices(value, parameters, 0));
    }
    values
}

/// The values a template parameter can take: each of its `AllowedValues`, else its
/// `Default`; a parameter with neither is set at deployment (a hole).
fn parameter_choices(parameters: &Value, name: &str) -> Vec<Choice> {
    // A name from the template goes into messages: one line, bounded.
    let shown = crate::text::one_line(name, 100);
    let Some(declared) = parameters.get(name) else {
        return vec![hole(format!("${{{shown}}}"))];
    };
    if let Some(Value::Array(allowed)) = declared.get("AllowedValues") {
        let allowed: Vec<Choice> = allowed
            .iter()
            .filter_map(scalar)
            .map(|v| Choice {
                parts: vec![Part::Text(v.to_owned())],
                when: vec![format!(
                    "template parameter {shown} is {:?} (one of its AllowedValues)",
                    crate::text::one_line(v, 120)
                )],
            })
            .collect();
        if !allowed.is_empty() {
            return allowed;
        }
    }
    match declared.get("Default").and_then(scalar) {
        Some(default) => vec![Choice {
            parts: vec![Part::Text(default.to_owned())],
            when: vec![format!(
                "template parameter {shown} keeps its Default (a deployment can pass another)"
            )],
        }],
        None => vec![hole(format!(
            "template parameter {shown} (no Default: set at deployment)"
        ))],
    }
}

/// The values an intrinsic can take, as far as the template says.
fn choices(value: &Value, parameters: &Value, depth: usize) -> Vec<Choice> {
    if depth > 8 {
        return vec![hole(shown(value))];
    }
    if let Some(text) = scalar(value) {
        return vec![Choice {
            parts: vec![Part::Text(text.to_owned())],
            when: Vec::new(),
        }];
    }
    let Value::Object(o) = value else {
        return vec![hole(shown(value))];
    };
    let Some((function, argument)) = o.iter().next().filter(|_| o.len() == 1) else {
        return vec![hole(shown(value))];
    };
    match (function.as_str(), argument) {
        ("Ref", Value::String(name)) if parameters.get(name).is_some() => {
            parameter_choices(parameters, name)
        }
        ("Fn::If", Value::Array(a)) if a.len() == 3 => {
            let condition = a[0].as_str().unwrap_or("?");
            let mut out = Vec::new();
            for (branch, truth) in [(&a[1], "true"), (&a[2], "false")] {
                for mut c in choices(branch, parameters, depth + 1) {
                    c.when.insert(
                        0,
                        format!(
                            "condition {} is {truth}",
                            crate::text::one_line(condition, 80)
                        ),
                    );
                    out.push(c);
                }
            }
            out
        }
        ("Fn::Select", Value::Array(a)) if a.len() == 2 => {
            let Value::Array(list) = &a[1] else {
                return vec![hole(shown(value))];
            };
            let index = match &a[0] {
                Value::Number(n) => n.as_u64(),
                Value::String(s) => s.parse().ok(),
                _ => None,
            };
            match index.and_then(|i| list.get(usize::try_from(i).ok()?)) {
                Some(item) => choices(item, parameters, depth + 1),
                None => list
                    .iter()
                    .enumerate()
                    .flat_map(|(i, item)| {
                        choices(item, parameters, depth + 1)
                            .into_iter()
                            .map(move |mut c| {
                                c.when.insert(0, format!("Fn::Select picks element {i}"));
                                c
                            })
                    })
                    .take(64)
                    .collect(),
            }
        }
        _ => vec![hole(shown(value))],
    }
}

/// A placeholder value the template does not give.
fn hole(what: String) -> Choice {
    Choice {
        parts: vec![Part::Hole(what)],
        when: Vec::new(),
    }
}

/// A string value.
fn scalar(value: &Value) -> Option<&str> {
    match value {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// An intrinsic on one line, for messages.
fn shown(value: &Value) -> String {
    crate::text::one_line(&value.to_string(), 120)
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
            (
                "template-intrinsics-sub.yaml",
                include_str!("../../tests/fixtures/fuzz/template-intrinsics-sub.yaml"),
            ),
            (
                "template-intrinsics-loops.yaml",
                include_str!("../../tests/fixtures/fuzz/template-intrinsics-loops.yaml"),
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
        assert!(
            matches!(&r.slots[0].source, KeySource::Expression { shown, .. } if shown.contains("${KeyArn}"))
        );
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
    fn endpoint_configurations_in_json_templates_point_at_their_keys() {
        let text = r#"{"Resources": {
  "Config": {"Type": "AWS::SageMaker::EndpointConfig", "Properties": {
    "ProductionVariants": [{"VariantName": "a", "InstanceType": "ml.m5.large"}],
    "KmsKeyId": {"Fn::If": ["Prod",
      "alias/team",
      "alias/aws/sagemaker"]}}},
  "Bare": {"Type": "AWS::SageMaker::EndpointConfig"},
  "Broken": {"Type": "AWS::SageMaker::EndpointConfig", "Properties": "x"}
}}"#;
        let f = Fields::parse(text).unwrap();
        let steps = json_template(&f, text, 1, "t.json").unwrap();
        let names: Vec<&str> = steps.resources.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Bare", "Config"]);
        let config = &steps.resources[1];
        assert_eq!(config.kind, crate::resource::Kind::EndpointConfig);
        assert_eq!(config.origin, crate::resource::Origin::IacResource);
        // The function spans three lines; the key keeps the first.
        assert_eq!(config.slots[0].value_line, Some(4));
        assert!(
            matches!(&config.slots[0].source, KeySource::Readings(r) if r.len() == 2),
            "{:?}",
            config.slots[0].source
        );
        // No properties: the finding points at the resource.
        assert_eq!(steps.resources[0].slots[0].line(), 7);
        assert_eq!(steps.errors.len(), 1, "{:?}", steps.errors);
        assert_eq!(steps.errors[0].line, Some(8));
        assert!(steps.errors[0].message.contains("Broken"));
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
        let (text, variables) = body_text(&v).unwrap();
        let variables = variables.unwrap();
        assert!(text.contains("${Fn::Join.1}"), "{text}");
        assert_eq!(variables["Fn::Join.1"], serde_json::json!({"Ref": "Key"}));
        assert!(serde_json::from_str::<Value>(&text).is_ok());
        assert!(body_text(&serde_json::json!({"Fn::GetAtt": ["a", "b"]})).is_err());
    }

    /// The fuzz seeds for intrinsics say what they are meant to: every reading judged, loops
    /// and aliases expanded.
    #[test]
    fn intrinsic_seeds_are_read_whole() {
        let text = include_str!("../../tests/fixtures/fuzz/template-intrinsics-sub.yaml");
        let steps = yaml_template(text, "t.yaml").unwrap().unwrap();
        assert!(steps.errors.is_empty(), "{:?}", steps.errors);
        let sources: Vec<&KeySource> = steps
            .resources
            .iter()
            .flat_map(|r| r.slots.iter().map(|s| &s.source))
            .collect();
        assert_eq!(sources.len(), 4);
        assert!(matches!(sources[0], KeySource::Expression { .. }));
        for s in &sources[1..] {
            assert!(matches!(s, KeySource::Readings(r) if r.len() == 2), "{s:?}");
        }
        let text = include_str!("../../tests/fixtures/fuzz/template-intrinsics-loops.yaml");
        let steps = yaml_template(text, "t.yaml").unwrap().unwrap();
        assert!(steps.errors.is_empty(), "{:?}", steps.errors);
        let mut names: Vec<&str> = steps.resources.iter().map(|r| r.name.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["base/T", "blue-train/T", "copy/T", "red-train/T"]);
    }
}
