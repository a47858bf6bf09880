//! One small parser per resource kind, all filling the same [`Resource`] shape.
//!
//! A document's top-level fields are read once, each kept as the raw text of its value
//! ([`Fields`]); the kind the document is decides which of them are parsed. Values that
//! findings point at keep their place in the text, so their lines are counted in one forward
//! pass ([`Draft::finish`]).
//!
//! Adding a kind: a module here whose `KIND` is its [`KindDecl`] (names, API operations,
//! markers, statuses, parser, key slots and their checks, live calls), and one line in
//! `crate::resource::registered_kinds`.

pub mod checks;
pub mod monitoring;
pub mod pipeline_step;
mod registry;
pub mod validation;

pub use registry::{
    Api, KindDecl, Names, Settled, cli_name, of_cloudformation_type, of_create_call, of_step,
    of_terraform_type,
};

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::document::DocumentError;
use crate::document::lines::LineCounter;
use crate::model::{ArnParts, Timestamp};
use crate::resource::{KeySlot, KeySource, Kind, Origin, Resource, ResourceRef};

/// A string field as a document gives it: text, or (in a pipeline definition) an expression.
pub enum Text<'a> {
    /// A JSON string.
    Plain(String),
    /// Anything else, as written.
    Expr(&'a RawValue),
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw: &'de RawValue = Deserialize::deserialize(d)?;
        if raw.get().starts_with('"') {
            serde_json::from_str(raw.get())
                .map(Text::Plain)
                .map_err(de::Error::custom)
        } else {
            Ok(Text::Expr(raw))
        }
    }
}

/// How expressions are read: a describe response never holds one (it is a malformed
/// document); a pipeline definition resolves them through its parameters.
#[derive(Clone, Copy)]
pub enum Scope<'p> {
    /// A describe response.
    Describe,
    /// A pipeline step's arguments.
    Pipeline {
        /// The definition's parameters.
        parameters: &'p crate::expr::Parameters,
        /// The definition came through a CloudFormation `Fn::Sub` or `Fn::Join`: what the
        /// template gives the `${…}` placeholders left in it.
        template: Option<&'p crate::expr::TemplateValues>,
    },
}

impl Scope<'_> {
    fn resolve(self, field: &str, raw: &RawValue) -> Result<crate::expr::Resolved, DocumentError> {
        match self {
            Scope::Describe => Err(DocumentError::at(
                format!("{field} has an unexpected type or value (expected a string)"),
                raw.get(),
            )),
            Scope::Pipeline {
                parameters,
                template,
            } => {
                let value: serde_json::Value =
                    serde_json::from_str(raw.get()).map_err(|e| DocumentError::json(&e))?;
                Ok(crate::expr::resolve(&value, parameters, template.is_some()))
            }
        }
    }

    /// A partly known key: its readings under the template, or the expression with holes.
    fn partial(self, shown: String, parts: Vec<crate::expr::Part>) -> (Option<String>, KeySource) {
        let Scope::Pipeline {
            template: Some(template),
            ..
        } = self
        else {
            return (None, KeySource::Expression { shown, parts });
        };
        let mut readings = template.readings(&parts);
        if readings.len() == 1 && readings[0].when.is_empty() {
            let only = readings.remove(0);
            return match only.text() {
                Some(text) => (Some(text), KeySource::Literal),
                None => (
                    None,
                    KeySource::Expression {
                        shown,
                        parts: only.parts,
                    },
                ),
            };
        }
        (None, KeySource::Readings(readings))
    }

    /// A key's value and where it came from.
    fn key(
        self,
        field: &str,
        text: Option<&Text<'_>>,
    ) -> Result<(Option<String>, KeySource), DocumentError> {
        use crate::expr::Resolved;
        let template = matches!(
            self,
            Scope::Pipeline {
                template: Some(_),
                ..
            }
        );
        Ok(match text {
            None => (None, KeySource::Literal),
            Some(Text::Plain(t)) if template && t.contains("${") => self.partial(
                crate::text::one_line(t, 200),
                crate::expr::template_parts(t),
            ),
            Some(Text::Plain(t)) => (Some(t.clone()), KeySource::Literal),
            Some(Text::Expr(raw)) => match self.resolve(field, raw)? {
                Resolved::Text { text, parameters } if parameters.is_empty() => {
                    (Some(text), KeySource::Literal)
                }
                Resolved::Text { text, parameters } => {
                    (Some(text), KeySource::Parameters(parameters))
                }
                Resolved::NoDefault { parameters } => (None, KeySource::NoDefault(parameters)),
                Resolved::Unknown { shown, parts } => self.partial(shown, parts),
            },
        })
    }

    /// An instance type or S3 location: the text when the document says it, the expression
    /// as written when only a run knows it (an unknown instance type needs a key), `None`
    /// when absent.
    pub fn text(
        self,
        field: &str,
        text: &Option<Text<'_>>,
    ) -> Result<Option<String>, DocumentError> {
        use crate::expr::Resolved;
        Ok(match text {
            None => None,
            Some(Text::Plain(t)) => Some(t.clone()),
            Some(Text::Expr(raw)) => Some(match self.resolve(field, raw)? {
                Resolved::Text { text, .. } => text,
                Resolved::NoDefault { parameters } => {
                    format!("(parameter {} without a default)", parameters.join(", "))
                }
                Resolved::Unknown { shown, .. } => shown,
            }),
        })
    }
}

impl Scope<'_> {
    /// The instance types a field allows. A type from a pipeline parameter may be replaced by
    /// any type at each execution (unless the parameter lists its `EnumValues`), and a type
    /// known only at run time may be any: such a set is open
    /// ([`crate::resource::open_instance_type`]), so a volume key stays required.
    pub fn types(self, field: &str, text: &Option<Text<'_>>) -> Result<Vec<String>, DocumentError> {
        use crate::expr::Resolved;
        let (Some(Text::Expr(raw)), Scope::Pipeline { parameters, .. }) = (text, self) else {
            return Ok(non_blank(self.text(field, text)?).into_iter().collect());
        };
        let open = crate::resource::open_instance_type;
        // Names and expressions come from the input: one line, bounded.
        let names_of = |names: &[String]| crate::text::one_line(&names.join(", "), 200);
        Ok(match self.resolve(field, raw)? {
            Resolved::Text {
                text,
                parameters: names,
            } if names.is_empty() => vec![text],
            Resolved::Text {
                text,
                parameters: names,
            } => {
                let listed = match names.as_slice() {
                    [one] => parameters.enum_values(one),
                    _ => None,
                };
                match listed {
                    Some(values) => values.to_vec(),
                    None => vec![
                        text.clone(),
                        open(&format!(
                            "it comes from pipeline parameter {} (default {}), and an \
                             execution can pass any instance type",
                            names_of(&names),
                            crate::text::one_line(&text, 100)
                        )),
                    ],
                }
            }
            Resolved::NoDefault { parameters: names } => vec![open(&format!(
                "it comes from pipeline parameter {}, which has no default",
                names_of(&names)
            ))],
            Resolved::Unknown { shown, .. } => vec![open(&format!(
                "it is {shown}, known only when the pipeline runs"
            ))],
        })
    }
}

crate::resource::registered_kinds!(declare_modules);
use registry::declare_modules;

/// A top-level field name, borrowed from the text unless it holds escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Key<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// The top-level fields of a JSON object, each as the raw text of its value. A field given
/// twice is refused: JSON readers disagree about which copy wins, and an API never sends two.
pub struct Fields<'a> {
    entries: Vec<(Cow<'a, str>, &'a RawValue)>,
    /// The document the fields were read from, so errors inside a field's value can name
    /// their line in it.
    text: &'a str,
}

impl<'de: 'a, 'a> Deserialize<'de> for Fields<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Fields<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields<'a>, A::Error> {
                let mut entries: Vec<(Cow<'a, str>, &'a RawValue)> = Vec::with_capacity(24);
                while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
                    let value: &'de RawValue = map.next_value()?;
                    entries.push((key, value));
                }
                entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
                if let Some(w) = entries.windows(2).find(|w| w[0].0 == w[1].0) {
                    return Err(de::Error::custom(format!(
                        "the field {:?} is given twice",
                        crate::text::one_line(&w[0].0, 80)
                    )));
                }
                Ok(Fields { entries, text: "" })
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

impl<'a> Fields<'a> {
    /// Reads the top-level fields of the JSON object `text`.
    pub fn parse(text: &'a str) -> Result<Self, serde_json::Error> {
        let mut fields: Fields<'a> = serde_json::from_str(text)?;
        fields.text = text;
        Ok(fields)
    }

    /// The raw value of a field, if present (also when `null`).
    pub fn raw(&self, name: &str) -> Option<&'a RawValue> {
        // The first byte decides most comparisons: only names that share it go to a
        // full (memcmp) comparison. The order is the same lexicographic one.
        let first = name.as_bytes().first();
        self.entries
            .binary_search_by(|(k, _)| {
                let k: &str = k.as_ref();
                k.as_bytes().first().cmp(&first).then_with(|| k.cmp(name))
            })
            .ok()
            .map(|i| self.entries[i].1)
    }

    /// Every field, in name order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &'a RawValue)> {
        self.entries.iter().map(|(k, v)| (k.as_ref(), *v))
    }

    /// True when the field is present.
    pub fn has(&self, name: &str) -> bool {
        self.raw(name).is_some()
    }

    /// A field parsed as `T`, with the slice of text it was read from.
    pub fn get<T: Deserialize<'a>>(&self, name: &str) -> Result<Option<At<'a, T>>, DocumentError> {
        let Some(raw) = self.raw(name) else {
            return Ok(None);
        };
        at(raw.get()).map(Some).map_err(|e| {
            let mut error = field_error(name, &e);
            // The parser counted lines from the value's start; count those before it.
            let offset = (raw.get().as_ptr() as usize).wrapping_sub(self.text.as_ptr() as usize);
            if let (Some(line), Some(before)) = (error.line, self.text.get(..offset)) {
                let before = memchr::memchr_iter(b'\n', before.as_bytes()).count();
                error.line = Some(line.saturating_add(u32::try_from(before).unwrap_or(u32::MAX)));
            }
            error
        })
    }

    /// A string field (`null` counts as absent).
    pub fn string(&self, name: &str) -> Result<Option<String>, DocumentError> {
        Ok(self.get::<Option<String>>(name)?.and_then(|a| a.value))
    }

    /// A timestamp field, as epoch seconds or ISO 8601.
    pub fn time(&self, name: &str) -> Result<Option<Timestamp>, DocumentError> {
        Ok(self
            .get::<Option<RawTime>>(name)?
            .and_then(|a| a.value.map(|t| t.0)))
    }
}

fn at<'a, T: Deserialize<'a>>(raw: &'a str) -> Result<At<'a, T>, serde_json::Error> {
    serde_json::from_str(raw).map(|value| At { raw, value })
}

fn field_error(name: &str, e: &serde_json::Error) -> DocumentError {
    let mut error = DocumentError::json(e);
    error.message = match error.message.strip_prefix("a field has ") {
        Some(rest) => format!("{name} has {rest}"),
        None => format!("{name}: {}", error.message),
    };
    error
}

/// A value together with the slice of the document it was read from, so its line can be found
/// later. A field that is absent (under `#[serde(default)]`) has an empty slice.
pub struct At<'a, T> {
    /// The text of the value.
    pub raw: &'a str,
    /// The value.
    pub value: T,
}

impl<T: Default> Default for At<'_, T> {
    fn default() -> Self {
        At {
            raw: "",
            value: T::default(),
        }
    }
}

impl<'a, T> At<'a, T> {
    /// The slice the value was read from; `None` when the field was absent.
    pub fn slice(&self) -> Option<&'a str> {
        Some(self.raw).filter(|r| !r.is_empty())
    }
}

impl<'de: 'a, 'a, T: Deserialize<'de>> Deserialize<'de> for At<'a, T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw: &'de RawValue = Deserialize::deserialize(d)?;
        let raw = raw.get();
        // The slice's own error position would be relative to the slice: keep only the
        // outer parser's.
        serde_json::from_str(raw)
            .map(|value| At { raw, value })
            .map_err(|e| {
                let text = e.to_string();
                let position = format!(" at line {} column {}", e.line(), e.column());
                de::Error::custom(text.strip_suffix(&position).unwrap_or(&text))
            })
    }
}

/// A timestamp as the wire / CLI v1 (epoch seconds) or CLI v2 (ISO 8601) prints it.
pub struct RawTime(pub Timestamp);

impl<'de> Deserialize<'de> for RawTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RawTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("epoch seconds or an ISO 8601 timestamp")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawTime, E> {
                Timestamp::from_epoch_seconds(v)
                    .map(RawTime)
                    .ok_or_else(|| E::custom(format!("timestamp {v} is out of range")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawTime, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawTime, E> {
                self.visit_f64(v as f64)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawTime, E> {
                Timestamp::parse_iso(v).map(RawTime).ok_or_else(|| {
                    E::custom(format!(
                        "{:?} is not an ISO 8601 timestamp",
                        crate::text::one_line(v, 60)
                    ))
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// `{ "InstanceType": … }`, the element of instance groups, preferences and configs.
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceEntry<'a> {
    /// `InstanceType`.
    #[serde(borrow)]
    pub instance_type: Option<Text<'a>>,
}

/// Instance types of a list of entries, blanks left out.
pub fn types_of(
    field: &str,
    entries: &Option<Vec<InstanceEntry<'_>>>,
    scope: Scope<'_>,
) -> Result<Vec<String>, DocumentError> {
    let mut out = Vec::new();
    for e in entries.iter().flatten() {
        out.extend(scope.types(field, &e.instance_type)?);
    }
    Ok(out)
}

/// A text that is present and not blank.
pub fn non_blank(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}

/// A key slot being built, with the text of its value and of the object that holds it.
pub struct SlotDraft<'a> {
    /// The slot (lines not yet known).
    pub slot: KeySlot,
    /// The key's value text, when present.
    pub value_at: Option<&'a str>,
    /// The holding object's text, when present.
    pub parent_at: Option<&'a str>,
}

impl<'a> SlotDraft<'a> {
    /// A slot whose key (an `At` of an optional text) sits in an object read from `parent`.
    pub fn new(
        slot: KeySlot,
        key: Option<&At<'a, Option<Text<'a>>>>,
        parent: Option<&'a str>,
        scope: Scope<'_>,
    ) -> Result<Self, DocumentError> {
        let mut slot = slot;
        let (value, source) = scope.key(&slot.field, key.and_then(|k| k.value.as_ref()))?;
        slot.value = value;
        slot.source = source;
        Ok(SlotDraft {
            slot,
            value_at: key.and_then(At::slice),
            parent_at: parent,
        })
    }

    /// An output slot: its key sits in an object read from `parent`, and what it protects is
    /// written to the S3 location `location` (named `location_field` in errors).
    pub fn output(
        slot: KeySlot,
        location_field: &str,
        location: Option<&Option<Text<'a>>>,
        key: Option<&At<'a, Option<Text<'a>>>>,
        parent: Option<&'a str>,
        scope: Scope<'_>,
    ) -> Result<Self, DocumentError> {
        let mut slot = slot;
        if let Some(location) = location {
            slot.locations = scope.text(location_field, location)?.into_iter().collect();
        }
        SlotDraft::new(slot, key, parent, scope)
    }
}

/// What a parser knows about a resource besides its key slots.
pub struct Head {
    /// Its kind.
    pub kind: Kind,
    /// Where it comes from.
    pub origin: Origin,
    /// Its name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// Account id from the ARN.
    pub account_id: String,
    /// Region from the ARN.
    pub region: String,
    /// ARN partition.
    pub partition: String,
    /// The kind's status field.
    pub status: Option<String>,
    /// `CreationTime`.
    pub creation_time: Option<Timestamp>,
    /// `LastModifiedTime`, or the kind's stand-in.
    pub last_modified_time: Option<Timestamp>,
    /// Every instance type the resource may run on.
    pub instance_types: Vec<String>,
}

/// A resource being built.
pub struct Draft<'a> {
    /// The resource (file and lines not yet known).
    pub resource: Head,
    /// Its key slots.
    pub slots: Vec<SlotDraft<'a>>,
}

impl Draft<'_> {
    /// The finished resource: `text` is the document (whose slices the drafts hold) and it
    /// begins on `first_line` of `file`.
    pub fn finish(self, text: &str, first_line: u32, file: &str) -> Resource {
        let mut wanted: Vec<(usize, bool, &str)> = Vec::with_capacity(self.slots.len() * 2);
        for (i, d) in self.slots.iter().enumerate() {
            wanted.extend(d.value_at.map(|s| (i, true, s)));
            wanted.extend(d.parent_at.map(|s| (i, false, s)));
        }
        // In text order, so the counter passes over every byte once.
        wanted.sort_by_key(|w| w.2.as_ptr() as usize);
        let mut counter = LineCounter::new(text, first_line);
        let mut slots: Vec<KeySlot> = self.slots.into_iter().map(|d| d.slot).collect();
        for slot in &mut slots {
            slot.parent_line = first_line;
        }
        for (i, is_value, slice) in wanted {
            let line = counter.line_of(slice);
            let slot = &mut slots[i];
            if is_value {
                slot.value_line = Some(line);
            } else {
                slot.parent_line = line;
            }
        }
        let h = self.resource;
        Resource {
            about: std::sync::Arc::new(ResourceRef {
                kind: h.kind,
                origin: h.origin,
                name: h.name,
                arn: h.arn,
                account_id: h.account_id,
                region: h.region,
                status: h.status,
                creation_time: h.creation_time.map(|t| t.to_rfc3339()),
                last_modified_time: h.last_modified_time.map(|t| t.to_rfc3339()),
                instance_types: h.instance_types,
                source_file: file.to_owned(),
            }),
            partition: h.partition,
            last_modified: h.last_modified_time,
            slots,
            document_line: first_line,
        }
    }
}

/// The identity every kind shares: name and ARN fields, validated and consistent.
pub struct Identity {
    /// The name.
    pub name: String,
    /// The ARN.
    pub arn: String,
    /// Its parts.
    pub parts: ArnParts,
}

/// Reads and checks a kind's name and ARN fields ([`Api::name_field`] and [`Api::arn_field`]).
pub fn identity(f: &Fields<'_>, kind: Kind) -> Result<Identity, DocumentError> {
    let api = &kind.decl().api;
    let (name_field, arn_field, describe) = (api.name_field, api.arn_field, api.describe);
    let name = f.string(name_field)?;
    let arn = f.string(arn_field)?;
    let (Some(name), Some(arn)) = (name, arn) else {
        return Err(DocumentError::new(format!(
            "{describe} document without {}",
            if f.has(name_field) {
                arn_field
            } else {
                name_field
            }
        )));
    };
    // The ARN's parts become report columns and, in `collect`, directory names.
    let (parts, arn_name) = ArnParts::sagemaker(&arn, kind.arn_resource())
        .map_err(|e| DocumentError::new(format!("{arn_field} {e}")))?;
    // SageMaker writes the name into the ARN in lower case (or an id it assigns).
    if !kind.arn_id() && !arn_name.eq_ignore_ascii_case(&name) {
        return Err(DocumentError::new(format!(
            "{arn_field} names {:?} but {name_field} is {:?}",
            crate::text::one_line(arn_name, 100),
            crate::text::one_line(&name, 100)
        )));
    }
    Ok(Identity { name, arn, parts })
}

/// A resource with its identity filled in and nothing else yet.
pub fn resource(kind: Kind, id: Identity) -> Head {
    Head {
        kind,
        origin: Origin::Resource,
        name: id.name,
        arn: id.arn,
        account_id: id.parts.account_id,
        region: id.parts.region,
        partition: id.parts.partition,
        status: None,
        creation_time: None,
        last_modified_time: None,
        instance_types: Vec::new(),
    }
}

/// Every instance type of a list of slots, once each, in order.
pub fn distinct_types(slots: &[SlotDraft<'_>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in slots.iter().flat_map(|d| &d.slot.instance_types) {
        if !out.contains(t) {
            out.push(t.clone());
        }
    }
    out
}

/// The resource a describe document holds, for the kinds' tests (panics on anything else).
#[cfg(test)]
pub(crate) fn read_resource(text: &str) -> crate::resource::Resource {
    use crate::ingest::document::{Document, parse};
    match parse(text, 1, "f.json") {
        Ok(Document::Resource(r)) => *r,
        Ok(_) => panic!("not a resource"),
        Err(e) => panic!("{e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::read_resource as read;
    use crate::ingest::document::parse;
    use crate::resource::{KeySlot, Kind, Resource, Role};

    /// `(role, part, field, value, value line, parent line)` of a slot.
    type Row<'a> = (
        Role,
        Option<&'a str>,
        &'a str,
        Option<&'a str>,
        Option<u32>,
        u32,
    );

    /// Every slot of a resource as a [`Row`].
    fn slots(r: &Resource) -> Vec<Row<'_>> {
        r.slots
            .iter()
            .map(|s: &KeySlot| {
                (
                    s.role,
                    s.part.as_deref(),
                    s.field.as_ref(),
                    s.value.as_deref(),
                    s.value_line,
                    s.parent_line,
                )
            })
            .collect()
    }

    const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/8a1b2c3d-4e5f-4a6b-9c8d-7e6f5a4b3c2d";

    #[test]
    fn processing_jobs_have_a_cluster_volume_and_one_key_for_all_outputs() {
        let r = read(include_str!(
            "../../samples/processing/feature-prep-encrypted.json"
        ));
        assert_eq!(
            (r.kind, r.name.as_str()),
            (Kind::Processing, "feature-prep-2025-02-03")
        );
        assert_eq!(r.instance_types, ["ml.m5.2xlarge"]);
        assert_eq!(
            slots(&r),
            [
                (
                    Role::Volume,
                    None,
                    "ProcessingResources.ClusterConfig.VolumeKmsKeyId",
                    Some(KEY),
                    Some(45),
                    41
                ),
                (
                    Role::Output,
                    None,
                    "ProcessingOutputConfig.KmsKeyId",
                    Some(KEY),
                    Some(37),
                    16
                ),
            ]
        );
        assert_eq!(
            r.slots[1].locations.len(),
            2,
            "every S3 output is under the key"
        );
        let none = read(include_str!(
            "../../samples/processing/validate-only-no-outputs.json"
        ));
        assert!(none.slots[1].nothing_to_protect);
    }

    #[test]
    fn processing_instance_preferences_count_until_one_is_selected() {
        let doc = |cluster: &str| {
            format!(
                r#"{{"ProcessingJobName":"p","ProcessingJobArn":"arn:aws:sagemaker:us-east-1:111122223333:processing-job/p",
                   "ProcessingResources":{{"ClusterConfig":{cluster}}},"AppSpecification":{{"ImageUri":"i"}}}}"#
            )
        };
        let pending = read(&doc(
            r#"{"InstancePreferences":[{"InstanceType":"ml.p5.48xlarge"},{"InstanceType":"ml.m5.xlarge"}],"InstanceCount":1,"VolumeSizeInGB":5}"#,
        ));
        assert_eq!(
            pending.slots[0].instance_types,
            ["ml.p5.48xlarge", "ml.m5.xlarge"]
        );
        let selected = read(&doc(
            r#"{"InstancePreferences":[{"InstanceType":"ml.p5.48xlarge"},{"InstanceType":"ml.m5.xlarge"}],"SelectedInstanceType":"ml.p5.48xlarge"}"#,
        ));
        assert_eq!(selected.slots[0].instance_types, ["ml.p5.48xlarge"]);
        // Without ProcessingOutputConfig the output key protects nothing; without
        // ProcessingResources the volume slot points at the document.
        assert!(pending.slots[1].nothing_to_protect);
        let bare = read(
            r#"{"ProcessingJobName":"p","ProcessingJobArn":"arn:aws:sagemaker:us-east-1:111122223333:processing-job/p","AppSpecification":{}}"#,
        );
        assert_eq!(
            (bare.slots[0].value_line, bare.slots[0].parent_line),
            (None, 1)
        );
    }

    #[test]
    fn transform_jobs_have_a_data_capture_output_when_it_is_configured() {
        let r = read(include_str!(
            "../../samples/transform/nightly-scoring-encrypted.json"
        ));
        assert_eq!(
            slots(&r),
            [
                (
                    Role::Volume,
                    None,
                    "TransformResources.VolumeKmsKeyId",
                    Some(KEY),
                    Some(34),
                    31
                ),
                (
                    Role::Output,
                    None,
                    "TransformOutput.KmsKeyId",
                    Some(KEY),
                    Some(29),
                    25
                ),
                (
                    Role::Output,
                    Some("data capture"),
                    "DataCaptureConfig.KmsKeyId",
                    Some("alias/ml-training"),
                    Some(38),
                    36
                ),
            ]
        );
        // DescribeTransformJob has no LastModifiedTime: the end time stands in.
        assert_eq!(
            r.last_modified_time.as_deref().unwrap(),
            "2025-03-01T02:09:13.870Z"
        );
        let plain = read(include_str!(
            "../../samples/transform/gpu-inference-nvme.json"
        ));
        assert_eq!(plain.slots.len(), 2);
        assert_eq!(plain.instance_types, ["ml.g4dn.xlarge"]);
    }

    #[test]
    fn tuning_jobs_have_two_slots_per_definition() {
        let r = read(include_str!(
            "../../samples/tuning/multi-algorithm-hpo.json"
        ));
        let parts: Vec<(Role, Option<&str>, &str, Option<u32>)> = r
            .slots
            .iter()
            .map(|s| (s.role, s.part.as_deref(), s.field.as_ref(), s.value_line))
            .collect();
        assert_eq!(
            parts,
            [
                (
                    Role::Volume,
                    Some("definition xgb"),
                    "TrainingJobDefinitions[0].ResourceConfig.VolumeKmsKeyId",
                    Some(60)
                ),
                (
                    Role::Output,
                    Some("definition xgb"),
                    "TrainingJobDefinitions[0].OutputDataConfig.KmsKeyId",
                    Some(54)
                ),
                (
                    Role::Volume,
                    Some("definition linear-learner"),
                    "TrainingJobDefinitions[1].HyperParameterTuningResourceConfig.VolumeKmsKeyId",
                    None
                ),
                (
                    Role::Output,
                    Some("definition linear-learner"),
                    "TrainingJobDefinitions[1].OutputDataConfig.KmsKeyId",
                    None
                ),
            ]
        );
        // A missing key points at the object that should hold it.
        assert_eq!((r.slots[2].parent_line, r.slots[3].parent_line), (111, 108));
        assert_eq!(r.slots[2].instance_types, ["ml.c5.xlarge", "ml.m5.xlarge"]);
        assert_eq!(r.instance_types, ["ml.m5.xlarge", "ml.c5.xlarge"]);
        let single = read(include_str!("../../samples/tuning/xgb-hpo-encrypted.json"));
        assert!(single.slots.iter().all(|s| s.part.is_none()));
        assert_eq!(
            single.slots[0].field,
            "TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId"
        );
    }

    #[test]
    fn tuning_definitions_get_distinct_parts_whatever_their_names() {
        let def = |name: &str| {
            format!(
                r#"{{"DefinitionName":{name},"ResourceConfig":{{"InstanceType":"ml.m5.xlarge"}},"OutputDataConfig":{{}}}}"#
            )
        };
        let doc = format!(
            r#"{{"HyperParameterTuningJobName":"h","HyperParameterTuningJobArn":"arn:aws:sagemaker:us-east-1:111122223333:hyper-parameter-tuning-job/h",
               "HyperParameterTuningJobConfig":{{}},"TrainingJobDefinition":{},"TrainingJobDefinitions":[{},{},{}]}}"#,
            def("\"solo\""),
            def("\"x\""),
            def("\"x\""),
            def("null")
        );
        let r = read(&doc);
        let mut parts: Vec<&str> = r.slots.iter().filter_map(|s| s.part.as_deref()).collect();
        assert_eq!(parts.len(), 8);
        parts.dedup();
        assert_eq!(
            parts,
            [
                "TrainingJobDefinition",
                "definition x",
                "definition 2",
                "definition 3"
            ]
        );
        let empty = read(
            r#"{"HyperParameterTuningJobName":"h","HyperParameterTuningJobArn":"arn:aws:sagemaker:us-east-1:111122223333:hyper-parameter-tuning-job/h","HyperParameterTuningJobConfig":{}}"#,
        );
        assert_eq!(
            empty.slots.len(),
            2,
            "no definition: both keys are judged missing"
        );
    }

    #[test]
    fn automl_v2_and_v1_documents_name_their_volume_key_where_they_keep_it() {
        let v2 = read(include_str!("../../samples/automl/churn-autopilot-v2.json"));
        assert_eq!(
            slots(&v2),
            [
                (
                    Role::Volume,
                    None,
                    "SecurityConfig.VolumeKmsKeyId",
                    Some(KEY),
                    Some(42),
                    41
                ),
                (
                    Role::Output,
                    None,
                    "OutputDataConfig.KmsKeyId",
                    Some(KEY),
                    Some(19),
                    17
                ),
            ]
        );
        assert!(
            v2.instance_types.is_empty(),
            "AutoML picks its own instances"
        );
        let v1 = read(include_str!(
            "../../samples/automl/legacy-autopilot-v1.json"
        ));
        assert_eq!(
            v1.slots[0].field,
            "AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId"
        );
        assert_eq!(
            (v1.slots[0].value.as_deref(), v1.slots[0].parent_line),
            (None, 31)
        );
        assert_eq!(v1.slots[1].value.as_deref(), Some("alias/aws/s3"));
    }

    #[test]
    fn an_arn_of_another_kind_is_refused() {
        let e = parse(
            r#"{"ProcessingJobName":"p","ProcessingJobArn":"arn:aws:sagemaker:us-east-1:111122223333:training-job/p","AppSpecification":{}}"#,
            1,
            "f.json",
        )
        .err()
        .unwrap();
        assert!(e.message.contains("ProcessingJobArn"), "{}", e.message);
    }
}
