//! Resources a Terraform plan declares whose values are a SageMaker Create request
//! (`aws_sagemaker_training_job`, `aws_sagemaker_hyper_parameter_tuning_job`: each kind names
//! its types), judged before they exist with the origin [`Origin::IacResource`].
//!
//! The provider writes the request in snake_case with every nested block as a list
//! (`resource_config = [{volume_kms_key_id = …}]`); it is turned into the API's shape
//! (`ResourceConfig.VolumeKmsKeyId`) and read by the kind's own parser. A value known only
//! after apply (`kms_key_id = aws_kms_key.models.arn` on a key not yet created) is absent from
//! the planned values and marked in the plan's `resource_changes[].change.after_unknown`: it
//! becomes an expression known only after apply, never a missing key.

use serde_json::{Map, Value};

use super::LineMap;
use crate::document::DocumentError;
use crate::expr::{AFTER_APPLY, Parameters};
use crate::kinds::{Draft, Fields, Head, Scope, distinct_types};
use crate::resource::{Kind, Origin, Resource};

/// Block lists that are lists in the API too; every other list of one object is a single
/// nested block (`resource_config`, `output_data_config`, …) and becomes that object.
const LISTS: &[&str] = &[
    "instance_groups",
    "instance_configs",
    "instance_preferences",
    "training_job_definitions",
    "input_data_config",
    "debug_rule_configurations",
    "profiler_rule_configurations",
    "production_variants",
    "shadow_production_variants",
    "instance_pools",
    "monitoring_outputs",
];

/// Top-level attributes the provider names differently from the API, per kind:
/// `aws_sagemaker_endpoint_configuration` calls the request's `KmsKeyId` `kms_key_arn`
/// (Terraform AWS provider documentation of the resource).
const RENAMED: &[(Kind, &str, &str)] = &[(Kind::EndpointConfig, "kms_key_arn", "KmsKeyId")];

/// The provider's name of an API field path of a kind's resource.
fn provider_path_of(kind: Kind, api_path: &str) -> String {
    RENAMED
        .iter()
        .find(|(k, _, api)| *k == kind && *api == api_path)
        .map_or_else(
            || provider_path(api_path),
            |(_, provider, _)| (*provider).to_owned(),
        )
}

/// Nesting past this depth is cut (the provider's schemas nest a handful of levels).
const MAX_DEPTH: usize = 32;

/// The API's name of a provider attribute: `volume_kms_key_id` → `VolumeKmsKeyId`,
/// `s3_output_path` → `S3OutputPath`.
pub fn api_name(attribute: &str) -> String {
    attribute
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// What the plan says about a resource besides its planned values: which attributes are
/// known only after apply (`resource_changes[].change.after_unknown`) and what the
/// configuration refers to for them (`configuration…expressions`), both shaped like the values.
#[derive(Clone, Copy, Default)]
pub struct Around<'a> {
    /// `after_unknown`.
    pub unknown: Option<&'a Value>,
    /// The resource's `expressions`.
    pub expressions: Option<&'a Value>,
}

impl<'a> Around<'a> {
    fn get(self, key: &str) -> Around<'a> {
        Around {
            unknown: self.unknown.and_then(|u| u.get(key)),
            expressions: self.expressions.and_then(|e| e.get(key)),
        }
    }

    fn at(self, i: usize) -> Around<'a> {
        Around {
            unknown: self.unknown.and_then(|u| u.get(i)),
            expressions: self.expressions.and_then(|e| e.get(i)),
        }
    }

    /// The first thing the configuration refers to for this attribute.
    fn reference(self) -> Option<&'a str> {
        self.expressions?
            .get("references")?
            .as_array()?
            .first()?
            .as_str()
    }
}

/// The planned values in the API's shape, with what is known only after apply marked.
pub fn request(values: &Value, around: Around<'_>) -> Value {
    convert(values, around, "", 0)
}

/// [`request`] with the kind's own names for top-level attributes (planned, or marked as
/// known only after apply).
fn request_of(kind: Kind, values: &Value, around: Around<'_>) -> Value {
    let mut converted = request(values, around);
    if let Value::Object(top) = &mut converted {
        for (_, attribute, api) in RENAMED.iter().filter(|(k, ..)| *k == kind) {
            if let Some(v) = top.remove(&api_name(attribute)) {
                top.insert((*api).to_owned(), v);
            }
        }
    }
    converted
}

fn convert(value: &Value, around: Around<'_>, path: &str, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    match value {
        Value::Object(o) => {
            let mut out = Map::new();
            for (k, v) in o {
                let at = join(path, k);
                out.insert(api_name(k), member(k, v, around.get(k), &at, depth + 1));
            }
            // Attributes known only after apply are left out of the planned values.
            if let Some(Value::Object(u)) = around.unknown {
                for (k, flag) in u {
                    let absent = o.get(k).is_none_or(Value::is_null);
                    if *flag == Value::Bool(true) && absent {
                        let what = around
                            .get(k)
                            .reference()
                            .map_or_else(|| join(path, k), str::to_owned);
                        let mut mark = Map::new();
                        mark.insert(AFTER_APPLY.to_owned(), Value::String(what));
                        out.insert(api_name(k), Value::Object(mark));
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| convert(v, around.at(i), path, depth + 1))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn member(key: &str, value: &Value, around: Around<'_>, path: &str, depth: usize) -> Value {
    match value {
        Value::Array(items) if !LISTS.contains(&key) => match items.as_slice() {
            [] => Value::Null,
            [one] => convert(one, around.at(0), path, depth),
            _ => convert(value, around, path, depth),
        },
        _ => convert(value, around, path, depth),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// One resource of a plan: its kind, address, planned values and what is unknown until apply;
/// every finding points at `line` (the resource's values in the plan file).
pub fn resource(
    kind: Kind,
    address: &str,
    values: &Value,
    around: Around<'_>,
    line: u32,
    file: &str,
) -> Result<Resource, DocumentError> {
    let text = request_of(kind, values, around).to_string();
    let fields = Fields::parse(&text).map_err(|e| {
        DocumentError::new(format!(
            "values: {}",
            crate::document::describe_json_error(&e)
        ))
    })?;
    let empty = Parameters::default();
    let scope = Scope::Pipeline {
        parameters: &empty,
        template: None,
    };
    let mut slots = (kind.decl().slots)(&fields, scope).map_err(|mut e| {
        e.at = None;
        e.line = None;
        e
    })?;
    for d in &mut slots {
        d.slot.field = format!("values.{}", provider_path_of(kind, &d.slot.field)).into();
        d.parent_at.get_or_insert(&text);
    }
    let draft = Draft {
        resource: Head {
            kind,
            origin: Origin::IacResource,
            name: address.to_owned(),
            arn: format!("{file}#{}/{address}", crate::resource::IAC),
            account_id: String::new(),
            region: String::new(),
            partition: String::new(),
            status: None,
            creation_time: None,
            last_modified_time: None,
            instance_types: distinct_types(&slots),
        },
        slots,
    };
    let mut r = draft.finish(&text, 1, file);
    let lines = LineMap::Fixed(line);
    for slot in &mut r.slots {
        slot.value_line = slot.value_line.map(|l| lines.file_line(l));
        slot.parent_line = lines.file_line(slot.parent_line);
    }
    Ok(r)
}

/// The provider's name of an API field path, as the plan writes it:
/// `ResourceConfig.VolumeKmsKeyId` → `resource_config.volume_kms_key_id`.
pub fn provider_path(api_path: &str) -> String {
    api_path
        .split('.')
        .map(|segment| {
            let mut out = String::with_capacity(segment.len() + 4);
            let chars: Vec<char> = segment.chars().collect();
            for (i, c) in chars.iter().enumerate() {
                let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
                let prev = if i > 0 { Some(chars[i - 1]) } else { None };
                let breaks = prev.is_some_and(|p| {
                    p.is_ascii_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_ascii_uppercase() && next_lower)
                });
                if c.is_ascii_uppercase() && breaks {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            }
            out
        })
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::{KeySource, Role};
    use serde_json::json;

    #[test]
    fn names_go_both_ways() {
        for (provider, api) in [
            ("volume_kms_key_id", "VolumeKmsKeyId"),
            ("s3_output_path", "S3OutputPath"),
            ("output_data_config", "OutputDataConfig"),
            (
                "hyper_parameter_tuning_resource_config",
                "HyperParameterTuningResourceConfig",
            ),
        ] {
            assert_eq!(api_name(provider), api);
            assert_eq!(provider_path(api), provider);
        }
        assert_eq!(
            provider_path("TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId"),
            "training_job_definition.resource_config.volume_kms_key_id"
        );
    }

    #[test]
    fn blocks_become_objects_and_unknown_keys_stay_unknown() {
        let values = json!({
            "training_job_name": "nightly",
            "resource_config": [{"instance_type": "ml.m5.xlarge", "instance_count": 1,
                                  "volume_kms_key_id": null, "instance_groups": []}],
            "output_data_config": [{"s3_output_path": "s3://b/m", "kms_key_id": null}]
        });
        let unknown = json!({"resource_config": [{"volume_kms_key_id": true}],
                             "output_data_config": [{}], "arn": true});
        let expressions = json!({"resource_config": [{"volume_kms_key_id":
            {"references": ["aws_kms_key.models.arn", "aws_kms_key.models"]}}]});
        let around = Around {
            unknown: Some(&unknown),
            expressions: Some(&expressions),
        };
        let r = resource(
            Kind::Training,
            "aws_sagemaker_training_job.nightly",
            &values,
            around,
            12,
            "plan.json",
        )
        .unwrap();
        assert_eq!(
            (r.origin, r.name.as_str()),
            (Origin::IacResource, "aws_sagemaker_training_job.nightly")
        );
        let volume = r.slots.iter().find(|s| s.role == Role::Volume).unwrap();
        assert_eq!(volume.field, "values.resource_config.volume_kms_key_id");
        assert!(
            matches!(&volume.source, KeySource::Expression { shown, .. }
                if shown == "aws_kms_key.models.arn (known only after apply)"),
            "{:?}",
            volume.source
        );
        assert_eq!(volume.line(), 12);
        let output = r.slots.iter().find(|s| s.role == Role::Output).unwrap();
        assert_eq!((output.value.as_deref(), output.line()), (None, 12));
        assert_eq!(r.instance_types, ["ml.m5.xlarge"]);
        // Hostile nesting is cut, not followed.
        let mut deep = json!("x");
        for _ in 0..200 {
            deep = json!([{"a": deep}]);
        }
        let _ = request(&deep, Around::default());
    }
}
