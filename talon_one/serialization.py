"""JSON on the wire: decoding responses into models, encoding request bodies, timestamps.

Decoding never validates: `deserialize()` keeps unknown fields and values of an
unexpected type as received. The generated decoders (`_from_json_object`) fill
the slots of a model's unchecked twin class directly; the general path here
(`_decoder_for`, `_key_lookup`) serves `deserialize`, containers and objects
whose keys the generated decoder does not know.

Encoding (`serialize`) converts a model tree with the generated encoders and
lets the C encoder of `json.dumps` do the rest (its `default` hook sees only
timestamps, decimals and the unexpected); only a failure takes the careful
path (`to_jsonable`), which walks the value to name exactly what is wrong.

Timestamps go through `datetime.fromisoformat`; python-dateutil is imported
only for the rare string it rejects. Nothing heavy is imported with this module
(no dateutil, decimal or uuid), and it builds no code at run time.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import re
import sys
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Optional, Tuple, Type, Union

# `import a.b` (not `from a import b`): the package's lazy __getattr__ must not be asked for it.
import talon_one.models
# model_base imports this module; `model_base.Model` is looked up when a function runs.
from talon_one import model_base
from talon_one.exceptions import ApiTypeError, ApiValueError

if TYPE_CHECKING:
    import decimal

    from talon_one.model_base import Model

# A function converting one parsed JSON value (any value: others come back unchanged).
Decoder = Callable[[Any], Any]
# Where a value sits, for error messages: keys and list indexes from the body down.
ErrorPath = List[Union[str, int]]

__all__ = ["serialize", "deserialize", "json_values", "to_jsonable", "parse_datetime", "parse_date", "model_class",
           "MAX_NESTING"]

_PRIMITIVES = frozenset(("str", "int", "float", "bool", "object"))

# --------------------------------------------------------------------------
# Model lookup and validation switch
# --------------------------------------------------------------------------

_models = talon_one.models
_classes: Dict[str, Type[Model]] = {}


def model_class(name: str) -> Type[Model]:
    """The generated class called `name`, imported on first use."""
    cls = _classes.get(name)
    if cls is None:
        cls = _classes[name] = getattr(_models, name)
    return cls



# --------------------------------------------------------------------------
# Timestamps
# --------------------------------------------------------------------------

_fromisoformat = datetime.datetime.fromisoformat
# Python 3.11 reads "Z" and any fraction length itself; older versions need help.
_FROMISOFORMAT_TAKES_Z = sys.version_info >= (3, 11)


def parse_datetime(text: Any) -> Any:
    """Decode a server timestamp; a value that does not parse, or has no offset, is kept as received.

    `datetime.fromisoformat` handles the common shapes quickly; python-dateutil
    takes the rest (for example 9-digit fractions before Python 3.11). A
    timestamp without an offset (`2024-06-15T18:22:11`) stays the string
    received: its zone is unknown, and a naive datetime could not be sent back.
    """
    if text.__class__ is not str and not isinstance(text, str):
        return text
    value: Optional[datetime.datetime]
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


def _parse_datetime_slow(text: str) -> Optional[datetime.datetime]:
    """python-dateutil's reading of `text`, or None."""
    from dateutil import parser as dateutil_parser
    try:
        return dateutil_parser.isoparse(text)
    except (ValueError, OverflowError):
        return None


def _parse_user_datetime(text: str) -> Optional[datetime.datetime]:
    """A timestamp string given by the user as a datetime (naive ones too, refused by the caller), or None."""
    try:
        if _FROMISOFORMAT_TAKES_Z:
            return _fromisoformat(text)
        return _fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        return _parse_datetime_slow(text)


def parse_date(text: Any) -> Any:
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

def _split_type(type_ref: str) -> Tuple[Optional[str], str]:
    """('list', inner), ('dict', inner) or (None, type_ref)."""
    if type_ref.startswith("list[") and type_ref.endswith("]"):
        return "list", type_ref[5:-1]
    if type_ref.startswith("dict(str, ") and type_ref.endswith(")"):
        return "dict", type_ref[10:-1]
    return None, type_ref


# type_ref -> its decoder (see _decoder_for); None for types kept as parsed.
_decoders: Dict[str, Optional[Decoder]] = {}


def _decoder_for(type_ref: str) -> Optional[Decoder]:
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


def _make_decoder(type_ref: str) -> Optional[Decoder]:
    if type_ref == "datetime":
        return parse_datetime
    if type_ref == "date":
        return parse_date
    container, inner_ref = _split_type(type_ref)
    if container is None:
        return model_class(type_ref)._from_json_object
    inner = _decoder_for(inner_ref)
    if inner is None:
        return None
    if container == "list":
        def decode_list(value: Any) -> Any:
            if value.__class__ is not list:
                return value
            return [inner(item) for item in value]
        return decode_list

    def decode_dict(value: Any) -> Any:
        if value.__class__ is not dict:
            return value
        return {key: inner(item) for key, item in value.items()}
    return decode_dict


def deserialize(data: Any, type_ref: Optional[str]) -> Any:
    """Decode parsed JSON `data` into `type_ref` (a model name, 'list[Model]', 'object', ...)."""
    if data is None or type_ref is None:
        return data
    decode = _decoder_for(type_ref)
    return data if decode is None else decode(data)


# Model class -> {JSON key, field name or alias: (field name, decoder)}, for the general decoding path.
_key_lookups: Dict[Type[Model], Dict[str, Tuple[str, Optional[Decoder]]]] = {}


def _key_lookup(cls: Type[Model]) -> Dict[str, Tuple[str, Optional[Decoder]]]:
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
_decimal_pattern: Optional[re.Pattern[str]] = None


def _decimal_class() -> Optional[Type[decimal.Decimal]]:
    """decimal.Decimal if anything imported decimal (no Decimal can exist otherwise), else None."""
    module = sys.modules.get("decimal")
    return module.Decimal if module is not None else None


def _wire_decimal(value: decimal.Decimal, where: str) -> str:
    if not value.is_finite():
        raise ApiValueError("%s: %s is not a valid JSON number (JSON has no NaN or Infinity)" % (where, value))
    return "%s%s%s" % (_DECIMAL_TOKEN, value, _DECIMAL_TOKEN)


def _wire_datetime(value: datetime.datetime, where: str) -> str:
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


def _too_deep(where: str, path: Optional[ErrorPath] = None) -> ApiValueError:
    return ApiValueError("%s is nested more than %d levels deep (objects and arrays); such a value cannot be "
                         "sent as JSON" % (where, MAX_NESTING), path)


def _circular(where: str, path: Optional[ErrorPath] = None) -> ApiValueError:
    return ApiValueError("%s refers to itself (a circular reference); JSON cannot carry it" % where, path)


def _child_where(where: str, key: Union[str, int]) -> str:
    return "%s[%d]" % (where, key) if isinstance(key, int) else "%s.%s" % (where, key)


def _int_too_long(value: int, where: str) -> Optional[ApiValueError]:
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


def _jsonable_leaf(value: Any, where: str) -> Any:
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


def _model_items(model: Model, out: Any) -> Iterator[Tuple[str, Any, Optional[str]]]:
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


def _container_items(value: Any, where: str, out: Any) -> Optional[Iterator[Tuple[Any, Any, Optional[str]]]]:
    """(key, item, where or None) of a dict, list, tuple or model; None for any other value."""
    if isinstance(value, model_base.Model):
        return _model_items(value, out)
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise ApiTypeError("%s: object keys must be strings, got %r" % (where, key))
        return ((key, item, None) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return ((index, item, None) for index, item in enumerate(value))
    return None


def to_jsonable(value: Any, where: str = "body") -> Any:
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
    root: Any = {} if isinstance(value, (dict, model_base.Model)) else []
    items = _container_items(value, where, root)
    if items is None:
        return _jsonable_leaf(value, where)
    # Each entry: (items, output container, its where, where its depth count began, depth, id of the source).
    stack: List[Tuple[Iterator[Tuple[Any, Any, Optional[str]]], Any, str, str, int, int]] = [
        (items, root, where, where, 0 if isinstance(value, model_base.Model) else 1, id(value))]
    active = {id(value)}  # the containers being walked: meeting one again is a cycle
    while stack:
        items, out, here, base, depth, ident = stack[-1]
        for key, item, item_where in items:
            cls = item.__class__
            if item is None or cls is str or cls is bool or cls is float and math.isfinite(item) or (
                    cls is int and item.bit_length() <= _SHORT_INT_BITS):
                converted = item
            elif cls is dict or cls is list or isinstance(item, (dict, list, tuple, model_base.Model)):
                if item_where is None:
                    item_where = _child_where(here, key)
                if id(item) in active:
                    raise _circular(item_where)
                if isinstance(item, model_base.Model):
                    child_base, child_depth = item_where, 0
                elif depth == 0:
                    child_base, child_depth = item_where, 1
                else:
                    child_base, child_depth = base, depth + 1
                if child_depth > MAX_NESTING:
                    raise _too_deep(child_base)
                converted = {} if isinstance(item, (dict, model_base.Model)) else []
                if out.__class__ is list:
                    out.append(converted)
                else:
                    out[key] = converted
                active.add(id(item))
                child_items = _container_items(item, item_where, converted)
                assert child_items is not None  # item is a dict, list, tuple or model
                stack.append((child_items, converted, item_where, child_base, child_depth, id(item)))
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


def _encode_default(value: Any) -> Any:
    """json.dumps's hook for what it cannot encode itself: models, timestamps, decimals."""
    if isinstance(value, model_base.Model):
        from talon_one.validation import _validation_on  # validation imports this module
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


def serialize(body: Any) -> bytes:
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
        pair = re.search("[\ud800-\udbff][\udc00-\udfff]", text)
        if pair is not None:
            raise ApiValueError("body: a string holds the surrogate pair %s as two separate code points; "
                                "JSON can only carry it as the character U+%X, so it cannot be sent exactly"
                                % (pair.group(0).encode("unicode_escape").decode("ascii"),
                                   _combined(pair.group(0)))) from None
        return text.encode("utf-8", "backslashreplace")


def _combined(pair: str) -> int:
    """The code point a UTF-16 surrogate pair encodes."""
    return 0x10000 + ((ord(pair[0]) - 0xD800) << 10) + (ord(pair[1]) - 0xDC00)


def json_values(body: Any) -> Any:
    """The plain JSON values (dict, list, str, int, float, bool, None) of `body`: json.loads(serialize(body)).

    Built without writing the JSON text: the generated encoders convert the
    models, as `serialize` does, and one walk copies what they return (so the
    result shares no dict or list with `body`), writing timestamps and dates as
    ISO 8601 text. Anything else (Decimals, a naive datetime, a non-finite float,
    a value JSON cannot hold, nesting deeper than MAX_NESTING) goes through
    `serialize` and back, which gives the same values or raises its error.
    """
    cls = body.__class__
    if body is None or cls is str or cls is bool or cls is int and body.bit_length() <= _SHORT_INT_BITS:
        return body
    try:
        return _plain_copy(body, 0)
    except (_NeedsSlowPath, RecursionError):
        return json.loads(serialize(body))


_isfinite = math.isfinite


def _plain_copy(value: Any, depth: int) -> Any:
    """A fresh copy of a tree of plain JSON values, models converted; _NeedsSlowPath for anything else."""
    cls = value.__class__
    if cls is dict:
        if depth >= MAX_NESTING:
            raise _NeedsSlowPath()
        out: Dict[str, Any] = {}
        for key, item in value.items():
            if key.__class__ is not str:
                raise _NeedsSlowPath()
            cls = item.__class__
            if (cls is str or item is None or cls is bool or cls is float and _isfinite(item)
                    or cls is int and item.bit_length() <= _SHORT_INT_BITS):
                out[key] = item
            else:
                out[key] = _plain_copy(item, depth + 1)
        return out
    if cls is list:
        if depth >= MAX_NESTING:
            raise _NeedsSlowPath()
        copied: List[Any] = []
        append = copied.append
        for item in value:
            cls = item.__class__
            if (cls is str or item is None or cls is bool or cls is float and _isfinite(item)
                    or cls is int and item.bit_length() <= _SHORT_INT_BITS):
                append(item)
            else:
                append(_plain_copy(item, depth + 1))
        return copied
    if cls is float:
        if not math.isfinite(value):
            raise _NeedsSlowPath()
        return value
    if cls is str or value is None or cls is bool or cls is int and value.bit_length() <= _SHORT_INT_BITS:
        return value
    if isinstance(value, model_base.Model):
        return _plain_copy(value._to_json_object(), 0)  # a model starts a new nesting count, as in serialize
    if cls is datetime.datetime:
        if value.utcoffset() is None:
            raise _NeedsSlowPath()
        return value.isoformat()
    if cls is datetime.date:
        return value.isoformat()
    raise _NeedsSlowPath()


def _has_bad_keys(body: Any) -> bool:
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
