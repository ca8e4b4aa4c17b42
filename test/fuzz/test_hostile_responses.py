"""Malicious or odd responses: decoded safely, or refused with a talon_one exception.

A raw 127.0.0.1 server answers every IntegrationApi operation that returns a model
with crafted bodies (status 200, application/json): keys that shadow Python
attributes and model methods, JSON that is not an object, wrong types for every
field, nesting 100,000 levels deep, huge numbers, NaN, duplicate keys, invalid
UTF-8, a BOM, lone surrogates, random bytes. The call either returns an instance
of the operation's model whose class, methods and tables are untouched (unknown
keys kept in additional_properties) and whose to_dict() and re-encoding do not
crash, or raises one of our exceptions (ApiDecodeError for a body that is not the
JSON expected). Error statuses with the same bodies raise their mapped exception,
whose str() does not crash either.
"""

import json
import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st

import talon_one
from talon_one.exceptions import ApiDecodeError, ApiException, OpenApiException

from . import spec_strategies as spec
from .conftest import bounded, ours_or_result
from .raw_server import RawReply

RESPONSE_EXAMPLES = 40

# Operations answering with a model (non-deprecated ones; the deprecated ones share their response models).
MODEL_OPERATIONS = [op for op in spec.OPERATIONS if op[5] is not None and not op[6]]

SHADOWING_KEYS = ["to_dict", "to_json", "to_str", "from_dict", "from_json", "validate", "__class__", "__dict__",
                  "__slots__", "__module__", "__weakref__", "__init__", "__new__", "__setattr__", "__getattr__",
                  "__getattribute__", "__eq__", "__hash__", "__repr__", "__reduce__", "__init_subclass__", "mro",
                  "_extra", "_config", "openapi_types", "attribute_map", "_required", "_constraints", "_aliases",
                  "_raw_twin", "_key_lookup", "_field_checkers", "additional_properties",
                  "local_vars_configuration", "typed_props", "__proto__", "constructor", "prototype"]


def _call(api, operation):
    method_name, _, _, path_params, body_schema, _, _ = operation
    args = ["x"] * len(path_params) + ([spec.minimal_json(body_schema)] if body_schema else [])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return getattr(api, method_name)(*args)


def _answer(api, server, operation, body, status=200, content_type="application/json"):
    """The call's result when the server answers `body` (bytes or str), or the talon_one exception raised."""
    server.reset()
    server.script(RawReply(status=status, body=body, content_type=content_type))
    return ours_or_result(lambda: _call(api, operation), "%s answered %r" % (operation[0], body[:60]))


_CLASS_STATE = {}


def _class_state(cls):
    """What decoding must never change on a model class."""
    return {name: cls.__dict__.get(name) for name in ("openapi_types", "attribute_map", "to_dict", "to_json",
                                                       "validate", "from_dict", "__init__", "__setattr__")}


def assert_decoded_safely(result, schema_name):
    """An instance of the model, class and methods untouched; to_dict, to_json, repr, validate do not crash."""
    cls = spec.model_class(schema_name)
    assert type(result) is cls, "decoded into %r" % (type(result),)
    state = _CLASS_STATE.setdefault(cls, _class_state(cls))
    assert _class_state(cls) == state, "decoding changed the class"
    for method in ("to_dict", "to_json", "validate"):
        assert getattr(result, method).__func__ is getattr(cls, method), "%s was shadowed" % method
    as_dict = ours_or_result(result.to_dict, "to_dict()")
    assert isinstance(as_dict, dict), "to_dict() raised %r" % (as_dict,)
    text = ours_or_result(result.to_json, "to_json()")
    if not isinstance(text, OpenApiException):
        assert isinstance(json.loads(text), dict)
    ours_or_result(lambda: repr(result), "repr()")
    ours_or_result(result.validate, "validate()")
    return as_dict, text


# --------------------------------------------------------------------------
# Keys that shadow attributes and methods
# --------------------------------------------------------------------------

def _nested_model_keys(schema_name):
    """JSON keys of `schema_name` holding one nested model: (key, schema)."""
    return [(key, spec.ref_of(prop)) for key, prop in spec.properties(schema_name).items() if spec.kind(prop) == "ref"]


def test_keys_shadowing_attributes_and_methods_are_kept_as_data(api, raw_server, figures):
    tried = []

    @bounded(RESPONSE_EXAMPLES)
    @given(operation=st.sampled_from(MODEL_OPERATIONS), data=st.data())
    def check(operation, data):
        tried.append(1)
        schema_name = operation[5]
        shadows = data.draw(st.dictionaries(st.sampled_from(SHADOWING_KEYS), spec.JSON_VALUES, min_size=1, max_size=6),
                            label="shadowing keys")
        body = dict(spec.minimal_json(schema_name), **shadows)
        nested = _nested_model_keys(schema_name)
        target = data.draw(st.sampled_from(nested), label="also nested in") if nested else None
        if target is not None:
            body[target[0]] = dict(spec.minimal_json(target[1]), **shadows)
        result = _answer(api, raw_server, operation, json.dumps(body))
        as_dict, text = assert_decoded_safely(result, schema_name)
        assert result.additional_properties == shadows
        for key, value in shadows.items():
            assert as_dict[key] == value
        assert spec.normalize(schema_name, json.loads(text)) == spec.normalize(schema_name, body)
        if target is not None:
            inner = getattr(result, spec.snake_case(target[0]))
            assert_decoded_safely(inner, target[1])
            assert inner.additional_properties == shadows
        # Later decodes are not affected.
        clean = spec.model_class(schema_name).from_dict(spec.minimal_json(schema_name))
        assert clean.additional_properties == {} and assert_decoded_safely(clean, schema_name)

    check()
    figures.add("fuzz examples: responses with shadowing keys", len(tried))


# --------------------------------------------------------------------------
# Bodies that are not the object expected
# --------------------------------------------------------------------------

NOT_OBJECTS = [b"[]", b"[1, 2]", b'[{"effects": []}]', b'"a string"', b'""', b"5", b"-0.5", b"1e400", b"null",
               b"true", b"false"]


@pytest.mark.parametrize("operation", MODEL_OPERATIONS, ids=[op[0] for op in MODEL_OPERATIONS])
def test_json_that_is_not_an_object_is_refused(operation, api, raw_server, figures):
    for body in NOT_OBJECTS:
        result = _answer(api, raw_server, operation, body)
        assert isinstance(result, ApiDecodeError), "%r decoded into %r" % (body, result)
        assert result.status == 200 and result.body == body.decode()
        figures.add("fuzz: odd response bodies checked", 1)


def _wrong_types(schema_name, depth=0):
    """Objects of `schema_name` whose every property holds any JSON value (nested models: the same, once)."""
    fields = {}
    for key, prop in spec.properties(schema_name).items():
        if spec.kind(prop) == "ref" and depth == 0:
            fields[key] = st.one_of(spec.JSON_VALUES, _wrong_types(spec.ref_of(prop), depth + 1))
        else:
            fields[key] = st.one_of(spec.JSON_VALUES, st.sampled_from(["2024-06-15T18:22:11", "not a time",
                                                                       "2024-06-15T18:22:60Z", "9999-99-99"]))
    return st.fixed_dictionaries({}, optional=fields)


def test_wrong_types_in_every_field_decode_safely(api, raw_server, figures):
    tried = []

    @bounded(RESPONSE_EXAMPLES * 2)
    @given(operation=st.sampled_from(MODEL_OPERATIONS), data=st.data())
    def check(operation, data):
        tried.append(1)
        body = data.draw(_wrong_types(operation[5]), label="body")
        result = _answer(api, raw_server, operation, json.dumps(body))
        assert_decoded_safely(result, operation[5])
        assert sorted(result.to_dict(exclude_none=True)) == sorted(spec.snake_case(key) for key, value in body.items()
                                                                   if value is not None)
        assert set(result.to_dict()) == set(type(result).openapi_types)

    check()
    figures.add("fuzz examples: responses with wrong types in every field", len(tried))


# --------------------------------------------------------------------------
# Nesting, numbers, encodings
# --------------------------------------------------------------------------

SESSION = next(op for op in MODEL_OPERATIONS if op[0] == "update_customer_session_v2")


# Plain tests, not hypothesis: hypothesis raises the recursion limit while a test runs.
@pytest.mark.parametrize("depth", [100, 450, 900, 5_000, 100_000])
@pytest.mark.parametrize("where", ["top level", "attributes", "unknown key"])
def test_deeply_nested_json_is_refused_or_decoded_safely(depth, where, api, raw_server, figures):
    deep = "[" * depth + "]" * depth
    body = {"top level": deep,
            "attributes": '{"customerSession": {"attributes": {"a": %s}}}' % deep,
            "unknown key": '{"effects": [], "futureField": %s}' % deep}[where]
    result = _answer(api, raw_server, SESSION, body)
    if where == "top level":
        assert isinstance(result, ApiDecodeError)
    elif not isinstance(result, ApiDecodeError):
        assert_decoded_safely(result, "IntegrationStateV2")
    figures.add("fuzz: odd response bodies checked", 1)


NUMBER_BODIES = {
    "100-digit integer": '{"effects": [{"campaignId": %s}]}' % ("9" * 100),
    "5000-digit integer": '{"effects": [{"campaignId": %s}]}' % ("9" * 5000),
    "1e400": '{"customerSession": {"total": 1e400}}',
    "-1e400": '{"customerSession": {"total": -1e400}}',
    "1e-400": '{"customerSession": {"total": 1e-400}}',
    "NaN": '{"customerSession": {"total": NaN}}',
    "Infinity": '{"customerSession": {"attributes": {"x": Infinity}}}',
    "-Infinity": '{"customerSession": {"attributes": {"x": -Infinity}}}',
    "long fraction": '{"customerSession": {"total": 0.%s1}}' % ("0" * 500),
}


@pytest.mark.parametrize("name", sorted(NUMBER_BODIES))
def test_odd_numbers_are_decoded_exactly_or_refused(name, api, raw_server, figures):
    result = _answer(api, raw_server, SESSION, NUMBER_BODIES[name])
    if name in ("NaN", "Infinity", "-Infinity"):
        assert isinstance(result, ApiDecodeError), "JSON has no %s: the body is not JSON" % name
    elif name == "100-digit integer":
        assert_decoded_safely(result, "IntegrationStateV2")
        assert result.effects[0].campaign_id == int("9" * 100)
        assert json.loads(result.to_json()) == json.loads(NUMBER_BODIES[name])
    elif not isinstance(result, ApiDecodeError):
        assert_decoded_safely(result, "IntegrationStateV2")
    figures.add("fuzz: odd response bodies checked", 1)


ENCODING_BODIES = {
    "invalid UTF-8": b'{"effects": [], "x": "\xff\xfe"}',
    "truncated UTF-8": b'{"x": "\xe2\x82"}',
    "UTF-8 BOM": b'\xef\xbb\xbf{"effects": []}',
    "UTF-16 with BOM": '{"effects": []}'.encode("utf-16"),
    "UTF-32": '{"effects": []}'.encode("utf-32"),
    "lone surrogate escape": b'{"customerSession": {"profileId": "\\ud800"}, "x\\udfff": 1}',
    "NUL escapes": b'{"customerSession": {"profileId": "a\\u0000b"}}',
    "duplicate keys": b'{"effects": [], "effects": 5, "customerSession": {}, "customerSession": []}',
    "duplicate shadowing keys": b'{"__class__": 1, "__class__": {"x": 2}, "to_dict": 3}',
    "raw control characters": b'{"x": "a\x01b"}',
    "trailing garbage": b'{"effects": []} []',
    "empty object": b"{}",
    "whitespace": b"  \r\n\t {} \n",
}


@pytest.mark.parametrize("name", sorted(ENCODING_BODIES))
def test_odd_encodings_are_decoded_or_refused(name, api, raw_server, figures):
    result = _answer(api, raw_server, SESSION, ENCODING_BODIES[name])
    if name in ("invalid UTF-8", "truncated UTF-8", "raw control characters", "trailing garbage"):
        assert isinstance(result, ApiDecodeError)
    elif name in ("empty object", "whitespace", "UTF-8 BOM", "duplicate keys", "duplicate shadowing keys",
                  "NUL escapes"):
        assert_decoded_safely(result, "IntegrationStateV2")
    elif not isinstance(result, ApiDecodeError):
        assert_decoded_safely(result, "IntegrationStateV2")
    if name == "duplicate keys":
        assert result.effects == 5 and result.customer_session == []  # the last one wins, kept as received
    if name == "duplicate shadowing keys":
        assert result.additional_properties == {"__class__": {"x": 2}, "to_dict": 3}
    figures.add("fuzz: odd response bodies checked", 1)


def test_random_bytes_are_decoded_or_refused(api, raw_server, figures):
    tried = []

    @bounded(RESPONSE_EXAMPLES)
    @given(operation=st.sampled_from(MODEL_OPERATIONS),
           body=st.one_of(st.binary(max_size=64), st.text(max_size=64).map(lambda t: t.encode("utf-8")),
                          spec.JSON_VALUES.map(lambda v: json.dumps(v).encode())))
    def check(operation, body):
        tried.append(1)
        result = _answer(api, raw_server, operation, body)
        if not isinstance(result, ApiDecodeError):
            assert_decoded_safely(result, operation[5])

    check()
    figures.add("fuzz examples: random response bodies", len(tried))


# --------------------------------------------------------------------------
# Error statuses with the same bodies
# --------------------------------------------------------------------------

ERROR_STATUSES = [400, 401, 403, 404, 409, 418, 429, 500, 502, 503]
ERROR_BODIES = st.one_of(
    spec.JSON_VALUES.map(json.dumps),
    st.fixed_dictionaries({}, optional={"message": spec.JSON_VALUES, "errors": st.one_of(
        spec.JSON_VALUES, st.lists(st.fixed_dictionaries({}, optional={
            "title": spec.JSON_VALUES, "details": spec.JSON_VALUES,
            "source": st.one_of(spec.JSON_VALUES, st.fixed_dictionaries({}, optional={
                "pointer": spec.JSON_VALUES, "parameter": spec.JSON_VALUES, "line": spec.JSON_VALUES}))}),
            max_size=5))}).map(json.dumps),
    st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
    st.sampled_from(['{"message": ' + "[" * 100_000 + "]" * 100_000 + "}", "{" * 100_000,
                     '{"message": "\\ud800", "errors": [{"title": "\\udfff"}]}', "<html>502 Bad Gateway</html>"]))


def test_error_responses_raise_their_exception_and_print(make_client, raw_server, figures):
    api = talon_one.IntegrationApi(make_client())
    tried = []

    @bounded(RESPONSE_EXAMPLES)
    @given(operation=st.sampled_from(MODEL_OPERATIONS), status=st.sampled_from(ERROR_STATUSES), body=ERROR_BODIES)
    def check(operation, status, body):
        tried.append(1)
        result = _answer(api, raw_server, operation, body, status=status)
        assert isinstance(result, ApiException) and result.status == status, result
        for what, action in (("str", lambda: str(result)), ("repr", lambda: repr(result)),
                             ("message", lambda: result.message), ("errors", lambda: result.errors)):
            ours_or_result(action, "%s of the exception" % what)

    check()
    figures.add("fuzz examples: error responses", len(tried))
