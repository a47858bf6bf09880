//! Inputs that are not regular files (standard input, FIFOs, process substitution), scans that
//! find nothing, and documents split out of streams and arrays of any size.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(name)).unwrap()
}

/// Findings of a JSON report as (job, rule, status, line).
fn verdicts(report: &serde_json::Value) -> Vec<(String, String, String, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["job_name"].as_str().unwrap().to_owned(),
                f["rule_id"].as_str().unwrap().to_owned(),
                f["status"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn report(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stderr))
}

#[test]
fn standard_input_is_read_as_dash_and_as_dev_stdin() {
    let job = fixture("basic/unencrypted.json");
    for path in ["-", "/dev/stdin"] {
        let run = tool()
            .args(["scan", path, "--format", "json"])
            .stdin(job.clone())
            .run();
        assert_eq!(run.code, 1, "{path}: {}", run.stderr);
        let doc = report(&run);
        let failing: Vec<_> = verdicts(&doc)
            .into_iter()
            .filter(|v| v.2 == "FAIL")
            .collect();
        assert_eq!(failing.len(), 2, "{path}: {failing:?}");
        let source = doc["findings"][0]["source_file"].as_str().unwrap();
        assert!(source.ends_with(path.trim_start_matches('/')), "{source}");
    }
}

#[cfg(unix)]
#[test]
fn process_substitution_is_read() {
    let bin = binary();
    let file = fixtures().join("basic/unencrypted.json");
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "'{bin}' scan <(cat '{}') --format json",
            file.display()
        ))
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["fail"], 2);
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

/// Runs the binary with a deadline: a regression that opens a FIFO without a writer must fail
/// the test, not hang it.
fn run_with_deadline(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let mut child = Command::new(binary())
        .args(args)
        .current_dir(cwd)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            let out = child.wait_with_output().unwrap();
            return (
                out.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            );
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("sagemaker-audit {args:?} did not finish in 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(unix)]
#[test]
fn a_named_fifo_is_read_as_a_stream() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("jobs");
    mkfifo(&fifo);
    // Not joined: if the binary never opened the FIFO, the writer would block for ever.
    let fifo_path = fifo.clone();
    std::thread::spawn(move || {
        let _ = std::fs::write(fifo_path, fixture("basic/unencrypted.json"));
    });
    let (code, stdout, stderr) =
        run_with_deadline(&["scan", "jobs", "--format", "json"], dir.path());
    assert_eq!(code, 1, "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["summary"]["fail"], 2);
}

#[cfg(unix)]
#[test]
fn fifos_found_in_a_directory_are_counted_never_opened() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("pipe.json"));
    std::fs::copy(
        fixtures().join("basic/encrypted.json"),
        dir.path().join("job.json"),
    )
    .unwrap();
    let (code, stdout, stderr) = run_with_deadline(&["scan", ".", "--format", "json"], dir.path());
    assert_eq!(code, 0, "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["inputs"]["skipped_special"], 1);
    assert_eq!(doc["inputs"]["files_read"], 1);
    assert!(stderr.contains("1 FIFOs, sockets or devices"), "{stderr}");
}

#[test]
fn a_scan_that_evaluates_nothing_is_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty-array.json"), "[]").unwrap();
    std::fs::create_dir(dir.path().join("nothing")).unwrap();
    for (args, stdin) in [
        (vec!["scan", "empty-array.json"], ""),
        (vec!["scan", "nothing"], ""),
        (vec!["scan", "-"], ""),
        (vec!["scan", "-"], "   \n"),
    ] {
        let run = tool().cwd(dir.path()).args(&args).stdin(stdin).run();
        assert_eq!(run.code, 3, "{args:?}: {}", run.stderr);
        let errors: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .collect();
        assert_eq!(errors.len(), 1, "{args:?}: {}", run.stderr);
        let allowed = tool()
            .cwd(dir.path())
            .args(&args)
            .arg("--allow-empty")
            .stdin(stdin)
            .run();
        assert_eq!(
            allowed.code, 0,
            "{args:?} --allow-empty: {}",
            allowed.stderr
        );
        assert!(!allowed.stderr.contains("error:"), "{}", allowed.stderr);
    }
}

/// A JSON array of `n` jobs, one per line, with `bad` replacing element `bad_at` (1-based).
fn array_of_jobs(n: usize, bad_at: usize, bad: &str) -> String {
    let mut text = String::from("[\n");
    for i in 1..=n {
        if i > 1 {
            text.push_str(",\n");
        }
        if i == bad_at {
            text.push_str(bad);
            continue;
        }
        let job = format!("stream-{i:05}");
        text.push_str(
            &serde_json::json!({
                "TrainingJobName": job,
                "TrainingJobArn": format!("arn:aws:sagemaker:us-east-1:123456789012:training-job/{job}"),
                "Padding": "p".repeat(900),
                "ResourceConfig": {"InstanceType": "ml.m5.xlarge"},
                "OutputDataConfig": {"S3OutputPath": "s3://b/", "KmsKeyId": "alias/k"}
            })
            .to_string(),
        );
    }
    text.push_str("\n]\n");
    text
}

#[test]
fn a_streamed_array_gives_the_same_findings_and_lines_as_the_file() {
    // About 4 MB: several of the stream reader's 1 MiB chunks.
    let text = array_of_jobs(4000, 2500, "{\"TrainingJobName\": 42}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("jobs.json"), &text).unwrap();
    let from_file = tool()
        .cwd(dir.path())
        .args(["scan", "jobs.json", "--format", "json"])
        .run();
    let from_stream = tool()
        .cwd(dir.path())
        .args(["scan", "-", "--format", "json"])
        .stdin(text.clone())
        .run();
    assert_eq!(from_file.code, 3);
    assert_eq!(from_stream.code, 3);
    let (a, b) = (report(&from_file), report(&from_stream));
    assert_eq!(verdicts(&a), verdicts(&b));
    assert_eq!(a["summary"]["jobs"], 3999);
    let last = verdicts(&a)
        .into_iter()
        .find(|v| v.0 == "stream-04000")
        .unwrap();
    assert_eq!(last.3, 4001, "each element is on its own line after `[`");
    for doc in [&a, &b] {
        let errors = doc["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0]["location"], "element 2500");
        assert_eq!(errors[0]["line"], 2501);
    }
}

#[test]
fn a_truncated_array_keeps_what_came_before_and_says_where_it_broke() {
    let mut text = array_of_jobs(3, 0, "");
    text.truncate(text.rfind("stream-00003").unwrap() + 5);
    let run = tool()
        .args(["scan", "-", "--format", "json"])
        .stdin(text)
        .run();
    assert_eq!(run.code, 3, "{}", run.stderr);
    let doc = report(&run);
    assert_eq!(doc["summary"]["jobs"], 2);
    assert!(
        run.stderr
            .contains("-: JSON ends early inside array element 3, which begins on line 4"),
        "{}",
        run.stderr
    );
}

#[test]
fn concatenated_and_line_delimited_documents_are_read_from_any_json_file() {
    let one = String::from_utf8(fixture("basic/unencrypted.json")).unwrap();
    let two = String::from_utf8(fixture("basic/encrypted.json")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("both.json"), format!("{one}\n{two}")).unwrap();
    let run = tool()
        .cwd(dir.path())
        .args(["scan", "both.json", "--format", "json"])
        .run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = report(&run);
    assert_eq!(doc["summary"]["jobs"], 2);
    assert_eq!(doc["inputs"]["documents"], 2);
}

#[test]
fn a_job_carrying_kms_or_manifest_fields_is_an_error_not_a_silent_drop() {
    let job = String::from_utf8(fixture("basic/unencrypted.json")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (name, extra) in [
        ("aliases.json", r#""Aliases": [],"#),
        (
            "key.json",
            r#""KeyMetadata": {"KeyId": "k", "KeyManager": "CUSTOMER", "KeyState": "Enabled"},"#,
        ),
    ] {
        std::fs::write(
            dir.path().join(name),
            job.replacen('{', &format!("{{{extra}"), 1),
        )
        .unwrap();
    }
    let run = tool()
        .cwd(dir.path())
        .args(["scan", ".", "--format", "json"])
        .run();
    assert_eq!(run.code, 3, "{}", run.stderr);
    let doc = report(&run);
    assert_eq!(doc["errors"].as_array().unwrap().len(), 2);
    assert_eq!(
        run.stderr.matches("ambiguous document").count(),
        2,
        "{}",
        run.stderr
    );
}

#[test]
fn an_oversized_document_is_one_error_and_the_next_one_still_counts() {
    let job = String::from_utf8(fixture("bad/lines.jsonl")).unwrap();
    let good = job.lines().next().unwrap();
    let huge = format!("{{\"x\": \"{}\"}}", "a".repeat(17 << 20));
    let text = format!("{huge}\n{good}\n");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("jobs.jsonl"), &text).unwrap();
    // A JSON Lines file, and the same text as a stream (read as a sequence of documents).
    for (path, expected) in [
        (
            "jobs.jsonl",
            "jobs.jsonl (line 1): document is larger than 16 MiB",
        ),
        ("-", "-: document is larger than 16 MiB"),
    ] {
        let run = tool()
            .cwd(dir.path())
            .args(["scan", path, "--format", "json"])
            .stdin(text.clone())
            .run();
        assert_eq!(run.code, 3, "{}", run.stderr);
        let doc = report(&run);
        assert_eq!(doc["summary"]["jobs"], 1);
        assert!(run.stderr.contains(expected), "{path}: {}", run.stderr);
        assert_eq!(doc["findings"][0]["line"], 2);
    }
}
