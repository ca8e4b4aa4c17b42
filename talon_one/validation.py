"""Client-side validation of what users build: type and constraint checks, one checker per field.

The generated `_validate_fields` of each model accepts, inline, the plain
values a valid model holds, using the quick checks at the end of this module
(`is_number`, `is_aware_datetime`, `is_date`, `is_json_object`). Anything else
(None in a required field, a dict to convert into a model, a tuple, a Decimal,
a bad value) goes through the field's checker built here, which converts it or
raises ApiTypeError / ApiValueError naming `Model.field`, the constraint and
the value. Checkers are built once per model class, on first use; no code is
built at run time.
"""

from __future__ import annotations

import datetime
import math
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Type, Union

# model_base imports this module; `model_base.Model` is looked up when a function runs.
from talon_one import model_base
from talon_one.configuration import Configuration
from talon_one.exceptions import ApiTypeError, ApiValueError
from talon_one.serialization import (
    MAX_NESTING,
    _child_where,
    _circular,
    _container_items,
    _decimal_class,
    _jsonable_leaf,
    model_class,
    _parse_user_datetime,
    _split_type,
    _too_deep,
    parse_date,
)

if TYPE_CHECKING:
    from talon_one.model_base import Model

# Where a value sits inside the model being checked: field names, then keys and list indexes.
FieldPath = List[Union[str, int]]
# function(value, path) -> the value, converted where needed; raises ApiTypeError or ApiValueError.
Checker = Callable[[Any, FieldPath], Any]
# function(value, path): raises ApiValueError when the value breaks a constraint.
ConstraintCheck = Callable[[Any, FieldPath], None]

__all__ = ["is_number", "is_aware_datetime", "is_date", "is_json_value", "is_json_object", "FieldPath"]


def _validation_on(configuration: Any = None) -> bool:
    """Whether client-side validation applies: `configuration`'s switch, else the default configuration's."""
    if configuration is None:
        configuration = Configuration.get_default()
    return bool(getattr(configuration, "client_side_validation", True))


# --------------------------------------------------------------------------
# Building (user input): type and constraint checks, one checker per field
# --------------------------------------------------------------------------
#
# The generated `_validate_fields` accepts, inline, the plain values a valid
# model holds (a str of the right length, an int in range, a list of
# CartItem...). Anything else (None in a required field, a dict to convert
# into a model, a tuple, a Decimal, a bad value) goes through the field's
# checker below, which converts it or raises the precise error.

def _describe(value: Any) -> str:
    try:
        text = repr(value)
    except RecursionError:
        return "a %s nested too deeply to show" % type(value).__name__
    return text if len(text) <= 80 else text[:77] + "..."


def _check_jsonable(value: Any, where: str, path: FieldPath) -> None:
    """Raise if `value` (a free-form `object` field) holds something JSON cannot carry; no copy is made.

    Also refuses a value nested more than MAX_NESTING levels, or one that contains
    itself. Iterative: any depth is refused cleanly, never with a RecursionError.
    """
    try:
        items = None if isinstance(value, model_base.Model) else _container_items(value, where, None)
    except ApiTypeError as exc:
        raise ApiTypeError(str(exc), path) from None
    if items is None:
        _check_json_leaf(value, where, path)
        return
    # Each entry: (items, its where, its path, depth, id of the container).
    stack: List[Tuple[Iterator[Tuple[Any, Any, Optional[str]]], str, FieldPath, int, int]] = [
        (items, where, path, 1, id(value))]
    active = {id(value)}  # the containers being walked: meeting one again is a cycle
    while stack:
        items, here, here_path, depth, ident = stack[-1]
        for key, item, _ in items:
            cls = item.__class__
            if item is None or cls is str or cls is int or cls is bool or cls is float and math.isfinite(item):
                continue
            if ((cls is dict or cls is list or isinstance(item, (dict, list, tuple)))
                    and not isinstance(item, model_base.Model)):
                item_where, item_path = _child_where(here, key), here_path + [key]
                if id(item) in active:
                    raise _circular(item_where, item_path)
                if depth >= MAX_NESTING:
                    raise _too_deep(where, path)
                active.add(id(item))
                try:
                    child_items = _container_items(item, item_where, None)
                    assert child_items is not None  # item is a dict, list or tuple
                    stack.append((child_items, item_where, item_path, depth + 1, id(item)))
                except ApiTypeError as exc:
                    raise ApiTypeError(str(exc), item_path) from None
                break
            _check_json_leaf(item, _child_where(here, key), here_path + [key])
        else:
            stack.pop()
            active.discard(ident)


def _check_json_leaf(value: Any, where: str, path: FieldPath) -> None:
    """Raise, naming `where` and `path`, if a value that is not a dict, list or tuple cannot be sent as JSON."""
    if isinstance(value, model_base.Model):
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


def _type_checker(owner: str, field: str, type_ref: str) -> Checker:
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


def _str_checker(where: str) -> Checker:
    def check_str(value: Any, path: FieldPath) -> Any:
        if value.__class__ is not str and not isinstance(value, str):
            raise ApiTypeError("%s must be a string, got %s" % (where, _describe(value)), path)
        return value
    return check_str


def _int_checker(where: str) -> Checker:
    def check_int(value: Any, path: FieldPath) -> Any:
        if value.__class__ is not int and (isinstance(value, bool) or not isinstance(value, int)):
            raise ApiTypeError("%s must be an integer, got %s" % (where, _describe(value)), path)
        return value
    return check_int


def _number_checker(where: str) -> Checker:
    def check_number(value: Any, path: FieldPath) -> Any:
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


def _bool_checker(where: str) -> Checker:
    def check_bool(value: Any, path: FieldPath) -> Any:
        if value is not True and value is not False:
            raise ApiTypeError("%s must be a boolean, got %s" % (where, _describe(value)), path)
        return value
    return check_bool


def _datetime_checker(where: str) -> Checker:
    def check_datetime(value: Any, path: FieldPath) -> Any:
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


def _date_checker(where: str) -> Checker:
    def check_date(value: Any, path: FieldPath) -> Any:
        if isinstance(value, str):
            value = parse_date(value)
        if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
            raise ApiTypeError("%s must be a date, got %s" % (where, _describe(value)), path)
        return value
    return check_date


def _object_checker(where: str) -> Checker:
    def check_object(value: Any, path: FieldPath) -> Any:
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


def _list_checker(where: str, check_item: Checker) -> Checker:
    def check_list(value: Any, path: FieldPath) -> Any:
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


def _dict_checker(where: str, check_item: Checker) -> Checker:
    def check_dict(value: Any, path: FieldPath) -> Any:
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


def _model_checker(where: str, type_ref: str) -> Checker:
    def check_model(value: Any, path: FieldPath) -> Any:
        cls = model_class(type_ref)
        if value.__class__ is cls:
            return value
        if isinstance(value, dict):
            return cls.from_dict(value).validate(path)
        if not isinstance(value, cls):
            raise ApiTypeError("%s must be a %s or a dict, got %s" % (where, type_ref, _describe(value)), path)
        return value
    return check_model


def _constraint_checker(owner: str, field: str, constraints: Dict[str, Any]) -> Optional[ConstraintCheck]:
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

    def check_all(value: Any, path: FieldPath) -> None:
        for check in checks:
            check(value, path)
    return check_all


def _enum_check(where: str, enum: Sequence[Any]) -> ConstraintCheck:
    """The value, or each item of a list, is one of `enum`."""
    allowed = frozenset(enum)

    def check_enum(value: Any, path: FieldPath) -> None:
        for item in value if isinstance(value, list) else (value,):
            if item is not None and item not in allowed:
                raise ApiValueError("%s must be one of %s (enum), got %s" % (where, list(enum), _describe(item)),
                                    path)
    return check_enum


def _length_check(where: str, min_length: Optional[int], max_length: Optional[int]) -> ConstraintCheck:
    def check_length(value: Any, path: FieldPath) -> None:
        if not isinstance(value, str):
            return
        if min_length is not None and len(value) < min_length:
            raise ApiValueError("%s must be at least %d characters long (minLength), got %s"
                                % (where, min_length, _describe(value)), path)
        if max_length is not None and len(value) > max_length:
            raise ApiValueError("%s must be at most %d characters long (maxLength), got %d characters: %s"
                                % (where, max_length, len(value), _describe(value)), path)
    return check_length


def _range_check(where: str, minimum: Optional[float], maximum: Optional[float]) -> ConstraintCheck:
    def check_range(value: Any, path: FieldPath) -> None:
        if isinstance(value, bool) or isinstance(value, (str, list, dict)):
            return
        if minimum is not None and value < minimum:
            raise ApiValueError("%s must be >= %s (minimum), got %s" % (where, minimum, value), path)
        if maximum is not None and value > maximum:
            raise ApiValueError("%s must be <= %s (maximum), got %s" % (where, maximum, value), path)
    return check_range


def _items_check(where: str, min_items: Optional[int], max_items: Optional[int]) -> ConstraintCheck:
    def check_items(value: Any, path: FieldPath) -> None:
        if not isinstance(value, list):
            return
        if min_items is not None and len(value) < min_items:
            raise ApiValueError("%s must have at least %d items (minItems), got %d"
                                % (where, min_items, len(value)), path)
        if max_items is not None and len(value) > max_items:
            raise ApiValueError("%s must have at most %d items (maxItems), got %d"
                                % (where, max_items, len(value)), path)
    return check_items


def _field_checker(cls: Type[Model], field: str) -> Checker:
    """A function(value, path) -> value: the full check of one field (required, type, constraints)."""
    owner = cls.__name__
    required = field in cls._required
    check_type = _type_checker(owner, field, cls.openapi_types[field])
    constraints = cls._constraints.get(field)
    check_constraints = _constraint_checker(owner, field, constraints) if constraints else None

    def check_field(value: Any, path: FieldPath) -> Any:
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
_field_checkers: Dict[Type[Model], Dict[str, Checker]] = {}


def _checkers(cls: Type[Model]) -> Dict[str, Checker]:
    checkers = _field_checkers.get(cls)
    if checkers is None:
        checkers = _field_checkers[cls] = {name: _field_checker(cls, name) for name in cls.openapi_types}
    return checkers


def _nested_models(value: Any) -> Iterable[Tuple[Union[str, int, None], Model]]:
    """The models directly inside a checked field value (itself, or items of a list or dict)."""
    if isinstance(value, model_base.Model):
        return ((None, value),)
    if value.__class__ is list:
        return [(index, item) for index, item in enumerate(value) if isinstance(item, model_base.Model)]
    if value.__class__ is dict:
        return [(key, item) for key, item in value.items() if isinstance(item, model_base.Model)]
    return ()


# --------------------------------------------------------------------------
# Quick checks the generated `_validate_fields` calls: True for plain valid values
# --------------------------------------------------------------------------

def is_number(value: Any) -> bool:
    """An int (not a bool) or a finite float."""
    cls = value.__class__
    return cls is int or cls is float and math.isfinite(value)


def is_aware_datetime(value: Any) -> bool:
    """A datetime with a time zone."""
    return value.__class__ is datetime.datetime and value.utcoffset() is not None


def is_date(value: Any) -> bool:
    """A date (not a datetime)."""
    return value.__class__ is datetime.date


def is_json_value(value: Any) -> bool:
    """Only str, int, bool, None, finite floats, lists and str-keyed dicts, all the way down.

    False, too, for a value nested more than MAX_NESTING levels (a cycle ends up
    there); the precise error is then raised by the field's checker.
    """
    cls = value.__class__
    if cls is dict and _is_flat_json_object(value):
        return True
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


def _is_flat_json_object(value: Dict[Any, Any]) -> bool:
    """True for a dict of str keys and only scalar JSON values (the usual attributes object), in one loop.

    False says only "not settled here": a nested container, a non-finite float or anything else
    takes is_json_value's full walk.
    """
    for key, item in value.items():
        if key.__class__ is not str:
            return False
        cls = item.__class__
        if cls is str or cls is int or cls is bool or item is None:
            continue
        if cls is not float or item - item != 0:  # `x - x` is 0.0 for a finite float only
            return False
    return True


def is_json_object(value: Any) -> bool:
    """A dict holding only JSON values (see is_json_value): what an `object` field accepts without further checks."""
    # The usual attributes object (str keys, scalar values) is settled by the one flat loop.
    return value.__class__ is dict and (_is_flat_json_object(value) or is_json_value(value))
