//! SageMaker Python SDK configuration files: scanned by path, and where the SDK reads them
//! (`--sdk-config`), merged in the SDK's order.

use std::path::Path;

use crate::common::{json, read, redact, repo, scan_to_dir_in, tool};

/// A run of `--sdk-config` that can only see `home` (no machine-wide or real user config).
fn sdk_config(home: &Path, out: &Path, env: &[(&str, &str)]) -> crate::common::Run {
    let mut t = tool()
        .cwd(repo())
        .env("HOME", home.to_str().unwrap())
        .env("XDG_CONFIG_DIRS", home.join("site").to_str().unwrap())
        .env("XDG_CONFIG_HOME", home.join("user").to_str().unwrap())
        .args(["scan", "--sdk-config", "--out-dir", out.to_str().unwrap()]);
    for (k, v) in env {
        t = t.env(k, v);
    }
    t.run()
}

fn findings(out: &Path) -> Vec<(String, String, String, u64)> {
    json(out, "report.json")["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["job_name"].as_str().unwrap().to_owned(),
                f["status"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_users_file_overrides_the_administrators_key_by_key() {
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let samples = repo().join("samples/sdk-config");
    let admin = samples.join("platform-defaults.yaml");
    let user = samples.join("notebook-user.yaml");
    let run = sdk_config(
        home.path(),
        out.path(),
        &[
            ("SAGEMAKER_ADMIN_CONFIG_OVERRIDE", admin.to_str().unwrap()),
            ("SAGEMAKER_USER_CONFIG_OVERRIDE", user.to_str().unwrap()),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(out.path(), "report.json");
    let failed: Vec<&serde_json::Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "FAIL")
        .collect();
    // Only the user's AWS-managed training output key fails; every other key path comes
    // from the administrator's file, where it names the team's key.
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["rule_id"], "training-output-cmk");
    assert_eq!(failed[0]["origin"], "sdk-config");
    assert_eq!(
        failed[0]["source_file"],
        "samples/sdk-config/notebook-user.yaml"
    );
    assert_eq!(failed[0]["line"], 7);
    let volume = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "training-volume-cmk" && f["job_name"] == "SageMaker.TrainingJob")
        .unwrap();
    assert_eq!(
        (
            volume["status"].as_str(),
            volume["source_file"].as_str(),
            volume["line"].as_u64()
        ),
        (
            Some("PASS"),
            Some("samples/sdk-config/platform-defaults.yaml"),
            Some(17)
        )
    );
    assert_eq!(doc["inputs"]["sdk_config_documents"], 2);
    // The endpoint configuration's key is judged by its own kind's check.
    let endpoint = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rule_id"] == "endpoint-config-volume-cmk"
                && f["job_name"] == "SageMaker.EndpointConfig"
        })
        .unwrap();
    assert_eq!(endpoint["status"], "PASS");
    assert_eq!(
        endpoint["source_file"],
        "samples/sdk-config/platform-defaults.yaml"
    );
    assert!(
        !run.stderr.contains("SageMaker.EndpointConfig.KmsKeyId ("),
        "{}",
        run.stderr
    );
    // SARIF points at the YAML line of the file that decides.
    let sarif = json(out.path(), "report.sarif");
    let result = &sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["level"] == "error")
        .unwrap()["locations"][0]["physicalLocation"];
    assert_eq!(
        result["artifactLocation"]["uri"],
        "samples/sdk-config/notebook-user.yaml"
    );
    assert_eq!(result["region"]["startLine"], 7);
}

#[test]
fn the_platform_places_are_read_and_a_missing_named_file_is_an_error() {
    let home = tempfile::tempdir().unwrap();
    let user_dir = home.path().join("user/sagemaker");
    std::fs::create_dir_all(&user_dir).unwrap();
    std::fs::write(
        user_dir.join("config.yaml"),
        "SageMaker:\n  TrainingJob:\n    ResourceConfig:\n      VolumeKmsKeyId: alias/team\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = sdk_config(home.path(), out.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = findings(out.path());
    assert!(found.contains(&(
        "training-volume-cmk".into(),
        "SageMaker.TrainingJob".into(),
        "PASS".into(),
        4
    )));
    // A variable that names a file the SDK cannot read: the SDK raises, so the scan is
    // incomplete; an S3 location is not fetched.
    let missing = home.path().join("nope.yaml");
    let run = sdk_config(
        home.path(),
        out.path(),
        &[
            ("SAGEMAKER_ADMIN_CONFIG_OVERRIDE", missing.to_str().unwrap()),
            ("SAGEMAKER_CORE_USER_CONFIG_OVERRIDE", "s3://bucket/config"),
        ],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("SAGEMAKER_ADMIN_CONFIG_OVERRIDE names a file that"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("SAGEMAKER_CORE_USER_CONFIG_OVERRIDE names a configuration file in S3"),
        "{}",
        run.stderr
    );
    // Nothing anywhere: nothing to judge is not a pass.
    let empty = tempfile::tempdir().unwrap();
    let run = sdk_config(empty.path(), out.path(), &[]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("no SageMaker Python SDK configuration file"),
        "{}",
        run.stderr
    );
}

#[test]
fn config_files_are_recognised_by_content_and_malformed_ones_are_one_error() {
    let dir = tempfile::tempdir().unwrap();
    // JSON is YAML to the SDK's loader.
    std::fs::write(
        dir.path().join("sdk.json"),
        r#"{"SchemaVersion": "1.0", "SageMaker": {"CompilationJob": {"OutputConfig": {"KmsKeyId": "alias/aws/s3"}}}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("tagged.yaml"),
        "SageMaker:\n  TrainingJob: !Ref Defaults\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("wrong.yml"),
        "SageMaker:\n  TrainingJob:\n    ResourceConfig: [alias/team]\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = tool()
        .cwd(dir.path())
        .args(["scan", ".", "--out-dir", out.path().to_str().unwrap()])
        .run();
    assert_eq!(run.code, 3, "{}", run.stderr);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 2, "{}", run.stderr);
    assert!(run.stderr.contains("tagged.yaml"), "{}", run.stderr);
    assert!(run.stderr.contains("yaml.safe_load"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("SageMaker.TrainingJob.ResourceConfig is not a mapping"),
        "{}",
        run.stderr
    );
    let found = findings(out.path());
    assert!(found.contains(&(
        "compilation-output-cmk".into(),
        "SageMaker.CompilationJob".into(),
        "FAIL".into(),
        1
    )));
}

#[test]
fn an_sdk_config_report_matches_its_snapshots() {
    let out = tempfile::tempdir().unwrap();
    let run = tool()
        .cwd(repo())
        .args([
            "scan",
            "samples/sdk-config/notebook-user.yaml",
            "--format",
            "md,csv,sarif",
            "--out-dir",
            out.path().to_str().unwrap(),
        ])
        .run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!(
        "sdk-config-report.md",
        redact(&read(out.path(), "report.md"))
    );
    insta::assert_snapshot!(
        "sdk-config-report.csv",
        redact(&read(out.path(), "report.csv"))
    );
    insta::assert_snapshot!(
        "sdk-config-report.sarif",
        redact(&read(out.path(), "report.sarif"))
    );
}

#[test]
fn a_key_no_check_judges_is_named_with_its_reason_and_judged_sections_are_not() {
    let (out, run) = scan_to_dir_in(&repo(), &["samples/sdk-config/sdk3-resources.yaml"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let profile = "SageMaker.PythonSDK.Resources.UserProfile.user_settings.sharing_settings.\
                   s3_kms_key_id (Studio user profiles, which take their domain's key when they \
                   name none)";
    assert!(
        run.stderr.contains(&format!(
            "SDK config keys set that no check judges (each says why): {profile} 1"
        )),
        "{}",
        run.stderr
    );
    let doc = json(out.path(), "report.json");
    let not_judged = doc["inputs"]["sdk_config_keys_not_judged"]
        .as_object()
        .unwrap();
    assert_eq!(not_judged.keys().collect::<Vec<_>>(), [profile]);
    // The domain's sections are judged by the domain's checks, one finding per part.
    let domain: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["job_name"] == "SageMaker.PythonSDK.Resources.Domain")
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["part"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        domain,
        [
            ("domain-storage-cmk".to_owned(), String::new()),
            (
                "domain-output-cmk".to_owned(),
                "canvas workspace".to_owned()
            ),
            (
                "domain-output-cmk".to_owned(),
                "notebook sharing".to_owned()
            ),
        ]
    );
    assert!(
        findings(out.path())
            .iter()
            .all(|(_, name, ..)| !name.ends_with(".UserProfile")),
        "no user profile section is judged"
    );
}
