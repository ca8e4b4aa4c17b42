"""Hypothesis strategies for the Integration API's schemas, derived from spec/integration-api.json alone.

Nothing here reads the models' own tables (openapi_types, attribute_map,
_required, _constraints): the strategies, the Python field names, the builders
and the expected JSON all come from the spec, so a mistake shared by the
generator and the models cannot hide.

    schema_json(name)        random valid JSON objects (dicts with JSON keys) of schema `name`
    build(name, data, mode)  the same instance built through the model constructors
    normalize(name, data)    JSON with every date-time turned into an aware datetime (compare instants)
    with_defaults(name, d)   what a constructor fills in: the spec's `default`s for absent properties
    invalid_values(...)      values breaking one property's type or constraints
"""

import copy
import datetime
import decimal
import json
import os
import re

from hypothesis import strategies as st

import talon_one

SPEC_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "spec", "integration-api.json")

with open(SPEC_PATH, encoding="utf-8") as _handle:
    SPEC = json.load(_handle)

SCHEMAS = SPEC["components"]["schemas"]
EFFECT_TYPES = SPEC.get("x-effect-types", {})
ALL_SCHEMAS = sorted(SCHEMAS)

UTC = datetime.timezone.utc


# --------------------------------------------------------------------------
# Reading the spec
# --------------------------------------------------------------------------

def snake_case(name):
    """The Python name of a spec name: camelCase split before each capital that follows a
    lower-case letter or digit (integrationIDs -> integration_ids, transactionUUID -> transaction_uuid)."""
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def model_class(schema_name):
    return getattr(talon_one, schema_name)


def properties(schema_name):
    return SCHEMAS[schema_name].get("properties", {})


def required(schema_name):
    return list(SCHEMAS[schema_name].get("required", []))


def ref_of(prop):
    """The schema a property refers to ($ref, or allOf with one $ref), else None."""
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[1]
    if "allOf" in prop and len(prop["allOf"]) == 1:
        return ref_of(prop["allOf"][0])
    return None


def kind(prop):
    """ref, datetime, string, integer, number, boolean, array, map or object."""
    if ref_of(prop) is not None:
        return "ref"
    spec_type = prop.get("type")
    if spec_type == "string" and prop.get("format") == "date-time":
        return "datetime"
    if spec_type == "object":
        extra = prop.get("additionalProperties")
        return "map" if isinstance(extra, dict) and extra else "object"
    if spec_type in ("string", "integer", "number", "boolean", "array"):
        return spec_type
    raise AssertionError("unexpected property shape %r" % (prop,))


def _refs_in(value):
    found = []
    if isinstance(value, dict):
        if "$ref" in value:
            found.append(value["$ref"].rsplit("/", 1)[1])
        for item in value.values():
            found += _refs_in(item)
    elif isinstance(value, list):
        for item in value:
            found += _refs_in(item)
    return found


def operations():
    """[(method name, HTTP method, path, path parameter names, body schema, response schema, deprecated)]."""
    found = []
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            path_params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            body = operation.get("requestBody")
            body_schema = ref_of(body["content"]["application/json"]["schema"]) if body else None
            response_schema = None
            for status, response in operation["responses"].items():
                if status.startswith("2") and "content" in response:
                    response_schema = ref_of(response["content"]["application/json"]["schema"])
            found.append((snake_case(operation["operationId"]), method.upper(), path, path_params, body_schema,
                          response_schema, bool(operation.get("deprecated"))))
    return found


OPERATIONS = operations()


def paths_to(target):
    """Ways a request body can carry schema `target`: [(operation, [(JSON key, container), ...])].

    container is None (a nested object), 'array' (one item of a list) or 'map'
    (one value of an additionalProperties object). The first non-deprecated
    operation taking each body schema is used; the empty path means the body itself.
    """
    found = []
    seen_bodies = set()
    for operation in sorted(OPERATIONS, key=lambda op: op[6]):
        body = operation[4]
        if body is None or body in seen_bodies:
            continue
        seen_bodies.add(body)
        stack = [(body, [])]
        while stack:
            schema, path = stack.pop()
            if schema == target:
                found.append((operation, path))
                continue
            for key, prop in properties(schema).items():
                if kind(prop) == "ref":
                    stack.append((ref_of(prop), path + [(schema, key, None)]))
                elif kind(prop) == "array" and ref_of(prop["items"]):
                    stack.append((ref_of(prop["items"]), path + [(schema, key, "array")]))
                elif kind(prop) == "map" and ref_of(prop["additionalProperties"]):
                    stack.append((ref_of(prop["additionalProperties"]), path + [(schema, key, "map")]))
    return found


def schema_of_step(owner, key):
    """The schema held by property `key` of `owner`: itself, its list items, or its map values."""
    prop = properties(owner)[key]
    return ref_of(prop) or ref_of(prop.get("items", {})) or ref_of(prop.get("additionalProperties") or {})


def reachable(schema_name):
    """The schemas an instance of `schema_name` can contain (effect props included), for sizing example counts."""
    seen = set(EFFECT_TYPES.values()) if schema_name == "Effect" else set()
    stack = [schema_name]
    while stack:
        for prop in properties(stack.pop()).values():
            for ref in (ref_of(prop), ref_of(prop.get("items", {})), ref_of(prop.get("additionalProperties") or {})):
                if ref and ref not in seen:
                    seen.add(ref)
                    stack.append(ref)
    return seen


def constraints():
    """[(schema, JSON name, keyword, spec value)] for every constraint the spec states."""
    found = []
    for schema_name in ALL_SCHEMAS:
        for key, prop in properties(schema_name).items():
            for keyword in ("enum", "minLength", "maxLength", "minimum", "maximum"):
                if keyword in prop:
                    found.append((schema_name, key, keyword, prop[keyword]))
            if "enum" in prop.get("items", {}):
                found.append((schema_name, key, "items.enum", prop["items"]["enum"]))
    return found


# --------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------

# Text that has broken serializers, URLs and terminals before.
NASTY_STRINGS = [
    "", " ", "\x00", "a\x00b", "\r\n", "a\r\nX-Injected: 1", "\t", "\u202e\u0644\u0627", "\u200f", "\ufeff",
    "\U0001f600", "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\U0001d54f", "\u2028\u2029", "\x85", "\x7f",
    "\"'\\", "</script>", "%2F", "%", "%00", "..", ".", "/", "?#&=+;", "null", "true", "NaN", "\ud7ff\ue000",
    "\U0010ffff", "a" * 300,
]


def text(min_size=0, max_size=None):
    """Any valid Unicode text (no lone surrogates: they cannot be sent as UTF-8), nasty strings included."""
    limit = 24 if max_size is None else max_size
    nasty = [s for s in NASTY_STRINGS if min_size <= len(s) and (max_size is None or len(s) <= max_size)]
    strategy = st.text(min_size=min_size, max_size=max(limit, min_size))
    return st.one_of(strategy, st.sampled_from(nasty)) if nasty else strategy


def _big_ints(minimum, maximum):
    candidates = [10 ** 100, -(10 ** 100), 2 ** 63, -(2 ** 63) - 1, 2 ** 53 + 1, 0]
    return [n for n in candidates if (minimum is None or n >= minimum) and (maximum is None or n <= maximum)]


def integers(minimum=None, maximum=None):
    return st.one_of(st.integers(min_value=minimum, max_value=maximum),
                     st.sampled_from(_big_ints(minimum, maximum)))


def numbers(minimum=None, maximum=None):
    return st.one_of(
        st.floats(min_value=minimum, max_value=maximum, allow_nan=False, allow_infinity=False),
        integers(None if minimum is None else int(minimum), None if maximum is None else int(maximum)))


JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), text(max_size=12),
                         st.floats(allow_nan=False, allow_infinity=False))


def _json_containers(children):
    return st.one_of(st.lists(children, max_size=3), st.dictionaries(text(max_size=8), children, max_size=3))


JSON_VALUES = st.recursive(JSON_SCALARS, _json_containers, max_leaves=10)
FREE_FORM_OBJECTS = st.dictionaries(text(max_size=8), JSON_VALUES, max_size=4)

# Years 1000-9000: aware datetimes of other offsets compare by instant, which overflows at the extremes.
_FIRST = datetime.datetime(1000, 1, 1)
_SPAN_SECONDS = int((datetime.datetime(9000, 12, 31) - _FIRST).total_seconds())
_MAX_OFFSET = 23 * 60 + 59


def _render_rfc3339(parts):
    """An RFC 3339 timestamp from a few integers (one cheap draw): its instant and its spelling."""
    seconds, microsecond, offset_minutes, style = parts
    zone = datetime.timezone.utc if style % 3 == 0 else datetime.timezone(
        datetime.timedelta(minutes=offset_minutes))
    value = (_FIRST + datetime.timedelta(seconds=seconds, microseconds=microsecond)).replace(tzinfo=zone)
    text = value.strftime("%Y-%m-%d") + "Tt"[style % 2] + value.strftime("%H:%M:%S")
    if value.microsecond:
        digits = ("%06d" % value.microsecond).rstrip("0")
        text += "." + digits + "0" * ((style // 2) % (10 - len(digits)))
    else:
        text += ["", ".0", ".000000", ".000000000"][(style // 3) % 4]
    minutes = int(value.utcoffset().total_seconds()) // 60
    if minutes == 0:
        text += ["Z", "z", "+00:00", "-00:00"][(style // 5) % 4]
    else:
        text += "%s%02d:%02d" % ("+" if minutes > 0 else "-", abs(minutes) // 60, abs(minutes) % 60)
    return text


def rfc3339():
    """RFC 3339 timestamps in any of their spellings (T or t, Z, z or an offset, 0 to 9 fraction digits)."""
    return st.tuples(st.integers(0, _SPAN_SECONDS), st.one_of(st.just(0), st.integers(0, 999_999)),
                     st.integers(-_MAX_OFFSET, _MAX_OFFSET), st.integers(0, 1000)).map(_render_rfc3339)


_RFC3339 = re.compile(r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([Zz])|([+-])(\d\d):(\d\d))\Z")


def parse_rfc3339(value):
    """The aware datetime an RFC 3339 string stands for (independent of the SDK's parser)."""
    match = _RFC3339.match(value)
    if match is None:
        raise AssertionError("not RFC 3339: %r" % value)
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    fraction = (match.group(7) or "").ljust(6, "0")
    assert set(fraction[6:]) <= {"0"}, "only zero digits past microseconds are generated"
    if match.group(8):
        zone = UTC
    else:
        sign = -1 if match.group(9) == "-" else 1
        zone = datetime.timezone(sign * datetime.timedelta(hours=int(match.group(10)), minutes=int(match.group(11))))
    return datetime.datetime(year, month, day, hour, minute, second, int(fraction[:6]), tzinfo=zone)


# --------------------------------------------------------------------------
# Valid instances
# --------------------------------------------------------------------------

_schema_strategies = {}


def schema_json(schema_name):
    """Random valid instances of `schema_name`, as JSON objects (dicts with JSON keys)."""
    strategy = _schema_strategies.get(schema_name)
    if strategy is None:
        strategy = _schema_strategies[schema_name] = _schema_json(schema_name)  # the spec has no cycles
    return strategy


def _schema_json(schema_name):
    props = properties(schema_name)
    needed = required(schema_name)
    if schema_name == "Effect" and EFFECT_TYPES:
        return _effect_json(props, needed)
    return st.fixed_dictionaries(
        {key: property_json(prop) for key, prop in props.items() if key in needed},
        optional={key: property_json(prop) for key, prop in props.items() if key not in needed})


def _effect_json(props, needed):
    """An effect whose props match its effectType (the spec's x-effect-types), or an unknown type, free-form props."""
    fixed = {key: property_json(prop) for key, prop in props.items()
             if key in needed and key not in ("effectType", "props")}
    optional = {key: property_json(prop) for key, prop in props.items() if key not in needed}
    known = st.one_of([st.tuples(st.just(effect_type), schema_json(props_schema))
                       for effect_type, props_schema in sorted(EFFECT_TYPES.items())])
    unknown = st.tuples(text(min_size=1, max_size=12).filter(_not_an_effect_type), FREE_FORM_OBJECTS)

    def combine(parts):
        base, (effect_type, payload) = parts
        out = dict(base)
        out["effectType"] = effect_type
        out["props"] = payload
        return out
    return st.tuples(st.fixed_dictionaries(fixed, optional=optional),
                     st.one_of(known, known, known, unknown)).map(combine)


def _not_an_effect_type(name):
    return name not in EFFECT_TYPES


def property_json(prop):
    """Random valid JSON values of one property."""
    shape = kind(prop)
    if "enum" in prop:
        return st.sampled_from(prop["enum"])
    if shape == "ref":
        return schema_json(ref_of(prop))
    if shape == "datetime":
        return rfc3339()
    if shape == "string":
        return text(prop.get("minLength", 0), prop.get("maxLength"))
    if shape == "integer":
        return integers(prop.get("minimum"), prop.get("maximum"))
    if shape == "number":
        return numbers(prop.get("minimum"), prop.get("maximum"))
    if shape == "boolean":
        return st.booleans()
    if shape == "array":
        items = prop["items"]
        return st.lists(property_json(items), max_size=2 if ref_of(items) else 3)
    if shape == "map":
        return st.dictionaries(text(max_size=10), property_json(prop["additionalProperties"]), max_size=2)
    return FREE_FORM_OBJECTS


def minimal_json(schema_name):
    """The smallest valid instance of `schema_name`: its required properties only, each at its simplest."""
    return {key: _minimal_value(properties(schema_name)[key]) for key in required(schema_name)}


def _minimal_value(prop):
    shape = kind(prop)
    if "enum" in prop:
        return prop["enum"][0]
    if shape == "ref":
        return minimal_json(ref_of(prop))
    if shape == "string":
        return "x" * max(1, prop.get("minLength", 1))
    if shape in ("integer", "number"):
        value = prop.get("minimum", 1 if shape == "integer" else 1.5)
        value = min(value, prop.get("maximum", value))
        return int(value) if shape == "integer" else float(value)
    return {"boolean": True, "array": [], "map": {}, "object": {}, "datetime": "2024-06-15T18:22:11Z"}[shape]


# --------------------------------------------------------------------------
# Building through the constructors, and what to expect
# --------------------------------------------------------------------------

def build(schema_name, data, datetimes_as="objects"):
    """`data` (valid JSON of `schema_name`) built through the model constructors, by Python field name.

    Nested objects become nested models; date-time strings become aware
    datetimes (datetimes_as='objects') or stay RFC 3339 strings ('strings').
    """
    kwargs = {}
    for key, value in data.items():
        kwargs[snake_case(key)] = python_value(properties(schema_name)[key], value, datetimes_as)
    return model_class(schema_name)(**kwargs)


def python_value(prop, value, datetimes_as="objects"):
    """A valid JSON value of `prop` as given to a constructor or an assignment (see build)."""
    shape = kind(prop)
    if shape == "ref":
        return build(ref_of(prop), value, datetimes_as)
    if shape == "datetime":
        return parse_rfc3339(value) if datetimes_as == "objects" else value
    if shape == "array":
        return [python_value(prop["items"], item, datetimes_as) for item in value]
    if shape == "map":
        return {key: python_value(prop["additionalProperties"], item, datetimes_as) for key, item in value.items()}
    return copy.deepcopy(value)


def normalize(schema_name, data):
    """JSON of `schema_name` with date-time strings replaced by the instants they stand for."""
    if not isinstance(data, dict):
        return data
    props = properties(schema_name)
    return {key: _normalize_value(props[key], value) if key in props else value for key, value in data.items()}


def _normalize_value(prop, value):
    shape = kind(prop)
    if shape == "ref":
        return normalize(ref_of(prop), value)
    if shape == "datetime" and isinstance(value, str):
        return parse_rfc3339(value)
    if shape == "array" and isinstance(value, list):
        return [_normalize_value(prop["items"], item) for item in value]
    if shape == "map" and isinstance(value, dict):
        return {key: _normalize_value(prop["additionalProperties"], item) for key, item in value.items()}
    return value


def with_defaults(schema_name, data):
    """`data` plus the spec's default for each absent property that has one, at every level."""
    out = {}
    props = properties(schema_name)
    for key, prop in props.items():
        if key in data:
            out[key] = _defaults_value(prop, data[key])
        elif "default" in prop:
            out[key] = prop["default"]
    return out


def _defaults_value(prop, value):
    shape = kind(prop)
    if shape == "ref":
        return with_defaults(ref_of(prop), value)
    if shape == "array" and ref_of(prop["items"]):
        return [with_defaults(ref_of(prop["items"]), item) for item in value]
    if shape == "map" and ref_of(prop["additionalProperties"]):
        return {key: with_defaults(ref_of(prop["additionalProperties"]), item) for key, item in value.items()}
    return value


# --------------------------------------------------------------------------
# Invalid values
# --------------------------------------------------------------------------

_NOT_A_TIMESTAMP = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Nd")), max_size=20)
_NON_INTEGRAL_FLOATS = st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x != int(x))


def wrong_type_values(prop):
    """JSON values of a type the property does not have (ApiTypeError), as (value, exception name) pairs.

    A date-time given text that is no timestamp is a bad value (ApiValueError).
    """
    shape = kind(prop)

    def typed(strategy):
        return strategy.map(lambda value: (value, "ApiTypeError"))

    lists = st.lists(st.integers(), max_size=2)
    objects = st.dictionaries(text(max_size=5), st.integers(), max_size=2)
    if shape in ("string",):
        return typed(st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans(), lists, objects))
    if shape == "datetime":
        return st.one_of(typed(st.one_of(st.integers(), st.booleans(), lists, objects)),
                         _NOT_A_TIMESTAMP.map(lambda value: (value, "ApiValueError")))
    if shape == "integer":
        return typed(st.one_of(text(), _NON_INTEGRAL_FLOATS, st.booleans(), lists, objects))
    if shape == "number":
        return typed(st.one_of(text(), st.booleans(), lists, objects))
    if shape == "boolean":
        return typed(st.one_of(st.integers(), text(), st.floats(allow_nan=False), lists, objects))
    if shape == "array":
        bad_items = wrong_type_values(prop["items"]).map(lambda pair: [pair[0]])
        return st.one_of(typed(st.one_of(st.integers(), st.booleans(), objects)), typed(bad_items))
    if shape == "map":
        bad_values = wrong_type_values(prop["additionalProperties"]).map(lambda pair: {"key": pair[0]})
        return st.one_of(typed(st.one_of(text(), st.integers(), lists)), typed(bad_values))
    if shape == "ref":
        return typed(st.one_of(text(), st.integers(), st.booleans(), lists))
    # A free-form object: anything but a JSON object.
    return typed(st.one_of(text(), st.integers(), st.booleans(), lists))


def constraint_breaking_values(keyword, spec_value, prop):
    """Values breaking `keyword` (ApiValueError): below minimum, too long, not in the enum..."""
    shape = kind(prop)
    if keyword == "minLength":
        return st.text(max_size=spec_value - 1)
    if keyword == "maxLength":
        return st.one_of(st.text(min_size=spec_value + 1, max_size=spec_value + 40),
                         st.just("\U0001f600" * (spec_value + 1)))
    if keyword == "minimum":
        if shape == "integer":
            return st.one_of(st.integers(max_value=spec_value - 1), st.just(-(10 ** 100)))
        return st.one_of(
            st.floats(max_value=spec_value, exclude_max=True, allow_nan=False, allow_infinity=False),
            st.integers(max_value=int(spec_value) - 1),
            st.decimals(max_value=decimal.Decimal(spec_value) - decimal.Decimal("1e-9"), allow_nan=False,
                        allow_infinity=False))
    if keyword == "maximum":
        if shape == "integer":
            return st.one_of(st.integers(min_value=spec_value + 1), st.just(10 ** 100))
        return st.one_of(
            st.floats(min_value=spec_value, exclude_min=True, allow_nan=False, allow_infinity=False),
            st.integers(min_value=int(spec_value) + 1),
            st.decimals(min_value=decimal.Decimal(spec_value) + decimal.Decimal("1e-9"), allow_nan=False,
                        allow_infinity=False))
    if keyword == "enum":
        return text().filter(lambda value: value not in spec_value)
    if keyword == "items.enum":
        bad = text().filter(lambda value: value not in spec_value)
        return st.tuples(st.lists(st.sampled_from(spec_value), max_size=3), bad, st.integers(0, 3)).map(
            lambda parts: parts[0][:parts[2]] + [parts[1]] + parts[0][parts[2]:])
    raise AssertionError(keyword)
