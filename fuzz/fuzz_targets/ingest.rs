//! Document parsing, classification and rule evaluation, with three oracles:
//! - every document read ends as exactly one job (of any kind), pipeline document, KMS fact,
//!   manifest or refused document;
//! - every key slot of a job gets exactly one verdict from each check of its kind and role;
//! - a job whose key field was destroyed (removed, null, empty, a number) never passes that
//!   check.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sagemaker_audit::ingest::ingest_documents;
use sagemaker_audit::kinds::checks::REGISTRY;
use sagemaker_audit::report::Status;
use sagemaker_audit::rules::InstanceStorageTable;
use sagemaker_audit::scan::evaluate;
use serde_json::{Map, Value};

/// `(rule id, part)` and status of every finding.
type Verdicts = Vec<(&'static str, Option<String>, Status)>;

fn check(name: &str, bytes: Vec<u8>) -> Verdicts {
    let ingested = ingest_documents(vec![(name.to_owned(), bytes)]);
    let s = &ingested.stats;
    assert_eq!(
        s.documents,
        s.jobs
            + s.pipeline_documents
            + s.kms_keys
            + s.kms_alias_lists
            + s.manifests
            + s.rejected_documents,
        "a document ended as nothing, or as two things: {s:?}"
    );
    assert!(s.rejected_documents <= ingested.errors.len());
    let jobs = ingested
        .resources
        .iter()
        .filter(|r| r.origin == sagemaker_audit::resource::Origin::Resource)
        .count();
    assert_eq!(s.jobs, jobs);
    let expected: usize = ingested
        .resources
        .iter()
        .map(|r| {
            REGISTRY
                .iter()
                .map(|c| c.meta())
                .filter(|m| m.kind == r.kind)
                .map(|m| {
                    let n = r.slots.iter().filter(|s| s.role == m.role).count();
                    assert!(n >= 1, "{} has no slot for {}", r.arn, m.id);
                    n
                })
                .sum::<usize>()
        })
        .sum();
    let storage = InstanceStorageTable::built_in();
    let findings = evaluate(ingested.resources, &ingested.keys, &storage);
    assert_eq!(findings.len(), expected);
    // The findings of the document's own resources: the destroyed paths are its top-level
    // fields, which a pipeline step inside a template never reads.
    findings
        .iter()
        .filter(|f| f.resource.origin == sagemaker_audit::resource::Origin::Resource)
        .map(|f| (f.rule.id, f.part.as_deref().map(str::to_owned), f.status))
        .collect()
}

/// The key each check reads from a job's only (or first) slot.
const KEYS: &[(&[&str], &str)] = &[
    (&["ResourceConfig", "VolumeKmsKeyId"], "training-volume-cmk"),
    (&["OutputDataConfig", "KmsKeyId"], "training-output-cmk"),
    (
        &["ProcessingResources", "ClusterConfig", "VolumeKmsKeyId"],
        "processing-volume-cmk",
    ),
    (
        &["ProcessingOutputConfig", "KmsKeyId"],
        "processing-output-cmk",
    ),
    (
        &["TransformResources", "VolumeKmsKeyId"],
        "transform-volume-cmk",
    ),
    (&["TransformOutput", "KmsKeyId"], "transform-output-cmk"),
    (
        &["TrainingJobDefinition", "ResourceConfig", "VolumeKmsKeyId"],
        "tuning-volume-cmk",
    ),
    (
        &["TrainingJobDefinition", "OutputDataConfig", "KmsKeyId"],
        "tuning-output-cmk",
    ),
    (&["SecurityConfig", "VolumeKmsKeyId"], "automl-volume-cmk"),
    (&["OutputDataConfig", "KmsKeyId"], "automl-output-cmk"),
];

/// Sets (or removes) the key at `path`; where an object on the way is missing or not an
/// object, the whole top-level section goes.
fn destroy(doc: &mut Map<String, Value>, path: &[&str], with: &Option<Value>) {
    let (top, rest) = path.split_first().expect("a path");
    let mut at = match doc.get_mut(*top) {
        Some(Value::Object(o)) => o,
        _ => {
            doc.remove(*top);
            return;
        }
    };
    let (field, parents) = rest.split_last().expect("a field");
    for p in parents {
        match at.get_mut(*p) {
            Some(Value::Object(o)) => at = o,
            _ => {
                doc.remove(*top);
                return;
            }
        }
    }
    match with {
        None => {
            at.remove(*field);
        }
        Some(v) => {
            at.insert((*field).to_owned(), v.clone());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    check("fuzz.json", data.to_vec());
    check("fuzz.jsonl", data.to_vec());
    let Ok(Value::Object(doc)) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    for (path, rule) in KEYS {
        for destroyed in [
            None,
            Some(Value::Null),
            Some(Value::from("")),
            Some(Value::from(7)),
        ] {
            let mut d = doc.clone();
            destroy(&mut d, path, &destroyed);
            let bytes = serde_json::to_vec(&Value::Object(d)).expect("serialises");
            for (r, part, status) in check("destroyed.json", bytes) {
                let first = part.is_none() || part.as_deref() == Some("TrainingJobDefinition");
                assert!(
                    !(r == *rule && first && status == Status::Pass),
                    "{rule} passed with {} destroyed ({destroyed:?})",
                    path.join(".")
                );
            }
        }
    }
});
