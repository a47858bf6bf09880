//! Resources a CloudFormation template declares whose `Properties` are a SageMaker Create
//! request (`AWS::SageMaker::EndpointConfig`, …: each kind names its resource types), judged
//! before they exist with the origin [`Origin::IacResource`], named by their logical id.
//!
//! CloudFormation spells the properties as the API does, so the kind's own parser reads them.
//! An intrinsic function in place of a value (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::If`, …)
//! becomes a `${…}` placeholder, resolved as a `Fn::Sub` variable is
//! ([`super::cloudformation`]): a parameter takes each of its `AllowedValues` (else its
//! `Default`), `Fn::If` each branch; what the template alone cannot give (a resource's
//! attribute, `AWS::Region`) stays a named hole. The rewrite keeps every line, so findings
//! point at the key, or at the object that should hold it.

use std::borrow::Cow;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::document::DocumentError;
use crate::expr::Parameters;
use crate::kinds::{Draft, Fields, Head, Scope, distinct_types};
use crate::resource::{Kind, Origin, Resource};

/// Nesting past this depth is not searched for intrinsics (templates nest a handful of levels).
const MAX_DEPTH: usize = 32;

/// One resource: its kind, logical id and `Properties` as JSON text (`{}` when it has none)
/// whose first line is `first_line` of `file`; `parameters` are the template's.
pub fn resource(
    kind: Kind,
    logical_id: &str,
    properties: &str,
    first_line: u32,
    parameters: &Value,
    file: &str,
) -> Result<Resource, DocumentError> {
    let (text, variables) = placeholders(properties)?;
    let fields = Fields::parse(&text).map_err(|e| {
        DocumentError::new(format!(
            "Properties: {}",
            crate::document::describe_json_error(&e)
        ))
    })?;
    let template = super::cloudformation::template_values(parameters, &variables);
    let empty = Parameters::default();
    let scope = Scope::Pipeline {
        parameters: &empty,
        template: Some(&template),
    };
    let mut slots = (kind.decl().slots)(&fields, scope)?;
    for d in &mut slots {
        d.slot.field = Cow::Owned(format!("Properties.{}", d.slot.field));
        // A top-level key points at the properties' first line.
        d.parent_at.get_or_insert(text.trim_start());
    }
    let draft = Draft {
        resource: Head {
            kind,
            origin: Origin::IacResource,
            name: logical_id.to_owned(),
            arn: format!("{file}#{}/{logical_id}", crate::resource::IAC),
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
    Ok(draft.finish(&text, first_line, file))
}

/// The properties with every intrinsic function made a `${…}` placeholder (the same number of
/// line breaks kept), and what the placeholders stand for.
fn placeholders(text: &str) -> Result<(String, Map<String, Value>), DocumentError> {
    let mut found = Vec::new();
    visit(text, text, 0, &mut found)?;
    // Fields come in key order, not text order.
    found.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut variables = Map::new();
    let mut copied = 0;
    for (n, (start, end)) in found.into_iter().enumerate() {
        let raw = &text[start..end];
        let value: Value = serde_json::from_str(raw).map_err(|e| DocumentError::json(&e))?;
        let replacement = placeholder(&value, n + 1, &mut variables);
        out.push_str(&text[copied..start]);
        out.push_str(&Value::String(replacement).to_string());
        // A JSON string holds no line break: the ones the function spanned follow it.
        out.extend(std::iter::repeat_n('\n', raw.matches('\n').count()));
        copied = end;
    }
    out.push_str(&text[copied..]);
    Ok((out, variables))
}

/// Finds the intrinsic functions in `raw` (a slice of `whole`), as byte ranges of `whole`.
fn visit(
    whole: &str,
    raw: &str,
    depth: usize,
    found: &mut Vec<(usize, usize)>,
) -> Result<(), DocumentError> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let trimmed = raw.trim_start();
    if trimmed.starts_with('{') {
        let fields = Fields::parse(raw).map_err(|e| DocumentError::json(&e))?;
        let entries: Vec<(&str, &RawValue)> = fields.entries().collect();
        if let [(key, _)] = entries.as_slice()
            && (*key == "Ref" || key.starts_with("Fn::"))
        {
            let start = trimmed.as_ptr() as usize - whole.as_ptr() as usize;
            let end =
                raw.trim_end().as_ptr() as usize - whole.as_ptr() as usize + raw.trim_end().len();
            found.push((start, end));
            return Ok(());
        }
        for (_, value) in entries {
            visit(whole, value.get(), depth + 1, found)?;
        }
    } else if trimmed.starts_with('[') {
        let items: Vec<&RawValue> =
            serde_json::from_str(raw).map_err(|e| DocumentError::json(&e))?;
        for item in items {
            visit(whole, item.get(), depth + 1, found)?;
        }
    }
    Ok(())
}

/// The placeholder text for the `n`th intrinsic function of a resource, recording what it
/// stands for: a `Fn::Sub` is its own text (its placeholders name parameters, or variables
/// recorded here), a `Ref` names what it refers to, anything else stands as written.
fn placeholder(value: &Value, n: usize, variables: &mut Map<String, Value>) -> String {
    let Value::Object(o) = value else {
        return String::new();
    };
    let Some((function, argument)) = o.iter().next() else {
        return String::new();
    };
    match (function.as_str(), argument) {
        ("Fn::Sub", Value::String(text)) => text.clone(),
        ("Fn::Sub", Value::Array(a)) => {
            let (Some(Value::String(text)), vars) = (a.first(), a.get(1)) else {
                return hole(value, n, variables);
            };
            let mut text = text.clone();
            for (name, v) in vars.and_then(Value::as_object).into_iter().flatten() {
                match v {
                    Value::String(literal) => text = text.replace(&format!("${{{name}}}"), literal),
                    other => {
                        // Variables of different functions may share a name.
                        let unique = format!("{name}#{n}");
                        text = text.replace(&format!("${{{name}}}"), &format!("${{{unique}}}"));
                        variables.insert(unique, other.clone());
                    }
                }
            }
            text
        }
        // A parameter (or pseudo parameter, or resource) by its own name, as `${Name}`; a
        // resource's attribute as `Fn::Sub` writes it, `${Resource.Attribute}`.
        ("Ref", Value::String(name)) if !name.contains(['{', '}']) => format!("${{{name}}}"),
        ("Fn::GetAtt", Value::Array(a))
            if a.len() == 2
                && a.iter()
                    .all(|p| p.as_str().is_some_and(|p| !p.contains(['{', '}']))) =>
        {
            format!(
                "${{{}.{}}}",
                a[0].as_str().unwrap_or_default(),
                a[1].as_str().unwrap_or_default()
            )
        }
        _ => hole(value, n, variables),
    }
}

/// A placeholder for a function the template resolves as a whole (`Fn::If`, `Fn::GetAtt`, …).
fn hole(value: &Value, n: usize, variables: &mut Map<String, Value>) -> String {
    let function = match value {
        Value::Object(o) => o.keys().next().cloned().unwrap_or_default(),
        _ => String::new(),
    };
    let name = format!("{}#{n}", function.replace(['{', '}'], ""));
    variables.insert(name.clone(), value.clone());
    format!("${{{name}}}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::{KeySource, Role};

    #[test]
    fn intrinsics_become_placeholders_on_the_same_lines() {
        let text = "{\"KmsKeyId\": {\n  \"Ref\": \"Key\"\n},\n\"A\": {\"Fn::If\": [\"c\", \"x\", \"y\"]},\n\"B\": [{\"Fn::Sub\": [\"${K}/x\", {\"K\": {\"Ref\": \"P\"}}]}]}";
        let (out, vars) = placeholders(text).unwrap();
        assert_eq!(out.lines().count(), text.lines().count());
        let value: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(value["KmsKeyId"], "${Key}");
        assert_eq!(value["A"], "${Fn::If#2}");
        assert_eq!(value["B"][0], "${K#3}/x");
        assert_eq!(vars.len(), 2);
    }

    #[test]
    fn an_endpoint_configuration_resolves_parameters_and_names_what_it_cannot() {
        let parameters = serde_json::json!({
            "VolumeKey": {"Type": "String", "AllowedValues": ["alias/aws/sagemaker", "alias/team"]}
        });
        let properties = r#"{"ProductionVariants": [{"VariantName": "a", "InstanceType": "ml.m5.large"}],
"KmsKeyId": {"Ref": "VolumeKey"},
"DataCaptureConfig": {"DestinationS3Uri": "s3://c/",
  "KmsKeyId": {"Fn::GetAtt": ["CaptureKey", "Arn"]}}}"#;
        let r = resource(
            Kind::EndpointConfig,
            "Config",
            properties,
            10,
            &parameters,
            "t.json",
        )
        .unwrap();
        assert_eq!(r.name, "Config");
        let volume = &r.slots[0];
        assert_eq!(
            (volume.role, volume.field.as_ref(), volume.value_line),
            (Role::Volume, "Properties.KmsKeyId", Some(11))
        );
        assert!(
            matches!(&volume.source, KeySource::Readings(r) if r.len() == 2),
            "{:?}",
            volume.source
        );
        let capture = &r.slots[1];
        assert_eq!(capture.value_line, Some(13));
        assert!(
            matches!(&capture.source, KeySource::Expression { .. }),
            "{:?}",
            capture.source
        );
    }
}
