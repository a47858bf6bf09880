//! Terraform plans (`terraform show -json PLAN`) and states (`terraform show -json`): the
//! `aws_sagemaker_pipeline` resources of the planned values (a state's `values`), in the root
//! module and every child module, with their `pipeline_definition`; and the resources whose
//! values are a job's Create request ([`super::terraform_resources`]).

use serde::Deserialize;

use super::{LineMap, Source, Steps, line_in, read};
use crate::document::DocumentError;
use crate::kinds::{At, Fields};

/// The resource type this reads.
const PIPELINE: &str = "aws_sagemaker_pipeline";

/// Modules nest at most this deep.
const MAX_DEPTH: usize = 32;

#[derive(Deserialize)]
struct Planned<'a> {
    #[serde(borrow)]
    root_module: Option<Module<'a>>,
}

#[derive(Deserialize)]
struct Module<'a> {
    #[serde(borrow, default)]
    resources: Vec<At<'a, Resource<'a>>>,
    #[serde(borrow, default)]
    child_modules: Vec<Module<'a>>,
}

#[derive(Deserialize)]
struct Resource<'a> {
    address: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(borrow)]
    values: Option<&'a serde_json::value::RawValue>,
}

/// One entry of a plan's `resource_changes`: what is known only after apply.
#[derive(Deserialize)]
struct Change {
    address: Option<String>,
    change: Option<ChangeValues>,
}

#[derive(Deserialize)]
struct ChangeValues {
    after_unknown: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Values<'a> {
    pipeline_name: Option<String>,
    #[serde(borrow, default)]
    pipeline_definition: At<'a, Option<String>>,
    #[serde(default)]
    pipeline_definition_s3_location: Option<serde_json::Value>,
}

/// A plan's pipelines. A pipeline whose definition the plan does not know (computed at apply,
/// or kept in S3) is an error naming it.
pub fn plan(
    f: &Fields<'_>,
    text: &str,
    first_line: u32,
    file: &str,
) -> Result<Steps, DocumentError> {
    let mut out = Steps::default();
    // A plan holds `planned_values`; `terraform show -json` of a state holds the same shape
    // as `values`.
    let planned = match f.get::<Option<Planned<'_>>>("planned_values")? {
        Some(p) => p,
        None => match f.get::<Option<Planned<'_>>>("values")? {
            Some(v) => v,
            None => return Ok(out),
        },
    };
    // What each resource leaves unknown until apply, and what the configuration refers to,
    // by address (module calls prefixed, as plans write them): read once, and only when the
    // plan declares a job resource.
    let changes: std::cell::OnceCell<Vec<Change>> = std::cell::OnceCell::new();
    let changes = || {
        changes.get_or_init(|| {
            f.get::<Vec<Change>>("resource_changes")
                .ok()
                .flatten()
                .map(|c| c.value)
                .unwrap_or_default()
        })
    };
    let unknown_of = |address: &str| {
        changes()
            .iter()
            .find(|c| c.address.as_deref() == Some(address))
            .and_then(|c| c.change.as_ref())
            .and_then(|c| c.after_unknown.as_ref())
    };
    let configuration: std::cell::OnceCell<serde_json::Value> = std::cell::OnceCell::new();
    let expressions: std::cell::OnceCell<Vec<(String, &serde_json::Value)>> =
        std::cell::OnceCell::new();
    let expressions_of = |address: &str| {
        let expressions = expressions.get_or_init(|| {
            configured_expressions(configuration.get_or_init(|| {
                f.raw("configuration")
                    .and_then(|c| serde_json::from_str(c.get()).ok())
                    .unwrap_or_default()
            }))
        });
        // `aws_x.y[0]` and `aws_x.y["k"]` are instances of the configured `aws_x.y`.
        let configured = without_instance_keys(address);
        expressions
            .iter()
            .find(|(a, _)| *a == configured)
            .map(|(_, e)| *e)
    };
    let mut modules: Vec<(usize, &Module<'_>)> = planned
        .value
        .as_ref()
        .and_then(|p| p.root_module.as_ref())
        .map(|m| vec![(0, m)])
        .unwrap_or_default();
    while let Some((depth, module)) = modules.pop() {
        if depth < MAX_DEPTH {
            modules.extend(module.child_modules.iter().map(|m| (depth + 1, m)));
        } else if !module.child_modules.is_empty() {
            let mut e = DocumentError::new(format!(
                "modules nest more than {MAX_DEPTH} deep; the {} module(s) below were not read",
                module.child_modules.len()
            ));
            e.line = Some(1);
            out.errors.push(e);
        }
        for r in &module.resources {
            if let Some(kind) = r
                .value
                .kind
                .as_deref()
                .and_then(crate::kinds::of_terraform_type)
            {
                let address = r.value.address.clone().unwrap_or_default();
                let line = line_in(text, first_line, r.raw);
                let at = r.value.values.map_or(r.raw, |v| v.get());
                let values_line = line_in(text, first_line, at);
                let judged = r
                    .value
                    .values
                    .ok_or_else(|| DocumentError::new("the plan holds no values for it"))
                    .and_then(|v| {
                        serde_json::from_str::<serde_json::Value>(v.get())
                            .map_err(|e| DocumentError::new(e.to_string()))
                    })
                    .and_then(|values| {
                        let around = super::terraform_resources::Around {
                            unknown: unknown_of(&address),
                            expressions: expressions_of(&address),
                        };
                        super::terraform_resources::resource(
                            kind,
                            &address,
                            &values,
                            around,
                            values_line,
                            file,
                        )
                    });
                match judged {
                    Ok(mut resource) => {
                        resource.document_line = first_line;
                        out.resources.push(resource);
                    }
                    Err(mut e) => {
                        e.message =
                            format!("{}: {}", crate::text::one_line(&address, 200), e.message);
                        e.line = Some(line.saturating_sub(first_line).saturating_add(1));
                        out.errors.push(e);
                    }
                }
                continue;
            }
            if r.value.kind.as_deref() != Some(PIPELINE) {
                continue;
            }
            let address = r
                .value
                .address
                .clone()
                .unwrap_or_else(|| PIPELINE.to_owned());
            let line = line_in(text, first_line, r.raw);
            let fail = |message: &str| {
                let mut e = DocumentError::new(format!(
                    "{}: {message}",
                    crate::text::one_line(&address, 200)
                ));
                e.line = Some(line.saturating_sub(first_line).saturating_add(1));
                e
            };
            let Some(values) = r
                .value
                .values
                .and_then(|v| serde_json::from_str::<Values<'_>>(v.get()).ok())
            else {
                out.errors
                    .push(fail("the plan holds no values for this pipeline"));
                continue;
            };
            let Some(body) = &values.pipeline_definition.value else {
                let in_s3 = values
                    .pipeline_definition_s3_location
                    .as_ref()
                    .is_some_and(|v| v.as_array().is_some_and(|a| !a.is_empty()));
                out.errors.push(fail(if in_s3 {
                    "the definition is kept in S3 (pipeline_definition_s3_location), so the plan \
                     cannot show it; check the deployed pipeline with `scan --live --kinds pipeline`"
                } else {
                    "pipeline_definition is not known until apply, so the plan cannot show it; \
                     check the deployed pipeline with `scan --live --kinds pipeline`"
                }));
                continue;
            };
            let at = values.pipeline_definition.raw;
            let source = Source {
                text: body,
                name: values
                    .pipeline_name
                    .clone()
                    .unwrap_or_else(|| address.clone()),
                arn: None,
                status: None,
                creation_time: None,
                last_modified_time: None,
                lines: LineMap::Fixed(line_in(text, first_line, at)),
                document_line: first_line,
                template: None,
            };
            match read(&source, file) {
                Ok(s) => {
                    out.resources.extend(s.resources);
                    super::add_step_types(&mut out.other_steps, s.other_steps);
                    out.errors.extend(s.errors.into_iter().map(|mut e| {
                        e.message =
                            format!("{}: {}", crate::text::one_line(&address, 200), e.message);
                        e
                    }));
                }
                Err(mut e) => {
                    e.message = format!("{}: {}", crate::text::one_line(&address, 200), e.message);
                    out.errors.push(e);
                }
            }
        }
    }
    // Modules were taken from a stack; report in the plan's own order.
    out.resources
        .sort_by_key(|r| r.slots.first().map(|s| s.line()));
    Ok(out)
}

/// Every configured resource's `expressions`, by the address plans give it (`module.NAME.`
/// before those of module calls), within the module depth bound.
fn configured_expressions(configuration: &serde_json::Value) -> Vec<(String, &serde_json::Value)> {
    let mut out = Vec::new();
    let mut modules = vec![(String::new(), configuration.get("root_module"), 0)];
    while let Some((prefix, module, depth)) = modules.pop() {
        let Some(module) = module else { continue };
        for r in module
            .get("resources")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
        {
            if let (Some(address), Some(e)) = (
                r.get("address").and_then(serde_json::Value::as_str),
                r.get("expressions"),
            ) {
                out.push((format!("{prefix}{address}"), e));
            }
        }
        if depth >= MAX_DEPTH {
            continue;
        }
        if let Some(calls) = module
            .get("module_calls")
            .and_then(serde_json::Value::as_object)
        {
            for (name, call) in calls {
                modules.push((
                    format!("{prefix}module.{name}."),
                    call.get("module"),
                    depth + 1,
                ));
            }
        }
    }
    out
}

/// An address without the instance keys of `count` and `for_each` (`[0]`, `["a"]`).
fn without_instance_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0usize;
    let mut quoted = false;
    for c in address.chars() {
        match c {
            '"' if depth > 0 => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_keys_and_module_calls_are_matched() {
        assert_eq!(
            without_instance_keys(r#"module.ml["a]b"].aws_x.y[0]"#),
            "module.ml.aws_x.y"
        );
        let configuration = serde_json::json!({"root_module": {
            "resources": [{"address": "aws_x.top", "expressions": {"a": 1}}],
            "module_calls": {"ml": {"module": {"resources": [
                {"address": "aws_x.inner", "expressions": {"b": 2}}]}}}}});
        let found: Vec<String> = configured_expressions(&configuration)
            .into_iter()
            .map(|(a, _)| a)
            .collect();
        assert_eq!(found, ["aws_x.top", "module.ml.aws_x.inner"]);
    }

    #[test]
    fn pipelines_of_every_module_are_read_and_unknown_definitions_named() {
        let definition = r#"{"Version":"2020-12-01","Steps":[{"Name":"Train","Type":"Training","Arguments":{"ResourceConfig":{"InstanceType":"ml.m5.xlarge","VolumeKmsKeyId":"alias/v"},"OutputDataConfig":{"S3OutputPath":"s3://b/"}}}]}"#;
        let plan = serde_json::json!({
            "format_version": "1.2",
            "terraform_version": "1.9.5",
            "planned_values": {"root_module": {
                "resources": [
                    {"address": "aws_sagemaker_pipeline.churn", "type": PIPELINE,
                     "values": {"pipeline_name": "churn", "pipeline_definition": definition,
                                "pipeline_definition_s3_location": []}},
                    {"address": "aws_s3_bucket.b", "type": "aws_s3_bucket", "values": {}}
                ],
                "child_modules": [{"address": "module.ml", "resources": [
                    {"address": "module.ml.aws_sagemaker_pipeline.later", "type": PIPELINE,
                     "values": {"pipeline_name": "later"}},
                    {"address": "module.ml.aws_sagemaker_pipeline.remote", "type": PIPELINE,
                     "values": {"pipeline_name": "remote",
                                "pipeline_definition_s3_location": [{"bucket": "b", "object_key": "k"}]}}
                ]}]
            }}
        });
        let text = serde_json::to_string_pretty(&plan).unwrap();
        let f = Fields::parse(&text).unwrap();
        let steps = super::plan(&f, &text, 1, "plan.json").unwrap();
        assert_eq!(steps.resources.len(), 1);
        let r = &steps.resources[0];
        assert_eq!(r.name, "churn/Train");
        let line = text
            .lines()
            .position(|l| l.contains("\"pipeline_definition\": \""))
            .unwrap() as u32
            + 1;
        assert!(r.slots.iter().all(|s| s.line() == line));
        let messages: Vec<&str> = steps.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages
                .iter()
                .any(|m| m.contains("later") && m.contains("until apply"))
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("remote") && m.contains("kept in S3"))
        );
    }
}

#[cfg(test)]
mod state_and_depth {
    use super::*;

    const DEFINITION: &str = r#"{"Steps":[{"Name":"Train","Type":"Training","Arguments":{"ResourceConfig":{"InstanceType":"ml.m5.xlarge"},"OutputDataConfig":{"S3OutputPath":"s3://b/"}}}]}"#;

    fn pipeline(name: &str) -> serde_json::Value {
        serde_json::json!({"address": format!("aws_sagemaker_pipeline.{name}"), "type": PIPELINE,
            "values": {"pipeline_name": name, "pipeline_definition": DEFINITION}})
    }

    /// `terraform show -json` of a state puts the resources under `values`, not
    /// `planned_values`: they were dropped without a word before.
    #[test]
    fn a_state_is_read_like_a_plan() {
        let state = serde_json::json!({"format_version": "1.0", "terraform_version": "1.9.5",
            "values": {"root_module": {"resources": [pipeline("churn")]}}});
        let text = state.to_string();
        let f = Fields::parse(&text).unwrap();
        let steps = plan(&f, &text, 1, "state.json").unwrap();
        assert_eq!(steps.resources.len(), 1);
        assert_eq!(steps.resources[0].name, "churn/Train");
    }

    /// Modules deeper than the bound are an error, not a silent omission.
    #[test]
    fn modules_past_the_depth_bound_are_an_error() {
        let mut module = serde_json::json!({"resources": [pipeline("deep")]});
        for _ in 0..=MAX_DEPTH {
            module = serde_json::json!({"resources": [], "child_modules": [module]});
        }
        let doc = serde_json::json!({"terraform_version": "1.9.5",
            "planned_values": {"root_module": module}});
        let text = doc.to_string();
        let f = Fields::parse(&text).unwrap();
        let steps = plan(&f, &text, 1, "plan.json").unwrap();
        assert!(steps.resources.is_empty());
        assert_eq!(steps.errors.len(), 1, "{:?}", steps.errors);
        assert!(steps.errors[0].message.contains("nest more than 32"));
    }
}
