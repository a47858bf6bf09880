"""A small fake SageMaker endpoint for what moto cannot model: listing large accounts.

moto 5.2 pages ListTrainingJobs before it filters by creation time (a filtered page can be empty
and still carry a token) and holds every job in a Python dict it copies per page, so it can
neither check creation-time ranges nor hold 100,000 jobs at speed. This endpoint keeps training
jobs sorted by creation time and answers ListTrainingJobs (CreationTimeAfter/Before filtered
first, then paged 100 at a time, bounds strict or inclusive as a test chooses),
DescribeTrainingJob and sts:GetCallerIdentity, each after an optional added latency. It runs
on asyncio, so a thousand calls in flight cost no threads. Tests and scripts/bench-live use it.
"""

import asyncio
import bisect
import json
import threading
import urllib.parse

ACCOUNT = "123456789012"
REGION = "us-east-1"


def arn_for(name):
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/{name}"


class FakeListing:
    """Training jobs as `(creation time, name)`, kept sorted; tests read the counters."""

    def __init__(self, jobs=(), latency=0.0, inclusive=False):
        self.jobs = sorted(jobs)
        self.created = {n: t for t, n in self.jobs}
        self.latency = latency
        self.inclusive = inclusive
        self.lock = threading.Lock()
        self.list_calls = 0
        self.describe_calls = 0
        self.ranges = []             # (CreationTimeAfter, CreationTimeBefore) of every List call
        self.after_list_call = None  # called with the List call count, before it is answered
        self.first_list = None       # loop time of the first List request
        self.last_list = None        # loop time of the last List answer
        self.port = None

    def add(self, created, name):
        with self.lock:
            bisect.insort(self.jobs, (created, name))
            self.created[name] = created

    def page(self, params):
        after, before = params.get("CreationTimeAfter"), params.get("CreationTimeBefore")
        with self.lock:
            if after is None:
                lo = 0
            elif self.inclusive:
                lo = bisect.bisect_left(self.jobs, (after, ""))
            else:
                lo = bisect.bisect_right(self.jobs, (after, "\U0010ffff"))
            if before is None:
                hi = len(self.jobs)
            elif self.inclusive:
                hi = bisect.bisect_right(self.jobs, (before, "\U0010ffff"))
            else:
                hi = bisect.bisect_left(self.jobs, (before, ""))
            start = lo + int(params.get("NextToken") or 0)
            size = min(int(params.get("MaxResults") or 100), 100)
            chosen = self.jobs[start:min(start + size, hi)]
        out = {"TrainingJobSummaries": [
            {"TrainingJobName": n, "TrainingJobArn": arn_for(n), "TrainingJobStatus": "Completed",
             "CreationTime": t, "LastModifiedTime": t + 60} for t, n in chosen]}
        if start + size < hi:
            out["NextToken"] = str(start + size - lo)
        return out

    def describe(self, name):
        created = self.created.get(name, 0)
        return {
            "TrainingJobName": name, "TrainingJobArn": arn_for(name), "TrainingJobStatus": "Completed",
            "SecondaryStatus": "Completed",
            "AlgorithmSpecification": {"TrainingImage": "img", "TrainingInputMode": "File"},
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/sm",
            "OutputDataConfig": {"S3OutputPath": "s3://bucket/out/"},
            "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
            "ModelArtifacts": {"S3ModelArtifacts": "s3://bucket/out/model.tar.gz"},
            "CreationTime": created, "LastModifiedTime": created + 60,
        }

    async def answer(self, headers, body):
        loop = asyncio.get_running_loop()
        if "x-www-form-urlencoded" in headers.get("content-type", ""):
            form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
            if form.get("Action") == "GetCallerIdentity":
                xml = (f'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
                       f'<GetCallerIdentityResult><Arn>arn:aws:iam::{ACCOUNT}:user/auditor</Arn>'
                       f'<UserId>AIDA</UserId><Account>{ACCOUNT}</Account></GetCallerIdentityResult>'
                       f'<ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></GetCallerIdentityResponse>')
                return 200, "text/xml", xml.encode()
            return 400, "text/xml", b"<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>"
        operation = headers.get("x-amz-target", "").split(".")[-1]
        params = json.loads(body or b"{}")
        if operation == "ListTrainingJobs":
            with self.lock:
                self.list_calls += 1
                count = self.list_calls
                self.ranges.append((params.get("CreationTimeAfter"), params.get("CreationTimeBefore")))
                if self.first_list is None:
                    self.first_list = loop.time()
            if self.after_list_call:
                self.after_list_call(count)
            await asyncio.sleep(self.latency)
            out = json.dumps(self.page(params)).encode()
            self.last_list = loop.time()
            return 200, "application/x-amz-json-1.1", out
        if operation == "DescribeTrainingJob":
            with self.lock:
                self.describe_calls += 1
            await asyncio.sleep(self.latency)
            return 200, "application/x-amz-json-1.1", json.dumps(self.describe(params["TrainingJobName"])).encode()
        # Every other kind has nothing to list.
        if operation.startswith("List"):
            await asyncio.sleep(self.latency)
            return 200, "application/x-amz-json-1.1", b"{}"
        err = json.dumps({"__type": "UnknownOperationException", "message": operation}).encode()
        return 400, "application/x-amz-json-1.1", err

    async def handle(self, reader, writer):
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                headers = {}
                while True:
                    h = await reader.readline()
                    if h in (b"\r\n", b"\n", b""):
                        break
                    k, v = h.decode().split(":", 1)
                    headers[k.strip().lower()] = v.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                status, ctype, payload = await self.answer(headers, body)
                head = (f"HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\n"
                        f"Content-Length: {len(payload)}\r\n\r\n").encode()
                writer.write(head + payload)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    def start(self):
        """Serves on a free port of 127.0.0.1 in a daemon thread; returns the endpoint URL."""
        ready = threading.Event()

        def run():
            loop = asyncio.new_event_loop()
            server = loop.run_until_complete(asyncio.start_server(self.handle, "127.0.0.1", 0, backlog=2048))
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        ready.wait()
        return f"http://127.0.0.1:{self.port}"
