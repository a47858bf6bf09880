//! The quick start: every shipped sample gives the verdicts `samples/README.md` promises.

use sagemaker_audit::resource::Role;
use std::collections::BTreeMap;

use crate::common::*;

type Row = (String, String, String);

/// `(file, job, part)` → the README's verdict cells for the volume and output checks.
fn promised() -> BTreeMap<Row, (String, String)> {
    let readme = std::fs::read_to_string(repo().join("samples/README.md")).unwrap();
    readme
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            let file = format!("samples/{}", cells[0].trim_matches('`'));
            (
                (file, cells[1].to_owned(), cells[2].to_owned()),
                (cells[3].to_owned(), cells[4].to_owned()),
            )
        })
        .collect()
}

/// A finding as the README writes it: the status, then the key manager when there is one.
fn cell(f: &serde_json::Value) -> String {
    let status = f["status"].as_str().unwrap();
    match f["key_manager"].as_str().unwrap() {
        "" => status.to_owned(),
        manager => format!("{status} {manager}"),
    }
}

#[test]
fn samples_give_the_verdicts_their_readme_promises() {
    let out = tempfile::tempdir().unwrap();
    let run = tool()
        .cwd(repo())
        .args(["scan", "samples/", "--out-dir"])
        .arg(out.path().to_str().unwrap())
        .run();
    assert_eq!(
        run.code, 3,
        "the samples include one list-training-jobs export: {}",
        run.stderr
    );
    let doc = json(out.path(), "report.json");
    let mut found: BTreeMap<Row, (String, String)> = BTreeMap::new();
    for f in doc["findings"].as_array().unwrap() {
        let key = (
            f["source_file"].as_str().unwrap().to_owned(),
            f["job_name"].as_str().unwrap().to_owned(),
            f["part"].as_str().unwrap_or_default().to_owned(),
        );
        let slot = found
            .entry(key)
            .or_insert_with(|| ("—".to_owned(), "—".to_owned()));
        let rule = f["rule_id"].as_str().unwrap();
        // A store (a domain's home file system) sits in the volume column.
        match sagemaker_audit::kinds::checks::find(rule).map(|m| m.role) {
            Some(Role::Volume | Role::Store) => slot.0 = cell(f),
            Some(Role::Output) => slot.1 = cell(f),
            None => panic!("unexpected check {rule}"),
        }
    }
    for e in doc["errors"].as_array().unwrap() {
        let key = (
            e["source"].as_str().unwrap().to_owned(),
            String::new(),
            String::new(),
        );
        found.insert(key, ("ERROR".into(), "ERROR".into()));
    }
    let promised = promised();
    assert!(promised.len() >= 40, "{promised:#?}");
    assert_eq!(found, promised);
    // Every verdict and key manager shows up somewhere in the samples.
    let cells: std::collections::BTreeSet<&str> = promised
        .values()
        .flat_map(|(v, o)| [v.as_str(), o.as_str()])
        .collect();
    for wanted in [
        "PASS CUSTOMER",
        "PASS UNVERIFIED",
        "FAIL",
        "FAIL AWS",
        "FAIL CUSTOMER",
        "NOT_APPLICABLE",
        "ERROR",
    ] {
        assert!(cells.contains(wanted), "no sample shows {wanted}");
    }
    // Every kind is in the samples.
    let kinds: std::collections::BTreeSet<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["resource_type"].as_str().unwrap())
        .collect();
    let every: std::collections::BTreeSet<&str> = sagemaker_audit::resource::Kind::ALL
        .iter()
        .map(|k| k.resource_type())
        .collect();
    assert_eq!(kinds, every);
    assert_eq!(doc["inputs"]["skipped_files"], 1);
    assert_eq!(doc["inputs"]["kms_keys"], 3);
}
