"""Security Hub (ASFF) and OCSF reports, checked by their real consumers: the AWS CLI imports the
ASFF file into moto's Security Hub in batches of 100 exactly as the README shows (the CLI checks
each finding against botocore's BatchImportFindings model first), and py-ocsf-models, the OCSF
models Prowler maintains, validates every OCSF event."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import boto3
import pytest

from conftest import env_for, reset, run, scan_json

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def readme_import_loop():
    """The shell loop the README gives for importing report.asff.json."""
    block = re.search(r"```sh\n(# asff-import\n.*?)```", README, re.S)
    assert block, "README lost its ASFF import example (a ```sh block starting with '# asff-import')"
    return block.group(1)


def securityhub(url):
    return boto3.client("securityhub", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def all_findings(hub):
    out, token = [], None
    while True:
        page = hub.get_findings(MaxResults=100, **({"NextToken": token} if token else {}))
        out += page["Findings"]
        token = page.get("NextToken")
        if not token:
            return out


def import_with_readme_loop(report_dir, endpoint):
    if not shutil.which("jq"):
        pytest.fail("jq is required (scripts/test installs it): the README's import loop uses it")
    env = env_for(endpoint)
    env["PATH"] = f"{Path(shutil.which('aws') or '').parent}:{env.get('PATH', '')}"
    env["AWS_ENDPOINT_URL"] = endpoint
    r = subprocess.run(["bash", "-euo", "pipefail", "-c", readme_import_loop()], cwd=report_dir, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_asff_imports_in_batches_and_reads_back(tmp_path, moto):
    url, _ = moto
    reset(url)
    waivers = tmp_path / "waivers.toml"
    waivers.write_text('[[waiver]]\nrule = "training-volume-cmk"\njob = "churn-model-*"\n'
                       'reason = "Legacy job, retrained in Q1"\nowner = "ml-platform@example.com"\nexpires = 2027-06-30\n')
    out = tmp_path / "out"
    r = run(["scan", str(ROOT / "samples"), "--out-dir", str(out), "--format", "asff,json",
             "--waivers", str(waivers)], url)
    assert r.returncode == 3, r.stderr  # the samples hold two inputs that cannot be evaluated
    asff = json.loads((out / "report.asff.json").read_text())
    report = json.loads((out / "report.json").read_text())
    # Every finding with an account and region is there, passed ones included.
    importable = [f for f in report["findings"] if re.fullmatch(r"\d{12}", f.get("account_id") or "")]
    assert len(asff) == len(importable) > 0
    assert {f["Compliance"]["Status"] for f in asff} == {"PASSED", "FAILED", "NOT_AVAILABLE"}
    assert "leaves out" in r.stderr and "pipeline steps read from files" in r.stderr
    ids = [f["Id"] for f in asff]
    assert len(set(ids)) == len(ids)

    # Twice the findings of one batch: the loop must cut the file into batches of at most 100.
    doubled = tmp_path / "doubled"
    doubled.mkdir()
    many = [dict(f, Id=f"{f['Id']}/copy{i}") for i in range(3) for f in asff]
    (doubled / "report.asff.json").write_text(json.dumps(many))
    counts = [tuple(map(int, line.split())) for line in import_with_readme_loop(doubled, url).splitlines()]
    assert [ok for ok, _ in counts] == [100] * (len(many) // 100) + ([len(many) % 100] if len(many) % 100 else [])
    assert all(failed == 0 for _, failed in counts)
    reset(url)

    counts = [tuple(map(int, line.split())) for line in import_with_readme_loop(out, url).splitlines()]
    assert sum(ok for ok, _ in counts) == len(asff) and all(failed == 0 for _, failed in counts)
    stored = {f["Id"]: f for f in all_findings(securityhub(url))}
    assert set(stored) == set(ids)
    for f in asff:
        got = stored[f["Id"]]
        assert got["Compliance"]["Status"] == f["Compliance"]["Status"]
        assert got["Resources"][0]["Id"] == f["Resources"][0]["Id"]
        assert got["GeneratorId"] == f["GeneratorId"]
    waived = [f for f in asff if f.get("Workflow", {}).get("Status") == "SUPPRESSED"]
    assert waived and all(f["Note"]["UpdatedBy"] == "ml-platform@example.com" for f in waived)
    assert all(f["Compliance"]["Status"] == "FAILED" for f in waived)


def test_asff_ids_are_stable_so_a_fixed_job_resolves_its_finding(tmp_path, moto):
    url, _ = moto
    reset(url)
    sm = boto3.client("sagemaker", endpoint_url=url, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    from conftest import create_job
    create_job(sm, "nightly", output="alias/ml")
    first = tmp_path / "first"
    # Straight at moto, which has no model customization jobs: training jobs only.
    assert run(["scan", "--live", "--kinds", "training", "--out-dir", str(first), "--format", "asff"],
               url).returncode == 1
    # The "fixed" job: the same ARN, now with a volume key (moto has no update; recreate it).
    reset(url)
    create_job(sm, "nightly", volume="alias/ml", output="alias/ml")
    second = tmp_path / "second"
    assert run(["scan", "--live", "--kinds", "training", "--out-dir", str(second), "--format", "asff"],
               url).returncode == 0
    a = {f["Id"]: f["Compliance"]["Status"] for f in json.loads((first / "report.asff.json").read_text())}
    b = {f["Id"]: f["Compliance"]["Status"] for f in json.loads((second / "report.asff.json").read_text())}
    assert a.keys() == b.keys()
    volume = next(i for i in a if i.startswith("sagemaker-audit/training-volume-cmk/"))
    assert (a[volume], b[volume]) == ("FAILED", "PASSED")


def test_ocsf_events_validate_as_compliance_findings(tmp_path, moto):
    from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding

    out = tmp_path / "out"
    r = run(["scan", str(ROOT / "samples"), "--out-dir", str(out), "--format", "ocsf,json"], moto[0])
    assert r.returncode == 3, r.stderr  # the samples hold two inputs that cannot be evaluated
    events = json.loads((out / "report.ocsf.json").read_text())
    report = json.loads((out / "report.json").read_text())
    assert len(events) == len(report["findings"])

    def known(sent, model):
        """Every attribute sent is one the class defines: pydantic ignores unknown ones, so
        compare what was sent with what the model kept."""
        if isinstance(sent, dict):
            assert isinstance(model, dict), (sent, model)
            for k, v in sent.items():
                assert k in model, f"OCSF Compliance Finding has no attribute {k!r}"
                if k != "data":  # resource data is free-form by definition
                    known(v, model[k])
        elif isinstance(sent, list):
            for a, b in zip(sent, model):
                known(a, b)

    statuses = {}
    for event, finding in zip(events, report["findings"]):
        model = ComplianceFinding.model_validate(event)
        known(event, model.model_dump(mode="json"))
        assert event["class_uid"] == 2003 and event["type_uid"] == 200301
        assert event["resources"][0]["uid"] == finding["job_arn"]
        assert event["status_code"] == finding["status"]
        statuses[finding["status"]] = event["compliance"]["status_id"]
    assert statuses == {"PASS": 1, "FAIL": 3, "NOT_APPLICABLE": 99}
