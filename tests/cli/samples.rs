//! The quick start: the shipped samples give the documented verdicts.

use crate::common::*;

#[test]
fn samples_cover_every_verdict() {
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
    let s = &doc["summary"];
    assert_eq!(
        (s["jobs"].as_u64(), s["fail"].as_u64(), s["pass"].as_u64()),
        (Some(15), Some(11), Some(15))
    );
    assert_eq!(
        (s["not_applicable"].as_u64(), s["errors"].as_u64()),
        (Some(4), Some(1))
    );
    let managers: std::collections::BTreeSet<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key_manager"].as_str().unwrap())
        .collect();
    assert_eq!(
        managers.into_iter().collect::<Vec<_>>(),
        ["", "AWS", "CUSTOMER", "UNVERIFIED"]
    );
    assert_eq!(doc["inputs"]["skipped_files"], 1);
    assert_eq!(doc["inputs"]["kms_keys"], 3);
}
