"""The kinds against botocore's SageMaker model: the operations the live scan calls and the
status names --status accepts (both from the tool's own registry, `sagemaker-audit kinds
--json`), every field the kind parsers in src/kinds/ read, and the documentation the verdicts
rest on."""

import json

import pytest

from test_tables import REPO, catalogue, member, model  # noqa: F401  (model is a fixture)

REGISTRY = {k["name"]: k for k in catalogue("--json") if k["name"] != "pipeline"}

# kind -> (list operation, its summaries member, describe operation, fields the parser reads)
KINDS = {
    "training": ("ListTrainingJobs", "TrainingJobSummaries", "DescribeTrainingJob", [
        "TrainingJobName", "TrainingJobArn", "TrainingJobStatus", "CreationTime", "LastModifiedTime",
        "ResourceConfig.InstanceType", "ResourceConfig.InstanceGroups[].InstanceType",
        "ResourceConfig.SelectedInstanceType", "ResourceConfig.InstancePreferences[].InstanceType",
        "ResourceConfig.VolumeKmsKeyId", "OutputDataConfig.KmsKeyId", "OutputDataConfig.S3OutputPath",
    ]),
    "processing": ("ListProcessingJobs", "ProcessingJobSummaries", "DescribeProcessingJob", [
        "ProcessingJobName", "ProcessingJobArn", "ProcessingJobStatus", "CreationTime", "LastModifiedTime",
        "ProcessingResources.ClusterConfig.InstanceType",
        "ProcessingResources.ClusterConfig.VolumeKmsKeyId",
        "ProcessingResources.ClusterConfig.SelectedInstanceType",
        "ProcessingResources.ClusterConfig.InstancePreferences[].InstanceType",
        "ProcessingOutputConfig.KmsKeyId", "ProcessingOutputConfig.Outputs[].S3Output.S3Uri",
        "AppSpecification", "ProcessingInputs", "RoleArn", "StoppingCondition",
        "ProcessingInputs[].InputName",
        "ProcessingInputs[].DatasetDefinition.AthenaDatasetDefinition.OutputS3Uri",
        "ProcessingInputs[].DatasetDefinition.AthenaDatasetDefinition.KmsKeyId",
        "ProcessingInputs[].DatasetDefinition.RedshiftDatasetDefinition.OutputS3Uri",
        "ProcessingInputs[].DatasetDefinition.RedshiftDatasetDefinition.KmsKeyId",
    ]),
    "transform": ("ListTransformJobs", "TransformJobSummaries", "DescribeTransformJob", [
        "TransformJobName", "TransformJobArn", "TransformJobStatus", "CreationTime", "TransformEndTime",
        "TransformResources.InstanceType", "TransformResources.VolumeKmsKeyId",
        "TransformOutput.KmsKeyId", "TransformOutput.S3OutputPath",
        "DataCaptureConfig.KmsKeyId", "DataCaptureConfig.DestinationS3Uri",
        "TransformInput", "ModelName",
    ]),
    "tuning": ("ListHyperParameterTuningJobs", "HyperParameterTuningJobSummaries",
               "DescribeHyperParameterTuningJob", [
        "HyperParameterTuningJobName", "HyperParameterTuningJobArn", "HyperParameterTuningJobStatus",
        "CreationTime", "LastModifiedTime", "HyperParameterTuningJobConfig",
        "TrainingJobDefinition.DefinitionName",
        "TrainingJobDefinition.ResourceConfig.InstanceType",
        "TrainingJobDefinition.ResourceConfig.InstanceGroups[].InstanceType",
        "TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId",
        "TrainingJobDefinition.HyperParameterTuningResourceConfig.InstanceType",
        "TrainingJobDefinition.HyperParameterTuningResourceConfig.InstanceConfigs[].InstanceType",
        "TrainingJobDefinition.HyperParameterTuningResourceConfig.VolumeKmsKeyId",
        "TrainingJobDefinition.OutputDataConfig.KmsKeyId",
        "TrainingJobDefinition.OutputDataConfig.S3OutputPath",
        "TrainingJobDefinitions[].DefinitionName",
        "TrainingJobDefinitions[].ResourceConfig.VolumeKmsKeyId",
        "TrainingJobDefinitions[].HyperParameterTuningResourceConfig.VolumeKmsKeyId",
        "TrainingJobDefinitions[].OutputDataConfig.KmsKeyId",
    ]),
    "automl": ("ListAutoMLJobs", "AutoMLJobSummaries", "DescribeAutoMLJobV2", [
        "AutoMLJobName", "AutoMLJobArn", "AutoMLJobStatus", "CreationTime", "LastModifiedTime",
        "SecurityConfig.VolumeKmsKeyId", "OutputDataConfig.KmsKeyId", "OutputDataConfig.S3OutputPath",
        "AutoMLJobInputDataConfig",
    ]),
    "compilation": ("ListCompilationJobs", "CompilationJobSummaries", "DescribeCompilationJob", [
        "CompilationJobName", "CompilationJobArn", "CompilationJobStatus", "CreationTime", "LastModifiedTime",
        "OutputConfig.KmsKeyId", "OutputConfig.S3OutputLocation",
        "InputConfig", "RoleArn", "StoppingCondition", "ModelArtifacts",
    ]),
    "customization": ("ListJobs", "JobSummaries", "DescribeJob", [
        "JobName", "JobArn", "JobStatus", "JobCategory", "JobConfigDocument", "RoleArn",
        "CreationTime", "LastModifiedTime",
    ]),
    "endpoint_config": ("ListEndpointConfigs", "EndpointConfigs", "DescribeEndpointConfig", [
        "EndpointConfigName", "EndpointConfigArn", "CreationTime", "KmsKeyId",
        "ProductionVariants[].VariantName", "ProductionVariants[].InstanceType",
        "ProductionVariants[].InstancePools[].InstanceType",
        "ProductionVariants[].CoreDumpConfig.KmsKeyId",
        "ProductionVariants[].CoreDumpConfig.DestinationS3Uri",
        "ShadowProductionVariants[].VariantName", "ShadowProductionVariants[].InstanceType",
        "ShadowProductionVariants[].InstancePools[].InstanceType",
        "ShadowProductionVariants[].CoreDumpConfig.KmsKeyId",
        "DataCaptureConfig.KmsKeyId", "DataCaptureConfig.DestinationS3Uri",
        "DataCaptureConfig.EnableCapture",
        "AsyncInferenceConfig.OutputConfig.KmsKeyId", "AsyncInferenceConfig.OutputConfig.S3OutputPath",
        "AsyncInferenceConfig.OutputConfig.S3FailurePath",
    ]),
    "endpoint": ("ListEndpoints", "Endpoints", "DescribeEndpoint", [
        "EndpointName", "EndpointArn", "EndpointStatus", "EndpointConfigName", "ProductionVariants",
        "CreationTime", "LastModifiedTime",
        "DataCaptureConfig.KmsKeyId", "DataCaptureConfig.DestinationS3Uri", "DataCaptureConfig.EnableCapture",
        "AsyncInferenceConfig.OutputConfig.KmsKeyId", "AsyncInferenceConfig.OutputConfig.S3OutputPath",
        "AsyncInferenceConfig.OutputConfig.S3FailurePath",
    ]),
    "notebook": ("ListNotebookInstances", "NotebookInstances", "DescribeNotebookInstance", [
        "NotebookInstanceName", "NotebookInstanceArn", "NotebookInstanceStatus", "CreationTime",
        "LastModifiedTime", "InstanceType", "KmsKeyId", "RoleArn",
    ]),
    "domain": ("ListDomains", "Domains", "DescribeDomain", [
        "DomainId", "DomainArn", "Status", "CreationTime", "LastModifiedTime", "AuthMode",
        "HomeEfsFileSystemId", "KmsKeyId", "HomeEfsFileSystemKmsKeyId",
        "DefaultUserSettings.SharingSettings.NotebookOutputOption",
        "DefaultUserSettings.SharingSettings.S3OutputPath",
        "DefaultUserSettings.SharingSettings.S3KmsKeyId",
        "DefaultUserSettings.CanvasAppSettings.WorkspaceSettings.S3ArtifactPath",
        "DefaultUserSettings.CanvasAppSettings.WorkspaceSettings.S3KmsKeyId",
    ]),
    "user_profile": ("ListUserProfiles", "UserProfiles", "DescribeUserProfile", [
        "UserProfileName", "UserProfileArn", "DomainId", "Status", "CreationTime",
        "LastModifiedTime", "HomeEfsFileSystemUid", "SingleSignOnUserIdentifier",
        "UserSettings.SharingSettings.NotebookOutputOption",
        "UserSettings.SharingSettings.S3OutputPath",
        "UserSettings.SharingSettings.S3KmsKeyId",
        "UserSettings.CanvasAppSettings.WorkspaceSettings.S3ArtifactPath",
        "UserSettings.CanvasAppSettings.WorkspaceSettings.S3KmsKeyId",
    ]),
    "feature_group": ("ListFeatureGroups", "FeatureGroupSummaries", "DescribeFeatureGroup", [
        "FeatureGroupName", "FeatureGroupArn", "FeatureGroupStatus", "CreationTime", "LastModifiedTime",
        "FeatureDefinitions", "RecordIdentifierFeatureName", "EventTimeFeatureName",
        "OnlineStoreConfig.EnableOnlineStore", "OnlineStoreConfig.SecurityConfig.KmsKeyId",
        "OfflineStoreConfig.S3StorageConfig.S3Uri", "OfflineStoreConfig.S3StorageConfig.KmsKeyId",
    ]),
    "inference_experiment": ("ListInferenceExperiments", "InferenceExperiments", "DescribeInferenceExperiment", [
        "Name", "Arn", "Status", "CreationTime", "LastModifiedTime", "EndpointMetadata", "ShadowModeConfig",
        "ModelVariants[].InfrastructureConfig.RealTimeInferenceConfig.InstanceType",
        "KmsKey", "DataStorageConfig.KmsKey", "DataStorageConfig.Destination",
    ]),
    "model_card": ("ListModelCards", "ModelCardSummaries", "DescribeModelCard", [
        "ModelCardName", "ModelCardArn", "ModelCardStatus", "CreationTime", "LastModifiedTime",
        "ModelCardVersion", "Content", "SecurityConfig.KmsKeyId",
    ]),
    "data_quality_job_definition": ("ListDataQualityJobDefinitions", "JobDefinitionSummaries",
                                    "DescribeDataQualityJobDefinition", [
        "JobDefinitionName", "JobDefinitionArn", "CreationTime", "DataQualityAppSpecification",
        "DataQualityJobInput", "RoleArn",
        "JobResources.ClusterConfig.InstanceType", "JobResources.ClusterConfig.VolumeKmsKeyId",
        "DataQualityJobOutputConfig.MonitoringOutputs[].S3Output.S3Uri",
        "DataQualityJobOutputConfig.KmsKeyId",
    ]),
    "model_quality_job_definition": ("ListModelQualityJobDefinitions", "JobDefinitionSummaries",
                                    "DescribeModelQualityJobDefinition", [
        "JobDefinitionName", "JobDefinitionArn", "CreationTime", "ModelQualityAppSpecification",
        "ModelQualityJobInput", "RoleArn",
        "JobResources.ClusterConfig.InstanceType", "JobResources.ClusterConfig.VolumeKmsKeyId",
        "ModelQualityJobOutputConfig.MonitoringOutputs[].S3Output.S3Uri",
        "ModelQualityJobOutputConfig.KmsKeyId",
    ]),
    "model_bias_job_definition": ("ListModelBiasJobDefinitions", "JobDefinitionSummaries",
                                    "DescribeModelBiasJobDefinition", [
        "JobDefinitionName", "JobDefinitionArn", "CreationTime", "ModelBiasAppSpecification",
        "ModelBiasJobInput", "RoleArn",
        "JobResources.ClusterConfig.InstanceType", "JobResources.ClusterConfig.VolumeKmsKeyId",
        "ModelBiasJobOutputConfig.MonitoringOutputs[].S3Output.S3Uri",
        "ModelBiasJobOutputConfig.KmsKeyId",
    ]),
    "model_explainability_job_definition": ("ListModelExplainabilityJobDefinitions", "JobDefinitionSummaries",
                                    "DescribeModelExplainabilityJobDefinition", [
        "JobDefinitionName", "JobDefinitionArn", "CreationTime", "ModelExplainabilityAppSpecification",
        "ModelExplainabilityJobInput", "RoleArn",
        "JobResources.ClusterConfig.InstanceType", "JobResources.ClusterConfig.VolumeKmsKeyId",
        "ModelExplainabilityJobOutputConfig.MonitoringOutputs[].S3Output.S3Uri",
        "ModelExplainabilityJobOutputConfig.KmsKeyId",
    ]),
    "monitoring_schedule": ("ListMonitoringSchedules", "MonitoringScheduleSummaries", "DescribeMonitoringSchedule", [
        "MonitoringScheduleName", "MonitoringScheduleArn", "MonitoringScheduleStatus", "CreationTime",
        "LastModifiedTime", "MonitoringScheduleConfig.MonitoringJobDefinitionName",
        "MonitoringScheduleConfig.MonitoringType",
        "MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringResources.ClusterConfig.InstanceType",
        "MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringResources.ClusterConfig.VolumeKmsKeyId",
        "MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringOutputConfig.MonitoringOutputs[].S3Output.S3Uri",
        "MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringOutputConfig.KmsKeyId",
    ]),
    "hyperpod_cluster": ("ListClusters", "ClusterSummaries", "DescribeCluster", [
        "ClusterName", "ClusterArn", "ClusterStatus", "CreationTime",
        "InstanceGroups[].InstanceGroupName", "InstanceGroups[].InstanceType",
        "InstanceGroups[].InstanceStorageConfigs[].EbsVolumeConfig.RootVolume",
        "InstanceGroups[].InstanceStorageConfigs[].EbsVolumeConfig.VolumeKmsKeyId",
        "RestrictedInstanceGroups[].InstanceGroupName", "RestrictedInstanceGroups[].InstanceType",
        "RestrictedInstanceGroups[].InstanceStorageConfigs[].EbsVolumeConfig.RootVolume",
        "RestrictedInstanceGroups[].InstanceStorageConfigs[].EbsVolumeConfig.VolumeKmsKeyId",
    ]),
    "optimization": ("ListOptimizationJobs", "OptimizationJobSummaries", "DescribeOptimizationJob", [
        "OptimizationJobName", "OptimizationJobArn", "OptimizationJobStatus", "CreationTime", "LastModifiedTime",
        "OutputConfig.S3OutputLocation", "OutputConfig.KmsKeyId",
        "ModelSource", "DeploymentInstanceType", "OptimizationConfigs", "RoleArn", "StoppingCondition",
    ]),
    "flow_definition": ("ListFlowDefinitions", "FlowDefinitionSummaries", "DescribeFlowDefinition", [
        "FlowDefinitionName", "FlowDefinitionArn", "FlowDefinitionStatus", "CreationTime",
        "OutputConfig.S3OutputPath", "OutputConfig.KmsKeyId", "HumanLoopConfig", "RoleArn",
    ]),
    "edge_packaging": ("ListEdgePackagingJobs", "EdgePackagingJobSummaries", "DescribeEdgePackagingJob", [
        "EdgePackagingJobName", "EdgePackagingJobArn", "EdgePackagingJobStatus", "CreationTime", "LastModifiedTime",
        "ResourceKey", "OutputConfig.S3OutputLocation", "OutputConfig.KmsKeyId",
        "RoleArn", "ModelArtifact", "ModelSignature", "CompilationJobName",
    ]),
    "device_fleet": ("ListDeviceFleets", "DeviceFleetSummaries", "DescribeDeviceFleet", [
        "DeviceFleetName", "DeviceFleetArn", "CreationTime", "LastModifiedTime",
        "OutputConfig.S3OutputLocation", "OutputConfig.KmsKeyId", "RoleArn", "IotRoleAlias",
    ]),
    "model_package": ("ListModelPackages", "ModelPackageSummaryList", "DescribeModelPackage", [
        "ModelPackageName", "ModelPackageArn", "ModelPackageGroupName", "ModelPackageVersion",
        "ModelPackageStatus", "CreationTime", "LastModifiedTime", "SecurityConfig.KmsKeyId",
        "ValidationSpecification.ValidationProfiles[].ProfileName",
        "ValidationSpecification.ValidationProfiles[].TransformJobDefinition.TransformResources.InstanceType",
        "ValidationSpecification.ValidationProfiles[].TransformJobDefinition.TransformResources.VolumeKmsKeyId",
        "ValidationSpecification.ValidationProfiles[].TransformJobDefinition.TransformOutput.S3OutputPath",
        "ValidationSpecification.ValidationProfiles[].TransformJobDefinition.TransformOutput.KmsKeyId",
        "ModelPackageStatusDetails", "InferenceSpecification",
    ]),
    "algorithm": ("ListAlgorithms", "AlgorithmSummaryList", "DescribeAlgorithm", [
        "AlgorithmName", "AlgorithmArn", "AlgorithmStatus", "CreationTime",
        "TrainingSpecification", "AlgorithmStatusDetails",
        "ValidationSpecification.ValidationProfiles[].ProfileName",
        "ValidationSpecification.ValidationProfiles[].TrainingJobDefinition.ResourceConfig.InstanceType",
        "ValidationSpecification.ValidationProfiles[].TrainingJobDefinition.ResourceConfig.InstanceGroups[].InstanceType",
        "ValidationSpecification.ValidationProfiles[].TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId",
        "ValidationSpecification.ValidationProfiles[].TrainingJobDefinition.OutputDataConfig.S3OutputPath",
        "ValidationSpecification.ValidationProfiles[].TrainingJobDefinition.OutputDataConfig.KmsKeyId",
        "ValidationSpecification.ValidationProfiles[].TransformJobDefinition.TransformResources.InstanceType",
        "ValidationSpecification.ValidationProfiles[].TransformJobDefinition.TransformResources.VolumeKmsKeyId",
        "ValidationSpecification.ValidationProfiles[].TransformJobDefinition.TransformOutput.S3OutputPath",
        "ValidationSpecification.ValidationProfiles[].TransformJobDefinition.TransformOutput.KmsKeyId",
    ]),
    "mlflow_app": ("ListMlflowApps", "Summaries", "DescribeMlflowApp", [
        "Name", "Arn", "Status", "CreationTime", "LastModifiedTime", "KmsKeyId", "ArtifactStoreUri", "RoleArn",
    ]),
    "partner_app": ("ListPartnerApps", "Summaries", "DescribePartnerApp", [
        "Name", "Arn", "Status", "CreationTime", "LastModifiedTime", "KmsKeyId", "AuthType",
        "ExecutionRoleArn", "Tier",
    ]),
    "training_session": ("ListTrainingSessions", "TrainingSessionSummaries", "DescribeTrainingSession", [
        "TrainingSessionDetail.TrainingSessionName", "TrainingSessionDetail.TrainingSessionArn",
        "TrainingSessionDetail.TrainingSessionStatus", "TrainingSessionDetail.CreationTime",
        "TrainingSessionDetail.LastModifiedTime",
        "TrainingSessionDetail.OutputConfig.S3Location.Path",
        "TrainingSessionDetail.OutputConfig.S3Location.KmsKeyArn",
    ]),
    "inference_recommendations": ("ListInferenceRecommendationsJobs", "InferenceRecommendationsJobs",
                                  "DescribeInferenceRecommendationsJob", [
        "JobName", "JobArn", "JobType", "Status", "CreationTime", "LastModifiedTime", "RoleArn",
        "StoppingConditions", "InputConfig.VolumeKmsKeyId",
        "InputConfig.EndpointConfigurations[].InstanceType",
        "InputConfig.EndpointConfigurations[].ServerlessConfig",
        "InputConfig.ContainerConfig.SupportedInstanceTypes",
    ]),
    "inference_router": ("ListInferenceRouters", "InferenceRouters", "DescribeInferenceRouter", [
        "InferenceRouterName", "InferenceRouterArn", "Status", "CreationTime", "LastModifiedTime",
        "RoutingTargets[].Name",
        "RoutingTargets[].AsyncInferenceConfig.OutputConfig.S3OutputPath",
        "RoutingTargets[].AsyncInferenceConfig.OutputConfig.S3FailurePath",
        "RoutingTargets[].AsyncInferenceConfig.OutputConfig.KmsKeyId",
    ]),
    "labeling": ("ListLabelingJobs", "LabelingJobSummaryList", "DescribeLabelingJob", [
        "LabelingJobName", "LabelingJobArn", "LabelingJobStatus", "CreationTime", "LastModifiedTime",
        "LabelingJobAlgorithmsConfig",
        "LabelingJobAlgorithmsConfig.LabelingJobResourceConfig.VolumeKmsKeyId",
        "OutputConfig.S3OutputPath", "OutputConfig.KmsKeyId",
        "LabelCounters", "JobReferenceCode", "HumanTaskConfig", "InputConfig", "RoleArn",
    ]),
}

# List operations whose summaries spell the name and ARN otherwise than Describe does
# (src/kinds/<kind>.rs, `live`).
SUMMARY_FIELDS = {f"{k}_job_definition": ("MonitoringJobDefinitionName", "MonitoringJobDefinitionArn")
                  for k in ("data_quality", "model_quality", "model_bias", "model_explainability")}
# ListTrainingSessions summaries carry the ARN only: the name is its last part.
SUMMARY_FIELDS["training_session"] = ("TrainingSessionArn",)

# Describe outputs that wrap every field in one member (src/kinds/<kind>.rs): the name and ARN
# are read inside it.
WRAPPED = {"training_session": "TrainingSessionDetail"}

# The List request's status filter where it is not StatusEquals (src/kinds/<kind>.rs, `live`).
STATUS_MEMBER = {"feature_group": "FeatureGroupStatusEquals", "model_card": "ModelCardStatus",
                 "mlflow_app": "Status"}

# List operations whose creation-time filter is named otherwise (src/kinds/<kind>.rs, `live`).
CREATED_AFTER = {"mlflow_app": "CreatedAfter"}

# Describe operations that take the ARN rather than the name (src/kinds/<kind>.rs, `live`).
DESCRIBED_BY_ARN = {"mlflow_app", "partner_app"}

# List operations without CreationTimeAfter: the live scan applies --created-after to the
# CreationTime of each summary instead (src/kinds/<kind>.rs, `live`).
FILTERED_BY_THE_TOOL = {"domain", "user_profile", "partner_app"}

# List operations whose summaries carry no ARN: the live scan writes it from the parent the
# summary names and a ListDomains summary's DomainArn (src/kinds/user_profile.rs, `live`).
ARN_WRITTEN_BY_THE_TOOL = {"user_profile": "DomainId", "inference_experiment": "RoleArn"}

# AutoML V1 documents (describe-auto-ml-job) keep the volume key one level down.
AUTOML_V1 = ["AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId", "OutputDataConfig.KmsKeyId", "InputDataConfig"]


def output_shape(model, operation):
    return model["operations"][operation]["output"]["shape"]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_field_a_kind_parser_reads_exists(model, kind):
    _, _, describe, fields = KINDS[kind]
    for path in fields:
        member(model, output_shape(model, describe), path)


def test_automl_v1_documents_have_the_fields_read_from_them(model):
    for path in AUTOML_V1:
        member(model, output_shape(model, "DescribeAutoMLJob"), path)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_create_operations_take_the_keys_read_from_their_requests(model, kind):
    """A Step Functions task (or a pipeline step) sends a Create request; the kind's parser
    reads its keys at the describe response's paths, so the request must have them there."""
    creates = REGISTRY[kind]["creates"]
    if kind == "training_session":
        # CreateTrainingSession's request is not wrapped in TrainingSessionDetail as the
        # response is: src/kinds/training_session.rs reads it at the top level.
        assert creates == ["CreateTrainingSession"]
        member(model, model["operations"]["CreateTrainingSession"]["input"]["shape"],
               "OutputConfig.S3Location.KmsKeyArn")
        assert "TrainingSessionDetail" not in model["shapes"][
            model["operations"]["CreateTrainingSession"]["input"]["shape"]]["members"]
        return
    if not creates:
        # An endpoint: CreateEndpoint names a configuration and takes no key.
        assert kind == "endpoint"
        create = model["shapes"][model["operations"]["CreateEndpoint"]["input"]["shape"]]["members"]
        assert not [m for m in create if "Kms" in m or m.endswith(("Config", "Configs")) and m != "DeploymentConfig"]
        return
    inputs = [model["operations"][op]["input"]["shape"] for op in creates]
    paths = KINDS[kind][3] + (AUTOML_V1 if kind == "automl" else [])
    for path in (p for p in paths if p.endswith(("KmsKeyId", "KmsKey"))):
        found = []
        for shape in inputs:
            try:
                found.append(member(model, shape, path))
            except AssertionError:
                pass
        assert found, f"no Create request of {kind} has {path}"


def test_every_registered_kind_has_its_fields_checked_here():
    assert set(REGISTRY) == set(KINDS)
    for name, (list_op, summaries, describe, _) in KINDS.items():
        k = REGISTRY[name]
        assert (k["list"], k["summaries"], k["describe"]) == (list_op, summaries, describe), name


@pytest.mark.parametrize("kind", sorted(k for k in REGISTRY if not REGISTRY[k]["listed"]))
def test_a_kind_the_live_scan_cannot_list_is_listed_by_the_api(model, kind):
    """A kind is left out of live scans only because the AWS SDK for Rust lacks its calls
    (src/kinds/<kind>.rs, `unlisted`), not because AWS has none: botocore has both."""
    k = REGISTRY[kind]
    assert "AWS SDK for Rust" in k["unlisted"] and "aws-sdk-sagemaker" in k["unlisted"]
    assert {k["list"], k["describe"]} <= set(model["operations"]), kind


@pytest.mark.parametrize("kind", sorted(k for k in REGISTRY if REGISTRY[k]["listed"]))
def test_the_list_operations_page_and_filter_as_the_live_scan_uses_them(model, kind):
    k = REGISTRY[kind]
    request = model["shapes"][model["operations"][k["list"]]["input"]["shape"]]["members"]
    for name in ("NextToken", "MaxResults"):
        assert name in request, f"{k['list']} has no {name}"
    assert (CREATED_AFTER.get(kind, "CreationTimeAfter") in request) == (kind not in FILTERED_BY_THE_TOOL), k["list"]
    # A kind without statuses is one whose List call filters by none.
    assert (STATUS_MEMBER.get(kind, "StatusEquals") in request) == bool(k["statuses"]), k["list"]
    response = model["shapes"][output_shape(model, k["list"])]["members"]
    assert k["summaries"] in response and "NextToken" in response
    summary = model["shapes"][response[k["summaries"]]["shape"]]["member"]["shape"]
    members = set(model["shapes"][summary]["members"])
    if kind in ARN_WRITTEN_BY_THE_TOOL:
        # The summary names the parent; the parent's listing gives the ARN's other parts.
        parent = ARN_WRITTEN_BY_THE_TOOL[kind]
        assert k["arn_field"] not in members and {k["name_field"], parent} <= members, k["list"]
        if parent == "DomainId":
            parents = model["shapes"][output_shape(model, "ListDomains")]["members"]["Domains"]["shape"]
            assert "DomainArn" in model["shapes"][model["shapes"][parents]["member"]["shape"]]["members"]
    else:
        assert set(SUMMARY_FIELDS.get(kind, (k["name_field"], k["arn_field"]))) <= members, k["list"]
    if kind in FILTERED_BY_THE_TOOL:
        assert "CreationTime" in model["shapes"][summary]["members"], k["list"]


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_the_describe_operations_take_the_name_and_return_the_arn(model, kind):
    k = REGISTRY[kind]
    request = model["shapes"][model["operations"][k["describe"]]["input"]["shape"]]
    takes = k["arn_field"] if kind in DESCRIBED_BY_ARN else k["name_field"]
    assert takes in request["members"] and takes in request.get("required", [])
    response = model["shapes"][output_shape(model, k["describe"])]["members"]
    assert k["marker"] in response
    if kind in WRAPPED:
        response = model["shapes"][response[WRAPPED[kind]]["shape"]]["members"]
    assert {k["name_field"], k["arn_field"]} <= set(response)


def foreign_outputs(model, k):
    """Other Describe and Get outputs of the model that have the kind's marker at the top level
    (a reference to the kind's resource, or a field of the same name)."""
    return sorted(op for op in model["operations"]
                  if op.startswith(("Describe", "Get")) and op != k["describe"]
                  and "output" in model["operations"][op]
                  and k["marker"] in model["shapes"][output_shape(model, op)].get("members", {}))


def test_a_response_of_another_operation_is_never_read_as_the_kind(model, tmp_path):
    """A document is recognised by its kind's marker. Where another operation's output has that
    member too (DescribeInferenceComponent names its EndpointName and EndpointArn), a response
    of that operation, with every top-level member filled in and ARNs of the kind's form, must
    be read as the kind it declares (refers_to) or refused: never judged as a resource of the
    kind it only mentions."""
    import subprocess
    from test_tables import BIN
    by_describe = {k["describe"]: name for name, k in REGISTRY.items()}
    found = 0
    for name, k in REGISTRY.items():
        for op in foreign_outputs(model, k):
            if name == "automl" and op == "DescribeAutoMLJob":
                continue  # the same kind's older call
            found += 1
            shape = model["shapes"][output_shape(model, op)]
            doc = {}
            for member, spec in shape["members"].items():
                kind_of = model["shapes"][spec["shape"]]["type"]
                if member == k["marker"]:
                    doc[member] = "shared-name"
                elif kind_of == "string":
                    doc[member] = "x"
            # The kind's own ARN, well formed, where the other output has that member.
            if k["arn_field"] in doc:
                doc[k["arn_field"]] = f"arn:aws:sagemaker:us-east-1:111122223333:{k['arn_resource']}/shared-name"
            path = tmp_path / f"{op}.json"
            path.write_text(json.dumps(doc))
            r = subprocess.run([BIN, "scan", str(path), "--format", "json"], capture_output=True, text=True)
            report = json.loads(r.stdout)
            judged = {f["resource_type"] for f in report["findings"]}
            own = by_describe.get(op)
            if own:
                assert judged <= {REGISTRY[own]["resource_type"]}, (op, judged)
            else:
                assert judged == set() and report["errors"], f"{op} read as {name}: {judged}"
    assert found, "no shared markers: the test has nothing to check"


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_a_response_kept_by_the_cache_is_final_in_the_model(model, kind):
    """`--cache` keeps a describe response only when it can no longer change: its status is one
    of the model's values for that field and not one a resource leaves (InProgress, Stopping,
    Deleting...), or the API has no Update call for the kind at all."""
    k = REGISTRY[kind]
    settled = k["settled"]
    noun = k["describe"].removeprefix("Describe")
    updates = {op for op in model["operations"] if op.startswith("Update") and op.removeprefix("Update") in
               (noun, noun.removesuffix("V2"))}
    if settled == "always":
        assert not updates, f"src/kinds/{kind}.rs says the API cannot change it, but it has {updates}"
    elif isinstance(settled, dict):
        members = model["shapes"][output_shape(model, k["describe"])]["members"]
        enum = model["shapes"][members[settled["field"]]["shape"]]["enum"]
        assert set(settled["values"]) <= set(enum), kind
        moving = {"InProgress", "Stopping", "Deleting", "DeleteFailed", "INPROGRESS", "STARTING", "STOPPING"}
        assert not set(settled["values"]) & moving, kind


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_status_names_are_the_models(model, kind):
    k = REGISTRY[kind]
    request = model["shapes"][model["operations"][k["list"]]["input"]["shape"]]["members"]
    status = STATUS_MEMBER.get(kind, "StatusEquals")
    if status not in request:
        assert k["statuses"] == [], f"src/kinds/{kind}.rs lists statuses {k['list']} cannot filter by"
        return
    enum = model["shapes"][request[status]["shape"]]["enum"]
    assert sorted(k["statuses"]) == sorted(enum), f"src/kinds/{kind}.rs statuses differ from {k['list']}"


def test_no_volume_key_with_local_storage_is_documented_for_every_volume_field(model):
    shapes = model["shapes"]
    for shape in ("ResourceConfig", "ProcessingClusterConfig", "TransformResources",
                  "HyperParameterTuningResourceConfig"):
        doc = shapes[shape]["members"]["VolumeKmsKeyId"]["documentation"]
        assert "local storage" in doc, shape
    # An endpoint configuration's volume key does not encrypt local storage (src/rules/volume.rs).
    doc = shapes["CreateEndpointConfigInput"]["members"]["KmsKeyId"]["documentation"]
    assert "does not encrypt instance local storage" in doc


def test_labeling_volumes_exist_only_with_automated_labeling_and_name_no_instance_type(model):
    # Why a labeling job without LabelingJobAlgorithmsConfig has no volume to judge, why no
    # local-storage exception is made, and what the output check says AWS does without a key
    # (src/kinds/labeling.rs).
    shapes = model["shapes"]
    assert "must be supplied in order to use auto-labeling" in shapes["LabelingJobAlgorithmsConfig"]["documentation"]
    volume = shapes["LabelingJobResourceConfig"]["members"]["VolumeKmsKeyId"]["documentation"]
    assert "automated data labeling" in volume
    assert "console" in volume  # the console cannot set it: the remediation says so
    assert not [m for m in shapes["LabelingJobResourceConfig"]["members"] if "Instance" in m]
    assert not [m for m in shapes["LabelingJobAlgorithmsConfig"]["members"] if "Instance" in m]
    output = shapes["LabelingJobOutputConfig"]["members"]["KmsKeyId"]["documentation"]
    assert "default Amazon Web Services KMS key for Amazon S3" in output


def test_edge_packaging_volumes_name_no_instance_type_and_outputs_default_to_the_s3_key(model):
    # Why edge-packaging-volume-cmk makes no local-storage exception, and what the output
    # check says AWS does without a key (src/kinds/edge_packaging.rs).
    shapes = model["shapes"]
    for op, io in (("CreateEdgePackagingJob", "input"), ("DescribeEdgePackagingJob", "output")):
        members = shapes[model["operations"][op][io]["shape"]]["members"]
        assert "EBS volume" in members["ResourceKey"]["documentation"], op
        assert not [m for m in members if "Instance" in m], op
    assert "default KMS key for Amazon S3" in shapes["EdgeOutputConfig"]["members"]["KmsKeyId"]["documentation"]


def test_model_package_validation_profiles_are_transform_jobs(model):
    # Why a validation profile's keys are judged as a batch transform job's, with its
    # local-storage exception (src/kinds/model_package.rs), and why listing asks for both kinds
    # of package.
    shapes = model["shapes"]
    profile = shapes["ModelPackageValidationProfile"]["members"]
    assert profile["TransformJobDefinition"]["shape"] == "TransformJobDefinition"
    definition = shapes["TransformJobDefinition"]["members"]
    assert definition["TransformResources"]["shape"] == "TransformResources"
    assert definition["TransformOutput"]["shape"] == "TransformOutput"
    request = shapes[model["operations"]["ListModelPackages"]["input"]["shape"]]["members"]
    doc = request["ModelPackageType"]["documentation"]
    assert "UNVERSIONED" in doc and "default" in doc and "BOTH" in doc
    assert "ModelPackageGroupName" in shapes["ModelPackageSummary"]["members"]
    assert "ModelPackageVersion" in shapes["ModelPackageSummary"]["members"]
    # An algorithm's profiles run a training job (required) and maybe a transform job
    # (src/kinds/algorithm.rs), shaped as those jobs' definitions; nothing updates an algorithm.
    algorithm = shapes["AlgorithmValidationProfile"]
    assert "TrainingJobDefinition" in algorithm["required"]
    assert "TransformJobDefinition" not in algorithm["required"]
    assert shapes["TrainingJobDefinition"]["members"]["ResourceConfig"]["shape"] == "ResourceConfig"
    assert shapes["TrainingJobDefinition"]["members"]["OutputDataConfig"]["shape"] == "OutputDataConfig"
    assert not [op for op in model["operations"] if op.startswith("Update") and "Algorithm" in op]
    # No update can add the key later: the remediation registers a new version.
    update = shapes[model["operations"]["UpdateModelPackage"]["input"]["shape"]]["members"]
    assert "SecurityConfig" not in update


def test_an_mlflow_app_key_cannot_be_changed_and_is_absent_without_one(model):
    # What src/kinds/mlflow_app.rs says: the key protects the app's data at rest, an app without
    # one is not under a customer-managed key, and no update sets it.
    shapes = model["shapes"]
    members = shapes[output_shape(model, "DescribeMlflowApp")]["members"]
    doc = members["KmsKeyId"]["documentation"]
    assert "data at rest associated with the MLflow App" in doc and "absent" in doc
    update = shapes[model["operations"]["UpdateMlflowApp"]["input"]["shape"]]["members"]
    assert "KmsKeyId" not in update and "KmsKeyId" in shapes[model["operations"]["CreateMlflowApp"]["input"]["shape"]]["members"]


def test_a_partner_app_defaults_to_an_aws_managed_key_that_no_update_changes(model):
    # What src/kinds/partner_app.rs says AWS does without a key, and why the fix is a new app.
    shapes = model["shapes"]
    create = shapes[model["operations"]["CreatePartnerApp"]["input"]["shape"]]["members"]
    assert "managed key by default" in create["KmsKeyId"]["documentation"]
    assert "KmsKeyId" not in shapes[model["operations"]["UpdatePartnerApp"]["input"]["shape"]]["members"]
    assert shapes["PartnerAppArn"]["pattern"].endswith("partner-app\\/app-[A-Z0-9]{12}")


def test_a_recommendation_job_response_has_the_volume_key_and_not_the_compiled_model_key(model):
    # src/kinds/inference_recommendations.rs: the request's OutputConfig (the compiled model's
    # key) is not returned, the volume key goes to hosting, and serverless configurations name
    # no instance type.
    shapes = model["shapes"]
    response = shapes[model["operations"]["DescribeInferenceRecommendationsJob"]["output"]["shape"]]["members"]
    request = shapes[model["operations"]["CreateInferenceRecommendationsJob"]["input"]["shape"]]["members"]
    assert "OutputConfig" in request and "OutputConfig" not in response
    assert "KmsKeyId" in shapes[request["OutputConfig"]["shape"]]["members"]
    volume = shapes["RecommendationJobInputConfig"]["members"]["VolumeKmsKeyId"]["documentation"]
    assert "SageMaker Hosting for endpoint creation" in volume
    endpoint = shapes["EndpointInputConfiguration"]["members"]
    assert {"InstanceType", "ServerlessConfig"} <= set(endpoint)
    assert "JobType" in response and "JobCategory" not in response
    assert "JobCategory" in shapes[model["operations"]["DescribeJob"]["output"]["shape"]]["members"]


def test_compilation_jobs_have_no_volume_key_and_default_to_the_s3_key(model):
    # Why the compilation kind has an output slot only, and what its message says AWS does
    # without a key.
    shapes = model["shapes"]

    def names(shape, seen):
        if shape in seen:
            return set()
        seen.add(shape)
        s = shapes[shape]
        found = set(s.get("members", {}))
        for m in s.get("members", {}).values():
            found |= names(m["shape"], seen)
        if "member" in s:
            found |= names(s["member"]["shape"], seen)
        return found

    for op, io in (("CreateCompilationJob", "input"), ("DescribeCompilationJob", "output")):
        keys = {n for n in names(model["operations"][op][io]["shape"], set()) if "Kms" in n}
        assert keys == {"KmsKeyId"}, (op, keys)
    doc = shapes["OutputConfig"]["members"]["KmsKeyId"]["documentation"]
    assert "default KMS key for Amazon S3" in doc
    # The same for optimization jobs (src/kinds/optimization.rs), whose key documentation
    # names no default: the message says the bucket's default encryption applies.
    for op, io in (("CreateOptimizationJob", "input"), ("DescribeOptimizationJob", "output")):
        keys = {n for n in names(model["operations"][op][io]["shape"], set()) if "Kms" in n}
        assert keys == {"KmsKeyId"}, (op, keys)
    doc = shapes["OptimizationJobOutputConfig"]["members"]["KmsKeyId"]["documentation"]
    assert "artifacts of the optimized model" in doc and "default" not in doc
    # And for human review flow definitions (src/kinds/flow_definition.rs), which nothing
    # changes after creation.
    for op, io in (("CreateFlowDefinition", "input"), ("DescribeFlowDefinition", "output")):
        keys = {n for n in names(model["operations"][op][io]["shape"], set()) if "Kms" in n}
        assert keys == {"KmsKeyId"}, (op, keys)
    assert "default" not in shapes["FlowDefinitionOutputConfig"]["members"]["KmsKeyId"]["documentation"]
    assert not [op for op in model["operations"] if op.startswith("Update") and "FlowDefinition" in op]


def test_the_processing_output_key_covers_every_output(model):
    doc = model["shapes"]["ProcessingOutputConfig"]["members"]["KmsKeyId"]["documentation"]
    assert "applied to all outputs" in doc


def conforms(model, shape_name, value, path="$"):
    """Problems found checking `value` against the model's shape (unknown members, wrong
    types, unknown enum values), as messages."""
    shape = model["shapes"][shape_name]
    kind = shape["type"]
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected an object"]
        problems = []
        for name, v in value.items():
            if name not in shape["members"]:
                problems.append(f"{path}.{name}: not in {shape_name}")
            elif v is not None:
                problems += conforms(model, shape["members"][name]["shape"], v, f"{path}.{name}")
        return problems
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        return [p for i, v in enumerate(value) for p in conforms(model, shape["member"]["shape"], v, f"{path}[{i}]")]
    if kind == "map":
        return [] if isinstance(value, dict) else [f"{path}: expected a map"]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string"]
        if "enum" in shape and value not in shape["enum"]:
            return [f"{path}: {value!r} is not one of {shape_name}"]
        return []
    if kind == "timestamp":
        return [] if isinstance(value, (str, int, float)) else [f"{path}: expected a timestamp"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected a boolean"]
    if kind in ("integer", "long", "float", "double"):
        return [] if isinstance(value, (int, float)) and not isinstance(value, bool) else [f"{path}: expected a number"]
    return []


MARKERS = {
    "TrainingJobName": "DescribeTrainingJob",
    "ProcessingJobName": "DescribeProcessingJob",
    "TransformJobName": "DescribeTransformJob",
    "HyperParameterTuningJobName": "DescribeHyperParameterTuningJob",
    # An edge packaging job names its compilation job: its own marker goes first.
    "EdgePackagingJobName": "DescribeEdgePackagingJob",
    "CompilationJobName": "DescribeCompilationJob",
    "JobCategory": "DescribeJob",
    # A monitoring schedule names its endpoint: its own marker goes first.
    "MonitoringScheduleConfig": "DescribeMonitoringSchedule",
    # An endpoint names its configuration: its own marker goes first.
    "EndpointName": "DescribeEndpoint",
    "EndpointConfigName": "DescribeEndpointConfig",
    "NotebookInstanceName": "DescribeNotebookInstance",
    "DomainArn": "DescribeDomain",
    # A profile names its domain by DomainId: its own marker.
    "UserProfileArn": "DescribeUserProfile",
    "FeatureGroupName": "DescribeFeatureGroup",
    "EndpointMetadata": "DescribeInferenceExperiment",
    "ModelCardArn": "DescribeModelCard",
    "DataQualityAppSpecification": "DescribeDataQualityJobDefinition",
    "ModelQualityAppSpecification": "DescribeModelQualityJobDefinition",
    "ModelBiasAppSpecification": "DescribeModelBiasJobDefinition",
    "ModelExplainabilityAppSpecification": "DescribeModelExplainabilityJobDefinition",
    "InstanceGroups": "DescribeCluster",
    "LabelingJobName": "DescribeLabelingJob",
    "OptimizationJobName": "DescribeOptimizationJob",
    "FlowDefinitionName": "DescribeFlowDefinition",
    "DeviceFleetName": "DescribeDeviceFleet",
    "ModelPackageName": "DescribeModelPackage",
    "AlgorithmName": "DescribeAlgorithm",
    "ArtifactStoreUri": "DescribeMlflowApp",
    "AuthType": "DescribePartnerApp",
    "TrainingSessionDetail": "DescribeTrainingSession",
    "JobType": "DescribeInferenceRecommendationsJob",
    "InferenceRouterName": "DescribeInferenceRouter",
}


def describe_operation(doc):
    if "AutoMLJobName" in doc:
        # V2 responses carry AutoMLJobInputDataConfig, V1 ones InputDataConfig.
        return "DescribeAutoMLJobV2" if "AutoMLJobInputDataConfig" in doc else "DescribeAutoMLJob"
    return next((op for marker, op in MARKERS.items() if marker in doc), None)


def sample_documents():
    for path in sorted((REPO / "samples").rglob("*.json*")):
        if path.parent.name == "kms":
            continue
        text = path.read_text(encoding="utf-8-sig")
        docs = [json.loads(l) for l in text.splitlines() if l.strip()] if path.suffix == ".jsonl" else json.loads(text)
        for doc in docs if isinstance(docs, list) else [docs]:
            if describe_operation(doc):
                yield pytest.param(doc, id=f"{path.relative_to(REPO)}:{doc.get('TrainingJobName') or doc.get('TrainingSessionDetail', {}).get('TrainingSessionName') or next(v for k, v in doc.items() if k.endswith(('JobName', 'ConfigName', 'InstanceName', 'EndpointName', 'UserProfileName', 'FeatureGroupName', 'ModelCardName', 'DefinitionName', 'DomainId', 'ClusterName', 'ScheduleName', 'FleetName', 'PackageName', 'AlgorithmName', 'RouterName')) or k == 'Name')}")


@pytest.mark.parametrize("doc", list(sample_documents()))
def test_every_sample_is_shaped_like_the_api_response(model, doc):
    operation = describe_operation(doc)
    assert conforms(model, output_shape(model, operation), doc) == []


def test_the_samples_cover_every_kind():
    ops = {describe_operation(p.values[0]) for p in sample_documents()}
    assert {"DescribeTrainingJob", "DescribeProcessingJob", "DescribeTransformJob",
            "DescribeHyperParameterTuningJob", "DescribeAutoMLJobV2", "DescribeAutoMLJob",
            "DescribeCompilationJob", "DescribeJob", "DescribeEndpointConfig", "DescribeEndpoint", "DescribeNotebookInstance",
            "DescribeDomain", "DescribeUserProfile", "DescribeFeatureGroup", "DescribeInferenceExperiment",
            "DescribeModelCard", "DescribeDataQualityJobDefinition", "DescribeModelQualityJobDefinition",
            "DescribeModelBiasJobDefinition", "DescribeModelExplainabilityJobDefinition", "DescribeCluster",
            "DescribeMonitoringSchedule", "DescribeLabelingJob",
            "DescribeOptimizationJob", "DescribeFlowDefinition", "DescribeEdgePackagingJob",
            "DescribeDeviceFleet", "DescribeModelPackage", "DescribeAlgorithm", "DescribeMlflowApp",
            "DescribePartnerApp", "DescribeTrainingSession", "DescribeInferenceRecommendationsJob",
            "DescribeInferenceRouter"} <= ops


def test_the_shape_check_notices_a_wrong_sample(model):
    shape = output_shape(model, "DescribeProcessingJob")
    assert conforms(model, shape, {"ProcessingJobNmae": "x"})
    assert conforms(model, shape, {"ProcessingJobStatus": "Done"})
    assert conforms(model, shape, {"ProcessingResources": {"ClusterConfig": {"InstanceCount": "2"}}})


def test_customization_jobs_are_listed_in_every_category_the_model_has(model):
    """ListJobs and DescribeJob require a JobCategory: the live scan walks the categories
    src/kinds/customization.rs lists, which must be botocore's enum."""
    import re
    source = (REPO / "src" / "kinds" / "customization.rs").read_text()
    block = re.search(r"const CATEGORIES: &\[&str\] = &\[(.*?)\];", source, re.S).group(1)
    assert re.findall(r'"([^"]+)"', block) == model["shapes"]["JobCategory"]["enum"]
    for op in ("ListJobs", "DescribeJob"):
        shape = model["shapes"][model["operations"][op]["input"]["shape"]]
        assert "JobCategory" in shape.get("required", []), op
