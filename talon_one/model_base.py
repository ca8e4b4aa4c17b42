"""The base of every generated model, and JSON (de)serialization.

Generated model classes declare, as class attributes:

    __slots__       one slot per field
    openapi_types   field -> type, in the generator's notation:
                    'str' 'int' 'float' 'bool' 'datetime' 'date' 'object'
                    'list[T]' 'dict(str, T)' or a model class name
    attribute_map   field -> JSON key
    _required       fields the spec marks required
    _constraints    field -> {'enum': (...), 'min_length': n, 'max_length': n,
                               'minimum': x, 'maximum': x, 'min_items': n, 'max_items': n}
    _aliases        other accepted spelling -> field (openapi-generator's names)

and, written out field by field by the generator (codegen/render_model_code.py):

    __init__            fills every slot, then checks this level when validation is on
    _from_json_object   the decoder: a parsed JSON object to a model, no validation
    _to_json_object     the encoder: the JSON object sent, nested models converted
    _validate_fields    the quick checks of every field; what they do not accept
                        goes to `Model._check_field`

This module holds what is the same for every model: the general paths those
methods fall back to (`Model._from_any_keys`, `Model._check_field`), the
per-field checkers that produce the error messages, the small functions the
generated code calls (`parse_datetime`, `parse_date`, and the quick checks
`is_number`, `is_aware_datetime`, `is_date`, `is_json_object`), and
`serialize` / `deserialize`. It builds no code at run time.

Two paths, which never mix:

* Building (user code): constructor keywords and attribute assignment are
  checked against types and constraints when client-side validation is on,
  and `validate()` checks a whole tree before a request is sent.
* Decoding (responses): `deserialize()` never validates, keeps unknown fields
  and keeps values of an unexpected type as received.

How it is kept fast (the SDK decodes a large integration state on every
checkout call):

* Every slot is always set (except `_config` on decoded models), and Model has
  no `__getattr__`: reading a field is a plain slot read.
* The generated decoder fills the slots of the model's unchecked twin class
  (same layout, plain `__setattr__`) and then switches the object to the real
  class: no per-value type parsing, no configuration lookups, no validation.
* Timestamps go through `datetime.fromisoformat`; python-dateutil is imported
  only for the rare string it rejects.
* Encoding converts a model tree with the generated encoders and lets the C
  encoder of `json.dumps` do the rest (its `default` hook sees only timestamps,
  decimals and the unexpected); only a failure takes the slow path, which walks
  the value to name exactly what is wrong.
* Validation accepts plain valid values with inline checks; only the rest
  reaches the per-field checkers here (which convert, or raise the message).
* Nothing heavy is imported with this module (no dateutil, decimal or uuid).
"""

import datetime
import json
import math
import os
import sys

# `import a.b` (not `from a import b`): the package's lazy __getattr__ must not be asked for it.
import talon_one.models
from talon_one.exceptions import ApiAttributeError, ApiTypeError, ApiValueError

__all__ = ["Model", "serialize", "deserialize", "to_jsonable", "parse_datetime", "field_alias"]

_PRIMITIVES = frozenset(("str", "int", "float", "bool", "object"))


# --------------------------------------------------------------------------
# Model lookup and validation switch
# --------------------------------------------------------------------------

_models = talon_one.models
_classes = {}


def _model_class(name):
    """The generated class called `name`, imported on first use."""
    cls = _classes.get(name)
    if cls is None:
        cls = _classes[name] = getattr(_models, name)
    return cls


_get_default_configuration = None


def _validation_on(configuration=None):
    """Whether client-side validation applies: `configuration`'s switch, else the default configuration's."""
    global _get_default_configuration
    if configuration is None:
        if _get_default_configuration is None:
            from talon_one.configuration import Configuration
            _get_default_configuration = Configuration.get_default
        configuration = _get_default_configuration()
    return bool(getattr(configuration, "client_side_validation", True))


# --------------------------------------------------------------------------
# Timestamps
# --------------------------------------------------------------------------

_fromisoformat = datetime.datetime.fromisoformat
# Python 3.11 reads "Z" and any fraction length itself; older versions need help.
_FROMISOFORMAT_TAKES_Z = sys.version_info >= (3, 11)


def parse_datetime(text):
    """Decode a server timestamp; a value that does not parse, or has no offset, is kept as received.

    `datetime.fromisoformat` handles the common shapes quickly; python-dateutil
    takes the rest (for example 9-digit fractions before Python 3.11). A
    timestamp without an offset (`2024-06-15T18:22:11`) stays the string
    received: its zone is unknown, and a naive datetime could not be sent back.
    """
    if text.__class__ is not str and not isinstance(text, str):
        return text
    try:
        if _FROMISOFORMAT_TAKES_Z:
            value = _fromisoformat(text)
        else:
            value = _fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        value = _parse_datetime_slow(text)
        if value is None:
            return text
    return text if value.tzinfo is None else value


def _parse_datetime_slow(text):
    """python-dateutil's reading of `text`, or None."""
    from dateutil import parser as dateutil_parser
    try:
        return dateutil_parser.isoparse(text)
    except (ValueError, OverflowError):
        return None


def _parse_user_datetime(text):
    """A timestamp string given by the user as a datetime (naive ones too, refused by the caller), or None."""
    try:
        if _FROMISOFORMAT_TAKES_Z:
            return _fromisoformat(text)
        return _fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        return _parse_datetime_slow(text)


def parse_date(text):
    """Parse a server date; a value that does not parse is kept as received."""
    if not isinstance(text, str):
        return text
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return text


# --------------------------------------------------------------------------
# Decoding (responses): tolerant, no validation
# --------------------------------------------------------------------------

def _split_type(type_ref):
    """('list', inner), ('dict', inner) or (None, type_ref)."""
    if type_ref.startswith("list[") and type_ref.endswith("]"):
        return "list", type_ref[5:-1]
    if type_ref.startswith("dict(str, ") and type_ref.endswith(")"):
        return "dict", type_ref[10:-1]
    return None, type_ref


# type_ref -> its decoder (see _decoder_for); None for types kept as parsed.
_decoders = {}


def _decoder_for(type_ref):
    """A function converting a parsed JSON value to `type_ref`, or None when no conversion is needed.

    Every function returned takes any value: None and values of an unexpected
    shape come back unchanged. Used by `deserialize` and the general decoding
    path; the generated decoders convert their fields inline.
    """
    if type_ref in _PRIMITIVES:
        return None
    try:
        return _decoders[type_ref]
    except KeyError:
        decode = _decoders[type_ref] = _make_decoder(type_ref)
        return decode


def _make_decoder(type_ref):
    if type_ref == "datetime":
        return parse_datetime
    if type_ref == "date":
        return parse_date
    container, inner_ref = _split_type(type_ref)
    if container is None:
        return _model_class(type_ref)._from_json_object
    inner = _decoder_for(inner_ref)
    if inner is None:
        return None
    if container == "list":
        def decode_list(value):
            if value.__class__ is not list:
                return value
            return [inner(item) for item in value]
        return decode_list

    def decode_dict(value):
        if value.__class__ is not dict:
            return value
        return {key: inner(item) for key, item in value.items()}
    return decode_dict


def deserialize(data, type_ref):
    """Decode parsed JSON `data` into `type_ref` (a model name, 'list[Model]', 'object', ...)."""
    if data is None or type_ref is None:
        return data
    decode = _decoder_for(type_ref)
    return data if decode is None else decode(data)


# Model class -> {JSON key, field name or alias: (field name, decoder)}, for the general decoding path.
_key_lookups = {}


def _key_lookup(cls):
    lookup = _key_lookups.get(cls)
    if lookup is None:
        lookup = {}
        for name, type_ref in cls.openapi_types.items():
            entry = (name, _decoder_for(type_ref))
            lookup[name] = entry
            lookup[cls.attribute_map[name]] = entry
        for alias, name in cls._aliases.items():
            lookup.setdefault(alias, lookup[name])
        _key_lookups[cls] = lookup
    return lookup


# --------------------------------------------------------------------------
# Encoding (requests)
# --------------------------------------------------------------------------

# Decimals are written as JSON numbers with all their digits: json.dumps cannot
# emit raw number text, so a Decimal becomes a string wrapped in this per-process
# token, and the quotes and tokens are stripped from the output afterwards.
_DECIMAL_TOKEN = "dec-" + os.urandom(16).hex()
_decimal_pattern = None


def _decimal_class():
    """decimal.Decimal if anything imported decimal (no Decimal can exist otherwise), else None."""
    module = sys.modules.get("decimal")
    return module.Decimal if module is not None else None


def _wire_decimal(value, where):
    if not value.is_finite():
        raise ApiValueError("%s: %s is not a valid JSON number (JSON has no NaN or Infinity)" % (where, value))
    return "%s%s%s" % (_DECIMAL_TOKEN, value, _DECIMAL_TOKEN)


def _wire_datetime(value, where):
    if value.tzinfo is None or value.utcoffset() is None:
        raise ApiValueError(
            "%s: naive datetime %s has no time zone; pass an aware datetime "
            "(for example datetime.now(timezone.utc))" % (where, value.isoformat()))
    return value.isoformat()


# Free-form values (`object` fields, dict bodies) may nest at most this many levels
# of objects and arrays; a model inside one starts a new count. The checks, and the
# careful encoder, refuse deeper values with ApiValueError (the walks are iterative,
# so they never reach Python's recursion limit).
MAX_NESTING = 512


def _too_deep(where, path=None):
    return ApiValueError("%s is nested more than %d levels deep (objects and arrays); such a value cannot be "
                         "sent as JSON" % (where, MAX_NESTING), path)


def _circular(where, path=None):
    return ApiValueError("%s refers to itself (a circular reference); JSON cannot carry it" % where, path)


def _child_where(where, key):
    return "%s[%d]" % (where, key) if key.__class__ is int else "%s.%s" % (where, key)


def _int_too_long(value, where):
    """ApiValueError when Python refuses to write `value` in decimal (sys.get_int_max_str_digits)."""
    try:
        int.__repr__(value)
    except ValueError:
        limit = getattr(sys, "get_int_max_str_digits", lambda: 0)()
        return ApiValueError("%s: integer with more than %d digits cannot be encoded (Python's int-to-str "
                             "digit limit, sys.get_int_max_str_digits())" % (where, limit))
    return None


# An int of fewer bits than this has fewer than 4,300 decimal digits (the default limit) and is written at once.
_SHORT_INT_BITS = 14000


def _jsonable_leaf(value, where):
    """A value that is not a dict, list, tuple or model, as a plain JSON value; raises for what JSON cannot hold."""
    cls = value.__class__
    if value is None or cls is str or cls is bool:
        return value
    if cls is int:
        if value.bit_length() > _SHORT_INT_BITS:
            error = _int_too_long(value, where)
            if error is not None:
                raise error
        return value
    if cls is float:
        if not math.isfinite(value):
            raise ApiValueError("%s: %r is not a valid JSON number (JSON has no NaN or Infinity)" % (where, value))
        return value
    if isinstance(value, datetime.datetime):
        return _wire_datetime(value, where)
    if isinstance(value, datetime.date):
        return value.isoformat()
    decimal_class = _decimal_class()
    if decimal_class is not None and isinstance(value, decimal_class):
        return _wire_decimal(value, where)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return _jsonable_leaf(int(value), where)
    if isinstance(value, float):
        return _jsonable_leaf(float(value), where)
    if isinstance(value, str):
        return str(value)
    raise ApiTypeError("%s: %s values cannot be sent as JSON" % (where, type(value).__name__))


def _model_items(model, out):
    """(JSON key, value, where) of a model's set fields, then of its unknown fields not already in `out`."""
    cls = type(model)
    owner = cls.__name__
    for name, key in cls.attribute_map.items():
        value = getattr(model, name)
        if value is not None:
            yield key, value, "%s.%s" % (owner, name)
    extra = model._extra
    if extra:
        for key, value in extra.items():
            if key not in out:
                yield key, value, "%s.%s" % (owner, key)


def _container_items(value, where, out):
    """(key, item, where or None) of a dict, list, tuple or model; None for any other value."""
    if isinstance(value, Model):
        return _model_items(value, out)
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise ApiTypeError("%s: object keys must be strings, got %r" % (where, key))
        return ((key, item, None) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return ((index, item, None) for index, item in enumerate(value))
    return None


def to_jsonable(value, where="body"):
    """Convert a body to plain JSON values (dict/list/str/int/float/bool/None).

    `where` names the place for error messages (for example 'CartItem.attributes').
    Raises ApiValueError for a naive datetime, a non-finite number, an integer
    too long to write, a value nested more than MAX_NESTING levels or one that
    contains itself, and ApiTypeError for a value JSON cannot hold. Iterative:
    any depth is refused cleanly, never with a RecursionError.
    """
    cls = value.__class__
    if value is None or cls is str or cls is bool or (cls is int and value.bit_length() <= _SHORT_INT_BITS):
        return value
    root = {} if isinstance(value, (dict, Model)) else []
    items = _container_items(value, where, root)
    if items is None:
        return _jsonable_leaf(value, where)
    # Each entry: (items, output container, its where, where its depth count began, depth, id of the source).
    stack = [(items, root, where, where, 0 if isinstance(value, Model) else 1, id(value))]
    active = {id(value)}  # the containers being walked: meeting one again is a cycle
    while stack:
        items, out, here, base, depth, ident = stack[-1]
        for key, item, item_where in items:
            cls = item.__class__
            if item is None or cls is str or cls is bool or cls is float and math.isfinite(item) or (
                    cls is int and item.bit_length() <= _SHORT_INT_BITS):
                converted = item
            elif cls is dict or cls is list or isinstance(item, (dict, list, tuple, Model)):
                if item_where is None:
                    item_where = _child_where(here, key)
                if id(item) in active:
                    raise _circular(item_where)
                if isinstance(item, Model):
                    child_base, child_depth = item_where, 0
                elif depth == 0:
                    child_base, child_depth = item_where, 1
                else:
                    child_base, child_depth = base, depth + 1
                if child_depth > MAX_NESTING:
                    raise _too_deep(child_base)
                converted = {} if isinstance(item, (dict, Model)) else []
                if out.__class__ is list:
                    out.append(converted)
                else:
                    out[key] = converted
                active.add(id(item))
                stack.append((_container_items(item, item_where, converted), converted, item_where, child_base,
                              child_depth, id(item)))
                break
            else:
                converted = _jsonable_leaf(item, item_where or _child_where(here, key))
            if out.__class__ is list:
                out.append(converted)
            else:
                out[key] = converted
        else:
            stack.pop()
            active.discard(ident)
    return root


class _NeedsSlowPath(Exception):
    """Raised inside json.dumps by the fast encoder when only the careful walk can tell what is wrong."""


def _encode_default(value):
    """json.dumps's hook for what it cannot encode itself: models, timestamps, decimals."""
    if isinstance(value, Model):
        if not _validation_on(getattr(value, "_config", None)):
            # Built unchecked: its `object` fields may hold dicts with non-string keys, which
            # json.dumps would quietly turn into strings. The careful path refuses them.
            raise _NeedsSlowPath()
        return value._to_json_object()
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise _NeedsSlowPath()
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    decimal_class = _decimal_class()
    if decimal_class is not None and isinstance(value, decimal_class) and value.is_finite():
        return "%s%s%s" % (_DECIMAL_TOKEN, value, _DECIMAL_TOKEN)
    raise _NeedsSlowPath()


_fast_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                                 default=_encode_default)
_careful_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def serialize(body):
    """The exact JSON bytes sent for `body` (a model, dict, list or scalar).

    Raises ApiValueError or ApiTypeError naming the offending place when the
    body holds something JSON cannot carry.
    """
    try:
        text = _fast_encoder.encode(body)
        # json.dumps turns int, float, bool and None keys into strings; a body must not have them.
        if _has_bad_keys(body):
            raise _NeedsSlowPath()
    except (_NeedsSlowPath, ValueError, TypeError, RecursionError):
        # The careful path: the iterative walk names what is wrong (too deep, circular, not JSON...).
        plain = to_jsonable(body)
        try:
            text = _careful_encoder.encode(plain)
        except RecursionError:
            raise ApiValueError("body: nested too deeply to be encoded as JSON here (the JSON encoder "
                                "reached Python's recursion limit)") from None
    if _DECIMAL_TOKEN in text:
        global _decimal_pattern
        if _decimal_pattern is None:
            import re
            _decimal_pattern = re.compile('"%s([^"]*)%s"' % (_DECIMAL_TOKEN, _DECIMAL_TOKEN))
        text = _decimal_pattern.sub(r"\1", text)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates (not valid Unicode) cannot be UTF-8; they can only be inside JSON strings
        # there, and "backslashreplace" writes each as a \udXXX escape, exactly as ensure_ascii=True
        # would: valid JSON text that reads back as the same string. Except a high surrogate
        # followed by a low one: written as two escapes, they read back as the one character
        # they encode (RFC 8259 section 7), not as the two code points given.
        import re
        pair = re.search("[\ud800-\udbff][\udc00-\udfff]", text)
        if pair is not None:
            raise ApiValueError("body: a string holds the surrogate pair %s as two separate code points; "
                                "JSON can only carry it as the character U+%X, so it cannot be sent exactly"
                                % (pair.group(0).encode("unicode_escape").decode("ascii"),
                                   _combined(pair.group(0)))) from None
        return text.encode("utf-8", "backslashreplace")



def _combined(pair):
    return 0x10000 + ((ord(pair[0]) - 0xD800) << 10) + (ord(pair[1]) - 0xDC00)


def _has_bad_keys(body):
    """Only plain dicts given directly as a body can smuggle non-string keys past the fast path.

    Dicts inside models are checked when the model is built or validated
    (`object` fields must hold JSON values), so this looks at top-level and
    list-of-dict bodies only, which is cheap. Iterative: the fast encoder has
    already refused anything cyclic or too deep.
    """
    cls = body.__class__
    if cls is not dict and cls is not list:
        return False
    stack = [body]
    while stack:
        value = stack.pop()
        if value.__class__ is dict:
            for key in value:
                if key.__class__ is not str and not isinstance(key, str):
                    return True
            items = value.values()
        else:
            items = value
        for item in items:
            if item.__class__ is dict or item.__class__ is list:
                stack.append(item)
    return False


# --------------------------------------------------------------------------
# Building (user input): type and constraint checks, one checker per field
# --------------------------------------------------------------------------
#
# The generated `_validate_fields` accepts, inline, the plain values a valid
# model holds (a str of the right length, an int in range, a list of
# CartItem...). Anything else (None in a required field, a dict to convert
# into a model, a tuple, a Decimal, a bad value) goes through the field's
# checker below, which converts it or raises the precise error.

def _describe(value):
    try:
        text = repr(value)
    except RecursionError:
        return "a %s nested too deeply to show" % type(value).__name__
    return text if len(text) <= 80 else text[:77] + "..."


def _check_jsonable(value, where, path):
    """Raise if `value` (a free-form `object` field) holds something JSON cannot carry; no copy is made.

    Also refuses a value nested more than MAX_NESTING levels, or one that contains
    itself. Iterative: any depth is refused cleanly, never with a RecursionError.
    """
    try:
        items = None if isinstance(value, Model) else _container_items(value, where, None)
    except ApiTypeError as exc:
        raise ApiTypeError(str(exc), path) from None
    if items is None:
        _check_json_leaf(value, where, path)
        return
    # Each entry: (items, its where, its path, depth, id of the container).
    stack = [(items, where, path, 1, id(value))]
    active = {id(value)}  # the containers being walked: meeting one again is a cycle
    while stack:
        items, here, here_path, depth, ident = stack[-1]
        for key, item, _ in items:
            cls = item.__class__
            if item is None or cls is str or cls is int or cls is bool or cls is float and math.isfinite(item):
                continue
            if (cls is dict or cls is list or isinstance(item, (dict, list, tuple))) and not isinstance(item, Model):
                item_where, item_path = _child_where(here, key), here_path + [key]
                if id(item) in active:
                    raise _circular(item_where, item_path)
                if depth >= MAX_NESTING:
                    raise _too_deep(where, path)
                active.add(id(item))
                try:
                    stack.append((_container_items(item, item_where, None), item_where, item_path, depth + 1,
                                  id(item)))
                except ApiTypeError as exc:
                    raise ApiTypeError(str(exc), item_path) from None
                break
            _check_json_leaf(item, _child_where(here, key), here_path + [key])
        else:
            stack.pop()
            active.discard(ident)


def _check_json_leaf(value, where, path):
    """Raise, naming `where` and `path`, if a value that is not a dict, list or tuple cannot be sent as JSON."""
    if isinstance(value, Model):
        try:
            value.validate(path)
        except RecursionError:
            # The innermost model reached raises this; where it is, the path runs hundreds of steps long.
            raise ApiValueError("%s: a model there contains itself, or models are nested too deeply to check"
                                % where, path[:6]) from None
        return
    try:
        _jsonable_leaf(value, where)
    except (ApiTypeError, ApiValueError) as exc:
        raise type(exc)(str(exc), path) from None


def _type_checker(owner, field, type_ref):
    """A function(value, path) -> value checking (and where needed converting) a non-None user value."""
    where = "%s.%s" % (owner, field)
    scalar = _SCALAR_CHECKERS.get(type_ref)
    if scalar is not None:
        return scalar(where)
    container, inner_ref = _split_type(type_ref)
    if container == "list":
        return _list_checker(where, _type_checker(owner, field, inner_ref))
    if container == "dict":
        return _dict_checker(where, _type_checker(owner, field, inner_ref))
    return _model_checker(where, type_ref)


def _str_checker(where):
    def check_str(value, path):
        if value.__class__ is not str and not isinstance(value, str):
            raise ApiTypeError("%s must be a string, got %s" % (where, _describe(value)), path)
        return value
    return check_str


def _int_checker(where):
    def check_int(value, path):
        if value.__class__ is not int and (isinstance(value, bool) or not isinstance(value, int)):
            raise ApiTypeError("%s must be an integer, got %s" % (where, _describe(value)), path)
        return value
    return check_int


def _number_checker(where):
    def check_number(value, path):
        cls = value.__class__
        if cls is int:
            return value
        if cls is float:
            if not math.isfinite(value):
                raise ApiValueError("%s must be a finite number (JSON has no NaN or Infinity), got %r"
                                    % (where, value), path)
            return value
        decimal_class = _decimal_class()
        if decimal_class is not None and isinstance(value, decimal_class):
            if not value.is_finite():
                raise ApiValueError("%s must be a finite number, got %s" % (where, value), path)
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ApiTypeError("%s must be a number, got %s" % (where, _describe(value)), path)
        return value if isinstance(value, int) else check_number(float(value), path)
    return check_number


def _bool_checker(where):
    def check_bool(value, path):
        if value is not True and value is not False:
            raise ApiTypeError("%s must be a boolean, got %s" % (where, _describe(value)), path)
        return value
    return check_bool


def _datetime_checker(where):
    def check_datetime(value, path):
        if isinstance(value, str):
            parsed = _parse_user_datetime(str(value))
            if not isinstance(parsed, datetime.datetime):
                raise ApiValueError("%s must be an RFC 3339 timestamp, got %s" % (where, _describe(value)), path)
            value = parsed
        if not isinstance(value, datetime.datetime):
            raise ApiTypeError("%s must be a datetime, got %s" % (where, _describe(value)), path)
        if value.tzinfo is None or value.utcoffset() is None:
            raise ApiValueError(
                "%s: naive datetime %s has no time zone; pass an aware datetime "
                "(for example datetime.now(timezone.utc))" % (where, value.isoformat()), path)
        return value
    return check_datetime


def _date_checker(where):
    def check_date(value, path):
        if isinstance(value, str):
            value = parse_date(value)
        if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
            raise ApiTypeError("%s must be a date, got %s" % (where, _describe(value)), path)
        return value
    return check_date


def _object_checker(where):
    def check_object(value, path):
        if not isinstance(value, dict):
            raise ApiTypeError("%s must be an object (dict), got %s" % (where, _describe(value)), path)
        _check_jsonable(value, where, path)
        return value
    return check_object


_SCALAR_CHECKERS = {
    "str": _str_checker,
    "int": _int_checker,
    "float": _number_checker,
    "bool": _bool_checker,
    "datetime": _datetime_checker,
    "date": _date_checker,
    "object": _object_checker,
}


def _list_checker(where, check_item):
    def check_list(value, path):
        if not isinstance(value, (list, tuple)):
            raise ApiTypeError("%s must be a list, got %s" % (where, _describe(value)), path)
        converted = None  # a copy, made only if an item is converted: the caller's list is never changed
        for index, item in enumerate(value):
            if item is None:
                raise ApiValueError("%s[%d] may not be None: the items of this array have a type, and null is "
                                    "not one" % (where, index), path + [index])
            checked = check_item(item, path + [index])
            if checked is not item:
                if converted is None:
                    converted = list(value)
                converted[index] = checked
        if converted is not None:
            return converted
        return value if value.__class__ is list else list(value)
    return check_list


def _dict_checker(where, check_item):
    def check_dict(value, path):
        if not isinstance(value, dict):
            raise ApiTypeError("%s must be a dict, got %s" % (where, _describe(value)), path)
        converted = None
        for key, item in value.items():
            if not isinstance(key, str):
                raise ApiTypeError("%s keys must be strings, got %r" % (where, key), path)
            if item is None:
                raise ApiValueError("%s[%r] may not be None: the values of this map have a type, and null is "
                                    "not one" % (where, key), path + [key])
            checked = check_item(item, path + [key])
            if checked is not item:
                if converted is None:
                    converted = dict(value)
                converted[key] = checked
        return converted if converted is not None else value
    return check_dict


def _model_checker(where, type_ref):
    def check_model(value, path):
        cls = _model_class(type_ref)
        if value.__class__ is cls:
            return value
        if isinstance(value, dict):
            return cls.from_dict(value).validate(path)
        if not isinstance(value, cls):
            raise ApiTypeError("%s must be a %s or a dict, got %s" % (where, type_ref, _describe(value)), path)
        return value
    return check_model


def _constraint_checker(owner, field, constraints):
    """A function(value, path) raising ApiValueError when a non-None value breaks `constraints`."""
    where = "%s.%s" % (owner, field)
    checks = []
    if "enum" in constraints:
        checks.append(_enum_check(where, constraints["enum"]))
    if "min_length" in constraints or "max_length" in constraints:
        checks.append(_length_check(where, constraints.get("min_length"), constraints.get("max_length")))
    if "minimum" in constraints or "maximum" in constraints:
        checks.append(_range_check(where, constraints.get("minimum"), constraints.get("maximum")))
    if "min_items" in constraints or "max_items" in constraints:
        checks.append(_items_check(where, constraints.get("min_items"), constraints.get("max_items")))
    if not checks:
        return None
    if len(checks) == 1:
        return checks[0]

    def check_all(value, path):
        for check in checks:
            check(value, path)
    return check_all


def _enum_check(where, enum):
    """The value, or each item of a list, is one of `enum`."""
    allowed = frozenset(enum)

    def check_enum(value, path):
        for item in value if isinstance(value, list) else (value,):
            if item is not None and item not in allowed:
                raise ApiValueError("%s must be one of %s (enum), got %s" % (where, list(enum), _describe(item)),
                                    path)
    return check_enum


def _length_check(where, min_length, max_length):
    def check_length(value, path):
        if not isinstance(value, str):
            return
        if min_length is not None and len(value) < min_length:
            raise ApiValueError("%s must be at least %d characters long (minLength), got %s"
                                % (where, min_length, _describe(value)), path)
        if max_length is not None and len(value) > max_length:
            raise ApiValueError("%s must be at most %d characters long (maxLength), got %d characters: %s"
                                % (where, max_length, len(value), _describe(value)), path)
    return check_length


def _range_check(where, minimum, maximum):
    def check_range(value, path):
        if isinstance(value, bool) or isinstance(value, (str, list, dict)):
            return
        if minimum is not None and value < minimum:
            raise ApiValueError("%s must be >= %s (minimum), got %s" % (where, minimum, value), path)
        if maximum is not None and value > maximum:
            raise ApiValueError("%s must be <= %s (maximum), got %s" % (where, maximum, value), path)
    return check_range


def _items_check(where, min_items, max_items):
    def check_items(value, path):
        if not isinstance(value, list):
            return
        if min_items is not None and len(value) < min_items:
            raise ApiValueError("%s must have at least %d items (minItems), got %d"
                                % (where, min_items, len(value)), path)
        if max_items is not None and len(value) > max_items:
            raise ApiValueError("%s must have at most %d items (maxItems), got %d"
                                % (where, max_items, len(value)), path)
    return check_items


def _field_checker(cls, field):
    """A function(value, path) -> value: the full check of one field (required, type, constraints)."""
    owner = cls.__name__
    required = field in cls._required
    check_type = _type_checker(owner, field, cls.openapi_types[field])
    constraints = cls._constraints.get(field)
    check_constraints = _constraint_checker(owner, field, constraints) if constraints else None

    def check_field(value, path):
        if value is None:
            if required:
                raise ApiValueError("%s.%s is required and may not be None" % (owner, field), path)
            return None
        value = check_type(value, path)
        if check_constraints is not None:
            check_constraints(value, path)
        return value
    return check_field


# Model class -> {field: its checker}, built on first use.
_field_checkers = {}


def _checkers(cls):
    checkers = _field_checkers.get(cls)
    if checkers is None:
        checkers = _field_checkers[cls] = {name: _field_checker(cls, name) for name in cls.openapi_types}
    return checkers


def _nested_models(value):
    """The models directly inside a checked field value (itself, or items of a list or dict)."""
    if isinstance(value, Model):
        return ((None, value),)
    if value.__class__ is list:
        return [(index, item) for index, item in enumerate(value) if isinstance(item, Model)]
    if value.__class__ is dict:
        return [(key, item) for key, item in value.items() if isinstance(item, Model)]
    return ()


# --------------------------------------------------------------------------
# Quick checks the generated `_validate_fields` calls: True for plain valid values
# --------------------------------------------------------------------------

def is_number(value):
    """An int (not a bool) or a finite float."""
    cls = value.__class__
    return cls is int or cls is float and math.isfinite(value)


def is_aware_datetime(value):
    """A datetime with a time zone."""
    return value.__class__ is datetime.datetime and value.utcoffset() is not None


def is_date(value):
    """A date (not a datetime)."""
    return value.__class__ is datetime.date


def is_json_value(value):
    """Only str, int, bool, None, finite floats, lists and str-keyed dicts, all the way down.

    False, too, for a value nested more than MAX_NESTING levels (a cycle ends up
    there); the precise error is then raised by the field's checker.
    """
    cls = value.__class__
    if cls is not dict and cls is not list:
        return value is None or cls is str or cls is int or cls is bool or cls is float and math.isfinite(value)
    stack = [(value, 1)]
    pop = stack.pop
    push = stack.append
    while stack:
        value, depth = pop()
        if value.__class__ is dict:
            for key in value:
                if key.__class__ is not str:
                    return False
            items = value.values()
        else:
            items = value
        for item in items:
            cls = item.__class__
            if cls is str or cls is int or cls is bool or item is None:
                continue
            if cls is float:
                if not math.isfinite(item):
                    return False
            elif cls is dict or cls is list:
                if depth >= MAX_NESTING:
                    return False
                push((item, depth + 1))
            else:
                return False
    return True


def is_json_object(value):
    """A dict holding only JSON values (see is_json_value): what an `object` field accepts without further checks."""
    return value.__class__ is dict and is_json_value(value)


# --------------------------------------------------------------------------
# The model base class
# --------------------------------------------------------------------------

class Model:
    """Base of the generated models: building with checks, decoding without."""

    __slots__ = ("_extra", "_config")

    openapi_types = {}
    attribute_map = {}
    _required = ()
    _constraints = {}
    _aliases = {}

    # -- attribute access -------------------------------------------------

    def __setattr__(self, name, value):
        cls = type(self)
        if name in cls.openapi_types:
            if _validation_on(getattr(self, "_config", None)):
                value = _checkers(cls)[name](value, [name])
        elif name in cls._aliases or (name.startswith("_") and name in Model.__slots__):
            pass  # an alias property forwards to its field; internal slots are set as is
        else:
            raise ApiAttributeError("%s has no field %r; its fields are: %s"
                                    % (cls.__name__, name, ", ".join(cls.openapi_types)))
        object.__setattr__(self, name, value)

    # -- validation -----------------------------------------------------------

    def validate(self, path=None):
        """Check every field (required, types, enums, lengths, limits), recursing into nested models.

        Returns the model. Raises ApiValueError or ApiTypeError naming `Model.field`,
        the constraint and the bad value. Values that need converting (a dict
        where a model belongs, a timestamp string) are converted in place.
        """
        self._validate_fields(path or [], True)
        return self

    def _validate_new(self):
        """The constructor's check when validation is on: this level only (nested models were checked when built)."""
        if _validation_on(self._config):
            self._validate_fields([], False)

    def _check_field(self, name, value, path, deep):
        """The general check of one field, for a value the quick checks did not accept.

        Converts the value (storing it back) or raises the precise error.
        """
        field_path = path + [name]
        checked = _checkers(type(self))[name](value, field_path)
        if checked is not value:
            object.__setattr__(self, name, checked)
        if deep and checked is not None:
            for key, item in _nested_models(checked):
                item._validate_fields(field_path if key is None else field_path + [key], True)

    # -- decoding -------------------------------------------------------------

    @classmethod
    def _from_any_keys(cls, data):
        """The general decoding path: JSON keys, field names or aliases; unknown keys kept."""
        lookup = _key_lookup(cls)
        obj = object.__new__(cls)
        set_slot = object.__setattr__
        for name in cls.openapi_types:
            set_slot(obj, name, None)
        extra = None
        for key, value in data.items():
            entry = lookup.get(key)
            if entry is None:
                if extra is None:
                    extra = {}
                extra[key] = value
                continue
            name, decode = entry
            if decode is not None and value is not None:
                value = decode(value)
            set_slot(obj, name, value)
        set_slot(obj, "_extra", extra)
        return obj

    @classmethod
    def from_dict(cls, data):
        """Build from a dict with JSON keys (or field names), as a response is decoded: no validation."""
        if not isinstance(data, dict):
            raise ApiTypeError("%s.from_dict expects a dict, got %s" % (cls.__name__, type(data).__name__))
        if data.__class__ is not dict:
            data = dict(data)
        if "_from_json_object" in cls.__dict__:
            return cls._from_json_object(data)
        return cls._from_any_keys(data)  # a subclass of a generated model: its own class, the general path

    @classmethod
    def from_json(cls, text):
        """Build from a JSON document, as a response is decoded."""
        if not isinstance(text, (str, bytes, bytearray)):
            raise ApiTypeError("%s.from_json expects JSON text (str or bytes), got %s"
                               % (cls.__name__, type(text).__name__))
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ApiValueError("%s.from_json: not valid JSON (%s)" % (cls.__name__, exc)) from None
        except RecursionError:
            raise ApiValueError("%s.from_json: JSON nested too deeply to decode" % cls.__name__) from None
        return cls.from_dict(data)

    # -- encoding -------------------------------------------------------------

    def _with_extra(self, out):
        """`out` (the generated encoder's JSON object) with the unknown fields kept from decoding."""
        for key, value in self._extra.items():
            out.setdefault(key, value)
        return out

    def _to_wire(self, where=None):
        """Plain JSON values with JSON keys, converted and checked all the way down: the careful path."""
        return to_jsonable(self, where or type(self).__name__)

    def to_dict(self):
        """The fields as a dict keyed by field name (unset fields left out; unknown fields kept by JSON key).

        Nested models become dicts (in a field, or as items of a list or dict field);
        other values are returned as they are, free-form ones too, however deep.
        """
        out = {}
        for name in type(self).openapi_types:
            value = getattr(self, name)
            if value is not None:
                out[name] = _to_plain(value)
        extra = self._extra
        if extra:
            for key, value in extra.items():
                out.setdefault(key, value)
        return out

    def to_json(self):
        """The JSON text sent for this model."""
        return serialize(self).decode("utf-8")

    def to_str(self):
        return repr(self)

    @property
    def local_vars_configuration(self):
        """The Configuration given to the constructor, or None (the default configuration then applies)."""
        return getattr(self, "_config", None)

    @property
    def additional_properties(self):
        """Fields the service sent that this SDK version does not know, by JSON key."""
        extra = self._extra
        return dict(extra) if extra else {}

    # -- comparison and display ------------------------------------------------

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        for name in type(self).openapi_types:
            if getattr(self, name) != getattr(other, name):
                return False
        return (self._extra or None) == (other._extra or None)

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None

    def __repr__(self):
        parts = []
        for name in type(self).openapi_types:
            value = getattr(self, name)
            if value is not None:
                parts.append("%s=%s" % (name, _safe_repr(value)))
        if self._extra:
            parts.append("additional_properties=%s" % _safe_repr(self._extra))
        return "%s(%s)" % (type(self).__name__, ", ".join(parts))

    # -- pickling and copying (slots need help) ----------------------------------

    def __reduce__(self):
        state = {name: getattr(self, name) for name in type(self).openapi_types}
        return (_rebuild, (type(self), state, self._extra))


def _rebuild(cls, state, extra):
    """Unpickle a model: its fields as they were, without validation."""
    obj = object.__new__(cls)
    set_slot = object.__setattr__
    for name in cls.openapi_types:
        set_slot(obj, name, state.get(name))
    set_slot(obj, "_extra", extra)
    return obj


def field_alias(name):
    """A property reading and writing field `name` under another spelling (kept for compatibility)."""
    def get(self):
        return getattr(self, name)

    def set_(self, value):
        setattr(self, name, value)
    return property(get, set_, doc="Alias of `%s`." % name)


def _to_plain(value):
    """A field value for to_dict: models as dicts, one list or dict level looked into, nothing walked deeper."""
    if isinstance(value, Model):
        return value.to_dict()
    cls = value.__class__
    if cls is list:
        return [item.to_dict() if isinstance(item, Model) else item for item in value]
    if cls is dict:
        return {key: item.to_dict() if isinstance(item, Model) else item for key, item in value.items()}
    return value


def _safe_repr(value):
    """repr(value), or a placeholder for a value nested too deeply for repr."""
    try:
        return repr(value)
    except RecursionError:
        return "<%s nested too deeply to show>" % type(value).__name__
