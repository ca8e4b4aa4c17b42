"""Every generated model: round trips, validation of every constraint, unknown fields, typed effect props."""

import copy
import datetime
import json
import pickle
import subprocess
import sys
import warnings

import pytest

import talon_one
import talon_one.models
from talon_one import model_base, serialization, validation
from talon_one.exceptions import ApiTypeError, ApiValueError

from . import spec_examples
from .spec_examples import SCHEMAS, example

ALL_MODELS = sorted(SCHEMAS)
BAD_VALUES = {
    # constraint keyword -> function(spec value, JSON type) -> a value breaking it
    "minLength": lambda n, kind: "" if n == 1 else "x" * (n - 1),
    "maxLength": lambda n, kind: "x" * (n + 1),
    "minimum": lambda n, kind: n - 1,
    "maximum": lambda n, kind: n + 1,
    "enum": lambda values, kind: "not-" + values[0],
    "items.enum": lambda values, kind: [values[0], "not-a-value"],
}
# How each constraint is named in the error message.
CONSTRAINT_WORDS = {"minLength": "minLength", "maxLength": "maxLength", "minimum": "minimum", "maximum": "maximum",
                    "enum": "enum", "items.enum": "enum", "maxItems": "maxItems", "minItems": "minItems"}


def model(name):
    return getattr(talon_one.models, name)


def field_name(cls, json_name):
    return {key: name for name, key in cls.attribute_map.items()}[json_name]


# -- package surface --------------------------------------------------------------

def test_every_schema_is_a_model_exported_lazily():
    assert sorted(talon_one.models.__all__) == ALL_MODELS
    for name in ALL_MODELS:
        cls = getattr(talon_one, name)
        assert cls is getattr(talon_one.models, name)
        assert issubclass(cls, model_base.Model)
        assert cls.__name__ == name
    assert set(ALL_MODELS) <= set(dir(talon_one.models))
    with pytest.raises(AttributeError):
        getattr(talon_one.models, "NoSuchModel")


def test_module_names_follow_the_snake_case_rule():
    from talon_one.models.integration_state_v2 import IntegrationStateV2
    from talon_one.models.inline_response2001 import InlineResponse2001
    from talon_one.models.api_error import APIError
    assert IntegrationStateV2 is talon_one.IntegrationStateV2
    assert InlineResponse2001 is talon_one.InlineResponse2001
    assert APIError is talon_one.APIError


@pytest.mark.parametrize("name", ALL_MODELS)
def test_model_shape(name):
    cls = model(name)
    properties = SCHEMAS[name].get("properties", {})
    assert list(cls.attribute_map.values()) == list(properties)
    assert list(cls.openapi_types) == list(cls.attribute_map) == list(cls.__slots__)
    assert set(cls._required) == {field_name(cls, key) for key in SCHEMAS[name].get("required", [])}
    assert cls.__doc__ and SCHEMAS[name]["description"].split(".")[0] in " ".join(cls.__doc__.split())
    doc = " ".join(cls.__doc__.split())
    for field in cls.openapi_types:
        assert "%s (" % field in doc, "field %s is not documented" % field


def test_snake_case_names_and_legacy_aliases():
    assert field_name(talon_one.CouponReservations, "integrationIDs") == "integration_ids"
    assert field_name(talon_one.RuleFailureReason, "campaignID") == "campaign_id"
    assert field_name(talon_one.RuleFailureReason, "rulesetID") == "ruleset_id"
    assert field_name(talon_one.AddLoyaltyPointsEffectProps, "transactionUUID") == "transaction_uuid"
    reservations = talon_one.CouponReservations(integration_i_ds=["a", "b"])
    assert reservations.integration_ids == ["a", "b"] == reservations.integration_i_ds
    reservations.integration_i_ds = ["c"]
    assert reservations.integration_ids == ["c"]
    assert reservations.to_dict() == {"integration_ids": ["c"]}
    assert json.loads(reservations.to_json()) == {"integrationIDs": ["c"]}
    assert talon_one.CouponReservations.from_dict({"integration_i_ds": ["d"]}).integration_ids == ["d"]
    with pytest.raises(ApiTypeError, match="integration_i_ds"):
        talon_one.CouponReservations(integration_ids=["a"], integration_i_ds=["b"])


def test_defaults_from_the_spec():
    assert talon_one.NewCustomerSessionV2().state == "open"
    assert talon_one.NewCustomerSession().state == "open"
    # Decoding reflects what the service sent: no default is filled in.
    assert talon_one.CustomerSessionV2.from_dict({}).state is None


# -- round trips --------------------------------------------------------------------

@pytest.mark.parametrize("name", ALL_MODELS)
def test_round_trip_from_a_realistic_dict(name, validation_on):
    cls = model(name)
    data = example(name)
    decoded = cls.from_dict(copy.deepcopy(data))
    assert type(decoded) is cls
    # Encoding gives back the JSON it was decoded from.
    assert json.loads(decoded.to_json()) == data
    assert json.loads(model_base.serialize(decoded)) == data
    assert cls.from_json(json.dumps(data)) == decoded
    # to_dict() uses field names; from_dict() accepts them.
    as_dict = decoded.to_dict()
    assert set(as_dict) == set(cls.openapi_types)
    assert cls.from_dict(as_dict) == decoded
    # The example is valid, and building it field by field gives the same model.
    assert decoded.validate() is decoded
    built = cls(**as_dict)
    assert built == decoded
    assert repr(built) == repr(decoded)
    assert repr(built).startswith(name + "(")
    # Copies and pickles are equal and of the same class.
    for clone in (copy.copy(decoded), copy.deepcopy(decoded), pickle.loads(pickle.dumps(decoded))):
        assert type(clone) is cls and clone == decoded


@pytest.mark.parametrize("name", ALL_MODELS)
def test_unknown_fields_survive(name):
    cls = model(name)
    data = example(name)
    data["someFutureField"] = {"added": "later", "n": [1, 2]}
    decoded = cls.from_dict(copy.deepcopy(data))
    assert decoded.additional_properties == {"someFutureField": {"added": "later", "n": [1, 2]}}
    assert decoded.to_dict()["someFutureField"] == {"added": "later", "n": [1, 2]}
    assert json.loads(decoded.to_json()) == data
    assert cls.from_dict(decoded.to_dict()) == decoded


def test_unknown_fields_survive_deep_inside_a_state():
    data = example("IntegrationStateV2")
    data["customerSession"]["cartItems"][1]["giftWrapped"] = True
    data["effects"][0]["newEffectField"] = "x"
    state = talon_one.IntegrationStateV2.from_dict(copy.deepcopy(data))
    assert state.customer_session.cart_items[1].additional_properties == {"giftWrapped": True}
    assert json.loads(state.to_json()) == data


def test_decoding_is_tolerant_and_never_validates(validation_on):
    data = {"name": "", "sku": "", "quantity": 0, "price": "free", "attributes": "odd"}
    item = talon_one.CartItem.from_dict(data)
    assert (item.name, item.quantity, item.price, item.attributes) == ("", 0, "free", "odd")
    with pytest.raises(ApiValueError, match="CartItem.name"):
        item.validate()
    state = talon_one.IntegrationStateV2.from_dict({"effects": "not-a-list", "customerSession": 5})
    assert state.effects == "not-a-list" and state.customer_session == 5 and state.created_coupons is None


def test_timestamps_are_parsed_in_any_common_shape():
    parse = talon_one.CustomerProfile.from_dict
    utc = datetime.timezone.utc
    assert parse({"created": "2024-06-15T18:22:11Z"}).created == datetime.datetime(2024, 6, 15, 18, 22, 11,
                                                                                   tzinfo=utc)
    assert parse({"created": "2024-06-15T18:22:11.5Z"}).created.microsecond == 500000
    nine = parse({"created": "2024-06-15T18:22:11.123456789Z"}).created
    assert nine.microsecond == 123456 and nine.tzinfo is not None
    offset = parse({"created": "2024-06-15T20:22:11+02:00"}).created
    assert offset == datetime.datetime(2024, 6, 15, 18, 22, 11, tzinfo=utc)
    assert parse({"created": "not a time"}).created == "not a time"


def test_decoded_timestamps_without_an_offset_are_kept_as_received():
    # Its zone is unknown: kept as the string received, so the model can still be re-encoded.
    profile = talon_one.CustomerProfile.from_dict({"created": "2024-06-15T18:22:11",
                                                   "lastActivity": "2024-06-15"})
    assert profile.created == "2024-06-15T18:22:11" and profile.last_activity == "2024-06-15"
    assert json.loads(profile.to_json())["created"] == "2024-06-15T18:22:11"
    assert model_base.deserialize("2024-06-15T18:22:11.5", "datetime") == "2024-06-15T18:22:11.5"
    assert model_base.parse_datetime("2024-06-15T18:22:11+00:00").tzinfo is not None
    # Building from user input still refuses a naive timestamp, string or datetime.
    with pytest.raises(ApiValueError, match=r"CustomerProfile\.created: naive datetime"):
        profile.created = "2024-06-15T18:22:11"
    with pytest.raises(ApiValueError, match=r"CustomerProfile\.created: naive datetime"):
        profile.created = datetime.datetime(2024, 6, 15, 18, 22, 11)


def test_to_dict_keeps_nested_models_as_dicts_and_datetimes_as_objects():
    state = talon_one.IntegrationStateV2.from_dict(example("IntegrationStateV2"))
    as_dict = state.to_dict()
    assert as_dict["customer_session"]["cart_items"][0]["sku"] == "SKU-01001"
    assert isinstance(as_dict["customer_session"]["created"], datetime.datetime)
    assert as_dict["loyalty"]["programs"]["main"]["ledger"]["current_balance"] == 12.5


# -- validation -------------------------------------------------------------------------

def _valid_kwargs(cls, name):
    return {field: value for field, value in cls.from_dict(example(name)).to_dict().items()
            if field in cls.openapi_types}


CONSTRAINED = spec_examples.constrained_fields()


@pytest.mark.parametrize("schema,json_name,keyword,spec_value", CONSTRAINED,
                         ids=["%s.%s-%s" % c[:3] for c in CONSTRAINED])
def test_every_constraint_is_enforced(schema, json_name, keyword, spec_value, validation_on):
    cls = model(schema)
    field = field_name(cls, json_name)
    where = "%s.%s" % (schema, field)
    if keyword == "maxItems":
        item_schema = spec_examples.schema_of(SCHEMAS[schema]["properties"][json_name]["items"])
        bad = [example(item_schema)] * (spec_value + 1)
        good = [example(item_schema)] * spec_value
    else:
        bad = BAD_VALUES[keyword](spec_value, SCHEMAS[schema]["properties"][json_name].get("type"))
        good = example(schema)[json_name]
    word = CONSTRAINT_WORDS[keyword]

    def check(raised):
        message = str(raised.value)
        assert where in message and word in message
        if keyword not in ("maxItems", "maxLength"):
            assert repr(bad if not isinstance(bad, list) else bad[-1])[:20] in message

    kwargs = _valid_kwargs(cls, schema)
    # 1. The constructor.
    kwargs[field] = bad
    with pytest.raises(ApiValueError) as raised:
        cls(**kwargs)
    check(raised)
    # 2. Assignment.
    kwargs[field] = good
    obj = cls(**kwargs)
    before = getattr(obj, field)
    with pytest.raises(ApiValueError) as raised:
        setattr(obj, field, bad)
    check(raised)
    assert getattr(obj, field) == before
    # 3. validate() on a decoded (unchecked) model.
    data = example(schema)
    data[json_name] = bad
    decoded = cls.from_dict(data)
    with pytest.raises(ApiValueError) as raised:
        decoded.validate()
    check(raised)
    # 4. Switched off: per object, then by default.
    off = talon_one.Configuration(client_side_validation=False)
    kwargs[field] = bad
    assert getattr(cls(local_vars_configuration=off, **kwargs), field) is not None
    validation_on.client_side_validation = False
    assert getattr(cls(**kwargs), field) is not None
    obj.__setattr__(field, bad)


REQUIRED = spec_examples.required_fields()


@pytest.mark.parametrize("schema,json_name", REQUIRED, ids=["%s.%s" % r for r in REQUIRED])
def test_every_required_field_is_enforced(schema, json_name, validation_on):
    cls = model(schema)
    field = field_name(cls, json_name)
    kwargs = _valid_kwargs(cls, schema)
    if "default" in SCHEMAS[schema]["properties"][json_name]:
        kwargs[field] = None  # left out, the spec's default would apply
    else:
        del kwargs[field]
    with pytest.raises(ApiValueError, match=r"%s\.%s is required" % (schema, field)):
        cls(**kwargs)
    obj = cls(**_valid_kwargs(cls, schema))
    with pytest.raises(ApiValueError, match=r"%s\.%s is required" % (schema, field)):
        setattr(obj, field, None)
    data = example(schema)
    del data[json_name]
    with pytest.raises(ApiValueError, match=r"%s\.%s is required" % (schema, field)):
        cls.from_dict(data).validate()


def test_type_errors_name_the_field(validation_on):
    with pytest.raises(ApiTypeError, match=r"CartItem.quantity must be an integer, got '2'"):
        talon_one.CartItem(name="a", sku="b", quantity="2", price=1)
    with pytest.raises(ApiTypeError, match=r"CartItem.price must be a number, got True"):
        talon_one.CartItem(name="a", sku="b", quantity=2, price=True)
    with pytest.raises(ApiTypeError, match=r"NewCustomerSessionV2.cart_items must be a list"):
        talon_one.NewCustomerSessionV2(cart_items="shoes")
    with pytest.raises(ApiTypeError, match=r"NewCustomerSessionV2.cart_items must be a CartItem or a dict"):
        talon_one.NewCustomerSessionV2(cart_items=[5])
    with pytest.raises(ApiValueError, match=r"naive datetime"):
        talon_one.NewReferral(campaign_id=1, advocate_profile_integration_id="a",
                              start_date=datetime.datetime(2024, 1, 1))
    with pytest.raises(ApiValueError, match=r"CartItem.attributes.*NaN"):
        talon_one.CartItem(name="a", sku="b", quantity=1, price=1, attributes={"x": float("nan")})
    with pytest.raises(AttributeError, match=r"CartItem has no field 'colour'"):
        talon_one.CartItem(name="a", sku="b", quantity=1, price=1).colour = "red"
    with pytest.raises(TypeError):
        talon_one.CartItem(colour="red")


def test_nested_values_are_checked_and_converted(validation_on):
    session = talon_one.NewCustomerSessionV2(
        cart_items=[{"name": "Shoe", "sku": "S-1", "quantity": 1, "price": 10}],
        additional_costs={"shipping": {"price": 4.95}},
    )
    assert isinstance(session.cart_items[0], talon_one.CartItem)
    assert isinstance(session.additional_costs["shipping"], talon_one.AdditionalCost)
    with pytest.raises(ApiValueError, match=r"CartItem.quantity must be >= 1 \(minimum\), got 0"):
        talon_one.NewCustomerSessionV2(cart_items=[{"name": "Shoe", "sku": "S-1", "quantity": 0, "price": 10}])
    # validate() finds a problem introduced after building, deep in a tree.
    request = talon_one.IntegrationRequest(customer_session=session)
    object.__setattr__(session.cart_items[0], "quantity", -3)
    with pytest.raises(ApiValueError) as raised:
        request.validate()
    assert "CartItem.quantity" in str(raised.value) and "-3" in str(raised.value)
    assert raised.value.path_to_item == ["customer_session", "cart_items", 0, "quantity"]


def test_user_lists_are_not_changed_by_conversion(validation_on):
    items = [{"name": "Shoe", "sku": "S-1", "quantity": 1, "price": 10}]
    session = talon_one.NewCustomerSessionV2(cart_items=items)
    assert isinstance(items[0], dict) and isinstance(session.cart_items[0], talon_one.CartItem)


# -- effects ------------------------------------------------------------------------------

EFFECT_TYPES = sorted(spec_examples.EFFECT_TYPES.items())


@pytest.mark.parametrize("effect_type,props_model", EFFECT_TYPES, ids=[t for t, _ in EFFECT_TYPES])
def test_typed_props_for_every_effect_type(effect_type, props_model, validation_on):
    data = example("Effect")
    data["effectType"] = effect_type
    data["props"] = example(props_model)
    effect = talon_one.Effect.from_dict(copy.deepcopy(data))
    assert effect.props == data["props"]  # the raw dict, for compatibility
    typed = effect.typed_props
    assert type(typed) is model(props_model)
    assert json.loads(typed.to_json()) == data["props"]
    assert typed.validate() is typed


def test_typed_props_is_not_validated_and_unknown_types_stay_dicts(validation_on):
    effect = talon_one.Effect.from_dict({"effectType": "setDiscount", "props": {"value": "lots"}})
    assert effect.typed_props.value == "lots" and effect.typed_props.name is None
    future = talon_one.Effect.from_dict({"effectType": "someFutureEffect", "props": {"a": 1}})
    assert future.typed_props == {"a": 1}


def test_a_state_holds_one_effect_of_each_type():
    state = talon_one.IntegrationStateV2.from_dict(example("IntegrationStateV2"))
    kinds = {effect.effect_type: type(effect.typed_props).__name__ for effect in state.effects}
    assert kinds == dict(EFFECT_TYPES)


# -- encoding edge cases ------------------------------------------------------------------------

def test_serialize_contract():
    import decimal
    assert model_base.serialize({"a": decimal.Decimal("12.3456789012345678901")}) == \
        b'{"a":12.3456789012345678901}'
    assert model_base.serialize({"é": "ü"}) == '{"é":"ü"}'.encode("utf-8")
    with pytest.raises(ApiTypeError, match="object keys must be strings"):
        model_base.serialize({1: 2})
    with pytest.raises(ApiValueError, match=r"body.x.*NaN"):
        model_base.serialize({"x": float("nan")})
    with pytest.raises(ApiValueError, match="naive datetime"):
        model_base.serialize([datetime.datetime(2024, 1, 1)])
    with pytest.raises(ApiTypeError, match="set values cannot be sent"):
        model_base.serialize({"x": {1, 2}})
    aware = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    assert model_base.serialize({"t": aware, "d": datetime.date(2024, 1, 2)}) == \
        b'{"t":"2024-01-01T00:00:00+00:00","d":"2024-01-02"}'
    assert model_base.to_jsonable(talon_one.AdditionalCost(price=1)) == {"price": 1}


def test_model_with_validation_off_reports_bad_values_at_encoding():
    off = talon_one.Configuration(client_side_validation=False)
    item = talon_one.CartItem(name="a", sku="b", quantity=1, price=float("inf"), local_vars_configuration=off)
    with pytest.raises(ApiValueError, match=r"CartItem.price"):
        model_base.serialize(item)


def test_equality_and_hash():
    a = talon_one.AdditionalCost(price=1.5)
    assert a == talon_one.AdditionalCost(price=1.5)
    assert a != talon_one.AdditionalCost(price=2)
    assert a != {"price": 1.5}
    with pytest.raises(TypeError):
        hash(a)


def test_deserialize_contract():
    assert model_base.deserialize(None, "IntegrationStateV2") is None
    assert model_base.deserialize({"a": 1}, None) == {"a": 1}
    coupons = model_base.deserialize([example("Coupon")], "list[Coupon]")
    assert type(coupons[0]) is talon_one.Coupon
    assert model_base.deserialize({"x": "2024-06-15T18:22:11Z"}, "dict(str, datetime)")["x"].year == 2024


def test_no_warnings_from_models():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        talon_one.IntegrationStateV2.from_dict(example("IntegrationStateV2")).to_json()


def test_first_decodes_and_encodes_from_many_threads_at_once(tmp_path):
    """Importing the model modules on first use is safe when many threads start together (fresh interpreter)."""
    script = tmp_path / "race.py"
    script.write_text(
        "import json, sys, threading\n"
        "sys.path[:0] = %r\n"
        "from spec_examples import example\n"
        "import talon_one\n"
        "data = example('IntegrationStateV2')\n"
        "request = example('IntegrationRequest')\n"
        "barrier = threading.Barrier(8)\n"
        "errors = []\n"
        "def work():\n"
        "    barrier.wait()\n"
        "    try:\n"
        "        state = talon_one.IntegrationStateV2.from_dict(json.loads(json.dumps(data)))\n"
        "        assert json.loads(state.to_json()) == data\n"
        "        body = talon_one.IntegrationRequest.from_dict(json.loads(json.dumps(request))).validate()\n"
        "        assert json.loads(body.to_json()) == request\n"
        "    except Exception as exc:\n"
        "        errors.append(repr(exc))\n"
        "threads = [threading.Thread(target=work) for _ in range(8)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "print(errors)\n" % ([str(spec_examples.__file__).rsplit("/", 1)[0], model_base.__file__.rsplit(
            "/talon_one/", 1)[0]],))
    for _ in range(3):
        result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "[]"


class MyItem(talon_one.CartItem):
    """A user's subclass of a generated model (module level, so it pickles)."""

    def total(self):
        return self.price * self.quantity


def test_subclasses_of_generated_models_keep_their_class(validation_on):
    built = MyItem(name="a", sku="b", quantity=2, price=1.5)
    assert type(built) is MyItem and built.total() == 3.0
    decoded = MyItem.from_dict({"name": "a", "sku": "b", "quantity": 2, "price": 1.5, "colour": "red"})
    assert type(decoded) is MyItem and decoded.additional_properties == {"colour": "red"}
    session = talon_one.NewCustomerSessionV2(cart_items=[built])
    assert session.validate() is session
    assert json.loads(session.to_json())["cartItems"] == [{"name": "a", "sku": "b", "quantity": 2, "price": 1.5}]
    for clone in (copy.deepcopy(built), pickle.loads(pickle.dumps(built))):
        assert type(clone) is MyItem and clone == built
    with pytest.raises(ApiValueError, match=r"MyItem.name must be at least 1 characters"):
        MyItem(name="", sku="b", quantity=2, price=1.5)


@pytest.mark.parametrize("module", [model_base, serialization, validation], ids=lambda m: m.__name__)
def test_the_model_runtime_builds_no_code_at_run_time(module):
    """The per-model code is generated into talon_one/models/; the runtime has no exec, eval or type(...)."""
    import ast
    with open(module.__file__, encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in ("exec", "eval", "compile"), "%s calls %s()" % (module.__name__, node.func.id)
            assert not (node.func.id == "type" and len(node.args) == 3), "%s creates a class with type()" % (
                module.__name__)


@pytest.mark.parametrize("module", ["talon_one.model_base", "talon_one.serialization", "talon_one.validation"])
def test_each_model_runtime_module_imports_first_in_a_fresh_interpreter(module):
    """model_base, serialization and validation refer to each other; any of them can be imported first."""
    code = ("import %s\n"
            "import talon_one\n"
            "item = talon_one.CartItem(name='a', sku='b', quantity=1, price=2)\n"
            "assert talon_one.model_base.serialize(item) == b'{\"name\":\"a\",\"sku\":\"b\",\"quantity\":1,\"price\":2}'\n"
            % module)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_the_names_model_base_held_are_importable_from_it_and_from_their_homes():
    for name in ("serialize", "deserialize", "to_jsonable", "parse_datetime", "parse_date", "MAX_NESTING"):
        assert getattr(model_base, name) is getattr(serialization, name)
    for name in ("is_number", "is_aware_datetime", "is_date", "is_json_value", "is_json_object"):
        assert getattr(model_base, name) is getattr(validation, name)
    assert set(model_base.__all__) >= {"Model", "field_alias", "serialize", "deserialize", "to_jsonable"}


class _Key(str):
    """A str subclass: not a plain JSON object key for the quick checks (the field's checker decides)."""


@pytest.mark.parametrize("value, expected", [
    ({}, True),
    ({"color": "black", "size": 42, "new": True, "gone": None, "price": 19.5}, True),
    ({"a": float("inf")}, False),
    ({"a": float("-inf"), "b": 1}, False),
    ({"a": float("nan")}, False),
    ({1: "x"}, False),
    ({_Key("a"): "x"}, False),
    ({"a": (1,)}, False),
    ({"a": object()}, False),
    ({"a": {"b": [1, 2.5, None]}}, True),
    ({"a": 1.0, "b": [1, {"c": float("inf")}]}, False),
    ([{"a": 1}], True),
])
def test_is_json_value_accepts_plain_json_values_only_flat_or_nested(value, expected):
    assert validation.is_json_value(value) is expected
    assert validation.is_json_object(value) is (expected and isinstance(value, dict))


def test_a_non_finite_number_in_a_flat_free_form_object_is_refused_naming_the_field():
    item = talon_one.CartItem(name="Shoe", sku="SKU-1", quantity=1, price=1.0, attributes={"size": 42})
    item.attributes["weight"] = float("inf")
    with pytest.raises(ApiValueError) as caught:
        item.validate()
    assert "CartItem.attributes" in str(caught.value) and "inf" in str(caught.value)
