"""Organisation-scale live benchmark against a local moto server (never AWS).

moto in multi-account mode holds an Organization of ACCOUNTS accounts with JOBS training jobs in
each of two regions (jobs created with each member's own credentials from sts:AssumeRole). The
scan reaches it through a latency proxy that adds 50 ms to every call.

moto answers about 200 requests/s on this machine, far less than a scan with 64 calls in flight
over 50 ms of latency asks for (1,280/s), so a moto-only run would measure moto. The proxy
therefore records moto's answer to every request once (a warm-up scan) and then replays it,
byte for byte, after the added latency: the responses are moto's own, the time is the scan's.
A request it has not seen is forwarded to moto and counted as a miss.

Measured, in one run:
  - the organisation scan (--organization --role-name, --max-concurrency C), its wall time
    against the ideal (calls x 50 ms / C) and its peak memory;
  - the same accounts scanned one at a time (one --accounts run per account, one after the
    other: how tools that walk an organisation account by account behave).
With BENCH_KINDS=all the scans list every kind moto implements (each account and region then
answers one List call per kind; only the training jobs have members), not only training jobs.
Usage: bench_live_org.py BINARY [ACCOUNTS] [JOBS_PER_REGION] [MAX_CONCURRENCY]
"""

import asyncio
import concurrent.futures
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import boto3

BIN = sys.argv[1]
ACCOUNTS = int(sys.argv[2]) if len(sys.argv) > 2 else 20
JOBS = int(sys.argv[3]) if len(sys.argv) > 3 else 250
CONC = int(sys.argv[4]) if len(sys.argv) > 4 else 128
REGIONS = ["us-east-1", "us-west-2"]
LATENCY = 0.05
ROLE = "SageMakerAudit"
# The registered kinds moto 5.2 answers List calls for. It lacks ListFeatureGroups, user profiles,
# inference experiments and model customization jobs (tests/live/proxy.py stands in for them in
# the live tests).
MOTO_KINDS = ["training", "processing", "transform", "tuning", "automl", "compilation", "endpoint_config",
              "endpoint", "notebook", "domain", "model_card", "data_quality_job_definition",
              "model_quality_job_definition", "model_bias_job_definition", "model_explainability_job_definition",
              "hyperpod_cluster"]
KINDS = ",".join(MOTO_KINDS) if os.environ.get("BENCH_KINDS") == "all" else "training"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Replay:
    """An HTTP/1.1 keep-alive proxy on asyncio: records moto's answers, replays them with latency."""

    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.cache = {}
        self.replay = False
        self.latency = 0.0
        self.requests = 0
        self.misses = 0
        self.pool = concurrent.futures.ThreadPoolExecutor(16)

    @staticmethod
    def key(path, headers, body):
        auth = headers.get("authorization", "")
        signer = auth.split("Credential=", 1)[1].split("/", 1)[0] if "Credential=" in auth else ""
        if "x-www-form-urlencoded" in headers.get("content-type", ""):
            form = urllib.parse.parse_qs(body.decode())
            form.pop("RoleSessionName", None)  # carries the run's time
            body = repr(sorted(form.items())).encode()
        scope = auth.split("Credential=", 1)[1].split("/")[2] if "Credential=" in auth else ""
        return (signer, scope, headers.get("x-amz-target", ""), path, body)

    def forward(self, method, path, headers, body):
        conn = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=60)
        try:
            conn.request(method, path, body=body, headers={k: v for k, v in headers.items() if k not in ("host",)})
            r = conn.getresponse()
            return r.status, [(k, v) for k, v in r.getheaders()
                              if k.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server")], r.read()
        finally:
            conn.close()

    async def handle(self, reader, writer):
        loop = asyncio.get_running_loop()
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                method, path, _ = line.decode().split(" ", 2)
                headers = {}
                while True:
                    h = await reader.readline()
                    if h in (b"\r\n", b"\n", b""):
                        break
                    k, v = h.decode().split(":", 1)
                    headers[k.strip().lower()] = v.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.requests += 1
                key = self.key(path, headers, body)
                answer = self.cache.get(key) if self.replay else None
                if answer is None:
                    if self.replay:
                        self.misses += 1
                    answer = await loop.run_in_executor(self.pool, self.forward, method, path, headers, body)
                    self.cache[key] = answer
                if self.latency:
                    await asyncio.sleep(self.latency)
                status, hdrs, payload = answer
                head = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in hdrs] + [f"Content-Length: {len(payload)}", "", ""]
                writer.write("\r\n".join(head).encode() + payload)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    def start(self):
        port = free_port()
        ready = threading.Event()

        def run():
            loop = asyncio.new_event_loop()
            loop.run_until_complete(asyncio.start_server(self.handle, "127.0.0.1", port, backlog=1024))
            ready.set()
            loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        ready.wait()
        return f"http://127.0.0.1:{port}"


def timed(args, endpoint):
    """Runs the binary; returns (wall seconds, peak RSS MB, exit code)."""
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint, "AWS_EC2_METADATA_DISABLED": "true",
           "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
           "SOURCE_DATE_EPOCH": "1700000000"}
    # GNU time reports the peak of the program itself (a forked Python child's own peak would
    # include the parent's pages from before exec).
    with tempfile.NamedTemporaryFile("r") as rss:
        t = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name, BIN, *args], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall = time.perf_counter() - t
        assert p.returncode in (0, 1), p.stderr.decode()
        return wall, int(rss.read().split()[-1]) / 1024, p.returncode


def main():
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    moto = subprocess.Popen([str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        orgs = boto3.client("organizations", **kw)
        orgs.create_organization(FeatureSet="ALL")
        management = boto3.client("sts", **kw).get_caller_identity()["Account"]
        accounts = [management]
        for i in range(ACCOUNTS - 1):
            accounts.append(orgs.create_account(AccountName=f"ml-{i}", Email=f"ml-{i}@example.com")["CreateAccountStatus"]["AccountId"])
        t = time.perf_counter()

        def seed(account, region):
            if account == management:
                session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)
            else:
                c = boto3.client("sts", **kw).assume_role(RoleArn=f"arn:aws:iam::{account}:role/seed", RoleSessionName="seed")["Credentials"]
                session = boto3.Session(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                                        aws_session_token=c["SessionToken"], region_name=region)
            sm = session.client("sagemaker", endpoint_url=url)
            for i in range(JOBS):
                sm.create_training_job(
                    TrainingJobName=f"bench-{i:04d}", RoleArn=f"arn:aws:iam::{account}:role/r",
                    AlgorithmSpecification={"TrainingImage": "img", "TrainingInputMode": "File"},
                    OutputDataConfig={"S3OutputPath": "s3://b/", **({"KmsKeyId": "alias/ml"} if i % 2 else {})},
                    ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10},
                    StoppingCondition={"MaxRuntimeInSeconds": 60})

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda ar: seed(*ar), [(a, r) for a in accounts for r in REGIONS]))
        print(f"seeded {ACCOUNTS} accounts x {len(REGIONS)} regions x {JOBS} jobs = {ACCOUNTS * len(REGIONS) * JOBS} "
              f"training jobs in {time.perf_counter() - t:.0f} s")

        proxy = Replay(port)
        endpoint = proxy.start()
        org_args = ["scan", "--live", "--organization", "--role-name", ROLE, "--kinds", KINDS,
                    "--regions", ",".join(REGIONS), "--format", "json", "-q", "--max-concurrency", str(CONC)]
        # Warm-up: record every answer (moto speed, no added latency), twice so that anything
        # the first run did not ask is asked by the second.
        timed(org_args, endpoint)
        for a in accounts:
            timed(["scan", "--live", "--accounts", a, "--role-name", ROLE, "--kinds", KINDS,
                   "--regions", ",".join(REGIONS), "--format", "json", "-q"], endpoint)
        proxy.replay, proxy.latency = True, LATENCY

        proxy.requests = proxy.misses = 0
        org_wall, org_rss, _ = timed(org_args, endpoint)
        calls, misses = proxy.requests, proxy.misses
        ideal = calls * LATENCY / CONC

        proxy.requests = 0
        seq_wall, seq_rss = 0.0, 0.0
        for a in accounts:
            w, r, _ = timed(["scan", "--live", "--accounts", a, "--role-name", ROLE, "--kinds", KINDS,
                             "--regions", ",".join(REGIONS), "--format", "json", "-q"], endpoint)
            seq_wall += w
            seq_rss = max(seq_rss, r)
        seq_calls = proxy.requests

        print(f"\n{ACCOUNTS} accounts x {len(REGIONS)} regions x {JOBS} training jobs; kinds listed: {KINDS}; "
              f"{LATENCY * 1000:.0f} ms added per call; "
              f"{os.cpu_count()} cores; replay misses: {misses}\n")
        print("| run | calls | wall (s) | ideal (s) | wall / ideal | peak RSS (MB) |\n|---|---:|---:|---:|---:|---:|")
        print(f"| --organization, --max-concurrency {CONC} (default --concurrency 8 per account and region) "
              f"| {calls} | {org_wall:.2f} | {ideal:.2f} | {org_wall / ideal:.2f} | {org_rss:.0f} |")
        print(f"| one account at a time ({ACCOUNTS} runs of --accounts ID) | {seq_calls} | {seq_wall:.2f} | "
              f"{seq_calls * LATENCY / 16:.2f} | {seq_wall / (seq_calls * LATENCY / 16):.2f} | {seq_rss:.0f} |")
        print(f"\norganisation scan vs one account at a time: {seq_wall / org_wall:.1f}x faster")
    finally:
        moto.terminate()


main()
