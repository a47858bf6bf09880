//! Exit codes: 0 clean, 1 failures, 2 usage, 3 incomplete (wins over 1).

use crate::common::*;

#[test]
fn failures_exit_1_and_fail_on_moves_the_threshold() {
    assert_eq!(tool().args(["scan", "basic"]).run().code, 1);
    assert_eq!(
        tool()
            .args(["scan", "basic", "--fail-on", "low"])
            .run()
            .code,
        1
    );
    assert_eq!(
        tool()
            .args(["scan", "basic", "--fail-on", "critical"])
            .run()
            .code,
        0
    );
    assert_eq!(
        tool()
            .args(["scan", "basic", "--fail-on", "never"])
            .run()
            .code,
        0
    );
}

#[test]
fn passing_jobs_exit_0() {
    let run = tool()
        .args(["scan", "basic/encrypted.json", "basic/gpu-nvme.json"])
        .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn incomplete_scans_exit_3_even_with_failures() {
    assert_eq!(
        tool().args(["scan", "basic", "bad/empty.json"]).run().code,
        3
    );
    assert_eq!(
        tool()
            .args(["scan", "basic", "bad", "--fail-on", "never"])
            .run()
            .code,
        3
    );
}

/// One report path that cannot be replaced left a mixed set before (new report.json and
/// report.csv next to old report.sarif and report.md): now no report is replaced.
#[test]
fn a_report_that_cannot_be_replaced_leaves_the_old_set_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("reports");
    let first = tool()
        .args(["scan", "basic", "--out-dir", out.to_str().unwrap()])
        .run();
    assert_eq!(first.code, 1, "{}", first.stderr);
    let before: Vec<(String, Vec<u8>)> = ["report.json", "report.csv", "report.md"]
        .iter()
        .map(|n| (n.to_string(), std::fs::read(out.join(n)).unwrap()))
        .collect();
    std::fs::remove_file(out.join("report.sarif")).unwrap();
    std::fs::create_dir(out.join("report.sarif")).unwrap();
    // Another input, so that every new report differs from the old one.
    let run = tool()
        .args([
            "scan",
            "basic/encrypted.json",
            "--out-dir",
            out.to_str().unwrap(),
        ])
        .run();
    assert_eq!(run.code, 4, "{}", run.stderr);
    for (name, bytes) in before {
        assert_eq!(
            std::fs::read(out.join(&name)).unwrap(),
            bytes,
            "{name} was replaced"
        );
    }
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with(".sagemaker-audit-")),
        "{names:?}"
    );
}

#[test]
fn reports_that_cannot_be_written_exit_4_not_2() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the output directory should be.
    let blocked = dir.path().join("reports");
    std::fs::write(&blocked, "not a directory").unwrap();
    let run = tool()
        .args(["scan", "basic", "--out-dir", blocked.to_str().unwrap()])
        .run();
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: --out-dir "),
        "{}",
        run.stderr
    );
    // An unknown waiver rule is still a usage error, found before anything is read.
    let waivers = dir.path().join("w.toml");
    std::fs::write(
        &waivers,
        "[[waiver]]\nrule = \"training-vol\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2030-01-01\n",
    )
    .unwrap();
    let run = tool()
        .args(["scan", "basic", "--waivers", waivers.to_str().unwrap()])
        .run();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("processing-volume-cmk"),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    for args in [
        vec!["scan"],
        vec!["scan", "basic", "--format", "pdf"],
        vec!["scan", "basic", "--format", "csv,md"],
        vec!["scan", "basic", "--templates", "no-such-dir"],
        vec!["scan", "basic", "--nvme-families", "bad/not-json.json"],
        vec!["frobnicate"],
    ] {
        let run = tool().args(&args).run();
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.starts_with("error: "),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{args:?}");
    }
}

#[test]
fn a_missing_path_is_an_error_entry_not_a_crash() {
    let run = tool().args(["scan", "basic", "no/such/file.json"]).run();
    assert_eq!(run.code, 3);
    assert!(
        run.stderr
            .contains("error: no/such/file.json: no such file or directory")
    );
}

#[test]
fn verbose_prints_phase_timings_and_quiet_prints_nothing_but_errors() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let run = tool().args(["scan", "basic", "--out-dir", dir, "-v"]).run();
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("read 4 files (4 jobs) in "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("evaluated 8 findings in "));
    assert!(run.stderr.contains("sorted and summarised 8 findings in "));
    assert_eq!(run.stderr.matches("wrote ").count(), 5, "{}", run.stderr);
    let quiet = tool().args(["scan", "basic", "--out-dir", dir, "-q"]).run();
    assert_eq!(quiet.code, 1);
    assert_eq!(quiet.stderr, "");
}
