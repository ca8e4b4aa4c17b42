"""Property-based tests over every schema of the spec: valid instances round-trip, invalid values are refused.

Every strategy comes from spec/integration-api.json (see spec_strategies), never
from the models' own tables. For each of the 67 schemas:

* random valid instances (required, enums, lengths, limits, RFC 3339 timestamps in
  any spelling, nested refs and allOf, arrays, additionalProperties maps, free-form
  objects) decode, re-encode to the same JSON, and round-trip through
  from_dict/to_dict and to_json/from_json unchanged; built through the
  constructors (timestamps as datetimes or as strings) they pass validate() and
  equal the decoded model;
* every constrained field, given a value that breaks its constraint, its type, or
  None when required, is refused with ApiValueError/ApiTypeError naming
  `Model.field`: on construction, on assignment (the field keeps its value), by
  validate() on a decoded model, and by an IntegrationApi call carrying it, which
  sends nothing.
"""

import copy
import json
import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st

from talon_one.exceptions import ApiTypeError, ApiValueError

from . import spec_strategies as spec
from .conftest import bounded

# Examples per model: fewer for the large ones (integration states hold most of the spec), which cost the most.
ROUND_TRIP_EXAMPLES = 16
ROUND_TRIP_EXAMPLES_LARGE = 10
INVALID_EXAMPLES = 10

CONSTRAINTS = spec.constraints()
REQUIRED = [(name, key) for name in spec.ALL_SCHEMAS for key in spec.required(name)]
# Schemas whose every property gets wrong-typed values (each test draws the property).
TYPED = [name for name in spec.ALL_SCHEMAS if spec.properties(name)]


def _named(exc_info, schema_name, key):
    """The exception names `Model.field` (the Python field name, or the JSON key)."""
    text = str(exc_info.value)
    return ("%s.%s" % (schema_name, spec.snake_case(key)) in text) or ("%s.%s" % (schema_name, key) in text)


# --------------------------------------------------------------------------
# Round trips
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name", spec.ALL_SCHEMAS)
def test_valid_instances_round_trip_and_validate(name, figures):
    cls = spec.model_class(name)
    tried = []
    examples = ROUND_TRIP_EXAMPLES if len(spec.reachable(name)) < 8 else ROUND_TRIP_EXAMPLES_LARGE

    @bounded(examples)
    @given(data=spec.schema_json(name), datetimes_as=st.sampled_from(["objects", "strings"]))
    def check(data, datetimes_as):
        tried.append(1)
        expected = spec.normalize(name, data)

        # Decoding, then to_dict -> from_dict, gives the same model back.
        decoded = cls.from_dict(copy.deepcopy(data))
        assert type(decoded) is cls
        as_dict = decoded.to_dict()
        again = cls.from_dict(as_dict)
        assert again == decoded and type(again) is cls
        assert again.to_dict() == as_dict

        # to_json is the JSON decoded (timestamps compared as instants); from_json gives the model back.
        text = decoded.to_json()
        assert spec.normalize(name, json.loads(text)) == expected
        assert cls.from_json(text) == decoded
        assert cls.from_json(text.encode("utf-8")) == decoded

        # A valid instance validates, decoded or built through the constructors.
        assert decoded.validate() is decoded
        built = spec.build(name, data, datetimes_as)
        assert type(built) is cls
        assert built.validate() is built
        assert built == cls.from_dict(spec.with_defaults(name, copy.deepcopy(data)))
        assert spec.normalize(name, json.loads(built.to_json())) == spec.normalize(name, spec.with_defaults(name, data))

        # Assigning every field its value again, timestamps now given the other way (strings <-> datetimes,
        # nested objects as models), is accepted and gives the same model.
        other_way = "strings" if datetimes_as == "objects" else "objects"
        for key, value in data.items():
            setattr(built, spec.snake_case(key), spec.python_value(spec.properties(name)[key], value, other_way))
        assert built.validate() == cls.from_dict(spec.with_defaults(name, copy.deepcopy(data)))

        if name == "Effect" and data["effectType"] in spec.EFFECT_TYPES:
            props_schema = spec.EFFECT_TYPES[data["effectType"]]
            typed = decoded.typed_props
            assert type(typed) is spec.model_class(props_schema)
            assert spec.normalize(props_schema, json.loads(typed.to_json())) == spec.normalize(props_schema,
                                                                                                data["props"])

    check()
    assert len(tried) >= examples // 2
    figures.add("fuzz examples: round trip (%d models)" % len(spec.ALL_SCHEMAS), len(tried))
    _fewest[name] = len(tried)
    figures.set("fuzz examples: round trip, fewest for one model", min(_fewest.values()))


_fewest = {}


# --------------------------------------------------------------------------
# Invalid values: construction, assignment, validate(), an IntegrationApi call
# --------------------------------------------------------------------------

def _valid_kwargs(schema_name, data):
    built = spec.build(schema_name, data)
    return {spec.snake_case(key): getattr(built, spec.snake_case(key)) for key in data}


def _expect_refused(exception_types, schema_name, key, action):
    with pytest.raises(exception_types) as exc_info:
        action()
    assert _named(exc_info, schema_name, key), "%s does not name %s.%s" % (exc_info.value, schema_name, key)
    return exc_info.value


def _check_refused_everywhere(schema_name, key, bad, exception_types, api, server):
    """`bad` in property `key` of `schema_name` is refused on every path, and nothing is sent.

    The rest of the object is the schema's smallest valid instance (the round-trip
    test covers the variety of valid instances; here the bad value is what varies).
    Returns whether a request body can carry the schema (and so an API call was checked).
    """
    cls = spec.model_class(schema_name)
    field = spec.snake_case(key)
    valid = spec.minimal_json(schema_name)

    # 1. Construction.
    kwargs = _valid_kwargs(schema_name, valid)
    kwargs[field] = copy.deepcopy(bad)
    _expect_refused(exception_types, schema_name, key, lambda: cls(**kwargs))

    # 2. Assignment: refused, and the field keeps its value.
    model = spec.build(schema_name, valid)
    before = getattr(model, field)
    _expect_refused(exception_types, schema_name, key, lambda: setattr(model, field, copy.deepcopy(bad)))
    assert getattr(model, field) == before

    # 3. validate() of a decoded model (decoding never validates).
    decoded = cls.from_dict(dict(copy.deepcopy(valid), **{key: copy.deepcopy(bad)}))
    _expect_refused(exception_types, schema_name, key, decoded.validate)

    # 4. An IntegrationApi call carrying it, as a dict body and as a decoded (unvalidated) model: nothing sent.
    routes = spec.paths_to(schema_name)
    for operation, path in routes[:1]:
        body = _body_with(operation[4], path, dict(copy.deepcopy(valid), **{key: copy.deepcopy(bad)}))
        for as_model in (False, True):
            sent = spec.model_class(operation[4]).from_dict(copy.deepcopy(body)) if as_model else copy.deepcopy(body)
            _expect_refused(exception_types, schema_name, key, lambda: _call(api, operation, sent))
            assert server.requests == [], "a request with an invalid body was sent"
    return bool(routes)


def _body_with(body_schema, path, target):
    """The smallest valid body of `body_schema` carrying `target` along `path` (in a list or map where it says)."""
    if not path:
        return target
    body = spec.minimal_json(body_schema)
    holder = body
    for index, (owner, step_key, container) in enumerate(path):
        child = target if index == len(path) - 1 else spec.minimal_json(spec.schema_of_step(owner, step_key))
        if container == "array":
            holder[step_key] = [spec.minimal_json(spec.schema_of_step(owner, step_key)), child]
        elif container == "map":
            holder[step_key] = {"first": spec.minimal_json(spec.schema_of_step(owner, step_key)), "second": child}
        else:
            holder[step_key] = child
        holder = child
    return body


def _call(api, operation, body):
    method_name, _, _, path_params, _, _, _ = operation
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return getattr(api, method_name)(*(["x"] * len(path_params) + [body]))


@pytest.mark.parametrize("schema_name,key,keyword,spec_value", CONSTRAINTS,
                         ids=["%s.%s-%s" % c[:3] for c in CONSTRAINTS])
def test_constraint_violations_are_refused_everywhere(schema_name, key, keyword, spec_value, api, raw_server,
                                                      figures):
    prop = spec.properties(schema_name)[key]
    tried = []

    @bounded(INVALID_EXAMPLES)
    @given(bad=spec.constraint_breaking_values(keyword, spec_value, prop))
    def check(bad):
        raw_server.reset()
        tried.append(1)
        if _check_refused_everywhere(schema_name, key, bad, ApiValueError, api, raw_server):
            figures.add("fuzz examples: invalid values refused by an IntegrationApi call, nothing sent", 1)

    check()
    figures.add("fuzz examples: constraint violations (%d constraints)" % len(CONSTRAINTS), len(tried))


@pytest.mark.parametrize("schema_name,key", REQUIRED, ids=["%s.%s" % r for r in REQUIRED])
def test_none_for_a_required_field_is_refused_everywhere(schema_name, key, api, raw_server, figures):
    if _check_refused_everywhere(schema_name, key, None, ApiValueError, api, raw_server):
        figures.add("fuzz examples: invalid values refused by an IntegrationApi call, nothing sent", 1)
    # Left out of the constructor altogether, too (unless the spec gives it a default, filled in then).
    kwargs = _valid_kwargs(schema_name, spec.minimal_json(schema_name))
    del kwargs[spec.snake_case(key)]
    if "default" in spec.properties(schema_name)[key]:
        assert getattr(spec.model_class(schema_name)(**kwargs), spec.snake_case(key)) == \
            spec.properties(schema_name)[key]["default"]
    else:
        _expect_refused(ApiValueError, schema_name, key, lambda: spec.model_class(schema_name)(**kwargs))
    figures.add("fuzz examples: None for required fields (%d fields)" % len(REQUIRED), 1)


@pytest.mark.parametrize("schema_name", TYPED)
def test_wrong_types_are_refused_everywhere(schema_name, api, raw_server, figures):
    props = spec.properties(schema_name)
    keys = sorted(key for key, prop in props.items() if spec.kind(prop) != "object")
    tried = []

    @bounded(INVALID_EXAMPLES)
    @given(data=st.data())
    def check(data):
        raw_server.reset()
        key = data.draw(st.sampled_from(keys), label="property")
        bad, error_name = data.draw(spec.wrong_type_values(props[key]), label="wrong-typed value")
        tried.append(1)
        expected = {"ApiTypeError": ApiTypeError, "ApiValueError": ApiValueError}[error_name]
        if _check_refused_everywhere(schema_name, key, bad, expected, api, raw_server):
            figures.add("fuzz examples: invalid values refused by an IntegrationApi call, nothing sent", 1)

    if keys:
        check()
    figures.add("fuzz examples: wrong types (%d models)" % len(TYPED), len(tried))


# The spec's free-form objects (`type: object` without properties: `attributes`, `props`...).
FREE_FORM = [(name, key) for name in spec.ALL_SCHEMAS for key, prop in spec.properties(name).items()
             if spec.kind(prop) == "object"]


def test_free_form_objects_refuse_values_that_are_not_objects(api, raw_server, figures):
    """`type: object` in the spec: a list, a string, a number or a boolean there is the wrong type."""
    tried = []

    @bounded(len(FREE_FORM) * 3)
    @given(data=st.data())
    def check(data):
        raw_server.reset()
        schema_name, key = data.draw(st.sampled_from(FREE_FORM), label="field")
        bad, _ = data.draw(spec.wrong_type_values(spec.properties(schema_name)[key]), label="not an object")
        tried.append(1)
        _check_refused_everywhere(schema_name, key, bad, ApiTypeError, api, raw_server)

    check()
    figures.add("fuzz examples: non-objects in free-form object fields (%d fields)" % len(FREE_FORM), len(tried))


# The spec's arrays: their items have a type, and null is none of them.
ARRAYS = [(name, key) for name in spec.ALL_SCHEMAS for key, prop in spec.properties(name).items()
          if spec.kind(prop) == "array"]


def test_null_items_in_typed_arrays_are_refused(api, raw_server, figures):
    tried = []

    @bounded(len(ARRAYS) * 2)
    @given(data=st.data())
    def check(data):
        raw_server.reset()
        schema_name, key = data.draw(st.sampled_from(ARRAYS), label="field")
        items = data.draw(spec.property_json(spec.properties(schema_name)[key]), label="valid items")
        items.insert(data.draw(st.integers(0, len(items)), label="position"), None)
        tried.append(1)
        _check_refused_everywhere(schema_name, key, items, (ApiTypeError, ApiValueError), api, raw_server)

    check()
    figures.add("fuzz examples: null items in typed arrays (%d fields)" % len(ARRAYS), len(tried))


# The spec's typed maps (additionalProperties with a schema): their values have a type, and null is none of them.
MAPS = [(name, key) for name in spec.ALL_SCHEMAS for key, prop in spec.properties(name).items()
        if spec.kind(prop) == "map"]


def test_null_values_in_typed_maps_are_refused(api, raw_server, figures):
    assert MAPS
    for schema_name, key in MAPS:
        raw_server.reset()
        _check_refused_everywhere(schema_name, key, {"some-key": None}, (ApiTypeError, ApiValueError),
                                  api, raw_server)
    figures.add("fuzz examples: null values in typed maps (%d fields)" % len(MAPS), len(MAPS))


def test_a_valid_body_does_reach_the_server(api, raw_server):
    """The control for the 'nothing sent' assertions above: the same calls with valid bodies are sent."""
    for operation in spec.OPERATIONS:
        if operation[4] is None:
            continue
        for schema_name in spec.ALL_SCHEMAS:
            for routed, path in spec.paths_to(schema_name):
                if routed is operation:
                    raw_server.reset()
                    body = _body_with(operation[4], path, spec.minimal_json(schema_name))
                    _call(api, operation, body)
                    assert len(raw_server.requests) == 1 and raw_server.requests[0].method == operation[1]
                    # A dict body is sent as given (decoded, validated, not completed with defaults).
                    assert spec.normalize(operation[4], json.loads(raw_server.requests[0].body)) == \
                        spec.normalize(operation[4], body)
