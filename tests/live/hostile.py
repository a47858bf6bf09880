"""A hostile SageMaker endpoint: it speaks just enough of the JSON protocol for the real AWS
SDK to talk to it, and answers with what a compromised or fake endpoint could send —
path-traversing ARNs, odd job names, malformed and huge bodies, or nothing at all.

Tests set `Behaviour` fields, then point the tool at the server with AWS_ENDPOINT_URL.
"""

import json
import os
import subprocess
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACCOUNT = "123456789012"



def catalogue():
    out = subprocess.run([os.environ["SAGEMAKER_AUDIT_BIN"], "kinds", "--json"],
                         capture_output=True, text=True, check=True).stdout
    # Only what a live scan lists.
    return [k for k in json.loads(out) if k["listed"]]


KINDS = catalogue()
# List operations of the kinds other than training jobs, and the member holding their
# summaries, as the tool declares them.
OTHER_LISTS = {k["list"]: k["summaries"] for k in KINDS if k["name"] != "training"}


def describe_body(name, arn, volume_key=None, output_key=None):
    body = {
        "TrainingJobName": name,
        "TrainingJobArn": arn,
        "TrainingJobStatus": "Completed",
        "SecondaryStatus": "Completed",
        "AlgorithmSpecification": {"TrainingImage": "img", "TrainingInputMode": "File"},
        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/sm",
        "OutputDataConfig": {"S3OutputPath": "s3://bucket/out/"},
        "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "ModelArtifacts": {"S3ModelArtifacts": "s3://bucket/out/model.tar.gz"},
        "CreationTime": 1700000000,
        "LastModifiedTime": 1700000100,
    }
    if volume_key:
        body["ResourceConfig"]["VolumeKmsKeyId"] = volume_key
    if output_key:
        body["OutputDataConfig"]["KmsKeyId"] = output_key
    return body


class Behaviour:
    """What the endpoint does; tests change it between runs."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.jobs = []             # (name, arn) pairs listed, in order
        self.bodies = {}           # name -> raw bytes answered to DescribeTrainingJob
        self.chunked = set()       # names whose describe body is sent chunked (no Content-Length)
        self.hang = set()          # operations that accept and never answer
        self.caller = ACCOUNT      # the Account sts:GetCallerIdentity answers
        self.org_pages = [[ACCOUNT]]  # organizations:ListAccounts pages of account ids
        self.org_token_loop = False   # every ListAccounts page carries the same NextToken
        self.token_cycle = set()      # operations whose tokens go A -> B -> A -> ... forever
        self.no_status = set()        # accounts ListAccounts gives with neither Status nor State
        self.calls = []
        self.summaries = {}        # List operation of another kind -> the summaries it answers
        self.describes = {}        # Describe operation of another kind -> the body it answers


def arn_for(name, account=ACCOUNT, region="us-east-1"):
    return f"arn:aws:sagemaker:{region}:{account}:training-job/{name}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length) or b"{}"
        b = self.server.behaviour
        if "x-www-form-urlencoded" in self.headers.get("Content-Type", ""):
            form = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
            b.calls.append(form.get("Action"))
            if form.get("Action") == "GetCallerIdentity":
                body = (f'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
                        f'<GetCallerIdentityResult><Arn>arn:aws:iam::{ACCOUNT}:user/auditor</Arn>'
                        f'<UserId>AIDA</UserId><Account>{b.caller}</Account></GetCallerIdentityResult>'
                        f'<ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></GetCallerIdentityResponse>')
                self.answer(200, body.encode(), content_type="text/xml")
            else:
                self.answer(400, b"<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>",
                            content_type="text/xml")
            return
        params = json.loads(raw)
        operation = self.headers.get("X-Amz-Target", "").split(".")[-1]
        b.calls.append(operation)
        cycle = {None: "A", "A": "B", "B": "A"}
        if operation == "ListAccounts":
            token = params.get("NextToken")
            page = 0 if token in ("A", "B") else int(token or 0)
            accounts = [{"Id": a, "Arn": f"arn:aws:organizations::{ACCOUNT}:account/o-x/{a}", "Name": a,
                         "Email": "a@example.com", "Status": "ACTIVE"} for a in b.org_pages[page]]
            for a in accounts:
                if a["Id"] in b.no_status:
                    del a["Status"]
            out = {"Accounts": accounts}
            if operation in b.token_cycle:
                out["NextToken"] = cycle[token]
            elif b.org_token_loop:
                out["NextToken"] = "0"
            elif page + 1 < len(b.org_pages):
                out["NextToken"] = str(page + 1)
            self.answer(200, json.dumps(out).encode())
            return
        if operation in b.hang:
            # Accept, read the request, never answer (until the test ends).
            time.sleep(3600)
            return
        if operation == "ListTrainingJobs":
            summaries = [
                {"TrainingJobName": n, "TrainingJobArn": a, "TrainingJobStatus": "Completed",
                 "CreationTime": 1700000000}
                for n, a in b.jobs
            ]
            out = {"TrainingJobSummaries": summaries}
            if operation in b.token_cycle:
                out["NextToken"] = cycle[params.get("NextToken")]
            self.answer(200, json.dumps(out).encode())
        elif operation == "DescribeTrainingJob":
            name = params.get("TrainingJobName")
            if name in b.bodies:
                self.answer(200, b.bodies[name], chunked=name in b.chunked)
                return
            arn = dict(b.jobs).get(name)
            if arn is None:
                self.answer(400, json.dumps({"__type": "ValidationException",
                                             "message": "Requested resource not found."}).encode())
                return
            self.answer(200, json.dumps(describe_body(name, arn)).encode())
        elif operation in b.describes:
            self.answer(200, json.dumps(b.describes[operation]).encode())
        elif operation in OTHER_LISTS:
            # The other kinds: what a test set, else an account with none of them.
            out = {OTHER_LISTS[operation]: b.summaries.get(operation, [])}
            self.answer(200, json.dumps(out).encode())
        else:
            self.answer(400, json.dumps({"__type": "UnknownOperationException", "message": operation}).encode())

    def answer(self, status, payload, chunked=False, content_type="application/x-amz-json-1.1"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            step = 1 << 20
            try:
                for i in range(0, len(payload), step):
                    part = payload[i:i + step]
                    self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        try:
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass


def start(behaviour):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.behaviour = behaviour
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
