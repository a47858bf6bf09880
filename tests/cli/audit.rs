//! Audit workflow: waivers, baselines, compliance views and merge.

use std::path::Path;

use crate::common::*;
use serde_json::Value;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_owned()
}

fn waiver(matcher: &str, expires: &str) -> String {
    format!(
        "[[waiver]]\n{matcher}\nreason = \"accepted for the test\"\nowner = \"secops@example.com\"\nexpires = {expires}\n"
    )
}

/// (job, rule) of every waived finding in a JSON report.
fn waived(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["waived"] == true)
        .map(|f| {
            (
                f["job_name"].as_str().unwrap().to_owned(),
                f["rule_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn scan_json(args: &[&str]) -> (i32, Value, String) {
    let run = tool()
        .args(["scan", "basic", "--format", "json"])
        .args(args)
        .run();
    let doc = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    (run.code, doc, run.stderr)
}

#[test]
fn waivers_match_by_every_field() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "rule = \"training-output-cmk\"",
            vec![
                ("aws-managed", "training-output-cmk"),
                ("unencrypted", "training-output-cmk"),
            ],
        ),
        (
            "account = \"123456789012\"\nregion = \"us-east-1\"",
            vec![
                ("aws-managed", "training-volume-cmk"),
                ("aws-managed", "training-output-cmk"),
                ("unencrypted", "training-volume-cmk"),
                ("unencrypted", "training-output-cmk"),
            ],
        ),
        ("region = \"eu-west-1\"", vec![]),
        (
            "job = \"unenc*\"",
            vec![
                ("unencrypted", "training-volume-cmk"),
                ("unencrypted", "training-output-cmk"),
            ],
        ),
        (
            "arn = \"arn:aws:sagemaker:us-east-1:123456789012:training-job/aws-managed\"\nrule = \"training-volume-cmk\"",
            vec![("aws-managed", "training-volume-cmk")],
        ),
    ];
    for (i, (matcher, expected)) in cases.iter().enumerate() {
        let file = write(
            dir.path(),
            &format!("w{i}.toml"),
            &waiver(matcher, "2030-01-01"),
        );
        let (_, doc, stderr) = scan_json(&["--waivers", &file]);
        let got = waived(&doc);
        let want: Vec<(String, String)> = expected
            .iter()
            .map(|(j, r)| (j.to_string(), r.to_string()))
            .collect();
        assert_eq!(got, want, "{matcher}\n{stderr}");
        if expected.is_empty() {
            assert_eq!(
                doc["waivers"]["unused"].as_array().unwrap().len(),
                1,
                "{matcher}"
            );
        }
    }
}

#[test]
fn waivers_that_match_everything_or_live_too_long_are_warned_about() {
    // SOURCE_DATE_EPOCH 1700000000 is 2023-11-14 (UTC).
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "broad.toml",
        &format!(
            "{}{}{}",
            waiver("job = \"*\"", "2024-06-01"),
            waiver("rule = \"training-volume-cmk\"", "2026-01-01"),
            waiver("region = \"us-east-1\"", "2024-11-14")
        ),
    );
    let (_, doc, stderr) = scan_json(&["--waivers", &file]);
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 2, "{stderr}");
    assert!(
        warnings[0].contains("line 1 matches every failing finding"),
        "{stderr}"
    );
    assert!(
        warnings[1].contains("line 6 expires on 2026-01-01, more than a year away"),
        "{stderr}"
    );
    assert_eq!(doc["waivers"]["warnings"].as_array().unwrap().len(), 2);
    // Still applied: a warning, not a refusal.
    assert_eq!(waived(&doc).len(), 4);
}

/// A waiver written for one kind's jobs (`job = "n*"`) also waived pipeline steps and tuning
/// jobs of the same names: without `kind` or `rule`, reaching a second kind is warned about.
#[test]
fn a_waiver_without_kind_that_reaches_two_kinds_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(
        fixtures().join("basic/unencrypted.json"),
        d.join("job.json"),
    )
    .unwrap();
    write(
        d,
        "nightly.json",
        r#"{"Steps": [{"Name": "Train", "Type": "Training", "Arguments": {
  "ResourceConfig": {"InstanceType": "ml.m5.xlarge"}, "OutputDataConfig": {"S3OutputPath": "s3://b/"}}}]}"#,
    );
    let file = write(d, "w.toml", &waiver("job = \"*n*\"", "2024-06-01"));
    let run = tool()
        .cwd(d)
        .args(["scan", ".", "--format", "json", "--waivers", &file])
        .run();
    let warning = run
        .stderr
        .lines()
        .find(|l| l.contains("names no kind"))
        .unwrap_or_else(|| panic!("{}", run.stderr));
    assert!(
        warning.contains("2 kinds (training jobs, pipeline steps)"),
        "{warning}"
    );
    // With a kind, no warning and only that kind is waived.
    let file = write(
        d,
        "w.toml",
        &waiver("job = \"*n*\"\nkind = \"training\"", "2024-06-01"),
    );
    let run = tool()
        .cwd(d)
        .args(["scan", ".", "--format", "json", "--waivers", &file])
        .run();
    assert!(!run.stderr.contains("names no kind"), "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(waived(&doc).iter().all(|(job, _)| job == "unencrypted"));
}

#[test]
fn expiry_applies_through_the_expiry_day_and_stops_the_day_after() {
    // SOURCE_DATE_EPOCH 1700000000 is 2023-11-14 (UTC).
    let dir = tempfile::tempdir().unwrap();
    let today = write(
        dir.path(),
        "today.toml",
        &waiver("job = \"unencrypted\"", "2023-11-14"),
    );
    let (_, doc, _) = scan_json(&["--waivers", &today]);
    assert_eq!(waived(&doc).len(), 2);
    assert!(doc["waivers"]["expired"].as_array().unwrap().is_empty());
    let yesterday = write(
        dir.path(),
        "yesterday.toml",
        &waiver("job = \"unencrypted\"", "2023-11-13"),
    );
    let (_, doc, stderr) = scan_json(&["--waivers", &yesterday]);
    assert!(waived(&doc).is_empty());
    assert_eq!(doc["waivers"]["expired"][0]["expires"], "2023-11-13");
    assert!(stderr.contains("expired on 2023-11-13"), "{stderr}");
}

#[test]
fn waived_failures_keep_their_status_show_everywhere_and_do_not_gate() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "all.toml",
        &waiver("account = \"123456789012\"", "2030-01-01"),
    );
    let (out, run) = scan_to_dir(&["basic"], &["--waivers", &file]);
    assert_eq!(run.code, 0, "every failure is waived: {}", run.stderr);
    let doc = json(out.path(), "report.json");
    assert_eq!(doc["summary"]["fail"], 4);
    assert_eq!(doc["summary"]["waived"], 4);
    assert_eq!(doc["summary"]["gating_failures"], 0);
    let sarif = json(out.path(), "report.sarif");
    for r in sarif["runs"][0]["results"].as_array().unwrap() {
        assert_eq!(r["suppressions"][0]["kind"], "external");
        assert!(
            r["suppressions"][0]["justification"]
                .as_str()
                .unwrap()
                .contains("accepted for the test")
        );
    }
    let csv = read(out.path(), "report.csv");
    assert_eq!(
        csv.matches(",yes,accepted for the test,secops@example.com,2030-01-01,")
            .count(),
        4
    );
    let html = read(out.path(), "report.html");
    assert!(html.contains("Waived findings (4)"));
    assert!(html.contains("No open failing checks"));
    let md = read(out.path(), "report.md");
    assert!(md.contains("### Waived findings"));
    insta::assert_snapshot!("waived-md", redact(&md));
}

#[test]
fn malformed_waiver_files_are_usage_errors_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    for (text, expect) in [
        (
            "[[waiver]]\njob = \"x\"\nreason = \"r\"\nexpires = 2030-01-01\n",
            "line 1: waiver needs a non-empty `owner`",
        ),
        (
            "\n\n[[waiver]]\njob = \"x\"\nreason = \"r\"\nowner = \"o\"\nexpires = \"tomorrow\"\n",
            "line 3: `expires` must be a date",
        ),
        (
            "[[waiver]]\nrule = \"training-volume-cmk\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2030-01-01\nteam = \"x\"\n",
            "line 6: unknown field `team`",
        ),
        ("[[waiver\n", "line 1:"),
    ] {
        let file = write(dir.path(), "bad.toml", text);
        let run = tool().args(["scan", "basic", "--waivers", &file]).run();
        assert_eq!(run.code, 2, "{text}");
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(
            run.stderr.contains(expect),
            "{} does not contain {expect}",
            run.stderr
        );
    }
}

#[test]
fn baseline_round_trip_marks_fixed_unchanged_and_new() {
    let dir = tempfile::tempdir().unwrap();
    let jobs = dir.path().join("jobs");
    std::fs::create_dir(&jobs).unwrap();
    for name in ["aws-managed.json", "unencrypted.json", "encrypted.json"] {
        std::fs::copy(fixtures().join("basic").join(name), jobs.join(name)).unwrap();
    }
    let first = tool()
        .cwd(dir.path())
        .args(["scan", "jobs", "--out-dir", "before"])
        .run();
    assert_eq!(first.code, 1);
    // Fix one failure: the unencrypted job's output gets a key.
    let path = jobs.join("unencrypted.json");
    let fixed = std::fs::read_to_string(&path).unwrap().replace(
        "\"S3OutputPath\"",
        "\"KmsKeyId\": \"alias/fixed\", \"S3OutputPath\"",
    );
    std::fs::write(&path, fixed).unwrap();
    for baseline in ["before/report.json", "before/report.sarif"] {
        let run = tool()
            .cwd(dir.path())
            .args([
                "scan",
                "jobs",
                "--out-dir",
                "after",
                "--baseline",
                baseline,
                "--fail-on-new",
            ])
            .run();
        assert_eq!(run.code, 0, "nothing new: {}", run.stderr);
        let doc = json(&dir.path().join("after"), "report.json");
        let b = &doc["baseline"];
        assert_eq!(
            (b["new"].as_u64(), b["unchanged"].as_u64()),
            (Some(0), Some(3)),
            "{baseline}"
        );
        assert_eq!(b["fixed"].as_array().unwrap().len(), 1);
        assert_eq!(b["fixed"][0]["job_name"], "unencrypted");
        assert_eq!(b["fixed"][0]["now"], "PASS");
        let sarif = json(&dir.path().join("after"), "report.sarif");
        let states: Vec<&str> = sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["baselineState"].as_str().unwrap())
            .collect();
        assert_eq!(
            states,
            ["unchanged", "unchanged", "unchanged", "absent"],
            "{baseline}"
        );
        assert!(read(&dir.path().join("after"), "report.md").starts_with(
            "## SageMaker training job encryption audit\n\n**Since the baseline:** 0 new"
        ));
    }
    // A new failing job makes --fail-on-new fail.
    std::fs::copy(
        fixtures().join("basic/aws-managed.json"),
        jobs.join("another.json"),
    )
    .unwrap();
    let text = std::fs::read_to_string(jobs.join("another.json"))
        .unwrap()
        .replace("aws-managed", "another");
    std::fs::write(jobs.join("another.json"), text).unwrap();
    let run = tool()
        .cwd(dir.path())
        .args([
            "scan",
            "jobs",
            "--format",
            "json",
            "--baseline",
            "before/report.json",
            "--fail-on-new",
        ])
        .run();
    assert_eq!(run.code, 1);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["baseline"]["new"], 2);
    assert_eq!(doc["summary"]["gating_failures"], 2);
}

#[test]
fn bad_baselines_are_usage_errors() {
    let run = tool()
        .args(["scan", "basic", "--baseline", "basic/notes.txt"])
        .run();
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("--baseline basic/notes.txt: not a JSON report or SARIF file"),
        "{}",
        run.stderr
    );
    let run = tool().args(["scan", "basic", "--fail-on-new"]).run();
    assert_eq!(run.code, 2, "--fail-on-new needs --baseline");
}

#[test]
fn framework_limits_the_compliance_views() {
    let (out, _) = scan_to_dir(&["basic"], &["--framework", "pci"]);
    let csv = read(out.path(), "report.csv");
    assert!(csv.contains(",PCI DSS v4.0 3.5.1,"), "{csv}");
    assert!(!csv.contains("NIST"));
    let html = read(out.path(), "report.html");
    assert!(html.contains("<h2>Compliance: PCI DSS v4.0</h2>"));
    assert!(!html.contains("<h3>NIST SP 800-53 r5"));
    let md = read(out.path(), "report.md");
    assert!(
        md.contains("**PCI DSS v4.0**: 1 of 1 controls failing"),
        "{md}"
    );
    let run = tool().args(["scan", "basic", "--framework", "gdpr"]).run();
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("matches none of: AWS Config managed rules, AWS Security Hub CSPM controls, AWS Well-Architected Security Pillar, BSI C5:2025"),
        "{}",
        run.stderr
    );
}

#[test]
fn every_framework_has_its_own_section_by_default() {
    let (out, _) = scan_to_dir(&["basic"], &[]);
    let html = read(out.path(), "report.html");
    for fw in [
        "NIST SP 800-53 r5",
        "ISO/IEC 27001:2022",
        "PCI DSS v4.0",
        "HIPAA Security Rule",
        "SOC 2",
        "CIS Controls v8.1",
        "CSA CCM v4",
        "BSI C5:2025",
        "FedRAMP Low (Rev. 4)",
        "AWS Well-Architected Security Pillar",
    ] {
        let escaped = fw.replace('/', "&#x2F;");
        assert!(html.contains(&format!("<h3>{escaped} ")), "{fw}");
    }
}

#[test]
fn merge_of_three_reports_keeps_the_newest_copy_when_asked_and_every_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for sub in ["a", "b", "c"] {
        std::fs::create_dir(d.join(sub)).unwrap();
    }
    // Account A: encrypted + unencrypted.
    for name in ["encrypted.json", "unencrypted.json"] {
        std::fs::copy(fixtures().join("basic").join(name), d.join("a").join(name)).unwrap();
    }
    // Account B: the same unencrypted job, modified later and fixed, plus gpu-nvme.
    let newer = std::fs::read_to_string(fixtures().join("basic/unencrypted.json"))
        .unwrap()
        .replace(
            "2025-01-02T04:00:00.000000+00:00",
            "2025-03-01T00:00:00+00:00",
        )
        .replace(
            "\"S3OutputPath\"",
            "\"KmsKeyId\": \"alias/fixed\", \"S3OutputPath\"",
        );
    std::fs::write(d.join("b/unencrypted.json"), newer).unwrap();
    std::fs::copy(
        fixtures().join("basic/gpu-nvme.json"),
        d.join("b/gpu-nvme.json"),
    )
    .unwrap();
    // Account C: one good job and one unreadable file.
    std::fs::copy(
        fixtures().join("basic/aws-managed.json"),
        d.join("c/aws-managed.json"),
    )
    .unwrap();
    std::fs::write(d.join("c/broken.json"), "{").unwrap();
    for sub in ["a", "b", "c"] {
        let run = tool().cwd(d).args(["scan", sub, "--format", "json"]).run();
        std::fs::write(d.join(format!("{sub}.json")), run.stdout).unwrap();
    }
    // By default a FAIL is never replaced by a PASS, however new its copy says it is (a
    // forged LastModifiedTime in 2099 turned a failure into exit 0).
    let worst = tool()
        .cwd(d)
        .args(["merge", "a.json", "b.json", "c.json", "--format", "json"])
        .run();
    let doc: serde_json::Value = serde_json::from_str(&worst.stdout).unwrap();
    let kept = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["job_name"] == "unencrypted" && f["rule_id"] == "training-output-cmk")
        .unwrap();
    assert_eq!(kept["status"], "FAIL", "the older FAIL stays");
    assert_eq!(kept["source_file"], "a/unencrypted.json");
    let run = tool()
        .cwd(d)
        .args([
            "merge",
            "a.json",
            "b.json",
            "c.json",
            "--prefer",
            "newest",
            "--out-dir",
            "merged",
        ])
        .run();
    assert_eq!(run.code, 3, "one input had an error: {}", run.stderr);
    assert!(
        run.stderr.contains("error: c/broken.json"),
        "{}",
        run.stderr
    );
    let doc = json(&d.join("merged"), "report.json");
    assert_eq!(doc["mode"], "merged");
    assert_eq!(doc["summary"]["jobs"], 4);
    assert_eq!(doc["inputs"]["duplicate_jobs"], 1);
    assert_eq!(doc["errors"].as_array().unwrap().len(), 1);
    let output = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["job_name"] == "unencrypted" && f["rule_id"] == "training-output-cmk")
        .unwrap();
    assert_eq!(output["status"], "PASS", "the newer copy from b wins");
    assert_eq!(output["source_file"], "b/unencrypted.json");
    for name in REPORTS {
        assert!(d.join("merged").join(name).exists(), "{name}");
    }
    insta::assert_snapshot!("merged-csv", redact(&read(&d.join("merged"), "report.csv")));
}

#[test]
fn merge_reports_an_unreadable_report_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let good = tool()
        .args(["scan", "basic", "--format", "json"])
        .run()
        .stdout;
    std::fs::write(dir.path().join("good.json"), good).unwrap();
    std::fs::write(dir.path().join("junk.json"), "[1,2]").unwrap();
    let run = tool()
        .cwd(dir.path())
        .args([
            "merge",
            "good.json",
            "junk.json",
            "missing.json",
            "--format",
            "json",
        ])
        .run();
    assert_eq!(run.code, 3);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["summary"]["jobs"], 4);
    let sources: Vec<&str> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["junk.json", "missing.json"]);
}

#[test]
fn a_baseline_over_the_size_limit_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("huge.json");
    // Sparse: the size is what counts, no disk is used.
    std::fs::File::create(&file)
        .unwrap()
        .set_len(600 << 20)
        .unwrap();
    let run = tool()
        .args(["scan", "basic", "--baseline"])
        .arg(file.to_str().unwrap())
        .run();
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("larger than the 512 MiB limit"),
        "{}",
        run.stderr
    );
}

/// A 2.0 report rewritten the way version 1.x wrote it: no kinds, no parts, no rules list.
fn as_version_1(doc: &Value) -> Value {
    let mut old = doc.clone();
    old["schema_version"] = "1.1".into();
    let o = old.as_object_mut().unwrap();
    o.remove("rules");
    o["summary"].as_object_mut().unwrap().remove("kinds");
    for f in o["findings"].as_array_mut().unwrap() {
        let f = f.as_object_mut().unwrap();
        f.remove("resource_type");
        f.remove("part");
    }
    old
}

#[test]
fn merge_reads_1_x_reports_next_to_2_0_reports_of_every_kind() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let training = tool().args(["scan", "basic", "--format", "json"]).run();
    let training: Value = serde_json::from_str(&training.stdout).unwrap();
    write(d, "old.json", &as_version_1(&training).to_string());
    let kinds = tool().args(["scan", "kinds", "--format", "json"]).run();
    write(d, "kinds.json", &kinds.stdout);
    let run = tool()
        .cwd(d)
        .args(["merge", "old.json", "kinds.json", "--format", "json"])
        .run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let merged: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(merged["schema_version"], "3.1");
    assert_eq!(merged["summary"]["jobs"], 4 + 29);
    let old_findings = training["findings"].as_array().unwrap().len();
    let new_findings = serde_json::from_str::<Value>(&kinds.stdout).unwrap()["findings"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        merged["findings"].as_array().unwrap().len(),
        old_findings + new_findings
    );
    // The 1.x findings come back as training jobs; parts survive the merge.
    let by = |job: &str| -> Vec<(String, Value)> {
        merged["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["job_name"] == job)
            .map(|f| {
                (
                    f["resource_type"].as_str().unwrap().to_owned(),
                    f["part"].clone(),
                )
            })
            .collect()
    };
    assert!(
        by("unencrypted")
            .iter()
            .all(|(t, p)| t == "training-job" && p.is_null())
    );
    assert!(
        by("churn-multi-algo-hpo-2025-04-02")
            .iter()
            .any(|(_, p)| p == "definition linear-learner")
    );
    // A report naming a check this version does not know is an error, not a guess.
    let mut alien = serde_json::from_str::<Value>(&kinds.stdout).unwrap();
    alien["findings"][0]["rule_id"] = "endpoint-volume-cmk".into();
    write(d, "alien.json", &alien.to_string());
    let run = tool()
        .cwd(d)
        .args(["merge", "alien.json", "--format", "json"])
        .run();
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("endpoint-volume-cmk"), "{}", run.stderr);
}

#[test]
fn baselines_line_up_by_part_and_read_1_x_reports() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let base = tool().args(["scan", "kinds", "--format", "json"]).run();
    let baseline = write(d, "baseline.json", &base.stdout);
    // The tuning job's second definition gets its keys; nothing else changes.
    std::fs::create_dir(d.join("kinds")).unwrap();
    std::fs::copy(
        fixtures().join("kinds/mixed-array.json"),
        d.join("kinds/mixed-array.json"),
    )
    .unwrap();
    let fixed = std::fs::read_to_string(fixtures().join("kinds/more.jsonl"))
        .unwrap()
        .replacen(
            r#""OutputDataConfig": {"S3OutputPath": "s3://ml-artifacts-111122223333-us-east-1/hpo/"}, "HyperParameterTuningResourceConfig": {"#,
            r#""OutputDataConfig": {"S3OutputPath": "s3://ml-artifacts-111122223333-us-east-1/hpo/", "KmsKeyId": "alias/ml"}, "HyperParameterTuningResourceConfig": {"VolumeKmsKeyId": "alias/ml", "#,
            1,
        );
    assert!(
        fixed.contains("\"VolumeKmsKeyId\": \"alias/ml\""),
        "the fixture changed shape"
    );
    std::fs::write(d.join("kinds/more.jsonl"), fixed).unwrap();
    let run = tool()
        .cwd(d)
        .args(["scan", "kinds", "--format", "json", "--baseline", &baseline])
        .run();
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let fixed: Vec<(String, String)> = doc["baseline"]["fixed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["rule_id"].as_str().unwrap().to_owned(),
                x["part"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        fixed,
        [
            (
                "tuning-output-cmk".to_owned(),
                "definition linear-learner".to_owned()
            ),
            (
                "tuning-volume-cmk".to_owned(),
                "definition linear-learner".to_owned()
            ),
        ]
    );
    assert_eq!(doc["baseline"]["new"], 0);
    assert_eq!(doc["baseline"]["unchanged"], 26);
    // A 1.x baseline of training jobs still lines up with today's training findings.
    let training = tool().args(["scan", "basic", "--format", "json"]).run();
    let old = write(
        d,
        "old.json",
        &as_version_1(&serde_json::from_str(&training.stdout).unwrap()).to_string(),
    );
    let (_, doc, stderr) = scan_json(&["--baseline", &old]);
    assert_eq!(doc["baseline"]["new"], 0, "{stderr}");
    assert_eq!(doc["baseline"]["fixed"].as_array().unwrap().len(), 0);
}

#[test]
fn a_control_whose_checks_judged_nothing_is_not_applicable_rather_than_passing() {
    // Every variant runs on local NVMe storage: the volume check does not apply, so
    // Security Hub's SageMaker.23 has no evidence either way; the capture key is AWS-managed.
    let (out, run) = scan_to_dir(
        &["../../samples/inference-experiment/llm-shadow-g5.json"],
        &["--framework", "security hub"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let md = read(out.path(), "report.md");
    assert!(
        md.contains("**AWS Security Hub CSPM controls**: 1 of 2 controls failing"),
        "{md}"
    );
    let row = |id: &str| {
        md.lines()
            .find(|l| l.starts_with(&format!("| {id} ")))
            .unwrap_or_else(|| panic!("no row for {id}: {md}"))
            .to_owned()
    };
    assert!(
        row("SageMaker.23").contains(r"| NOT\_APPLICABLE | 0 | 0 | 0 |"),
        "{md}"
    );
    assert!(row("SageMaker.24").contains("| FAIL | 1 | 0 | 0 |"), "{md}");
}
