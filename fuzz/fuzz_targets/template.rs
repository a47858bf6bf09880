//! CloudFormation YAML templates and pipeline definitions, with two oracles:
//! - whatever the text, reading it ends as nothing (not a template), steps and errors, or one
//!   error, and every line it reports lies inside the text;
//! - every step found belongs to a pipeline of the template and points at a line of it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sagemaker_audit::pipeline::cloudformation::yaml_template;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = text.lines().count().max(1) as u32 + 1;
    match yaml_template(text, "fuzz.yaml") {
        Ok(None) => {}
        Ok(Some(steps)) => {
            for e in &steps.errors {
                assert!(e.line.is_none_or(|l| l >= 1 && l <= lines), "{e:?} in {lines} lines");
                assert!(!e.message.contains('\n'), "{e:?}");
            }
            for r in &steps.resources {
                assert!(r.name.contains('/'), "{}", r.name);
                for slot in &r.slots {
                    assert!(slot.line() >= 1 && slot.line() <= lines, "{slot:?} in {lines} lines");
                }
            }
        }
        Err(e) => {
            assert!(e.line.is_none_or(|l| l >= 1 && l <= lines), "{e:?} in {lines} lines");
        }
    }
});
