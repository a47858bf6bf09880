//! Writes N realistic `describe-training-job` files (AWS CLI v2 style, ~6.7 KB each) with a
//! mix of verdicts, for benchmarks and load tests; with `mixed`, every fifth file is a
//! training job and the others are processing, batch transform, hyperparameter tuning and
//! AutoML jobs in turn; with `all`, those five and the resources that are not jobs (endpoint
//! configurations, endpoints, notebook instances, Studio domains and user profiles, feature
//! groups, inference experiments) take turns, twelve kinds in all.
//!
//! Usage: `cargo run --release --example generate_jobs -- DIR N [mixed|all]`

use std::io::Write;
use std::path::PathBuf;

use serde_json::{Value, json};

const ACCOUNTS: [&str; 4] = [
    "111122223333",
    "222233334444",
    "333344445555",
    "444455556666",
];
const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-2"];
const TYPES: [&str; 6] = [
    "ml.m5.xlarge",
    "ml.c5.4xlarge",
    "ml.p3.2xlarge",
    "ml.g5.2xlarge",
    "ml.p4d.24xlarge",
    "ml.m5.4xlarge",
];

fn ts(base: i64, minutes: i64) -> String {
    let t = chrono::DateTime::from_timestamp(base + minutes * 60, 123_000_000).unwrap_or_default();
    t.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

fn job(i: usize) -> Value {
    let account = ACCOUNTS[i % ACCOUNTS.len()];
    let region = REGIONS[(i / 7) % REGIONS.len()];
    let name = format!("bench-job-{i:07}");
    // Verdict mix: CMK on both, none, AWS-managed alias, output only, alias names.
    let (volume, output) = keys(i, account, region);
    let base = 1_700_000_000 + (i as i64) * 3_600;
    let mut rc = json!({"InstanceType": TYPES[i % TYPES.len()], "InstanceCount": 1 + (i % 3), "VolumeSizeInGB": 50});
    if let Some(v) = volume {
        rc["VolumeKmsKeyId"] = json!(v);
    }
    let mut out = json!({"S3OutputPath": format!("s3://ml-artifacts-{account}-{region}/"), "CompressionType": "GZIP"});
    if let Some(o) = output {
        out["KmsKeyId"] = json!(o);
    }
    let transitions: Vec<Value> = [
        ("Starting", "Launching requested ML instances"),
        ("Starting", "Preparing the instances for training"),
        ("Downloading", "Downloading input data"),
        ("Training", "Downloading the training image"),
        ("Training", "Training image download completed. Training in progress."),
        ("Uploading", "Uploading generated training model"),
        ("Completed", "Training job completed"),
    ]
    .iter()
    .enumerate()
    .map(|(k, (s, m))| json!({"Status": s, "StartTime": ts(base, 5 * k as i64), "EndTime": ts(base, 5 * k as i64 + 4), "StatusMessage": m}))
    .collect();
    let metrics: Vec<Value> = ["train:loss", "validation:loss", "train:accuracy", "validation:accuracy", "validation:auc"]
        .iter()
        .enumerate()
        .map(|(k, n)| json!({"MetricName": n, "Value": 0.1 + k as f64 / 10.0, "Timestamp": ts(base, 35)}))
        .collect();
    json!({
        "TrainingJobName": name,
        "TrainingJobArn": format!("arn:aws:sagemaker:{region}:{account}:training-job/{name}"),
        "ModelArtifacts": {"S3ModelArtifacts": format!("s3://ml-artifacts-{account}-{region}/{name}/output/model.tar.gz")},
        "TrainingJobStatus": "Completed",
        "SecondaryStatus": "Completed",
        "HyperParameters": {"epochs": "20", "batch_size": "256", "learning_rate": "0.001", "optimizer": "adamw",
            "sagemaker_program": "train.py", "sagemaker_region": format!("\"{region}\""),
            "sagemaker_submit_directory": format!("\"s3://ml-code-{account}/{name}/source/sourcedir.tar.gz\""),
            "sagemaker_container_log_level": "20", "sagemaker_job_name": format!("\"{name}\"")},
        "AlgorithmSpecification": {"TrainingImage": format!("763104351884.dkr.ecr.{region}.amazonaws.com/pytorch-training:2.3.0-gpu-py311-cu121-ubuntu20.04-sagemaker"),
            "TrainingInputMode": "File", "MetricDefinitions": [
                {"Name": "train:loss", "Regex": "train_loss=([0-9\\.]+)"},
                {"Name": "validation:loss", "Regex": "val_loss=([0-9\\.]+)"},
                {"Name": "validation:accuracy", "Regex": "val_acc=([0-9\\.]+)"}],
            "EnableSageMakerMetricsTimeSeries": true},
        "RoleArn": format!("arn:aws:iam::{account}:role/service-role/AmazonSageMaker-ExecutionRole-20240101T000000"),
        "InputDataConfig": [
            {"ChannelName": "train", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": format!("s3://ml-data-{account}/datasets/{}/train/", i % 50), "S3DataDistributionType": "FullyReplicated"}}, "CompressionType": "None", "RecordWrapperType": "None"},
            {"ChannelName": "validation", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": format!("s3://ml-data-{account}/datasets/{}/validation/", i % 50), "S3DataDistributionType": "FullyReplicated"}}, "CompressionType": "None", "RecordWrapperType": "None"}],
        "OutputDataConfig": out,
        "ResourceConfig": rc,
        "VpcConfig": {"SecurityGroupIds": ["sg-0123456789abcdef0"], "Subnets": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]},
        "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
        "CreationTime": ts(base, 0),
        "TrainingStartTime": ts(base, 3),
        "TrainingEndTime": ts(base, 40),
        "LastModifiedTime": ts(base, 41),
        "SecondaryStatusTransitions": transitions,
        "FinalMetricDataList": metrics,
        "EnableNetworkIsolation": false,
        "EnableInterContainerTrafficEncryption": false,
        "EnableManagedSpotTraining": false,
        "TrainingTimeInSeconds": 2220,
        "BillableTimeInSeconds": 2220,
        "DebugHookConfig": {"S3OutputPath": format!("s3://ml-artifacts-{account}-{region}/"), "CollectionConfigurations": []},
        "ProfilerConfig": {"S3OutputPath": format!("s3://ml-artifacts-{account}-{region}/"), "ProfilingIntervalInMilliseconds": 500, "DisableProfiler": false},
        "ProfilerRuleConfigurations": [{"RuleConfigurationName": "ProfilerReport-1700000000", "RuleEvaluatorImage": format!("895741380848.dkr.ecr.{region}.amazonaws.com/sagemaker-debugger-rules:latest"), "VolumeSizeInGB": 0, "RuleParameters": {"rule_to_invoke": "ProfilerReport"}}],
        "ProfilerRuleEvaluationStatuses": [{"RuleConfigurationName": "ProfilerReport-1700000000", "RuleEvaluationJobArn": format!("arn:aws:sagemaker:{region}:{account}:processing-job/{name}-profilerreport"), "RuleEvaluationStatus": "NoIssuesFound", "LastModifiedTime": ts(base, 45)}],
        "ProfilingStatus": "Enabled",
        "Environment": {"SAGEMAKER_REGION": region},
        "RetryStrategy": {"MaximumRetryAttempts": 1},
        "Tags": [{"Key": "team", "Value": format!("team-{}", i % 12)}, {"Key": "cost-center", "Value": format!("cc-{}", i % 40)}]
    })
}

/// The key references of job `i`: CMK on both, none, AWS-managed alias, output only, aliases.
fn keys(i: usize, account: &str, region: &str) -> (Option<String>, Option<String>) {
    let key = format!(
        "arn:aws:kms:{region}:{account}:key/{:08x}-1111-2222-3333-444455556666",
        i % 97
    );
    match i % 5 {
        0 => (Some(key.clone()), Some(key)),
        1 => (None, None),
        2 => (Some("alias/aws/sagemaker".into()), Some(key)),
        3 => (None, Some(key)),
        _ => (
            Some("alias/ml-volumes".into()),
            Some("alias/ml-artifacts".into()),
        ),
    }
}

/// Inserts `key` under `field` of `object` when there is one.
fn with_key(mut object: Value, field: &str, key: Option<String>) -> Value {
    if let Some(k) = key {
        object[field] = json!(k);
    }
    object
}

/// A job of kind `i % 5` (training, processing, transform, tuning, AutoML).
fn mixed(i: usize) -> (String, Value) {
    let account = ACCOUNTS[i % ACCOUNTS.len()];
    let region = REGIONS[(i / 7) % REGIONS.len()];
    let arn =
        |kind: &str, name: &str| format!("arn:aws:sagemaker:{region}:{account}:{kind}/{name}");
    let role = format!(
        "arn:aws:iam::{account}:role/service-role/AmazonSageMaker-ExecutionRole-20240101T000000"
    );
    let base = 1_700_000_000 + (i as i64) * 3_600;
    // Vary the keys within each kind too.
    let (volume, output) = keys(i / 5, account, region);
    let itype = TYPES[(i / 5) % TYPES.len()];
    let doc = match i % 5 {
        0 => return (format!("bench-job-{i:07}"), job(i)),
        1 => {
            let name = format!("bench-processing-{i:07}");
            let outputs: Vec<Value> = ["train", "validation", "test"].iter().map(|o| json!({
                "OutputName": o, "AppManaged": false,
                "S3Output": {"S3Uri": format!("s3://ml-data-{account}/{name}/{o}/"), "LocalPath": format!("/opt/ml/processing/{o}"), "S3UploadMode": "EndOfJob"}})).collect();
            json!({
                "ProcessingInputs": [{"InputName": "raw", "AppManaged": false, "S3Input": {"S3Uri": format!("s3://ml-data-{account}/raw/{}/", i % 50), "LocalPath": "/opt/ml/processing/input", "S3DataType": "S3Prefix", "S3InputMode": "File", "S3DataDistributionType": "ShardedByS3Key", "S3CompressionType": "None"}}],
                "ProcessingOutputConfig": with_key(json!({"Outputs": outputs}), "KmsKeyId", output),
                "ProcessingJobName": name,
                "ProcessingResources": {"ClusterConfig": with_key(json!({"InstanceCount": 2, "InstanceType": itype, "VolumeSizeInGB": 30}), "VolumeKmsKeyId", volume)},
                "StoppingCondition": {"MaxRuntimeInSeconds": 7200},
                "AppSpecification": {"ImageUri": format!("683313688378.dkr.ecr.{region}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"), "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/preprocess.py"]},
                "Environment": {"STAGE": "prod"},
                "RoleArn": role,
                "ProcessingJobArn": arn("processing-job", &name),
                "ProcessingJobStatus": "Completed",
                "ProcessingEndTime": ts(base, 20), "ProcessingStartTime": ts(base, 4),
                "LastModifiedTime": ts(base, 21), "CreationTime": ts(base, 0)
            })
        }
        2 => {
            let name = format!("bench-transform-{i:07}");
            let mut doc = json!({
                "TransformJobName": name, "TransformJobArn": arn("transform-job", &name), "TransformJobStatus": "Completed",
                "ModelName": format!("model-{}", i % 30), "MaxConcurrentTransforms": 4, "MaxPayloadInMB": 6, "BatchStrategy": "MultiRecord",
                "ModelClientConfig": {"InvocationsTimeoutInSeconds": 600, "InvocationsMaxRetries": 3},
                "Environment": {"SAGEMAKER_MODEL_SERVER_TIMEOUT": "3600"},
                "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": format!("s3://ml-data-{account}/score/{}/", i % 50)}}, "ContentType": "text/csv", "CompressionType": "None", "SplitType": "Line"},
                "TransformOutput": with_key(json!({"S3OutputPath": format!("s3://ml-predictions-{account}/{name}/"), "Accept": "text/csv", "AssembleWith": "Line"}), "KmsKeyId", output.clone()),
                "TransformResources": with_key(json!({"InstanceType": itype, "InstanceCount": 1}), "VolumeKmsKeyId", volume),
                "CreationTime": ts(base, 0), "TransformStartTime": ts(base, 4), "TransformEndTime": ts(base, 9),
                "DataProcessing": {"InputFilter": "$", "OutputFilter": "$", "JoinSource": "None"}
            });
            if i.is_multiple_of(2) {
                doc["DataCaptureConfig"] = with_key(
                    json!({"DestinationS3Uri": format!("s3://ml-capture-{account}/{name}/"), "GenerateInferenceId": true}),
                    "KmsKeyId",
                    output,
                );
            }
            doc
        }
        3 => {
            let name = format!("bench-tuning-{i:07}");
            let definition = |def: &str, volume: Option<String>, output: Option<String>| {
                json!({
                    "DefinitionName": def,
                    "TuningObjective": {"Type": "Maximize", "MetricName": "validation:auc"},
                    "HyperParameterRanges": {"IntegerParameterRanges": [{"Name": "max_depth", "MinValue": "3", "MaxValue": "10", "ScalingType": "Auto"}], "ContinuousParameterRanges": [{"Name": "eta", "MinValue": "0.01", "MaxValue": "0.5", "ScalingType": "Logarithmic"}], "CategoricalParameterRanges": []},
                    "StaticHyperParameters": {"objective": "binary:logistic", "num_round": "200"},
                    "AlgorithmSpecification": {"TrainingImage": format!("683313688378.dkr.ecr.{region}.amazonaws.com/sagemaker-xgboost:1.7-1"), "TrainingInputMode": "File"},
                    "RoleArn": role,
                    "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": format!("s3://ml-data-{account}/hpo/{}/train/", i % 50), "S3DataDistributionType": "FullyReplicated"}}, "ContentType": "text/csv"}],
                    "OutputDataConfig": with_key(json!({"S3OutputPath": format!("s3://ml-artifacts-{account}-{region}/hpo/")}), "KmsKeyId", output),
                    "ResourceConfig": with_key(json!({"InstanceType": itype, "InstanceCount": 1, "VolumeSizeInGB": 30}), "VolumeKmsKeyId", volume),
                    "StoppingCondition": {"MaxRuntimeInSeconds": 3600}
                })
            };
            let (v2, o2) = keys(i / 5 + 1, account, region);
            json!({
                "HyperParameterTuningJobName": name, "HyperParameterTuningJobArn": arn("hyper-parameter-tuning-job", &name),
                "HyperParameterTuningJobConfig": {"Strategy": "Bayesian", "ResourceLimits": {"MaxNumberOfTrainingJobs": 20, "MaxParallelTrainingJobs": 2}, "TrainingJobEarlyStoppingType": "Off"},
                "TrainingJobDefinitions": [definition("xgb", volume, output), definition("xgb-deep", v2, o2)],
                "HyperParameterTuningJobStatus": "Completed", "CreationTime": ts(base, 0), "HyperParameterTuningEndTime": ts(base, 90), "LastModifiedTime": ts(base, 90),
                "TrainingJobStatusCounters": {"Completed": 20, "InProgress": 0, "RetryableError": 0, "NonRetryableError": 0, "Stopped": 0},
                "ObjectiveStatusCounters": {"Succeeded": 20, "Pending": 0, "Failed": 0}
            })
        }
        _ => {
            let name = format!("bench-automl-{i:07}");
            let mut doc = json!({
                "AutoMLJobName": name, "AutoMLJobArn": arn("automl-job", &name),
                "AutoMLJobInputDataConfig": [{"ChannelType": "training", "ContentType": "text/csv;header=present", "CompressionType": "None", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": format!("s3://ml-data-{account}/automl/{}/train.csv", i % 50)}}}],
                "OutputDataConfig": with_key(json!({"S3OutputPath": format!("s3://ml-artifacts-{account}-{region}/autopilot/")}), "KmsKeyId", output),
                "RoleArn": role, "AutoMLJobObjective": {"MetricName": "F1"},
                "AutoMLProblemTypeConfig": {"TabularJobConfig": {"CompletionCriteria": {"MaxCandidates": 10}, "Mode": "ENSEMBLING", "ProblemType": "BinaryClassification", "TargetAttributeName": "churned"}},
                "AutoMLProblemTypeConfigName": "Tabular",
                "CreationTime": ts(base, 0), "EndTime": ts(base, 65), "LastModifiedTime": ts(base, 65),
                "AutoMLJobStatus": "Completed", "AutoMLJobSecondaryStatus": "Completed"
            });
            if let Some(v) = volume {
                doc["SecurityConfig"] =
                    json!({"VolumeKmsKeyId": v, "EnableInterContainerTrafficEncryption": true});
            }
            doc
        }
    };
    let name = doc
        .as_object()
        .and_then(|o| o.iter().find(|(k, _)| k.ends_with("JobName")))
        .and_then(|(_, v)| v.as_str())
        .unwrap_or_default()
        .to_owned();
    (name, doc)
}

/// A resource of kind `i % 12`: the five job kinds of [`mixed`], then the kinds that are not
/// jobs, each with the same spread of keys.
fn any_kind(i: usize) -> (String, Value) {
    let k = i % 12;
    if k < 5 {
        // `mixed` picks its kind by `i % 5`: give it an index of the same kind.
        return mixed(i / 12 * 5 + k);
    }
    let account = ACCOUNTS[i % ACCOUNTS.len()];
    let region = REGIONS[(i / 7) % REGIONS.len()];
    let arn =
        |kind: &str, name: &str| format!("arn:aws:sagemaker:{region}:{account}:{kind}/{name}");
    let role = format!("arn:aws:iam::{account}:role/service-role/AmazonSageMaker-ExecutionRole");
    let base = 1_700_000_000 + (i as i64) * 3_600;
    let (volume, output) = keys(i / 12, account, region);
    let itype = TYPES[(i / 12) % TYPES.len()];
    let variant = |name: &str| json!({"VariantName": name, "ModelName": format!("model-{}", i % 30), "InitialInstanceCount": 2, "InstanceType": itype, "InitialVariantWeight": 1.0});
    match k {
        5 => {
            let name = format!("bench-config-{i:07}");
            let doc = json!({
                "EndpointConfigName": name, "EndpointConfigArn": arn("endpoint-config", &name),
                "ProductionVariants": [variant("AllTraffic")],
                "DataCaptureConfig": with_key(json!({"EnableCapture": true, "InitialSamplingPercentage": 20, "DestinationS3Uri": format!("s3://ml-capture-{account}/{name}/"), "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]}), "KmsKeyId", output),
                "CreationTime": ts(base, 0)
            });
            (name, with_key(doc, "KmsKeyId", volume))
        }
        6 => {
            let name = format!("bench-endpoint-{i:07}");
            (
                name.clone(),
                json!({
                    "EndpointName": name, "EndpointArn": arn("endpoint", &name), "EndpointConfigName": format!("bench-config-{i:07}"),
                    "ProductionVariants": [{"VariantName": "AllTraffic", "DeployedImages": [], "CurrentWeight": 1.0, "DesiredWeight": 1.0, "CurrentInstanceCount": 2, "DesiredInstanceCount": 2}],
                    "DataCaptureConfig": with_key(json!({"EnableCapture": true, "CaptureStatus": "Started", "CurrentSamplingPercentage": 20, "DestinationS3Uri": format!("s3://ml-capture-{account}/{name}/")}), "KmsKeyId", output),
                    "EndpointStatus": "InService", "CreationTime": ts(base, 0), "LastModifiedTime": ts(base, 9)
                }),
            )
        }
        7 => {
            let name = format!("bench-notebook-{i:07}");
            let doc = json!({
                "NotebookInstanceArn": arn("notebook-instance", &name), "NotebookInstanceName": name, "NotebookInstanceStatus": "InService",
                "Url": format!("{name}.notebook.{region}.sagemaker.aws"), "InstanceType": "ml.t3.medium", "RoleArn": role,
                "LastModifiedTime": ts(base, 5), "CreationTime": ts(base, 0), "DirectInternetAccess": "Disabled", "VolumeSizeInGB": 20,
                "RootAccess": "Disabled", "PlatformIdentifier": "notebook-al2-v3"
            });
            (name, with_key(doc, "KmsKeyId", volume))
        }
        8 => {
            let id = format!("d-bench{i:07}");
            let mut settings = json!({"ExecutionRole": role});
            if let Some(o) = output.clone() {
                settings["SharingSettings"] = json!({"NotebookOutputOption": "Allowed", "S3OutputPath": format!("s3://ml-sharing-{account}/"), "S3KmsKeyId": o});
            }
            let doc = json!({
                "DomainArn": arn("domain", &id), "DomainId": id, "DomainName": format!("studio-{i}"), "HomeEfsFileSystemId": "fs-0123456789abcdef0",
                "Status": "InService", "CreationTime": ts(base, 0), "LastModifiedTime": ts(base, 12), "AuthMode": "IAM",
                "DefaultUserSettings": settings, "AppNetworkAccessType": "VpcOnly", "SubnetIds": ["subnet-0123456789abcdef0"],
                "Url": format!("https://{id}.studio.{region}.sagemaker.aws"), "VpcId": "vpc-0123456789abcdef0"
            });
            (id, with_key(doc, "KmsKeyId", volume))
        }
        9 => {
            // A profile of the domain generated just before it: it inherits what it leaves out.
            let domain = format!("d-bench{:07}", i - 1);
            let name = format!("user-{i:07}");
            let mut settings = json!({"ExecutionRole": role});
            if i.is_multiple_of(2) {
                settings["CanvasAppSettings"] = json!({"WorkspaceSettings": with_key(json!({"S3ArtifactPath": format!("s3://ml-canvas-{account}/")}), "S3KmsKeyId", output)});
            }
            (
                format!("{domain}-{name}"),
                json!({
                    "DomainId": domain, "UserProfileArn": arn("user-profile", &format!("{domain}/{name}")), "UserProfileName": name,
                    "HomeEfsFileSystemUid": format!("{}", 200_000 + i % 1000), "Status": "InService",
                    "LastModifiedTime": ts(base, 3), "CreationTime": ts(base, 0), "UserSettings": settings
                }),
            )
        }
        10 => {
            let name = format!("bench-features-{i:07}");
            let mut doc = json!({
                "FeatureGroupArn": arn("feature-group", &name), "FeatureGroupName": name,
                "RecordIdentifierFeatureName": "customer_id", "EventTimeFeatureName": "event_time",
                "FeatureDefinitions": [{"FeatureName": "customer_id", "FeatureType": "String"}, {"FeatureName": "event_time", "FeatureType": "String"}, {"FeatureName": "spend_30d", "FeatureType": "Fractional"}],
                "CreationTime": ts(base, 0),
                "OfflineStoreConfig": {"S3StorageConfig": with_key(json!({"S3Uri": format!("s3://ml-features-{account}/offline/")}), "KmsKeyId", output), "DisableGlueTableCreation": false},
                "RoleArn": role, "FeatureGroupStatus": "Created", "OfflineStoreStatus": {"Status": "Active"}
            });
            if !i.is_multiple_of(3) {
                doc["OnlineStoreConfig"] = json!({"EnableOnlineStore": true, "StorageType": "Standard", "SecurityConfig": with_key(json!({}), "KmsKeyId", volume)});
            }
            (name, doc)
        }
        _ => {
            let name = format!("bench-shadow-{i:07}");
            let rt = |v: &str| json!({"ModelName": format!("model-{v}-{}", i % 30), "VariantName": v, "InfrastructureConfig": {"InfrastructureType": "RealTimeInference", "RealTimeInferenceConfig": {"InstanceType": itype, "InstanceCount": 1}}, "Status": "InService"});
            let doc = json!({
                "Arn": arn("inference-experiment", &name), "Name": name, "Type": "ShadowMode", "Status": "Completed",
                "CreationTime": ts(base, 0), "LastModifiedTime": ts(base, 60), "RoleArn": role,
                "EndpointMetadata": {"EndpointName": format!("bench-endpoint-{i:07}"), "EndpointStatus": "InService"},
                "ModelVariants": [rt("production"), rt("shadow")],
                "DataStorageConfig": with_key(json!({"Destination": format!("s3://ml-shadow-{account}/{name}/")}), "KmsKey", output),
                "ShadowModeConfig": {"SourceModelVariantName": "production", "ShadowModelVariants": [{"ShadowModelVariantName": "shadow", "SamplingPercentage": 50}]}
            });
            (name, with_key(doc, "KmsKey", volume))
        }
    }
}

#[allow(clippy::print_stderr)]
fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(n)) = (
        args.next(),
        args.next().and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: generate_jobs DIR N [mixed|all]");
        std::process::exit(2);
    };
    let mode = args.next();
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir)?;
    for i in 0..n {
        // Spread files over subdirectories, as `collect` lays them out per account/region.
        let sub = dir.join(format!("part-{:03}", i / 1000));
        if i % 1000 == 0 {
            std::fs::create_dir_all(&sub)?;
        }
        let (name, doc) = match mode.as_deref() {
            Some("mixed") => mixed(i),
            Some("all") => any_kind(i),
            _ => (format!("bench-job-{i:07}"), job(i)),
        };
        let mut f =
            std::io::BufWriter::new(std::fs::File::create(sub.join(format!("{name}.json")))?);
        serde_json::to_writer_pretty(&mut f, &doc)?;
        f.write_all(b"\n")?;
    }
    Ok(())
}
