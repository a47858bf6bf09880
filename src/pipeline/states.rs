//! AWS Step Functions state machines (Amazon States Language), judged before they run.
//!
//! A `Task` state whose `Resource` is a SageMaker Create call — the optimised integration
//! `arn:PARTITION:states:::sagemaker:createTrainingJob` (with `.sync` or `.waitForTaskToken`)
//! or the AWS SDK integration `arn:PARTITION:states:::aws-sdk:sagemaker:createTrainingJob` —
//! sends its `Parameters` (JSONPath states) or `Arguments` (JSONata states) as the request. Each
//! such state, also inside `Parallel` branches and `Map` item processors at any depth up to 32,
//! is one resource of the kind the call creates ([`crate::kinds::of_create_call`]) with the
//! origin [`Origin::StateMachineTask`], named `MACHINE/STATE` (`MACHINE/PARENT/STATE` when
//! nested), judged by the kind's checks. A value the state takes from its input
//! (`"KmsKeyId.$": "$.key"`, an intrinsic function) or a JSONata expression (`"{% … %}"`) is
//! known only when the state runs: it is shown, not guessed. Other states are counted by type.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{LineMap, Source, Steps, count_step_type, line_in};
use crate::document::DocumentError;
use crate::expr::{JSONATA, JSONPATH, Parameters};
use crate::kinds::{Draft, Fields, Head, Scope, distinct_types};
use crate::resource::{Kind, Origin, Resource};

/// States nest (Parallel branches, Map item processors) at most this deep.
const MAX_DEPTH: usize = 32;

/// True when a JSON object's top-level fields look like a state machine.
pub fn is_state_machine(f: &Fields<'_>) -> bool {
    f.has("StartAt")
        && f.raw("States")
            .is_some_and(|s| s.get().trim_start().starts_with('{'))
}

#[derive(Deserialize)]
struct Machine<'a> {
    #[serde(rename = "States", borrow)]
    states: Option<&'a RawValue>,
    #[serde(rename = "QueryLanguage")]
    query_language: Option<String>,
}

#[derive(Deserialize)]
struct State<'a> {
    #[serde(rename = "Type")]
    kind: Option<String>,
    #[serde(rename = "Resource")]
    resource: Option<serde_json::Value>,
    #[serde(rename = "Parameters", borrow)]
    parameters: Option<&'a RawValue>,
    #[serde(rename = "Arguments", borrow)]
    arguments: Option<&'a RawValue>,
    #[serde(rename = "QueryLanguage")]
    query_language: Option<String>,
    #[serde(rename = "Branches", borrow, default)]
    branches: Vec<&'a RawValue>,
    #[serde(rename = "ItemProcessor", borrow)]
    item_processor: Option<&'a RawValue>,
    #[serde(rename = "Iterator", borrow)]
    iterator: Option<&'a RawValue>,
}

/// What a Task state's `Resource` calls: `(service, operation)` of a Step Functions service
/// integration (`sagemaker`, `createTrainingJob`), or `None` for anything else (a Lambda ARN,
/// an activity).
pub fn integration(resource: &str) -> Option<(&str, &str)> {
    let (_, call) = resource.split_once(":states:::")?;
    let call = call.strip_prefix("aws-sdk:").unwrap_or(call);
    let (service, operation) = call.split_once(':')?;
    // `.sync`, `.sync:2`, `.waitForTaskToken`.
    let operation = operation.split('.').next().unwrap_or(operation);
    Some((service, operation))
}

/// Reads a state machine's definition into one resource per Task state that creates a
/// resource of a kind the checks read.
pub fn read(source: &Source<'_>, file: &str) -> Result<Steps, DocumentError> {
    let machine: Machine<'_> = super::parse_strict(source, "state machine")?;
    let mut out = Steps::default();
    let jsonata = machine.query_language.as_deref() == Some("JSONata");
    let Some(states) = machine.states else {
        return Err(super::at_document_line(
            DocumentError::new("state machine: no States"),
            source,
        ));
    };
    Walk {
        source,
        file,
        out: &mut out,
        empty: Parameters::default(),
    }
    .states(states, 0, "", jsonata);
    Ok(out)
}

struct Walk<'s, 'a> {
    source: &'s Source<'a>,
    file: &'s str,
    out: &'s mut Steps,
    empty: Parameters,
}

impl<'a> Walk<'_, 'a> {
    fn fail(&mut self, message: String, at: &str) {
        let e = DocumentError::at(message, at);
        self.out
            .errors
            .push(super::at_document_line(e, self.source));
    }

    fn states(&mut self, states: &'a RawValue, depth: usize, prefix: &str, jsonata: bool) {
        let fields = match Fields::parse(states.get()) {
            Ok(f) => f,
            Err(e) => {
                self.fail(
                    format!(
                        "state machine: States is not an object of states ({})",
                        crate::document::describe_json_error(&e)
                    ),
                    states.get(),
                );
                return;
            }
        };
        for (name, raw) in fields.entries() {
            let shown = crate::text::one_line(name, 100);
            let state: State<'a> = match serde_json::from_str(raw.get()) {
                Ok(s) => s,
                Err(e) => {
                    self.fail(
                        format!(
                            "state {shown:?} is not a state object ({})",
                            crate::text::one_line(&e.to_string(), 120)
                        ),
                        raw.get(),
                    );
                    continue;
                }
            };
            let jsonata = match state.query_language.as_deref() {
                Some(q) => q == "JSONata",
                None => jsonata,
            };
            let kind = state.kind.as_deref().unwrap_or("(no Type)");
            let nested: Vec<&'a RawValue> = match kind {
                "Parallel" => state.branches.clone(),
                "Map" => state
                    .item_processor
                    .or(state.iterator)
                    .into_iter()
                    .collect(),
                _ => Vec::new(),
            };
            if !nested.is_empty() {
                count_step_type(&mut self.out.other_steps, kind, 1);
                if depth >= MAX_DEPTH {
                    self.fail(
                        format!("state {shown:?} nests states more than {MAX_DEPTH} deep"),
                        raw.get(),
                    );
                    continue;
                }
                for branch in nested {
                    match serde_json::from_str::<Machine<'a>>(branch.get()) {
                        Ok(Machine {
                            states: Some(states),
                            query_language,
                        }) => {
                            let jsonata = match query_language.as_deref() {
                                Some(q) => q == "JSONata",
                                None => jsonata,
                            };
                            let prefix = format!("{prefix}{name}/");
                            self.states(states, depth + 1, &prefix, jsonata);
                        }
                        _ => self.fail(
                            format!("{kind} state {shown:?}: a branch without States"),
                            branch.get(),
                        ),
                    }
                }
                continue;
            }
            if kind != "Task" {
                count_step_type(&mut self.out.other_steps, kind, 1);
                continue;
            }
            let call = state
                .resource
                .as_ref()
                .and_then(serde_json::Value::as_str)
                .and_then(integration);
            let judged = call
                .filter(|(service, _)| *service == "sagemaker")
                .and_then(|(_, op)| crate::kinds::of_create_call(op).map(|k| (op, k)));
            let Some((operation, kind)) = judged else {
                let what = match call {
                    Some((service, op)) => format!("Task {service}:{op}"),
                    None => "Task".to_owned(),
                };
                count_step_type(&mut self.out.other_steps, &what, 1);
                continue;
            };
            let (field, request) = if jsonata {
                ("Arguments", state.arguments)
            } else {
                ("Parameters", state.parameters)
            };
            let Some(request) = request else {
                self.fail(
                    format!(
                        "Task state {shown:?} calls sagemaker:{operation} with no {field}, so \
                         the request it sends cannot be judged"
                    ),
                    raw.get(),
                );
                continue;
            };
            match self.task(&format!("{prefix}{name}"), kind, field, request, jsonata) {
                Ok(r) => self.out.resources.push(r),
                Err(mut e) => {
                    e.message = format!(
                        "Task state {shown:?} (sagemaker:{operation}): {}",
                        e.message
                    );
                    self.out.errors.push(e);
                }
            }
        }
    }

    /// The resource of one Task state: its request, read as the kind's Create request.
    fn task(
        &self,
        state: &str,
        kind: Kind,
        field: &str,
        request: &'a RawValue,
        jsonata: bool,
    ) -> Result<Resource, DocumentError> {
        let source = self.source;
        // The request's first line in the definition; the rewritten text keeps its lines.
        let first = line_in(source.text, 1, request.get());
        let text = rewrite(request.get(), jsonata);
        let to_definition = |mut e: DocumentError, text: &str| {
            e = e.locate(text);
            e.at = None;
            e.line = Some(e.line.map_or(first, |l| l.saturating_add(first - 1)));
            super::at_document_line(e, source)
        };
        if !text.trim_start().starts_with('{') {
            return Err(to_definition(
                DocumentError::new(format!("{field} is not an object")),
                &text,
            ));
        }
        let fields = Fields::parse(&text).map_err(|e| {
            to_definition(
                DocumentError::new(format!(
                    "{field}: {}",
                    crate::document::describe_json_error(&e)
                )),
                &text,
            )
        })?;
        let scope = Scope::Pipeline {
            parameters: &self.empty,
            template: source.template,
        };
        let mut slots = (kind.decl().slots)(&fields, scope).map_err(|e| to_definition(e, &text))?;
        for d in &mut slots {
            d.slot.field = Cow::Owned(format!("{field}.{}", d.slot.field));
            d.parent_at.get_or_insert(&text);
        }
        let name = format!("{}/{state}", source.name);
        let (arn, account_id, region, partition) = match &source.arn {
            Some((arn, parts)) => (
                format!("{arn}/{state}"),
                parts.account_id.clone(),
                parts.region.clone(),
                parts.partition.clone(),
            ),
            None => (
                format!("{}#{}/{name}", self.file, crate::resource::STATE_MACHINE),
                String::new(),
                String::new(),
                String::new(),
            ),
        };
        let draft = Draft {
            resource: Head {
                kind,
                origin: Origin::StateMachineTask,
                name,
                arn,
                account_id,
                region,
                partition,
                status: None,
                creation_time: None,
                last_modified_time: None,
                instance_types: distinct_types(&slots),
            },
            slots,
        };
        let mut resource = draft.finish(&text, first, self.file);
        for slot in &mut resource.slots {
            slot.value_line = slot.value_line.map(|l| source.lines.file_line(l));
            slot.parent_line = source.lines.file_line(slot.parent_line);
        }
        resource.document_line = source.document_line;
        Ok(resource)
    }
}

/// The request with what is known only at run time made an expression the kinds' parsers
/// read: a `"Field.$": "PATH"` pair becomes `"Field": {"States.JsonPath": "PATH"}` (JSONPath
/// states), a `"{% … %}"` string `{"States.JSONata": "{% … %}"}` (JSONata states). Nothing
/// else changes and no line break is added, so every line stays where it was.
pub fn rewrite(text: &str, jsonata: bool) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    if !(text.contains(".$\"") || (jsonata && text.contains("{%"))) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut copied = 0;
    // Open containers: `true` for an object whose next string is a key.
    let mut stack: Vec<(u8, bool)> = Vec::new();
    let mut path_value = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let end = string_end(bytes, i);
                let token = &text[i..end];
                let decoded: Option<String> = serde_json::from_str(token).ok();
                let replacement = match stack.last_mut() {
                    Some((b'{', expect_key @ true)) => {
                        *expect_key = false;
                        match decoded.as_deref().and_then(|k| k.strip_suffix(".$")) {
                            Some(key) if !jsonata => {
                                path_value = true;
                                Some(serde_json::Value::String(key.to_owned()).to_string())
                            }
                            _ => None,
                        }
                    }
                    _ => {
                        let wrap = if std::mem::take(&mut path_value) {
                            Some(JSONPATH)
                        } else if jsonata
                            && decoded.as_deref().is_some_and(|v| {
                                let v = v.trim();
                                v.starts_with("{%") && v.ends_with("%}")
                            })
                        {
                            Some(JSONATA)
                        } else {
                            None
                        };
                        wrap.map(|w| format!("{{\"{w}\":{token}}}"))
                    }
                };
                if let Some(r) = replacement {
                    out.push_str(&text[copied..i]);
                    out.push_str(&r);
                    copied = end;
                }
                i = end;
                continue;
            }
            b'{' => {
                stack.push((b'{', true));
                path_value = false;
            }
            b'[' => {
                stack.push((b'[', false));
                path_value = false;
            }
            b'}' | b']' => {
                stack.pop();
            }
            b',' => {
                path_value = false;
                if let Some((b'{', expect_key)) = stack.last_mut() {
                    *expect_key = true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The index just past the JSON string starting at `start` (the text's end when it is not
/// closed).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// A state machine definition file (ASL JSON, or YAML rendered on its lines): named after the
/// file.
pub fn definition_file(text: &str, first_line: u32, file: &str) -> Result<Steps, DocumentError> {
    read(
        &Source {
            text,
            name: super::name_of_file(file),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::{KeySource, Role};

    const MACHINE: &str = r#"{
  "Comment": "Retrain nightly",
  "StartAt": "Prepare",
  "States": {
    "Prepare": {
      "Type": "Task",
      "Resource": "arn:aws:states:::sagemaker:createProcessingJob.sync",
      "Parameters": {
        "ProcessingJobName.$": "$.name",
        "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge",
          "VolumeSizeInGB": 30, "VolumeKmsKeyId": "alias/ml"}},
        "ProcessingOutputConfig": {"KmsKeyId.$": "$.keys.output",
          "Outputs": [{"OutputName": "o", "S3Output": {"S3Uri": "s3://b/o", "LocalPath": "/o", "S3UploadMode": "EndOfJob"}}]}
      },
      "Next": "Fan"
    },
    "Fan": {
      "Type": "Map",
      "ItemProcessor": {
        "StartAt": "Train",
        "States": {
          "Train": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:sagemaker:createTrainingJob",
            "QueryLanguage": "JSONata",
            "Arguments": {
              "TrainingJobName": "{% $states.input.name %}",
              "ResourceConfig": {"InstanceType": "ml.c5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10},
              "OutputDataConfig": {"S3OutputPath": "s3://b/m", "KmsKeyId": "{% $states.input.key %}"}
            },
            "End": true
          }
        }
      },
      "Next": "Notify"
    },
    "Notify": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "Parameters": {}, "Next": "Done"},
    "Done": {"Type": "Succeed"}
  }
}"#;

    #[test]
    fn sagemaker_tasks_are_judged_at_any_depth_and_the_rest_counted() {
        let steps = definition_file(MACHINE, 1, "retrain.asl.json").unwrap();
        assert!(steps.errors.is_empty(), "{:?}", steps.errors);
        let mut names: Vec<(&str, Kind, Origin)> = steps
            .resources
            .iter()
            .map(|r| (r.name.as_str(), r.kind, r.origin))
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                (
                    "retrain.asl/Fan/Train",
                    Kind::Training,
                    Origin::StateMachineTask
                ),
                (
                    "retrain.asl/Prepare",
                    Kind::Processing,
                    Origin::StateMachineTask
                ),
            ]
        );
        let by_name = |n: &str| {
            steps
                .resources
                .iter()
                .find(|r| r.name.ends_with(n))
                .unwrap()
        };
        let prepare = by_name("/Prepare");
        let volume = prepare
            .slots
            .iter()
            .find(|s| s.role == Role::Volume)
            .unwrap();
        assert_eq!(
            (
                volume.field.as_ref(),
                volume.value.as_deref(),
                volume.value_line
            ),
            (
                "Parameters.ProcessingResources.ClusterConfig.VolumeKmsKeyId",
                Some("alias/ml"),
                Some(11)
            )
        );
        let output = prepare
            .slots
            .iter()
            .find(|s| s.role == Role::Output)
            .unwrap();
        assert_eq!(
            output.value_line,
            Some(12),
            "the JSONPath stays on its line"
        );
        let KeySource::Expression { shown, .. } = &output.source else {
            panic!("{:?}", output.source)
        };
        assert!(shown.contains("$.keys.output"), "{shown}");
        let train = by_name("/Train");
        let out = train.slots.iter().find(|s| s.role == Role::Output).unwrap();
        assert_eq!(out.field, "Arguments.OutputDataConfig.KmsKeyId");
        assert!(
            matches!(&out.source, KeySource::Expression { shown, .. } if shown.contains("$states.input.key"))
        );
        let vol = train.slots.iter().find(|s| s.role == Role::Volume).unwrap();
        assert_eq!((vol.value.as_deref(), vol.parent_line), (None, 28));
        let other: Vec<(&str, usize)> = steps
            .other_steps
            .iter()
            .map(|(k, n)| (k.as_str(), *n))
            .collect();
        assert_eq!(other, [("Map", 1), ("Succeed", 1), ("Task sns:publish", 1)]);
    }

    #[test]
    fn the_rewrite_keeps_lines_and_touches_only_paths() {
        let text = "{\"A.$\": \"$.a\",\n \"B\": \"{% x %}\", \"C\": [\"$.c\"], \"D.$\" :\n \"States.Format('{}', $.d)\"}";
        let json = rewrite(text, false);
        assert_eq!(json.lines().count(), text.lines().count());
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["A"], serde_json::json!({"States.JsonPath": "$.a"}));
        assert_eq!(v["B"], "{% x %}", "JSONPath states take {{% %}} literally");
        assert_eq!(v["C"], serde_json::json!(["$.c"]));
        assert_eq!(v["D"]["States.JsonPath"], "States.Format('{}', $.d)");
        let v: serde_json::Value = serde_json::from_str(&rewrite(text, true)).unwrap();
        assert_eq!(v["B"], serde_json::json!({"States.JSONata": "{% x %}"}));
        assert!(v.get("A.$").is_some(), "JSONata states have no .$ fields");
        assert!(matches!(rewrite("{\"a\": 1}", false), Cow::Borrowed(_)));
        // Hostile text stays text: an unterminated string or stray bytes do not panic.
        for t in [
            "{\"a.$\": \"",
            "{\"é.$\":\"x\"}",
            "\"",
            "{\"a.$\": 5, \"b\": \"$.x\"}",
        ] {
            let _ = rewrite(t, false);
        }
        let v: serde_json::Value =
            serde_json::from_str(&rewrite("{\"a.$\": 5, \"b\": \"$.x\"}", false)).unwrap();
        assert_eq!(v["b"], "$.x", "only the value of a .$ key is a path");
    }

    #[test]
    fn integrations_are_read_from_the_resource() {
        assert_eq!(
            integration("arn:aws:states:::sagemaker:createTrainingJob.sync"),
            Some(("sagemaker", "createTrainingJob"))
        );
        assert_eq!(
            integration("arn:${AWS::Partition}:states:::aws-sdk:sagemaker:createAutoMLJobV2"),
            Some(("sagemaker", "createAutoMLJobV2"))
        );
        assert_eq!(integration("arn:aws:lambda:us-east-1:1:function:f"), None);
        assert_eq!(
            crate::kinds::of_create_call("createHyperParameterTuningJob"),
            Some(Kind::Tuning)
        );
        assert_eq!(
            crate::kinds::of_create_call("createEndpointConfig"),
            Some(Kind::EndpointConfig)
        );
        assert_eq!(crate::kinds::of_create_call("CreateEndpoint"), None);
        assert_eq!(crate::kinds::of_create_call("é"), None);
    }

    #[test]
    fn a_task_without_its_request_or_with_a_broken_one_is_an_error_and_the_rest_is_judged() {
        let text = r#"{"StartAt": "A", "States": {
  "A": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTransformJob"},
  "B": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTrainingJob",
        "Parameters": ["ResourceConfig"]},
  "C": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createCompilationJob",
        "Parameters": {"OutputConfig": {"S3OutputLocation": "s3://b/c"}}}
}}"#;
        let steps = definition_file(text, 1, "m.json").unwrap();
        assert_eq!(steps.resources.len(), 1);
        assert_eq!(steps.errors.len(), 2, "{:?}", steps.errors);
        let mut errors: Vec<(Option<u32>, &str)> = steps
            .errors
            .iter()
            .map(|e| (e.line, e.message.as_str()))
            .collect();
        errors.sort();
        assert_eq!(errors[0].0, Some(2));
        assert!(errors[0].1.contains("no Parameters"), "{errors:?}");
        assert_eq!(errors[1].0, Some(4));
        assert!(
            errors[1].1.contains("Parameters is not an object"),
            "{errors:?}"
        );
        let deep = format!(
            "{{\"StartAt\":\"P\",\"States\":{}}}",
            (0..40).fold("{\"T\":{\"Type\":\"Succeed\"}}".to_owned(), |inner, i| format!(
                "{{\"P{i}\":{{\"Type\":\"Parallel\",\"Branches\":[{{\"StartAt\":\"x\",\"States\":{inner}}}]}}}}"
            ))
        );
        let steps = definition_file(&deep, 1, "deep.json").unwrap();
        assert_eq!(steps.errors.len(), 1, "{:?}", steps.errors);
        assert!(steps.errors[0].message.contains("more than 32 deep"));
    }
}
