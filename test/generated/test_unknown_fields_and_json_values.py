"""Decoding objects that carry fields the spec does not know, and sanitize_for_serialization.

The generated decoders keep their straight path for such objects (the unknown
keys go to `additional_properties`); sanitize_for_serialization builds the
values `json.loads(serialize(...))` would give, without writing the text.
"""

import copy
import datetime
import decimal
import importlib
import json

import pytest

import talon_one
import talon_one.models
from talon_one import serialization
from talon_one.exceptions import ApiTypeError, ApiValueError
from talon_one.model_base import Model

from .spec_examples import SCHEMAS, example

UNKNOWN = {"zz_new_flag": True, "zzNewCount": 3, "zz_new_object": {"nested": [1, "two"]}}


def with_unknown_fields(value, schema):
    """`value` (JSON of `schema`, a spec schema) with the UNKNOWN keys added to every object of a model."""
    while "allOf" in schema or "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]] if "$ref" in schema else schema["allOf"][0]
    if isinstance(value, dict) and "properties" in schema:
        out = {key: with_unknown_fields(item, schema["properties"].get(key, {})) for key, item in value.items()}
        out.update(copy.deepcopy(UNKNOWN))
        return out
    if isinstance(value, dict) and isinstance(schema.get("additionalProperties"), dict):
        return {key: with_unknown_fields(item, schema["additionalProperties"]) for key, item in value.items()}
    if isinstance(value, list) and "items" in schema:
        return [with_unknown_fields(item, schema["items"]) for item in value]
    return value


def augmented(name):
    return with_unknown_fields(example(name), SCHEMAS[name])


def models_in(value):
    """Every model inside a decoded value (itself included), depth first."""
    if isinstance(value, Model):
        yield value
        for name in type(value).openapi_types:
            yield from models_in(getattr(value, name))
    elif isinstance(value, list):
        for item in value:
            yield from models_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from models_in(item)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_objects_with_unknown_fields_decode_like_the_general_path_and_keep_them(name):
    cls = getattr(talon_one.models, name)
    data = augmented(name)
    decoded = cls.from_dict(copy.deepcopy(data))
    assert decoded == cls._from_any_keys(copy.deepcopy(data))  # the general path, for this level
    models = list(models_in(decoded))
    assert models and all(model.additional_properties == UNKNOWN for model in models)
    assert json.loads(decoded.to_json()) == data
    plain = cls.from_dict(example(name))
    for model, known in zip(models, models_in(plain)):
        assert type(model) is type(known)
        for field in type(model).openapi_types:
            value = getattr(model, field)
            if not isinstance(value, (dict, list, Model)):  # containers: their models are compared in turn
                assert value == getattr(known, field)


@pytest.mark.parametrize("name", sorted(talon_one.models.__all__))
def test_objects_with_as_many_keys_as_the_spec_but_one_unknown_decode_like_the_general_path(name):
    """The straight path reads an object of exactly the spec's key count with subscripts; one that
    swaps a known key for an unknown one (or for a field name) must still decode like the general path."""
    cls = getattr(talon_one.models, name)
    keys = list(cls.attribute_map.values())
    exact = {key: None for key in keys}
    assert cls.from_dict(dict(exact)) == cls._from_any_keys(dict(exact))
    assert cls.from_dict(dict(exact)).additional_properties == {}
    for index, missing in enumerate(keys):
        swapped = {key: index for key in keys if key != missing}
        swapped["zz_unknown"] = "kept"
        decoded = cls.from_dict(dict(swapped))
        assert decoded == cls._from_any_keys(dict(swapped))
        assert decoded.additional_properties == {"zz_unknown": "kept"}
        assert getattr(decoded, list(cls.attribute_map)[index]) is None
    for field, key in cls.attribute_map.items():
        if field != key:  # the field name instead of its JSON key: the general path reads it
            renamed = {other: None for other in keys if other != key}
            renamed[field] = "by name"
            assert getattr(cls.from_dict(renamed), field) == "by name"


def test_unknown_fields_keep_their_order_and_typed_values_stay_typed():
    data = {"zz_first": 1, "name": "Shoe", "sku": "SKU-1", "zz_second": [1], "quantity": 2, "price": 9.5}
    item = talon_one.CartItem.from_dict(data)
    assert list(item.additional_properties) == ["zz_first", "zz_second"]
    assert (item.name, item.quantity, item.price) == ("Shoe", 2, 9.5)
    state = talon_one.IntegrationStateV2.from_dict(augmented("IntegrationStateV2"))
    assert isinstance(state.customer_session, talon_one.CustomerSessionV2)
    assert isinstance(state.customer_session.created, datetime.datetime)
    assert all(isinstance(effect, talon_one.Effect) for effect in state.effects)


def test_field_names_and_aliases_with_unknown_keys_take_the_general_path():
    props = talon_one.CouponCreatedEffectProps.from_dict({"value": "X", "profile_id": "p-1", "zz": 1})
    assert props.profile_id == "p-1" and props.additional_properties == {"zz": 1}
    reservations = talon_one.CouponReservations.from_dict({"integration_i_ds": ["a"], "zz": 2})
    assert reservations.integration_ids == ["a"] and reservations.additional_properties == {"zz": 2}


@pytest.mark.parametrize("name", sorted(talon_one.models.__all__))
def test_other_names_constant_lists_the_names_from_dict_accepts_besides_json_keys(name):
    cls = getattr(talon_one.models, name)
    module = importlib.import_module(cls.__module__)
    expected = (set(cls.openapi_types) | set(cls._aliases)) - set(cls.attribute_map.values())
    assert set(getattr(module, "_OTHER_NAMES", ())) == expected


# --------------------------------------------------------------------------
# sanitize_for_serialization: the values sent, as json.loads(serialize()) gives them
# --------------------------------------------------------------------------

@pytest.fixture
def client():
    with talon_one.ApiClient() as api_client:
        yield api_client


def sent_values(body):
    return json.loads(serialization.serialize(body))


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_sanitize_gives_the_values_sent_for_every_model(client, name):
    model = getattr(talon_one.models, name).from_dict(augmented(name))
    assert client.sanitize_for_serialization(model) == sent_values(model)


def test_sanitize_of_timestamps_decimals_tuples_and_models_inside_free_form_values(client):
    aware = datetime.datetime(2024, 6, 15, 18, 22, 11, 500000, tzinfo=datetime.timezone.utc)
    body = {
        "at": aware, "day": datetime.date(2024, 6, 15), "price": decimal.Decimal("12.50"),
        "pair": (1, 2), "item": talon_one.AdditionalCost(price=1.5), "big": 10 ** 30, "deep": [[[{"x": None}]]],
    }
    expected = sent_values(body)
    assert client.sanitize_for_serialization(body) == expected
    assert expected["at"] == "2024-06-15T18:22:11.500000+00:00" and expected["item"] == {"price": 1.5}
    for scalar in (None, "text", 3, 2.5, True, aware, [aware]):
        assert client.sanitize_for_serialization(scalar) == sent_values(scalar)


def test_sanitize_shares_no_container_with_the_model(client):
    item = talon_one.CartItem(name="a", sku="b", quantity=1, price=2.0, attributes={"tags": ["x"]})
    session = talon_one.NewCustomerSessionV2(cart_items=[item], coupon_codes=["C1"])
    values = client.sanitize_for_serialization(session)
    values["cartItems"][0]["attributes"]["tags"].append("redacted")
    values["couponCodes"].clear()
    assert item.attributes == {"tags": ["x"]} and session.coupon_codes == ["C1"]


def test_sanitize_refuses_what_a_request_would_refuse(client):
    naive = datetime.datetime(2024, 1, 1)
    with pytest.raises(ApiValueError, match="naive datetime"):
        client.sanitize_for_serialization({"at": naive})
    with pytest.raises(ApiValueError, match="NaN or Infinity"):
        client.sanitize_for_serialization([1.0, float("nan")])
    with pytest.raises(ApiTypeError, match="set values cannot be sent"):
        client.sanitize_for_serialization({"x": {1, 2}})
    looped = {}
    looped["self"] = looped
    with pytest.raises(ApiValueError, match="refers to itself"):
        client.sanitize_for_serialization(looped)
