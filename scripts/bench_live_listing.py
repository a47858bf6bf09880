"""Large-account live benchmark: one account and region with N training jobs (never AWS).

The jobs live in the fake endpoint of tests/live/fake_listing.py (moto cannot filter by creation
time before paging, nor hold 100,000 jobs at speed), created evenly over the past year and up to
today, each call answered after 50 ms. Measured, each once:
  - a full scan (list, describe every job, report) listing one chain of pages
    (--sequential-listing), and one split into creation-time ranges (the default) that fills a
    fresh --cache;
  - the re-scans of the unchanged account from that cache (List calls only), split and not.
Each row gives the calls, the listing time (first List request to last List answer, at the
endpoint), the wall time and the latency-bound ideal; the peak memory is
each scan's own (/usr/bin/time), with the JSON report written to a file.
Usage: bench_live_listing.py BINARY [JOBS] [CONCURRENCY]
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "live"))
from fake_listing import FakeListing  # noqa: E402

BIN = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
CONC = int(sys.argv[3]) if len(sys.argv) > 3 else 64
LATENCY = 0.05

now = time.time()
fake = FakeListing([(now - 365 * 86_400 + i * (365 * 86_400 / N), f"bench-{i:06d}") for i in range(N)],
                   latency=LATENCY)
url = fake.start()
env = {**os.environ, "AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t", "AWS_REGION": "us-east-1",
       "AWS_ENDPOINT_URL": url, "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/nonexistent",
       "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}


def run(*flags):
    """One scan: wall seconds, List calls, Describe calls, listing seconds."""
    fake.list_calls = fake.describe_calls = 0
    fake.first_list = fake.last_list = None
    out = Path(tempfile.mkdtemp(prefix="sa-bench-out-"))
    t = time.perf_counter()
    # /usr/bin/time measures the scan alone (a fork of this process would count its memory).
    r = subprocess.run(["/usr/bin/time", "-f", "%M", BIN, "scan", "--live", "--kinds", "training",
                        "--format", "json", "-q", "--out-dir", str(out),
                        "--concurrency", str(CONC), "--max-concurrency", str(CONC), *flags],
                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t
    assert r.returncode in (0, 1), r.stderr[-2000:]
    with open(out / "report.json") as f:
        jobs = json.load(f)["summary"]["jobs"]
    shutil.rmtree(out)
    assert jobs == N, (jobs, r.stderr[-500:])
    return {"wall": wall, "mb": int(r.stderr.strip().splitlines()[-1]) / 1024, "lists": fake.list_calls,
            "describes": fake.describe_calls, "listing": fake.last_list - fake.first_list}


cache = tempfile.mkdtemp(prefix="sa-bench-cache-")
print(f"{N} training jobs, {LATENCY * 1000:.0f} ms per call, --concurrency {CONC}, {os.cpu_count()} cores\n",
      flush=True)
print("| scan | List calls | Describe calls | listing (s) | wall (s) | ideal (s) | wall / ideal | peak MB |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")


def row(name, m, sequential):
    # The latency-bound ideal: a chain of pages runs one call at a time, the rest CONC at a time.
    lists = m["lists"] * LATENCY if sequential else m["lists"] * LATENCY / CONC
    ideal = lists + m["describes"] * LATENCY / CONC
    print(f"| {name} | {m['lists']} | {m['describes']} | {m['listing']:.2f} | {m['wall']:.2f} | {ideal:.2f} | "
          f"{m['wall'] / ideal:.2f}x | {m['mb']:.0f} |", flush=True)
    return m


full_seq = row("full scan, one chain of pages (--sequential-listing)", run("--sequential-listing"), True)
full = row("full scan, split listing (default), filling --cache", run("--cache", cache), False)
again = row("re-scan from --cache, split listing", run("--cache", cache), False)
again_seq = row("re-scan from --cache, one chain of pages", run("--cache", cache, "--sequential-listing"), True)
peak = max(m["mb"] for m in (full_seq, full, again, again_seq))
print(f"\nsplit listing vs one chain of pages: {again_seq['listing'] / again['listing']:.1f}x faster (goal 8x); "
      f"full scan, split vs chain: {full_seq['wall'] / full['wall']:.2f}x; "
      f"cached re-scan vs full scan: {full['wall'] / again['wall']:.1f}x faster (goal 20x); "
      f"peak memory of any scan {peak:.0f} MB (budget 300)")
