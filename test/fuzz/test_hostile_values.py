"""Hostile values never crash the serializer: the output is exactly the JSON expected, or one of our exceptions.

Random Unicode (lone surrogates, NUL, RTL marks, emoji), 1 MB strings, NaN and
Infinity, huge integers, Decimals, deeply nested and self-containing `attributes`,
and Python values JSON cannot carry go through every way a value reaches the
wire: a model's constructor, attribute assignment, validate(), to_dict(),
to_json(), model_base.serialize(), and an IntegrationApi call to a raw local
server. Each either gives correct JSON (checked with json.loads against what
was given; for a call, against the body the server received) or raises a
talon_one.exceptions.OpenApiException, with nothing sent. A RecursionError,
TypeError, ValueError or UnicodeEncodeError escaping is a failure.
"""

import collections
import datetime
import decimal
import json
import math
import re
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

import talon_one
from talon_one import model_base
from talon_one.exceptions import ApiTypeError, ApiValueError, OpenApiException

from . import spec_strategies as spec
from .conftest import Escaped, bounded, ours_or_result

UNICODE_EXAMPLES = 60
NUMBER_EXAMPLES = 40

_SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, exclude_categories=())
# Half valid Unicode (any code point but surrogates, NUL and RTL marks included), half with lone surrogates.
ANY_TEXT = st.one_of(
    st.text(min_size=1, max_size=30),
    st.text(alphabet=st.one_of(st.characters(), st.characters(), st.characters(), _SURROGATES), min_size=1,
            max_size=30),
    st.sampled_from(["\x00", "\u202e\u0627\u0644\u202c", "\U0001f600\U0001f469\u200d\U0001f4bb", "\ud800",
                     "a\udfffb", "\ufeff\u2028\u2029", "\\u0000\"", "\x7f\x85\x1b[31m"]))


def _as_decimals(text):
    """Parse JSON with every number as a Decimal, so a comparison sees the digits sent."""
    return json.loads(text, parse_float=decimal.Decimal, parse_int=decimal.Decimal)


def _deep_equal(left, right):
    """== for JSON-like values of any depth, without recursion."""
    stack = [(left, right)]
    while stack:
        a, b = stack.pop()
        if isinstance(a, dict) and isinstance(b, dict):
            if a.keys() != b.keys():
                return False
            stack.extend((a[key], b[key]) for key in a)
        elif isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
            if len(a) != len(b):
                return False
            stack.extend(zip(a, b))
        elif isinstance(a, (dict, list, tuple)) or isinstance(b, (dict, list, tuple)):
            return False
        elif a != b or (type(a) is bool) != (type(b) is bool):
            return False
    return True


def _event(attributes, text="event", configuration=None):
    return talon_one.NewEvent(type=text, session_id="session-1", attributes=attributes,
                              local_vars_configuration=configuration)


def _unchecked_configuration():
    return talon_one.Configuration(client_side_validation=False)


@pytest.fixture
def apis(make_client):
    """(an IntegrationApi validating bodies, as by default; one with client-side validation off)."""
    return (talon_one.IntegrationApi(make_client()),
            talon_one.IntegrationApi(make_client(client_side_validation=False)))


def _check_every_path(attributes, apis, server, expect_refusal=None, text="event", deep=None):
    """`attributes` (and `text` as a string field) through every path: exact JSON, or our exception.

    expect_refusal: None (either outcome), True (must be refused everywhere it is sent)
    or False (must be encoded everywhere). `deep`, for values too deep for json.loads
    to check: (the deep value, its compact JSON text). Every path is tried; the
    failures of all of them are reported together. Returns the outcomes by path.
    """
    outcomes = {}
    escaped = []
    expected = {"type": text, "sessionId": "session-1", "attributes": attributes}

    def attempt(where, action):
        try:
            return ours_or_result(action, where)
        except Escaped as error:
            escaped.append(str(error))
            outcomes[where] = "crashed"
            return error

    def record(where, result, encoded_text=None):
        if isinstance(result, Escaped):
            return
        if isinstance(result, OpenApiException):
            outcomes[where] = "refused"
        elif encoded_text is None:
            outcomes[where] = "accepted"
        else:
            assert _same_json(encoded_text, expected, deep), "%s did not encode exactly what was given" % where
            outcomes[where] = "encoded"

    record("constructor", attempt("constructor", lambda: _event(attributes, text)))
    unchecked = _event(attributes, text, _unchecked_configuration())
    holder = _event({}, text)
    record("assignment", attempt("assignment", lambda: setattr(holder, "attributes", attributes)))
    record("validate()", attempt("validate()", unchecked.validate))
    attempt("to_dict()", unchecked.to_dict)  # sends nothing, so refuses nothing: it must just not crash
    for where, action in (("to_json()", unchecked.to_json),
                          ("serialize(model)", lambda: model_base.serialize(unchecked).decode("utf-8")),
                          ("serialize(dict)", lambda: model_base.serialize(expected).decode("utf-8"))):
        result = attempt(where, action)
        record(where, result, result if isinstance(result, str) else None)

    # An IntegrationApi call, validating (the default) and not: exact body received, or refused and nothing sent.
    for where, call_api in (("call", apis[0]), ("call without validation", apis[1])):
        server.reset()
        body = _event_dict(attributes, text) if call_api is apis[0] else unchecked
        result = attempt(where, lambda: call_api.track_event(body))
        if isinstance(result, OpenApiException):
            assert not isinstance(result, talon_one.ApiException), "refused by the server, not the client: %s" % result
            assert server.requests == [], "%s: refused, yet a request was sent" % where
        if isinstance(result, (OpenApiException, Escaped)):
            record(where, result)
        else:
            assert len(server.requests) == 1
            record(where, result, server.requests[0].body.decode("utf-8"))
    assert not escaped, "\n".join(escaped)
    if expect_refusal is True:
        assert set(outcomes.values()) == {"refused"}, outcomes
    elif expect_refusal is False:
        assert "refused" not in outcomes.values(), outcomes
    return outcomes


def _same_json(text, expected, deep=None):
    """`text` is the JSON of `expected`; with `deep`, its deep part is compared as text (json.loads cannot)."""
    if deep is not None:
        value, value_text = deep
        if value_text not in text:
            return False
        text = text.replace(value_text, '"__deep__"', 1)
        expected = json.loads(json.dumps(_replace_identical(expected, value, "__deep__")))
    try:
        parsed = json.loads(text)
    except RecursionError:
        raise AssertionError("the JSON sent is nested too deeply to check; pass deep=") from None
    return _deep_equal(parsed, expected)


def _replace_identical(value, target, replacement):
    if value is target:
        return replacement
    if isinstance(value, dict):
        return {key: _replace_identical(item, target, replacement) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_identical(item, target, replacement) for item in value]
    return value


def _event_dict(attributes, text):
    return {"type": text, "sessionId": "session-1", "attributes": attributes}



# --------------------------------------------------------------------------
# Unicode
# --------------------------------------------------------------------------

def test_any_unicode_is_sent_exactly_or_refused(apis, raw_server, figures):
    tried = collections.Counter()

    @bounded(UNICODE_EXAMPLES)
    @given(value=ANY_TEXT, key=ANY_TEXT)
    def check(value, key):
        tried["examples"] += 1
        lone_surrogate = any(0xD800 <= ord(char) <= 0xDFFF for char in value + key)
        outcomes = _check_every_path({key: [value, {"nested": value}]}, apis, raw_server, text=value)
        if not lone_surrogate:
            # Valid Unicode is always sent, exactly.
            assert "refused" not in outcomes.values(), outcomes
        tried["lone surrogates"] += lone_surrogate

    check()
    figures.add("fuzz examples: unicode strings through every encoding path", tried["examples"])
    figures.add("fuzz examples: ... of which with lone surrogates", tried["lone surrogates"])


def test_one_megabyte_strings_are_sent_exactly(apis, raw_server, figures):
    unit = "a\x00\u202e\u0627\U0001f600\"\\\n\t\u2028\ufeff"
    big = (unit * (1_048_576 // len(unit) + 1))[:1_048_576]
    outcomes = _check_every_path({"big": big, big: "key"}, apis, raw_server, expect_refusal=False, text=big)
    assert outcomes["call"] == "encoded"
    item = talon_one.CartItem(name=big, sku=big, quantity=1, price=1.0)
    assert json.loads(item.to_json())["name"] == big
    figures.set("fuzz: largest string sent exactly (characters)", len(big))


# --------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------

NOT_FINITE = [float("nan"), float("inf"), float("-inf"), -float("nan"), decimal.Decimal("NaN"),
              decimal.Decimal("sNaN"), decimal.Decimal("Infinity"), decimal.Decimal("-Infinity")]
_NAN_WORDS = re.compile(r"nan|infinity|inf\b|finite", re.IGNORECASE)


@st.composite
def nested_somewhere(draw, leaf):
    """`leaf` wrapped in a random path of dicts and lists (0-6 levels)."""
    value = leaf
    for is_dict in draw(st.lists(st.booleans(), max_size=6)):
        value = {draw(st.text(max_size=5)): value} if is_dict else [value]
    return value


def test_nan_and_infinity_are_refused_with_a_clear_error(apis, raw_server, figures):
    tried = []

    @bounded(NUMBER_EXAMPLES)
    @given(bad=st.sampled_from(NOT_FINITE), data=st.data())
    def check(bad, data):
        tried.append(1)
        attributes = {"ok": 1, "bad": data.draw(nested_somewhere(bad))}
        _check_every_path(attributes, apis, raw_server, expect_refusal=True)
        # In a number field: constructor and assignment name the field and say why.
        with pytest.raises(ApiValueError) as refused:
            talon_one.CartItem(name="a", sku="b", quantity=1, price=bad)
        assert "CartItem.price" in str(refused.value) and _NAN_WORDS.search(str(refused.value))
        item = talon_one.CartItem(name="a", sku="b", quantity=1, price=1.0)
        with pytest.raises(ApiValueError) as refused:
            item.weight = bad
        assert "CartItem.weight" in str(refused.value) and _NAN_WORDS.search(str(refused.value))
        assert item.weight is None
        with pytest.raises(ApiValueError) as refused:
            model_base.serialize({"value": bad})
        assert _NAN_WORDS.search(str(refused.value))

    check()
    figures.add("fuzz examples: NaN/Infinity refused", len(tried))


def _loads_all_digits(text):
    """json.loads without Python's 4300-digit limit on int parsing (raised only while checking)."""
    limit = getattr(sys, "get_int_max_str_digits", lambda: 0)()
    setter = getattr(sys, "set_int_max_str_digits", None)
    if setter is not None:
        setter(0)
    try:
        return json.loads(text, parse_float=decimal.Decimal)
    finally:
        if setter is not None:
            setter(limit)


EXTREME_INTEGERS = [10 ** 100, -(10 ** 100), 2 ** 64, 10 ** 4299, 10 ** 4300, 10 ** 5000, -(10 ** 20000)]
EXTREME_IDS = ["1e100", "-1e100", "2**64", "1e4299", "1e4300", "1e5000", "-1e20000"]


def _check_integer(number, apis, raw_server):
    for where, action in (
            ("serialize", lambda: model_base.serialize({"n": number, "list": [number]})),
            ("CartItem.to_json", lambda: talon_one.CartItem(name="a", sku="b", quantity=abs(number) + 1,
                                                            price=number, attributes={"n": number}).to_json())):
        result = ours_or_result(action, where)
        if isinstance(result, OpenApiException):
            # JSON carries any integer; refusing one is allowed only past Python's own 4300-digit limit.
            assert abs(number) >= 10 ** 4300, result
            continue
        parsed = _loads_all_digits(result)
        if where == "serialize":
            assert parsed == {"n": number, "list": [number]} and type(parsed["n"]) is int
        else:
            assert parsed["quantity"] == abs(number) + 1 and parsed["price"] == number
            assert parsed["attributes"] == {"n": number}
    if abs(number) < 10 ** 300:
        assert _check_every_path({"n": number}, apis, raw_server, expect_refusal=False)["call"] == "encoded"


def test_big_integers_are_encoded_exactly(apis, raw_server, figures):
    tried = []

    @bounded(NUMBER_EXAMPLES)
    @given(number=st.one_of(st.integers(), st.integers(min_value=-(10 ** 60), max_value=10 ** 60)))
    def check(number):
        tried.append(1)
        _check_integer(number, apis, raw_server)

    check()
    figures.add("fuzz examples: huge integers", len(tried))


@pytest.mark.parametrize("number", EXTREME_INTEGERS, ids=EXTREME_IDS)
def test_extreme_integers_are_encoded_exactly_or_refused(number, apis, raw_server, figures):
    _check_integer(number, apis, raw_server)
    figures.add("fuzz examples: huge integers", 1)


DECIMALS = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False),
    st.sampled_from([decimal.Decimal(text) for text in (
        "0.1", "0.10", "-0", "1E+1000", "1e-1000", "123456789012345678901234567890.12345678901234567890",
        "0.000000000000000000000000000001", "9" * 60, "-1.5E-7")]))


def test_decimals_keep_their_exact_digits(apis, raw_server, figures):
    tried = []

    @bounded(NUMBER_EXAMPLES)
    @given(number=DECIMALS)
    def check(number):
        tried.append(1)
        text = model_base.serialize({"d": number, "in": [{"d": number}]}).decode("utf-8")
        parsed = _as_decimals(text)
        assert parsed["d"] == number and parsed["in"][0]["d"] == number
        if number >= 0:
            item = talon_one.CartItem(name="a", sku="b", quantity=1, price=number, attributes={"d": number})
            parsed = _as_decimals(item.to_json())
            assert parsed["price"] == number and parsed["attributes"]["d"] == number
        raw_server.reset()
        apis[0].track_event(_event({"d": number}))
        assert _as_decimals(raw_server.requests[0].body)["attributes"]["d"] == number

    check()
    figures.add("fuzz examples: Decimals", len(tried))


# --------------------------------------------------------------------------
# Nesting
# --------------------------------------------------------------------------

def _nest(depth, kinds):
    value = "leaf"
    for index in range(depth):
        value = {"k": value} if kinds[index % len(kinds)] else [value]
    return value


def _nest_text(depth, kinds):
    """The compact JSON of _nest(depth, kinds), built without recursion."""
    opening = "".join('{"k":' if kinds[index % len(kinds)] else "[" for index in reversed(range(depth)))
    closing = "".join("}" if kinds[index % len(kinds)] else "]" for index in range(depth))
    return opening + '"leaf"' + closing


# Plain tests, not hypothesis: hypothesis raises the recursion limit while it runs a test, which
# would hide exactly the RecursionError these look for. A user's process has the default limit.
NESTING_SHAPES = {"objects": [True], "arrays": [False], "mixed": [True, False, False]}


@pytest.mark.parametrize("shape", sorted(NESTING_SHAPES))
@pytest.mark.parametrize("depth", [1, 2, 50, 250, 499, 500])
def test_attributes_nested_500_levels_deep_are_sent_exactly(depth, shape, apis, raw_server, figures):
    assert sys.getrecursionlimit() <= 1000 + 100, "run at about the default recursion limit"
    attributes = {"deep": _nest(depth, NESTING_SHAPES[shape])}
    _check_every_path(attributes, apis, raw_server, expect_refusal=False)
    assert _deep_equal(_event(attributes).to_dict()["attributes"], attributes)
    _deepest[0] = max(_deepest[0], depth)
    figures.set("fuzz: deepest attributes sent exactly (levels)", _deepest[0])


_deepest = [0]


@pytest.mark.parametrize("depth", [1_000, 5_000, 100_000])
def test_pathological_nesting_never_crashes(depth, apis, raw_server, figures):
    deep = _nest(depth, [True, False])
    outcomes = _check_every_path({"deep": deep}, apis, raw_server, deep=(deep, _nest_text(depth, [True, False])))
    figures.add("fuzz: pathological nesting checks (depth up to 100,000 and cycles)", len(outcomes))


def test_self_containing_values_are_refused(apis, raw_server):
    cyclic = {"a": 1}
    cyclic["self"] = cyclic
    looped = [1]
    looped.append(looped)
    for attributes in ({"cycle": cyclic}, {"loop": looped}):
        _check_every_path(attributes, apis, raw_server, expect_refusal=True)


# --------------------------------------------------------------------------
# Values JSON cannot carry, and timestamps
# --------------------------------------------------------------------------

class _Opaque:
    pass


NOT_JSON = [{1, 2}, frozenset(), b"bytes", bytearray(b"x"), object(), _Opaque(), 1j, {1: "int key"},
            {("tuple", "key"): 1}, {None: 1}, datetime.timedelta(seconds=1), range(3), Ellipsis, print]


def test_values_json_cannot_carry_are_refused(apis, raw_server, figures):
    tried = []

    @bounded(NUMBER_EXAMPLES)
    @given(bad=st.sampled_from(NOT_JSON), data=st.data())
    def check(bad, data):
        tried.append(1)
        _check_every_path({"bad": data.draw(nested_somewhere(bad))}, apis, raw_server, expect_refusal=True)
        with pytest.raises((ApiTypeError, ApiValueError)):
            model_base.serialize([{"bad": bad}])

    check()
    figures.add("fuzz examples: values JSON cannot carry", len(tried))


def test_timestamps_must_be_aware_and_are_sent_as_rfc3339(apis, raw_server):
    naive = datetime.datetime(2024, 6, 15, 18, 22, 11)
    profile = spec.build("CustomerProfile", spec.minimal_json("CustomerProfile"))
    with pytest.raises(ApiValueError, match=r"CustomerProfile\.created"):
        profile.created = naive
    for aware in (datetime.datetime(1, 1, 1, tzinfo=datetime.timezone.utc),
                  datetime.datetime(9999, 12, 31, 23, 59, 59, 999999,
                                    tzinfo=datetime.timezone(-datetime.timedelta(hours=23, minutes=59))),
                  datetime.datetime(2024, 2, 29, 12, 0,
                                    tzinfo=datetime.timezone(datetime.timedelta(hours=5, minutes=45)))):
        profile.created = aware
        sent = json.loads(profile.to_json())["created"]
        assert spec.parse_rfc3339(sent.replace("+00:00", "Z")) == aware
        assert json.loads(model_base.serialize({"at": aware}))["at"] == sent
    # A timestamp inside attributes: naive refused, aware sent.
    _check_every_path({"at": naive}, apis, raw_server, expect_refusal=True)
    raw_server.reset()
    apis[0].track_event(_event({"at": datetime.datetime(2024, 6, 15, tzinfo=datetime.timezone.utc)}))
    assert json.loads(raw_server.requests[0].body)["attributes"]["at"].startswith("2024-06-15T00:00:00")


def test_floats_survive_exactly():
    @bounded(NUMBER_EXAMPLES)
    @given(number=st.floats(allow_nan=False, allow_infinity=False))
    def check(number):
        text = talon_one.CartItem(name="a", sku="b", quantity=1, price=number).to_json()
        back = json.loads(text)["price"]
        assert back == number and math.copysign(1, back) == math.copysign(1, number)

    check()
