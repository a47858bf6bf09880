"""Runs action.yml's steps the way a GitHub runner runs a composite action: each `shell: bash`
step with its `env:` evaluated from the inputs and earlier steps' outputs, in the runner's
environment (GITHUB_ACTION_PATH, RUNNER_TEMP, RUNNER_OS/ARCH, and the GITHUB_OUTPUT,
GITHUB_STEP_SUMMARY and GITHUB_PATH files), `if:` conditions honoured. The release the install
step downloads is served from a local directory in the layout of a GitHub release; the
code-scanning upload (a JavaScript action) is recorded, not run."""

import datetime
import hashlib
import http.server
import json
import os
import re
import shutil
import ssl
import subprocess
import tarfile
import threading
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((REPO / "action.yml").read_text())
TARGET = "x86_64-unknown-linux-gnu"


def binary():
    path = os.environ.get("SAGEMAKER_AUDIT_BIN")
    if not path or not Path(path).exists():
        pytest.fail("set SAGEMAKER_AUDIT_BIN to the built binary (scripts/test does)")
    return path


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """A release directory served over HTTPS (a certificate made here, which the install step's
    curl trusts through CURL_CA_BUNDLE): download/v9.9.9/ and latest/download/."""
    root = tmp_path_factory.mktemp("release")
    stage = root / "stage" / f"sagemaker-audit-{TARGET}"
    stage.mkdir(parents=True)
    shutil.copy(binary(), stage / "sagemaker-audit")
    archive_name = f"sagemaker-audit-{TARGET}.tar.xz"
    for where in ("download/v9.9.9", "latest/download"):
        d = root / "site" / where
        d.mkdir(parents=True)
        with tarfile.open(d / archive_name, "w:xz", preset=0) as tar:
            tar.add(stage, arcname=stage.name)
        digest = hashlib.sha256((d / archive_name).read_bytes()).hexdigest()
        (d / f"{archive_name}.sha256").write_text(f"{digest} *{archive_name}\n")

    site = root / "site"

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(site), **kw)

        def log_message(self, *a):
            pass

    cert, key = root / "cert.pem", root / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    os.environ["CURL_CA_BUNDLE"] = str(cert)
    yield f"https://127.0.0.1:{server.server_address[1]}", site
    server.shutdown()


def step_outputs(text):
    """A GITHUB_OUTPUT file as the runner reads it: `name=value` lines and the delimiter form
    `name<<DELIMITER` ... `DELIMITER`."""
    out, lines = {}, iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            for inner in lines:
                if inner == delimiter:
                    break
                value.append(inner)
            out[name] = "\n".join(value)
        elif "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
    return out


EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


class Runner:
    """Just enough of the runner for this action's expressions."""

    def __init__(self, workspace, tmp, inputs, base_url):
        self.workspace, self.tmp = workspace, tmp
        self.inputs = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
        unknown = set(inputs) - set(self.inputs)
        assert not unknown, f"action.yml has no inputs {unknown}"
        self.inputs.update(inputs)
        self.outputs = {}
        self.files = {n: tmp / n for n in ("output", "summary", "path")}
        for f in self.files.values():
            f.write_text("")
        self.base_url = base_url
        self.pins = None
        self.uploads = []
        self.logs = []
        self.failed = None

    def value(self, expr):
        expr = expr.strip()
        if expr.startswith("inputs."):
            return self.inputs[expr[len("inputs."):]]
        if expr.startswith("steps."):
            _, step, _, name = expr.split(".", 3)
            return self.outputs.get(step, {}).get(name, "")
        if expr == "github.action_repository":
            return "example/sagemaker-audit"
        if expr.startswith("'") and expr.endswith("'"):
            return expr[1:-1]
        raise AssertionError(f"the test runner does not know {expr!r}")

    def condition(self, text):
        if text is None:
            return self.failed is None
        text = EXPR.sub(lambda m: m.group(1), str(text))
        result = True
        always = False
        for part in text.split("&&"):
            part = part.strip()
            if part == "always()":
                always = True
                continue
            left, op, right = re.match(r"(.+?)\s*(==|!=)\s*(.+)", part).groups()
            equal = self.value(left) == self.value(right)
            result = result and (equal if op == "==" else not equal)
        return result and (always or self.failed is None)

    def subst(self, text):
        return EXPR.sub(lambda m: self.value(m.group(1)), str(text))

    def run(self):
        for step in ACTION["runs"]["steps"]:
            if not self.condition(step.get("if")):
                continue
            if "uses" in step:
                self.uploads.append((step["uses"], {k: self.subst(v) for k, v in step.get("with", {}).items()}))
                continue
            assert step["shell"] == "bash"
            extra_path = [p for p in self.files["path"].read_text().splitlines() if p]
            env = {
                "PATH": ":".join(extra_path + ["/usr/bin", "/bin"]),
                "HOME": str(self.tmp),
                "GITHUB_ACTION_PATH": str(REPO),
                "GITHUB_WORKSPACE": str(self.workspace),
                "RUNNER_TEMP": str(self.tmp),
                "RUNNER_OS": "Linux",
                "RUNNER_ARCH": "X64",
                "GITHUB_OUTPUT": str(self.files["output"]),
                "GITHUB_STEP_SUMMARY": str(self.files["summary"]),
                "GITHUB_PATH": str(self.files["path"]),
                "SA_DOWNLOAD_BASE": self.base_url,
                "CURL_CA_BUNDLE": os.environ.get("CURL_CA_BUNDLE", ""),
                **({"SA_PINNED_CHECKSUMS": self.pins} if self.pins else {}),
                **{k: self.subst(v) for k, v in step.get("env", {}).items()},
            }
            self.files["output"].write_text("")
            r = subprocess.run(["bash", "-e", "-c", self.subst(step["run"])], cwd=self.workspace, env=env,
                               capture_output=True, text=True, timeout=300)
            self.outputs[step.get("id", step["name"])] = step_outputs(self.files["output"].read_text())
            step_log = r.stdout + r.stderr
            self.logs.append((step["name"], step_log))
            if r.returncode != 0:
                self.failed = (step["name"], r.returncode, step_log)
        return self

    def output(self, name):
        return self.subst(ACTION["outputs"][name]["value"])


def workspace_with(tmp_path, *fixtures):
    ws = tmp_path / "repo"
    ws.mkdir()
    for f in fixtures:
        if (REPO / f).is_dir():
            shutil.copytree(REPO / f, ws / Path(f).name)
        else:
            shutil.copy(REPO / f, ws / Path(f).name)
    return ws


def test_a_failing_scan_uploads_sarif_writes_the_summary_and_fails(tmp_path, release):
    url, _ = release
    ws = workspace_with(tmp_path, "tests/fixtures/basic", "samples/pipelines/churn-pipeline.json")
    r = Runner(ws, tmp_path, {"paths": "basic churn-pipeline.json", "version": "v9.9.9", "sarif-category": "ml"},
               url).run()
    assert r.failed and r.failed[0] == "Verdict" and r.failed[1] == 1, r.failed
    assert r.output("exit-code") == "1"
    assert int(r.output("fail")) > 0 and int(r.output("gating-failures")) == int(r.output("fail"))
    assert r.output("errors") == "0"
    sarif = ws / r.output("sarif-file")
    assert sarif.exists() and json.loads(sarif.read_text())["runs"][0]["automationDetails"]["id"].startswith("ml")
    assert r.uploads == [("github/codeql-action/upload-sarif@v3",
                          {"sarif_file": "sagemaker-audit-reports/report.sarif", "category": "ml"})]
    summary = r.files["summary"].read_text()
    assert summary == (ws / "sagemaker-audit-reports" / "report.md").read_text()
    assert "| Check |" in summary
    # The binary the install step put on PATH is the released one.
    installed = tmp_path / "sagemaker-audit" / "bin" / "sagemaker-audit"
    assert installed.exists() and str(installed.parent) in r.files["path"].read_text()


def test_fail_on_never_passes_and_json_is_always_written(tmp_path, release):
    url, _ = release
    ws = workspace_with(tmp_path, "tests/fixtures/basic")
    r = Runner(ws, tmp_path, {"paths": "basic", "fail-on": "never", "formats": "csv", "upload-sarif": "false"}, url).run()
    assert r.failed is None, r.logs
    assert r.output("exit-code") == "0" and r.output("gating-failures") == "0"
    out = ws / "sagemaker-audit-reports"
    assert sorted(p.name for p in out.iterdir()) == ["report.csv", "report.json", "report.md"]
    assert r.output("sarif-file") == "" and r.uploads == []


def test_waivers_and_baseline_reach_the_scan(tmp_path, release):
    url, _ = release
    ws = workspace_with(tmp_path, "tests/fixtures/basic")
    # An expiry a month from the real date, so the test does not change meaning as time passes.
    expires = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    (ws / "waivers.toml").write_text('[[waiver]]\nrule = "training-volume-cmk"\nreason = "Known legacy jobs"\n'
                                     f'owner = "ml@example.com"\nexpires = {expires}\n')
    first = Runner(ws, tmp_path, {"paths": "basic", "upload-sarif": "false"}, url).run()
    assert first.output("exit-code") == "1"
    report = json.loads((ws / "sagemaker-audit-reports" / "report.json").read_text())
    assert not any(f["waived"] for f in report["findings"])
    shutil.copy(ws / "sagemaker-audit-reports" / "report.json", ws / "last.json")

    # The waivers alone: exactly the volume failures are waived, in the report the step wrote.
    waived = Runner(ws, tmp_path, {"paths": "basic", "waivers": "waivers.toml", "upload-sarif": "false"},
                    url).run()
    report = json.loads((ws / "sagemaker-audit-reports" / "report.json").read_text())
    volume_fails = [f for f in report["findings"]
                    if f["status"] == "FAIL" and f["rule_id"] == "training-volume-cmk"]
    assert volume_fails and all(f["waived"] for f in volume_fails)
    assert not any(f["waived"] for f in report["findings"] if f["rule_id"] != "training-volume-cmk")
    assert report["waivers"]["applied"] == len(volume_fails)
    assert waived.output("exit-code") == "1", "output failures are not waived"

    # The baseline alone: nothing new, so the step passes although failures remain.
    r = Runner(ws, tmp_path, {"paths": "basic", "baseline": "last.json", "upload-sarif": "false"}, url).run()
    assert r.failed is None, r.failed
    assert r.output("exit-code") == "0" and int(r.output("fail")) > 0
    report = json.loads((ws / "sagemaker-audit-reports" / "report.json").read_text())
    assert {f["baseline_state"] for f in report["findings"] if f["status"] == "FAIL"} == {"unchanged"}


def test_an_incomplete_scan_fails_with_exit_code_3(tmp_path, release):
    url, _ = release
    ws = workspace_with(tmp_path, "tests/fixtures/basic")
    (ws / "basic" / "broken.json").write_text("{not json")
    r = Runner(ws, tmp_path, {"paths": "basic", "upload-sarif": "false"}, url).run()
    assert r.failed and r.failed[1] == 3 and r.output("errors") == "1"


def test_a_tampered_download_installs_nothing(tmp_path, release):
    url, site = release
    archive = site / "latest" / "download" / f"sagemaker-audit-{TARGET}.tar.xz"
    good = archive.read_bytes()
    archive.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    try:
        ws = workspace_with(tmp_path, "tests/fixtures/basic")
        r = Runner(ws, tmp_path, {"paths": "basic"}, url).run()
    finally:
        archive.write_bytes(good)
    assert r.failed and r.failed[0] == "Install sagemaker-audit", r.failed
    assert "checksum mismatch" in r.failed[2]
    assert not (tmp_path / "sagemaker-audit" / "bin" / "sagemaker-audit").exists()
    assert r.uploads == [] and "exit-code" not in r.outputs.get("scan", {})


def test_a_bad_version_is_refused_before_any_download(tmp_path, release):
    url, _ = release
    ws = workspace_with(tmp_path, "tests/fixtures/basic")
    r = Runner(ws, tmp_path, {"version": "v1; curl evil"}, url).run()
    assert r.failed and r.failed[0] == "Install sagemaker-audit" and "version must be" in r.failed[2]


def test_an_input_with_a_newline_cannot_forge_outputs(tmp_path, release):
    url, _ = release
    ws = workspace_with(tmp_path, "tests/fixtures/basic")
    r = Runner(ws, tmp_path, {"paths": "basic", "out-dir": "reports\nexit-code=0"}, url).run()
    assert r.failed and r.failed[0] == "Scan" and "control character" in r.failed[2], r.failed
    assert r.output("exit-code") != "0"


def test_a_path_that_looks_like_a_flag_is_a_path(tmp_path, release):
    url, _ = release
    ws = workspace_with(tmp_path, "tests/fixtures/basic")
    # Without `--` this would be --fail-on never, and the failing scan would pass.
    r = Runner(ws, tmp_path, {"paths": "--fail-on=never basic", "upload-sarif": "false"}, url).run()
    assert r.failed and r.output("exit-code") == "3", (r.failed, r.outputs)
    assert "--fail-on=never" in (ws / "sagemaker-audit-reports" / "report.md").read_text()


def test_plain_http_is_refused(tmp_path, release):
    url, _ = release
    ws = workspace_with(tmp_path, "tests/fixtures/basic")
    r = Runner(ws, tmp_path, {"paths": "basic"}, url.replace("https://", "http://")).run()
    assert r.failed and r.failed[0] == "Install sagemaker-audit", r.failed
    assert not (tmp_path / "sagemaker-audit" / "bin" / "sagemaker-audit").exists()


def test_a_pinned_version_must_match_its_pinned_checksum(tmp_path, release):
    url, site = release
    archive = f"sagemaker-audit-{TARGET}.tar.xz"
    real = hashlib.sha256((site / "download" / "v9.9.9" / archive).read_bytes()).hexdigest()
    ws = workspace_with(tmp_path, "tests/fixtures/basic")
    pins = tmp_path / "pins.txt"
    # The release's own checksum file agrees with its archive, but the pin does not: refused.
    pins.write_text(f"v9.9.9 {archive} {'0' * 64}\n")
    runner = Runner(ws, tmp_path, {"paths": "basic", "version": "v9.9.9", "upload-sarif": "false"}, url)
    runner.pins = str(pins)
    r = runner.run()
    assert r.failed and r.failed[0] == "Install sagemaker-audit", r.failed
    assert "pins for v9.9.9" in r.failed[2]
    pins.write_text(f"v9.9.9 {archive} {real}\n")
    runner = Runner(ws, tmp_path, {"paths": "basic", "version": "v9.9.9", "upload-sarif": "false"}, url)
    runner.pins = str(pins)
    r = runner.run()
    assert r.output("exit-code") == "1", r.failed
    install_log = dict(r.logs)["Install sagemaker-audit"]
    assert "not pinned" not in install_log
    # latest is checked against its own release only, and says so.
    r = Runner(ws, tmp_path, {"paths": "basic", "upload-sarif": "false"}, url).run()
    assert "moving target" in dict(r.logs)["Install sagemaker-audit"]
