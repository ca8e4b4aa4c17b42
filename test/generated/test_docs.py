"""The generated docs: a page per operation and model, and examples that run.

The per-operation examples run against the fake API in test/test_doc_examples.py.
"""

import contextlib
import io
import os
import re

from codegen import generate

from .spec_examples import SCHEMAS, operations

DOCS = os.path.join(generate.ROOT, "docs")
OPERATIONS = operations()
SNAKE = {op_id: re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", op_id).lower() for op_id, _, _, _ in OPERATIONS}


def _read(name):
    with open(os.path.join(DOCS, name), encoding="utf-8") as handle:
        return handle.read()


def _examples():
    text = _read("IntegrationApi.md")
    sections = re.split(r'\n<a name="([a-z0-9_]+)"></a>\n', text)[1:]
    found = {}
    for name, section in zip(sections[::2], sections[1::2]):
        found[name] = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    return found


def test_every_operation_has_a_section_and_a_table_row():
    text = _read("IntegrationApi.md")
    index = _read("README_api.md")
    for op_id, method, path, _ in OPERATIONS:
        name = SNAKE[op_id]
        assert '<a name="%s"></a>' % name in text
        assert "[**%s**](#%s) | **%s** %s |" % (name, name, method, path) in text
        assert "[**%s**](IntegrationApi.md#%s) | **%s** %s |" % (name, name, method, path) in index
    assert len(_examples()) == len(OPERATIONS)


def test_every_model_has_a_page():
    index = _read("README_api.md")
    for name, schema in SCHEMAS.items():
        page = _read("%s.md" % name)
        assert page.split("\n")[1] == "# %s" % name
        for field in schema.get("properties", {}):
            assert field in page or re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", field).lower() in page
        assert "[%s](%s.md)" % (name, name) in index
    assert "maximum 999999" in _read("Coupon.md")
    assert "at most 1000 items" in _read("MultipleCustomerProfileIntegrationRequest.md")
    assert "`setDiscount` | [SetDiscountEffectProps](SetDiscountEffectProps.md)" in _read("Effect.md")


def test_model_page_examples_run():
    for name in SCHEMAS:
        page = _read("%s.md" % name)
        source = re.search(r"## Example\n\n```python\n(.*?)```", page, re.S).group(1)
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            exec(compile(source, "docs/%s.md" % name, "exec"), {"__name__": "__example__"})
        assert output.getvalue().startswith("{"), name
