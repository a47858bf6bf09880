//! Step Functions state machines: ASL files (JSON and YAML) and state machines in
//! CloudFormation templates, their SageMaker tasks judged as the jobs they create.

use crate::common::{json, read, redact, repo, scan_to_dir_in, tool};

/// `(rule, name, status, line, file)` of every finding, sorted.
fn rows(doc: &serde_json::Value) -> Vec<(String, String, String, u64, String)> {
    let mut rows: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["job_name"].as_str().unwrap().to_owned(),
                f["status"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["source_file"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn asl_files_and_templates_are_judged_on_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    // YAML ASL, a JSONata state at the top level, and a CDK-style template whose definition is
    // an Fn::Join of strings and Fn::GetAtt.
    std::fs::write(
        dir.path().join("compile.asl.yaml"),
        "QueryLanguage: JSONata\nStartAt: Compile\nStates:\n  Compile:\n    Type: Task\n    \
         Resource: arn:aws:states:::aws-sdk:sagemaker:createCompilationJob\n    Arguments:\n      \
         OutputConfig:\n        S3OutputLocation: s3://b/c\n        KmsKeyId: \"{% $states.input.key %}\"\n    \
         End: true\n",
    )
    .unwrap();
    let definition = [
        serde_json::json!(
            "{\"StartAt\":\"Train\",\"States\":{\"Train\":{\"End\":true,\"Type\":\"Task\",\"Resource\":\"arn:"
        ),
        serde_json::json!({"Ref": "AWS::Partition"}),
        serde_json::json!(
            ":states:::sagemaker:createTrainingJob.sync\",\"Parameters\":{\"TrainingJobName\":\"t\",\"ResourceConfig\":{\"InstanceCount\":1,\"InstanceType\":\"ml.m5.xlarge\",\"VolumeSizeInGB\":10,\"VolumeKmsKeyId\":\"alias/aws/sagemaker\"},\"OutputDataConfig\":{\"S3OutputPath\":\"s3://b/m\",\"KmsKeyId\":\""
        ),
        serde_json::json!({"Fn::GetAtt": ["ModelKey", "Arn"]}),
        serde_json::json!("\"}}}}}"),
    ];
    let template = serde_json::json!({
        "Resources": {
            "ModelKey": {"Type": "AWS::KMS::Key", "Properties": {}},
            "Machine": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {"DefinitionString": {"Fn::Join": ["", definition]}}
            },
            "Elsewhere": {
                "Type": "AWS::Serverless::StateMachine",
                "Properties": {"DefinitionUri": "statemachine/train.asl.json"}
            }
        }
    });
    std::fs::write(
        dir.path().join("cdk.template.json"),
        serde_json::to_string_pretty(&template).unwrap(),
    )
    .unwrap();
    let (out, run) = scan_to_dir_in(dir.path(), &["."], &[]);
    // The SAM machine kept in a file is an error: the scan is incomplete.
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("AWS::Serverless::StateMachine Elsewhere: the definition is kept elsewhere (DefinitionUri)"),
        "{}",
        run.stderr
    );
    let doc = json(out.path(), "report.json");
    let found = rows(&doc);
    assert_eq!(
        found,
        [
            (
                "compilation-output-cmk".into(),
                "compile.asl/Compile".into(),
                "PASS".into(),
                10,
                "compile.asl.yaml".into()
            ),
            (
                "training-output-cmk".into(),
                "Machine/Train".into(),
                "PASS".into(),
                line_of_definition(&dir),
                "cdk.template.json".into()
            ),
            (
                "training-volume-cmk".into(),
                "Machine/Train".into(),
                "FAIL".into(),
                line_of_definition(&dir),
                "cdk.template.json".into()
            ),
        ]
    );
    let f = &doc["findings"].as_array().unwrap()[0];
    assert_eq!(f["origin"], "state-machine-task");
    let messages: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("the JSONata expression {% $states.input.key %}")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains(r#"depends on {"Fn::GetAtt":["ModelKey","Arn"]}"#)),
        "a key from Fn::GetAtt is named: {messages:?}"
    );
    assert_eq!(doc["inputs"]["resources"]["state-machine"], 3 - 1);
}

/// The line of the template's `DefinitionString` (pretty-printed JSON).
fn line_of_definition(dir: &tempfile::TempDir) -> u64 {
    let text = std::fs::read_to_string(dir.path().join("cdk.template.json")).unwrap();
    text.lines()
        .position(|l| l.contains("\"DefinitionString\""))
        .unwrap() as u64
        + 1
}

#[test]
fn waivers_and_sarif_work_for_state_machine_tasks() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("waivers.toml"),
        "[[waiver]]\nrule = \"training-volume-cmk\"\nkind = \"state-machine\"\njob = \"nightly-retrain.asl/*\"\nreason = \"NVMe types only, checked by the platform team\"\nowner = \"platform\"\nexpires = 2099-01-01\n\n[[waiver]]\nrule = \"endpoint-config-volume-cmk\"\nkind = \"state-machine\"\njob = \"nightly-retrain.asl/RegisterEndpointConfig\"\nreason = \"the endpoint runs on NVMe types only\"\nowner = \"platform\"\nexpires = 2099-01-01\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = tool()
        .cwd(repo())
        .args([
            "scan",
            "samples/state-machines/nightly-retrain.asl.json",
            "--waivers",
            dir.path().join("waivers.toml").to_str().unwrap(),
            "--out-dir",
            out.path().to_str().unwrap(),
        ])
        .run();
    assert_eq!(run.code, 0, "the only failures are waived: {}", run.stderr);
    let sarif = json(out.path(), "report.sarif");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let train = results
        .iter()
        .find(|r| r["ruleId"] == "training-volume-cmk")
        .unwrap();
    let location = &train["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "samples/state-machines/nightly-retrain.asl.json"
    );
    assert_eq!(location["region"]["startLine"], 44);
    assert_eq!(train["suppressions"][0]["kind"], "external");
}

#[test]
fn a_state_machine_report_matches_its_snapshots() {
    let out = tempfile::tempdir().unwrap();
    let run = tool()
        .cwd(repo())
        .args([
            "scan",
            "samples/state-machines",
            "--format",
            "md,csv",
            "--out-dir",
            out.path().to_str().unwrap(),
        ])
        .run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!(
        "state-machines-report.md",
        redact(&read(out.path(), "report.md"))
    );
    insta::assert_snapshot!(
        "state-machines-report.csv",
        redact(&read(out.path(), "report.csv"))
    );
    let stderr = run.stderr.replace(out.path().to_str().unwrap(), "[OUT]");
    insta::assert_snapshot!("state-machines-stderr", redact(&stderr));
}

/// Terraform job resources share the origin of infrastructure code; findings sit on the
/// resource's values in the plan.
#[test]
fn terraform_job_resources_are_judged_on_the_plans_lines() {
    let (out, run) = scan_to_dir_in(&repo(), &["samples/terraform/training-jobs.json"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(out.path(), "report.json");
    let findings = doc["findings"].as_array().unwrap();
    assert!(findings.iter().all(|f| f["origin"] == "iac-resource"));
    assert_eq!(doc["inputs"]["resources"]["iac"], 3);
    let text =
        std::fs::read_to_string(repo().join("samples/terraform/training-jobs.json")).unwrap();
    // The line of the nightly job's `values`.
    let start = text.find("\"aws_sagemaker_training_job.nightly\"").unwrap();
    let values = start + text[start..].find("\"values\"").unwrap();
    let line = text[..values].lines().count() as u64;
    let nightly = findings
        .iter()
        .find(|f| f["job_name"] == "aws_sagemaker_training_job.nightly")
        .unwrap();
    assert_eq!(nightly["line"], line);
    assert!(
        nightly["message"]
            .as_str()
            .unwrap()
            .contains("aws_kms_key.models.arn (known only after apply)"),
        "{nightly}"
    );
    let sarif = json(out.path(), "report.sarif");
    let failing: Vec<&serde_json::Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["level"] == "error")
        .collect();
    assert_eq!(failing.len(), 2, "{failing:?}");
}

/// A task that creates a training session sends an unwrapped request: its key is read at the
/// request's top level, where the task writes it.
#[test]
fn training_session_tasks_are_judged_on_their_request() {
    let dir = tempfile::tempdir().unwrap();
    let machine = serde_json::json!({
        "StartAt": "Keyed",
        "States": {
            "Keyed": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sagemaker:createTrainingSession",
                "Parameters": {
                    "TrainingSessionName": "lora-keyed",
                    "OutputConfig": {"S3Location": {"Path": "s3://b/keyed/", "KmsKeyArn": "alias/aws/s3"}}
                },
                "Next": "Bare"
            },
            "Bare": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sagemaker:createTrainingSession",
                "Parameters": {
                    "TrainingSessionName": "lora-bare",
                    "OutputConfig": {"S3Location": {"Path": "s3://b/bare/"}}
                },
                "End": true
            }
        }
    });
    std::fs::write(
        dir.path().join("sessions.asl.json"),
        serde_json::to_string_pretty(&machine).unwrap(),
    )
    .unwrap();
    let (out, run) = scan_to_dir_in(dir.path(), &["."], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(out.path(), "report.json");
    let found: Vec<(String, String, String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["job_name"].as_str().unwrap().to_owned(),
                f["status"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    for (rule, name, status, message) in &found {
        assert_eq!(rule, "training-session-output-cmk");
        assert_eq!(status, "FAIL", "{name}: {message}");
        assert!(
            message.starts_with("Parameters.OutputConfig.S3Location.KmsKeyArn "),
            "{name}: {message}"
        );
    }
    let names: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
    assert!(names.contains(&"sessions.asl/Keyed") && names.contains(&"sessions.asl/Bare"));
}
