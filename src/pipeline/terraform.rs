//! Terraform plans (`terraform show -json PLAN`): the `aws_sagemaker_pipeline` resources of
//! the planned values, in the root module and every child module, with their
//! `pipeline_definition`.

use serde::Deserialize;

use super::{LineMap, Source, Steps, line_in, read};
use crate::ingest::document::DocumentError;
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
    values: Option<Values<'a>>,
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
    let Some(planned) = f.get::<Option<Planned<'_>>>("planned_values")? else {
        return Ok(out);
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
        }
        for r in &module.resources {
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
            let Some(values) = &r.value.values else {
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
                placeholders: false,
            };
            match read(&source, file) {
                Ok(s) => {
                    out.resources.extend(s.resources);
                    out.other_steps += s.other_steps;
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

#[cfg(test)]
mod tests {
    use super::*;

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
