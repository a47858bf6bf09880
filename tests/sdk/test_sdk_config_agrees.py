"""The SageMaker Python SDK 2 is the producer: it builds a pipeline definition under the sample
SDK config files, and the tool judges that definition and, with `--sdk-config`, the config files
themselves. For every key the SDK writes from configuration, the two verdicts agree: what the
tool says about the merged configuration is what the SDK puts into each job."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = os.environ.get("SAGEMAKER_AUDIT_BIN") or str(
    Path(os.environ.get("CARGO_TARGET_DIR", Path.home() / ".cache/sagemaker-audit/target")) / "debug" / "sagemaker-audit")
SAMPLES = REPO / "samples" / "sdk-config"
# Pipeline step → the SDK config section whose keys the SDK writes into it.
SECTIONS = {"sdk2-churn/Prepare": "SageMaker.ProcessingJob", "sdk2-churn/Train": "SageMaker.TrainingJob"}


def environment(tmp_path, admin, user):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAGEMAKER_", "XDG_", "AWS_"))}
    env.update({"HOME": str(tmp_path), "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1", "SAGEMAKER_SUPPRESS_V2_WARNING": "1",
                # Nothing may reach AWS: an endpoint that refuses connections.
                "AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
    if admin:
        env["SAGEMAKER_ADMIN_CONFIG_OVERRIDE"] = str(SAMPLES / admin)
    if user:
        env["SAGEMAKER_USER_CONFIG_OVERRIDE"] = str(SAMPLES / user)
    return env


def verdicts(report, names):
    """`(name, rule) -> (status, key)` of a report's findings on the given resource names."""
    return {(f["job_name"], f["rule_id"]): (f["status"], f["kms_key"])
            for f in report["findings"] if f["job_name"] in names}


def scan(args, env, out):
    run = subprocess.run([BIN, "scan", *args, "--out-dir", str(out), "--format", "json"],
                         env=env, capture_output=True, text=True)
    assert run.returncode in (0, 1), run.stderr
    return json.loads((out / "report.json").read_text())


@pytest.mark.parametrize("admin,user", [
    ("platform-defaults.yaml", None),
    ("platform-defaults.yaml", "notebook-user.yaml"),
    (None, "notebook-user.yaml"),
])
def test_the_sdk_writes_what_the_tool_says_the_config_sets(tmp_path, admin, user):
    env = environment(tmp_path, admin, user)
    definition = tmp_path / "sdk2-churn.json"
    subprocess.run([sys.executable, str(Path(__file__).with_name("make_pipeline.py")), str(definition)],
                   env=env, check=True, capture_output=True, text=True)
    steps = verdicts(scan([str(definition)], env, tmp_path / "steps"), SECTIONS)
    config = verdicts(scan(["--sdk-config"], env, tmp_path / "config"), set(SECTIONS.values()))
    assert len(steps) == 4, steps
    for (step, rule), (status, key) in steps.items():
        assert config[(SECTIONS[step], rule)] == (status, key), (step, rule)


def test_without_config_the_sdk_writes_no_key(tmp_path):
    env = environment(tmp_path, None, None)
    definition = tmp_path / "sdk2-churn.json"
    subprocess.run([sys.executable, str(Path(__file__).with_name("make_pipeline.py")), str(definition)],
                   env=env, check=True, capture_output=True, text=True)
    steps = verdicts(scan([str(definition)], env, tmp_path / "steps"), SECTIONS)
    assert {status for status, _ in steps.values()} == {"FAIL"}, steps
    assert {key for _, key in steps.values()} == {None}, steps
