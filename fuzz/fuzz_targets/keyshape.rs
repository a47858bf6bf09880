//! Keys known in part (CloudFormation `${…}` placeholders, pipeline expressions), with the
//! parser as the oracle: when the literal text is said to rule out a customer-managed key, no
//! filling of the holes may make one, and when it is said to be no key at all, no filling may
//! make any key. Input: the value on the first line, one filling per hole on the next lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sagemaker_audit::expr::{KeyShape, Part, key_shape, template_parts};
use sagemaker_audit::kms::KeyRef;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let template = lines.next().unwrap_or_default();
    // The parser trims a value's ends; holes stand for key characters only.
    if template.chars().any(char::is_whitespace) {
        return;
    }
    let parts = template_parts(template);
    let shape = key_shape(&parts);
    let key_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '_' | '-');
    let mut value = String::new();
    for p in &parts {
        match p {
            Part::Text(t) => value.push_str(t),
            Part::Hole(_) => {
                let filling = lines.next().unwrap_or_default();
                if !filling.chars().all(key_char) {
                    return;
                }
                value.push_str(filling);
            }
        }
    }
    let key = KeyRef::parse(&value);
    match shape {
        KeyShape::Depends => {}
        KeyShape::AwsManaged => assert!(
            key == KeyRef::Unrecognised || key.is_aws_managed_alias(),
            "{template:?} filled as {value:?} is a customer key"
        ),
        KeyShape::NotAKey => assert_eq!(key, KeyRef::Unrecognised, "{template:?} as {value:?}"),
    }
});
