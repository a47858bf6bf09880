"""Completeness: every KMS key field botocore's SageMaker model returns from a Describe* or Get*
operation is either read by a kind (its `keys`, from `sagemaker-audit kinds --json`) or listed in
data/key-fields.toml with the reason it is not. A field AWS adds fails here until it is one or
the other; the README's coverage line states the counts."""

import re
import tomllib

import pytest

from test_tables import REPO, catalogue, model  # noqa: F401  (model is a fixture)

# Operations a kind reads besides its own Describe: the automl kind also reads DescribeAutoMLJob
# (V1) documents (src/kinds/automl.rs).
ALSO_READ = {"DescribeAutoMLJob": "automl"}


def is_key(model, member, shape):
    return shape == "KmsKeyId" or "KmsKey" in member or member == "ResourceKey"


def key_paths(model, shape, path="", seen=frozenset()):
    """Every key member under `shape`, as a path with `[]` for list items and `{}` for map
    values."""
    shapes = model["shapes"]
    s = shapes[shape]
    if s["type"] == "structure":
        for member, ref in s.get("members", {}).items():
            sub = ref["shape"]
            p = f"{path}.{member}" if path else member
            if shapes[sub]["type"] == "string" and is_key(model, member, sub):
                yield p
            elif sub not in seen:
                yield from key_paths(model, sub, p, seen | {sub})
    elif s["type"] == "list":
        yield from key_paths(model, s["member"]["shape"], path + "[]", seen)
    elif s["type"] == "map":
        yield from key_paths(model, s["value"]["shape"], path + "{}", seen)


@pytest.fixture(scope="module")
def in_model(model):
    out = set()
    for name, op in model["operations"].items():
        if name.startswith(("Describe", "Get")) and "output" in op:
            shape = op["output"]["shape"]
            out |= {(name, p) for p in key_paths(model, shape, seen=frozenset({shape}))}
    return out


@pytest.fixture(scope="module")
def read_by_kinds():
    kinds = {k["name"]: k for k in catalogue("--json")}
    out = {}
    for k in kinds.values():
        for key in k["keys"]:
            out.setdefault((k["describe"], key), k["name"])
    for operation, kind in ALSO_READ.items():
        for key in kinds[kind]["keys"]:
            out.setdefault((operation, key), kind)
    return out


@pytest.fixture(scope="module")
def listed():
    table = tomllib.loads((REPO / "data" / "key-fields.toml").read_text())["field"]
    out = {}
    for entry in table:
        where = (entry["operation"], entry["path"])
        assert where not in out, f"listed twice: {where}"
        assert entry["status"] in ("pending", "out-of-scope"), entry
        assert entry["reason"].strip(), entry
        out[where] = entry
    return out


def in_a_document(model, operation, path):
    """True when the path starts at a string member: a key inside a JSON document the model does
    not describe (a model customization job's JobConfigDocument)."""
    output = model["shapes"][model["operations"][operation]["output"]["shape"]]
    first = output["members"].get(path.split(".")[0])
    return first is not None and model["shapes"][first["shape"]]["type"] == "string" and "." in path


def test_every_key_field_of_the_model_is_read_or_listed(in_model, read_by_kinds, listed):
    missing = sorted(in_model - set(read_by_kinds) - set(listed))
    assert not missing, (
        "KMS key fields no kind reads and data/key-fields.toml does not list: " + repr(missing))


def test_every_key_a_kind_reads_is_a_key_field_of_the_model(model, in_model):
    wrong = []
    for k in catalogue("--json"):
        operations = [k["describe"]] + [op for op, kind in ALSO_READ.items() if kind == k["name"]]
        for key in k["keys"]:
            if not any((op, key) in in_model or in_a_document(model, op, key) for op in operations):
                wrong.append((k["name"], key))
    assert not wrong, f"declared keys that are not key fields of the kind's outputs: {wrong}"


def test_nothing_listed_is_read_or_gone_from_the_model(in_model, read_by_kinds, listed):
    assert not set(listed) & set(read_by_kinds), sorted(set(listed) & set(read_by_kinds))
    gone = sorted(set(listed) - in_model)
    assert not gone, f"listed in data/key-fields.toml but not in the model: {gone}"


def test_the_readme_states_the_counts(in_model, read_by_kinds, listed):
    checked = len(in_model & set(read_by_kinds))
    pending = sum(1 for e in listed.values() if e["status"] == "pending")
    readme = re.sub(r"\s+", " ", (REPO / "README.md").read_text())
    line = (f"{checked} of {len(in_model)} KMS key fields in botocore's SageMaker model are "
            f"checked; {len(listed)} are listed in [data/key-fields.toml](data/key-fields.toml) "
            f"with the reason they are not ({pending} pending, {len(listed) - pending} out of scope)")
    assert line in readme, line


def test_the_walk_finds_what_it_should(model, in_model):
    # Control: fields the tool has always read are found, and a path under a list is spelt with [].
    assert ("DescribeTrainingJob", "ResourceConfig.VolumeKmsKeyId") in in_model
    assert ("DescribeEndpointConfig", "ProductionVariants[].CoreDumpConfig.KmsKeyId") in in_model
    assert ("DescribeEdgePackagingJob", "ResourceKey") in in_model
    assert len(in_model) >= 69
