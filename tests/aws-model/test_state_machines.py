"""Step Functions samples against AWS's own models: every SageMaker task's request is shaped like
the Create operation it calls (botocore's SageMaker model), the call is one the tool's registry
maps to a kind, and the templates pass cfn-lint (AWS's CloudFormation linter)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from test_kinds import REGISTRY, conforms
from test_tables import REPO, model  # noqa: F401  (model is a fixture)

SAMPLES = REPO / "samples" / "state-machines"


def tasks(states):
    """Every Task state, also inside Parallel branches and Map item processors."""
    for name, state in states.items():
        if state.get("Type") == "Task":
            yield name, state
        for branch in state.get("Branches", []):
            yield from tasks(branch["States"])
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if processor:
            yield from tasks(processor["States"])


def request(state):
    """The request a task sends, with what only the execution knows as a plain string."""
    body = state.get("Arguments") or state.get("Parameters") or {}

    def plain(value):
        if isinstance(value, dict):
            return {k.removesuffix(".$"): ("placeholder" if k.endswith(".$") else plain(v))
                    for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value
    return plain(body)


def definitions():
    for f in sorted(SAMPLES.glob("*.asl.json")):
        yield f.name, json.loads(f.read_text())

    class Loader(yaml.SafeLoader):
        pass
    Loader.add_multi_constructor("!", lambda loader, suffix, node: {suffix: loader.construct_scalar(node)
                                 if isinstance(node, yaml.ScalarNode) else None})
    template = yaml.load((SAMPLES / "scoring-state-machine.yaml").read_text(), Loader=Loader)
    definition = template["Resources"]["ScoringStateMachine"]["Properties"]["Definition"]
    yield "scoring-state-machine.yaml", definition
    cdk = json.loads((SAMPLES / "cdk-retrain.template.json").read_text())
    for name, r in cdk["Resources"].items():
        if r["Type"] == "AWS::StepFunctions::StateMachine":
            sep, parts = r["Properties"]["DefinitionString"]["Fn::Join"]
            text = sep.join(p if isinstance(p, str) else "aws" if p.get("Ref") == "AWS::Partition"
                            else "placeholder" for p in parts)
            yield f"cdk-retrain.template.json {name}", json.loads(text)


DEFINITIONS = list(definitions())
CREATES = {op[0].lower() + op[1:]: op for k in REGISTRY.values() for op in k["creates"]}


@pytest.mark.parametrize("name,definition", DEFINITIONS, ids=[d[0] for d in DEFINITIONS])
def test_every_sagemaker_task_sends_its_create_request(model, name, definition):
    judged = 0
    for state_name, state in tasks(definition["States"]):
        m = re.search(r":states:::(?:aws-sdk:)?sagemaker:([A-Za-z0-9]+)", state.get("Resource", ""))
        if not m or m.group(1) not in CREATES:
            continue
        judged += 1
        operation = CREATES[m.group(1)]
        shape = model["operations"][operation]["input"]["shape"]
        body = request(state)
        # JSONata expressions stand for any value; only names are checked for them.
        body = json.loads(re.sub(r'"\{%[^"]*%\}"', '"placeholder"', json.dumps(body)))
        assert conforms(model, shape, body, f"{state_name}") == [], (name, state_name)
    assert judged, name


def test_the_shape_check_notices_a_wrong_request(model):
    shape = model["operations"]["CreateTrainingJob"]["input"]["shape"]
    assert conforms(model, shape, request({"Parameters": {"ResourceConfig": {"VolumeKmsKey.$": "$.k"}}}), "A")


def test_the_state_machine_templates_pass_cfn_lint():
    templates = [SAMPLES / "scoring-state-machine.yaml", SAMPLES / "cdk-retrain.template.json"]
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    r = subprocess.run([str(cfn_lint), *map(str, templates)], capture_output=True, text=True)
    # A bit mask: 2 errors, 4 warnings (CDK's own output carries a DependsOn warning), 8 notes.
    assert r.returncode & 2 == 0, r.stdout + r.stderr
