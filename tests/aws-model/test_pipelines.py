"""Pipeline definitions against AWS's own models: every job step's Arguments in the samples is
shaped like the request of the Create call its step type stands for (botocore's SageMaker
model), the field paths the pipeline reader takes keys from exist in those requests, the
describe-pipeline sample is shaped like DescribePipeline's response, and the sample
CloudFormation templates pass cfn-lint."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from test_kinds import output_shape
from test_tables import REPO, member, model  # noqa: F401  (model is a fixture)

SAMPLES = REPO / "samples" / "pipelines"

# Step type -> the Create call whose request its Arguments are (as src/pipeline/mod.rs reads them).
STEP_CALLS = {
    "Training": "CreateTrainingJob",
    "Processing": "CreateProcessingJob",
    "QualityCheck": "CreateProcessingJob",
    "ClarifyCheck": "CreateProcessingJob",
    "Transform": "CreateTransformJob",
    "Tuning": "CreateHyperParameterTuningJob",
    "AutoML": "CreateAutoMLJob",
}

# Where each step type's keys sit in its Arguments.
KEY_FIELDS = {
    "CreateTrainingJob": ["ResourceConfig.VolumeKmsKeyId", "ResourceConfig.InstanceType",
                          "OutputDataConfig.KmsKeyId", "OutputDataConfig.S3OutputPath"],
    "CreateProcessingJob": ["ProcessingResources.ClusterConfig.VolumeKmsKeyId",
                            "ProcessingResources.ClusterConfig.InstanceType",
                            "ProcessingOutputConfig.KmsKeyId",
                            "ProcessingOutputConfig.Outputs[].S3Output.S3Uri"],
    "CreateTransformJob": ["TransformResources.VolumeKmsKeyId", "TransformResources.InstanceType",
                           "TransformOutput.KmsKeyId", "DataCaptureConfig.KmsKeyId"],
    "CreateHyperParameterTuningJob": ["TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId",
                                      "TrainingJobDefinitions[].HyperParameterTuningResourceConfig.VolumeKmsKeyId",
                                      "TrainingJobDefinitions[].OutputDataConfig.KmsKeyId"],
    "CreateAutoMLJob": ["AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId", "OutputDataConfig.KmsKeyId"],
}

EXPRESSIONS = ("Get", "Std:Join", "Std:JsonGet")


def is_expression(value):
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in EXPRESSIONS


def conforms(model, shape_name, value, path):
    """Problems checking a step's Arguments against a request shape; an expression stands for
    any scalar."""
    shape = model["shapes"][shape_name]
    kind = shape["type"]
    if is_expression(value) and kind not in ("structure", "list", "map"):
        return []
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected an object"]
        return [p for name, v in value.items()
                for p in ([f"{path}.{name}: not in {shape_name}"] if name not in shape["members"]
                          else conforms(model, shape["members"][name]["shape"], v, f"{path}.{name}"))]
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        return [p for i, v in enumerate(value) for p in conforms(model, shape["member"]["shape"], v, f"{path}[{i}]")]
    if kind == "map":
        return [] if isinstance(value, dict) else [f"{path}: expected a map"]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string"]
        return [f"{path}: {value!r} is not one of {shape_name}"] if "enum" in shape and value not in shape["enum"] else []
    if kind in ("integer", "long", "float", "double"):
        return [] if isinstance(value, (int, float)) and not isinstance(value, bool) else [f"{path}: expected a number"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected a boolean"]
    return []


def steps(definition):
    for step in definition.get("Steps", []):
        yield step
        args = step.get("Arguments", {})
        if step.get("Type") == "Condition":
            yield from steps({"Steps": args.get("IfSteps", []) + args.get("ElseSteps", [])})
        if step.get("Type") == "ForEach":
            yield from steps({"Steps": args.get("ForEachBody", [])})


def sample_definitions():
    """(name, definition) of every definition in the samples, whatever holds it."""
    yield "churn-pipeline.json", json.loads((SAMPLES / "churn-pipeline.json").read_text())
    yield "per-region-foreach.json", json.loads((SAMPLES / "per-region-foreach.json").read_text())
    describe = json.loads((SAMPLES / "describe-pipeline-nightly-features.json").read_text())
    yield "describe-pipeline", json.loads(describe["PipelineDefinition"])
    plan = json.loads((SAMPLES / "terraform" / "plan.json").read_text())
    for module in plan["planned_values"]["root_module"].get("child_modules", []):
        for r in module["resources"]:
            if r["type"] == "aws_sagemaker_pipeline":
                yield r["address"], json.loads(r["values"]["pipeline_definition"])

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: {suffix: loader.construct_scalar(node)
                                 if isinstance(node, yaml.ScalarNode) else None})
    template = yaml.load((SAMPLES / "cloudformation" / "scoring-pipeline.yaml").read_text(), Loader=Loader)
    for name, r in template["Resources"].items():
        body = r["Properties"]["PipelineDefinition"].get("PipelineDefinitionBody")
        if body is not None:
            text = body["Sub"] if isinstance(body, dict) else body
            # Parameters and pseudo parameters stand in as strings of their own.
            yield name, json.loads(re.sub(r"\$\{[^}]*\}", "placeholder", text))


DEFINITIONS = list(sample_definitions())


@pytest.mark.parametrize("name,definition", DEFINITIONS, ids=[d[0] for d in DEFINITIONS])
def test_every_job_step_is_shaped_like_its_create_request(model, name, definition):
    job_steps = [s for s in steps(definition) if s["Type"] in STEP_CALLS]
    assert job_steps, name
    for step in job_steps:
        call = STEP_CALLS[step["Type"]]
        shape = model["operations"][call]["input"]["shape"]
        assert conforms(model, shape, step["Arguments"], f"{step['Name']}.Arguments") == []


def test_the_shape_check_notices_a_wrong_step(model):
    shape = model["operations"]["CreateTrainingJob"]["input"]["shape"]
    assert conforms(model, shape, {"ResourceConfig": {"VolumeKmsKey": "x"}}, "A")
    assert conforms(model, shape, {"ResourceConfig": {"InstanceCount": "one"}}, "A")
    assert not conforms(model, shape, {"ResourceConfig": {"InstanceCount": {"Get": "Parameters.N"}}}, "A")


@pytest.mark.parametrize("call", sorted(KEY_FIELDS))
def test_the_fields_keys_are_read_from_exist_in_the_create_requests(model, call):
    for path in KEY_FIELDS[call]:
        member(model, model["operations"][call]["input"]["shape"], path)


def test_the_describe_pipeline_sample_is_shaped_like_the_response(model):
    from test_kinds import conforms as response_conforms
    doc = json.loads((SAMPLES / "describe-pipeline-nightly-features.json").read_text())
    assert response_conforms(model, output_shape(model, "DescribePipeline"), doc) == []


def test_pipelines_are_listed_by_creation_time_and_have_no_status_filter(model):
    request = model["shapes"][model["operations"]["ListPipelines"]["input"]["shape"]]["members"]
    assert {"NextToken", "MaxResults", "CreatedAfter"} <= set(request)
    assert "StatusEquals" not in request
    summaries = model["shapes"][output_shape(model, "ListPipelines")]["members"]
    assert "PipelineSummaries" in summaries


def test_the_sample_templates_pass_cfn_lint():
    templates = sorted((SAMPLES / "cloudformation").glob("*.yaml"))
    templates += sorted((SAMPLES / "cloudformation").glob("*.json"))
    assert len(templates) >= 2
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    r = subprocess.run([str(cfn_lint), *map(str, templates)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_cfn_lint_notices_a_broken_template(tmp_path):
    bad = tmp_path / "bad.yaml"
    text = (SAMPLES / "cloudformation" / "scoring-pipeline.yaml").read_text()
    bad.write_text(text.replace("PipelineName: batch-scoring", "PipelineNamez: batch-scoring"))
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    r = subprocess.run([str(cfn_lint), str(bad)], capture_output=True, text=True)
    assert r.returncode != 0 and "PipelineName" in r.stdout


def test_the_intrinsic_fuzz_seeds_are_templates_cloudformation_accepts():
    """The seeds with Fn::Sub parameters, Fn::If, Fn::Select, aliases, merge keys and
    Fn::ForEach are real templates: cfn-lint finds no error in them (its only warnings are that
    YAML aliases need `aws cloudformation package` or SAM, which is how the tool reads them)."""
    seeds = sorted((REPO / "tests" / "fixtures" / "fuzz").glob("template-intrinsics-*.yaml"))
    assert len(seeds) == 2
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    r = subprocess.run([str(cfn_lint), *map(str, seeds)], capture_output=True, text=True)
    # cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational.
    assert r.returncode & 2 == 0, r.stdout + r.stderr
    rules = [line.split()[0] for line in r.stdout.splitlines() if re.match(r"[EWI]\d{4} ", line)]
    assert rules and set(rules) == {"W1101"}, r.stdout
