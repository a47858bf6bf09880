//! A tiny builder for running the binary, plus fixture helpers.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Every file `--out-dir` receives.
pub const REPORTS: [&str; 5] = [
    "report.sarif",
    "report.csv",
    "report.html",
    "report.md",
    "report.json",
];

/// Fixed run time for reproducible reports (`SOURCE_DATE_EPOCH`).
pub const EPOCH: &str = "1700000000";

/// The binary under test: this build's, or `SAGEMAKER_AUDIT_BIN` (to run the suite against
/// another build, for example to see a regression test fail on the code before a fix).
pub fn binary() -> String {
    std::env::var("SAGEMAKER_AUDIT_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_sagemaker-audit").to_owned())
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct Tool {
    args: Vec<String>,
    cwd: PathBuf,
    pinned: bool,
    stdin: Option<Vec<u8>>,
    env: Vec<(String, String)>,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn tool() -> Tool {
    Tool {
        args: Vec::new(),
        cwd: fixtures(),
        pinned: true,
        stdin: None,
        env: Vec::new(),
    }
}

impl Tool {
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.args
            .extend(args.into_iter().map(|s| s.as_ref().to_owned()));
        self
    }

    pub fn arg(self, a: impl AsRef<str>) -> Self {
        self.args([a])
    }

    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cwd = dir.into();
        self
    }

    /// Runs at the real time, not the pinned `SOURCE_DATE_EPOCH`.
    pub fn unpinned(mut self) -> Self {
        self.pinned = false;
        self
    }

    /// Sets an environment variable for the run.
    pub fn env(mut self, name: &str, value: impl AsRef<str>) -> Self {
        self.env.push((name.to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Feeds `bytes` on standard input.
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    pub fn run(self) -> Run {
        use std::io::Write;
        let mut cmd = Command::new(binary());
        cmd.args(&self.args)
            .current_dir(&self.cwd)
            .env_remove("SOURCE_DATE_EPOCH")
            .env_remove("RUST_BACKTRACE")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        if self.pinned {
            cmd.env("SOURCE_DATE_EPOCH", EPOCH);
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        let mut child = cmd.spawn().expect("the binary runs");
        let input = self.stdin.unwrap_or_default();
        let mut pipe = child.stdin.take().expect("stdin");
        let writer = std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
        let out = child.wait_with_output().expect("the binary runs");
        let _ = writer.join();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        }
    }
}

/// Replaces what changes between releases, so snapshots only move when behaviour does.
pub fn redact(text: &str) -> String {
    text.replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

/// Scans `paths` (relative to the fixtures) into a fresh out-dir and returns it.
pub fn scan_to_dir(paths: &[&str], extra: &[&str]) -> (tempfile::TempDir, Run) {
    scan_to_dir_in(&fixtures(), paths, extra)
}

/// [`scan_to_dir`] with `paths` relative to `cwd` (the repository, or a test's own directory).
pub fn scan_to_dir_in(cwd: &Path, paths: &[&str], extra: &[&str]) -> (tempfile::TempDir, Run) {
    let out = tempfile::tempdir().expect("temp dir");
    let run = tool()
        .cwd(cwd)
        .arg("scan")
        .args(paths)
        .args(extra)
        .arg("--out-dir")
        .arg(out.path().to_str().expect("utf-8 path"))
        .run();
    (out, run)
}

pub fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn json(dir: &Path, name: &str) -> serde_json::Value {
    serde_json::from_str(&read(dir, name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// 1-based line of the first occurrence of `needle` in a fixture.
pub fn line_of(fixture: &str, needle: &str) -> u64 {
    let text = std::fs::read_to_string(fixtures().join(fixture)).expect("fixture");
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i as u64 + 1)
        .unwrap_or_else(|| panic!("{needle} not in {fixture}"))
}

/// Writes `count` jobs that fail both checks into `dir/name`, as one JSON array.
pub fn write_failing_jobs(dir: &Path, name: &str, prefix: &str, count: usize) {
    let jobs: Vec<serde_json::Value> = (0..count)
        .map(|i| {
            let job = format!("{prefix}-{i:05}");
            serde_json::json!({
                "TrainingJobName": job,
                "TrainingJobArn": format!("arn:aws:sagemaker:us-east-1:123456789012:training-job/{job}"),
                "AlgorithmSpecification": {"TrainingImage": "x"},
                "ResourceConfig": {"InstanceType": "ml.m5.xlarge"},
                "OutputDataConfig": {"S3OutputPath": "s3://b/"}
            })
        })
        .collect();
    std::fs::write(
        dir.join(name),
        serde_json::to_vec(&jobs).expect("serialise"),
    )
    .expect("write");
}

/// A JSON finding's check as the rule ids of schema 2.x named it: a pipeline step's finding
/// by the key role of its check (`pipeline-step-volume-cmk`, `pipeline-step-output-cmk`), as
/// waivers and baselines still accept; anything else by its own id.
pub fn former_rule(f: &serde_json::Value) -> String {
    let id = f["rule_id"].as_str().unwrap();
    if f["origin"] != "pipeline-step" {
        return id.to_owned();
    }
    let role = if id.ends_with("-volume-cmk") {
        "volume"
    } else {
        "output"
    };
    format!("pipeline-step-{role}-cmk")
}
