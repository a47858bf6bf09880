//! Hostile input and a shared output directory: what the tool prints and writes stays inert,
//! bounded and where it belongs.

use crate::common::*;

/// A describe-training-job document with `name` as job name (JSON-escaped here).
fn job_doc(name: &str, extra: &str) -> String {
    let name_json = serde_json::to_string(name).unwrap();
    let arn_json = serde_json::to_string(&format!(
        "arn:aws:sagemaker:us-east-1:123456789012:training-job/{name}"
    ))
    .unwrap();
    format!(
        "{{\"TrainingJobName\": {name_json}, \"TrainingJobArn\": {arn_json}, \
         \"AlgorithmSpecification\": {{\"TrainingImage\": \"x\"}}, \
         \"ResourceConfig\": {{\"InstanceType\": \"ml.m5.xlarge\"}}, \
         \"OutputDataConfig\": {{\"S3OutputPath\": \"s3://b/\"}}{extra}}}"
    )
}

#[cfg(unix)]
#[test]
fn file_names_cannot_forge_or_colour_stderr_lines() {
    let dir = tempfile::tempdir().unwrap();
    let name = "evil\x1b[2J\rerror: forged line\n\u{202e}nosj.json";
    std::fs::write(dir.path().join(name), "{ not json").unwrap();
    let run = tool().cwd(dir.path()).args(["scan", "."]).run();
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(!run.stderr.contains('\x1b') && !run.stderr.contains('\r'));
    assert!(!run.stderr.contains('\u{202e}'));
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(
        errors[0].contains("evil\\u{1b}[2J\\u{d}error: forged line\\u{a}\\u{202e}nosj.json"),
        "{}",
        errors[0]
    );
}

#[test]
fn usage_errors_are_one_line_even_with_hostile_values() {
    let run = tool()
        .args(["scan", "basic", "--format", "pdf\x1b[31m\nerror: forged"])
        .run();
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: invalid value"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains('\x1b'));
}

#[test]
fn bidi_controls_show_as_escapes_in_html_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("job.json"),
        job_doc("invoice-\u{202e}fdp.exe", ""),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = tool()
        .cwd(dir.path())
        .args([
            "scan",
            "job.json",
            "--out-dir",
            out.path().to_str().unwrap(),
        ])
        .run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let html = read(out.path(), "report.html");
    let md = read(out.path(), "report.md");
    for (name, text) in [("html", &html), ("md", &md)] {
        assert!(!text.contains('\u{202e}'), "{name} holds a raw U+202E");
    }
    assert!(html.contains("invoice-\\u{202e}fdp.exe"));
    assert!(md.contains("invoice-\\\\u\\{202e\\}fdp.exe"), "{md}");
    // The data stays intact where it is data, not display.
    let json = read(out.path(), "report.json");
    assert!(json.contains("invoice-\u{202e}fdp.exe"));
}

#[test]
fn a_hostile_baseline_injects_nothing_into_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let payload = "![x](https://evil.example/p.png) [click](https://evil.example) \
                   # heading <img src=x> www.evil.example a@evil.example";
    let baseline = serde_json::json!({
        "schema_version": "1.0",
        "findings": [{
            "status": "FAIL", "severity": "high", "rule_id": payload, "job_arn": "arn:x",
            "job_name": payload, "account_id": payload, "region": payload, "job_status": null,
            "creation_time": null, "last_modified_time": null, "instance_types": [payload],
            "kms_key": payload, "key_manager": payload, "key_state": null, "message": payload,
            "source_file": payload, "line": 1
        }]
    });
    let file = dir.path().join("baseline.json");
    std::fs::write(&file, baseline.to_string()).unwrap();
    let run = tool()
        .args(["scan", "basic", "--format", "md", "--baseline"])
        .arg(file.to_str().unwrap())
        .run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let fixed = run
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("### Fixed since the baseline"))
        .find(|l| l.contains("evil"))
        .expect("the fixed finding is listed");
    for raw in ["![", "](", "<img", "https://", "www.evil", "a@evil"] {
        assert!(!fixed.contains(raw), "{raw} survived in {fixed}");
    }
}

#[test]
fn markdown_stays_under_a_mebibyte_with_twenty_thousand_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad: String = (0..20_000)
        .map(|i| format!("{{\"broken\": {i}, \"line\":\n"))
        .collect();
    std::fs::write(dir.path().join("bad.jsonl"), bad).unwrap();
    let run = tool()
        .cwd(dir.path())
        .args(["scan", "bad.jsonl", "--format", "md", "-q"])
        .run();
    assert_eq!(run.code, 3);
    assert!(
        run.stdout.len() <= 1024 * 1024,
        "{} bytes",
        run.stdout.len()
    );
    assert!(
        run.stdout
            .contains("more inputs that could not be evaluated are not listed"),
        "the note is missing"
    );
    let listed = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("| bad.jsonl"))
        .count();
    assert!(listed > 1000, "only {listed} errors listed");
}

#[cfg(unix)]
#[test]
fn a_planted_link_in_the_output_directory_is_replaced_not_followed() {
    let out = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let victim = elsewhere.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(&victim, out.path().join("report.html")).unwrap();
    let run = tool()
        .args(["scan", "basic", "--out-dir", out.path().to_str().unwrap()])
        .run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let html = out.path().join("report.html");
    assert!(!html.symlink_metadata().unwrap().file_type().is_symlink());
    assert!(read(out.path(), "report.html").contains("<!doctype html>"));
}

#[test]
fn every_report_of_a_run_carries_the_same_run_id_and_runs_differ() {
    let ids = |out: &std::path::Path| -> Vec<String> {
        let report = json(out, "report.json");
        let id = report["run_id"].as_str().unwrap().to_owned();
        let sarif = json(out, "report.sarif");
        assert_eq!(sarif["runs"][0]["automationDetails"]["guid"], id.as_str());
        let csv = read(out, "report.csv");
        let mut rows = csv::Reader::from_reader(csv.as_bytes());
        let column = rows
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "run_id")
            .unwrap();
        for row in rows.records() {
            assert_eq!(&row.unwrap()[column], id);
        }
        assert!(read(out, "report.html").contains(&format!("content=\"{id}\"")));
        assert!(read(out, "report.md").contains(&format!("run {id}")));
        vec![id]
    };
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for dir in [&a, &b] {
        tool()
            .unpinned()
            .args(["scan", "basic", "--out-dir", dir.path().to_str().unwrap()])
            .run();
    }
    assert_ne!(ids(a.path()), ids(b.path()));
}

/// State names, SDK config values, Terraform addresses and template logical ids are input like
/// any file: control characters and markup stay text in every report and on stderr.
#[test]
fn hostile_names_in_state_machines_and_sdk_config_stay_text() {
    let dir = tempfile::tempdir().unwrap();
    let machine = serde_json::json!({
        "StartAt": "x",
        "States": {
            "<script>alert(1)</script>\u{1b}[2J\u{202e}": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sagemaker:createTrainingJob",
                "Parameters": {"OutputDataConfig": {"KmsKeyId": "alias/<b>x</b>\u{1b}[31m"}}
            },
            "\u{1b}]8;;http://evil\u{7}link": {"Type": "Succeed"}
        }
    });
    std::fs::write(dir.path().join("m.asl.json"), machine.to_string()).unwrap();
    // A resource a template declares is named by its logical id, and a `Ref` may name anything.
    let template = serde_json::json!({"Resources": {
        "<script>alert(1)</script>\u{1b}[2J\u{202e}": {
            "Type": "AWS::SageMaker::EndpointConfig",
            "Properties": {"KmsKeyId": {"Ref": "}{${x\u{1b}[31m"},
                "ProductionVariants": [{"VariantName": "\u{202e}v", "InstanceType": "ml.m5.large"}]}
        }
    }});
    std::fs::write(dir.path().join("t.template.json"), template.to_string()).unwrap();
    std::fs::write(
        dir.path().join("config.yaml"),
        "SageMaker:\n  TrainingJob:\n    OutputDataConfig:\n      KmsKeyId: \"<img src=x onerror=alert(1)>\\e[2J\"\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = tool()
        .cwd(dir.path())
        .args(["scan", ".", "--out-dir", out.path().to_str().unwrap()])
        .run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        !run.stderr.contains('\x1b') && !run.stderr.contains('\x07'),
        "{}",
        run.stderr
    );
    let html = read(out.path(), "report.html");
    let md = read(out.path(), "report.md");
    for (name, text) in [("html", &html), ("md", &md)] {
        assert!(!text.contains('\x1b'), "{name} holds a raw ESC");
        assert!(!text.contains('\u{202e}'), "{name} holds a raw U+202E");
        assert!(!text.contains("<script>alert"), "{name} holds live markup");
        assert!(!text.contains("<img src=x"), "{name} holds live markup");
    }
    let csv = read(out.path(), "report.csv");
    assert!(!csv.lines().any(|l| l.starts_with('=')));
    // JSON keeps the data as it was.
    let json = read(out.path(), "report.json");
    assert!(json.contains("<script>alert(1)</script>"));
    assert!(
        json.contains("endpoint-config-volume-cmk"),
        "the template's resource is judged"
    );
}
