//! Pipeline definitions: every source, verdicts, the lines findings point at (JSON, YAML and
//! describe-pipeline), fingerprints that follow the pipeline and step, not the file.

use std::path::Path;

use crate::common::*;
use serde_json::Value;

fn scan_samples() -> (tempfile::TempDir, Run) {
    let out = tempfile::tempdir().unwrap();
    let run = tool()
        .cwd(repo())
        .args(["scan", "samples/pipelines", "samples/kms", "--out-dir"])
        .arg(out.path().to_str().unwrap())
        .run();
    (out, run)
}

#[test]
fn pipeline_findings_match_their_snapshots_in_every_format() {
    let (out, run) = scan_samples();
    assert_eq!(
        run.code, 3,
        "the template's S3 definition is an error: {}",
        run.stderr
    );
    insta::assert_snapshot!(
        "pipelines-stderr",
        run.stderr
            .replace(&out.path().display().to_string(), "[OUT]")
    );
    for name in REPORTS {
        let text = redact(&read(out.path(), name));
        let text = if name == "report.json" {
            let value: Value = serde_json::from_str(&text).unwrap();
            serde_json::to_string_pretty(&value).unwrap()
        } else {
            text
        };
        insta::assert_snapshot!(format!("pipelines-{name}"), text);
    }
}

/// The text of line `line` of a file under the repository.
fn line_text(file: &str, line: u64) -> String {
    std::fs::read_to_string(repo().join(file))
        .unwrap()
        .lines()
        .nth(line as usize - 1)
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn findings_point_at_the_key_or_the_object_that_should_hold_it() {
    let (out, _) = scan_samples();
    let doc = json(out.path(), "report.json");
    let findings = doc["findings"].as_array().unwrap();
    assert!(findings.len() >= 14);
    for f in findings {
        let file = f["source_file"].as_str().unwrap();
        let line = f["line"].as_u64().unwrap();
        let text = line_text(file, line);
        let message = f["message"].as_str().unwrap();
        // The field path the message names: Arguments.A.B.Key.
        let field = message
            .split_whitespace()
            .find(|w| w.starts_with("Arguments."))
            .map(|w| w.trim_end_matches([',', '.']));
        let volume = former_rule(f) == "pipeline-step-volume-cmk";
        let expected: Vec<String> = if file.ends_with("describe-pipeline-nightly-features.json") {
            vec!["\"PipelineDefinition\"".to_owned()]
        } else if file.ends_with("plan.json") {
            vec!["\"pipeline_definition\"".to_owned()]
        } else if file.ends_with("training-jobs.json") {
            // A plan's job resource: its converted values point at the resource's values.
            vec!["\"values\"".to_owned()]
        } else if file.ends_with("agent-eval-job.json") {
            // A Job step's key sits inside the JobConfigDocument string: its line.
            vec!["\"JobConfigDocument\"".to_owned()]
        } else if file.ends_with("sdk2-register-model.json") {
            // Model.register() writes neither SecurityConfig nor a ValidationSpecification: with
            // no object to hold the key, findings point at the step's arguments.
            vec!["\"Arguments\"".to_owned()]
        } else if file.ends_with("training-pipeline.json") {
            // A JSON template's body is one string: findings point at its line.
            vec!["\"PipelineDefinitionBody\"".to_owned()]
        } else if f["status"] == "NOT_APPLICABLE" {
            ["ClusterConfig", "ResourceConfig", "TransformResources"]
                .map(|o| format!("\"{o}\""))
                .to_vec()
        } else if message.contains("is not set") {
            // The object that should hold the key.
            let parts: Vec<&str> = field.unwrap().split('.').collect();
            vec![format!("\"{}\"", parts[parts.len() - 2])]
        } else if volume {
            vec!["\"VolumeKmsKeyId\"".to_owned()]
        } else {
            vec!["\"KmsKeyId\"".to_owned()]
        };
        assert!(
            expected.iter().any(|e| text.contains(e.as_str())),
            "{file}:{line} should show {expected:?} for {message}; it is {text:?}"
        );
    }
}

#[test]
/// Two files that define pipelines of the same name are two pipelines: their alerts must not
/// share a fingerprint (a baseline would call a new failure "unchanged"). Within one file, an
/// alert keeps its fingerprint when lines shift and changes when the step is renamed.
fn sarif_alerts_sit_on_the_line_and_files_of_one_pipeline_name_stay_apart() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("a")).unwrap();
    std::fs::create_dir_all(d.join("b/renamed")).unwrap();
    let definition =
        std::fs::read_to_string(repo().join("samples/pipelines/churn-pipeline.json")).unwrap();
    std::fs::write(d.join("a/churn-pipeline.json"), &definition).unwrap();
    // The same definition elsewhere, with lines shifted by a blank line at the top.
    std::fs::write(
        d.join("b/renamed/churn-pipeline.json"),
        format!("\n{definition}"),
    )
    .unwrap();
    let sarif = |dir: &str| -> Value {
        let run = tool().cwd(d).args(["scan", dir, "--format", "sarif"]).run();
        serde_json::from_str(&run.stdout).unwrap()
    };
    let (a, b) = (sarif("a"), sarif("b"));
    let results = |s: &Value| -> Vec<(String, String, i64)> {
        s["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"]["sagemakerAuditFinding/v1"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                    r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_i64()
                        .unwrap(),
                )
            })
            .collect()
    };
    let (ra, rb) = (results(&a), results(&b));
    assert_eq!(ra.len(), 4, "the failing keys of the churn pipeline");
    for (x, y) in ra.iter().zip(&rb) {
        assert_ne!(x.0, y.0, "two files, two pipelines");
        assert_eq!(x.1, "a/churn-pipeline.json");
        assert_eq!(y.1, "b/renamed/churn-pipeline.json");
        assert_eq!(x.2 + 1, y.2, "each alert sits on its key's line");
    }
    let message = a["runs"][0]["results"][0]["message"]["text"]
        .as_str()
        .unwrap();
    assert!(
        message.starts_with("Pipeline step churn-pipeline/"),
        "{message}"
    );
    // Lines shifting within the same file keep every alert.
    std::fs::write(d.join("a/churn-pipeline.json"), format!("\n\n{definition}")).unwrap();
    let shifted = results(&sarif("a"));
    assert_eq!(
        shifted.iter().map(|r| &r.0).collect::<Vec<_>>(),
        ra.iter().map(|r| &r.0).collect::<Vec<_>>()
    );
    // Renaming the step makes it another alert.
    let renamed = definition.replace("\"TrainModel\"", "\"TrainModelV2\"");
    std::fs::write(d.join("a/churn-pipeline.json"), renamed).unwrap();
    let rc = results(&sarif("a"));
    assert!(rc.iter().any(|r| !ra.iter().any(|x| x.0 == r.0)));
}

#[test]
fn json_templates_and_non_template_yaml() {
    let dir = fixtures().join("pipeline-json");
    let run = tool()
        .cwd(&dir)
        .args(["scan", ".", "--format", "json"])
        .run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        doc["inputs"]["skipped_files"], 1,
        "notes.yaml is no template"
    );
    assert_eq!(doc["inputs"]["pipeline_documents"], 1);
    let verdicts: Vec<(String, String, String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["job_name"].as_str().unwrap().to_owned(),
                former_rule(f),
                f["part"].as_str().unwrap_or_default().to_owned(),
                format!(
                    "{} {}",
                    f["status"].as_str().unwrap(),
                    f["key_manager"].as_str().unwrap()
                ),
            )
        })
        .collect();
    let expect = |job: &str, rule: &str, part: &str| {
        verdicts
            .iter()
            .find(|v| v.0 == job && v.1 == rule && v.2 == part)
            .map(|v| v.3.trim().to_owned())
            .unwrap_or_else(|| panic!("no {job} {rule} {part}: {verdicts:?}"))
    };
    // The tuning step's definition takes its volume key from a parameter defaulting to an
    // AWS-managed alias.
    assert_eq!(
        expect("tuner/Tune", "pipeline-step-volume-cmk", "definition xgb"),
        "FAIL AWS"
    );
    assert_eq!(
        expect("tuner/Tune", "pipeline-step-output-cmk", "definition xgb"),
        "PASS UNVERIFIED"
    );
    assert_eq!(
        expect("tuner/Pick", "pipeline-step-volume-cmk", ""),
        "PASS UNVERIFIED"
    );
    assert_eq!(expect("tuner/Pick", "pipeline-step-output-cmk", ""), "FAIL");
    // Fn::Join with a Ref: not known from the template.
    assert_eq!(
        expect("joined/T", "pipeline-step-volume-cmk", ""),
        "PASS UNVERIFIED"
    );
    assert_eq!(expect("joined/T", "pipeline-step-output-cmk", ""), "FAIL");
    let message = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["part"] == "definition xgb" && f["rule_id"] == "tuning-volume-cmk")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("default of pipeline parameter Key"),
        "{message}"
    );
    // Named explicitly, YAML that is no template is an error, not a silent skip.
    let run = tool().cwd(&dir).args(["scan", "notes.yaml"]).run();
    assert_eq!(run.code, 3);
    assert!(
        run.stderr
            .contains("neither a CloudFormation template (a Resources section), a Step"),
        "{}",
        run.stderr
    );
}

#[test]
fn waivers_and_kinds_work_for_pipeline_steps() {
    let dir = tempfile::tempdir().unwrap();
    let waivers = dir.path().join("w.toml");
    std::fs::write(
        &waivers,
        "[[waiver]]\nkind = \"pipeline\"\njob = \"churn-pipeline/*\"\nreason = \"migrating\"\nowner = \"ml\"\nexpires = 2099-01-01\n",
    )
    .unwrap();
    let run = tool()
        .cwd(repo())
        .args([
            "scan",
            "samples/pipelines/churn-pipeline.json",
            "--format",
            "json",
            "--waivers",
        ])
        .arg(waivers.to_str().unwrap())
        .run();
    assert_eq!(run.code, 0, "every failure waived: {}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["summary"]["waived"], 4);
    assert!(
        Path::new(&repo())
            .join("samples/pipelines/churn-pipeline.json")
            .exists()
    );
}

/// Steps are judged by the checks of the kind they create (schema 3.0); the rule ids steps had
/// before (`pipeline-step-volume-cmk`, `pipeline-step-output-cmk`) still work in waivers and
/// baselines, and a 2.2 report's step findings are refused by `merge` with one error.
#[test]
fn former_pipeline_step_rule_ids_still_work_in_waivers_and_baselines() {
    let dir = tempfile::tempdir().unwrap();
    let scan = |extra: &[&str]| {
        let run = tool()
            .cwd(repo())
            .args([
                "scan",
                "samples/pipelines/churn-pipeline.json",
                "--format",
                "json",
            ])
            .args(extra)
            .run();
        (
            run.code,
            serde_json::from_str::<Value>(&run.stdout).unwrap(),
            run.stderr,
        )
    };
    let (_, plain, _) = scan(&[]);
    let findings = plain["findings"].as_array().unwrap();
    // Each step is judged by its job kind's checks, and says it is a step.
    assert!(findings.iter().all(|f| f["origin"] == "pipeline-step"));
    let train: Vec<&str> = findings
        .iter()
        .filter(|f| f["job_name"] == "churn-pipeline/TrainModel")
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(train, ["training-volume-cmk", "training-output-cmk"]);
    assert!(
        findings
            .iter()
            .filter(|f| f["job_name"] == "churn-pipeline/TrainModel")
            .all(|f| f["resource_type"] == "training-job")
    );
    // A waiver naming the former volume rule waives every step's volume failure, and only
    // those; one naming `kind = "training"` waives no step.
    let waivers = dir.path().join("w.toml");
    let waiver = |text: &str| {
        std::fs::write(
            &waivers,
            format!("[[waiver]]\n{text}\nreason = \"r\"\nowner = \"o\"\nexpires = 2099-01-01\n"),
        )
        .unwrap();
        waivers.to_str().unwrap().to_owned()
    };
    let (_, doc, stderr) = scan(&["--waivers", &waiver("rule = \"pipeline-step-volume-cmk\"")]);
    let waived: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["waived"] == true)
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert!(!waived.is_empty(), "{stderr}");
    assert!(
        waived.iter().all(|r| r.ends_with("-volume-cmk")),
        "{waived:?}"
    );
    let failing_volume = findings
        .iter()
        .filter(|f| f["status"] == "FAIL" && former_rule(f) == "pipeline-step-volume-cmk")
        .count();
    assert_eq!(waived.len(), failing_volume);
    let (_, doc, _) = scan(&["--waivers", &waiver("kind = \"training\"")]);
    assert_eq!(doc["summary"]["waived"], 0);
    let run = tool()
        .cwd(repo())
        .args(["scan", "samples/pipelines/churn-pipeline.json", "--waivers"])
        .arg(waiver(
            "rule = \"pipeline-step-output-cmk\"\nkind = \"training\"",
        ))
        .run();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("never match"), "{}", run.stderr);
    // A baseline written before (schema 2.2: step findings under the former rule ids) lines
    // up with today's findings: the same failures are unchanged, none is new.
    let mut old = plain.clone();
    old["schema_version"] = "2.2".into();
    for f in old["findings"].as_array_mut().unwrap() {
        f["rule_id"] = former_rule(f).into();
        f["resource_type"] = "pipeline-step".into();
        f.as_object_mut().unwrap().remove("origin");
    }
    let baseline = dir.path().join("old.json");
    std::fs::write(&baseline, serde_json::to_string(&old).unwrap()).unwrap();
    let (_, doc, stderr) = scan(&["--baseline", baseline.to_str().unwrap()]);
    let fails = findings.iter().filter(|f| f["status"] == "FAIL").count();
    assert_eq!(doc["baseline"]["unchanged"], fails, "{stderr}");
    assert_eq!(doc["baseline"]["new"], 0);
    assert_eq!(doc["baseline"]["fixed"].as_array().unwrap().len(), 0);
    // `merge` cannot place those findings (they name no kind): one error for the report,
    // the exit code says the merge is incomplete, and the other report's findings stay.
    let now = dir.path().join("now.json");
    std::fs::write(&now, serde_json::to_string(&plain).unwrap()).unwrap();
    let run = tool()
        .args(["merge", "--format", "json"])
        .arg(baseline.to_str().unwrap())
        .arg(now.to_str().unwrap())
        .run();
    assert_eq!(run.code, 3, "{}", run.stderr);
    let merged: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(merged["findings"], plain["findings"]);
    let errors = merged["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]["message"].as_str().unwrap().contains(&format!(
            "{} findings of pipeline steps were left out",
            findings.len()
        )),
        "{errors:?}"
    );
}

/// A job step inside a `ForEach` body (SageMaker Python SDK 3) runs once per item: it is judged,
/// named after its ForEach step, and points at its own lines (it used to pass unseen, exit 0).
#[test]
fn steps_in_a_for_each_body_are_judged() {
    let run = tool()
        .cwd(repo())
        .args([
            "scan",
            "samples/pipelines/per-region-foreach.json",
            "--format",
            "json",
        ])
        .run();
    assert_eq!(
        run.code, 1,
        "the body's missing output key fails: {}",
        run.stderr
    );
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    for f in findings {
        assert_eq!(f["job_name"], "per-region-foreach/PerRegion/TrainRegion");
        assert_eq!(
            f["job_arn"],
            "samples/pipelines/per-region-foreach.json#pipeline/per-region-foreach/PerRegion/TrainRegion"
        );
        let line = f["line"].as_u64().unwrap();
        assert!(
            line > 10,
            "the body step's own line, not the definition's: {line}"
        );
    }
    // The ForEach step itself creates nothing: it counts among the other steps.
    assert_eq!(doc["inputs"]["pipeline_other_steps"], 1);
    // A ForEachBody that is not a list of steps is an error, not a silent pass.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"Version":"2020-12-01","Steps":[{"Name":"F","Type":"ForEach","Arguments":{"ForEachBody":{"Name":"T"}}}]}"#,
    )
    .unwrap();
    let run = tool()
        .args(["scan", bad.to_str().unwrap(), "--format", "json"])
        .run();
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("ForEachBody must be a list of steps"),
        "{}",
        run.stderr
    );
    // Nesting is bounded: ForEach steps 40 deep are one error, and the job step beside the
    // first of them is still judged; hostile step names stay one bounded line.
    let mut body = r#"{"Name":"Deepest","Type":"Fail","Arguments":{}}"#.to_owned();
    for i in (0..40).rev() {
        body =
            format!(r#"{{"Name":"F{i}","Type":"ForEach","Arguments":{{"ForEachBody":[{body}]}}}}"#);
    }
    let train = r#"{"Name":"T\u001b[31m../x","Type":"Training","Arguments":{"ResourceConfig":{"InstanceType":"ml.m5.xlarge"}}}"#;
    std::fs::write(
        &bad,
        format!(r#"{{"Version":"2020-12-01","Steps":[{body},{train}]}}"#),
    )
    .unwrap();
    let run = tool()
        .args(["scan", bad.to_str().unwrap(), "--format", "json"])
        .run();
    assert_eq!(run.code, 3, "{}", run.stderr);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(errors[0].contains("more than 32 deep"), "{}", errors[0]);
    assert!(!run.stderr.contains('\u{1b}'), "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        doc["findings"].as_array().unwrap().len(),
        2,
        "the training step"
    );
}

/// A step that leaves out the object a key belongs in (no `OutputDataConfig`) is pointed at by
/// its `Arguments` line, not by the top of the definition.
#[test]
fn a_missing_holder_points_at_the_steps_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.json");
    let text = r#"{
  "Version": "2020-12-01",
  "Steps": [
    {
      "Name": "Prepare",
      "Type": "Fail",
      "Arguments": {}
    },
    {
      "Name": "Train",
      "Type": "Training",
      "Arguments": {
        "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30}
      }
    }
  ]
}
"#;
    std::fs::write(&file, text).unwrap();
    let run = tool()
        .args(["scan", file.to_str().unwrap(), "--format", "json"])
        .run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let output = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "training-output-cmk")
        .unwrap();
    assert_eq!(output["status"], "FAIL");
    let arguments = text
        .lines()
        .position(|l| l.contains("\"Arguments\": {") && !l.contains("{}"))
        .unwrap()
        + 1;
    assert_eq!(output["line"], arguments as u64);
}
