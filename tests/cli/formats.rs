//! Snapshot every format for one fixed input, and pin the cross-format invariants.

use crate::common::*;

fn basic_run() -> (tempfile::TempDir, Run) {
    scan_to_dir(&["basic"], &["--kms-keys", "kms"])
}

#[test]
fn every_format_matches_its_snapshot() {
    let (out, run) = basic_run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    for name in REPORTS {
        let text = redact(&read(out.path(), name));
        // The JSON report is compact; snapshot it indented so reviews stay readable.
        let text = if name == "report.json" {
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            serde_json::to_string_pretty(&value).unwrap()
        } else {
            text
        };
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn stderr_summarises_the_run() {
    let (out, run) = basic_run();
    let out = out.path().display().to_string();
    insta::assert_snapshot!("stderr", run.stderr.replace(&out, "[OUT]"));
}

#[test]
fn one_format_goes_to_stdout_and_equals_the_file() {
    let (out, _) = basic_run();
    for format in ["csv", "json", "md", "sarif", "html"] {
        let run = tool()
            .args(["scan", "basic", "--kms-keys", "kms", "--format", format])
            .run();
        assert_eq!(run.code, 1);
        assert_eq!(
            run.stdout,
            read(out.path(), &format!("report.{format}")),
            "{format}"
        );
    }
}

#[test]
fn reports_are_byte_identical_across_runs() {
    let (a, _) = basic_run();
    let (b, _) = basic_run();
    for name in REPORTS {
        assert_eq!(read(a.path(), name), read(b.path(), name), "{name}");
    }
}

#[test]
fn out_dir_holds_only_the_reports() {
    let (out, _) = basic_run();
    let mut names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected = REPORTS.map(String::from).to_vec();
    expected.sort();
    assert_eq!(names, expected);
}

#[test]
fn format_subset_writes_only_those_files() {
    let (out, run) = scan_to_dir(&["basic"], &["--format", "csv,md"]);
    assert_eq!(run.code, 1);
    assert!(out.path().join("report.csv").exists());
    assert!(out.path().join("report.md").exists());
    assert!(!out.path().join("report.sarif").exists());
}

#[test]
fn json_report_is_versioned_and_complete() {
    let (out, _) = basic_run();
    let doc = json(out.path(), "report.json");
    assert_eq!(doc["schema_version"], "3.1");
    assert_eq!(
        doc["rules"],
        serde_json::json!(["training-volume-cmk", "training-output-cmk"])
    );
    assert_eq!(doc["summary"]["kinds"][0]["kind"], "training");
    assert_eq!(doc["summary"]["kinds"][0]["resources"], 4);
    for f in doc["findings"].as_array().unwrap() {
        assert_eq!(f["resource_type"], "training-job");
        assert!(f["part"].is_null());
    }
    assert_eq!(doc["summary"]["jobs"], 4);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 8);
    // The PendingDeletion key from kms/ turns an otherwise good job into a FAIL.
    let encrypted: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["job_name"] == "encrypted")
        .collect();
    assert!(encrypted.iter().all(|f| f["status"] == "FAIL"));
    assert!(
        encrypted[0]["message"]
            .as_str()
            .unwrap()
            .contains("PendingDeletion")
    );
}

#[test]
fn unverified_key_manager_shows_in_every_format() {
    let (out, _) = scan_to_dir(&["basic/gpu-nvme.json"], &[]);
    for name in ["report.csv", "report.html", "report.json"] {
        assert!(read(out.path(), name).contains("UNVERIFIED"), "{name}");
    }
    let (out, _) = scan_to_dir(&["basic/gpu-nvme.json"], &["--sarif-all-results"]);
    assert!(read(out.path(), "report.sarif").contains("UNVERIFIED"));
}

#[test]
fn hostile_strings_stay_text() {
    let (out, run) = scan_to_dir(&["hostile"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let html = read(out.path(), "report.html");
    for raw in [
        "<img src=x",
        "<script>window.__pwned",
        "</script><script>",
        "<b>bold",
    ] {
        assert!(!html.contains(raw), "raw {raw:?} in HTML");
    }
    assert!(
        html.contains("&lt;img src=x onerror="),
        "escaped in the static table"
    );
    let md = read(out.path(), "report.md");
    assert!(!md.contains("<img") && !md.contains("<script"), "{md}");
    assert!(md.contains("&lt;img src=x onerror="));
}

#[test]
fn markdown_is_truncated_under_one_mebibyte() {
    let dir = tempfile::tempdir().unwrap();
    write_failing_jobs(
        dir.path(),
        "bulk.json",
        "bulk-job-with-a-rather-long-name",
        6000,
    );
    let run = tool()
        .cwd(dir.path())
        .args(["scan", "bulk.json", "--format", "md"])
        .run();
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.len() <= 1024 * 1024,
        "{} bytes",
        run.stdout.len()
    );
    assert!(run.stdout.len() > 900 * 1024, "uses the room it has");
    assert!(run.stdout.contains("more failing findings are not listed"));
    assert!(
        run.stdout.trim_end().ends_with(|c: char| c != '|'),
        "ends cleanly"
    );
}

#[test]
fn help_lists_the_flags_that_matter() {
    let run = tool().args(["scan", "--help"]).run();
    assert_eq!(run.code, 0);
    // Live-mode flags exist only in builds with the `aws` feature.
    let name = if cfg!(feature = "aws") {
        "scan-help-aws"
    } else {
        "scan-help-offline"
    };
    insta::assert_snapshot!(name, redact(&run.stdout));
}

#[test]
fn mixed_kinds_match_their_snapshots_in_every_format() {
    let (out, run) = scan_to_dir(&["kinds"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!(
        "mixed-stderr",
        run.stderr
            .replace(&out.path().display().to_string(), "[OUT]")
    );
    for name in REPORTS {
        let text = redact(&read(out.path(), name));
        let text = if name == "report.json" {
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            serde_json::to_string_pretty(&value).unwrap()
        } else {
            text
        };
        insta::assert_snapshot!(format!("mixed-{name}"), text);
    }
    let doc = json(out.path(), "report.json");
    let kinds: Vec<&str> = doc["summary"]["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "training",
            "processing",
            "transform",
            "tuning",
            "automl",
            "endpoint_config",
            "notebook",
            "domain",
            "user_profile",
            "feature_group",
            "inference_experiment",
            "model_card",
            "model_bias_job_definition",
            "hyperpod_cluster",
            "labeling",
            "optimization",
            "flow_definition",
            "edge_packaging",
            "device_fleet",
            "model_package",
            "algorithm",
            "mlflow_app",
            "partner_app",
            "training_session",
            "inference_recommendations",
            "inference_router"
        ]
    );
    // Every check of every kind is in the report and in SARIF's rules, in registry order.
    let sarif = json(out.path(), "report.sarif");
    let rules: Vec<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let registered: Vec<&str> = sagemaker_audit::kinds::checks::REGISTRY
        .iter()
        .map(|c| c.meta())
        .filter(|m| kinds.contains(&m.kind.name()))
        .map(|m| m.id)
        .collect();
    assert_eq!(rules, registered);
    assert_eq!(doc["rules"], serde_json::json!(registered));
    // A tuning job's definitions are separate findings with their own fingerprints.
    let tuning: Vec<&serde_json::Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["properties"]["resourceType"] == "hyperparameter-tuning-job")
        .collect();
    assert_eq!(
        tuning.len(),
        2,
        "the linear-learner definition fails both checks"
    );
    assert!(tuning[0]["message"]["text"].as_str().unwrap().starts_with(
        "Hyperparameter tuning job churn-multi-algo-hpo-2025-04-02 (definition linear-learner): "
    ));
    // The CSV names each row's resource type and part, after the earlier columns.
    let csv = read(out.path(), "report.csv");
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let headers: Vec<String> = rows.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(
        &headers[headers.len() - 3..],
        ["resource_type", "part", "origin"]
    );
    let capture = rows
        .records()
        .map(Result::unwrap)
        .find(|r| &r[25] == "data capture")
        .expect("the transform's data capture row");
    assert_eq!(
        (&capture[2], &capture[24]),
        ("transform-output-cmk", "transform-job")
    );
}

#[test]
fn collect_directories_of_earlier_versions_still_scan() {
    // Version 1.0 of collect: <account>/<region>/<name>.json and a manifest without kinds.
    let dir = tempfile::tempdir().unwrap();
    let region = dir.path().join("123456789012/us-east-1");
    std::fs::create_dir_all(&region).unwrap();
    std::fs::copy(
        fixtures().join("basic/unencrypted.json"),
        region.join("unencrypted.json"),
    )
    .unwrap();
    let manifest = serde_json::json!({"SagemakerAuditManifest": {
        "schema_version": "1.0", "tool_version": "0.1.0", "generated_at": "2026-01-01T00:00:00Z",
        "scope": {"profile": null, "regions": ["us-east-1", "eu-west-1"], "created_after": null, "status": null},
        "accounts": ["123456789012"],
        "counts": {"jobs_listed": 1, "jobs_described": 1, "keys_described": 0, "calls": 3},
        "failed_calls": [], "jobs_gone": [], "regions_not_enabled": [], "unverified_keys": []
    }});
    std::fs::write(dir.path().join("manifest.json"), manifest.to_string()).unwrap();
    let run = tool()
        .cwd(dir.path())
        .args(["scan", ".", "--format", "json"])
        .run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["summary"]["jobs"], 1);
    assert_eq!(doc["inputs"]["manifests"], 1);
    assert_eq!(
        doc["rules"],
        serde_json::json!(["training-volume-cmk", "training-output-cmk"])
    );
    assert_eq!(
        doc["findings"][0]["source_file"],
        "123456789012/us-east-1/unencrypted.json"
    );
}

/// The ASFF and OCSF arrays, one element per line, indented for review.
fn pretty_array(text: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(text).unwrap();
    serde_json::to_string_pretty(&value).unwrap()
}

#[test]
fn security_hub_and_ocsf_reports_match_their_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let waivers = dir.path().join("waivers.toml");
    std::fs::write(
        &waivers,
        "[[waiver]]\nrule = \"processing-volume-cmk\"\nreason = \"Moved to a CMK next sprint\"\nowner = \"ml@example.com\"\nexpires = 2099-01-01\n",
    )
    .unwrap();
    let (out, run) = scan_to_dir(
        &["kinds"],
        &[
            "--format",
            "asff,ocsf,json",
            "--waivers",
            waivers.to_str().unwrap(),
        ],
    );
    assert!(run.code == 1, "{}", run.stderr);
    let asff = read(out.path(), "report.asff.json");
    let ocsf = read(out.path(), "report.ocsf.json");
    insta::assert_snapshot!("mixed-report.asff.json", redact(&pretty_array(&asff)));
    insta::assert_snapshot!("mixed-report.ocsf.json", redact(&pretty_array(&ocsf)));
    let report = json(out.path(), "report.json");
    let findings = report["findings"].as_array().unwrap();
    let asff: Vec<serde_json::Value> = serde_json::from_str(&asff).unwrap();
    let ocsf: Vec<serde_json::Value> = serde_json::from_str(&ocsf).unwrap();
    // One element per finding, passing ones too, in report order, under one identity.
    assert_eq!(asff.len(), findings.len());
    assert_eq!(ocsf.len(), findings.len());
    let mut ids = std::collections::BTreeSet::new();
    for ((f, a), o) in findings.iter().zip(&asff).zip(&ocsf) {
        assert!(ids.insert(a["Id"].as_str().unwrap().to_owned()), "{a}");
        assert_eq!(a["Id"], o["finding_info"]["uid"]);
        assert_eq!(a["Resources"][0]["Id"], f["job_arn"]);
        assert_eq!(a["GeneratorId"], f["rule_id"]);
        let compliance = match f["status"].as_str().unwrap() {
            "PASS" => "PASSED",
            "FAIL" => "FAILED",
            _ => "NOT_AVAILABLE",
        };
        assert_eq!(a["Compliance"]["Status"], compliance, "{a}");
        let waived = f["waived"].as_bool().unwrap_or(false);
        assert_eq!(a["Workflow"]["Status"] == "SUPPRESSED", waived, "{a}");
        assert_eq!(o["status"] == "Suppressed", waived, "{o}");
    }
    assert!(asff.iter().any(|a| a["Workflow"]["Status"] == "SUPPRESSED"));
}

#[test]
fn asff_and_ocsf_are_asked_for_by_name() {
    let (out, run) = scan_to_dir(&["basic"], &[]);
    assert_eq!(run.code, 1);
    assert!(!out.path().join("report.asff.json").exists());
    assert!(!out.path().join("report.ocsf.json").exists());
    for format in ["asff", "ocsf"] {
        let (dir, _) = scan_to_dir(&["basic"], &["--format", format]);
        let stdout = tool().args(["scan", "basic", "--format", format]).run();
        assert_eq!(
            stdout.stdout,
            read(dir.path(), &format!("report.{format}.json"))
        );
    }
}
