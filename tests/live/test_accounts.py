"""A whole organisation from one command, against moto in multi-account mode: an Organization
with member accounts, jobs created in each member with credentials from sts:AssumeRole into it
(moto files a request under the account of the credentials that signed it), then scans with
--organization and --accounts through the fault proxy, which also refuses AssumeRole into the
accounts a test names."""

import json

import boto3
import pytest

from conftest import ACCOUNT, create_job, reset, run, scan_json

ROLE = "SageMakerAudit"


def session_for(url, account):
    sts = boto3.client("sts", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/seed", RoleSessionName="seeding")["Credentials"]
    return boto3.Session(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                         aws_session_token=c["SessionToken"], region_name="us-east-1")


@pytest.fixture
def org(moto, proxy):
    """An organization (management account = moto's default) with three members; jobs in the
    management account and in two members, none in the third. Returns (members, jobs by account)."""
    url, _ = moto
    _, faults = proxy
    faults.reset()
    reset(url)
    kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    orgs = boto3.client("organizations", **kw)
    orgs.create_organization(FeatureSet="ALL")
    members = []
    for i in range(3):
        status = orgs.create_account(AccountName=f"ml-{i}", Email=f"ml-{i}@example.com")["CreateAccountStatus"]
        members.append(status["AccountId"])
    jobs = {ACCOUNT: ["mgmt-unencrypted"], members[0]: ["m0-cmk", "m0-no-keys"], members[1]: ["m1-no-keys"]}
    create_job(boto3.client("sagemaker", **kw), "mgmt-unencrypted")
    for account in members[:2]:
        s = session_for(url, account)
        sm, kms = s.client("sagemaker", endpoint_url=url), s.client("kms", endpoint_url=url)
        for name in jobs[account]:
            if name.endswith("cmk"):
                key = kms.create_key(Description="ml")["KeyMetadata"]["Arn"]
                create_job(sm, name, volume=key, output=key)
            else:
                create_job(sm, name)
    return members, jobs


def by_account(report):
    out = {}
    for f in report["findings"]:
        out.setdefault(f["account_id"], set()).add(f["job_name"])
    return {a: sorted(v) for a, v in out.items()}


def test_organization_scan_covers_every_active_account(org, proxy):
    members, jobs = org
    endpoint, faults = proxy
    code, report, stderr = scan_json(endpoint, "--organization", "--role-name", ROLE, "--external-id", "audit-2026")
    assert code == 1, stderr
    assert by_account(report) == {a: sorted(j) for a, j in jobs.items()}
    # The management account is used directly; every member through the role, with a
    # recognisable session name and the external id.
    assumed = {role.split(":")[4]: (session, external) for role, session, external in faults.assumed
               if role.endswith(f":role/{ROLE}")}
    assert set(assumed) == set(members)
    assert all(s.startswith("sagemaker-audit-") and e == "audit-2026" for s, e in assumed.values())
    # Every account is in the summary, the empty member included.
    summary = {a["account"]: a for a in report["summary"]["accounts"]}
    assert set(summary) == {ACCOUNT, *members}
    assert summary[members[2]]["resources"] == 0 and summary[members[2]]["reached"]
    # Key lookups used the member's credentials: the CMK created in member 0 is verified.
    cmk = [f for f in report["findings"] if f["job_name"] == "m0-cmk"]
    assert {f["key_manager"] for f in cmk} == {"CUSTOMER"}, cmk


def test_explicit_accounts_and_exclusion(org, proxy):
    members, jobs = org
    endpoint, faults = proxy
    code, report, stderr = scan_json(endpoint, "--accounts", f"{ACCOUNT},{members[0]},{members[1]}",
                                     "--exclude-accounts", members[1], "--role-name", ROLE)
    assert code == 1, stderr
    assert by_account(report) == {ACCOUNT: jobs[ACCOUNT], members[0]: sorted(jobs[members[0]])}
    assert {r.split(":")[4] for r, _, _ in faults.assumed if r.endswith(ROLE)} == {members[0]}


def test_a_role_that_cannot_be_assumed_is_one_error_and_the_rest_is_scanned(org, proxy, tmp_path):
    members, jobs = org
    endpoint, faults = proxy
    faults.deny_assume.add(members[0])
    code, report, stderr = scan_json(endpoint, "--organization", "--role-name", ROLE)
    assert code == 3, stderr
    lines = [line for line in stderr.splitlines() if members[0] in line]
    assert len(lines) == 1 and "AccessDenied" in lines[0], stderr
    assert by_account(report) == {ACCOUNT: jobs[ACCOUNT], members[1]: jobs[members[1]]}
    errors = [e for e in report["errors"] if members[0] in e["source"]]
    assert len(errors) == 1 and "cannot assume" in errors[0]["message"]
    unreached = [a for a in report["summary"]["accounts"] if not a["reached"]]
    assert [a["account"] for a in unreached] == [members[0]]
    # collect records it in the manifest, and the offline scan reports the same.
    out = tmp_path / "org"
    r = run(["collect", "--out-dir", str(out), "--organization", "--role-name", ROLE], endpoint)
    assert r.returncode == 3, r.stderr
    manifest = json.loads((out / "manifest.json").read_text())["SagemakerAuditManifest"]
    assert manifest["accounts_failed"] == [members[0]]
    assert manifest["scope"]["organization"] is True and manifest["scope"]["role_name"] == ROLE
    offline = json.loads(run(["scan", ".", "--format", "json"], endpoint, cwd=out).stdout)
    assert offline["errors"] == report["errors"]
    assert offline["summary"]["accounts"] == report["summary"]["accounts"]


def test_an_account_without_a_role_name_is_an_error(org, proxy):
    members, _ = org
    endpoint, _ = proxy
    code, report, stderr = scan_json(endpoint, "--accounts", f"{ACCOUNT},{members[0]}")
    assert code == 3
    assert "--role-name" in stderr
    assert by_account(report).keys() == {ACCOUNT}


def test_collect_then_offline_scan_matches_across_accounts(org, proxy, tmp_path):
    members, jobs = org
    endpoint, _ = proxy
    out = tmp_path / "org"
    r = run(["collect", "--out-dir", str(out), "--organization", "--role-name", ROLE,
             "--regions", "us-east-1,us-west-2"], endpoint)
    assert r.returncode == 0, r.stderr
    for account, names in jobs.items():
        for name in names:
            assert (out / account / "us-east-1" / "training" / f"{name}.json").exists()
    code, live, _ = scan_json(endpoint, "--organization", "--role-name", ROLE, "--regions", "us-east-1,us-west-2")
    r = run(["scan", ".", "--format", "json"], endpoint, cwd=out)
    offline = json.loads(r.stdout)
    assert r.returncode == code == 1
    assert offline["findings"] == live["findings"]
    assert offline["errors"] == live["errors"] == []
    assert offline["summary"]["accounts"] == live["summary"]["accounts"]


def test_bad_account_flags_are_usage_errors(moto):
    url, _ = moto
    for args in (["--accounts", "12345"], ["--role-name", "x"], ["--organization", "--role-name", "bad/name"],
                 ["--accounts", ACCOUNT, "--exclude-accounts", ACCOUNT]):
        r = run(["scan", "--live", *args], url)
        assert r.returncode == 2, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_credentials_are_renewed_before_they_expire_on_a_long_scan(org, proxy, moto):
    members, jobs = org
    endpoint, faults = proxy
    url, _ = moto
    # Forty more jobs in member 1, credentials for it that last 14 s, and 0.25 s per call with
    # one call at a time: the scan (over 10 s) outlives its first credentials. The SDK renews them
    # 10 s before they expire, less a random jitter of up to half that buffer, so a renewal falls
    # due between 4 s and 9 s into the scan, never after it.
    s = session_for(url, members[1])
    sm = s.client("sagemaker", endpoint_url=url)
    for i in range(40):
        create_job(sm, f"slow-{i:02d}")
    faults.short_sessions[members[1]] = 14
    faults.latency = 0.25
    try:
        code, report, stderr = scan_json(endpoint, "--accounts", members[1], "--role-name", ROLE,
                                         "--kinds", "training", "--concurrency", "1")
    finally:
        faults.latency = 0.0
    assert code == 1, stderr
    assert report["errors"] == [], report["errors"]
    assert len(by_account(report)[members[1]]) == 41
    renewals = [r for r, _, _ in faults.assumed if r.endswith(f"{members[1]}:role/{ROLE}")]
    # One check, the first credentials, then at least one renewal.
    assert len(renewals) >= 3, renewals
