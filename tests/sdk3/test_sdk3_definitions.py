"""The SageMaker Python SDK 3 is the producer: a ForEach step's body, which SDK 3 writes under
`Arguments.ForEachBody`, is judged like any other step; and ModelTrainer does not copy the SDK
config file's keys into a pipeline definition (sagemaker 3.27.0), so the tool judges the step
on what the definition holds, whatever the config file says."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = os.environ.get("SAGEMAKER_AUDIT_BIN") or str(
    Path(os.environ.get("CARGO_TARGET_DIR", Path.home() / ".cache/sagemaker-audit/target")) / "debug" / "sagemaker-audit")


def definition(tmp_path, **config):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAGEMAKER_", "XDG_", "AWS_"))}
    env.update({"HOME": str(tmp_path), "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1", "SAGEMAKER_VALIDATE_ROLE": "false",
                # Nothing may reach AWS: an endpoint that refuses connections.
                "AWS_ENDPOINT_URL": "http://127.0.0.1:9", **config})
    path = tmp_path / "sdk3-churn.json"
    subprocess.run([sys.executable, str(Path(__file__).with_name("make_pipeline.py")), str(path)],
                   env=env, check=True, capture_output=True, text=True)
    return path


def findings(path, out):
    run = subprocess.run([BIN, "scan", str(path), "--out-dir", str(out), "--format", "json"],
                         capture_output=True, text=True)
    assert run.returncode == 1, run.stderr
    report = json.loads((out / "report.json").read_text())
    return {(f["job_name"], f["rule_id"]): (f["status"], f["kms_key"]) for f in report["findings"]}


def test_the_for_each_body_is_judged_like_any_step(tmp_path):
    path = definition(tmp_path)
    body = next(s for s in json.loads(path.read_text())["Steps"] if s["Name"] == "PerRegion")
    assert body["Type"] == "ForEach" and body["Arguments"]["ForEachBody"][0]["Type"] == "Training"
    found = findings(path, tmp_path / "out")
    assert found == {
        ("sdk3-churn/TrainGlobal", "training-volume-cmk"): ("FAIL", None),
        ("sdk3-churn/TrainGlobal", "training-output-cmk"): ("PASS", "alias/ml-platform"),
        # SDK 3's EndpointConfigStep: the CreateEndpointConfig request, judged by its kind.
        ("sdk3-churn/MakeEndpointConfig", "endpoint-config-volume-cmk"): ("FAIL", None),
        ("sdk3-churn/MakeEndpointConfig", "endpoint-config-output-cmk"): ("FAIL", None),
        ("sdk3-churn/PerRegion/TrainRegion", "training-volume-cmk"): ("FAIL", None),
        ("sdk3-churn/PerRegion/TrainRegion", "training-output-cmk"): ("FAIL", None),
    }


def test_model_trainer_does_not_copy_config_keys_into_definitions(tmp_path):
    config = REPO / "samples" / "sdk-config" / "platform-defaults.yaml"
    path = definition(tmp_path, SAGEMAKER_ADMIN_CONFIG_OVERRIDE=str(config))
    found = findings(path, tmp_path / "out")
    # The config file sets both training keys (and the tool passes them there), yet the step
    # SDK 3 wrote has neither: the step's own verdict is what the job will get.
    assert found[("sdk3-churn/PerRegion/TrainRegion", "training-volume-cmk")] == ("FAIL", None)
    assert found[("sdk3-churn/PerRegion/TrainRegion", "training-output-cmk")] == ("FAIL", None)


def test_endpoint_config_steps_get_the_config_files_keys_as_the_tool_says(tmp_path):
    """Unlike ModelTrainer, `create_endpoint_config` fills in the config file's endpoint keys
    (sagemaker 3.27.0): the step's verdicts equal the tool's verdicts on the config file."""
    config = REPO / "samples" / "sdk-config" / "platform-defaults.yaml"
    path = definition(tmp_path, SAGEMAKER_ADMIN_CONFIG_OVERRIDE=str(config))
    found = findings(path, tmp_path / "out")
    step = "sdk3-churn/MakeEndpointConfig"
    assert found[(step, "endpoint-config-volume-cmk")] == ("PASS", "alias/ml-platform")
    assert found[(step, "endpoint-config-output-cmk")] == ("PASS", "alias/ml-platform")
    run = subprocess.run([BIN, "scan", str(config), "--format", "json"], capture_output=True, text=True)
    report = json.loads(run.stdout)
    from_config = {(f["rule_id"], f["part"]): (f["status"], f["kms_key"]) for f in report["findings"]
                   if f["job_name"] == "SageMaker.EndpointConfig"}
    assert from_config[("endpoint-config-volume-cmk", None)] == found[(step, "endpoint-config-volume-cmk")]
    assert from_config[("endpoint-config-output-cmk", "data capture")] == found[(step, "endpoint-config-output-cmk")]


def job_pipeline(tmp_path, *key):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAGEMAKER_", "XDG_", "AWS_"))}
    env.update({"HOME": str(tmp_path), "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "agent-eval.json"
    subprocess.run([sys.executable, str(Path(__file__).with_name("make_job_pipeline.py")), str(path), *key],
                   env=env, check=True, capture_output=True, text=True)
    return path


def test_job_steps_are_judged_on_the_key_inside_their_config_document(tmp_path):
    """SDK 3 renders a Job step whose JobConfigDocument is a JSON string; its
    OutputDataConfig.KmsKeyArn is the job's output key."""
    path = job_pipeline(tmp_path / "none")
    step = next(s for s in json.loads(path.read_text())["Steps"] if s["Type"] == "Job")
    assert isinstance(step["Arguments"]["JobConfigDocument"], str)
    assert findings(path, tmp_path / "out1") == {("agent-eval/EvaluateBaseModel", "customization-output-cmk"): ("FAIL", None)}
    path = job_pipeline(tmp_path / "key", "alias/aws/s3")
    run = subprocess.run([BIN, "scan", str(path), "--format", "json"], capture_output=True, text=True)
    found = {(f["rule_id"], f["status"], f["key_manager"]) for f in json.loads(run.stdout)["findings"]}
    assert found == {("customization-output-cmk", "FAIL", "AWS")}
