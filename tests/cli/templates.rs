//! `--templates DIR` replaces the embedded templates; escaping still holds.

use crate::common::*;

#[test]
fn custom_templates_replace_the_embedded_ones() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("report.md"),
        "{{ jobs }} jobs, {{ counts.fail }} failing\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("report.html"),
        "<ul>{% for f in static_failing %}<li>{{ f.job_name }}</li>{% endfor %}</ul>",
    )
    .unwrap();
    let tpl = dir.path().to_str().unwrap();
    let run = tool()
        .args(["scan", "basic", "--format", "md", "--templates", tpl])
        .run();
    assert_eq!(run.stdout, "4 jobs, 4 failing\n");
    let run = tool()
        .args(["scan", "hostile", "--format", "html", "--templates", tpl])
        .run();
    assert!(
        run.stdout.contains("&lt;img src=x onerror="),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("<img"));
}

#[test]
fn a_partial_template_dir_keeps_the_other_embedded_template() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("report.md"), "custom\n").unwrap();
    let tpl = dir.path().to_str().unwrap();
    let run = tool()
        .args(["scan", "basic", "--format", "html", "--templates", tpl])
        .run();
    assert!(
        run.stdout
            .contains("SageMaker training job encryption audit")
    );
}

#[test]
fn broken_templates_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("report.md"), "{% for x in %}").unwrap();
    let tpl = dir.path().to_str().unwrap();
    let run = tool().args(["scan", "basic", "--templates", tpl]).run();
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("--templates"));
}
