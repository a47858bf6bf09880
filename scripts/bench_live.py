"""Live-mode benchmark against a local moto server (never AWS).

In one run, against one moto server holding N jobs:
  - moto's ceiling: DescribeTrainingJob calls/s from a 16-thread boto3 client,
  - the baseline a user would write: a sequential boto3 loop over list + describe,
  - `sagemaker-audit scan --live` (list + describe + rules + JSON report).
Usage: bench_live.py BINARY [N] [RUNS]
"""

import concurrent.futures
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3

BIN = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
RUNS = int(sys.argv[3]) if len(sys.argv) > 3 else 3

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    PORT = s.getsockname()[1]
URL = f"http://127.0.0.1:{PORT}"
moto = subprocess.Popen([str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(PORT)],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{URL}/moto-api/", timeout=1)
            break
        except Exception:
            time.sleep(0.1)
    kw = dict(endpoint_url=URL, region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")
    sm = boto3.client("sagemaker", **kw)
    for i in range(N):
        sm.create_training_job(
            TrainingJobName=f"bench-{i:05d}", RoleArn="arn:aws:iam::123456789012:role/r",
            AlgorithmSpecification={"TrainingImage": "img", "TrainingInputMode": "File"},
            OutputDataConfig={"S3OutputPath": "s3://b/", **({"KmsKeyId": "alias/ml"} if i % 2 else {})},
            ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10},
            StoppingCondition={"MaxRuntimeInSeconds": 60})

    def sequential():
        names = []
        for page in sm.get_paginator("list_training_jobs").paginate(PaginationConfig={"PageSize": 100}):
            names += [s["TrainingJobName"] for s in page["TrainingJobSummaries"]]
        for n in names:
            d = sm.describe_training_job(TrainingJobName=n)
            _ = (d.get("ResourceConfig", {}).get("VolumeKmsKeyId"), d.get("OutputDataConfig", {}).get("KmsKeyId"))
        assert len(names) == N

    def ceiling():
        names = [f"bench-{i:05d}" for i in range(N)]
        local = [boto3.client("sagemaker", **kw) for _ in range(16)]
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda a: local[a[0] % 16].describe_training_job(TrainingJobName=a[1]), enumerate(names)))

    env = {**os.environ, "AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t", "AWS_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": URL, "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/nonexistent"}

    def ours(concurrency):
        r = subprocess.run([BIN, "scan", "--live", "--format", "json", "-q", "--concurrency", str(concurrency)],
                           env=env, capture_output=True)
        assert r.returncode in (0, 1), r.stderr

    def timed(fn, *a):
        times = []
        for _ in range(RUNS):
            t = time.perf_counter()
            fn(*a)
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    c = timed(ceiling)
    seq = timed(sequential)
    rows = [("moto ceiling: 16-thread boto3 describes", c, N / c)]
    rows.append(("sequential boto3 loop: list + describe", seq, (N + N // 100 + 1) / seq))
    for conc in (8, 16):
        t = timed(ours, conc)
        rows.append((f"sagemaker-audit scan --live --concurrency {conc}", t, (N + N // 100 + 1) / t))
    print(f"{N} jobs in moto, median of {RUNS} runs, {os.cpu_count()} cores\n")
    print("| what | wall (s) | requests/s |\n|---|---:|---:|")
    for name, t, rate in rows:
        print(f"| {name} | {t:.2f} | {rate:.0f} |")
    print(f"\nsagemaker-audit (concurrency 8) vs the sequential loop: {seq / rows[2][1]:.2f}x faster; "
          f"describe rate vs moto's ceiling: {rows[2][2] / rows[0][2] * 100:.0f}%")
finally:
    moto.terminate()
