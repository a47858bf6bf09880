"""AWS's own published model is the source of truth: the tables and field paths the tool
keeps are checked against botocore's SageMaker service model and endpoint data (installed with
the AWS CLI in the test virtualenv). When AWS adds an instance family or a region, these tests
fail until the tables say what the new entry is."""

import gzip
import json
import os
import tomllib
from pathlib import Path

import botocore
import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = Path(botocore.__file__).parent / "data"
BIN = os.environ.get("SAGEMAKER_AUDIT_BIN") or str(
    Path(os.environ.get("CARGO_TARGET_DIR", Path.home() / ".cache/sagemaker-audit/target")) / "debug" / "sagemaker-audit")


def catalogue(*flags):
    """What the built tool says it covers (`sagemaker-audit kinds`), derived from its registry of
    kinds: `--json` gives the kinds, `--iam-policy` the policy."""
    import subprocess
    out = subprocess.run([BIN, "kinds", *flags], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


@pytest.fixture(scope="module")
def model():
    path = DATA / "sagemaker" / "2017-07-24" / "service-2.json.gz"
    with gzip.open(path) as f:
        return json.load(f)


def families(toml_name):
    table = tomllib.loads((REPO / "data" / toml_name).read_text())
    names = [f["name"] for f in table["family"]]
    assert len(names) == len(set(names)), f"{toml_name} lists a family twice"
    return set(names)


def family_of(instance_type):
    # ml.p4d.24xlarge -> p4d
    return instance_type.split(".")[1]


# The instance type enums of everything that runs on a volume: jobs, endpoint variants, notebooks.
INSTANCE_TYPE_ENUMS = ["TrainingInstanceType", "ProcessingInstanceType", "TransformInstanceType",
                       "ProductionVariantInstanceType", "InstanceType"]


@pytest.mark.parametrize("enum", INSTANCE_TYPE_ENUMS)
def test_every_instance_family_in_the_model_is_classified(model, enum):
    nvme = families("local-nvme-families.toml")
    ebs = families("ebs-only-families.toml")
    assert not nvme & ebs, f"in both tables: {sorted(nvme & ebs)}"
    in_model = {family_of(t) for t in model["shapes"][enum]["enum"]}
    unknown = sorted(in_model - nvme - ebs)
    assert not unknown, (
        f"{enum} has families in neither data/local-nvme-families.toml nor "
        f"data/ebs-only-families.toml: {unknown}; look up their instance store in the EC2 "
        f"instance type tables and add each to one of them, with its source")


def test_the_nvme_table_names_only_families_sagemaker_offers(model):
    offered = {family_of(t) for enum in INSTANCE_TYPE_ENUMS for t in model["shapes"][enum]["enum"]}
    stale = sorted(families("local-nvme-families.toml") - offered)
    assert not stale, f"not in botocore's instance type enums: {stale}"


def sagemaker_regions_in_botocore():
    endpoints = json.loads((DATA / "endpoints.json").read_text())
    aws = next(p for p in endpoints["partitions"] if p["partition"] == "aws")
    return {r for r in aws["services"]["api.sagemaker"]["endpoints"] if "fips" not in r}


def our_regions():
    lines = (REPO / "data" / "sagemaker-regions.txt").read_text().splitlines()
    return {l.strip() for l in lines if l.strip() and not l.startswith("#")}


def test_all_regions_lists_every_sagemaker_region_of_the_aws_partition():
    theirs, ours = sagemaker_regions_in_botocore(), our_regions()
    assert not theirs - ours, f"missing from data/sagemaker-regions.txt: {sorted(theirs - ours)}"
    assert not ours - theirs, f"not SageMaker regions in botocore: {sorted(ours - theirs)}"
    assert {"ap-east-2", "ap-southeast-6"} <= ours


def member(model, shape, path):
    """The shape a dotted member path (with [] for list elements) leads to, or fail."""
    for part in path.split("."):
        many = part.endswith("[]")
        name = part.removesuffix("[]")
        members = model["shapes"][shape].get("members", {})
        assert name in members, f"{shape} has no member {name}"
        shape = members[name]["shape"]
        if many:
            assert model["shapes"][shape]["type"] == "list", f"{name} is not a list"
            shape = model["shapes"][shape]["member"]["shape"]
    return shape


# Every field src/ingest/document.rs reads from a describe-training-job response.
READ_FIELDS = [
    "TrainingJobName", "TrainingJobArn", "TrainingJobStatus", "CreationTime", "LastModifiedTime",
    "ResourceConfig.InstanceType", "ResourceConfig.InstanceGroups[].InstanceType",
    "ResourceConfig.SelectedInstanceType", "ResourceConfig.InstancePreferences[].InstanceType",
    "ResourceConfig.VolumeKmsKeyId", "OutputDataConfig.KmsKeyId", "OutputDataConfig.S3OutputPath",
    "ServerlessJobConfig", "AlgorithmSpecification", "StoppingCondition", "ModelArtifacts",
    "RoleArn", "SecondaryStatus",
]


@pytest.mark.parametrize("path", READ_FIELDS)
def test_every_field_the_parser_reads_exists_in_the_model(model, path):
    member(model, "DescribeTrainingJobResponse", path)


def test_selected_instance_type_lives_inside_resource_config(model):
    assert "SelectedInstanceType" not in model["shapes"]["DescribeTrainingJobResponse"]["members"]


def test_the_verdicts_rest_on_what_the_model_documents(model):
    shapes = model["shapes"]
    volume = shapes["ResourceConfig"]["members"]["VolumeKmsKeyId"]["documentation"]
    assert "can't request a <code>VolumeKmsKeyId</code> when using an instance type with local storage" in volume
    output = shapes["OutputDataConfig"]["members"]["KmsKeyId"]["documentation"]
    assert "Express One Zone" in output and "SSE-S3" in output
    size = shapes["ResourceConfig"]["members"]["VolumeSizeInGB"]["documentation"]
    assert "serverless training jobs" in size
    # ResourceConfig is optional in a describe response (serverless jobs).
    assert "ResourceConfig" not in shapes["DescribeTrainingJobResponse"].get("required", [])
