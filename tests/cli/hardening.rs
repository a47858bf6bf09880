//! Second hardening round (issue 22): keys that only look unknown, template parameters and
//! branches, ambiguous documents and pipelines that used to vanish. Each case failed (a PASS,
//! or nothing at all) before the fix.

use crate::common::*;
use serde_json::Value;

/// Scans `files` (name, text) in a fresh directory and returns the exit code, the JSON report
/// and stderr.
fn scan(files: &[(&str, &str)]) -> (i32, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let run = tool()
        .cwd(dir.path())
        .args(["scan", ".", "--format", "json"])
        .run();
    let doc = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stderr));
    (run.code, doc, run.stderr)
}

/// The findings of a rule, as (status, key manager, message).
fn findings(doc: &Value, rule: &str) -> Vec<(String, String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| former_rule(f) == rule)
        .map(|f| {
            (
                f["status"].as_str().unwrap().to_owned(),
                f["key_manager"].as_str().unwrap_or_default().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn errors(doc: &Value) -> Vec<String> {
    doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap().to_owned())
        .collect()
}

/// A YAML template whose pipeline's training step names `key` as its output key (inside a
/// `!Sub` body), with `parameters` and `variables` (the `!Sub` map) as given.
fn template(key: &str, parameters: &str, variables: &str) -> String {
    let body = format!(
        r#"{{"Version": "2020-12-01", "Steps": [{{"Name": "Train", "Type": "Training", "Arguments": {{
  "ResourceConfig": {{"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30, "VolumeKmsKeyId": "alias/team-volume"}},
  "OutputDataConfig": {{"S3OutputPath": "s3://b/model", "KmsKeyId": "{key}"}}}}}}]}}"#
    );
    let indented: String = body.lines().map(|l| format!("            {l}\n")).collect();
    let sub = if variables.is_empty() {
        format!("!Sub |\n{indented}")
    } else {
        format!(
            "\n          Fn::Sub:\n            - |\n{}            - {variables}\n",
            indented.replace("            ", "                ")
        )
    };
    format!(
        "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n{parameters}\nResources:\n  Pipeline:\n    Type: AWS::SageMaker::Pipeline\n    Properties:\n      PipelineName: churn\n      RoleArn: arn:aws:iam::111122223333:role/r\n      PipelineDefinition:\n        PipelineDefinitionBody: {sub}"
    )
}

const NO_PARAMETERS: &str = "  Unused:\n    Type: String";

fn output_verdict(text: &str) -> (String, String, String) {
    let (_, doc, stderr) = scan(&[("template.yaml", text)]);
    let found = findings(&doc, "pipeline-step-output-cmk");
    assert_eq!(found.len(), 1, "{text}\n{stderr}\n{doc}");
    found.into_iter().next().unwrap()
}

#[test]
fn placeholders_around_an_aws_managed_alias_fail() {
    for key in [
        "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/sagemaker",
        "alias/aws/${Service}",
    ] {
        let (status, manager, message) = output_verdict(&template(key, NO_PARAMETERS, ""));
        assert_eq!(
            (status.as_str(), manager.as_str()),
            ("FAIL", "AWS"),
            "{key}: {message}"
        );
        assert!(message.contains("AWS-managed"), "{message}");
    }
    // Literal text that no key can take is no key either.
    let (status, _, message) = output_verdict(&template(
        "arn:aws:s3:::${AWS::AccountId}-models",
        NO_PARAMETERS,
        "",
    ));
    assert_eq!(status, "FAIL", "{message}");
    assert!(message.contains("cannot form a KMS key"), "{message}");
    // What truly depends on the deployment stays UNVERIFIED and says on what.
    let (status, manager, message) = output_verdict(&template(
        "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${KeyId}",
        NO_PARAMETERS,
        "",
    ));
    assert_eq!(
        (status.as_str(), manager.as_str()),
        ("PASS", "UNVERIFIED"),
        "{message}"
    );
    assert!(
        message.contains("depends on ${AWS::Partition}"),
        "{message}"
    );
}

#[test]
fn template_parameters_are_resolved_like_pipeline_parameters() {
    let cases = [
        (
            "  KeyArn:\n    Type: String\n    Default: alias/aws/sagemaker",
            "keeps its Default",
        ),
        (
            "  KeyArn:\n    Type: String\n    AllowedValues: [alias/aws/sagemaker]",
            "is \"alias/aws/sagemaker\"",
        ),
        (
            "  KeyArn:\n    Type: String\n    Default: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\n    AllowedValues:\n      - arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\n      - alias/aws/sagemaker",
            "is \"alias/aws/sagemaker\"",
        ),
        (
            "  KeyArn:\n    Type: String\n    Default: ''",
            "keeps its Default",
        ),
    ];
    for (parameters, when) in cases {
        let (status, _, message) = output_verdict(&template("${KeyArn}", parameters, ""));
        assert_eq!(status, "FAIL", "{parameters}: {message}");
        assert!(
            message.contains(&format!("template parameter KeyArn {when}")),
            "{message}"
        );
    }
    // A parameter every deployment must set, limited to customer keys, passes.
    let (status, _, message) = output_verdict(&template(
        "${KeyArn}",
        "  KeyArn:\n    Type: String\n    AllowedValues: [alias/team-a, alias/team-b]",
        "",
    ));
    assert_eq!(status, "PASS", "{message}");
    assert!(
        message.contains("2 values the template allows"),
        "{message}"
    );
}

#[test]
fn every_branch_of_if_and_select_is_judged() {
    let (status, _, message) = output_verdict(&template(
        "${Key}",
        NO_PARAMETERS,
        "{Key: !If [UseTeamKey, alias/team, alias/aws/sagemaker]}",
    ));
    assert_eq!(status, "FAIL", "{message}");
    assert!(
        message.starts_with("When condition UseTeamKey is false"),
        "{message}"
    );
    let (status, _, message) = output_verdict(&template(
        "${Key}",
        "  Pick:\n    Type: Number",
        "{Key: !Select [!Ref Pick, [alias/team, alias/aws/sagemaker]]}",
    ));
    assert_eq!(status, "FAIL", "{message}");
    assert!(message.contains("Fn::Select picks element 1"), "{message}");
}

#[test]
fn pipeline_joins_with_run_time_parts_are_judged_by_their_literal_text() {
    let definition = |key: &str| {
        format!(
            r#"{{"Version": "2020-12-01", "Steps": [{{"Name": "Train", "Type": "Training", "Arguments": {{
  "ResourceConfig": {{"InstanceType": "ml.m5.xlarge", "VolumeKmsKeyId": "alias/v"}},
  "OutputDataConfig": {{"S3OutputPath": "s3://b/", "KmsKeyId": {key}}}}}}}]}}"#
        )
    };
    let (code, doc, _) = scan(&[(
        "p.json",
        &definition(
            r#"{"Std:Join": {"On": ":", "Values": ["arn:aws:kms", {"Get": "Execution.Region"}, "111122223333", "alias/aws/sagemaker"]}}"#,
        ),
    )]);
    let found = findings(&doc, "pipeline-step-output-cmk");
    assert_eq!(found[0].0, "FAIL", "{found:?}");
    assert_eq!(code, 1);
    let (_, doc, _) = scan(&[(
        "p.json",
        &definition(r#"{"Get": "Steps.Prepare.Properties.KmsKey"}"#),
    )]);
    let found = findings(&doc, "pipeline-step-output-cmk");
    assert_eq!(
        (found[0].0.as_str(), found[0].1.as_str()),
        ("PASS", "UNVERIFIED")
    );
    assert!(found[0].2.contains("known only at run time"), "{found:?}");
}

#[test]
fn an_instance_type_from_a_parameter_keeps_the_volume_key_required() {
    let definition = |parameter: &str| {
        format!(
            r#"{{"Version": "2020-12-01", "Parameters": [{parameter}], "Steps": [{{"Name": "Train", "Type": "Training", "Arguments": {{
  "ResourceConfig": {{"InstanceType": {{"Get": "Parameters.Type"}}, "InstanceCount": 1}},
  "OutputDataConfig": {{"S3OutputPath": "s3://b/", "KmsKeyId": "alias/o"}}}}}}]}}"#
        )
    };
    let (_, doc, _) = scan(&[(
        "p.json",
        &definition(r#"{"Name": "Type", "Type": "String", "DefaultValue": "ml.p4d.24xlarge"}"#),
    )]);
    let found = findings(&doc, "pipeline-step-volume-cmk");
    assert_eq!(found[0].0, "FAIL", "{found:?}");
    assert!(
        found[0]
            .2
            .contains("an execution can pass any instance type"),
        "{found:?}"
    );
    // A parameter limited to NVMe-backed types takes no key.
    let (_, doc, _) = scan(&[(
        "p.json",
        &definition(
            r#"{"Name": "Type", "Type": "String", "DefaultValue": "ml.p4d.24xlarge", "EnumValues": ["ml.p4d.24xlarge", "ml.p5.48xlarge"]}"#,
        ),
    )]);
    let found = findings(&doc, "pipeline-step-volume-cmk");
    assert_eq!(found[0].0, "NOT_APPLICABLE", "{found:?}");
}

#[test]
fn ambiguous_documents_are_errors_or_judged_at_their_worst() {
    // A training job that names an NVMe type and EBS-backed instance groups needs a key.
    let job = serde_json::json!({
        "TrainingJobName": "mixed", "TrainingJobArn": "arn:aws:sagemaker:eu-west-1:111122223333:training-job/mixed",
        "TrainingJobStatus": "Completed",
        "ResourceConfig": {"InstanceType": "ml.p4d.24xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30,
            "InstanceGroups": [{"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "InstanceGroupName": "g"}]},
        "OutputDataConfig": {"S3OutputPath": "s3://b/", "KmsKeyId": "alias/o"},
        "AlgorithmSpecification": {"TrainingInputMode": "File"}, "RoleArn": "arn:aws:iam::111122223333:role/r"
    });
    let (_, doc, _) = scan(&[("job.json", &job.to_string())]);
    let found = findings(&doc, "training-volume-cmk");
    assert_eq!(found[0].0, "FAIL", "{found:?}");

    let pipeline = |parameters: &str| {
        format!(
            r#"{{"Parameters": [{parameters}], "Steps": [{{"Name": "T", "Type": "Training", "Arguments": {{"OutputDataConfig": {{"KmsKeyId": {{"Get": "Parameters.K"}}}}}}}}]}}"#
        )
    };
    for (parameters, expected) in [
        (
            r#"{"Name": "K", "DefaultValue": "alias/team", "DefaultValue": "alias/aws/sagemaker"}"#,
            "\"DefaultValue\" is given twice",
        ),
        (
            r#"{"Name": "K", "DefaultValue": "alias/team"}, {"Name": "K", "DefaultValue": "alias/aws/sagemaker"}"#,
            "declared twice",
        ),
    ] {
        let (code, doc, stderr) = scan(&[("p.json", &pipeline(parameters))]);
        assert_eq!(code, 3, "{stderr}");
        assert!(findings(&doc, "pipeline-step-output-cmk").is_empty());
        assert!(
            errors(&doc).iter().any(|e| e.contains(expected)),
            "{:?}",
            errors(&doc)
        );
    }

    let automl = serde_json::json!({
        "AutoMLJobName": "both", "AutoMLJobArn": "arn:aws:sagemaker:eu-west-1:111122223333:automl-job/both",
        "AutoMLJobStatus": "Completed", "RoleArn": "arn:aws:iam::111122223333:role/r",
        "SecurityConfig": {"VolumeKmsKeyId": "alias/team"},
        "AutoMLJobConfig": {"SecurityConfig": {"VolumeKmsKeyId": "alias/aws/sagemaker"}},
        "OutputDataConfig": {"S3OutputPath": "s3://b/", "KmsKeyId": "alias/o"}
    });
    let (code, doc, _) = scan(&[("automl.json", &automl.to_string())]);
    assert_eq!(code, 3);
    assert!(
        errors(&doc).iter().any(|e| e.contains("ambiguous")),
        "{:?}",
        errors(&doc)
    );
}

#[test]
fn templates_with_a_key_given_twice_are_refused() {
    let json = r#"{"Resources": {"Pipeline": {"Type": "AWS::SageMaker::Pipeline",
  "Properties": {"PipelineDefinition": {"PipelineDefinitionBody": "{\"Steps\": []}"}},
  "Properties": {"PipelineName": "other"}}}}"#;
    let yaml =
        "Resources:\n  Pipeline:\n    Type: AWS::SageMaker::Pipeline\n    Type: AWS::S3::Bucket\n";
    for (name, text) in [("t.json", json), ("t.yaml", yaml)] {
        let (code, doc, stderr) = scan(&[(name, text)]);
        assert_eq!(code, 3, "{name}: {stderr}");
        assert!(
            errors(&doc).iter().any(|e| e.contains("is given twice")),
            "{name}: {:?}",
            errors(&doc)
        );
    }
}

#[test]
fn pipelines_behind_aliases_merge_keys_and_for_each_are_judged() {
    let body = r#"'{"Steps": [{"Name": "T", "Type": "Training", "Arguments": {"ResourceConfig": {"InstanceType": "ml.m5.xlarge"}, "OutputDataConfig": {"S3OutputPath": "s3://b/"}}}]}'"#;
    let aliases = format!(
        "Resources:\n  A:\n    Type: AWS::SageMaker::Pipeline\n    Properties: &props\n      PipelineName: a\n      PipelineDefinition:\n        PipelineDefinitionBody: {body}\n  B:\n    Type: AWS::SageMaker::Pipeline\n    Properties:\n      <<: *props\n      PipelineName: b\n"
    );
    let (_, doc, stderr) = scan(&[("t.yaml", &aliases)]);
    let names: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["job_name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"a/T") && names.contains(&"b/T"),
        "{names:?} {stderr}"
    );

    let for_each = format!(
        "Transform: AWS::LanguageExtensions\nResources:\n  Fn::ForEach::Pipelines:\n    - Team\n    - [red, blue]\n    - Pipeline&{{Team}}:\n        Type: AWS::SageMaker::Pipeline\n        Properties:\n          PipelineName: !Sub ${{Team}}-train\n          PipelineDefinition:\n            PipelineDefinitionBody: {body}\n"
    );
    let (code, doc, _) = scan(&[("t.yaml", &for_each)]);
    assert_eq!(code, 1);
    let mut names: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["job_name"].as_str().unwrap())
        .collect();
    names.dedup();
    assert_eq!(names, ["blue-train/T", "red-train/T"]);
    // A collection the template does not give is an error, not silence.
    let unknown = for_each.replace("[red, blue]", "!Ref Teams");
    let (code, doc, _) = scan(&[("t.yaml", &unknown)]);
    assert_eq!(code, 3);
    assert!(
        errors(&doc)
            .iter()
            .any(|e| e.contains("collection is not given")),
        "{:?}",
        errors(&doc)
    );
}

/// Names from a hostile template reach messages on one line and bounded.
#[test]
fn hostile_parameter_names_stay_one_bounded_line() {
    let name = format!("Key\n{}\u{202e}", "x".repeat(5000));
    let body = format!(
        r#"{{"Steps": [{{"Name": "T", "Type": "Training", "Arguments": {{"ResourceConfig": {{"InstanceType": "ml.m5.xlarge", "VolumeKmsKeyId": "alias/v"}}, "OutputDataConfig": {{"S3OutputPath": "s3://b/", "KmsKeyId": "${{{}}}"}}}}}}]}}"#,
        name.replace('\n', "\\n")
    );
    let template = serde_json::json!({
        "Parameters": {name.clone(): {"Type": "String", "Default": "alias/aws/sagemaker"}},
        "Resources": {"P": {"Type": "AWS::SageMaker::Pipeline", "Properties": {
            "PipelineName": "p", "PipelineDefinition": {"PipelineDefinitionBody": {"Fn::Sub": body}}}}}
    });
    let (_, doc, stderr) = scan(&[("t.json", &template.to_string())]);
    let found = findings(&doc, "pipeline-step-output-cmk");
    assert_eq!(found.len(), 1, "{stderr}");
    let (status, _, message) = &found[0];
    assert_eq!(status, "FAIL");
    assert!(
        !message.contains('\n') && !message.contains('\u{202e}'),
        "{message}"
    );
    assert!(message.len() < 1500, "{} bytes", message.len());
}
