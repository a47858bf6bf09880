//! Bad input: one clear line per problem naming the file, the scan goes on, exit 3,
//! and every problem shows up in every format.

use crate::common::*;

#[test]
fn each_bad_file_is_one_error_line_naming_it() {
    let run = tool().args(["scan", "bad"]).run();
    assert_eq!(run.code, 3);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    insta::assert_snapshot!("bad-stderr", errors.join("\n"));
    for file in [
        "bad/truncated.json",
        "bad/not-json.json",
        "bad/empty.json",
        "bad/list-output.json",
        "bad/mixed-array.json",
        "bad/lines.jsonl",
        "bad/wrong-type.json",
    ] {
        assert!(
            errors.iter().any(|l| l.contains(file)),
            "{file} missing from:\n{}",
            run.stderr
        );
    }
}

#[test]
fn good_documents_next_to_bad_ones_are_still_evaluated() {
    let (out, run) = scan_to_dir(&["bad"], &[]);
    assert_eq!(run.code, 3);
    let doc = json(out.path(), "report.json");
    let names: std::collections::BTreeSet<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["job_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        ["array-good", "line-good"]
    );
}

#[test]
fn errors_appear_in_every_format() {
    let (out, _) = scan_to_dir(&["bad"], &[]);
    let doc = json(out.path(), "report.json");
    let n = doc["errors"].as_array().unwrap().len();
    assert_eq!(n, 8, "{:#}", doc["errors"]);
    let csv = read(out.path(), "report.csv");
    assert_eq!(csv.lines().filter(|l| l.starts_with("ERROR,")).count(), n);
    let sarif = json(out.path(), "report.sarif");
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), n);
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
    let html = read(out.path(), "report.html");
    assert_eq!(
        html.matches("<span class=\"badge ERROR\">ERROR</span>")
            .count(),
        n
    );
    let md = read(out.path(), "report.md");
    assert!(md.contains("### Inputs that could not be evaluated"));
    for file in ["bad/truncated.json", "bad/wrong-type.json"] {
        assert!(md.contains(&file.replace('_', "\\_")), "{file}");
        assert!(html.contains(&file.replace('/', "&#x2F;")), "{file}");
    }
}

#[test]
fn invalid_utf8_and_directories_of_links_are_handled() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("latin1.json"),
        b"{\"TrainingJobName\": \"caf\xe9\"}",
    )
    .unwrap();
    std::fs::write(dir.path().join("real.json"), "{}").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        fixtures().join("basic/unencrypted.json"),
        dir.path().join("link.json"),
    )
    .unwrap();
    let run = tool().cwd(dir.path()).args(["scan", "."]).run();
    assert_eq!(run.code, 3);
    assert!(
        run.stderr.contains("error: latin1.json: not UTF-8 text"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("error: real.json: not the describe output of training jobs")
    );
    #[cfg(unix)]
    assert!(run.stderr.contains("1 symbolic links"), "{}", run.stderr);
}

#[test]
fn bom_crlf_and_both_timestamp_styles_are_read() {
    let run = tool()
        .cwd(repo())
        .args([
            "scan",
            "samples/exports/nightly.jsonl",
            "samples/cli-v1",
            "--format",
            "json",
        ])
        .run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let created: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["creation_time"].as_str().unwrap())
        .collect();
    assert!(
        created.iter().all(|t| t.ends_with('Z') && t.len() == 24),
        "{created:?}"
    );
}

#[test]
fn duplicate_jobs_keep_the_newest_copy_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixtures().join("basic/unencrypted.json")).unwrap();
    let newer = text
        .replace(
            "2025-01-02T04:00:00.000000+00:00",
            "2025-02-01T00:00:00+00:00",
        )
        .replace(
            "\"S3OutputPath\"",
            "\"KmsKeyId\": \"alias/fixed\", \"S3OutputPath\"",
        );
    std::fs::write(dir.path().join("a-old.json"), text).unwrap();
    std::fs::write(dir.path().join("b-new.json"), newer).unwrap();
    let run = tool()
        .cwd(dir.path())
        .args(["scan", ".", "--format", "json"])
        .run();
    assert!(
        run.stderr.contains("1 resource appeared more than once"),
        "{}",
        run.stderr
    );
    // A count of one reads as one: a job, a file.
    assert!(
        run.stderr.contains("sagemaker-audit: 1 job from 2 files: "),
        "{}",
        run.stderr
    );
    let one = tool()
        .args(["scan", "basic/unencrypted.json", "--format", "json"])
        .run();
    assert!(
        one.stderr.contains("sagemaker-audit: 1 job from 1 file: "),
        "{}",
        one.stderr
    );
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    assert!(findings.iter().all(|f| f["source_file"] == "b-new.json"));
}

#[test]
fn jsonl_is_read_in_chunks_and_each_line_stands_alone() {
    // About 6 MB: more than one of the reader's 4 MiB chunks, so line numbers must carry over.
    let dir = tempfile::tempdir().unwrap();
    let padding = "x".repeat(5000);
    let mut bytes = Vec::new();
    for n in 1..=1200u32 {
        match n {
            300 => bytes.extend_from_slice(b"   \r\n"),
            600 => bytes.extend_from_slice(b"{\"TrainingJobName\": \"caf\xe9\"}\n"),
            900 => bytes.extend_from_slice(b"{\"TrainingJobName\": \"cut\n"),
            _ => {
                let job = format!("stream-{n:04}");
                let doc = serde_json::json!({
                    "TrainingJobName": job,
                    "TrainingJobArn": format!("arn:aws:sagemaker:us-east-1:123456789012:training-job/{job}"),
                    "Padding": padding,
                    "ResourceConfig": {"InstanceType": "ml.m5.xlarge"},
                    "OutputDataConfig": {"S3OutputPath": "s3://b/"}
                });
                bytes.extend_from_slice(serde_json::to_string(&doc).unwrap().as_bytes());
                bytes.extend_from_slice(if n % 2 == 0 { b"\r\n" } else { b"\n" });
            }
        }
    }
    assert!(bytes.len() > 5 << 20);
    std::fs::write(dir.path().join("jobs.jsonl"), &bytes).unwrap();
    let run = tool()
        .cwd(dir.path())
        .args(["scan", "jobs.jsonl", "--format", "json"])
        .run();
    assert_eq!(run.code, 3, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["summary"]["jobs"], 1197);
    let errors: Vec<(String, u64)> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["location"].as_str().unwrap().to_owned(),
                e["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [("line 600".to_owned(), 600), ("line 900".to_owned(), 900)]
    );
    assert!(run.stderr.contains("jobs.jsonl (line 600): not UTF-8 text"));
    assert!(
        run.stderr
            .contains("jobs.jsonl (line 900): JSON ends early")
    );
    let last = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["job_name"] == "stream-1200")
        .unwrap();
    assert_eq!(last["line"], 1200);
}
