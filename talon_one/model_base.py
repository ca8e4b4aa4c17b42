"""The base class of every generated model.

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

This module holds what is the same for every model: the Model class (assignment
checks, `validate`, `from_dict`/`from_json`, `to_dict`/`to_json`, equality,
repr, pickling) and `field_alias`. Its neighbours hold the rest:
`talon_one.serialization` (JSON decoding and encoding, timestamps) and
`talon_one.validation` (the per-field checkers and the quick checks the
generated code calls). Their public names are importable from here too.

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
* Validation accepts plain valid values with inline checks; only the rest
  reaches the per-field checkers (which convert, or raise the message).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Dict, List, Optional, Tuple, Type, TypeVar, Union, cast

from talon_one.exceptions import ApiAttributeError, ApiTypeError, ApiValueError
from talon_one.serialization import (
    MAX_NESTING,
    _key_lookup,
    deserialize,
    model_class,
    parse_date,
    parse_datetime,
    serialize,
    to_jsonable,
)
from talon_one.validation import (
    FieldPath,
    _checkers,
    _nested_models,
    _validation_on,
    is_aware_datetime,
    is_date,
    is_json_object,
    is_json_value,
    is_number,
)

if TYPE_CHECKING:
    from talon_one.configuration import Configuration

# The model class of a name, under the name callers used when it lived here.
_model_class = model_class

# Model and field_alias live here; the other names are importable from here as before.
__all__ = [
    "Model", "field_alias", "FieldPath",
    "serialize", "deserialize", "to_jsonable", "parse_datetime", "parse_date", "MAX_NESTING",
    "is_number", "is_aware_datetime", "is_date", "is_json_value", "is_json_object",
]


# --------------------------------------------------------------------------
# The model base class
# --------------------------------------------------------------------------

M = TypeVar("M", bound="Model")


class Model:
    """Base of the generated models: building with checks, decoding without."""

    __slots__ = ("_extra", "_config")

    _extra: Optional[Dict[str, Any]]  # fields the service sent that the spec does not know, by JSON key
    _config: Optional[Configuration]  # the constructor's local_vars_configuration (unset on decoded models)

    openapi_types: ClassVar[Dict[str, str]] = {}
    attribute_map: ClassVar[Dict[str, str]] = {}
    _required: ClassVar[Tuple[str, ...]] = ()
    _constraints: ClassVar[Dict[str, Dict[str, Any]]] = {}
    _aliases: ClassVar[Dict[str, str]] = {}

    # -- written out by the generator for every model -------------------------------

    def _validate_fields(self, path: FieldPath, deep: bool) -> None:
        """The checks of every field (and with `deep`, of every nested model)."""
        raise NotImplementedError

    @staticmethod
    def _from_json_object(data: Any) -> Any:
        """A parsed JSON object decoded into the model; any other value as it is."""
        raise NotImplementedError

    def _to_json_object(self) -> Dict[str, Any]:
        """The JSON object sent for the model."""
        raise NotImplementedError

    # -- attribute access -------------------------------------------------
    #
    # Defined for the interpreter only: type checkers let any attribute name be assigned on a
    # class with __setattr__, and a misspelt field (`item.quantty = 3`) must stay an error there.

    if not TYPE_CHECKING:
        def __setattr__(self, name: str, value: Any) -> None:
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

    def validate(self: M, path: Optional[FieldPath] = None) -> M:
        """Check every field (required, types, enums, lengths, limits), recursing into nested models.

        Returns the model. Raises ApiValueError or ApiTypeError naming `Model.field`,
        the constraint and the bad value. Values that need converting (a dict
        where a model belongs, a timestamp string) are converted in place.
        """
        self._validate_fields(path or [], True)
        return self

    def _validate_new(self) -> None:
        """The constructor's check when validation is on: this level only (nested models were checked when built)."""
        if _validation_on(self._config):
            self._validate_fields([], False)

    def _check_field(self, name: str, value: Any, path: FieldPath, deep: bool) -> None:
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
    def _from_any_keys(cls: Type[M], data: Dict[str, Any]) -> M:
        """The general decoding path: JSON keys, field names or aliases; unknown keys kept."""
        lookup = _key_lookup(cls)
        obj = object.__new__(cls)
        set_slot = object.__setattr__
        for name in cls.openapi_types:
            set_slot(obj, name, None)
        extra: Optional[Dict[str, Any]] = None
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
    def from_dict(cls: Type[M], data: Dict[str, Any]) -> M:
        """Build from a dict with JSON keys (or field names), as a response is decoded: no validation."""
        if not isinstance(data, dict):
            raise ApiTypeError("%s.from_dict expects a dict, got %s" % (cls.__name__, type(data).__name__))
        if data.__class__ is not dict:
            data = dict(data)
        if "_from_json_object" in cls.__dict__:
            return cast(M, cls._from_json_object(data))
        return cls._from_any_keys(data)  # a subclass of a generated model: its own class, the general path

    @classmethod
    def from_json(cls: Type[M], text: Union[str, bytes, bytearray]) -> M:
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

    def _with_extra(self, out: Dict[str, Any]) -> Dict[str, Any]:
        """`out` (the generated encoder's JSON object) with the unknown fields kept from decoding."""
        extra = self._extra
        if extra:
            for key, value in extra.items():
                out.setdefault(key, value)
        return out

    def _to_wire(self, where: Optional[str] = None) -> Any:
        """Plain JSON values with JSON keys, converted and checked all the way down: the careful path."""
        return to_jsonable(self, where or type(self).__name__)

    def to_dict(self, exclude_none: bool = False) -> Dict[str, Any]:
        """Every declared field in a dict keyed by field name, None where unset (as the official SDK
        gives it), plus unknown fields from the service by JSON key.

        `exclude_none=True` leaves out fields that are None, at every level (the compact form).
        Nested models become dicts (in a field, or as items of a list or dict field);
        other values are returned as they are, free-form ones too, however deep.
        to_json() is the wire form.
        """
        out: Dict[str, Any] = {}
        for name in type(self).openapi_types:
            value = getattr(self, name)
            if value is not None:
                out[name] = _to_plain(value, exclude_none)
            elif not exclude_none:
                out[name] = None
        extra = self._extra
        if extra:
            for key, value in extra.items():
                out.setdefault(key, value)
        return out

    def to_json(self) -> str:
        """The JSON text sent for this model."""
        return serialize(self).decode("utf-8")

    def to_str(self) -> str:
        return repr(self)

    @property
    def local_vars_configuration(self) -> Optional[Configuration]:
        """The Configuration given to the constructor, or None (the default configuration then applies)."""
        return getattr(self, "_config", None)

    @property
    def additional_properties(self) -> Dict[str, Any]:
        """Fields the service sent that this SDK version does not know, by JSON key."""
        extra = self._extra
        return dict(extra) if extra else {}

    # -- comparison and display ------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self) or not isinstance(other, Model):
            return NotImplemented
        for name in type(self).openapi_types:
            if getattr(self, name) != getattr(other, name):
                return False
        return (self._extra or None) == (other._extra or None)

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable

    def __repr__(self) -> str:
        parts: List[str] = []
        for name in type(self).openapi_types:
            value = getattr(self, name)
            if value is not None:
                parts.append("%s=%s" % (name, _safe_repr(value)))
        if self._extra:
            parts.append("additional_properties=%s" % _safe_repr(self._extra))
        return "%s(%s)" % (type(self).__name__, ", ".join(parts))

    # -- pickling and copying (slots need help) ----------------------------------

    def __reduce__(self) -> Tuple[Callable[..., Model], Tuple[Any, ...]]:
        state = {name: getattr(self, name) for name in type(self).openapi_types}
        return (_rebuild, (type(self), state, self._extra))


def _rebuild(cls: Type[M], state: Dict[str, Any], extra: Optional[Dict[str, Any]]) -> M:
    """Unpickle a model: its fields as they were, without validation."""
    obj = object.__new__(cls)
    set_slot = object.__setattr__
    for name in cls.openapi_types:
        set_slot(obj, name, state.get(name))
    set_slot(obj, "_extra", extra)
    return obj


def field_alias(name: str) -> property:
    """A property reading and writing field `name` under another spelling (kept for compatibility)."""
    def get(self: Model) -> Any:
        return getattr(self, name)

    def set_(self: Model, value: Any) -> None:
        setattr(self, name, value)
    return property(get, set_, doc="Alias of `%s`." % name)


def _to_plain(value: Any, exclude_none: bool = False) -> Any:
    """A field value for to_dict: models as dicts, one list or dict level looked into, nothing walked deeper."""
    if isinstance(value, Model):
        return value.to_dict(exclude_none)
    cls = value.__class__
    if cls is list:
        return [item.to_dict(exclude_none) if isinstance(item, Model) else item for item in value]
    if cls is dict:
        return {key: item.to_dict(exclude_none) if isinstance(item, Model) else item for key, item in value.items()}
    return value


def _safe_repr(value: Any) -> str:
    """repr(value), or a placeholder for a value nested too deeply for repr."""
    try:
        return repr(value)
    except RecursionError:
        return "<%s nested too deeply to show>" % type(value).__name__
