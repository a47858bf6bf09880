//! Document parsing, classification and rule evaluation, with three oracles:
//! - every document read ends as exactly one job, KMS fact, manifest or refused document;
//! - every job gets exactly one verdict per check;
//! - a job whose key field was destroyed (removed, null, empty, a number) never passes that
//!   check.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sagemaker_audit::ingest::ingest_documents;
use sagemaker_audit::report::Status;
use sagemaker_audit::rules::{InstanceStorageTable, REGISTRY, RuleId};
use sagemaker_audit::scan::evaluate;
use serde_json::Value;

fn check(name: &str, bytes: Vec<u8>) -> Vec<(String, RuleId, Status)> {
    let ingested = ingest_documents(vec![(name.to_owned(), bytes)]);
    let s = &ingested.stats;
    assert_eq!(
        s.documents,
        s.jobs + s.kms_keys + s.kms_alias_lists + s.manifests + s.rejected_documents,
        "a document ended as nothing, or as two things: {s:?}"
    );
    assert!(s.rejected_documents <= ingested.errors.len());
    assert_eq!(s.jobs, ingested.jobs.len());
    let jobs = ingested.jobs.len();
    let storage = InstanceStorageTable::built_in();
    let findings = evaluate(ingested.jobs, &ingested.keys, &storage);
    assert_eq!(findings.len(), jobs * REGISTRY.len());
    findings
        .iter()
        .map(|f| (f.job.arn.clone(), f.rule_id, f.status))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    check("fuzz.json", data.to_vec());
    check("fuzz.jsonl", data.to_vec());
    let Ok(Value::Object(doc)) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    for (section, field, rule) in [
        ("ResourceConfig", "VolumeKmsKeyId", RuleId::TrainingVolumeCmk),
        ("OutputDataConfig", "KmsKeyId", RuleId::TrainingOutputCmk),
    ] {
        for destroyed in [None, Some(Value::Null), Some(Value::from("")), Some(Value::from(7))] {
            let mut d = doc.clone();
            match d.get_mut(section) {
                Some(Value::Object(s)) => match &destroyed {
                    None => {
                        s.remove(field);
                    }
                    Some(v) => {
                        s.insert(field.to_owned(), v.clone());
                    }
                },
                _ => {
                    d.remove(section);
                }
            }
            let bytes = serde_json::to_vec(&Value::Object(d)).expect("serialises");
            for (arn, r, status) in check("destroyed.json", bytes) {
                assert!(
                    !(r == rule && status == Status::Pass),
                    "{arn}: {rule} passed with {section}.{field} destroyed ({destroyed:?})"
                );
            }
        }
    }
});
