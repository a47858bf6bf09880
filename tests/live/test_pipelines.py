"""Pipelines live: definitions created in moto through boto3 and the AWS CLI, scanned live with
the real SDK (ListPipelines, DescribePipeline), collected and scanned offline (the same findings,
pointing at each collected file's PipelineDefinition line), and exported with the AWS CLI's
describe-pipeline."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ACCOUNT, aws_cli, clients, env_for, reset, run, scan_json

ROLE = f"arn:aws:iam::{ACCOUNT}:role/sagemaker"


def training_step(name, volume=None, output=None, itype="ml.m5.xlarge"):
    rc = {"InstanceType": itype, "InstanceCount": 1, "VolumeSizeInGB": 30}
    if volume is not None:
        rc["VolumeKmsKeyId"] = volume
    out = {"S3OutputPath": "s3://ml-artifacts/out/"}
    if output is not None:
        out["KmsKeyId"] = output
    return {"Name": name, "Type": "Training", "Arguments": {
        "AlgorithmSpecification": {"TrainingImage": "img", "TrainingInputMode": "File"},
        "RoleArn": ROLE, "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "ResourceConfig": rc, "OutputDataConfig": out}}


@pytest.fixture
def pipelines(moto, proxy, tmp_path):
    url, _ = moto
    endpoint, faults = proxy
    faults.reset()
    reset(url)
    sm, kms = clients(url)
    key = kms.create_key(Description="pipelines")["KeyMetadata"]["Arn"]
    churn = {"Version": "2020-12-01",
             "Parameters": [{"Name": "Key", "Type": "String", "DefaultValue": key},
                            {"Name": "OutputKey", "Type": "String"}],
             "Steps": [training_step("Train", volume={"Get": "Parameters.Key"}, output={"Get": "Parameters.OutputKey"}),
                       {"Name": "Gate", "Type": "Condition", "Arguments": {"Conditions": [],
                        "IfSteps": [training_step("Retrain", volume="alias/aws/sagemaker", output=key)], "ElseSteps": []}}]}
    sm.create_pipeline(PipelineName="churn", PipelineDefinition=json.dumps(churn), RoleArn=ROLE)
    # The second through the AWS CLI, from a definition file as a team would keep it.
    nightly = {"Version": "2020-12-01", "Steps": [training_step("Nightly", itype="ml.p4d.24xlarge", output=key)]}
    spec = tmp_path / "nightly.json"
    spec.write_text(json.dumps(nightly, indent=2))
    exe = shutil.which("aws") or str(Path(sys.executable).with_name("aws"))
    subprocess.run([exe, "--endpoint-url", endpoint, "sagemaker", "create-pipeline", "--pipeline-name", "nightly",
                    "--pipeline-definition", f"file://{spec}", "--role-arn", ROLE],
                   env=env_for(endpoint), check=True, capture_output=True, timeout=120)
    expected = {
        ("churn/Train", "training-volume-cmk"): ("PASS", "CUSTOMER"),
        ("churn/Train", "training-output-cmk"): ("FAIL", ""),
        ("churn/Retrain", "training-volume-cmk"): ("FAIL", "AWS"),
        ("churn/Retrain", "training-output-cmk"): ("PASS", "CUSTOMER"),
        ("nightly/Nightly", "training-volume-cmk"): ("NOT_APPLICABLE", ""),
        ("nightly/Nightly", "training-output-cmk"): ("PASS", "CUSTOMER"),
    }
    return expected


def verdicts(report):
    return {(f["job_name"], f["rule_id"]): (f["status"], f["key_manager"]) for f in report["findings"]}


def test_live_scan_judges_pipeline_definitions(pipelines, proxy):
    endpoint, faults = proxy
    code, report, stderr = scan_json(endpoint, "--kinds", "pipeline")
    assert code == 1, stderr
    assert report["errors"] == []
    assert verdicts(report) == pipelines
    by = {(f["job_name"], f["rule_id"]): f for f in report["findings"]}
    # Steps are judged as the jobs they create, with the origin saying where they come from.
    assert {(f["resource_type"], f["origin"]) for f in report["findings"]} == {("training-job", "pipeline-step")}
    assert [k["kind"] for k in report["summary"]["kinds"]] == ["pipeline"]
    train = by[("churn/Train", "training-volume-cmk")]
    assert train["source_file"] == f"{ACCOUNT}/us-east-1/pipeline/churn.json"
    assert train["job_arn"] == f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:pipeline/churn/Train"
    assert "default of pipeline parameter Key" in train["message"]
    assert "no default" in by[("churn/Train", "training-output-cmk")]["message"]
    assert {op for op, _ in faults.calls} >= {"ListPipelines", "DescribePipeline"}


def test_collect_then_offline_gives_the_same_pipeline_findings(pipelines, proxy, tmp_path):
    endpoint, _ = proxy
    out = tmp_path / "collected"
    r = run(["collect", "--out-dir", str(out), "--kinds", "pipeline"], endpoint)
    assert r.returncode == 0, r.stderr
    files = sorted(p.name for p in (out / ACCOUNT / "us-east-1" / "pipeline").iterdir())
    assert files == ["churn.json", "nightly.json"]
    _, live, _ = scan_json(endpoint, "--kinds", "pipeline")
    r = run(["scan", ".", "--format", "json"], endpoint, cwd=out)
    offline = json.loads(r.stdout)
    assert r.returncode == 1, r.stderr
    assert offline["findings"] == live["findings"]
    # Every finding points at the collected file's PipelineDefinition line.
    for f in offline["findings"]:
        lines = (out / f["source_file"]).read_text().splitlines()
        assert '"PipelineDefinition"' in lines[f["line"] - 1], f


def test_aws_cli_describe_pipeline_exports_match_live(pipelines, proxy, tmp_path):
    endpoint, _ = proxy
    export = tmp_path / "export"
    export.mkdir()
    for name in ("churn", "nightly"):
        aws_cli(["sagemaker", "describe-pipeline", "--pipeline-name", name], endpoint, export / f"{name}.json")
    aws_cli(["kms", "list-aliases"], endpoint, export / "aliases.json")
    r = run(["scan", str(export), "--format", "json"], endpoint)
    offline = json.loads(r.stdout)
    _, live, _ = scan_json(endpoint, "--kinds", "pipeline")
    pick = lambda rep: {(f["job_name"], f["rule_id"]): f["status"] for f in rep["findings"]}
    assert pick(offline) == pick(live)
