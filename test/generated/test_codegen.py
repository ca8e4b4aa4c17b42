"""The generator: committed files equal a fresh generation, --check works, and spec mistakes fail loudly."""

import copy
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from codegen import generate, spec
from codegen.naming import legacy_snake_case, snake_case
from codegen.text import HEADER_MD, HEADER_PY

ROOT = generate.ROOT


@pytest.fixture(scope="module")
def fresh():
    return generate.generate()


def test_committed_files_equal_a_fresh_generation(fresh, tmp_path):
    generate.write(str(tmp_path), fresh)
    regenerated = generate.on_disk(str(tmp_path))
    committed = generate.on_disk(ROOT)
    assert sorted(regenerated) == sorted(committed), "generated files missing or stale: run `python -m codegen`"
    differing = [path for path in regenerated if regenerated[path] != committed[path]]
    assert differing == [], "edited or outdated generated files (run `python -m codegen`): %s" % differing


def test_generation_is_deterministic(fresh):
    assert generate.generate() == fresh


def test_every_generated_file_starts_with_the_header(fresh):
    for path, text in fresh.items():
        first = text.split("\n", 1)[0]
        assert first == (HEADER_MD if path.endswith(".md") else HEADER_PY), path
        assert "spec/integration-api.json" in first and "do not edit" in first


def test_generated_python_is_clean(fresh):
    """Compiles, no noqa, every import used, no trailing whitespace, lines of at most 99."""
    for path, text in fresh.items():
        if not path.endswith(".py"):
            continue
        compile(text, path, "exec")
        assert "noqa" not in text, path
        for number, line in enumerate(text.split("\n"), 1):
            assert line == line.rstrip(), "%s:%d trailing whitespace" % (path, number)
            assert len(line) <= 99 or number == 1, "%s:%d too long" % (path, number)
        for line in text.split("\n"):
            if line.startswith("from ") and " import " in line and not line.startswith("from __future__ "):
                for name in line.split(" import ")[1].split(", "):
                    uses = text.count(name)
                    assert uses >= 2, "%s imports %s without using it" % (path, name)


def test_check_mode(tmp_path, fresh):
    ok = subprocess.run([sys.executable, "-m", "codegen", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    generate.write(str(tmp_path), fresh)
    edited = tmp_path / "talon_one" / "models" / "cart_item.py"
    edited.write_text(edited.read_text() + "# an edit\n")
    (tmp_path / "docs" / "Stale.md").write_text("old\n")
    os.remove(tmp_path / "docs" / "Coupon.md")
    failed = subprocess.run([sys.executable, "-m", "codegen", "--check", "--root", str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True)
    assert failed.returncode == 1
    listed = failed.stdout.split()
    assert "talon_one/models/cart_item.py" in listed and "docs/Stale.md" in listed and "docs/Coupon.md" in listed
    fixed = subprocess.run([sys.executable, "-m", "codegen", "--root", str(tmp_path)], cwd=ROOT,
                           capture_output=True, text=True)
    assert fixed.returncode == 0 and not (tmp_path / "docs" / "Stale.md").exists()
    assert generate.differences(str(tmp_path), fresh) == []


@pytest.mark.parametrize("name,clean,legacy", [
    ("integrationIDs", "integration_ids", "integration_i_ds"),
    ("campaignID", "campaign_id", "campaign_id"),
    ("transactionUUID", "transaction_uuid", "transaction_uuid"),
    ("rulesetID", "ruleset_id", "ruleset_id"),
    ("InlineResponse2001", "inline_response2001", "inline_response2001"),
    ("APIError", "api_error", "api_error"),
    ("updateCustomerSessionV2", "update_customer_session_v2", "update_customer_session_v2"),
    ("runRuleEngine", "run_rule_engine", "run_rule_engine"),
])
def test_naming_rules(name, clean, legacy):
    assert snake_case(name) == clean
    assert legacy_snake_case(name) == legacy


def _document():
    with open(generate.SPEC_PATH, encoding="utf-8") as handle:
        return json.load(handle)


@pytest.mark.parametrize("change,message", [
    (lambda d: d["components"]["schemas"]["CartItem"]["properties"].update({"toDict": {"type": "string"}}),
     "collides with a Model attribute"),
    (lambda d: d["components"]["schemas"]["CartItem"]["properties"].update({"SKU": {"type": "string"}}),
     "both map to the Python name 'sku'"),
    (lambda d: d["components"]["schemas"]["CartItem"]["properties"]["sku"].update({"pattern": "^[A-Z]+$"}),
     "unsupported schema keywords ['pattern']"),
    (lambda d: d["components"]["schemas"]["CartItem"]["properties"].update(
        {"x": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}), "unsupported"),
    (lambda d: d["paths"]["/v1/customer_sessions/{customerSessionId}"]["put"].update(
        {"description": "Old."}), "names no replacement"),
    (lambda d: d["components"]["schemas"]["MultipleCustomerProfileIntegrationRequest"]["properties"][
        "customerProfiles"].update({"maxItems": 10}), "has maxItems 10"),
    (lambda d: d["x-effect-types"].update({"newEffect": "NoSuchSchema"}), "unknown schema NoSuchSchema"),
    (lambda d: d["components"]["schemas"]["CartItem"]["properties"].update({"class": {"type": "string"}}),
     "CartItem.class: 'class' gives 'class', which is not a usable Python name"),
    (lambda d: d["components"]["schemas"]["Effect"]["properties"].update({"typedProps": {"type": "string"}}),
     "collides with a Model attribute"),
    (lambda d: d["components"]["schemas"]["CartItem"]["properties"].update({"setSlot": {"type": "string"}}),
     "collides with a Model attribute"),
    (lambda d: d["components"]["schemas"]["CartItem"]["properties"].update(
        {"grid": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}}}),
     "lists and maps of lists or maps are not supported"),
    (lambda d: d["components"]["schemas"]["CartItem"]["properties"]["quantity"].update({"maxLength": 3}),
     "max_length is not supported on int"),
    (lambda d: d["components"]["schemas"]["CartItem"]["properties"]["sku"].update({"maxItems": 3}),
     "max_items applies to arrays, not to str"),
    (lambda d: d["components"]["schemas"]["CartItem"]["properties"].update(
        {"labels": {"type": "object", "additionalProperties": {"type": "string"}, "enum": [{}]}}),
     "enum is not supported on dict(str, str)"),
    (lambda d: d["components"]["schemas"]["CartItem"]["properties"].update(
        {"session": {"$ref": "#/components/schemas/CustomerSessionV2"}}),
     "CartItem: contains itself through other models"),
    (lambda d: d["components"]["schemas"].update({"Model": {"type": "object", "description": "x"}}),
     "components.schemas.Model: the class name collides"),
])
def test_spec_mistakes_fail_loudly(change, message):
    document = copy.deepcopy(_document())
    change(document)
    with pytest.raises(spec.SpecError, match=re.escape(message)):
        spec.read_spec(document)


def test_the_bulk_limit_comes_from_the_operation_description():
    api = spec.read_spec(_document())
    field = api.schema("MultipleCustomerProfileIntegrationRequest").field_named("customer_profiles")
    assert field.constraints["max_items"] == 1000
    assert "updateCustomerProfilesV2" in field.limit_note


# A spec with the shapes the real one does not use (yet): every one must generate working code.
EXOTIC_SCHEMAS = {
    "TreeNode": {
        "type": "object",
        "description": "A node of a tree: refers to its own schema.",
        "required": ["label", "leaf"],
        "properties": {
            "label": {"type": "string", "minLength": 2, "maxLength": 10, "enum": ["root", "branch", "leaf"]},
            "leaf": {"type": "boolean"},
            "level": {"type": "integer", "enum": [1, 2, 3]},
            "weight": {"type": "number", "minimum": 0, "maximum": 1},
            "born": {"type": "string", "format": "date"},
            "seenAt": {"type": "array", "items": {"type": "string", "format": "date-time"}},
            "visitsByDay": {"type": "object", "additionalProperties": {"type": "string", "format": "date"}},
            "parent": {"$ref": "#/components/schemas/TreeNode"},
            "children": {"type": "array", "minItems": 1, "maxItems": 3,
                         "items": {"$ref": "#/components/schemas/TreeNode"}},
            "namedChildren": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/TreeNode"}},
            "extras": {"type": "object"},
            "empty": {"$ref": "#/components/schemas/NothingAtAll"},
            "rulesetIDs": {"type": "array", "items": {"type": "integer"}},
        },
    },
    "NothingAtAll": {"type": "object", "description": "A schema without properties."},
}

EXOTIC_SCRIPT = """
import datetime, json, pickle
import talon_one
from talon_one import TreeNode, NothingAtAll
from talon_one.exceptions import ApiTypeError, ApiValueError

data = {
    "label": "root", "leaf": False, "level": 1, "weight": 0.5, "born": "2024-06-15",
    "seenAt": ["2024-06-15T18:22:11+00:00"], "visitsByDay": {"mon": "2024-06-10"},
    "children": [{"label": "leaf", "leaf": True, "parent": {"label": "root", "leaf": False}}],
    "namedChildren": {"first": {"label": "leaf", "leaf": True}},
    "extras": {"a": [1, 2]}, "empty": {}, "rulesetIDs": [4, 5],
}
node = TreeNode.from_dict(json.loads(json.dumps(data)))
assert node.born == datetime.date(2024, 6, 15)
assert node.seen_at[0].tzinfo is not None and node.visits_by_day["mon"] == datetime.date(2024, 6, 10)
assert type(node.children[0]) is TreeNode and type(node.children[0].parent) is TreeNode
assert type(node.named_children["first"]) is TreeNode and type(node.empty) is NothingAtAll
assert json.loads(node.to_json()) == data
assert node.validate() is node
assert TreeNode.from_dict(node.to_dict()) == node
assert pickle.loads(pickle.dumps(node)) == node
assert NothingAtAll.from_dict({"x": 1}).additional_properties == {"x": 1}
assert NothingAtAll().to_json() == "{}"
assert node.ruleset_i_ds == [4, 5]
built = TreeNode(label="branch", leaf=True, children=[{"label": "leaf", "leaf": True}], ruleset_i_ds=[1])
assert type(built.children[0]) is TreeNode and built.ruleset_ids == [1]


def refused(exception, text, **fields):
    try:
        TreeNode(**dict({"label": "leaf", "leaf": True}, **fields))
    except exception as exc:
        assert text in str(exc), (text, str(exc))
    else:
        raise AssertionError("accepted %r" % (fields,))


refused(ApiValueError, "TreeNode.label must be one of", label="trunk")
refused(ApiValueError, "TreeNode.level must be one of", level=4)
refused(ApiValueError, "TreeNode.weight must be <= 1", weight=1.5)
refused(ApiTypeError, "TreeNode.leaf must be a boolean", leaf=1)
refused(ApiTypeError, "TreeNode.born must be a date", born=datetime.datetime(2024, 1, 1))
refused(ApiValueError, "naive datetime", seen_at=[datetime.datetime(2024, 1, 1)])
refused(ApiValueError, "TreeNode.children must have at least 1 items", children=[])
refused(ApiTypeError, "both ruleset_ids and its alias", ruleset_ids=[1], ruleset_i_ds=[2])
deep = TreeNode.from_dict({"label": "root", "leaf": False, "children": [{"label": "x", "leaf": True}]})
try:
    deep.validate()
except ApiValueError as exc:
    assert exc.path_to_item == ["children", 0, "label"], exc.path_to_item
else:
    raise AssertionError("a bad nested label passed")
print("ok")
"""


def test_shapes_the_spec_does_not_use_yet_generate_working_models(tmp_path):
    """Self-reference, dates, lists and maps of timestamps, int enums, bounds, aliases, an empty schema."""
    document = copy.deepcopy(_document())
    document["components"]["schemas"].update(copy.deepcopy(EXOTIC_SCHEMAS))
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(document))
    files = generate.generate(str(spec_path))
    for path, text in files.items():
        if path.endswith(".py"):
            assert all(len(line) <= 99 for line in text.split("\n")[1:]), path
    shutil.copytree(os.path.join(ROOT, "talon_one"), str(tmp_path / "talon_one"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    generate.write(str(tmp_path), files)
    result = subprocess.run([sys.executable, "-c", EXOTIC_SCRIPT], cwd=str(tmp_path), capture_output=True,
                            text=True, timeout=60, env=dict(os.environ, PYTHONPATH=str(tmp_path)))
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stdout + result.stderr
