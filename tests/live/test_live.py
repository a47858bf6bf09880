"""Live mode against a real moto server, through the real aws-sdk-sagemaker client, with
the AWS CLI producing the files a user would export. Faults moto cannot make come from
the proxy in front of it."""

import json
import os
import subprocess

from conftest import binary

from conftest import ACCOUNT, aws_cli, clients, create_job, reset, run, scan_json

V, O = "training-volume-cmk", "training-output-cmk"


def verdicts(report):
    return {(f["job_name"], f["rule_id"]): (f["status"], f["key_manager"]) for f in report["findings"]}


def expected_table(expected):
    return {(job, rule): v for job, rules in expected.items() for rule, v in rules.items()}


def test_live_scan_gives_every_verdict(seeded, proxy):
    expected, keys = seeded
    endpoint, faults = proxy
    code, report, stderr = scan_json(endpoint)
    assert code == 1, stderr
    assert verdicts(report) == expected_table(expected)
    assert report["errors"] == []
    by = {(f["job_name"], f["rule_id"]): f for f in report["findings"]}
    assert "Disabled" in by[("disabled-key", V)]["message"]
    assert "AccessDeniedException" in by[("denied-key", V)]["message"]
    assert by[("cmk-arn", V)]["source_file"] == f"{ACCOUNT}/us-east-1/training/cmk-arn.json"
    # One DescribeKey per distinct reference; alias/aws/* is classified by its prefix and
    # never sent to KMS (asking could make AWS create the managed key).
    referenced = {v for job in ("cmk-arn", "alias-forms", "disabled-key", "cross-account", "aws-managed-by-id", "denied-key")
                  for v in (by[(job, V)]["kms_key"], by[(job, O)]["kms_key"])}
    assert sorted(faults.described_keys) == sorted(referenced)
    assert not any("alias/aws/" in k for k in faults.described_keys)


def test_collect_then_offline_scan_gives_identical_findings(seeded, proxy, tmp_path):
    endpoint, _ = proxy
    out = tmp_path / "collected"
    r = run(["collect", "--out-dir", str(out)], endpoint)
    assert r.returncode == 0, r.stderr
    manifest = json.loads((out / "manifest.json").read_text())["SagemakerAuditManifest"]
    assert manifest["counts"]["jobs_described"] == 11
    assert manifest["accounts"] == [ACCOUNT]
    assert (out / ACCOUNT / "us-east-1" / "training" / "cmk-arn.json").exists()
    live_code, live, _ = scan_json(endpoint)
    r = run(["scan", ".", "--format", "json"], endpoint, cwd=out)
    offline = json.loads(r.stdout)
    assert r.returncode == live_code
    # Row for row: nothing differs between the live findings and the collected ones.
    assert offline["findings"] == live["findings"]
    assert offline["errors"] == live["errors"]
    # SARIF results are identical too: same locations, lines and fingerprints.
    live_sarif = json.loads(run(["scan", "--live", "--format", "sarif", "--sarif-all-results"], endpoint).stdout)
    off_sarif = json.loads(run(["scan", ".", "--format", "sarif", "--sarif-all-results"], endpoint, cwd=out).stdout)
    assert live_sarif["runs"][0]["results"] == off_sarif["runs"][0]["results"]


def test_aws_cli_export_scanned_offline_matches_live(seeded, proxy, tmp_path):
    expected, keys = seeded
    endpoint, _ = proxy
    export = tmp_path / "export"
    export.mkdir()
    for name in expected:
        aws_cli(["sagemaker", "describe-training-job", "--training-job-name", name], endpoint, export / f"{name}.json")
    aws_cli(["kms", "list-aliases"], endpoint, export / "kms-aliases.json")
    for role in ("cmk", "disabled", "aws_managed"):
        aws_cli(["kms", "describe-key", "--key-id", keys[role]], endpoint, export / f"kms-key-{role}.json")
    r = run(["scan", str(export), "--format", "json"], endpoint)
    offline = json.loads(r.stdout)
    _, live, _ = scan_json(endpoint)
    pick = lambda rep: {(f["job_name"], f["rule_id"]): (f["status"], f["key_manager"], f["key_state"]) for f in rep["findings"]}
    assert pick(offline) == pick(live)
    assert r.returncode == 1, r.stderr


def test_pagination_over_1000_jobs_and_empty_pages(moto, proxy):
    url, _ = moto
    endpoint, faults = proxy
    faults.reset()
    reset(url)
    sm, _ = clients(url, "us-west-2")
    for i in range(1050):
        create_job(sm, f"bulk-{i:04d}", volume="alias/ml", output="alias/ml")
    faults.empty_first_page = True
    r = run(["scan", "--live", "--region", "us-west-2", "--format", "json", "--concurrency", "16"], endpoint, region="us-west-2")
    report = json.loads(r.stdout)
    assert r.returncode == 0, r.stderr
    assert report["summary"]["jobs"] == 1050
    pages = [c for c in faults.calls if c == ("ListTrainingJobs", "us-west-2")]
    assert len(pages) >= 12, f"{len(pages)} pages: 11 of 100 plus the injected empty one"


def test_throttling_on_30_percent_of_calls_still_evaluates_every_job(seeded, proxy):
    expected, _ = seeded
    endpoint, faults = proxy
    faults.throttle_ratio = 0.3
    code, report, stderr = scan_json(endpoint, "--max-attempts", "10")
    assert faults.throttled > 5, faults.throttled
    assert report["errors"] == [], stderr
    assert verdicts(report) == expected_table(expected)
    assert code == 1


def test_persistent_500_on_one_describe_is_an_error_and_the_rest_complete(seeded, proxy):
    expected, _ = seeded
    endpoint, faults = proxy
    faults.fail_describe.add("no-keys")
    code, report, stderr = scan_json(endpoint, "--max-attempts", "3")
    assert code == 3
    assert [e["source"] for e in report["errors"]] == [f"{ACCOUNT}/us-east-1/training/no-keys.json"]
    assert "InternalFailure" in report["errors"][0]["message"]
    table = expected_table(expected)
    del table[("no-keys", V)], table[("no-keys", O)]
    assert verdicts(report) == table
    assert f"error: {ACCOUNT}/us-east-1/training/no-keys.json" in stderr


def test_access_denied_listing_a_region_is_an_error_for_that_region(seeded, proxy):
    endpoint, faults = proxy
    faults.deny_list_regions.add("eu-west-1")
    code, report, _ = scan_json(endpoint, "--regions", "us-east-1,eu-west-1")
    assert code == 3
    assert [e["source"] for e in report["errors"]] == ["ListTrainingJobs in eu-west-1"]
    assert report["summary"]["jobs"] == 11


def test_a_region_not_enabled_is_reported_not_fatal(seeded, proxy):
    endpoint, faults = proxy
    faults.disabled_regions.add("ap-southeast-5")
    code, report, stderr = scan_json(endpoint, "--regions", "us-east-1,ap-southeast-5")
    assert code == 1, stderr
    assert report["errors"] == []
    assert report["inputs"]["regions_not_enabled"] == ["ap-southeast-5"]
    assert "ap-southeast-5 is not enabled" in stderr


def test_a_job_deleted_between_list_and_describe_is_reported_as_gone(seeded, proxy):
    endpoint, faults = proxy
    faults.gone.add("p4d-nvme")
    code, report, stderr = scan_json(endpoint)
    assert code == 1
    assert report["errors"] == []
    assert report["inputs"]["jobs_gone"] == [f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:training-job/p4d-nvme"]
    assert "p4d-nvme was deleted" in stderr


def test_collect_keeps_failures_so_offline_reports_the_same_errors(seeded, proxy, tmp_path):
    endpoint, faults = proxy
    faults.fail_describe.add("cmk-arn")
    faults.deny_list_regions.add("eu-west-1")
    out = tmp_path / "collected"
    r = run(["collect", "--out-dir", str(out), "--regions", "us-east-1,eu-west-1", "--max-attempts", "2"], endpoint)
    assert r.returncode == 3, r.stderr
    _, live, _ = scan_json(endpoint, "--regions", "us-east-1,eu-west-1", "--max-attempts", "2")
    r = run(["scan", ".", "--format", "json"], endpoint, cwd=out)
    offline = json.loads(r.stdout)
    assert r.returncode == 3
    assert offline["errors"] == live["errors"]
    assert offline["findings"] == live["findings"]
    # The AccessDenied key stays UNVERIFIED with its reason offline too.
    msgs = [f["message"] for f in offline["findings"] if f["job_name"] == "denied-key" and f["rule_id"] == V]
    assert "AccessDeniedException" in msgs[0]


def test_status_and_created_after_filters_reach_the_api(seeded, proxy):
    endpoint, faults = proxy
    _, report, _ = scan_json(endpoint, "--status", "Failed")
    assert report["summary"]["jobs"] == 0
    assert faults.list_params[-1]["StatusEquals"] == "Failed"
    _, report, _ = scan_json(endpoint, "--status", "Completed", "--created-after", "2000-01-31")
    assert report["summary"]["jobs"] == 11
    assert faults.list_params[-1]["MaxResults"] == 100
    _, report, _ = scan_json(endpoint, "--created-after", "2100-01-01T00:00:00Z")
    assert report["summary"]["jobs"] == 0
    assert faults.list_params[-1]["CreationTimeAfter"] == 4102444800
    r = run(["scan", "--live", "--created-after", "next week"], endpoint)
    assert r.returncode == 2 and "--created-after" in r.stderr


def test_profile_supplies_region_and_credentials(moto, proxy, tmp_path):
    url, _ = moto
    endpoint, faults = proxy
    faults.reset()
    reset(url)
    sm, _ = clients(url, "eu-west-1")
    create_job(sm, "profile-job")
    (tmp_path / "config").write_text("[profile audit]\nregion = eu-west-1\n")
    (tmp_path / "credentials").write_text("[audit]\naws_access_key_id = AKIDAUDITPROFILE\naws_secret_access_key = secret\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=str(tmp_path / "config"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"),
               AWS_ENDPOINT_URL=endpoint, AWS_EC2_METADATA_DISABLED="true")
    r = subprocess.run([binary(), "scan", "--live", "--profile", "audit", "--format", "json"], env=env,
                       capture_output=True, text=True, timeout=120)
    report = json.loads(r.stdout)
    assert report["summary"]["jobs"] == 1, r.stderr
    assert report["findings"][0]["region"] == "eu-west-1"
    assert faults.access_keys == {"AKIDAUDITPROFILE"}
    r = subprocess.run([binary(), "scan", "--live"], env={**env, "AWS_CONFIG_FILE": "/nonexistent"},
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "no AWS region" in r.stderr
