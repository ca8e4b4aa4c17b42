"""The generator: committed files equal a fresh generation, --check works, and spec mistakes fail loudly."""

import copy
import json
import os
import re
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
            if line.startswith("from ") and " import " in line:
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
