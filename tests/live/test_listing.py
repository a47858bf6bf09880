"""Large listings through the real AWS SDK against the fake endpoint of fake_listing.py (moto
pages before it filters by creation time, so it cannot check ranges): a listing split into
creation-time ranges loses and repeats no job, whether the service's bounds are strict or
inclusive, with jobs on every second of a range and jobs created while the scan lists; and a
re-scan through --cache (or a collect into an earlier export) makes only List calls and gives
the same verdicts."""

import json
import os
import subprocess

import pytest

from fake_listing import FakeListing

BIN = os.environ["SAGEMAKER_AUDIT_BIN"]
DAY = 86_400
NOW = 1_790_000_000  # a past time: the scan's day ends later


def env(url):
    return {**os.environ, "AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t", "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": url, "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/nonexistent",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}


def scan(url, *extra, concurrency=8):
    r = subprocess.run([BIN, "scan", "--live", "--kinds", "training", "--format", "json",
                        "--concurrency", str(concurrency), *extra],
                       env=env(url), capture_output=True, text=True, timeout=600)
    assert r.returncode == 1, r.stderr  # every fake job fails both checks
    return json.loads(r.stdout)


def verdicts(report):
    return sorted((f["job_name"], f["rule_id"], f["status"], f.get("kms_key") or "") for f in report["findings"])


def jobs_of(report):
    names = [f["job_name"] for f in report["findings"] if f["rule_id"] == "training-volume-cmk"]
    assert len(names) == len(set(names)), "a job was reported twice"
    return set(names)


@pytest.mark.parametrize("inclusive", [False, True], ids=["strict-bounds", "inclusive-bounds"])
def test_a_split_listing_loses_and_repeats_no_job(inclusive):
    # 1,500 jobs over a year, then 1,200 on consecutive whole seconds (split bounds are whole
    # seconds, so some of these sit exactly on them), several at one instant.
    jobs = [(NOW - 365 * DAY + i * 21_000, f"spread-{i:05d}") for i in range(1_500)]
    jobs += [(NOW - 3_600 + i, f"dense-{i:05d}") for i in range(1_200)]
    jobs += [(NOW - 1_800, f"same-instant-{i}") for i in range(150)]
    fake = FakeListing(jobs, inclusive=inclusive)
    created = []

    def while_listing(call):
        # Jobs created during the scan, after the first pages were answered.
        if call in (3, 10, 20):
            for i in range(5):
                name = f"new-{call}-{i}"
                fake.add(NOW + call * 10 + i, name)
                created.append(name)

    fake.after_list_call = while_listing
    # Many places in flight, so ranges split down to minutes.
    report = scan(fake.start(), concurrency=64)
    found = jobs_of(report)
    expected = {n for _, n in jobs}
    assert expected <= found, f"lost: {sorted(expected - found)[:10]}"
    assert found <= expected | set(created), "a job nobody created"
    # The listing was split: ranges with both bounds were asked for, and more calls were made
    # than a chain of pages needs, each answered once per range.
    bounded = [r for r in fake.ranges if r[0] is not None and r[1] is not None]
    assert bounded, fake.ranges[:5]
    # Some bounds fall among the jobs one second apart, so jobs sit on them.
    assert any(NOW - 3_600 <= b <= NOW - 2_400 for r in bounded for b in r), sorted(bounded)[:20]
    assert fake.list_calls > len(jobs) // 100
    assert report["summary"]["jobs"] == len(found)


def test_a_listing_of_three_pages_is_not_split():
    jobs = [(NOW - i * 600, f"job-{i:05d}") for i in range(250)]
    fake = FakeListing(jobs)
    assert jobs_of(scan(fake.start())) == {n for _, n in jobs}
    assert (fake.list_calls, set(fake.ranges)) == (3, {(None, None)})


def test_sequential_listing_is_one_chain_of_pages():
    jobs = [(NOW - i * 600, f"job-{i:05d}") for i in range(1_050)]
    fake = FakeListing(jobs)
    report = scan(fake.start(), "--sequential-listing")
    assert jobs_of(report) == {n for _, n in jobs}
    assert fake.list_calls == 11
    assert all(r == (None, None) for r in fake.ranges)


def test_a_cached_rescan_makes_only_list_calls_and_gives_the_same_verdicts(tmp_path):
    jobs = [(NOW - i * 900, f"job-{i:05d}") for i in range(600)]
    fake = FakeListing(jobs)
    url = fake.start()
    cache = tmp_path / "cache"
    full = scan(url, "--cache", str(cache))
    assert fake.describe_calls == 600
    fake.describe_calls = 0
    again = scan(url, "--cache", str(cache))
    assert fake.describe_calls == 0, "a job that has ended was described again"
    assert verdicts(again) == verdicts(full)
    uncached = scan(url)
    assert verdicts(uncached) == verdicts(full)
    # A cache entry that is not a usable response is described again, and replaced.
    victim = next(cache.rglob("job-00007.json"))
    victim.write_text('{"TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/other"}')
    fake.describe_calls = 0
    assert verdicts(scan(url, "--cache", str(cache))) == verdicts(full)
    assert fake.describe_calls == 1
    assert "job-00007" in victim.read_text()
    # A job deleted and created again under its name (same ARN, another creation time) is
    # described again, not taken for the one kept.
    with fake.lock:
        fake.jobs.remove((NOW - 9 * 900, "job-00009"))
    fake.add(NOW + 60, "job-00009")
    fake.describe_calls = 0
    scan(url, "--cache", str(cache))
    assert fake.describe_calls == 1
    assert str(NOW + 60) in next(cache.rglob("job-00009.json")).read_text()


def test_collect_into_an_earlier_export_describes_only_new_jobs(tmp_path):
    jobs = [(NOW - i * 900, f"job-{i:05d}") for i in range(250)]
    fake = FakeListing(jobs)
    url = fake.start()
    out = tmp_path / "export"

    def collect():
        r = subprocess.run([BIN, "collect", "--out-dir", str(out), "--kinds", "training"], env=env(url),
                           capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr
        return json.loads((out / "manifest.json").read_text())["SagemakerAuditManifest"]["counts"]

    first = collect()
    assert (first["jobs_described"], first.get("jobs_cached", 0)) == (250, 0)
    fake.add(NOW + 5, "job-new")
    fake.describe_calls = 0
    second = collect()
    assert (second["jobs_listed"], second["jobs_described"], second["jobs_cached"]) == (251, 1, 250)
    assert fake.describe_calls == 1
    offline = subprocess.run([BIN, "scan", str(out), "--format", "json"], capture_output=True, text=True)
    assert len(jobs_of(json.loads(offline.stdout))) == 251
