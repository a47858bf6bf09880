//! Values in a SageMaker Pipeline definition that are expressions rather than text, resolved as
//! far as the definition itself allows.
//!
//! A step's arguments may hold `{"Get": "Parameters.NAME"}` (the parameter's `DefaultValue`,
//! which an execution may replace), `{"Std:Join": {"On": SEP, "Values": [...]}}` (resolved when
//! every part is), or anything known only at run time (`{"Get": "Steps.…"}`, `{"Get":
//! "Execution.…"}`, `{"Std:JsonGet": …}`). Nothing is guessed: what cannot be resolved stays an
//! expression and is shown as one.

use std::collections::HashMap;

use serde_json::Value;

/// The definition's parameters: name → default value as text (`None`: no default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parameters {
    defaults: HashMap<String, Option<String>>,
}

impl Parameters {
    /// Reads a definition's `Parameters` array (`[{"Name", "Type", "DefaultValue"}]`).
    pub fn from_definition(parameters: Option<&Value>) -> Result<Self, String> {
        let mut defaults = HashMap::new();
        let Some(list) = parameters else {
            return Ok(Parameters { defaults });
        };
        let Value::Array(list) = list else {
            return Err("Parameters is not a list".into());
        };
        for (i, p) in list.iter().enumerate() {
            let name = p
                .get("Name")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("Parameters[{i}] has no Name"))?;
            let default = p.get("DefaultValue").and_then(scalar_text);
            defaults.insert(name.to_owned(), default);
        }
        Ok(Parameters { defaults })
    }

    /// A parameter's default as text: `None` when it has none, `Some(None)` when it is not
    /// declared at all.
    fn default_of(&self, name: &str) -> Option<Option<&str>> {
        self.defaults.get(name).map(Option::as_deref)
    }
}

/// What a value resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// Text known from the definition: a literal, or built from parameter defaults (named
    /// here, since an execution may replace them).
    Text {
        /// The value.
        text: String,
        /// Parameters whose defaults went into it.
        parameters: Vec<String>,
    },
    /// Built from parameters of which at least one has no default: there is no value unless
    /// every execution passes one.
    NoDefault {
        /// The parameters without a default (or not declared).
        parameters: Vec<String>,
    },
    /// Known only at run time; the expression as written, on one line.
    Unknown(String),
}

/// Resolves a value. `placeholders`: the definition came from a CloudFormation `Fn::Sub`
/// or `Fn::Join`, so text still holding `${…}` is not known statically.
pub fn resolve(value: &Value, parameters: &Parameters, placeholders: bool) -> Resolved {
    match value {
        Value::String(s) if placeholders && s.contains("${") => Resolved::Unknown(shown(value)),
        Value::String(s) => Resolved::Text {
            text: s.clone(),
            parameters: Vec::new(),
        },
        Value::Number(_) | Value::Bool(_) => Resolved::Text {
            text: scalar_text(value).unwrap_or_default(),
            parameters: Vec::new(),
        },
        Value::Object(o) if o.len() == 1 => {
            if let Some(Value::String(path)) = o.get("Get")
                && let Some(name) = path.strip_prefix("Parameters.")
            {
                return match parameters.default_of(name) {
                    Some(Some(text)) => {
                        match resolve(&Value::String(text.to_owned()), parameters, placeholders) {
                            Resolved::Text { text, .. } => Resolved::Text {
                                text,
                                parameters: vec![name.to_owned()],
                            },
                            other => other,
                        }
                    }
                    _ => Resolved::NoDefault {
                        parameters: vec![name.to_owned()],
                    },
                };
            }
            if let Some(Value::Object(join)) = o.get("Std:Join") {
                return resolve_join(value, join, parameters, placeholders);
            }
            Resolved::Unknown(shown(value))
        }
        _ => Resolved::Unknown(shown(value)),
    }
}

fn resolve_join(
    whole: &Value,
    join: &serde_json::Map<String, Value>,
    parameters: &Parameters,
    placeholders: bool,
) -> Resolved {
    let (Some(Value::String(on)), Some(Value::Array(values))) =
        (join.get("On"), join.get("Values"))
    else {
        return Resolved::Unknown(shown(whole));
    };
    let mut parts = Vec::with_capacity(values.len());
    let mut used = Vec::new();
    let mut missing = Vec::new();
    for v in values {
        match resolve(v, parameters, placeholders) {
            Resolved::Text { text, parameters } => {
                parts.push(text);
                used.extend(parameters);
            }
            Resolved::NoDefault { parameters } => missing.extend(parameters),
            Resolved::Unknown(_) => return Resolved::Unknown(shown(whole)),
        }
    }
    if !missing.is_empty() {
        return Resolved::NoDefault {
            parameters: missing,
        };
    }
    used.dedup();
    Resolved::Text {
        text: parts.join(on),
        parameters: used,
    }
}

/// A scalar as the text a pipeline would substitute.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An expression on one line, bounded, for messages and reports.
fn shown(value: &Value) -> String {
    crate::text::one_line(&value.to_string(), 200)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params() -> Parameters {
        Parameters::from_definition(Some(&json!([
            {"Name": "KmsKey", "Type": "String", "DefaultValue": "alias/ml"},
            {"Name": "NoDefault", "Type": "String"},
            {"Name": "Count", "Type": "Integer", "DefaultValue": 2},
            {"Name": "Region", "Type": "String", "DefaultValue": "eu-west-1"}
        ])))
        .unwrap()
    }

    #[test]
    fn literals_and_parameter_defaults_resolve() {
        let p = params();
        assert_eq!(
            resolve(&json!("alias/x"), &p, false),
            Resolved::Text {
                text: "alias/x".into(),
                parameters: vec![]
            }
        );
        assert_eq!(
            resolve(&json!({"Get": "Parameters.KmsKey"}), &p, false),
            Resolved::Text {
                text: "alias/ml".into(),
                parameters: vec!["KmsKey".into()]
            }
        );
        assert_eq!(
            resolve(&json!({"Get": "Parameters.Count"}), &p, false),
            Resolved::Text {
                text: "2".into(),
                parameters: vec!["Count".into()]
            }
        );
    }

    #[test]
    fn parameters_without_a_default_resolve_to_nothing() {
        let p = params();
        for name in ["NoDefault", "Undeclared"] {
            assert_eq!(
                resolve(&json!({"Get": format!("Parameters.{name}")}), &p, false),
                Resolved::NoDefault {
                    parameters: vec![name.into()]
                }
            );
        }
    }

    #[test]
    fn joins_resolve_when_every_part_does() {
        let p = params();
        let key = json!({"Std:Join": {"On": ":", "Values": [
            "arn:aws:kms", {"Get": "Parameters.Region"}, "111122223333", "alias/ml"]}});
        assert_eq!(
            resolve(&key, &p, false),
            Resolved::Text {
                text: "arn:aws:kms:eu-west-1:111122223333:alias/ml".into(),
                parameters: vec!["Region".into()]
            }
        );
        let missing =
            json!({"Std:Join": {"On": "", "Values": ["a", {"Get": "Parameters.NoDefault"}]}});
        assert!(matches!(
            resolve(&missing, &p, false),
            Resolved::NoDefault { .. }
        ));
        let runtime = json!({"Std:Join": {"On": "", "Values": ["a", {"Get": "Execution.PipelineExecutionId"}]}});
        assert!(matches!(resolve(&runtime, &p, false), Resolved::Unknown(_)));
    }

    #[test]
    fn run_time_values_stay_expressions() {
        let p = params();
        for v in [
            json!({"Get": "Steps.Train.OutputDataConfig.KmsKeyId"}),
            json!({"Get": "Execution.PipelineExecutionId"}),
            json!({"Std:JsonGet": {"PropertyFile": {"Get": "Steps.Eval.PropertyFiles.E"}, "Path": "k"}}),
            json!([1, 2]),
        ] {
            let Resolved::Unknown(text) = resolve(&v, &p, false) else {
                panic!("{v} resolved")
            };
            assert!(!text.contains('\n'));
        }
    }

    #[test]
    fn template_placeholders_are_not_known_statically() {
        let p = params();
        let v = json!("arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/${KeyId}");
        assert!(matches!(resolve(&v, &p, true), Resolved::Unknown(_)));
        assert!(matches!(resolve(&v, &p, false), Resolved::Text { .. }));
    }

    #[test]
    fn a_malformed_parameter_list_is_refused() {
        assert!(Parameters::from_definition(Some(&json!({"a": 1}))).is_err());
        assert!(Parameters::from_definition(Some(&json!([{"Type": "String"}]))).is_err());
    }
}
