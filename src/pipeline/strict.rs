//! Duplicate keys in JSON: readers disagree about which copy wins (serde keeps the last,
//! others the first), so a document that repeats a key has no one meaning and is refused
//! rather than read the friendly way.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The first key some object of `text` gives twice, if any (text that is not JSON has
/// none: its own reader reports that).
pub fn duplicate_key(text: &str) -> Option<String> {
    let mut de = serde_json::Deserializer::from_str(text);
    match Walk.deserialize(&mut de) {
        Err(e) => e
            .to_string()
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split(SUFFIX).next())
            .map(str::to_owned),
        Ok(()) => None,
    }
}

const PREFIX: &str = "duplicate key: ";
const SUFFIX: &str = " <end>";

struct Walk;

impl<'de> DeserializeSeed<'de> for Walk {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(Walk)
    }
}

impl<'de> Visitor<'de> for Walk {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Walk)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                // Drain nothing more: the first duplicate is the answer.
                let _ = map.next_value::<IgnoredAny>();
                return Err(de::Error::custom(format!(
                    "{PREFIX}{}{SUFFIX}",
                    crate::text::one_line(&key, 80)
                )));
            }
            map.next_value_seed(Walk)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_given_twice_at_any_depth_is_named() {
        assert_eq!(duplicate_key(r#"{"a": 1, "b": [{"c": 1}]}"#), None);
        assert_eq!(
            duplicate_key(r#"{"a": {"KmsKeyId": "alias/ok", "KmsKeyId": "alias/aws/s3"}}"#)
                .as_deref(),
            Some("KmsKeyId")
        );
        assert_eq!(
            duplicate_key(r#"[{"x": 1}, {"y": 1, "y": 2}]"#).as_deref(),
            Some("y")
        );
        assert_eq!(duplicate_key("not json"), None);
    }
}
