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

Two paths use them, and they never mix:

* Building (user code): constructor keywords and attribute assignment are
  checked against types and constraints when client-side validation is on,
  and `validate()` checks a whole tree before a request is sent.
* Decoding (responses): `deserialize()` walks a parsed JSON value with a
  per-class decoder built once, never validates, keeps unknown fields and
  keeps values of an unexpected type as received.

`serialize()` turns a body into the exact JSON bytes sent.

How it is kept fast (the SDK decodes a large integration state on every
checkout call):

* Every slot is always set, and Model has no `__getattr__`: reading a field is
  a plain slot read, which CPython specializes.
* Each class gets a decoder (straight-line Python compiled once, on first use)
  that fills the slots of a twin class sharing the layout but not the
  validating `__setattr__`, then switches the object to the real class. No
  per-value type parsing, no configuration lookups, no validation.
* Timestamps go through `datetime.fromisoformat`; python-dateutil is imported
  only for the rare string it rejects.
* Encoding converts a model tree with per-class compiled code and lets the C
  encoder of `json.dumps` do the rest (its `default` hook sees only timestamps,
  decimals and the unexpected); only a failure takes the slow path, which walks
  the value to name exactly what is wrong.
* Validation is compiled per class too: plain valid values pass inline checks;
  only the rest reaches the general per-field checkers (and their messages).
* Nothing heavy is imported with this module (no dateutil, decimal or uuid).

Compiled code is built once per class on first use, under a lock (many threads
may decode their first state at once), and cached for the process.
"""

import datetime
import json
import math
import os
import sys
import threading

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

# Held while compiling anything per class (decoders, encoders, validators): many
# threads may decode their first state at once. Re-entrant, as compiling a class
# compiles the classes it contains. Taken only when a cache misses.
_compile_lock = threading.RLock()


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
    """Parse a server timestamp; a value that does not parse is kept as received.

    `datetime.fromisoformat` handles the common shapes quickly; python-dateutil
    takes the rest (for example 9-digit fractions before Python 3.11).
    """
    if text.__class__ is not str and not isinstance(text, str):
        return text
    if _FROMISOFORMAT_TAKES_Z:
        try:
            return _fromisoformat(text)
        except ValueError:
            pass
    else:
        try:
            return _fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
        except ValueError:
            pass
    from dateutil import parser as dateutil_parser
    try:
        return dateutil_parser.isoparse(text)
    except (ValueError, OverflowError):
        return text


def _parse_date(text):
    if not isinstance(text, str):
        return text
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return text


# --------------------------------------------------------------------------
# Types in the generator's notation
# --------------------------------------------------------------------------

def _split_type(type_ref):
    """('list', inner), ('dict', inner) or (None, type_ref)."""
    if type_ref.startswith("list[") and type_ref.endswith("]"):
        return "list", type_ref[5:-1]
    if type_ref.startswith("dict(str, ") and type_ref.endswith(")"):
        return "dict", type_ref[10:-1]
    return None, type_ref


# --------------------------------------------------------------------------
# Decoding (responses): tolerant, compiled per class, no validation
# --------------------------------------------------------------------------

_decoders = {}


def _decoder_for(type_ref):
    """A function converting a parsed JSON value to `type_ref`, or None when no conversion is needed.

    Every function returned takes any value: None and values of an unexpected
    shape come back unchanged.
    """
    if type_ref in _PRIMITIVES:
        return None
    decode = _decoders.get(type_ref)
    if decode is None:
        decode = _decoders[type_ref] = _make_decoder(type_ref)
    return decode


def _make_decoder(type_ref):
    if type_ref == "datetime":
        return parse_datetime
    if type_ref == "date":
        return _parse_date
    container, inner_ref = _split_type(type_ref)
    if container is None:
        return _model_decoder(_model_class(type_ref))
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


# Model class -> its compiled decoder.
_class_decoders = {}
# The classes whose decoders are being compiled, for models that contain themselves.
_compiling = set()


def _model_decoder(cls):
    decode = _class_decoders.get(cls)
    if decode is not None:
        return decode
    with _compile_lock:
        decode = _class_decoders.get(cls)
        if decode is not None:
            return decode
        if cls in _compiling:
            return lambda value: _class_decoders[cls](value)
        _compiling.add(cls)
        try:
            decode = _class_decoders[cls] = _compile_decoder(cls)
        finally:
            _compiling.discard(cls)
        return decode


def _raw_twin(cls):
    """A subclass with the same slots and the plain `__setattr__`: decoding fills one, then switches class."""
    twin = cls.__dict__.get("_raw_twin")
    if twin is None:
        with _compile_lock:
            twin = cls.__dict__.get("_raw_twin")
            if twin is None:
                twin = type(cls.__name__, (cls,), {
                    "__slots__": (),
                    "__setattr__": object.__setattr__,
                    "__module__": cls.__module__,
                    "__qualname__": cls.__qualname__ + "._raw_twin",
                })
                cls._raw_twin = twin
    return twin


def _compile_decoder(cls):
    """Straight-line code filling every slot from the JSON keys.

    A dict carrying other keys (unknown fields, or field names given to
    from_dict) takes the general path in `_decode_any_keys`.
    """
    env = {
        "KNOWN_KEYS": frozenset(cls.attribute_map.values()),
        "new": object.__new__,
        "RAW": _raw_twin(cls),
        "CLS": cls,
        "decode_any_keys": cls._decode_any_keys,
        "dict": dict,
        "list": list,
        "str": str,
        "parse_datetime": parse_datetime,
        "parse_date": _parse_date,
    }
    lines = [
        "def decode_%s(data):" % cls.__name__,
        "    if data.__class__ is not dict:",
        "        return data",
        "    if not data.keys() <= KNOWN_KEYS:",
        "        return decode_any_keys(data)",
        "    obj = new(RAW)",
        "    get = data.get",
    ]
    for index, (name, type_ref) in enumerate(cls.openapi_types.items()):
        key = cls.attribute_map[name]
        expression = _decode_expression(type_ref, index, env)
        if expression is None:
            lines.append("    obj.%s = get(%r)" % (name, key))
        else:
            lines.append("    value = get(%r)" % key)
            lines.append("    obj.%s = %s" % (name, expression))
    lines += [
        "    obj._extra = None",
        "    obj.__class__ = CLS",
        "    return obj",
    ]
    source = "\n".join(lines) + "\n"
    namespace = {}
    exec(compile(source, "<decoder of %s.%s>" % (cls.__module__, cls.__name__), "exec"), env, namespace)
    return namespace["decode_%s" % cls.__name__]


def _decode_expression(type_ref, index, env):
    """Source converting `value` to `type_ref` inline, or None when the JSON value is kept as is."""
    if type_ref in _PRIMITIVES:
        return None
    if type_ref == "datetime":
        return "parse_datetime(value) if value.__class__ is str else value"
    if type_ref == "date":
        return "parse_date(value) if value.__class__ is str else value"
    container, inner_ref = _split_type(type_ref)
    name = "decode_%d" % index
    if container is None:
        env[name] = _model_decoder(_model_class(type_ref))
        return "%s(value)" % name
    inner = _decoder_for(inner_ref)
    if inner is None:
        return None
    env[name] = inner
    if container == "list":
        return "[%s(item) for item in value] if value.__class__ is list else value" % name
    return "{key: %s(item) for key, item in value.items()} if value.__class__ is dict else value" % name


def deserialize(data, type_ref):
    """Decode parsed JSON `data` into `type_ref` (a model name, 'list[Model]', 'object', ...)."""
    if data is None or type_ref is None:
        return data
    decode = _decoder_for(type_ref)
    return data if decode is None else decode(data)


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


def to_jsonable(value, where="body"):
    """Convert a body to plain JSON values (dict/list/str/int/float/bool/None).

    `where` names the place for error messages (for example 'CartItem.attributes').
    Raises ApiValueError for a naive datetime or a non-finite number, and
    ApiTypeError for a value JSON cannot hold.
    """
    cls = value.__class__
    if value is None or cls is str or cls is bool or cls is int:
        return value
    if isinstance(value, Model):
        return value._to_wire(where)
    if cls is float:
        if not math.isfinite(value):
            raise ApiValueError("%s: %r is not a valid JSON number (JSON has no NaN or Infinity)" % (where, value))
        return value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ApiTypeError("%s: object keys must be strings, got %r" % (where, key))
            out[key] = to_jsonable(item, "%s.%s" % (where, key))
        return out
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item, "%s[%d]" % (where, index)) for index, item in enumerate(value)]
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
        return int(value)
    if isinstance(value, float):
        return to_jsonable(float(value), where)
    if isinstance(value, str):
        return str(value)
    raise ApiTypeError("%s: %s values cannot be sent as JSON" % (where, type(value).__name__))


# Model class -> its compiled encoder, and the classes being compiled (for self-nesting models).
_wire_functions = {}
_compiling_wire = set()


def _wire_function(cls):
    """The compiled encoder of `cls`: function(obj) -> the JSON object, nested models included."""
    wire = _wire_functions.get(cls)
    if wire is not None:
        return wire
    with _compile_lock:
        wire = _wire_functions.get(cls)
        if wire is not None:
            return wire
        if cls in _compiling_wire:
            return lambda obj: _wire_functions[cls](obj)
        _compiling_wire.add(cls)
        try:
            wire = _wire_functions[cls] = _compile_wire(cls)
        finally:
            _compiling_wire.discard(cls)
        return wire


def _compile_wire(cls):
    """Code building the JSON object of one `cls` instance; unset (None) fields are left out.

    Nested models of the declared class are converted inline, so json.dumps
    calls back into Python only for timestamps, decimals and unexpected types.
    One dict display holds every field, and Nones are filtered out only when
    there are any: cheaper than a test per field for mostly filled request models.
    """
    env = {"list": list, "dict": dict}
    lines = ["def wire_%s(self):" % cls.__name__]
    values = []
    for index, (name, type_ref) in enumerate(cls.openapi_types.items()):
        container, inner = _split_type(type_ref)
        if inner in _PRIMITIVES or inner in ("datetime", "date"):
            values.append("%r: self.%s" % (cls.attribute_map[name], name))
            continue
        env["M%d" % index] = nested = _model_class(inner)
        env["wire_%d" % index] = _wire_function(nested)
        convert = "wire_%d(%%s) if %%s.__class__ is M%d else %%s" % (index, index)
        lines.append("    value_%d = self.%s" % (index, name))
        if container is None:
            lines.append("    if value_%d.__class__ is M%d:" % (index, index))
            lines.append("        value_%d = wire_%d(value_%d)" % (index, index, index))
        elif container == "list":
            lines.append("    if value_%d.__class__ is list:" % index)
            lines.append("        value_%d = [%s for item in value_%d]" % (index, convert % (("item",) * 3), index))
        else:
            lines.append("    if value_%d.__class__ is dict:" % index)
            lines.append("        value_%d = {key: %s for key, item in value_%d.items()}"
                         % (index, convert % (("item",) * 3), index))
        values.append("%r: value_%d" % (cls.attribute_map[name], index))
    lines += [
        "    out = {%s}" % ", ".join(values),
        "    if None in out.values():",
        "        out = {key: value for key, value in out.items() if value is not None}",
        "    extra = self._extra",
        "    if extra:",
        "        for key, value in extra.items():",
        "            out.setdefault(key, value)",
        "    return out",
    ]
    namespace = {}
    exec(compile("\n".join(lines) + "\n", "<encoder of %s.%s>" % (cls.__module__, cls.__name__), "exec"),
         env, namespace)
    return namespace["wire_%s" % cls.__name__]


class _NeedsSlowPath(Exception):
    """Raised inside json.dumps by the fast encoder when only the careful walk can tell what is wrong."""


def _encode_default(value):
    """json.dumps's hook for what it cannot encode itself: models, timestamps, decimals."""
    if isinstance(value, Model):
        return _wire_function(value.__class__)(value)
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
        text = _careful_encoder.encode(to_jsonable(body))
    if _DECIMAL_TOKEN in text:
        global _decimal_pattern
        if _decimal_pattern is None:
            import re
            _decimal_pattern = re.compile('"%s([^"]*)%s"' % (_DECIMAL_TOKEN, _DECIMAL_TOKEN))
        text = _decimal_pattern.sub(r"\1", text)
    return text.encode("utf-8")


def _has_bad_keys(body):
    """Only plain dicts given directly as a body can smuggle non-string keys past the fast path.

    Dicts inside models are checked when the model is built or validated
    (`object` fields must hold JSON values), so this looks at top-level and
    list-of-dict bodies only, which is cheap.
    """
    if body.__class__ is dict:
        return any(key.__class__ is not str and not isinstance(key, str) for key in body) or any(
            _has_bad_keys(value) for value in body.values() if value.__class__ in (dict, list))
    if body.__class__ is list:
        return any(_has_bad_keys(item) for item in body if item.__class__ in (dict, list))
    return False


# --------------------------------------------------------------------------
# Building (user input): type and constraint checks, compiled per field
# --------------------------------------------------------------------------

def _describe(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _check_jsonable(value, where, path):
    """Raise if `value` (a free-form `object` field) holds something JSON cannot carry; no copy is made."""
    cls = value.__class__
    if value is None or cls is str or cls is int or cls is bool:
        return
    if cls is float:
        if not math.isfinite(value):
            raise ApiValueError("%s: %r is not a valid JSON number (JSON has no NaN or Infinity)"
                                % (where, value), path)
        return
    if isinstance(value, Model):
        value.validate(path)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ApiTypeError("%s: object keys must be strings, got %r" % (where, key), path)
            _check_jsonable(item, "%s.%s" % (where, key), path + [key])
        return
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _check_jsonable(item, "%s[%d]" % (where, index), path + [index])
        return
    try:
        to_jsonable(value, where)
    except (ApiTypeError, ApiValueError) as exc:
        raise type(exc)(str(exc), path) from None


def _type_checker(owner, field, type_ref):
    """A function(value, path) -> value checking (and where needed converting) a non-None user value."""
    where = "%s.%s" % (owner, field)
    if type_ref == "str":
        def check_str(value, path):
            if value.__class__ is not str and not isinstance(value, str):
                raise ApiTypeError("%s must be a string, got %s" % (where, _describe(value)), path)
            return value
        return check_str
    if type_ref == "int":
        def check_int(value, path):
            if value.__class__ is not int and (isinstance(value, bool) or not isinstance(value, int)):
                raise ApiTypeError("%s must be an integer, got %s" % (where, _describe(value)), path)
            return value
        return check_int
    if type_ref == "float":
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
    if type_ref == "bool":
        def check_bool(value, path):
            if value is not True and value is not False:
                raise ApiTypeError("%s must be a boolean, got %s" % (where, _describe(value)), path)
            return value
        return check_bool
    if type_ref == "datetime":
        def check_datetime(value, path):
            if isinstance(value, str):
                parsed = parse_datetime(value)
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
    if type_ref == "date":
        def check_date(value, path):
            if isinstance(value, str):
                value = _parse_date(value)
            if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
                raise ApiTypeError("%s must be a date, got %s" % (where, _describe(value)), path)
            return value
        return check_date
    if type_ref == "object":
        def check_object(value, path):
            _check_jsonable(value, where, path)
            return value
        return check_object
    container, inner_ref = _split_type(type_ref)
    if container == "list":
        inner = _type_checker(owner, field, inner_ref)

        def check_list(value, path):
            if not isinstance(value, (list, tuple)):
                raise ApiTypeError("%s must be a list, got %s" % (where, _describe(value)), path)
            converted = None  # a copy, made only if an item is converted: the caller's list is never changed
            for index, item in enumerate(value):
                if item is not None:
                    checked = inner(item, path + [index])
                    if checked is not item:
                        if converted is None:
                            converted = list(value)
                        converted[index] = checked
            if converted is not None:
                return converted
            return value if value.__class__ is list else list(value)
        return check_list
    if container == "dict":
        inner = _type_checker(owner, field, inner_ref)

        def check_dict(value, path):
            if not isinstance(value, dict):
                raise ApiTypeError("%s must be a dict, got %s" % (where, _describe(value)), path)
            converted = None
            for key, item in value.items():
                if not isinstance(key, str):
                    raise ApiTypeError("%s keys must be strings, got %r" % (where, key), path)
                if item is not None:
                    checked = inner(item, path + [key])
                    if checked is not item:
                        if converted is None:
                            converted = dict(value)
                        converted[key] = checked
            return converted if converted is not None else value
        return check_dict

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
    enum = constraints.get("enum")
    if enum is not None:
        allowed = frozenset(enum)

        def check_enum(value, path):
            for item in value if isinstance(value, list) else (value,):
                if item is not None and item not in allowed:
                    raise ApiValueError("%s must be one of %s (enum), got %s" % (where, list(enum), _describe(item)),
                                        path)
        checks.append(check_enum)
    min_length = constraints.get("min_length")
    max_length = constraints.get("max_length")
    if min_length is not None or max_length is not None:
        def check_length(value, path):
            if not isinstance(value, str):
                return
            if min_length is not None and len(value) < min_length:
                raise ApiValueError("%s must be at least %d characters long (minLength), got %s"
                                    % (where, min_length, _describe(value)), path)
            if max_length is not None and len(value) > max_length:
                raise ApiValueError("%s must be at most %d characters long (maxLength), got %d characters: %s"
                                    % (where, max_length, len(value), _describe(value)), path)
        checks.append(check_length)
    minimum = constraints.get("minimum")
    maximum = constraints.get("maximum")
    if minimum is not None or maximum is not None:
        def check_range(value, path):
            if isinstance(value, bool) or isinstance(value, (str, list, dict)):
                return
            if minimum is not None and value < minimum:
                raise ApiValueError("%s must be >= %s (minimum), got %s" % (where, minimum, value), path)
            if maximum is not None and value > maximum:
                raise ApiValueError("%s must be <= %s (maximum), got %s" % (where, maximum, value), path)
        checks.append(check_range)
    min_items = constraints.get("min_items")
    max_items = constraints.get("max_items")
    if min_items is not None or max_items is not None:
        def check_items(value, path):
            if not isinstance(value, list):
                return
            if min_items is not None and len(value) < min_items:
                raise ApiValueError("%s must have at least %d items (minItems), got %d"
                                    % (where, min_items, len(value)), path)
            if max_items is not None and len(value) > max_items:
                raise ApiValueError("%s must have at most %d items (maxItems), got %d"
                                    % (where, max_items, len(value)), path)
        checks.append(check_items)
    if not checks:
        return None
    if len(checks) == 1:
        return checks[0]

    def check_all(value, path):
        for check in checks:
            check(value, path)
    return check_all


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


def _checkers(cls):
    checkers = cls.__dict__.get("_field_checkers")
    if checkers is None:
        with _compile_lock:
            checkers = cls.__dict__.get("_field_checkers")
            if checkers is None:
                checkers = {name: _field_checker(cls, name) for name in cls.openapi_types}
                cls._field_checkers = checkers
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
# Whole-object validation, compiled per class
# --------------------------------------------------------------------------
#
# A class's validator is straight-line code that accepts, inline, the plain
# values a valid model holds (a str of the right length, an int in range, a
# list of CartItem...). Anything else (None in a required field, a dict to
# convert into a model, a tuple, a Decimal, a bad value) goes through the
# field's general checker above, which converts it or raises the precise error.

_validators = {}


def _validator(cls):
    """The compiled validator of `cls`: function(obj, path, deep).

    Nested validators are looked up when called, so compiling one class never
    needs another (and self-nesting models need no special case).
    """
    validate = _validators.get(cls)
    if validate is None:
        with _compile_lock:
            validate = _validators.get(cls)
            if validate is None:
                validate = _validators[cls] = _compile_validator(cls)
    return validate


def _check_field_slowly(obj, name, value, path, deep):
    """The general check of one field: converts the value (stored back) or raises."""
    field_path = path + [name]
    checked = _checkers(type(obj))[name](value, field_path)
    if checked is not value:
        object.__setattr__(obj, name, checked)
    if deep and checked is not None:
        for key, item in _nested_models(checked):
            _validator(type(item))(item, field_path if key is None else field_path + [key], True)


def _plain_json(value):
    """True when `value` holds only str, int, bool, None, finite floats, lists and str-keyed dicts."""
    cls = value.__class__
    if cls is dict:
        items = value.values()
        for key in value:
            if key.__class__ is not str:
                return False
    elif cls is list:
        items = value
    else:
        items = (value,)
    for item in items:
        cls = item.__class__
        if cls is str or cls is int or cls is bool or item is None:
            continue
        if cls is float:
            if item - item != 0.0:  # NaN or an infinity
                return False
        elif cls is dict or cls is list:
            if not _plain_json(item):
                return False
        else:
            return False
    return True


_FAST_TYPE_TESTS = {
    "str": "{v}.__class__ is str",
    "int": "{v}.__class__ is int",
    "float": "({v}.__class__ is float and {v} - {v} == 0.0 or {v}.__class__ is int)",
    "bool": "({v} is True or {v} is False)",
    "datetime": "({v}.__class__ is DATETIME and {v}.utcoffset() is not None)",
    "date": "{v}.__class__ is DATE",
    "object": "plain_json({v})",
}


def _fast_test(variable, type_ref, constraints, env, tag):
    """Source of a test true when `variable` is a plain, valid value of a scalar type."""
    tests = [_FAST_TYPE_TESTS[type_ref].format(v=variable)]
    if "enum" in constraints:
        env["ENUM_%s" % tag] = frozenset(constraints["enum"])
        tests.append("%s in ENUM_%s" % (variable, tag))
    if "min_length" in constraints:
        tests.append("len(%s) >= %d" % (variable, constraints["min_length"]))
    if "max_length" in constraints:
        tests.append("len(%s) <= %d" % (variable, constraints["max_length"]))
    if "minimum" in constraints:
        tests.append("%s >= %r" % (variable, constraints["minimum"]))
    if "maximum" in constraints:
        tests.append("%s <= %r" % (variable, constraints["maximum"]))
    return " and ".join(tests)


def _compile_validator(cls):
    env = {"plain_json": _plain_json, "slow": _check_field_slowly, "validator": _validator,
           "DATETIME": datetime.datetime, "DATE": datetime.date, "str": str, "int": int, "float": float,
           "list": list, "dict": dict, "len": len, "enumerate": enumerate}
    lines = ["def validate_%s(obj, path, deep):" % cls.__name__]
    for index, (name, type_ref) in enumerate(cls.openapi_types.items()):
        constraints = cls._constraints.get(name, {})
        slow = "slow(obj, %r, value, path, deep)" % name
        lines += ["    value = obj.%s" % name, "    if value is None:",
                  "        " + (slow if name in cls._required else "pass")]
        container, inner = _split_type(type_ref)
        inner_is_model = inner not in _FAST_TYPE_TESTS
        if inner_is_model:
            env["M%d" % index] = _model_class(inner)
        if container is None and inner_is_model:
            lines += ["    elif value.__class__ is M%d:" % index,
                      "        if deep:",
                      "            validator(M%d)(value, path + [%r], True)" % (index, name)]
        elif container is None:
            lines += ["    elif not (%s):" % _fast_test("value", type_ref, constraints, env, index),
                      "        " + slow]
            continue
        else:
            test = "value.__class__ is %s" % container
            if "min_items" in constraints:
                test += " and len(value) >= %d" % constraints["min_items"]
            if "max_items" in constraints:
                test += " and len(value) <= %d" % constraints["max_items"]
            loop = ("for index, item in enumerate(value):" if container == "list"
                    else "for index, item in value.items():")
            key_test = "" if container == "list" else "index.__class__ is not str or "
            if inner_is_model:
                item_test = "%sitem.__class__ is not M%d" % (key_test, index)
            else:
                item_constraints = {"enum": constraints["enum"]} if "enum" in constraints else {}
                item_test = "%snot (%s)" % (key_test, _fast_test("item", inner, item_constraints, env, index))
            lines += ["    elif %s:" % test,
                      "        " + loop,
                      "            if %s:" % item_test,
                      "                " + slow,
                      "                break"]
            if inner_is_model:
                lines += ["            if deep:",
                          "                validator(M%d)(item, path + [%r, index], True)" % (index, name)]
        lines += ["    else:", "        " + slow]
    if len(lines) == 1:
        lines.append("    pass")
    source = "\n".join(lines) + "\n"
    namespace = {}
    exec(compile(source, "<validator of %s.%s>" % (cls.__module__, cls.__name__), "exec"), env, namespace)
    return namespace["validate_%s" % cls.__name__]


# --------------------------------------------------------------------------
# Construction: filling the slots, compiled per class
# --------------------------------------------------------------------------

_fillers = {}


def _filler(cls):
    """Compile function(obj, configuration, fields) -> False when `fields` has unknown names.

    Like the decoder it stores through the twin class (plain slot stores), then
    switches the object back; every slot is set, unset fields to None.
    """
    with _compile_lock:
        return _fillers.get(cls) or _compile_filler(cls)


def _compile_filler(cls):
    env = {"RAW": _raw_twin(cls), "CLS": cls, "KNOWN": frozenset(cls.openapi_types), "set_slot": object.__setattr__}
    lines = [
        "def fill_%s(obj, configuration, fields):" % cls.__name__,
        "    if not fields.keys() <= KNOWN:",
        "        return False",
        "    get = fields.get",
        "    set_slot(obj, '__class__', RAW)",
    ]
    lines += ["    obj.%s = get(%r)" % (name, name) for name in cls.openapi_types]
    lines += [
        "    obj._extra = None",
        "    obj._config = configuration",
        "    obj.__class__ = CLS",
        "    return True",
    ]
    namespace = {}
    exec(compile("\n".join(lines) + "\n", "<constructor of %s.%s>" % (cls.__module__, cls.__name__), "exec"),
         env, namespace)
    fill = _fillers[cls] = namespace["fill_%s" % cls.__name__]
    return fill


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

    def __init__(self, local_vars_configuration=None, **fields):
        """Set `fields` (every other field is None), checking each one when client-side validation is on.

        `local_vars_configuration` is a Configuration whose `client_side_validation`
        governs this object; by default the default configuration's switch applies.
        """
        cls = type(self)
        if cls._aliases:
            _resolve_aliases(cls, fields)
        fill = _fillers.get(cls) or _filler(cls)
        if not fill(self, local_vars_configuration, fields):
            unknown = [name for name in fields if name not in cls.openapi_types]
            raise ApiTypeError("%s got unexpected keyword argument(s) %s; its fields are: %s"
                               % (cls.__name__, ", ".join(unknown), ", ".join(cls.openapi_types)))
        if _validation_on(local_vars_configuration):
            # Nested models were checked when they were built: only this level is checked here.
            _validator(cls)(self, [], False)

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

    # -- validation of a whole tree -----------------------------------------

    def validate(self, path=None):
        """Check every field (required, types, enums, lengths, limits), recursing into nested models.

        Returns the model. Raises ApiValueError or ApiTypeError naming `Model.field`,
        the constraint and the bad value. Values that need converting (a dict
        where a model belongs, a timestamp string) are converted in place.
        """
        _validator(type(self))(self, path or [], True)
        return self

    # -- decoding -------------------------------------------------------------

    @classmethod
    def _decode_any_keys(cls, data):
        """The general decoding path: JSON keys, field names or aliases, unknown keys kept."""
        lookup = cls.__dict__.get("_key_lookup")
        if lookup is None:
            lookup = {}
            for name, type_ref in cls.openapi_types.items():
                entry = (name, _decoder_for(type_ref))
                lookup[name] = entry
                lookup[cls.attribute_map[name]] = entry
            for alias, name in cls._aliases.items():
                lookup.setdefault(alias, lookup[name])
            cls._key_lookup = lookup
        obj = object.__new__(_raw_twin(cls))
        for name in cls.openapi_types:
            setattr(obj, name, None)
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
            setattr(obj, name, value)
        obj._extra = extra
        obj.__class__ = cls
        return obj

    @classmethod
    def from_dict(cls, data):
        """Build from a dict with JSON keys (or field names), as a response is decoded: no validation."""
        if not isinstance(data, dict):
            raise ApiTypeError("%s.from_dict expects a dict, got %s" % (cls.__name__, type(data).__name__))
        return _model_decoder(cls)(data if data.__class__ is dict else dict(data))

    @classmethod
    def from_json(cls, text):
        """Build from a JSON document, as a response is decoded."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ApiValueError("%s.from_json: not valid JSON (%s)" % (cls.__name__, exc))
        return cls.from_dict(data)

    # -- encoding -------------------------------------------------------------

    def _to_wire(self, where=None):
        """Plain JSON values with JSON keys, converted all the way down: what is sent."""
        cls = type(self)
        owner = cls.__name__
        out = {}
        for name, key in cls.attribute_map.items():
            value = getattr(self, name)
            if value is not None:
                out[key] = to_jsonable(value, "%s.%s" % (owner, name))
        extra = self._extra
        if extra:
            for key, value in extra.items():
                out.setdefault(key, to_jsonable(value, "%s.%s" % (owner, key)))
        return out

    def to_dict(self):
        """The fields as a dict keyed by field name (unset fields left out; unknown fields kept by JSON key)."""
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
                parts.append("%s=%r" % (name, value))
        if self._extra:
            parts.append("additional_properties=%r" % (self._extra,))
        return "%s(%s)" % (type(self).__name__, ", ".join(parts))

    # -- pickling and copying (slots, and a decoder twin class, need help) ------

    def __reduce__(self):
        state = {name: getattr(self, name) for name in type(self).openapi_types}
        return (_rebuild, (type(self), state, self._extra))


def _rebuild(cls, state, extra):
    obj = object.__new__(_raw_twin(cls))
    for name in cls.openapi_types:
        setattr(obj, name, state.get(name))
    obj._extra = extra
    obj.__class__ = cls
    return obj


def _resolve_aliases(cls, fields):
    for alias, name in cls._aliases.items():
        value = fields.pop(alias, None)
        if value is None:
            continue
        if fields.get(name) is not None:
            raise ApiTypeError("%s got both %s and its alias %s" % (cls.__name__, name, alias))
        fields[name] = value


def field_alias(name):
    """A property reading and writing field `name` under another spelling (kept for compatibility)."""
    def get(self):
        return getattr(self, name)

    def set_(self, value):
        setattr(self, name, value)
    return property(get, set_, doc="Alias of `%s`." % name)


def _to_plain(value):
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, list):
        return [_to_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _to_plain(item) for key, item in value.items()}
    return value
