"""Every kind live: processing (with Athena and Redshift query inputs), batch transform, hyperparameter tuning, AutoML and
compilation jobs, endpoint configurations, endpoints, notebook instances, Studio domains and
user profiles (the proxy keeps those, which moto lacks), feature groups, model cards the four kinds of Model Monitor job definition, monitoring schedules, labeling, optimization and edge packaging jobs, flow definitions, device fleets, model packages, algorithms, MLflow Apps, Partner AI Apps, training sessions and Inference Recommender jobs (the proxy keeps those) and HyperPod clusters created in moto through boto3 and through the AWS CLI, scanned live with the real SDK, collected
and scanned offline (row for row the same), exported with the AWS CLI's describe commands, and
one kind's listing denied through the fault proxy."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ACCOUNT, aws_cli, catalogue, clients, env_for, reset, run, scan_json, unlisted

KINDS = catalogue()

ROLE = f"arn:aws:iam::{ACCOUNT}:role/sagemaker"
IMAGE = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/job:1"


def processing_request(name, *, itype="ml.m5.xlarge", volume=None, output=None, outputs=True, queries=()):
    cluster = {"InstanceCount": 1, "InstanceType": itype, "VolumeSizeInGB": 30}
    if volume:
        cluster["VolumeKmsKeyId"] = volume
    req = {
        "ProcessingJobName": name,
        "ProcessingResources": {"ClusterConfig": cluster},
        "AppSpecification": {"ImageUri": IMAGE},
        "RoleArn": ROLE,
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    }
    # Inputs an Athena or Redshift query makes: (input name, engine, key or None).
    inputs = []
    for input_name, engine, key in queries:
        if engine == "Athena":
            query = {"AthenaDatasetDefinition": {"Catalog": "AwsDataCatalog", "Database": "sales", "QueryString": "SELECT 1",
                                                 "OutputS3Uri": f"s3://ml-data/{name}/{input_name}/", "OutputFormat": "PARQUET"}}
        else:
            query = {"RedshiftDatasetDefinition": {"ClusterId": "analytics", "Database": "crm", "DbUser": "ml", "QueryString": "SELECT 1",
                                                   "ClusterRoleArn": ROLE, "OutputS3Uri": f"s3://ml-data/{name}/{input_name}/",
                                                   "OutputFormat": "PARQUET"}}
        if key:
            next(iter(query.values()))["KmsKeyId"] = key
        inputs.append({"InputName": input_name, "DatasetDefinition": {**query, "LocalPath": f"/opt/ml/processing/{input_name}",
                                                                      "DataDistributionType": "FullyReplicated", "InputMode": "File"}})
    if inputs:
        req["ProcessingInputs"] = inputs
    if outputs:
        req["ProcessingOutputConfig"] = {"Outputs": [{"OutputName": "out", "S3Output": {
            "S3Uri": f"s3://ml-data/{name}/out/", "LocalPath": "/opt/ml/processing/out", "S3UploadMode": "EndOfJob"}}]}
        if output:
            req["ProcessingOutputConfig"]["KmsKeyId"] = output
    return req


def transform_request(name, *, itype="ml.m5.large", volume=None, output=None, capture=None):
    resources = {"InstanceType": itype, "InstanceCount": 1}
    if volume:
        resources["VolumeKmsKeyId"] = volume
    out = {"S3OutputPath": f"s3://ml-predictions/{name}/"}
    if output:
        out["KmsKeyId"] = output
    req = {
        "TransformJobName": name,
        "ModelName": "churn-model",
        "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://ml-data/{name}/in/"}}},
        "TransformOutput": out,
        "TransformResources": resources,
    }
    if capture is not None:
        req["DataCaptureConfig"] = {"DestinationS3Uri": f"s3://ml-capture/{name}/", **({"KmsKeyId": capture} if capture else {})}
    return req


def definition(name=None, *, volume=None, output=None):
    rc = {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30}
    if volume:
        rc["VolumeKmsKeyId"] = volume
    out = {"S3OutputPath": "s3://ml-artifacts/hpo/"}
    if output:
        out["KmsKeyId"] = output
    d = {
        "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
        "RoleArn": ROLE,
        "OutputDataConfig": out,
        "ResourceConfig": rc,
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    }
    if name:
        d["DefinitionName"] = name
    return d


def tuning_request(name, *, single=None, many=None):
    req = {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": {"Strategy": "Bayesian", "ResourceLimits": {"MaxParallelTrainingJobs": 1}},
    }
    if single:
        req["TrainingJobDefinition"] = single
    if many:
        req["TrainingJobDefinitions"] = many
    return req


def automl_request(name, *, volume=None, output=None):
    out = {"S3OutputPath": f"s3://ml-artifacts/{name}/"}
    if output:
        out["KmsKeyId"] = output
    req = {
        "AutoMLJobName": name,
        "AutoMLJobInputDataConfig": [{"ChannelType": "training", "DataSource": {
            "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://ml-data/{name}/train.csv"}}}],
        "OutputDataConfig": out,
        "AutoMLProblemTypeConfig": {"TabularJobConfig": {
            "TargetAttributeName": "label", "ProblemType": "BinaryClassification",
            "CompletionCriteria": {"MaxCandidates": 3}}},
        "AutoMLJobObjective": {"MetricName": "F1"},
        "RoleArn": ROLE,
    }
    if volume:
        req["SecurityConfig"] = {"VolumeKmsKeyId": volume}
    return req


def compilation_request(name, *, output=None, device="ml_c5"):
    out = {"S3OutputLocation": f"s3://ml-compiled/{name}/", "TargetDevice": device}
    if output:
        out["KmsKeyId"] = output
    return {
        "CompilationJobName": name,
        "RoleArn": ROLE,
        "InputConfig": {"S3Uri": f"s3://ml-artifacts/{name}/model.tar.gz",
                        "DataInputConfig": '{"input0": [1, 3, 224, 224]}', "Framework": "PYTORCH"},
        "OutputConfig": out,
        "StoppingCondition": {"MaxRuntimeInSeconds": 900},
    }


def endpoint_config_request(name, *, itype="ml.m5.xlarge", key=None, capture=None, core_dump=False, async_output=False):
    variant = {"VariantName": "AllTraffic", "ModelName": "churn-model", "InitialInstanceCount": 1, "InstanceType": itype}
    if core_dump:
        variant["CoreDumpConfig"] = {"DestinationS3Uri": f"s3://ml-debug/{name}/"}
    req = {"EndpointConfigName": name, "ProductionVariants": [variant]}
    if key:
        req["KmsKeyId"] = key
    if capture:
        req["DataCaptureConfig"] = {"EnableCapture": True, "InitialSamplingPercentage": 10,
                                    "DestinationS3Uri": f"s3://ml-capture/{name}/", "KmsKeyId": capture,
                                    "CaptureOptions": [{"CaptureMode": "Input"}]}
    if async_output:
        req["AsyncInferenceConfig"] = {"OutputConfig": {"S3OutputPath": f"s3://ml-async/{name}/"}}
    return req


def notebook_request(name, *, itype="ml.t3.medium", key=None):
    req = {"NotebookInstanceName": name, "InstanceType": itype, "RoleArn": ROLE}
    if key:
        req["KmsKeyId"] = key
    return req


def domain_request(name, *, key=None, sharing_key=None):
    settings = {"ExecutionRole": ROLE}
    if sharing_key:
        settings["SharingSettings"] = {"NotebookOutputOption": "Allowed", "S3OutputPath": "s3://ml-sharing/",
                                       "S3KmsKeyId": sharing_key}
    req = {"DomainName": name, "AuthMode": "IAM", "DefaultUserSettings": settings,
           "SubnetIds": ["subnet-0a1b2c3d"], "VpcId": "vpc-0a1b2c3d"}
    if key:
        req["KmsKeyId"] = key
    return req


def feature_group_request(name, *, online=None, online_key=None, offline_key=None):
    offline = {"S3StorageConfig": {"S3Uri": f"s3://ml-features/{name}/"}}
    if offline_key:
        offline["S3StorageConfig"]["KmsKeyId"] = offline_key
    req = {"FeatureGroupName": name, "RecordIdentifierFeatureName": "id", "EventTimeFeatureName": "t",
           "FeatureDefinitions": [{"FeatureName": "id", "FeatureType": "String"},
                                  {"FeatureName": "t", "FeatureType": "String"}],
           # moto 5.2.1 requires an offline store.
           "OfflineStoreConfig": offline, "RoleArn": ROLE}
    if online is not None:
        req["OnlineStoreConfig"] = {"EnableOnlineStore": online,
                                    **({"SecurityConfig": {"KmsKeyId": online_key}} if online_key else {})}
    return req


def inference_experiment_request(name, *, itype="ml.m5.xlarge", key=None, capture=None):
    variant = lambda v: {"ModelName": "churn-model", "VariantName": v, "InfrastructureConfig": {
        "InfrastructureType": "RealTimeInference",
        "RealTimeInferenceConfig": {"InstanceType": itype, "InstanceCount": 1}}}
    req = {"Name": name, "Type": "ShadowMode", "RoleArn": ROLE, "EndpointName": "ep-cmk",
           "ModelVariants": [variant("production"), variant("shadow")],
           "ShadowModeConfig": {"SourceModelVariantName": "production", "ShadowModelVariants": [
               {"ShadowModelVariantName": "shadow", "SamplingPercentage": 50}]}}
    if key:
        req["KmsKey"] = key
    if capture is not None:
        req["DataStorageConfig"] = {"Destination": f"s3://ml-shadow/{name}/", **({"KmsKey": capture} if capture else {})}
    return req


def cli_create(endpoint, command, request, tmp_path):
    """Creates a job with the real AWS CLI, from the request as a JSON file."""
    exe = shutil.which("aws") or str(Path(sys.executable).with_name("aws"))
    spec = tmp_path / f"{command}-{len(list(tmp_path.iterdir()))}.json"
    spec.write_text(json.dumps(request))
    subprocess.run([exe, "--endpoint-url", endpoint, "sagemaker", command, "--cli-input-json", f"file://{spec}"],
                   env=env_for(endpoint), check=True, capture_output=True, timeout=120)


def model_card_request(name, *, key=None):
    req = {"ModelCardName": name, "ModelCardStatus": "Draft",
           "Content": json.dumps({"model_overview": {"model_description": f"{name} model", "model_owner": "ml"}})}
    if key:
        req["SecurityConfig"] = {"KmsKeyId": key}
    return req


def labeling_request(name, *, automated=False, volume=None, output=None):
    """A Ground Truth image classification job: automated labeling when `automated` (with a
    volume key when `volume` is given), labels under `output` when given."""
    region = "us-east-1"
    request = {
        "LabelingJobName": name, "LabelAttributeName": "category", "RoleArn": ROLE,
        "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": f"s3://ml-labeling/{name}/input.manifest"}}},
        "OutputConfig": {"S3OutputPath": f"s3://ml-labeling/{name}/output/", **({"KmsKeyId": output} if output else {})},
        "HumanTaskConfig": {
            "WorkteamArn": f"arn:aws:sagemaker:{region}:123456789012:workteam/private-crowd/annotators",
            "UiConfig": {"HumanTaskUiArn": f"arn:aws:sagemaker:{region}:394669845002:human-task-ui/ImageMultiClass"},
            "PreHumanTaskLambdaArn": f"arn:aws:lambda:{region}:432418664414:function:PRE-ImageMultiClass",
            "TaskTitle": "Pick a category", "TaskDescription": "One category per image",
            "NumberOfHumanWorkersPerDataObject": 1, "TaskTimeLimitInSeconds": 300,
            "AnnotationConsolidationConfig": {
                "AnnotationConsolidationLambdaArn": f"arn:aws:lambda:{region}:432418664414:function:ACS-ImageMultiClass"}},
    }
    if automated:
        algorithms = {"LabelingJobAlgorithmSpecificationArn":
                      f"arn:aws:sagemaker:{region}:027400017018:labeling-job-algorithm-specification/image-classification"}
        if volume:
            algorithms["LabelingJobResourceConfig"] = {"VolumeKmsKeyId": volume}
        request["LabelingJobAlgorithmsConfig"] = algorithms
    return request


def optimization_request(name, *, output=None):
    """An inference optimization job (AWQ quantization), its artifacts under `output` when given."""
    return {
        "OptimizationJobName": name, "RoleArn": ROLE, "DeploymentInstanceType": "ml.g5.12xlarge",
        "ModelSource": {"S3": {"S3Uri": f"s3://ml-models/{name}/source/"}},
        "OptimizationConfigs": [{"ModelQuantizationConfig": {"OverrideEnvironment": {"OPTION_QUANTIZE": "awq"}}}],
        "OutputConfig": {"S3OutputLocation": f"s3://ml-models/{name}/optimized/", **({"KmsKeyId": output} if output else {})},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    }


def flow_request(name, *, output=None):
    """An Augmented AI flow definition of a custom task type, its output under `output` when given."""
    return {
        "FlowDefinitionName": name, "RoleArn": ROLE,
        "HumanLoopConfig": {"WorkteamArn": "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/reviewers",
                            "HumanTaskUiArn": f"arn:aws:sagemaker:us-east-1:123456789012:human-task-ui/{name}-ui",
                            "TaskTitle": "Review", "TaskDescription": "Correct the answer", "TaskCount": 1},
        "OutputConfig": {"S3OutputPath": f"s3://a2i-output/{name}/", **({"KmsKeyId": output} if output else {})},
    }


def cluster_request(name, *, root=None, volume=None, itype="ml.m5.xlarge"):
    """A HyperPod cluster with one instance group: a root volume entry when `root` is given,
    and an additional volume (with `volume` as its key)."""
    storage = [{"EbsVolumeConfig": {"VolumeSizeInGB": 100, **({"VolumeKmsKeyId": volume} if volume else {})}}]
    if root:
        storage.insert(0, {"EbsVolumeConfig": {"RootVolume": True, "VolumeKmsKeyId": root}})
    return {"ClusterName": name, "InstanceGroups": [{
        "InstanceGroupName": "workers", "InstanceType": itype, "InstanceCount": 1,
        "LifeCycleConfig": {"SourceS3Uri": "s3://sagemaker-lifecycle/slurm/", "OnCreate": "on_create.sh"},
        "ExecutionRole": ROLE, "ThreadsPerCore": 1, "InstanceStorageConfigs": storage}],
        "VpcConfig": {"SecurityGroupIds": ["sg-0a1b2c3d4e5f60718"], "Subnets": ["subnet-0123456789abcdef0"]}}


def monitoring_request(prefix, name, *, itype="ml.m5.xlarge", volume=None, output=None):
    """A Model Monitor job definition request; `prefix` is DataQuality, ModelQuality, ModelBias
    or ModelExplainability."""
    cluster = {"InstanceCount": 1, "InstanceType": itype, "VolumeSizeInGB": 20}
    if volume:
        cluster["VolumeKmsKeyId"] = volume
    out = {"MonitoringOutputs": [{"S3Output": {"S3Uri": f"s3://ml-monitoring/{name}/", "LocalPath": "/opt/ml/processing/output"}}]}
    if output:
        out["KmsKeyId"] = output
    job_input = {"EndpointInput": {"EndpointName": "ep-cmk", "LocalPath": "/opt/ml/processing/input"}}
    if prefix in ("ModelQuality", "ModelBias"):
        job_input["GroundTruthS3Input"] = {"S3Uri": f"s3://ml-monitoring/{name}/ground-truth"}
    app = {"ImageUri": IMAGE}
    if prefix in ("ModelBias", "ModelExplainability"):
        app["ConfigUri"] = f"s3://ml-monitoring/{name}/analysis_config.json"
    return {"JobDefinitionName": name, f"{prefix}AppSpecification": app,
            f"{prefix}JobInput": job_input, f"{prefix}JobOutputConfig": out,
            "JobResources": {"ClusterConfig": cluster}, "RoleArn": ROLE}


CREATE = {
    "processing": ("create-processing-job", "create_processing_job"),
    "transform": ("create-transform-job", "create_transform_job"),
    "tuning": ("create-hyper-parameter-tuning-job", "create_hyper_parameter_tuning_job"),
    "automl": ("create-auto-ml-job-v2", "create_auto_ml_job_v2"),
    "compilation": ("create-compilation-job", "create_compilation_job"),
    "endpoint_config": ("create-endpoint-config", "create_endpoint_config"),
    "notebook": ("create-notebook-instance", "create_notebook_instance"),
    "feature_group": ("create-feature-group", "create_feature_group"),
    "inference_experiment": ("create-inference-experiment", "create_inference_experiment"),
    "model_card": ("create-model-card", "create_model_card"),
    "data_quality_job_definition": ("create-data-quality-job-definition", "create_data_quality_job_definition"),
    "model_quality_job_definition": ("create-model-quality-job-definition", "create_model_quality_job_definition"),
    "model_bias_job_definition": ("create-model-bias-job-definition", "create_model_bias_job_definition"),
    "hyperpod_cluster": ("create-cluster", "create_cluster"),
    "monitoring_schedule": ("create-monitoring-schedule", "create_monitoring_schedule"),
    "labeling": ("create-labeling-job", "create_labeling_job"),
    "optimization": ("create-optimization-job", "create_optimization_job"),
    "flow_definition": ("create-flow-definition", "create_flow_definition"),
    "edge_packaging": ("create-edge-packaging-job", "create_edge_packaging_job"),
    "device_fleet": ("create-device-fleet", "create_device_fleet"),
    "model_package": ("create-model-package", "create_model_package"),
    "algorithm": ("create-algorithm", "create_algorithm"),
    "mlflow_app": ("create-mlflow-app", "create_mlflow_app"),
    "partner_app": ("create-partner-app", "create_partner_app"),
    "training_session": ("create-training-session", "create_training_session"),
    "inference_recommendations": ("create-inference-recommendations-job", "create_inference_recommendations_job"),
    "model_explainability_job_definition": ("create-model-explainability-job-definition",
                                            "create_model_explainability_job_definition"),
    "domain": ("create-domain", "create_domain"),
    "endpoint": ("create-endpoint", "create_endpoint"),
}
DESCRIBE = {
    "processing": ("describe-processing-job", "--processing-job-name"),
    "transform": ("describe-transform-job", "--transform-job-name"),
    "tuning": ("describe-hyper-parameter-tuning-job", "--hyper-parameter-tuning-job-name"),
    "automl": ("describe-auto-ml-job-v2", "--auto-ml-job-name"),
    "training": ("describe-training-job", "--training-job-name"),
    "compilation": ("describe-compilation-job", "--compilation-job-name"),
    "endpoint_config": ("describe-endpoint-config", "--endpoint-config-name"),
    "notebook": ("describe-notebook-instance", "--notebook-instance-name"),
    "domain": ("describe-domain", "--domain-id"),
    "user_profile": ("describe-user-profile", "--user-profile-name"),
    "feature_group": ("describe-feature-group", "--feature-group-name"),
    "inference_experiment": ("describe-inference-experiment", "--name"),
    "model_card": ("describe-model-card", "--model-card-name"),
    "data_quality_job_definition": ("describe-data-quality-job-definition", "--job-definition-name"),
    "model_quality_job_definition": ("describe-model-quality-job-definition", "--job-definition-name"),
    "model_bias_job_definition": ("describe-model-bias-job-definition", "--job-definition-name"),
    "hyperpod_cluster": ("describe-cluster", "--cluster-name"),
    "monitoring_schedule": ("describe-monitoring-schedule", "--monitoring-schedule-name"),
    "labeling": ("describe-labeling-job", "--labeling-job-name"),
    "optimization": ("describe-optimization-job", "--optimization-job-name"),
    "flow_definition": ("describe-flow-definition", "--flow-definition-name"),
    "edge_packaging": ("describe-edge-packaging-job", "--edge-packaging-job-name"),
    "device_fleet": ("describe-device-fleet", "--device-fleet-name"),
    "model_package": ("describe-model-package", "--model-package-name"),
    "algorithm": ("describe-algorithm", "--algorithm-name"),
    "mlflow_app": ("describe-mlflow-app", "--arn"),
    "partner_app": ("describe-partner-app", "--arn"),
    "training_session": ("describe-training-session", "--training-session-name"),
    "inference_recommendations": ("describe-inference-recommendations-job", "--job-name"),
    "model_explainability_job_definition": ("describe-model-explainability-job-definition", "--job-definition-name"),
    "endpoint": ("describe-endpoint", "--endpoint-name"),
    "customization": ("describe-job", "--job-name"),
}


@pytest.fixture
def kinds(moto, proxy, tmp_path):
    """Jobs of every new kind, half through boto3 and half through the AWS CLI. Returns
    {(job, rule, part): (status, key manager)} and the jobs by kind."""
    url, _ = moto
    endpoint, faults = proxy
    faults.reset()
    reset(url)
    # Created through the proxy, which keeps what moto drops or lacks (user profiles, a
    # feature group's online store).
    sm, kms = clients(endpoint)
    cmk = kms.create_key(Description="ml jobs")["KeyMetadata"]
    kms.create_alias(AliasName="alias/ml-jobs", TargetKeyId=cmk["KeyId"])
    key = cmk["Arn"]
    jobs = [
        # kind, via, request, {(rule, part): (status, key manager)}
        ("processing", "boto3", processing_request("proc-cmk", volume=key, output=key),
         {("processing-volume-cmk", None): ("PASS", "CUSTOMER"), ("processing-output-cmk", None): ("PASS", "CUSTOMER")}),
        ("processing", "cli", processing_request("proc-none"),
         {("processing-volume-cmk", None): ("FAIL", ""), ("processing-output-cmk", None): ("FAIL", "")}),
        ("processing", "boto3", processing_request("proc-no-outputs", volume="alias/ml-jobs", outputs=False),
         {("processing-volume-cmk", None): ("PASS", "CUSTOMER"), ("processing-output-cmk", None): ("NOT_APPLICABLE", "")}),
        ("processing", "cli", processing_request("proc-queries", volume=key, output=key,
                                                 queries=[("sales", "Athena", "alias/ml-jobs"), ("crm", "Redshift", None)]),
         {("processing-volume-cmk", None): ("PASS", "CUSTOMER"), ("processing-output-cmk", None): ("PASS", "CUSTOMER"),
          ("processing-output-cmk", "input sales (Athena query results)"): ("PASS", "CUSTOMER"),
          ("processing-output-cmk", "input crm (Redshift query results)"): ("FAIL", "")}),
        ("transform", "boto3", transform_request("tf-capture", volume=key, output=key, capture="alias/aws/s3"),
         {("transform-volume-cmk", None): ("PASS", "CUSTOMER"), ("transform-output-cmk", None): ("PASS", "CUSTOMER"),
          ("transform-output-cmk", "data capture"): ("FAIL", "AWS")}),
        ("transform", "cli", transform_request("tf-g4dn", itype="ml.g4dn.xlarge"),
         {("transform-volume-cmk", None): ("NOT_APPLICABLE", ""), ("transform-output-cmk", None): ("FAIL", "")}),
        ("tuning", "boto3", tuning_request("hpo-multi", many=[definition("a", volume=key, output=key), definition("b")]),
         {("tuning-volume-cmk", "definition a"): ("PASS", "CUSTOMER"), ("tuning-output-cmk", "definition a"): ("PASS", "CUSTOMER"),
          ("tuning-volume-cmk", "definition b"): ("FAIL", ""), ("tuning-output-cmk", "definition b"): ("FAIL", "")}),
        ("tuning", "cli", tuning_request("hpo-single", single=definition(volume="alias/aws/sagemaker", output=key)),
         {("tuning-volume-cmk", None): ("FAIL", "AWS"), ("tuning-output-cmk", None): ("PASS", "CUSTOMER")}),
        ("automl", "boto3", automl_request("automl-v2", volume=key),
         {("automl-volume-cmk", None): ("PASS", "CUSTOMER"), ("automl-output-cmk", None): ("FAIL", "")}),
        ("automl", "cli", automl_request("automl-cli", output="alias/ml-jobs"),
         {("automl-volume-cmk", None): ("FAIL", ""), ("automl-output-cmk", None): ("PASS", "CUSTOMER")}),
        ("compilation", "boto3", compilation_request("neo-cmk", output=key),
         {("compilation-output-cmk", None): ("PASS", "CUSTOMER")}),
        ("compilation", "cli", compilation_request("neo-none", device="jetson_nano"),
         {("compilation-output-cmk", None): ("FAIL", "")}),
        ("compilation", "boto3", compilation_request("neo-aws", output="alias/aws/s3"),
         {("compilation-output-cmk", None): ("FAIL", "AWS")}),
        ("endpoint_config", "boto3", endpoint_config_request("ec-cmk", key=key, capture="alias/ml-jobs"),
         {("endpoint-config-volume-cmk", None): ("PASS", "CUSTOMER"),
          ("endpoint-config-output-cmk", "data capture"): ("PASS", "CUSTOMER")}),
        ("endpoint_config", "cli", endpoint_config_request("ec-none", core_dump=True, async_output=True),
         {("endpoint-config-volume-cmk", None): ("FAIL", ""),
          ("endpoint-config-output-cmk", "async inference"): ("FAIL", ""),
          ("endpoint-config-output-cmk", "core dump AllTraffic"): ("FAIL", "")}),
        ("endpoint_config", "boto3", endpoint_config_request("ec-g4dn", itype="ml.g4dn.xlarge", capture="alias/aws/s3"),
         {("endpoint-config-volume-cmk", None): ("NOT_APPLICABLE", ""),
          ("endpoint-config-output-cmk", "data capture"): ("FAIL", "AWS")}),
        ("notebook", "boto3", notebook_request("nb-cmk", key="alias/ml-jobs"),
         {("notebook-volume-cmk", None): ("PASS", "CUSTOMER")}),
        # An instance type with local NVMe storage: the notebook's volume still needs the key.
        ("notebook", "cli", notebook_request("nb-c5d", itype="ml.c5d.xlarge"),
         {("notebook-volume-cmk", None): ("FAIL", "")}),
        ("feature_group", "boto3", feature_group_request("fg-cmk", online=True, online_key=key, offline_key="alias/ml-jobs"),
         {("feature-group-online-store-cmk", None): ("PASS", "CUSTOMER"),
          ("feature-group-offline-store-cmk", None): ("PASS", "CUSTOMER")}),
        ("feature_group", "cli", feature_group_request("fg-none", online=True),
         {("feature-group-online-store-cmk", None): ("FAIL", ""),
          ("feature-group-offline-store-cmk", None): ("FAIL", "")}),
        ("feature_group", "boto3", feature_group_request("fg-offline-aws", offline_key="alias/aws/s3"),
         {("feature-group-online-store-cmk", None): ("NOT_APPLICABLE", ""),
          ("feature-group-offline-store-cmk", None): ("FAIL", "AWS")}),
    ]
    # Endpoint configurations name a model. (moto 5.2.1 accepts only an old list of instance
    # types for variants, and drops ShadowProductionVariants.)
    sm.create_model(ModelName="churn-model", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE})
    # Endpoints deployed from two of the configurations, after them.
    jobs += [
        ("endpoint", "boto3", {"EndpointName": "ep-cmk", "EndpointConfigName": "ec-cmk"},
         {("endpoint-output-cmk", "data capture"): ("PASS", "CUSTOMER")}),
        ("endpoint", "cli", {"EndpointName": "ep-none", "EndpointConfigName": "ec-none"},
         {("endpoint-output-cmk", "data capture"): ("NOT_APPLICABLE", "")}),
        # Shadow tests, which moto lacks: the proxy keeps them.
        ("inference_experiment", "boto3", inference_experiment_request("ie-cmk", key=key, capture="alias/ml-jobs"),
         {("inference-experiment-volume-cmk", None): ("PASS", "CUSTOMER"),
          ("inference-experiment-output-cmk", None): ("PASS", "CUSTOMER")}),
        ("inference_experiment", "cli", inference_experiment_request("ie-g5", itype="ml.g5.xlarge", capture=""),
         {("inference-experiment-volume-cmk", None): ("NOT_APPLICABLE", ""),
          ("inference-experiment-output-cmk", None): ("FAIL", "")}),
        # Model cards, which moto keeps; the live scan asks for metadata only.
        ("model_card", "boto3", model_card_request("mc-cmk", key=key),
         {("model-card-content-cmk", None): ("PASS", "CUSTOMER")}),
        ("model_card", "cli", model_card_request("mc-aws", key="alias/aws/sagemaker"),
         {("model-card-content-cmk", None): ("FAIL", "AWS")}),
        ("model_card", "boto3", model_card_request("mc-none"),
         {("model-card-content-cmk", None): ("FAIL", "")}),
        # Model Monitor job definitions of the endpoints above, which moto keeps.
        ("data_quality_job_definition", "cli", monitoring_request("DataQuality", "dq-cmk", volume=key, output="alias/ml-jobs"),
         {("data-quality-job-definition-volume-cmk", None): ("PASS", "CUSTOMER"),
          ("data-quality-job-definition-output-cmk", None): ("PASS", "CUSTOMER")}),
        ("data_quality_job_definition", "boto3", monitoring_request("DataQuality", "dq-none", itype="ml.r5d.xlarge"),
         {("data-quality-job-definition-volume-cmk", None): ("FAIL", ""),
          ("data-quality-job-definition-output-cmk", None): ("FAIL", "")}),
        ("model_quality_job_definition", "boto3", monitoring_request("ModelQuality", "mq-cmk", volume=key, output=key),
         {("model-quality-job-definition-volume-cmk", None): ("PASS", "CUSTOMER"),
          ("model-quality-job-definition-output-cmk", None): ("PASS", "CUSTOMER")}),
        ("model_quality_job_definition", "cli", monitoring_request("ModelQuality", "mq-aws", volume="alias/aws/sagemaker"),
         {("model-quality-job-definition-volume-cmk", None): ("FAIL", "AWS"),
          ("model-quality-job-definition-output-cmk", None): ("FAIL", "")}),
        ("model_bias_job_definition", "cli", monitoring_request("ModelBias", "mb-cmk", volume=key, output="alias/ml-jobs"),
         {("model-bias-job-definition-volume-cmk", None): ("PASS", "CUSTOMER"),
          ("model-bias-job-definition-output-cmk", None): ("PASS", "CUSTOMER")}),
        ("model_bias_job_definition", "boto3", monitoring_request("ModelBias", "mb-none", itype="ml.r5d.large"),
         {("model-bias-job-definition-volume-cmk", None): ("FAIL", ""),
          ("model-bias-job-definition-output-cmk", None): ("FAIL", "")}),
        ("model_explainability_job_definition", "boto3",
         monitoring_request("ModelExplainability", "me-cmk", volume=key, output=key),
         {("model-explainability-job-definition-volume-cmk", None): ("PASS", "CUSTOMER"),
          ("model-explainability-job-definition-output-cmk", None): ("PASS", "CUSTOMER")}),
        # Monitoring schedules, which the proxy keeps: one that names the data quality job
        # definition above (judged on its keys) and one that carries its own definition.
        ("monitoring_schedule", "boto3", {"MonitoringScheduleName": "ms-named", "MonitoringScheduleConfig": {
            "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
            "MonitoringJobDefinitionName": "dq-cmk", "MonitoringType": "DataQuality"}},
         {("monitoring-schedule-volume-cmk", None): ("PASS", "CUSTOMER"),
          ("monitoring-schedule-output-cmk", None): ("PASS", "CUSTOMER")}),
        ("monitoring_schedule", "cli", {"MonitoringScheduleName": "ms-inline", "MonitoringScheduleConfig": {
            "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
            "MonitoringJobDefinition": {
                "MonitoringInputs": [{"EndpointInput": {"EndpointName": "ep-cmk", "LocalPath": "/opt/ml/processing/input"}}],
                "MonitoringOutputConfig": {"MonitoringOutputs": [{"S3Output": {"S3Uri": "s3://ml-monitoring/ms-inline/",
                                                                              "LocalPath": "/opt/ml/processing/output"}}],
                                           "KmsKeyId": "alias/aws/s3"},
                "MonitoringResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge",
                                                          "VolumeSizeInGB": 20}},
                "MonitoringAppSpecification": {"ImageUri": IMAGE}, "RoleArn": ROLE}}},
         {("monitoring-schedule-volume-cmk", None): ("FAIL", ""),
          ("monitoring-schedule-output-cmk", None): ("FAIL", "AWS")}),
        # Labeling jobs, which the proxy keeps: automated labeling with both keys, automated
        # labeling without a volume key, and people only (no instance, no volume).
        ("labeling", "boto3", labeling_request("lab-cmk", automated=True, volume=key, output="alias/ml-jobs"),
         {("labeling-volume-cmk", None): ("PASS", "CUSTOMER"), ("labeling-output-cmk", None): ("PASS", "CUSTOMER")}),
        ("labeling", "cli", labeling_request("lab-auto-none", automated=True, output="alias/aws/s3"),
         {("labeling-volume-cmk", None): ("FAIL", ""), ("labeling-output-cmk", None): ("FAIL", "AWS")}),
        ("labeling", "boto3", labeling_request("lab-people"),
         {("labeling-volume-cmk", None): ("NOT_APPLICABLE", ""), ("labeling-output-cmk", None): ("FAIL", "")}),
        # Optimization jobs, which the proxy keeps.
        ("optimization", "cli", optimization_request("opt-cmk", output=key),
         {("optimization-output-cmk", None): ("PASS", "CUSTOMER")}),
        ("optimization", "boto3", optimization_request("opt-none"),
         {("optimization-output-cmk", None): ("FAIL", "")}),
        # Human review flow definitions, which the proxy keeps.
        ("flow_definition", "boto3", flow_request("a2i-cmk", output="alias/ml-jobs"),
         {("flow-definition-output-cmk", None): ("PASS", "CUSTOMER")}),
        ("flow_definition", "cli", flow_request("a2i-aws", output="alias/aws/s3"),
         {("flow-definition-output-cmk", None): ("FAIL", "AWS")}),
        # Edge packaging jobs, which the proxy keeps.
        ("edge_packaging", "cli", {"EdgePackagingJobName": "edge-cmk", "CompilationJobName": "neo-jetson",
                                   "ModelName": "camera", "ModelVersion": "1.0", "RoleArn": ROLE, "ResourceKey": key,
                                   "OutputConfig": {"S3OutputLocation": "s3://edge-models/camera/", "KmsKeyId": key}},
         {("edge-packaging-volume-cmk", None): ("PASS", "CUSTOMER"), ("edge-packaging-output-cmk", None): ("PASS", "CUSTOMER")}),
        ("edge_packaging", "boto3", {"EdgePackagingJobName": "edge-none", "CompilationJobName": "neo-rasp",
                                     "ModelName": "shelf", "ModelVersion": "2.0", "RoleArn": ROLE,
                                     "OutputConfig": {"S3OutputLocation": "s3://edge-models/shelf/", "KmsKeyId": "alias/aws/s3"}},
         {("edge-packaging-volume-cmk", None): ("FAIL", ""), ("edge-packaging-output-cmk", None): ("FAIL", "AWS")}),
        # Device fleets, which the proxy keeps.
        ("device_fleet", "boto3", {"DeviceFleetName": "fleet-cmk", "RoleArn": ROLE,
                                   "OutputConfig": {"S3OutputLocation": "s3://edge-samples/cmk/", "KmsKeyId": key}},
         {("device-fleet-output-cmk", None): ("PASS", "CUSTOMER")}),
        ("device_fleet", "cli", {"DeviceFleetName": "fleet-none", "RoleArn": ROLE,
                                 "OutputConfig": {"S3OutputLocation": "s3://edge-samples/none/"}},
         {("device-fleet-output-cmk", None): ("FAIL", "")}),
        # HyperPod clusters, which moto keeps: one finding per EBS volume of each group.
        ("hyperpod_cluster", "boto3", cluster_request("hp-cmk", root=key, volume="alias/ml-jobs", itype="ml.p5.48xlarge"),
         {("hyperpod-cluster-volume-cmk", "instance group workers root volume"): ("PASS", "CUSTOMER"),
          ("hyperpod-cluster-volume-cmk", "instance group workers volume at /opt/sagemaker"): ("PASS", "CUSTOMER")}),
        ("hyperpod_cluster", "cli", cluster_request("hp-none"),
         {("hyperpod-cluster-volume-cmk", "instance group workers root volume"): ("FAIL", ""),
          ("hyperpod-cluster-volume-cmk", "instance group workers volume at /opt/sagemaker"): ("FAIL", "")}),
        ("model_explainability_job_definition", "cli",
         monitoring_request("ModelExplainability", "me-aws", output="alias/aws/s3"),
         {("model-explainability-job-definition-volume-cmk", None): ("FAIL", ""),
          ("model-explainability-job-definition-output-cmk", None): ("FAIL", "AWS")}),
    ]
    expected, by_kind = {}, {}
    for kind, via, request, verdicts in jobs:
        name = next(v for k, v in request.items()
                    if k.endswith(("JobName", "ConfigName", "InstanceName")) or k in ("Name", "FeatureGroupName", "ModelCardName", "JobDefinitionName", "ClusterName",
                                   "MonitoringScheduleName", "FlowDefinitionName", "DeviceFleetName")
                    or (k == "EndpointName" and kind == "endpoint"))
        if kind == "processing":
            # moto 5.2.1 does not keep ProcessingResources; the proxy adds back what was sent.
            faults.processing_resources[name] = request["ProcessingResources"]
        cli_command, method = CREATE[kind]
        if via == "cli":
            cli_create(endpoint, cli_command, request, tmp_path)
        else:
            getattr(sm, method)(**request)
        by_kind.setdefault(kind, []).append(name)
        for (rule, part), verdict in verdicts.items():
            expected[(name, rule, part)] = verdict
    # Studio domains, named by their id (moto 5.2.1 makes it d-NAME).
    for via, request, verdicts in [
        ("boto3", domain_request("studio-cmk", key=key, sharing_key="alias/ml-jobs"),
         {("domain-storage-cmk", None): ("PASS", "CUSTOMER"),
          ("domain-output-cmk", "notebook sharing"): ("PASS", "CUSTOMER"),
          ("domain-output-cmk", "canvas workspace"): ("FAIL", "")}),
        ("cli", domain_request("studio-none"),
         {("domain-storage-cmk", None): ("FAIL", ""),
          ("domain-output-cmk", "notebook sharing"): ("NOT_APPLICABLE", ""),
          ("domain-output-cmk", "canvas workspace"): ("FAIL", "")}),
    ]:
        if via == "cli":
            cli_create(endpoint, "create-domain", request, tmp_path)
        else:
            sm.create_domain(**request)
        domain_id = f"d-{request['DomainName']}"
        by_kind.setdefault("domain", []).append(domain_id)
        for (rule, part), verdict in verdicts.items():
            expected[(domain_id, rule, part)] = verdict
    # Studio user profiles, which moto lacks: created through the proxy with boto3 and the AWS
    # CLI all the same. A profile without settings is judged on its domain's.
    for via, domain, name, settings, verdicts in [
        ("boto3", "studio-cmk", "alice", None,
         {("user-profile-output-cmk", "notebook sharing"): ("PASS", "CUSTOMER"),
          ("user-profile-output-cmk", "canvas workspace"): ("FAIL", "")}),
        ("cli", "studio-none", "bob",
         {"SharingSettings": {"NotebookOutputOption": "Allowed", "S3OutputPath": "s3://ml-sharing/bob/",
                              "S3KmsKeyId": "alias/aws/s3"},
          "CanvasAppSettings": {"WorkspaceSettings": {"S3ArtifactPath": "s3://ml-canvas/bob/", "S3KmsKeyId": key}}},
         {("user-profile-output-cmk", "notebook sharing"): ("FAIL", "AWS"),
          ("user-profile-output-cmk", "canvas workspace"): ("PASS", "CUSTOMER")}),
        ("boto3", "studio-none", "carol", None,
         {("user-profile-output-cmk", "notebook sharing"): ("NOT_APPLICABLE", ""),
          ("user-profile-output-cmk", "canvas workspace"): ("FAIL", "")}),
    ]:
        request = {"DomainId": f"d-{domain}", "UserProfileName": name,
                   **({"UserSettings": settings} if settings else {})}
        if via == "cli":
            cli_create(endpoint, "create-user-profile", request, tmp_path)
        else:
            sm.create_user_profile(**request)
        # Collected as DOMAIN/NAME (a name is unique only in its domain).
        by_kind.setdefault("user_profile", []).append(f"d-{domain}/{name}")
        for (rule, part), verdict in verdicts.items():
            expected[(name, rule, part)] = verdict
    # Model customization jobs, which moto lacks: the proxy answers ListJobs and DescribeJob.
    for name, category, doc, verdict in [
        ("eval-cmk", "AgentRFTEvaluation", {"OutputDataConfig": {"S3OutputPath": "s3://ml-eval/", "KmsKeyArn": key}},
         ("PASS", "CUSTOMER")),
        ("synth-none", "SyntheticDataGeneration", {"OutputDataConfig": {"S3OutputPath": "s3://ml-synth/"}}, ("FAIL", "")),
    ]:
        faults.customization_jobs[name] = {
            "JobName": name, "JobArn": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:job/{category}/{name}",
            "RoleArn": ROLE, "JobCategory": category, "JobConfigSchemaVersion": "1.0.0",
            "JobConfigDocument": json.dumps(doc), "JobStatus": "Completed", "CreationTime": 1760000000.0,
            "LastModifiedTime": 1760003600.0}
        by_kind.setdefault("customization", []).append(name)
        expected[(name, "customization-output-cmk", None)] = verdict
    # Model packages, which the proxy keeps: a version in a group (named GROUP/VERSION, as its
    # ARN names it) and an unversioned package.
    inference = {"Containers": [{"Image": IMAGE, "ModelDataUrl": "s3://ml-models/churn/model.tar.gz"}],
                 "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]}
    holdout = {"ProfileName": "holdout", "TransformJobDefinition": {
        "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://ml-data/holdout/"}}},
        "TransformOutput": {"S3OutputPath": "s3://ml-data/holdout-out/", "KmsKeyId": "alias/aws/s3"},
        "TransformResources": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeKmsKeyId": key}}}
    for via, request, name, verdicts in [
        ("boto3", {"ModelPackageGroupName": "churn-models", "InferenceSpecification": inference,
                   "SecurityConfig": {"KmsKeyId": key},
                   "ValidationSpecification": {"ValidationRole": ROLE, "ValidationProfiles": [holdout]}},
         "churn-models/1",
         {("model-package-information-cmk", None): ("PASS", "CUSTOMER"),
          ("model-package-validation-volume-cmk", "validation profile holdout"): ("PASS", "CUSTOMER"),
          ("model-package-validation-output-cmk", "validation profile holdout"): ("FAIL", "AWS")}),
        ("cli", {"ModelPackageName": "legacy-scorer", "InferenceSpecification": inference}, "legacy-scorer",
         {("model-package-information-cmk", None): ("FAIL", ""),
          ("model-package-validation-volume-cmk", "no validation profile"): ("NOT_APPLICABLE", ""),
          ("model-package-validation-output-cmk", "no validation profile"): ("NOT_APPLICABLE", "")}),
    ]:
        if via == "cli":
            cli_create(endpoint, "create-model-package", request, tmp_path)
        else:
            sm.create_model_package(**request)
        by_kind.setdefault("model_package", []).append(name)
        for (rule, part), verdict in verdicts.items():
            expected[(name, rule, part)] = verdict
    # Algorithms, which the proxy keeps: validated by a training job on an NVMe instance type
    # and a transform job, and not validated at all.
    training_spec = {"TrainingImage": IMAGE, "SupportedTrainingInstanceTypes": ["ml.m5.xlarge"],
                     "TrainingChannels": [{"Name": "train", "SupportedContentTypes": ["text/csv"],
                                           "SupportedInputModes": ["File"]}]}
    smoke = {"ProfileName": "smoke", "TrainingJobDefinition": {
        "TrainingInputMode": "File",
        "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": "s3://ml-data/smoke/"}}}],
        "OutputDataConfig": {"S3OutputPath": "s3://ml-models/smoke/", "KmsKeyId": key},
        "ResourceConfig": {"InstanceType": "ml.p4d.24xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600}}, "TransformJobDefinition": holdout["TransformJobDefinition"]}
    for via, request, verdicts in [
        ("cli", {"AlgorithmName": "algo-validated", "TrainingSpecification": training_spec,
                 "ValidationSpecification": {"ValidationRole": ROLE, "ValidationProfiles": [smoke]}},
         {("algorithm-validation-volume-cmk", "validation profile smoke training"): ("NOT_APPLICABLE", ""),
          ("algorithm-validation-output-cmk", "validation profile smoke training"): ("PASS", "CUSTOMER"),
          ("algorithm-validation-volume-cmk", "validation profile smoke transform"): ("PASS", "CUSTOMER"),
          ("algorithm-validation-output-cmk", "validation profile smoke transform"): ("FAIL", "AWS")}),
        ("boto3", {"AlgorithmName": "algo-plain", "TrainingSpecification": training_spec},
         {("algorithm-validation-volume-cmk", "no validation profile"): ("NOT_APPLICABLE", ""),
          ("algorithm-validation-output-cmk", "no validation profile"): ("NOT_APPLICABLE", "")}),
    ]:
        if via == "cli":
            cli_create(endpoint, "create-algorithm", request, tmp_path)
        else:
            sm.create_algorithm(**request)
        by_kind.setdefault("algorithm", []).append(request["AlgorithmName"])
        for (rule, part), verdict in verdicts.items():
            expected[(request["AlgorithmName"], rule, part)] = verdict
    # MLflow Apps, which the proxy keeps: described by their ARN, which ends in an app id.
    for via, name, extra, verdict in [
        ("boto3", "mlflow-cmk", {"KmsKeyId": key}, ("PASS", "CUSTOMER")),
        ("cli", "mlflow-none", {}, ("FAIL", "")),
    ]:
        request = {"Name": name, "ArtifactStoreUri": f"s3://mlflow/{name}", "RoleArn": ROLE, **extra}
        if via == "cli":
            cli_create(endpoint, "create-mlflow-app", request, tmp_path)
        else:
            sm.create_mlflow_app(**request)
        # Collected as the ARN's id (the file is named after it), described by the whole ARN.
        arn = next(a["Arn"] for a in faults.mlflow_apps.values() if a["Name"] == name)
        by_kind.setdefault("mlflow_app", []).append(arn.split("/", 1)[1])
        expected[(name, "mlflow-app-store-cmk", None)] = verdict
    # Partner AI Apps, which the proxy keeps: described by their ARN, which ends in an app id.
    for via, name, extra, verdict in [
        ("cli", "guard-cmk", {"KmsKeyId": key}, ("PASS", "CUSTOMER")),
        ("boto3", "guard-none", {}, ("FAIL", "")),
    ]:
        request = {"Name": name, "Type": "lakera-guard", "ExecutionRoleArn": ROLE, "Tier": "small",
                   "AuthType": "IAM", **extra}
        if via == "cli":
            cli_create(endpoint, "create-partner-app", request, tmp_path)
        else:
            sm.create_partner_app(**request)
        arn = next(a["Arn"] for a in faults.partner_apps.values() if a["Name"] == name)
        by_kind.setdefault("partner_app", []).append(arn.split("/", 1)[1])
        expected[(name, "partner-app-store-cmk", None)] = verdict
    # Training sessions, which the proxy keeps; a describe response wraps every field. AWS CLI
    # 1.46.3 (its bundled botocore 1.43.62) has no training session commands: boto3 only.
    for via, name, location, verdict in [
        ("boto3", "lora-cmk", {"Path": "s3://ml-sessions/cmk/", "KmsKeyArn": key}, ("PASS", "CUSTOMER")),
        ("boto3", "lora-none", {"Path": "s3://ml-sessions/none/"}, ("FAIL", "")),
    ]:
        request = {"TrainingSessionName": name, "RoleArn": ROLE, "LoraConfig": {"Rank": 8, "Alpha": 16},
                   "ModelPackageGroupArn": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model-package-group/assistants",
                   "ModelConfig": {"BaseModelArn": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model/base"},
                   "OutputConfig": {"S3Location": location}}
        if via == "cli":
            cli_create(endpoint, "create-training-session", request, tmp_path)
        else:
            sm.create_training_session(**request)
        by_kind.setdefault("training_session", []).append(name)
        expected[(name, "training-session-output-cmk", None)] = verdict
    # Inference Recommender jobs, which the proxy keeps: the volume key of the test endpoints;
    # the compiled-model key of the request is not in the response and not judged.
    for via, name, input_config, verdict in [
        ("cli", "rightsize-cmk", {"EndpointConfigurations": [{"InstanceType": "ml.c5.xlarge"}], "VolumeKmsKeyId": key},
         ("PASS", "CUSTOMER")),
        ("boto3", "rightsize-none", {"EndpointConfigurations": [{"InstanceType": "ml.m5.large"}]}, ("FAIL", "")),
        ("boto3", "rightsize-serverless",
         {"EndpointConfigurations": [{"ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 1}}]},
         ("NOT_APPLICABLE", "")),
    ]:
        request = {"JobName": name, "JobType": "Advanced", "RoleArn": ROLE,
                   "InputConfig": {"ModelPackageVersionArn": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model-package/ranker/1",
                                   **input_config},
                   "OutputConfig": {"KmsKeyId": key}}
        if via == "cli":
            cli_create(endpoint, "create-inference-recommendations-job", request, tmp_path)
        else:
            sm.create_inference_recommendations_job(**request)
        by_kind.setdefault("inference_recommendations", []).append(name)
        expected[(name, "inference-recommendations-volume-cmk", None)] = verdict
    return expected, by_kind, cmk


def verdicts(report):
    return {(f["job_name"], f["rule_id"], f["part"]): (f["status"], f["key_manager"]) for f in report["findings"]}


def test_live_scan_judges_every_kind(kinds, proxy):
    expected, _, _ = kinds
    endpoint, faults = proxy
    code, report, stderr = scan_json(endpoint)
    assert code == 1, stderr
    assert report["errors"] == []
    assert verdicts(report) == expected
    assert [k["kind"] for k in report["summary"]["kinds"]] == [k["name"] for k in KINDS]
    assert report["rules"] == [rule for k in KINDS for rule in k["checks"]]
    by = {(f["job_name"], f["rule_id"], f["part"]): f for f in report["findings"]}
    assert by[("hpo-multi", "tuning-volume-cmk", "definition b")]["source_file"] == \
        f"{ACCOUNT}/us-east-1/tuning/hpo-multi.json"
    assert by[("tf-capture", "transform-output-cmk", "data capture")]["resource_type"] == "transform-job"
    # ListJobs takes one category at a time: each is listed once.
    categories = [p["JobCategory"] for op, p in faults.list_requests if op == "ListJobs"]
    assert categories == ["AgentRFT", "SyntheticDataGeneration", "DataQualityEvaluation",
                          "AgentRFTEvaluation", "DataTransformation"], categories
    # Each kind is listed with its own call, and AutoML is described with the V2 call.
    operations = {op for op, _ in faults.calls}
    assert {k["list"] for k in KINDS} <= operations
    assert {"DescribeAutoMLJobV2", "DescribeCompilationJob"} <= operations
    # A kind the AWS SDK for Rust has no calls for (inference routers) is not called, and the
    # scan says so in one line naming the kind and the reason, not silently.
    gone = unlisted()
    assert gone, "no kind is left out of live scans: this check has nothing to check"
    for k in gone:
        assert k["list"] not in operations and k["describe"] not in operations
        lines = [l for l in stderr.splitlines() if k["unlisted"] in l]
        assert len(lines) == 1 and lines[0].startswith("not listing "), stderr


def test_collect_then_offline_scan_is_identical_for_every_kind(kinds, proxy, tmp_path):
    _, by_kind, _ = kinds
    endpoint, faults = proxy
    out = tmp_path / "collected"
    r = run(["collect", "--out-dir", str(out)], endpoint)
    assert r.returncode == 0, r.stderr
    manifest = json.loads((out / "manifest.json").read_text())["SagemakerAuditManifest"]
    assert manifest["scope"]["kinds"] == [k["name"] for k in KINDS]
    assert manifest["counts"]["jobs_described"] == sum(len(v) for v in by_kind.values())
    for kind, names in by_kind.items():
        # A nested ARN's rest (PARENT/NAME) names the file, encoded as layout.rs does: `_XX`
        # for a capital or a character outside [a-z0-9-].
        stems = sorted(re.sub(r"_([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), p.stem)
                       for p in (out / ACCOUNT / "us-east-1" / kind).iterdir())
        if kind == "customization":
            names = [f"{faults.customization_jobs[n]['JobCategory']}/{n}" for n in names]
        assert stems == sorted(names)
    live_code, live, _ = scan_json(endpoint)
    r = run(["scan", ".", "--format", "json"], endpoint, cwd=out)
    offline = json.loads(r.stdout)
    assert r.returncode == live_code == 1
    assert offline["findings"] == live["findings"]
    assert offline["errors"] == live["errors"] == []
    # The kinds listed without a job (training here) are covered offline too.
    assert offline["rules"] == live["rules"]
    live_sarif = json.loads(run(["scan", "--live", "--format", "sarif", "--sarif-all-results"], endpoint).stdout)
    off_sarif = json.loads(run(["scan", ".", "--format", "sarif", "--sarif-all-results"], endpoint, cwd=out).stdout)
    assert live_sarif["runs"][0]["results"] == off_sarif["runs"][0]["results"]


def test_aws_cli_describe_exports_give_the_live_verdicts(kinds, proxy, tmp_path):
    _, by_kind, cmk = kinds
    endpoint, faults = proxy
    export = tmp_path / "export"
    export.mkdir()
    for kind, names in by_kind.items():
        command, option = DESCRIBE[kind]
        for name in names:
            extra = []
            if kind == "customization":
                # DescribeJob takes the job's category too.
                extra = ["--job-category", faults.customization_jobs[name]["JobCategory"]]
            if kind == "user_profile":
                # DescribeUserProfile takes the domain too.
                domain, name = name.split("/")
                extra = ["--domain-id", domain]
            if kind == "model_package":
                # A version is described by its ARN.
                name = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model-package/{name}" if "/" in name else name
            if kind == "mlflow_app":
                # AWS CLI 1.46.3 bundles botocore 1.43.62, whose DescribeMlflowApp output has no
                # KmsKeyId: the CLI would drop the key (and the export fail the app). boto3
                # (botocore 1.44.8) writes the response whole, as a newer CLI would.
                arn = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:mlflow-app/{name}"
                response = clients(endpoint)[0].describe_mlflow_app(Arn=arn)
                response.pop("ResponseMetadata")
                (export / f"{kind}-{name}.json").write_text(json.dumps(response, default=str))
                continue
            if kind == "training_session":
                # No such command in AWS CLI 1.46.3: boto3 writes the response.
                response = clients(endpoint)[0].describe_training_session(TrainingSessionName=name)
                response.pop("ResponseMetadata")
                (export / f"{kind}-{name}.json").write_text(json.dumps(response, default=str))
                continue
            if kind == "partner_app":
                name = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:partner-app/{name}"
            aws_cli(["sagemaker", command, option, name, *extra], endpoint,
                    export / f"{kind}-{name.replace('/', '-').replace(':', '-')}.json")
    aws_cli(["kms", "list-aliases"], endpoint, export / "kms-aliases.json")
    aws_cli(["kms", "describe-key", "--key-id", cmk["KeyId"]], endpoint, export / "kms-key.json")
    r = run(["scan", str(export), "--format", "json"], endpoint)
    offline = json.loads(r.stdout)
    _, live, _ = scan_json(endpoint)
    assert r.returncode == 1, r.stderr
    assert verdicts(offline) == verdicts(live)


def test_access_denied_listing_one_kind_is_one_error_and_the_rest_is_scanned(kinds, proxy):
    expected, _, _ = kinds
    endpoint, faults = proxy
    faults.deny_lists.add(("ListProcessingJobs", "us-east-1"))
    code, report, stderr = scan_json(endpoint)
    assert code == 3, stderr
    assert [e["source"] for e in report["errors"]] == ["ListProcessingJobs in us-east-1"]
    assert "AccessDeniedException" in report["errors"][0]["message"]
    assert stderr.count("error:") == 1, stderr
    rest = {k: v for k, v in expected.items() if not k[1].startswith("processing-")}
    assert verdicts(report) == rest


def test_kinds_narrow_the_scan_and_status_names_are_checked_per_kind(kinds, proxy):
    expected, _, _ = kinds
    endpoint, faults = proxy
    code, report, _ = scan_json(endpoint, "--kinds", "transform,automl")
    assert code == 1
    assert {f["resource_type"] for f in report["findings"]} == {"transform-job", "automl-job"}
    assert report["rules"] == ["transform-volume-cmk", "transform-output-cmk", "automl-volume-cmk", "automl-output-cmk"]
    listed = {op for op, _ in faults.calls if op.startswith("List") and op != "ListAliases"}
    assert listed == {"ListTransformJobs", "ListAutoMLJobs"}
    # Without --kinds a status leaves out the kinds that do not have it, and says so; named
    # with --kinds, a kind without it is refused.
    # (InService: only notebook instances have it; moto 5.2.1 refuses the training status
    # Deleting that botocore has.)
    r = run(["scan", "--live", "--status", "InService", "--format", "json"], endpoint)
    assert r.returncode in (0, 1), r.stderr
    assert "not listing training jobs, processing jobs" in r.stderr, r.stderr
    listed = {f["resource_type"] for f in json.loads(r.stdout)["findings"]}
    assert "notebook-instance" in listed and "training-job" not in listed, listed
    r = run(["scan", "--live", "--kinds", "training,processing", "--status", "Deleting"], endpoint)
    assert r.returncode == 2 and "processing jobs have no such status" in r.stderr, r.stderr
    # A status only tuning jobs have is accepted when only tuning jobs are listed, and reaches
    # the API. (moto 5.2.1 still refuses the training status Deleting that botocore has.)
    code, report, stderr = scan_json(endpoint, "--kinds", "tuning", "--status", "DeleteFailed")
    assert code == 0, stderr
    assert report["summary"]["jobs"] == 0
    r = run(["scan", "--live", "--kinds", "training,tuning", "--status", "DeleteFailed"], endpoint)
    assert r.returncode == 2 and "training jobs have no such status" in r.stderr, r.stderr
    # Compilation jobs spell their statuses in capitals: --status Completed reaches their List
    # call as COMPLETED, and moto answers with the jobs in that status.
    faults.reset()
    code, report, stderr = scan_json(endpoint, "--kinds", "compilation,training", "--status", "Completed")
    assert code == 1, stderr
    assert {f["job_name"] for f in report["findings"]} == {"neo-cmk", "neo-none", "neo-aws"}
    sent = {op: body.get("StatusEquals") for op, body in faults.list_requests}
    assert sent["ListCompilationJobs"] == "COMPLETED"
    r = run(["scan", "--live", "--kinds", "endpoints"], endpoint)
    assert r.returncode == 2 and "endpoints" in r.stderr
    # Named with --kinds, a kind a live scan cannot list is refused with the reason and the
    # offline way to scan it, before any call.
    faults.reset()
    for k in unlisted():
        r = run(["scan", "--live", "--kinds", f"training,{k['name']}"], endpoint)
        assert r.returncode == 2, r.stderr
        command = re.sub(r"(?<!^)(?=[A-Z])", "-", k["describe"]).lower()
        assert k["unlisted"] in r.stderr and f"`aws sagemaker {command}`" in r.stderr, r.stderr
        assert not faults.calls, faults.calls
