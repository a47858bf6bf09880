"""sagemaker-core (SDK 3) fills a resource's `create` arguments from
`SageMaker.PythonSDK.Resources.<Resource>` in its configuration files. A key path the tool judges
must therefore start with an argument of that resource's `create`, and the key paths it lists as
not judged because no create call takes them must not."""

import inspect
import tomllib
from pathlib import Path

import pytest
import sagemaker.core.resources as resources

REPO = Path(__file__).resolve().parents[2]
TABLE = tomllib.loads((REPO / "data/sdk-config-keys.toml").read_text())["key"]
PREFIX = "SageMaker.PythonSDK.Resources."
ENTRIES = [e for e in TABLE if e["schema"] == "resources"]


def create_arguments(section):
    cls = getattr(resources, section.removeprefix(PREFIX))
    return set(inspect.signature(cls.create).parameters)


@pytest.mark.parametrize("entry", [e for e in ENTRIES if "kind" in e],
                         ids=lambda e: f"{e['section'].removeprefix(PREFIX)}.{e['key']}")
def test_a_judged_key_is_filled_into_an_argument_of_create(entry):
    assert entry["key"].split(".")[0] in create_arguments(entry["section"])


@pytest.mark.parametrize("section", ["Endpoint", "TrainingSession"])
def test_keys_no_create_call_takes_are_not_judged(section):
    entries = [e for e in ENTRIES if e["section"] == PREFIX + section]
    assert entries
    for e in entries:
        assert "kind" not in e and e["key"].split(".")[0] not in create_arguments(e["section"])
