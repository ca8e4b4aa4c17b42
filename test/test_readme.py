"""The README stays true: its two commands, its API reference, and its usage example."""

import json
import os
import re

import talon_one

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as handle:
        return handle.read()


README = read("README.md")
SPEC = json.loads(read("spec", "integration-api.json"))


def snake_case(operation_id):
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", operation_id).lower()


def readme_commands():
    block = README.split("## Two commands", 1)[1].split("```", 2)[1]
    return [line for line in block.splitlines() if line.startswith("python3 ")]


def test_the_readme_gives_the_quickstart_and_the_test_command_near_the_top():
    quickstart, tests = readme_commands()
    assert quickstart.endswith("examples/quickstart.py")
    assert tests.endswith("-m pytest")
    assert README.index("## Two commands") < 1000


def test_ci_runs_exactly_the_readme_test_command():
    ci_lines = [line.strip() for line in read(".ci", "run").splitlines()]
    assert readme_commands()[1] in ci_lines


def test_every_operation_is_listed_with_a_link_into_the_docs():
    operations = [op["operationId"] for path in SPEC["paths"].values() for op in path.values()]
    assert len(operations) == 15
    for operation_id in operations:
        name = snake_case(operation_id)
        assert "(docs/IntegrationApi.md#%s)" % name in README, name
        assert callable(getattr(talon_one.IntegrationApi, name))


def test_every_model_is_listed_with_a_link_to_its_page():
    schemas = SPEC["components"]["schemas"]
    assert len(schemas) == 67
    for name in schemas:
        assert "[%s](docs/%s.md)" % (name, name) in README, name
        assert os.path.exists(os.path.join(ROOT, "docs", name + ".md")), name


def test_the_usage_example_runs_against_the_fake(talon_one_fake, capsys):
    block = README.split("## Usage", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    code = block.replace('host="https://mycompany.talon.one", api_key_v1="YOUR_API_KEY"',
                         'host=%r, api_key_v1=%r' % (talon_one_fake.base_url, talon_one_fake.api_key))
    assert code != block
    exec(compile(code, "README.md usage", "exec"), {})
    printed = capsys.readouterr().out
    assert "acceptCoupon" in printed and "setDiscount" in printed
    assert talon_one_fake.sessions["session-1"]["profileId"] == "customer-1"
