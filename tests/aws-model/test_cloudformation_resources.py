"""Resources declared in CloudFormation templates (`AWS::SageMaker::EndpointConfig`, …): the kinds
that name a resource type read their keys at paths CloudFormation's own resource schema has (the
registry schemas cfn-lint ships), and the sample templates pass cfn-lint."""

import subprocess
import sys
from pathlib import Path

import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from test_kinds import KINDS
from test_tables import REPO, catalogue

DECLARED = {k["name"]: k["cloudformation"] for k in catalogue("--json") if k.get("cloudformation")}


def schema_member(schema, path):
    """The schema of a dotted path (`[]` steps into a list's items), following `$ref`s."""
    node = schema
    for step in path.replace("[]", ".[]").split("."):
        while "$ref" in node:
            node = schema["definitions"][node["$ref"].rsplit("/", 1)[-1]]
        if step == "[]":
            assert node.get("type") == "array" or "items" in node, f"{path}: {step} is not a list"
            node = node["items"]
            continue
        # A choice of shapes (`oneOf`, as AWS::SageMaker::Cluster's storage configurations):
        # the alternative that has the member.
        choices = [node, *node.get("oneOf", [])]
        owner = next((c for c in choices if step in c.get("properties", {})), None)
        assert owner is not None, f"{path}: no {step}"
        node = owner["properties"][step]
    return node


def test_some_kind_names_a_cloudformation_type():
    assert DECLARED == {"endpoint_config": ["AWS::SageMaker::EndpointConfig"],
                        "notebook": ["AWS::SageMaker::NotebookInstance"],
                        "domain": ["AWS::SageMaker::Domain"],
                        "user_profile": ["AWS::SageMaker::UserProfile"],
                        "feature_group": ["AWS::SageMaker::FeatureGroup"],
                        "inference_experiment": ["AWS::SageMaker::InferenceExperiment"],
                        "model_card": ["AWS::SageMaker::ModelCard"],
                        "data_quality_job_definition": ["AWS::SageMaker::DataQualityJobDefinition"],
                        "model_quality_job_definition": ["AWS::SageMaker::ModelQualityJobDefinition"],
                        "model_bias_job_definition": ["AWS::SageMaker::ModelBiasJobDefinition"],
                        "model_explainability_job_definition": ["AWS::SageMaker::ModelExplainabilityJobDefinition"],
                        "hyperpod_cluster": ["AWS::SageMaker::Cluster"],
                        "monitoring_schedule": ["AWS::SageMaker::MonitoringSchedule"],
                        "device_fleet": ["AWS::SageMaker::DeviceFleet"],
                        "model_package": ["AWS::SageMaker::ModelPackage"],
                        "partner_app": ["AWS::SageMaker::PartnerApp"],
                        "processing": ["AWS::SageMaker::ProcessingJob"]}


def key_properties(schema):
    """The names of the KMS key properties anywhere in a resource schema."""
    found = set()

    def walk(node):
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                if "Kms" in name or name == "ResourceKey":
                    found.add(name)
            for sub in node.values():
                walk(sub)
        elif isinstance(node, list):
            for sub in node:
                walk(sub)

    walk(schema)
    return found


def test_every_sagemaker_type_with_a_key_is_read_by_a_kind():
    declared = {t for types in DECLARED.values() for t in types}
    with_keys = {t for t in PROVIDER_SCHEMA_MANAGER.get_resource_types("us-east-1")
                 if t.startswith("AWS::SageMaker::")
                 and key_properties(PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", t).schema)}
    assert "AWS::SageMaker::ProcessingJob" in with_keys
    assert sorted(with_keys - declared) == []


# Keys a kind reads from describe output that its CloudFormation type cannot set (checked here
# to be absent from the schema, so a schema that gains one fails until it is read from there).
NOT_IN_CLOUDFORMATION = {
    # Read-only in the Describe response: the deprecated spelling of KmsKeyId.
    "HomeEfsFileSystemKmsKeyId",
    # AWS::SageMaker::Domain's UserSettings has no CanvasAppSettings: a template cannot set the
    # Canvas workspace key, so a domain declared there fails that finding until it is updated.
    "DefaultUserSettings.CanvasAppSettings.WorkspaceSettings.S3KmsKeyId",
    "DefaultUserSettings.CanvasAppSettings.WorkspaceSettings.S3ArtifactPath",
    # AWS::SageMaker::UserProfile's UserSettings has none either.
    "UserSettings.CanvasAppSettings.WorkspaceSettings.S3KmsKeyId",
    "UserSettings.CanvasAppSettings.WorkspaceSettings.S3ArtifactPath",
    # AWS::SageMaker::ProcessingJob (cfn-lint 1.58.0) has only InstanceType: no instance
    # preferences, and the type SageMaker selected from them is describe output only.
    "ProcessingResources.ClusterConfig.SelectedInstanceType",
    "ProcessingResources.ClusterConfig.InstancePreferences[].InstanceType",
}


@pytest.mark.parametrize("kind", sorted(DECLARED))
def test_the_keys_a_kind_reads_are_properties_of_its_cloudformation_types(kind):
    # The keys and what decides them (instance types, destinations, switches, variant names).
    paths = [p for p in KINDS[kind][3]
             if p.endswith(("KmsKeyId", "InstanceType", "DestinationS3Uri", "S3OutputPath", "S3FailurePath",
                            "EnableCapture", "VariantName", "NotebookOutputOption", "S3ArtifactPath",
                            "EnableOnlineStore", "S3Uri", "KmsKey", "Destination"))]
    assert paths
    for type_name in DECLARED[kind]:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", type_name).schema
        for path in paths:
            if path in NOT_IN_CLOUDFORMATION:
                with pytest.raises(AssertionError):
                    schema_member(schema, path)
                continue
            schema_member(schema, path)


def test_the_resource_templates_pass_cfn_lint():
    templates = sorted((REPO / "samples" / "cloudformation").glob("*.yaml"))
    assert templates
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    r = subprocess.run([str(cfn_lint), *map(str, templates)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
