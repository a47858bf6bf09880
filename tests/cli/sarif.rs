//! SARIF: valid against the OASIS schema (and the 2020-12 copy that checks
//! `uri-reference`), locations GitHub accepts, fingerprints that survive moves and modes.

use crate::common::*;
use serde_json::Value;

fn schema(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo().join("tests/schemas").join(name)).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn assert_valid(sarif: &Value) {
    for name in [
        "sarif-schema-2.1.0.json",
        "sarif-schema-2.1.0.draft2020-12.json",
    ] {
        let v = schema(name);
        let errors: Vec<String> = v
            .iter_errors(sarif)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{name}:\n{}", errors.join("\n"));
    }
}

#[test]
fn sarif_is_schema_valid_for_every_kind_of_run() {
    for (paths, extra) in [
        (vec!["basic"], vec!["--kms-keys", "kms"]),
        (vec!["bad"], vec![]),
        (vec!["hostile"], vec!["--sarif-all-results"]),
        (vec!["basic/encrypted.json"], vec![]),
    ] {
        let (out, _) = scan_to_dir(&paths, &extra);
        assert_valid(&json(out.path(), "report.sarif"));
    }
}

#[test]
fn a_run_with_no_failures_still_has_a_results_array() {
    let (out, _) = scan_to_dir(&["basic/encrypted.json"], &[]);
    let sarif = json(out.path(), "report.sarif");
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(
        sarif["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    assert_eq!(
        sarif["runs"][0]["automationDetails"]["id"],
        "sagemaker-audit/"
    );
}

#[test]
fn only_failures_by_default_and_all_results_on_request() {
    let (out, _) = scan_to_dir(&["basic"], &[]);
    let results = json(out.path(), "report.sarif")["runs"][0]["results"].clone();
    assert_eq!(results.as_array().unwrap().len(), 4);
    assert!(
        results
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["kind"] == "fail" && r["level"] == "error")
    );
    let (out, _) = scan_to_dir(&["basic"], &["--sarif-all-results"]);
    let results = json(out.path(), "report.sarif")["runs"][0]["results"].clone();
    assert_eq!(results.as_array().unwrap().len(), 8);
}

#[test]
fn results_point_at_the_offending_line_and_name_the_job() {
    let (out, _) = scan_to_dir(&["basic"], &[]);
    let sarif = json(out.path(), "report.sarif");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let find = |job: &str, rule: &str| {
        results
            .iter()
            .find(|r| r["properties"]["jobName"] == job && r["ruleId"] == rule)
            .unwrap_or_else(|| panic!("{job} {rule}"))
    };
    let at = |r: &Value| {
        let p = &r["locations"][0]["physicalLocation"];
        (
            p["artifactLocation"]["uri"].as_str().unwrap().to_owned(),
            p["region"]["startLine"].as_u64().unwrap(),
        )
    };
    // Key present: its own line. Key missing: the parent object.
    let r = find("aws-managed", "training-volume-cmk");
    assert_eq!(
        at(r),
        (
            "basic/aws-managed.json".into(),
            line_of("basic/aws-managed.json", "VolumeKmsKeyId")
        )
    );
    let r = find("unencrypted", "training-volume-cmk");
    assert_eq!(
        at(r),
        (
            "basic/unencrypted.json".into(),
            line_of("basic/unencrypted.json", "\"ResourceConfig\"")
        )
    );
    let r = find("unencrypted", "training-output-cmk");
    assert_eq!(
        at(r).1,
        line_of("basic/unencrypted.json", "\"OutputDataConfig\"")
    );
    assert_eq!(
        r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "arn:aws:sagemaker:us-east-1:123456789012:training-job/unencrypted"
    );
}

#[test]
fn fingerprints_follow_rule_and_arn_not_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("moved")).unwrap();
    std::fs::copy(
        fixtures().join("basic/unencrypted.json"),
        dir.path().join("moved/renamed.json"),
    )
    .unwrap();
    let fp = |run: &Run| -> Vec<Value> {
        let sarif: Value = serde_json::from_str(&run.stdout).unwrap();
        sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["partialFingerprints"].clone())
            .collect()
    };
    let here = tool()
        .args(["scan", "basic/unencrypted.json", "--format", "sarif"])
        .run();
    let there = tool()
        .cwd(dir.path())
        .args(["scan", "moved", "--format", "sarif"])
        .run();
    assert_eq!(fp(&here), fp(&there));
    assert_eq!(fp(&here).len(), 2);
    assert_ne!(fp(&here)[0], fp(&here)[1]);
}

#[test]
fn rules_carry_everything_code_scanning_shows() {
    let (out, _) = scan_to_dir(&["basic"], &[]);
    let sarif = json(out.path(), "report.sarif");
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    // The fixture holds training jobs: the training checks, as the registry has them.
    let training: Vec<&str> = sagemaker_audit::kinds::checks::REGISTRY
        .iter()
        .map(|c| c.meta())
        .filter(|m| m.kind == sagemaker_audit::resource::Kind::Training)
        .map(|m| m.id)
        .collect();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, training);
    for r in rules {
        for field in ["shortDescription", "fullDescription"] {
            assert!(!r[field]["text"].as_str().unwrap().is_empty());
        }
        assert!(
            r["help"]["text"]
                .as_str()
                .unwrap()
                .contains("Remediation (boto3)")
        );
        assert!(
            r["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("### Compliance")
        );
        assert_eq!(r["properties"]["security-severity"], "7.5");
        assert!(
            r["properties"]["tags"]
                .as_array()
                .unwrap()
                .contains(&"security".into())
        );
    }
}

#[test]
fn files_outside_the_working_directory_get_relative_uris() {
    let dir = tempfile::tempdir().unwrap();
    let run = tool()
        .cwd(dir.path())
        .arg("scan")
        .arg(fixtures().join("basic/unencrypted.json").to_str().unwrap())
        .args(["--format", "sarif"])
        .run();
    let sarif: Value = serde_json::from_str(&run.stdout).unwrap();
    let uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        uri.starts_with("../") && uri.ends_with("tests/fixtures/basic/unencrypted.json"),
        "{uri}"
    );
    assert_valid(&sarif);
}

#[test]
fn sarif_keeps_to_githubs_25000_results_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    write_failing_jobs(dir.path(), "many.json", "many", 13_000);
    let run = tool()
        .cwd(dir.path())
        .args(["scan", "many.json", "--format", "sarif"])
        .run();
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("This run has 26000 results but GitHub code scanning accepts at most 25000"),
        "{}",
        run.stderr
    );
    let sarif: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"].as_array().unwrap().len(),
        25_000
    );
    let note = &sarif["runs"][0]["invocations"][0]["toolConfigurationNotifications"][0];
    assert_eq!(note["level"], "warning");
    assert!(
        note["message"]["text"]
            .as_str()
            .unwrap()
            .contains("--sarif-category")
    );
    assert_valid(&sarif);
}

#[test]
fn lines_hold_in_arrays_with_null_keys_and_any_field_order() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"[
  {"TrainingJobName": "first",
   "TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/first",
   "RoleArn": "arn:aws:iam::123456789012:role/r",
   "OutputDataConfig": {
     "KmsKeyId": null
   },
   "ResourceConfig": {"InstanceType": "ml.m5.xlarge",
     "VolumeKmsKeyId": "alias/aws/sagemaker"}},
  {"TrainingJobName": "second",
   "TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/second",
   "ResourceConfig": {
     "InstanceType": "ml.m5.xlarge"
   },
   "OutputDataConfig": {"S3OutputPath": "s3://b/\"KmsKeyId\""}}
]"#;
    std::fs::write(dir.path().join("jobs.json"), text).unwrap();
    let run = tool()
        .cwd(dir.path())
        .args(["scan", "jobs.json", "--format", "json"])
        .run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let line = |job: &str, rule: &str| {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["job_name"] == job && f["rule_id"] == rule)
            .unwrap_or_else(|| panic!("{job} {rule}"))["line"]
            .as_u64()
            .unwrap()
    };
    // A null key points at itself; a key after another object at its own line; a missing
    // key at its parent object, whatever the order of the fields.
    assert_eq!(line("first", "training-output-cmk"), 6);
    assert_eq!(line("first", "training-volume-cmk"), 9);
    assert_eq!(line("second", "training-volume-cmk"), 12);
    assert_eq!(line("second", "training-output-cmk"), 15);
}

#[test]
fn lines_hold_in_large_arrays_parsed_in_parallel() {
    let dir = tempfile::tempdir().unwrap();
    let elements: Vec<String> = (1..=200)
        .map(|n| {
            format!(
                r#"  {{"TrainingJobName": "big-{n:03}", "TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/big-{n:03}", "ResourceConfig": {{"InstanceType": "ml.m5.xlarge"}},
   "OutputDataConfig": {{"S3OutputPath": "s3://b/"}}}}"#
            )
        })
        .collect();
    let text = format!("[\n{}\n]\n", elements.join(",\n"));
    std::fs::write(dir.path().join("big.json"), text).unwrap();
    let run = tool()
        .cwd(dir.path())
        .args(["scan", "big.json", "--format", "json"])
        .run();
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 400);
    // Element n starts on line 2n and its OutputDataConfig is on the next line.
    for f in findings {
        let n: u64 = f["job_name"].as_str().unwrap()[4..].parse().unwrap();
        let expected = match f["rule_id"].as_str().unwrap() {
            "training-volume-cmk" => 2 * n,
            _ => 2 * n + 1,
        };
        assert_eq!(f["line"], expected, "{}", f["job_name"]);
    }
}

#[test]
fn a_failed_api_call_is_a_notification_without_a_file_location() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures().join("basic/unencrypted.json"),
        dir.path().join("job.json"),
    )
    .unwrap();
    let manifest = serde_json::json!({"SagemakerAuditManifest": {
        "schema_version": "1.0", "tool_version": "0", "generated_at": "2023-11-14T22:13:20Z",
        "scope": {"profile": null, "regions": ["eu-west-1"], "created_after": null, "status": null},
        "accounts": [], "counts": {"jobs_listed": 0, "jobs_described": 0, "keys_described": 0, "calls": 1},
        "failed_calls": [
            {"source": "ListTrainingJobs in eu-west-1", "file": false, "message": "AccessDeniedException: no"},
            {"source": "123456789012/eu-west-1/gone.json", "file": true, "message": "InternalFailure"}
        ],
        "jobs_gone": [], "regions_not_enabled": [], "unverified_keys": []
    }});
    std::fs::write(dir.path().join("manifest.json"), manifest.to_string()).unwrap();
    let run = tool()
        .cwd(dir.path())
        .args(["scan", ".", "--format", "sarif"])
        .run();
    assert_eq!(run.code, 3, "{}", run.stderr);
    let sarif: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_valid(&sarif);
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    let by_text = |needle: &str| {
        notes
            .iter()
            .find(|n| n["message"]["text"].as_str().unwrap().contains(needle))
            .unwrap()
    };
    assert!(
        by_text("ListTrainingJobs in eu-west-1")
            .get("locations")
            .is_none()
    );
    assert_eq!(
        by_text("gone.json")["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "123456789012/eu-west-1/gone.json"
    );
}

#[test]
fn failures_fixed_since_the_baseline_are_absent_results() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    // The baseline had the encrypted job failing both checks; now both pass.
    let (out, _) = scan_to_dir(&["basic/unencrypted.json"], &["--format", "json"]);
    let text = read(out.path(), "report.json").replace("unencrypted", "encrypted");
    std::fs::write(&baseline, text).unwrap();
    let run = tool()
        .args([
            "scan",
            "basic/encrypted.json",
            "--format",
            "sarif",
            "--baseline",
        ])
        .arg(baseline.to_str().unwrap())
        .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sarif: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_valid(&sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{results:#?}");
    for r in results {
        assert_eq!(r["baselineState"], "absent");
        assert_eq!(r["kind"], "pass");
        assert_eq!(r["level"], "none");
        assert_eq!(
            r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "arn:aws:sagemaker:us-east-1:123456789012:training-job/encrypted"
        );
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "basic/encrypted.json"
        );
    }
    // Not the fingerprint of the failure, so the old alert can close.
    let failing = fingerprint_of(
        "training-volume-cmk",
        "arn:aws:sagemaker:us-east-1:123456789012:training-job/encrypted",
    );
    assert!(
        results
            .iter()
            .all(|r| r["partialFingerprints"]["sagemakerAuditFinding/v1"] != failing.as_str())
    );
}

fn fingerprint_of(rule: &str, arn: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("{rule}\n{arn}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
