//! Values in a SageMaker Pipeline definition that are expressions rather than text, resolved as
//! far as the definition itself allows.
//!
//! A step's arguments may hold `{"Get": "Parameters.NAME"}` (the parameter's `DefaultValue`,
//! which an execution may replace), `{"Std:Join": {"On": SEP, "Values": [...]}}` (resolved when
//! every part is), or anything known only at run time (`{"Get": "Steps.…"}`, `{"Get":
//! "Execution.…"}`, `{"Std:JsonGet": …}`). Nothing is guessed: what cannot be resolved stays an
//! expression and is shown as one.

use std::collections::HashMap;

/// The object a Step Functions state's input value is wrapped in (`"X.$": "$.p"` becomes
/// `"X": {JSONPATH: "$.p"}`, `crate::pipeline::states`), so it reads as an expression known
/// only at run time.
pub const JSONPATH: &str = "States.JsonPath";

/// The object a Step Functions JSONata expression (`"{% … %}"`) is wrapped in.
pub const JSONATA: &str = "States.JSONata";

/// The object a Terraform plan's value known only after apply is marked with (what the
/// configuration refers to for it, else its attribute path),
/// `crate::pipeline::terraform_resources`.
pub const AFTER_APPLY: &str = "Terraform.AfterApply";

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
            // A Step Functions state's input or a JSONata expression: only the execution
            // knows it.
            for (wrapper, before, after) in [
                (JSONPATH, "the state input's ", ""),
                (JSONATA, "the JSONata expression ", ""),
                (AFTER_APPLY, "", " (known only after apply)"),
            ] {
                if let Some(Value::String(path)) = o.get(wrapper) {
                    let shown = format!("{before}{}{after}", crate::text::one_line(path, 200));
                    return Resolved::Unknown {
                        parts: vec![Part::Hole(shown.clone())],
                        shown,
                    };
                }
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
        text: written(&parts),
        parameters: used,
    }
}

/// A value's parts as written, holes shown as the input names them.
pub fn written(parts: &[Part]) -> String {
    parts
        .iter()
        .map(|p| match p {
            Part::Text(t) | Part::Hole(t) => t.as_str(),
        })
        .collect()
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

/// Decides exactly what the literal parts of a key allow, with each hole standing for any
/// text of the characters a key may hold. The forms [`crate::kms::KeyRef::parse`] accepts are
/// regular languages (a key id, an alias name, a key ARN, an alias ARN; customer-managed or
/// `alias/aws/…`); the value's literal text and holes are run through an automaton of each, a
/// hole taking every path of any length. A form is possible when its accepting state is
/// reached, so the answer holds for every filling, not a sample of them.
pub fn key_shape(parts: &[Part]) -> KeyShape {
    let written: usize = parts
        .iter()
        .map(|p| match p {
            Part::Text(t) => t.len(),
            Part::Hole(_) => 0,
        })
        .sum();
    if written > crate::kms::MAX_KEY_LEN {
        return KeyShape::NotAKey;
    }
    let (customer, aws) = key_automata();
    if customer.accepts(parts) {
        KeyShape::Depends
    } else if aws.accepts(parts) {
        KeyShape::AwsManaged
    } else {
        KeyShape::NotAKey
    }
}

/// A set of characters an automaton edge reads.
#[derive(Debug, Clone, Copy)]
enum Class {
    /// One character.
    Exact(char),
    /// Letters, digits, `_` and `-`, and `:` or `/` when allowed, less one character.
    Key {
        colon: bool,
        slash: bool,
        except: Option<char>,
    },
}

impl Class {
    fn matches(self, c: char) -> bool {
        match self {
            Class::Exact(e) => c == e,
            Class::Key {
                colon,
                slash,
                except,
            } => {
                (c.is_ascii_alphanumeric()
                    || c == '_'
                    || c == '-'
                    || (colon && c == ':')
                    || (slash && c == '/'))
                    && except != Some(c)
            }
        }
    }
}

/// A piece of a key form.
enum Item {
    Lit(&'static str),
    /// One or more characters of the class.
    Plus(Class),
    /// Any number of characters of the class.
    Star(Class),
    Alt(Vec<Vec<Item>>),
}

/// A nondeterministic automaton: edges reading a class, or none (`None`).
#[derive(Default)]
struct Automaton {
    edges: Vec<Vec<(Option<Class>, usize)>>,
    accept: Vec<usize>,
}

impl Automaton {
    fn state(&mut self) -> usize {
        self.edges.push(Vec::new());
        self.edges.len() - 1
    }

    fn edge(&mut self, from: usize, class: Option<Class>, to: usize) {
        self.edges[from].push((class, to));
    }

    /// Adds `items` from state `from`; returns the state after them.
    fn seq(&mut self, from: usize, items: &[Item]) -> usize {
        let mut at = from;
        for item in items {
            at = match item {
                Item::Lit(text) => text.chars().fold(at, |at, c| {
                    let next = self.state();
                    self.edge(at, Some(Class::Exact(c)), next);
                    next
                }),
                Item::Plus(class) => {
                    let next = self.state();
                    self.edge(at, Some(*class), next);
                    self.edge(next, Some(*class), next);
                    next
                }
                Item::Star(class) => {
                    let next = self.state();
                    self.edge(at, None, next);
                    self.edge(next, Some(*class), next);
                    next
                }
                Item::Alt(branches) => {
                    let end = self.state();
                    for branch in branches {
                        let last = self.seq(at, branch);
                        self.edge(last, None, end);
                    }
                    end
                }
            };
        }
        at
    }

    /// Every state reachable from `states` through edges that read nothing, or (`any`) any
    /// character a key may hold.
    fn close(&self, states: &mut [bool], any: bool) {
        let mut stack: Vec<usize> = (0..states.len()).filter(|&i| states[i]).collect();
        while let Some(s) = stack.pop() {
            for &(class, to) in &self.edges[s] {
                if (class.is_none() || any) && !states[to] {
                    states[to] = true;
                    stack.push(to);
                }
            }
        }
    }

    /// True when some filling of the holes makes `parts` a word of the automaton.
    fn accepts(&self, parts: &[Part]) -> bool {
        let mut states = vec![false; self.edges.len()];
        states[0] = true;
        self.close(&mut states, false);
        let last = parts.len().saturating_sub(1);
        for (i, part) in parts.iter().enumerate() {
            match part {
                Part::Hole(_) => self.close(&mut states, true),
                Part::Text(text) => {
                    // The parser trims the value's ends.
                    let text = match (i == 0, i == last) {
                        (true, true) => text.trim(),
                        (true, false) => text.trim_start(),
                        (false, true) => text.trim_end(),
                        (false, false) => text.as_str(),
                    };
                    for c in text.chars() {
                        let mut next = vec![false; states.len()];
                        for (s, on) in states.iter().enumerate() {
                            if !on {
                                continue;
                            }
                            for &(class, to) in &self.edges[s] {
                                if class.is_some_and(|k| k.matches(c)) {
                                    next[to] = true;
                                }
                            }
                        }
                        self.close(&mut next, false);
                        states = next;
                        if !states.contains(&true) {
                            return false;
                        }
                    }
                }
            }
        }
        self.accept.iter().any(|&a| states[a])
    }
}

/// The automata of the key references `KeyRef::parse` accepts: those that may be
/// customer-managed, and the `alias/aws/…` ones.
fn key_automata() -> &'static (Automaton, Automaton) {
    static AUTOMATA: std::sync::LazyLock<(Automaton, Automaton)> = std::sync::LazyLock::new(|| {
        let word = Class::Key {
            colon: false,
            slash: false,
            except: None,
        };
        let field = Class::Key {
            colon: false,
            slash: true,
            except: None,
        };
        let but = |c| Class::Key {
            colon: false,
            slash: true,
            except: Some(c),
        };
        // An alias name after `alias/` that is not `aws/…`.
        let customer_alias = || {
            Item::Alt(vec![
                vec![Item::Plus(but('a')), Item::Star(field)],
                vec![
                    Item::Lit("a"),
                    Item::Alt(vec![vec![], vec![Item::Plus(but('w')), Item::Star(field)]]),
                ],
                vec![
                    Item::Lit("aw"),
                    Item::Alt(vec![vec![], vec![Item::Plus(but('s')), Item::Star(field)]]),
                ],
                vec![
                    Item::Lit("aws"),
                    Item::Alt(vec![vec![], vec![Item::Plus(but('/')), Item::Star(field)]]),
                ],
            ])
        };
        // `arn:PARTITION:kms:REGION:ACCOUNT:`
        let arn = || {
            vec![
                Item::Lit("arn:"),
                Item::Star(field),
                Item::Lit(":kms:"),
                Item::Star(field),
                Item::Lit(":"),
                Item::Star(field),
                Item::Lit(":"),
            ]
        };
        let build = |forms: Vec<Vec<Item>>| {
            let mut a = Automaton::default();
            let start = a.state();
            for form in forms {
                let end = a.seq(start, &form);
                a.accept.push(end);
            }
            a
        };
        let mut key_arn = arn();
        key_arn.extend([Item::Lit("key/"), Item::Plus(word)]);
        let mut alias_arn = arn();
        alias_arn.extend([Item::Lit("alias/"), customer_alias()]);
        let customer = build(vec![
            vec![Item::Plus(word)],
            vec![Item::Lit("alias/"), customer_alias()],
            key_arn,
            alias_arn,
        ]);
        let mut aws_arn = arn();
        aws_arn.extend([Item::Lit("alias/aws/"), Item::Star(field)]);
        let aws = build(vec![
            vec![Item::Lit("alias/aws/"), Item::Star(field)],
            aws_arn,
        ]);
        (customer, aws)
    });
    &AUTOMATA
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

    /// The automata agree with the parser on every filling of a grid of patterns: whenever
    /// the literal text is said to rule out a customer-managed key, no filling makes one.
    #[test]
    fn shapes_agree_with_the_parser_on_every_filling() {
        use crate::kms::KeyRef;
        let pieces = [
            "",
            "k",
            ":",
            "/",
            "aws",
            "aws/",
            "alias/",
            "arn:",
            ":kms:",
            "key/",
            "kms",
            "a",
            "arn:aws:kms:r:1:",
            "alias/aws/",
            "x:y",
        ];
        let mut checked = 0;
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let parts = vec![
                        Part::Text(a.into()),
                        Part::Hole("${H}".into()),
                        Part::Text(b.into()),
                        Part::Hole("${I}".into()),
                        Part::Text(c.into()),
                    ];
                    let shape = key_shape(&parts);
                    if shape == KeyShape::Depends {
                        continue;
                    }
                    for h in pieces {
                        for i in pieces {
                            let value = format!("{a}{h}{b}{i}{c}");
                            let key = KeyRef::parse(&value);
                            let customer =
                                key != KeyRef::Unrecognised && !key.is_aws_managed_alias();
                            assert!(!customer, "{parts:?} said {shape:?}, but {value} is a key");
                            if shape == KeyShape::NotAKey {
                                assert_eq!(key, KeyRef::Unrecognised, "{parts:?}: {value}");
                            }
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
    }
}
