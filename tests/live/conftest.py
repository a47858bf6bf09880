"""Fixtures for the live-mode tests: a moto server on 127.0.0.1 (started here), the
fault-injecting proxy in front of it, and helpers to run the real binary and AWS CLI."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from proxy import Faults, start  # noqa: E402

ACCOUNT = "123456789012"


def binary():
    path = os.environ.get("SAGEMAKER_AUDIT_BIN")
    if not path or not Path(path).exists():
        pytest.fail("set SAGEMAKER_AUDIT_BIN to a sagemaker-audit built with the aws feature (scripts/test does)")
    return path


def catalogue():
    """The kinds a live scan lists (`sagemaker-audit kinds --json`, those with `listed`), in
    report order: tests derive kind lists, List operations and rule ids from it instead of
    spelling them out."""
    out = subprocess.run([binary(), "kinds", "--json"], capture_output=True, text=True, check=True).stdout
    return [k for k in json.loads(out) if k["listed"]]


def unlisted():
    """The kinds a live scan cannot list (`listed` false in `kinds --json`), with the reason."""
    out = subprocess.run([binary(), "kinds", "--json"], capture_output=True, text=True, check=True).stdout
    return [k for k in json.loads(out) if not k["listed"]]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def moto():
    port = free_port()
    exe = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))
    proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=2)
            break
        except Exception:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("moto_server did not start")
            time.sleep(0.2)
    yield url, port
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def proxy(moto):
    faults = Faults()
    server = start(moto[1], faults)
    yield f"http://127.0.0.1:{server.server_address[1]}", faults
    server.shutdown()


def env_for(endpoint, region="us-east-1"):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_ENDPOINT_URL=endpoint,
        AWS_REGION=region,
        AWS_DEFAULT_REGION=region,
        AWS_CONFIG_FILE="/nonexistent",
        AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
        SOURCE_DATE_EPOCH="1700000000",
    )
    return env


def run(args, endpoint, cwd=None, region="us-east-1"):
    return subprocess.run([binary(), *args], env=env_for(endpoint, region), cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def scan_json(endpoint, *extra, cwd=None):
    """`scan --live --format json`: returns (exit code, report, stderr)."""
    r = run(["scan", "--live", "--format", "json", *extra], endpoint, cwd=cwd)
    assert r.stdout, r.stderr
    return r.returncode, json.loads(r.stdout), r.stderr


def aws_cli(args, endpoint, out_file):
    exe = shutil.which("aws") or str(Path(sys.executable).with_name("aws"))
    with open(out_file, "w") as f:
        subprocess.run([exe, "--endpoint-url", endpoint, "--output", "json", *args], env=env_for(endpoint),
                       stdout=f, check=True, timeout=120)


def reset(moto_url):
    urllib.request.urlopen(urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST"), timeout=10)


def clients(moto_url, region="us-east-1"):
    kw = dict(endpoint_url=moto_url, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing")
    return boto3.client("sagemaker", **kw), boto3.client("kms", **kw)


def create_job(sm, name, *, itype="ml.m5.xlarge", groups=None, volume=None, output=None, resource=True):
    args = dict(
        TrainingJobName=name,
        AlgorithmSpecification={"TrainingImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/train:1", "TrainingInputMode": "File"},
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/sagemaker",
        OutputDataConfig={"S3OutputPath": "s3://artifacts/out/"},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
    )
    if output is not None:
        args["OutputDataConfig"]["KmsKeyId"] = output
    if resource:
        rc = {"VolumeSizeInGB": 30}
        if groups:
            rc["InstanceGroups"] = [{"InstanceType": t, "InstanceCount": 1, "InstanceGroupName": f"g{i}"} for i, t in enumerate(groups)]
        else:
            rc.update(InstanceType=itype, InstanceCount=1)
        if volume is not None:
            rc["VolumeKmsKeyId"] = volume
        args["ResourceConfig"] = rc
    sm.create_training_job(**args)
    return sm.describe_training_job(TrainingJobName=name)["TrainingJobArn"]


@pytest.fixture
def seeded(moto, proxy):
    """Resets moto and the proxy, then creates jobs and keys covering every verdict.
    Returns (expected verdicts, key ids)."""
    url, _ = moto
    _, faults = proxy
    faults.reset()
    reset(url)
    sm, kms = clients(url)
    cmk = kms.create_key(Description="ml training")["KeyMetadata"]
    kms.create_alias(AliasName="alias/ml-training", TargetKeyId=cmk["KeyId"])
    disabled = kms.create_key(Description="retired")["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=disabled)
    aws_managed = kms.create_key(Description="stands in for an AWS managed key")["KeyMetadata"]["KeyId"]
    denied = kms.create_key(Description="key policy denies us")["KeyMetadata"]["KeyId"]
    faults.key_overrides[aws_managed] = {"KeyManager": "AWS"}
    faults.deny_keys.add(denied)
    alias_arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/ml-training"
    V, O = "training-volume-cmk", "training-output-cmk"
    jobs = [
        # name, create kwargs, {rule: (status, key manager)}
        ("cmk-arn", dict(volume=cmk["Arn"], output=cmk["Arn"]), {V: ("PASS", "CUSTOMER"), O: ("PASS", "CUSTOMER")}),
        ("no-keys", dict(), {V: ("FAIL", ""), O: ("FAIL", "")}),
        ("aws-alias", dict(volume="alias/aws/sagemaker", output=f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/aws/s3"),
         {V: ("FAIL", "AWS"), O: ("FAIL", "AWS")}),
        ("alias-forms", dict(volume="alias/ml-training", output=alias_arn), {V: ("PASS", "CUSTOMER"), O: ("PASS", "CUSTOMER")}),
        ("disabled-key", dict(volume=disabled, output=cmk["KeyId"]), {V: ("FAIL", "CUSTOMER"), O: ("PASS", "CUSTOMER")}),
        ("cross-account", dict(volume="arn:aws:kms:us-east-1:999999999999:key/0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d", output=cmk["Arn"]),
         {V: ("PASS", "UNVERIFIED"), O: ("PASS", "CUSTOMER")}),
        ("p4d-nvme", dict(itype="ml.p4d.24xlarge", output=cmk["Arn"]), {V: ("NOT_APPLICABLE", ""), O: ("PASS", "CUSTOMER")}),
        ("groups-mixed", dict(groups=["ml.p4d.24xlarge", "ml.m5.xlarge"], output=cmk["Arn"]), {V: ("FAIL", ""), O: ("PASS", "CUSTOMER")}),
        ("groups-nvme", dict(groups=["ml.g5.2xlarge", "ml.p4d.24xlarge"], output=""), {V: ("NOT_APPLICABLE", ""), O: ("FAIL", "")}),
        ("aws-managed-by-id", dict(volume=cmk["KeyId"], output=aws_managed), {V: ("PASS", "CUSTOMER"), O: ("FAIL", "AWS")}),
        ("denied-key", dict(volume=denied, output=cmk["KeyId"]), {V: ("PASS", "UNVERIFIED"), O: ("PASS", "CUSTOMER")}),
    ]
    expected = {}
    for name, kwargs, verdicts in jobs:
        create_job(sm, name, **kwargs)
        expected[name] = verdicts
    return expected, {"cmk": cmk["KeyId"], "disabled": disabled, "aws_managed": aws_managed, "denied": denied}
