"""The read-only role for organisation scans (docs/org-role.yaml): CloudFormation's linter accepts
it, and its actions are exactly the calls the tool makes (src/aws/fetch.rs, keys.rs), each an
operation of botocore's SageMaker model, and the same as the README's minimal policy."""

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

from test_tables import REPO, catalogue, model  # noqa: F401  (model is a fixture)

TEMPLATE = REPO / "docs" / "org-role.yaml"


class Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags read as plain values."""


def _tagged(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {suffix: value}


Loader.add_multi_constructor("!", _tagged)


def template_actions():
    doc = yaml.load(TEMPLATE.read_text(), Loader=Loader)
    statements = doc["Resources"]["AuditRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    actions = []
    for s in statements:
        assert s["Effect"] == "Allow"
        actions += s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
    return sorted(actions)


def called_operations():
    """The calls the tool makes, from its registry of kinds (`sagemaker-audit kinds`)."""
    kinds = catalogue("--json")
    # A kind a live scan cannot list (`listed` false) is read from saved responses only.
    ops = [f"sagemaker:{k[op]}" for k in kinds if k["listed"] for op in ("list", "describe")]
    policy = catalogue("--iam-policy")
    assert sorted(policy["Statement"][0]["Action"]) == sorted(ops + ["kms:DescribeKey"])
    return sorted(ops + ["kms:DescribeKey"])


def test_the_role_template_passes_cfn_lint():
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    r = subprocess.run([str(cfn_lint), str(TEMPLATE)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_role_grants_exactly_the_calls_the_tool_makes(model):  # noqa: F811
    actions = template_actions()
    assert actions == called_operations()
    operations = set(model["operations"])
    for action in actions:
        service, op = action.split(":")
        if service == "sagemaker":
            assert op in operations, f"{op} is no SageMaker operation"
        # Read-only: nothing that creates, changes or deletes.
        assert op.startswith(("List", "Describe")), action


def test_the_readme_policy_is_the_same():
    readme = (REPO / "README.md").read_text()
    block = re.search(r"Minimal IAM policy \(read-only[^)]*\):\n\n```json\n(.*?)```", readme, re.S).group(1)
    assert json.loads(block) == catalogue("--iam-policy")
    assert sorted(json.loads(block)["Statement"][0]["Action"]) == template_actions()


def test_the_trust_policy_names_only_the_audit_account():
    doc = yaml.load(TEMPLATE.read_text(), Loader=Loader)
    trust = doc["Resources"]["AuditRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert len(trust) == 1 and trust[0]["Action"] == "sts:AssumeRole"
    assert "${AuditAccountId}" in trust[0]["Principal"]["AWS"]["Sub"]
