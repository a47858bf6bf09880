//! CloudFormation YAML templates, pipeline definitions and SageMaker Python SDK configuration
//! files, with three oracles:
//! - whatever the text, reading it ends as nothing (not a template), steps and errors, or one
//!   error, and every line it reports lies inside the text;
//! - every step found belongs to a pipeline of the template and points at a line of it;
//! - a configuration file's JSON is valid, never has more lines than the YAML (it is laid out
//!   on the YAML's lines), and every key slot judged from it points at a line of the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sagemaker_audit::pipeline::cloudformation::yaml_template;
use sagemaker_audit::pipeline::yaml;
use sagemaker_audit::sdk_config;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = text.lines().count().max(1) as u32 + 1;
    match yaml_template(text, "fuzz.yaml") {
        Ok(None) => {}
        Ok(Some(steps)) => {
            for e in &steps.errors {
                assert!(
                    e.line.is_none_or(|l| l >= 1 && l <= lines),
                    "{e:?} in {lines} lines"
                );
                assert!(!e.message.contains('\n'), "{e:?}");
            }
            for r in &steps.resources {
                // A pipeline's step is PIPELINE/STEP; a resource the template declares is its
                // logical id.
                assert!(
                    r.name.contains('/')
                        || r.origin == sagemaker_audit::resource::Origin::IacResource,
                    "{}",
                    r.name
                );
                for slot in &r.slots {
                    assert!(
                        slot.line() >= 1 && slot.line() <= lines,
                        "{slot:?} in {lines} lines"
                    );
                }
            }
        }
        Err(e) => {
            assert!(
                e.line.is_none_or(|l| l >= 1 && l <= lines),
                "{e:?} in {lines} lines"
            );
        }
    }
    let Ok(Some(root)) = yaml::load(text) else {
        return;
    };
    match sdk_config::yaml_file(&root) {
        None => {}
        Some(Err(e)) => assert!(e.line.is_some_and(|l| l >= 1 && l <= lines), "{e:?}"),
        Some(Ok(json)) => {
            assert!(
                serde_json::from_str::<serde_json::Value>(&json).is_ok(),
                "{json}"
            );
            assert!(json.lines().count() as u32 <= lines, "{json}");
            let judged = sdk_config::judge(
                &[sdk_config::ConfigFile {
                    text: &json,
                    first_line: 1,
                    file: "fuzz.yaml",
                }],
                None,
            );
            for r in &judged.resources {
                for slot in &r.slots {
                    assert!(
                        slot.line() >= 1 && slot.line() <= lines,
                        "{slot:?} in {lines} lines"
                    );
                }
            }
        }
    }
});
