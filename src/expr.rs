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

/// The definition's parameters: name → default value as text (`None`: no default), and the
/// values a parameter is limited to (`EnumValues`), when it lists them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parameters {
    defaults: HashMap<String, Option<String>>,
    enums: HashMap<String, Vec<String>>,
}

impl Parameters {
    /// Reads a definition's `Parameters` array (`[{"Name", "Type", "DefaultValue",
    /// "EnumValues"}]`). A name given twice is refused: which declaration an execution uses
    /// is not something to guess.
    pub fn from_definition(parameters: Option<&Value>) -> Result<Self, String> {
        let mut out = Parameters::default();
        let Some(list) = parameters else {
            return Ok(out);
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
            if out.defaults.insert(name.to_owned(), default).is_some() {
                return Err(format!(
                    "parameter {:?} is declared twice, so its default is ambiguous",
                    crate::text::one_line(name, 100)
                ));
            }
            if let Some(Value::Array(values)) = p.get("EnumValues") {
                let values: Vec<String> = values.iter().filter_map(scalar_text).collect();
                if !values.is_empty() {
                    out.enums.insert(name.to_owned(), values);
                }
            }
        }
        Ok(out)
    }

    /// A parameter's default as text: `None` when it has none, `Some(None)` when it is not
    /// declared at all.
    fn default_of(&self, name: &str) -> Option<Option<&str>> {
        self.defaults.get(name).map(Option::as_deref)
    }

    /// The values a parameter is limited to, when it lists them (`EnumValues`).
    pub fn enum_values(&self, name: &str) -> Option<&[String]> {
        self.enums.get(name).map(Vec::as_slice)
    }
}

/// A piece of a value that is known only in part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Literal text.
    Text(String),
    /// Something known only when the pipeline runs or the stack is deployed, named as the
    /// input writes it (`${AWS::Region}`, `{"Get": "Execution.…"}`).
    Hole(String),
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
    /// Known only in part until run time: the expression as written, on one line, and its
    /// literal parts with holes where the run decides (the literal parts alone can already
    /// rule a value out as a customer-managed key).
    Unknown {
        /// The expression as written.
        shown: String,
        /// Literal text and holes, in order.
        parts: Vec<Part>,
    },
}

impl Resolved {
    fn unknown(value: &Value) -> Resolved {
        let shown = shown(value);
        Resolved::Unknown {
            parts: vec![Part::Hole(shown.clone())],
            shown,
        }
    }
}

/// Resolves a value. `placeholders`: the definition came from a CloudFormation `Fn::Sub`
/// or `Fn::Join`, so text still holding `${…}` is known only in part.
pub fn resolve(value: &Value, parameters: &Parameters, placeholders: bool) -> Resolved {
    match value {
        Value::String(s) if placeholders && s.contains("${") => Resolved::Unknown {
            shown: shown(value),
            parts: template_parts(s),
        },
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
            Resolved::unknown(value)
        }
        _ => Resolved::unknown(value),
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
        return Resolved::unknown(whole);
    };
    let mut parts = Vec::with_capacity(values.len() * 2);
    let mut used = Vec::new();
    let mut missing = Vec::new();
    let mut known = true;
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            parts.push(Part::Text(on.clone()));
        }
        match resolve(v, parameters, placeholders) {
            Resolved::Text { text, parameters } => {
                parts.push(Part::Text(text));
                used.extend(parameters);
            }
            Resolved::NoDefault { parameters } => missing.extend(parameters),
            Resolved::Unknown { parts: p, .. } => {
                known = false;
                parts.extend(p);
            }
        }
    }
    // A part without a default leaves no value at all, whatever the rest is.
    if !missing.is_empty() {
        return Resolved::NoDefault {
            parameters: missing,
        };
    }
    if !known {
        return Resolved::Unknown {
            shown: shown(whole),
            parts: merged(parts),
        };
    }
    used.dedup();
    Resolved::Text {
        text: parts
            .into_iter()
            .map(|p| match p {
                Part::Text(t) | Part::Hole(t) => t,
            })
            .collect(),
        parameters: used,
    }
}

/// Adjacent literal parts joined into one.
fn merged(parts: Vec<Part>) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::with_capacity(parts.len());
    for p in parts {
        match (out.last_mut(), p) {
            (Some(Part::Text(last)), Part::Text(t)) => last.push_str(&t),
            (_, Part::Text(t)) if t.is_empty() => {}
            (_, p) => out.push(p),
        }
    }
    out
}

/// A CloudFormation `Fn::Sub` string split into literal text and `${…}` placeholders
/// (`${!Literal}` is the literal text `${Literal}`, as CloudFormation writes it).
pub fn template_parts(text: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 2..start + len];
        parts.push(Part::Text(rest[..start].to_owned()));
        match name.strip_prefix('!') {
            Some(literal) => parts.push(Part::Text(format!("${{{literal}}}"))),
            None => parts.push(Part::Hole(format!("${{{name}}}"))),
        }
        rest = &rest[start + len + 1..];
    }
    parts.push(Part::Text(rest.to_owned()));
    merged(parts)
}

/// What the literal parts of a partly known key value already decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyShape {
    /// Whatever fills the holes, the value is no KMS key reference at all.
    NotAKey,
    /// Whatever fills the holes, the value is an AWS-managed key (`alias/aws/…`) or no key.
    AwsManaged,
    /// Some filling names a customer-managed key: only the run can tell.
    Depends,
}

/// Decides what the literal parts of a key allow. Each hole is filled with every one of a
/// set of pieces that can complete a key id, key ARN, alias name or alias ARN (and pieces
/// that break one); when no filling gives a reference that is not an AWS-managed alias, the
/// literal text alone rules out a customer-managed key.
pub fn key_shape(parts: &[Part]) -> KeyShape {
    use crate::kms::KeyRef;
    const PIECES: [&str; 18] = [
        "",
        "k",
        "aws",
        "aws-cn",
        "kms",
        "us-east-1",
        "111122223333",
        "key",
        "alias",
        "/",
        "aws/",
        "k/",
        "alias/k",
        "key/k",
        "arn:aws:kms:us-east-1:111122223333:key/k",
        "arn:aws:kms:us-east-1:111122223333:alias/k",
        "arn:aws:kms:us-east-1:111122223333",
        "arn:aws:kms:us-east-1:111122223333:",
    ];
    let holes = parts.iter().filter(|p| matches!(p, Part::Hole(_))).count();
    // 18^4 fillings at most; past four holes the later ones take the same piece as the
    // fourth, which still lets every hole be empty or a whole key.
    let varied = holes.min(4);
    let total = PIECES.len().pow(u32::try_from(varied).unwrap_or(4));
    let mut any_key = false;
    let mut text = String::new();
    for n in 0..total {
        text.clear();
        let mut hole = 0;
        for p in parts {
            match p {
                Part::Text(t) => text.push_str(t),
                Part::Hole(_) => {
                    let digit = hole.min(varied.saturating_sub(1));
                    let piece =
                        (n / PIECES.len().pow(u32::try_from(digit).unwrap_or(0))) % PIECES.len();
                    text.push_str(PIECES[piece]);
                    hole += 1;
                }
            }
        }
        let key = KeyRef::parse(&text);
        if key == KeyRef::Unrecognised {
            continue;
        }
        if !key.is_aws_managed_alias() {
            return KeyShape::Depends;
        }
        any_key = true;
    }
    if any_key {
        KeyShape::AwsManaged
    } else {
        KeyShape::NotAKey
    }
}

/// The holes of a partly known value, for messages.
pub fn holes(parts: &[Part]) -> Vec<&str> {
    let mut out: Vec<&str> = parts
        .iter()
        .filter_map(|p| match p {
            Part::Hole(h) => Some(h.as_str()),
            Part::Text(_) => None,
        })
        .collect();
    out.dedup();
    out
}

/// The values a CloudFormation template gives the `${…}` placeholders left in a pipeline
/// definition: each name's possible values, with the condition under which each applies
/// (template parameters: their `AllowedValues`, else their `Default`; `Fn::Sub` variables;
/// `Fn::If` branches; `Fn::Select` elements). Names it cannot give stay holes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateValues {
    choices: HashMap<String, Vec<Choice>>,
}

/// One value a placeholder may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The value, possibly with holes of its own.
    pub parts: Vec<Part>,
    /// When it applies (`template parameter KeyArn keeps its default`), if not always.
    pub when: Vec<String>,
}

/// One way of filling the placeholders of a value: what it becomes and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The value; holes remain where the template cannot say.
    pub parts: Vec<Part>,
    /// The conditions of this reading (empty: always).
    pub when: Vec<String>,
}

impl Reading {
    /// The value when it is wholly known.
    pub fn text(&self) -> Option<String> {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => Some(t.as_str()),
                Part::Hole(_) => None,
            })
            .collect()
    }
}

/// A value has at most this many readings; placeholders past it stay holes.
const MAX_READINGS: usize = 64;

impl TemplateValues {
    /// Gives placeholder `name` its possible values.
    pub fn insert(&mut self, name: impl Into<String>, choices: Vec<Choice>) {
        self.choices.insert(name.into(), choices);
    }

    /// The possible values of `name`, if the template gives any.
    pub fn get(&self, name: &str) -> Option<&[Choice]> {
        self.choices.get(name).map(Vec::as_slice)
    }

    /// Every reading of a value: each placeholder the template gives is replaced by each of
    /// its values in turn (at most [`MAX_READINGS`] readings in all).
    pub fn readings(&self, parts: &[Part]) -> Vec<Reading> {
        let mut readings = vec![Reading {
            parts: Vec::new(),
            when: Vec::new(),
        }];
        for part in parts {
            let choices = match part {
                Part::Hole(h) => h
                    .strip_prefix("${")
                    .and_then(|n| n.strip_suffix('}'))
                    .and_then(|n| self.get(n))
                    .filter(|c| !c.is_empty() && readings.len() * c.len() <= MAX_READINGS),
                Part::Text(_) => None,
            };
            match choices {
                None => readings.iter_mut().for_each(|r| r.parts.push(part.clone())),
                Some(choices) => {
                    readings = readings
                        .iter()
                        .flat_map(|r| {
                            choices.iter().map(move |c| {
                                let mut r = r.clone();
                                r.parts.extend(c.parts.iter().cloned());
                                r.when.extend(c.when.iter().cloned());
                                r
                            })
                        })
                        .collect();
                }
            }
        }
        for r in &mut readings {
            r.parts = merged(std::mem::take(&mut r.parts));
            r.when.dedup();
        }
        readings
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
        assert!(matches!(
            resolve(&runtime, &p, false),
            Resolved::Unknown { .. }
        ));
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
            let Resolved::Unknown { shown: text, .. } = resolve(&v, &p, false) else {
                panic!("{v} resolved")
            };
            assert!(!text.contains('\n'));
        }
    }

    #[test]
    fn template_placeholders_are_not_known_statically() {
        let p = params();
        let v = json!("arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/${KeyId}");
        assert!(matches!(resolve(&v, &p, true), Resolved::Unknown { .. }));
        assert!(matches!(resolve(&v, &p, false), Resolved::Text { .. }));
    }

    #[test]
    fn a_malformed_parameter_list_is_refused() {
        assert!(Parameters::from_definition(Some(&json!({"a": 1}))).is_err());
        assert!(Parameters::from_definition(Some(&json!([{"Type": "String"}]))).is_err());
    }

    #[test]
    fn literal_text_decides_what_it_can() {
        let shape = |t: &str| key_shape(&template_parts(t));
        assert_eq!(shape("alias/aws/${S}"), KeyShape::AwsManaged);
        assert_eq!(
            shape("arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/sagemaker"),
            KeyShape::AwsManaged
        );
        assert_eq!(shape("${A}:alias/aws/sagemaker"), KeyShape::AwsManaged);
        assert_eq!(shape("arn:aws:s3:::${B}"), KeyShape::NotAKey);
        assert_eq!(shape("s3://${B}/key"), KeyShape::NotAKey);
        for depends in [
            "${K}",
            "alias/${Team}",
            "arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/${Id}",
            "arn:${P}:kms:${R}:${A}:alias/${N}",
            "${A}${B}${C}${D}${E}",
        ] {
            assert_eq!(shape(depends), KeyShape::Depends, "{depends}");
        }
        assert_eq!(
            template_parts("a${!Literal}b"),
            vec![Part::Text("a${Literal}b".into())]
        );
    }

    #[test]
    fn readings_multiply_choices_and_keep_their_conditions() {
        let mut t = TemplateValues::default();
        let text = |v: &str, when: &str| Choice {
            parts: vec![Part::Text(v.into())],
            when: vec![when.into()],
        };
        t.insert("A", vec![text("x", "a is x"), text("y", "a is y")]);
        t.insert("B", vec![text("1", "b is 1"), text("2", "b is 2")]);
        let r = t.readings(&template_parts("${A}-${B}-${C}"));
        assert_eq!(r.len(), 4);
        assert_eq!(
            r[3].parts,
            vec![Part::Text("y-2-".into()), Part::Hole("${C}".into())]
        );
        assert_eq!(r[3].when, ["a is y", "b is 2"]);
        assert_eq!(r[0].text(), None);
        // Past the bound, placeholders stay holes rather than multiply.
        let many: String = (0..10).map(|_| "${A}").collect();
        let r = t.readings(&template_parts(&many));
        assert!(r.len() <= MAX_READINGS);
        assert!(r[0].parts.iter().any(|p| matches!(p, Part::Hole(_))));
    }
}
