//! Reports of scans that span accounts: the per-account summary in JSON, HTML and Markdown,
//! accounts scanned without jobs, and accounts that could not be reached.

use crate::common::*;

/// A collect directory of an organisation scan: two accounts with jobs, one reached without
/// any, one whose role could not be assumed.
fn org_collect() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (account, file) in [
        ("111111111111", "unencrypted.json"),
        ("222222222222", "encrypted.json"),
    ] {
        let region = dir.path().join(format!("{account}/us-east-1/training"));
        std::fs::create_dir_all(&region).unwrap();
        let text = std::fs::read_to_string(fixtures().join("basic").join(file)).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let arn = doc["TrainingJobArn"].as_str().unwrap();
        let old_account = arn.split(':').nth(4).unwrap();
        std::fs::write(
            region.join(file),
            text.replace(&format!(":{old_account}:"), &format!(":{account}:")),
        )
        .unwrap();
    }
    let manifest = serde_json::json!({"SagemakerAuditManifest": {
        "schema_version": "1.2", "tool_version": "0.1.0", "generated_at": "2026-01-01T00:00:00Z",
        "scope": {"profile": null, "regions": ["us-east-1"], "kinds": ["training"], "created_after": null,
                  "status": null, "organization": true, "role_name": "SageMakerAudit"},
        "accounts": ["111111111111", "222222222222", "333333333333"],
        "accounts_failed": ["444444444444"],
        "counts": {"jobs_listed": 2, "jobs_described": 2, "keys_described": 0, "calls": 9},
        "failed_calls": [{"source": "account 444444444444", "file": false,
                          "message": "cannot assume arn:aws:iam::444444444444:role/SageMakerAudit: AccessDenied; its resources were not scanned"}],
        "jobs_gone": [], "regions_not_enabled": ["333333333333/ap-east-1"], "unverified_keys": []
    }});
    std::fs::write(dir.path().join("manifest.json"), manifest.to_string()).unwrap();
    dir
}

#[test]
fn every_account_is_summarised_even_without_jobs_or_unreached() {
    let dir = org_collect();
    let out = tempfile::tempdir().unwrap();
    let run = tool()
        .cwd(dir.path())
        .args(["scan", ".", "--format", "json,html,md", "--out-dir"])
        .arg(out.path().to_str().unwrap())
        .run();
    // An unreachable account makes the scan incomplete.
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("account 444444444444"),
        "{}",
        run.stderr
    );
    let doc = json(out.path(), "report.json");
    let accounts: Vec<(String, u64, u64, bool)> = doc["summary"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["account"].as_str().unwrap().to_owned(),
                a["resources"].as_u64().unwrap(),
                a["unwaived_fail"].as_u64().unwrap(),
                a["reached"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        accounts,
        [
            ("111111111111".into(), 1, 2, true),
            ("222222222222".into(), 1, 0, true),
            ("333333333333".into(), 0, 0, true),
            ("444444444444".into(), 0, 0, false),
        ]
    );
    assert_eq!(
        doc["inputs"]["regions_not_enabled"],
        serde_json::json!(["333333333333/ap-east-1"])
    );
    let html = read(out.path(), "report.html");
    assert!(html.contains("<table id=\"accounts\">"));
    assert!(html.contains("data-account=\"444444444444\""));
    let md = read(out.path(), "report.md");
    // Most open failures first.
    let first = md.find("| 111111111111 | 1 | 2 |").expect("account row");
    let second = md.find("| 222222222222 |").expect("account row");
    assert!(first < second, "{md}");
    assert!(
        md.contains("| 444444444444 | 0 | 0 | 0 | 0 | 0 | **no** (not reached, see errors) |"),
        "{md}"
    );
}

#[test]
fn one_account_needs_no_account_table() {
    let (out, _) = scan_to_dir(&["basic"], &["--format", "html,md,json"]);
    assert!(!read(out.path(), "report.html").contains("<table id=\"accounts\">"));
    assert!(!read(out.path(), "report.md").contains("| Account | Jobs |"));
    assert_eq!(
        json(out.path(), "report.json")["summary"]["accounts"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn files_of_several_accounts_have_no_scanned_column() {
    // Offline files of two accounts: the table is there, the question of reaching them is not.
    let dir = org_collect();
    std::fs::remove_file(dir.path().join("manifest.json")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = tool()
        .cwd(dir.path())
        .args(["scan", ".", "--format", "html,md", "--out-dir"])
        .arg(out.path().to_str().unwrap())
        .run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let md = read(out.path(), "report.md");
    assert!(
        md.contains("| Account | Jobs | Open FAIL | FAIL | PASS | NOT_APPLICABLE |\n"),
        "{md}"
    );
    assert!(!md.contains("Scanned"), "{md}");
    let html = read(out.path(), "report.html");
    assert!(html.contains("<table id=\"accounts\">") && !html.contains(">Scanned</th>"));
}
