"""The SageMaker Python SDK's own configuration schemas are the source of truth for which key
paths a config file can set: data/sdk-config-keys.toml must list exactly the KMS key paths of
every schema the installed SDK packages ship (sagemaker 2.x, and sagemaker-core 2.x for SDK 3),
the sample config files must be valid configurations to the SDK's own validator, and
`--sdk-config` must look where platformdirs (which the SDK uses) says the config files are."""

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = os.environ.get("SAGEMAKER_AUDIT_BIN") or str(
    Path(os.environ.get("CARGO_TARGET_DIR", Path.home() / ".cache/sagemaker-audit/target")) / "debug" / "sagemaker-audit")
SITE = Path(jsonschema.__file__).parents[1]

# The schema modules, loaded from their files: importing them as packages would import the
# whole SDK, whose dependencies are not installed (tests/aws-model/sdk-requirements.txt).
SCHEMAS = {
    "sagemaker 2.x classic": SITE / "sagemaker/config/config_schema.py",
    "sagemaker-core 2.x classic": SITE / "sagemaker/core/config/config_schema.py",
    "sagemaker-core 2.x resources": SITE / "sagemaker/core/config_schema.py",
}


def load_schema(path):
    spec = importlib.util.spec_from_file_location(f"schema_{abs(hash(path))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SAGEMAKER_PYTHON_SDK_CONFIG_SCHEMA


def key_paths(schema):
    """Every property path whose name says it holds a KMS key (`kmsKeyId` references in the
    classic schema; `*kms_key*` fields in the resources schema, whose nested objects sometimes
    list their fields without `properties`)."""
    definitions = schema.get("definitions", {})
    found = set()

    def walk(node, path):
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if ref == "#/definitions/kmsKeyId" or (
            path and "kms" in path[-1].lower() and node.get("type") == "string"
        ):
            found.add(".".join(path))
            return
        if ref:
            walk(definitions[ref.rsplit("/", 1)[1]], path)
            return
        properties = node.get("properties")
        if properties is None:
            properties = {k: v for k, v in node.items()
                          if isinstance(v, dict) and k not in ("items", "definitions")}
        for name, child in properties.items():
            walk(child, path + [name])
        if "items" in node:
            walk(node["items"], path + ["[]"])

    walk(schema, [])
    return found


@pytest.fixture(scope="module")
def table():
    entries = tomllib.loads((REPO / "data/sdk-config-keys.toml").read_text())["key"]
    return {f"{e['section']}.{e['key']}": e for e in entries}


@pytest.fixture(scope="module")
def schemas():
    missing = [name for name, path in SCHEMAS.items() if not path.exists()]
    assert not missing, f"install tests/aws-model/sdk-requirements.txt: {missing}"
    return {name: load_schema(path) for name, path in SCHEMAS.items()}


def test_the_table_lists_exactly_the_key_paths_of_the_sdks_schemas(schemas, table):
    in_schemas = set()
    for name, schema in schemas.items():
        paths = key_paths(schema)
        assert paths, name
        in_schemas |= paths
    assert sorted(in_schemas - set(table)) == [], "key paths the SDK has and the table lacks"
    assert sorted(set(table) - in_schemas) == [], "key paths in the table no SDK schema has"
    # The counts the README gives.
    classic = key_paths(schemas["sagemaker-core 2.x classic"]) | key_paths(schemas["sagemaker 2.x classic"])
    resources = key_paths(schemas["sagemaker-core 2.x resources"])
    assert (len(classic), len(resources)) == (30, 53)
    judged = [p for p, e in table.items() if "kind" in e]
    assert len(judged) == 72


def test_every_judged_kind_is_one_the_tool_registers(table):
    kinds = {k["name"] for k in json.loads(subprocess.run(
        [BIN, "kinds", "--json"], capture_output=True, text=True, check=True).stdout)}
    for path, entry in table.items():
        if "kind" in entry:
            assert entry["kind"] in kinds, path
            assert entry["role"] in ("volume", "output", "store"), path


@pytest.mark.parametrize("sample", sorted((REPO / "samples/sdk-config").glob("*.yaml")), ids=lambda p: p.name)
def test_samples_are_valid_configurations_to_the_sdk(schemas, sample):
    """What `validate_sagemaker_config` does in both SDKs: jsonschema.validate against the schema."""
    config = yaml.safe_load(sample.read_text())
    for name, schema in schemas.items():
        if name.endswith("resources") != ("Resources" in config["SageMaker"].get("PythonSDK", {})):
            continue
        jsonschema.validate(config, schema)


def test_an_invalid_sample_would_be_refused(schemas):
    """The validation above can fail: a key that is not text is refused by the SDK's schema."""
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"SchemaVersion": "1.0", "SageMaker": {"TrainingJob": {"OutputDataConfig": {"KmsKeyId": 5}}}},
            schemas["sagemaker 2.x classic"])


PLATFORMDIRS = """
import json, sys
from pip._vendor import platformdirs
print(json.dumps([platformdirs.site_config_dir("sagemaker"), platformdirs.user_config_dir("sagemaker")]))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG places")
@pytest.mark.parametrize("extra", [
    {},
    {"XDG_CONFIG_HOME": "/tmp/xdg-home"},
    {"XDG_CONFIG_DIRS": "/opt/site:/etc/other", "XDG_CONFIG_HOME": " "},
], ids=["defaults", "config-home", "config-dirs"])
def test_sdk_config_looks_where_platformdirs_says(extra):
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as out:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("XDG_", "SAGEMAKER_"))}
        env.update({"HOME": home, **extra})
        site, user = json.loads(subprocess.run(
            [sys.executable, "-c", PLATFORMDIRS], env=env, capture_output=True, text=True,
            check=True).stdout)
        run = subprocess.run([BIN, "scan", "--sdk-config", "--out-dir", out], env=env,
                             capture_output=True, text=True)
        assert run.returncode == 3, run.stderr
        expected = f"({site}/config.yaml, {user}/config.yaml)"
        assert expected in run.stderr, run.stderr
