"""The real binary against a hostile endpoint (tests/live/hostile.py): whatever the API
returns, nothing is written outside --out-dir, every name round-trips through collect, error
text stays short, and a hung endpoint ends in bounded time."""

import json
import os
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from conftest import run  # noqa: E402
from hostile import ACCOUNT, KINDS, Behaviour, arn_for, describe_body, start  # noqa: E402


@pytest.fixture(scope="module")
def endpoint():
    behaviour = Behaviour()
    server = start(behaviour)
    yield f"http://127.0.0.1:{server.server_address[1]}", behaviour
    server.shutdown()


@pytest.fixture
def hostile(endpoint):
    url, behaviour = endpoint
    behaviour.reset()
    return url, behaviour


def tree(root):
    return sorted(str(p.relative_to(root)) for p in Path(root).rglob("*"))


def test_path_traversing_arns_are_errors_and_nothing_leaves_out_dir(hostile, tmp_path):
    url, b = hostile
    marker = f"sagemaker-audit-escape-{os.getpid()}"
    b.jobs = [
        ("good", arn_for("good")),
        ("up", f"arn:aws:sagemaker:us-east-1:../../../../tmp/{marker}:training-job/up"),
        ("abs", f"arn:aws:sagemaker:us-east-1:/tmp/{marker}:training-job/abs"),
        ("region", f"arn:aws:sagemaker:../../{marker}:{ACCOUNT}:training-job/region"),
        ("other-region", arn_for("other-region", region="eu-west-1")),
        ("mismatch", arn_for("somebody-else")),
    ]
    out = tmp_path / "work" / "out"
    r = run(["collect", "--out-dir", str(out), "--region", "us-east-1"], url, cwd=tmp_path)
    assert r.returncode == 3, r.stderr
    assert tree(tmp_path) == sorted(["work", "work/out", "work/out/manifest.json", f"work/out/{ACCOUNT}",
                                      f"work/out/{ACCOUNT}/us-east-1", f"work/out/{ACCOUNT}/us-east-1/training",
                                      f"work/out/{ACCOUNT}/us-east-1/training/good.json"])
    assert not Path(f"/tmp/{marker}").exists()
    manifest = json.loads((out / "manifest.json").read_text())["SagemakerAuditManifest"]
    failed = [c["message"] for c in manifest["failed_calls"]]
    assert len(failed) == 5, failed
    assert all(c["source"] == "ListTrainingJobs in us-east-1" and not c["file"] for c in manifest["failed_calls"])
    # The live scan reports the same errors, and no strange string becomes an account id.
    r = run(["scan", "--live", "--region", "us-east-1", "--format", "json"], url)
    live = json.loads(r.stdout)
    assert r.returncode == 3
    assert {f["account_id"] for f in live["findings"]} == {ACCOUNT}
    r = run(["scan", str(out), "--format", "json"], url, cwd=tmp_path)
    offline = json.loads(r.stdout)
    assert [e["message"] for e in offline["errors"]] == [e["message"] for e in live["errors"]]


def summary_members(kind):
    """The name and ARN members of one summary of a kind's List operation (botocore's model),
    or None when its summaries carry no ARN (the ARN is then checked from Describe)."""
    import botocore.session
    model = botocore.session.get_session().get_service_model("sagemaker")
    members = model.operation_model(kind["list"]).output_shape.members[kind["summaries"]].member.members
    arns = [m for m in members if m.endswith("Arn") and m != "RoleArn"]
    arn = kind["arn_field"] if kind["arn_field"] in members else next(iter(arns), None)
    if arn is None:
        return None
    names = [m for m in members if m.endswith("Name")]
    name = kind["name_field"] if kind["name_field"] in members else next(iter(names), None)
    return name, arn


LISTED_WITH_ARNS = [k for k in KINDS if k["name"] != "training" and summary_members(k)]


@pytest.mark.parametrize("kind", LISTED_WITH_ARNS, ids=lambda k: k["name"])
def test_path_traversing_arns_of_every_kind_are_errors_and_nothing_leaves_out_dir(hostile, tmp_path, kind):
    url, b = hostile
    name_member, arn_member = summary_members(kind)
    marker = f"sagemaker-audit-escape-{os.getpid()}-{kind['name']}"
    bad = [("up", f"arn:aws:sagemaker:us-east-1:../../../../tmp/{marker}:{kind['arn_resource']}/up"),
           ("abs", f"arn:aws:sagemaker:us-east-1:/tmp/{marker}:{kind['arn_resource']}/abs"),
           ("region", f"arn:aws:sagemaker:../../{marker}:{ACCOUNT}:{kind['arn_resource']}/region")]
    b.summaries[kind["list"]] = [
        {**({name_member: name} if name_member else {}), arn_member: arn, "CreationTime": 1700000000}
        for name, arn in bad
    ]
    out = tmp_path / "work" / "out"
    r = run(["collect", "--kinds", kind["name"], "--out-dir", str(out), "--region", "us-east-1",
             "--sequential-listing"], url, cwd=tmp_path)
    assert r.returncode == 3, r.stderr
    assert not Path(f"/tmp/{marker}").exists()
    assert not list(Path("/tmp").glob(f"{marker}*"))
    # Nothing but the manifest (and no directory named after a hostile ARN part).
    assert [p for p in tree(tmp_path) if p not in ("work", "work/out", "work/out/manifest.json")] == [], \
        tree(tmp_path)
    manifest = json.loads((out / "manifest.json").read_text())["SagemakerAuditManifest"]
    failed = manifest["failed_calls"]
    assert len(failed) == len(bad), failed
    assert all(c["source"] == f"{kind['list']} in us-east-1" and not c["file"] for c in failed), failed
    assert all("\x1b" not in c["message"] and len(c["message"]) < 600 for c in failed)


# Kinds whose summaries carry no ARN (botocore 1.44.8, UserProfileDetails and
# InferenceExperimentSummary have none): the Describe response names it, and a user profile's
# listing builds it from the ARN of a domain that ListDomains gives, which is hostile too.
DESCRIBED = {
    "user_profile": ({"DomainId": "d-abc", "UserProfileName": "up", "Status": "InService"},
                     {"DomainId": "d-abc", "UserProfileName": "up", "Status": "InService"}),
    "inference_experiment": ({"Name": "up", "Type": "ShadowMode", "Status": "Running",
                              "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/experiments",
                              "CreationTime": 1700000000, "LastModifiedTime": 1700000000},
                             {"Name": "up", "Type": "ShadowMode", "Status": "Running",
                              "EndpointMetadata": {"EndpointName": "e"}, "ModelVariants": [],
                              "ShadowModeConfig": {"SourceModelVariantName": "a", "ShadowModelVariants": []}}),
}


REFUSED = {"user_profile": "is not a SageMaker user-profile ARN",
           "inference_experiment": "answered with another job"}


@pytest.mark.parametrize("name", sorted(DESCRIBED))
def test_a_path_traversing_arn_in_a_describe_response_is_an_error_and_nothing_leaves_out_dir(
        hostile, tmp_path, name):
    url, b = hostile
    kind = next(k for k in KINDS if k["name"] == name)
    summary, body = DESCRIBED[name]
    marker = f"sagemaker-audit-escape-{os.getpid()}-{name}"
    b.summaries[kind["list"]] = [summary]
    b.summaries["ListDomains"] = [{"DomainId": "d-abc", "DomainName": "d", "Status": "InService",
                                   "DomainArn": f"arn:aws:sagemaker:us-east-1:../../../../tmp/{marker}:domain/d-abc"}]
    b.describes[kind["describe"]] = {
        **body, kind["arn_field"]: f"arn:aws:sagemaker:us-east-1:../../../../tmp/{marker}:{kind['arn_resource']}/up"}
    out = tmp_path / "work" / "out"
    r = run(["collect", "--kinds", name, "--out-dir", str(out), "--region", "us-east-1"], url, cwd=tmp_path)
    assert r.returncode == 3, r.stderr
    assert not list(Path("/tmp").glob(f"{marker}*"))
    assert all(p.startswith("work/out") or p == "work" for p in tree(tmp_path)), tree(tmp_path)
    r = run(["scan", "--live", "--kinds", name, "--region", "us-east-1", "--format", "json"], url)
    assert r.returncode == 3, r.stderr
    live = json.loads(r.stdout)
    assert live["findings"] == [] and len(live["errors"]) == 1, live["errors"]
    [error] = live["errors"]
    # Refused for its ARN (the listing's, or the answer's), not for a body the SDK cannot read.
    assert REFUSED[name] in error["message"] and marker in error["message"], error
    assert "\x1b" not in error["message"] and len(error["message"]) < 600


ODD_NAMES = ["", "n" * 10_000, "a.b", "a_b", "Job-A", "job-a", "../../escape", "with/slash", "con", "caf\u00e9"]


def test_every_name_round_trips_through_collect(hostile, tmp_path):
    url, b = hostile
    b.jobs = [(name, arn_for(name)) for name in ODD_NAMES]
    out = tmp_path / "out"
    r = run(["collect", "--out-dir", str(out), "--region", "us-east-1"], url)
    assert r.returncode == 0, r.stderr
    files = [p for p in (out / ACCOUNT / "us-east-1" / "training").iterdir()]
    assert len(files) == len(ODD_NAMES), sorted(p.name for p in files)
    assert all(len(p.name) < 256 and not p.name.startswith(".") for p in files)
    # Distinct even where case is ignored.
    assert len({p.name.lower() for p in files}) == len(files)
    live_code, live = None, None
    r = run(["scan", "--live", "--region", "us-east-1", "--format", "json"], url)
    live_code, live = r.returncode, json.loads(r.stdout)
    r = run(["scan", ".", "--format", "json"], url, cwd=out)
    offline = json.loads(r.stdout)
    assert r.returncode == live_code == 1, r.stderr
    assert offline["findings"] == live["findings"]
    assert offline["errors"] == live["errors"] == []
    assert sorted({f["job_name"] for f in offline["findings"]}) == sorted(ODD_NAMES)


@pytest.mark.parametrize("chunked", [False, True])
def test_a_huge_malformed_body_is_one_short_error(hostile, tmp_path, chunked):
    url, b = hostile
    b.jobs = [("good", arn_for("good")), ("huge", arn_for("huge"))]
    b.bodies["huge"] = b'{"TrainingJobName": "huge", "Junk": "' + b"\x1b[2J" * 12_500_000 + b'"'
    if chunked:
        b.chunked.add("huge")
    out = tmp_path / "reports"
    started = time.monotonic()
    r = run(["scan", "--live", "--region", "us-east-1", "--out-dir", str(out), "--max-attempts", "1"], url)
    elapsed = time.monotonic() - started
    assert r.returncode == 3, r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, r.stderr
    assert len(errors[0]) < 600, errors[0]
    assert "\x1b" not in r.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["summary"]["jobs"] == 1
    assert all(len(e["message"]) < 600 for e in report["errors"])
    assert sum(p.stat().st_size for p in out.iterdir()) < 2_000_000
    assert elapsed < 60, elapsed


def test_a_hung_endpoint_ends_as_an_error_in_bounded_time(hostile, tmp_path):
    url, b = hostile
    b.hang.add("ListTrainingJobs")
    started = time.monotonic()
    r = run(["scan", "--live", "--region", "us-east-1", "--format", "json", "--attempt-timeout", "2",
             "--operation-timeout", "5", "--max-attempts", "2"], url)
    elapsed = time.monotonic() - started
    assert r.returncode == 3, r.stderr
    report = json.loads(r.stdout)
    assert [e["source"] for e in report["errors"]] == ["ListTrainingJobs in us-east-1"]
    assert "timed out" in report["errors"][0]["message"], report["errors"][0]
    assert elapsed < 30, elapsed


def test_a_hung_describe_is_one_error_per_job_and_the_rest_complete(hostile):
    url, b = hostile
    b.jobs = [("good", arn_for("good"))]
    b.bodies["good"] = json.dumps(describe_body("good", arn_for("good"))).encode()
    b.hang.add("DescribeTrainingJob")
    started = time.monotonic()
    r = run(["scan", "--live", "--region", "us-east-1", "--format", "json", "--attempt-timeout", "1",
             "--operation-timeout", "3", "--max-attempts", "2"], url)
    assert time.monotonic() - started < 30
    report = json.loads(r.stdout)
    assert r.returncode == 3
    assert [e["source"] for e in report["errors"]] == [f"{ACCOUNT}/us-east-1/training/good.json"]


def test_an_organization_listing_that_is_no_account_id_stops_the_scan(hostile, tmp_path):
    url, b = hostile
    b.org_pages = [[ACCOUNT, "../../../tmp/x"]]
    out = tmp_path / "out"
    r = run(["collect", "--organization", "--role-name", "Audit", "--out-dir", str(out)], url)
    assert r.returncode == 2, r.stderr
    assert "no account id" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not out.exists() or tree(out) == []


def test_a_repeating_organization_token_is_an_error_not_a_short_list(hostile):
    url, b = hostile
    b.org_token_loop = True
    r = run(["scan", "--live", "--organization", "--format", "json"], url)
    assert r.returncode == 2, r.stderr
    assert "NextToken" in r.stderr, r.stderr


def test_a_cycle_of_organization_tokens_is_an_error(hostile):
    # A -> B -> A: not the same token twice in a row, yet a loop.
    url, b = hostile
    b.token_cycle = {"ListAccounts"}
    r = run(["scan", "--live", "--organization", "--format", "json"], url)
    assert r.returncode == 2, r.stderr
    assert "came back" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_a_cycle_of_job_list_tokens_is_one_error_row(hostile):
    url, b = hostile
    b.jobs = [("one", arn_for("one"))]
    b.token_cycle = {"ListTrainingJobs"}
    # One chain of pages stops at the first token that comes back; a listing split into
    # ranges (every range gets the same cycle) stops at the first range that sees one, with at
    # most one chain per place in flight (twice --concurrency) begun.
    for flags, most in ((["--sequential-listing"], 3), ([], 1 + 2 * 8 * 3)):
        b.calls = []
        r = run(["scan", "--live", "--kinds", "training", "--format", "json", *flags], url)
        assert r.returncode == 3, r.stderr
        report = json.loads(r.stdout)
        [error] = report["errors"]
        assert "ListTrainingJobs" in error["message"] and "came back" in error["message"], error
        calls = b.calls.count("ListTrainingJobs")
        assert calls <= most and (calls == most or not flags), (flags, calls)


def test_an_account_without_status_is_an_error_row(hostile):
    url, b = hostile
    b.org_pages = [[ACCOUNT, "210987654321"]]
    b.no_status = {"210987654321"}
    r = run(["scan", "--live", "--organization", "--role-name", "Audit", "--format", "json", "-q"], url)
    assert r.returncode == 3, r.stderr
    report = json.loads(r.stdout)
    errors = [e for e in report["errors"] if "210987654321" in e["source"]]
    assert len(errors) == 1 and "neither State nor Status" in errors[0]["message"], report["errors"]


def test_a_listed_job_of_another_account_is_refused(hostile):
    url, b = hostile
    b.jobs = [("mine", arn_for("mine")), ("theirs", arn_for("theirs", account="999999999999"))]
    r = run(["scan", "--live", "--accounts", ACCOUNT, "--format", "json", "--kinds", "training"], url)
    assert r.returncode == 3, r.stderr
    report = json.loads(r.stdout)
    assert [f["job_name"] for f in report["findings"]] == ["mine", "mine"]
    [error] = report["errors"]
    assert "999999999999" in error["message"] and "not 123456789012" in error["message"], error


def test_a_caller_identity_that_is_no_account_stops_the_scan(hostile):
    url, b = hostile
    b.caller = "1234\u202e5"
    r = run(["scan", "--live", "--accounts", ACCOUNT, "--format", "json"], url)
    assert r.returncode == 2 and "no account id" in r.stderr, r.stderr
    assert "\u202e" not in r.stderr
