"""The release setup, checked as far as it can be without GitHub: cargo-dist's own plan for the
workspace, the generated release workflow being current, the cargo-binstall metadata pointing
at the archives the plan builds, the archive names the Action's installer asks for, and the
CHANGELOG becoming the release note."""

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CARGO = tomllib.loads((REPO / "Cargo.toml").read_text())
DIST_VERSION = CARGO["workspace"]["metadata"]["dist"]["cargo-dist-version"]


def dist(*args, cwd=REPO):
    exe = shutil.which("dist")
    if not exe:
        pytest.fail(f"cargo-dist {DIST_VERSION} is required (scripts/test installs it)")
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def plan():
    r = dist("plan", "--output-format=json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_dist_is_the_pinned_version():
    r = dist("--version")
    assert r.stdout.split()[-1] == DIST_VERSION, r.stdout


def test_the_release_workflow_is_what_dist_generates():
    r = dist("generate", "--check")
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_plan_builds_every_platform_with_checksums(plan):
    archives = {name: a for name, a in plan["artifacts"].items() if a["kind"] == "executable-zip"}
    triples = sorted(t for a in archives.values() for t in a["target_triples"])
    assert triples == sorted(["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu", "x86_64-apple-darwin",
                              "aarch64-apple-darwin", "x86_64-pc-windows-msvc"])
    for name, a in archives.items():
        assert a["checksum"] == f"{name}.sha256" and a["checksum"] in plan["artifacts"]
        assets = {x["name"] for x in a["assets"]}
        # The binary, its manual pages and completion scripts, the README and the CHANGELOG.
        assert {"sagemaker-audit", "man", "completions", "README.md", "CHANGELOG.md"} <= assets, assets


def installer_targets():
    """(runner os/arch, target, extension) from the Action's installer."""
    text = (REPO / "scripts" / "action" / "install.sh").read_text()
    return re.findall(r"(\w+/\w+)\) target=([\w-]+); ext=([\w.]+)", text)


def test_the_action_installer_asks_for_archives_the_plan_builds(plan):
    wanted = installer_targets()
    assert len(wanted) == 5
    for runner, target, ext in wanted:
        name = f"sagemaker-audit-{target}.{ext}"
        assert name in plan["artifacts"], (runner, name)
        assert f"{name}.sha256" in plan["artifacts"], (runner, name)


def test_binstall_finds_the_archives(plan):
    meta = CARGO["package"]["metadata"]["binstall"]
    repo = CARGO["package"]["repository"]
    version = CARGO["package"]["version"]
    suffix = {"txz": ".tar.xz", "zip": ".zip"}
    for a in (a for a in plan["artifacts"].values() if a["kind"] == "executable-zip"):
        target = a["target_triples"][0]
        over = meta.get("overrides", {}).get(target, {})
        fmt = over.get("pkg-fmt", meta["pkg-fmt"])
        url = (over.get("pkg-url", meta["pkg-url"]).replace("{ repo }", repo).replace("{ version }", version)
               .replace("{ name }", "sagemaker-audit").replace("{ target }", target)
               .replace("{ archive-suffix }", suffix[fmt]))
        assert url == f"{repo}/releases/download/v{version}/{a['name']}", url
        # Where the binary sits inside: dist's tarballs have a top directory, its zips do not.
        exe = next(x["path"] for x in a["assets"] if x["kind"] == "executable")
        bin_dir = (over.get("bin-dir", meta["bin-dir"]).replace("{ name }", "sagemaker-audit")
                   .replace("{ target }", target).replace("{ bin }", "sagemaker-audit")
                   .replace("{ binary-ext }", ".exe" if "windows" in target else ""))
        expected = exe if fmt == "zip" else f"sagemaker-audit-{target}/{exe}"
        assert bin_dir == expected, (target, bin_dir, expected)


def test_the_changelog_becomes_the_release_note(tmp_path):
    """At release time the Unreleased section gets the version; dist then puts it in the notes."""
    copy = tmp_path / "repo"
    shutil.copytree(REPO, copy, ignore=shutil.ignore_patterns(".git", "target", "node_modules", "out", "fuzz"))
    version = CARGO["package"]["version"]
    changelog = (copy / "CHANGELOG.md").read_text()
    first = re.search(r"## \[Unreleased\]\n+### (.+)\n", changelog).group(1)
    (copy / "CHANGELOG.md").write_text(changelog.replace("## [Unreleased]", f"## [{version}] - 2026-12-01", 1))
    r = dist("plan", "--output-format=json", f"--tag=v{version}", cwd=copy)
    assert r.returncode == 0, r.stderr
    body = json.loads(r.stdout)["announcement_github_body"]
    assert first in body, body[:2000]
