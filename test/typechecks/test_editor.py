"""What an editor sees, statically (jedi, as used by editors' Python support): no code is run.

The models and IntegrationApi are imported lazily at run time; the imports under
TYPE_CHECKING in the package __init__ files are what static tools follow.
"""

import sys

import pytest

from .conftest import ROOT

SOURCE = '''\
import talon_one

item = talon_one.CartItem(name="Shoes", sku="SKU-1", quantity=1, price=9.5)
item.
api = talon_one.IntegrationApi()
state = api.update_customer_session_v2("session-1", talon_one.IntegrationRequest())
state
state.customer_session.cart_items
'''


@pytest.fixture(scope="module")
def jedi():
    """jedi, imported here: importing it raises the interpreter's recursion limit, which is put back after."""
    limit = sys.getrecursionlimit()
    import jedi
    yield jedi
    sys.setrecursionlimit(limit)


@pytest.fixture(scope="module")
def script(jedi, tmp_path_factory):
    path = tmp_path_factory.mktemp("editor") / "user.py"
    path.write_text(SOURCE, encoding="utf-8")
    return jedi.Script(SOURCE, path=str(path), project=jedi.Project(ROOT, added_sys_path=[ROOT]))


def _line(text):
    return SOURCE.split("\n").index(text) + 1


def test_talon_one_cart_item_resolves_to_the_model_class(script):
    line = _line('item = talon_one.CartItem(name="Shoes", sku="SKU-1", quantity=1, price=9.5)')
    names = script.infer(line, len("item = talon_one.Cart"))
    assert [(name.type, name.full_name) for name in names] == [("class", "talon_one.models.cart_item.CartItem")]
    definitions = script.goto(line, len("item = talon_one.Cart"), follow_imports=True)
    assert definitions and definitions[0].module_path.name == "cart_item.py"


def test_the_fields_of_a_model_are_completed_with_their_types(jedi, script, tmp_path):
    completions = {c.name: c for c in script.complete(_line("item."), len("item."))}
    for field in ("name", "sku", "quantity", "price", "category", "attributes", "additional_properties"):
        assert field in completions, sorted(completions)
    typed = SOURCE.replace("item.\n", "item.quantity\n")
    path = tmp_path / "typed.py"
    path.write_text(typed, encoding="utf-8")
    quantity = jedi.Script(typed, path=str(path), project=jedi.Project(ROOT, added_sys_path=[ROOT]))
    types = [name.name for name in quantity.infer(_line("item."), len("item.quantity"))]
    assert "int" in types, types


def test_update_customer_session_v2_returns_an_integration_state_v2(script):
    names = script.infer(_line("state"), len("state"))
    assert [name.full_name for name in names] == ["talon_one.models.integration_state_v2.IntegrationStateV2"]
    nested = script.infer(_line("state.customer_session.cart_items"), len("state.customer_session.cart_items"))
    assert sorted(name.name for name in nested) == ["NoneType", "list"]  # Optional[List[CartItem]]
