"""Spec-driven checks of request bodies and query parameters.

A small validator for the subset of OpenAPI 3.0 schemas the Integration API
spec uses: ``$ref`` (to ``#/components/schemas/...``), ``allOf``, ``type``,
``required``, ``properties``, ``additionalProperties``, ``items``, ``enum``,
``minLength``, ``maxLength``, ``minimum``, ``maximum`` and
``format: date-time``.  Each problem becomes an APIError item whose
``source.pointer`` is a JSON pointer into the body (``/cartItems/0/quantity``).
"""

import re
import sys
from datetime import datetime
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from .responses import api_error

_SCHEMA_REF_PREFIX = "#/components/schemas/"
_DATE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_TRUE_WORDS = {"1", "t", "true"}
_FALSE_WORDS = {"0", "f", "false"}


def escape_pointer_token(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def _json_type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# The service reads an integer as a 64-bit integer and a number as a 64-bit float: a JSON number
# outside those ranges is refused there (400), as here.
_INT64 = range(-2 ** 63, 2 ** 63)
_FLOAT_MAX = sys.float_info.max


def _has_type(value: Any, expected: str) -> bool:
    if expected == "integer":
        if isinstance(value, float):
            return value.is_integer() and -2.0 ** 63 <= value < 2.0 ** 63
        return _is_number(value) and value in _INT64
    if expected == "number":
        return _is_number(value) and (isinstance(value, float) or -_FLOAT_MAX <= value <= _FLOAT_MAX)
    if expected == "string":
        return isinstance(value, str)
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "array":
        return isinstance(value, list)
    if expected == "object":
        return isinstance(value, dict)
    return True


def is_date_time(text: str) -> bool:
    """RFC 3339 date-time, as OpenAPI's ``format: date-time``."""
    match = _DATE_TIME.match(text)
    if not match:
        return False
    try:
        datetime.strptime(f"{match.group(1)} {match.group(2)}", "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return False
    return True


class SchemaValidator:
    """Checks JSON values against the spec's component schemas."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self._schemas = spec["components"]["schemas"]

    def validate(self, value: Any, schema: Mapping[str, Any], pointer: str = "") -> List[Dict[str, Any]]:
        """Return the APIError items for every problem found (empty when valid)."""
        errors: List[Dict[str, Any]] = []
        self._check(value, schema, pointer, errors)
        return errors

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in schema:
            ref = schema["$ref"]
            if not ref.startswith(_SCHEMA_REF_PREFIX):
                raise ValueError(f"unsupported $ref {ref!r}")
            schema = self._schemas[ref[len(_SCHEMA_REF_PREFIX) :]]
        return schema

    def _check(self, value: Any, schema: Mapping[str, Any], pointer: str, errors: List[Dict[str, Any]]) -> None:
        schema = self._resolve(schema)
        for part in schema.get("allOf", ()):
            self._check(value, part, pointer, errors)
        expected = schema.get("type")
        if expected is not None and not _has_type(value, expected):
            errors.append(
                api_error(
                    "Invalid type",
                    f"{_where(pointer)} must be {_article(expected)}, got {_json_type_name(value)}",
                    pointer,
                )
            )
            return
        enum = schema.get("enum")
        if enum is not None and value not in enum:
            allowed = ", ".join(str(option) for option in enum)
            errors.append(api_error("Invalid value", f"{_where(pointer)} must be one of: {allowed}", pointer))
            return
        if isinstance(value, str):
            self._check_string(value, schema, pointer, errors)
        elif _is_number(value):
            self._check_number(value, schema, pointer, errors)
        elif isinstance(value, dict):
            self._check_object(value, schema, pointer, errors)
        elif isinstance(value, list):
            self._check_array(value, schema, pointer, errors)

    def _check_string(self, value: str, schema: Mapping[str, Any], pointer: str, errors: List[Dict[str, Any]]) -> None:
        min_length = schema.get("minLength")
        if min_length is not None and len(value) < min_length:
            errors.append(
                api_error("Too short", f"{_where(pointer)} must have at least {min_length} characters", pointer)
            )
        max_length = schema.get("maxLength")
        if max_length is not None and len(value) > max_length:
            errors.append(
                api_error("Too long", f"{_where(pointer)} must have at most {max_length} characters", pointer)
            )
        if schema.get("format") == "date-time" and not is_date_time(value):
            errors.append(api_error("Invalid date-time", f"{_where(pointer)} must be an RFC 3339 date-time", pointer))

    def _check_number(
        self, value: float, schema: Mapping[str, Any], pointer: str, errors: List[Dict[str, Any]]
    ) -> None:
        minimum = schema.get("minimum")
        if minimum is not None and value < minimum:
            errors.append(api_error("Out of range", f"{_where(pointer)} must be >= {minimum}", pointer))
        maximum = schema.get("maximum")
        if maximum is not None and value > maximum:
            errors.append(api_error("Out of range", f"{_where(pointer)} must be <= {maximum}", pointer))

    def _check_object(
        self, value: Dict[str, Any], schema: Mapping[str, Any], pointer: str, errors: List[Dict[str, Any]]
    ) -> None:
        for name in schema.get("required", ()):
            if name not in value:
                member = f"{pointer}/{escape_pointer_token(name)}"
                errors.append(api_error("Missing required property", f"{_where(member)} is required", member))
        properties = schema.get("properties", {})
        extra_schema = schema.get("additionalProperties")
        for name, member_value in value.items():
            member = f"{pointer}/{escape_pointer_token(name)}"
            if name in properties:
                self._check(member_value, properties[name], member, errors)
            elif isinstance(extra_schema, dict):
                self._check(member_value, extra_schema, member, errors)
            elif extra_schema is False:
                errors.append(api_error("Unknown property", f"{_where(member)} is not allowed", member))

    def _check_array(
        self, value: List[Any], schema: Mapping[str, Any], pointer: str, errors: List[Dict[str, Any]]
    ) -> None:
        items = schema.get("items")
        if items is None:
            return
        for index, item in enumerate(value):
            self._check(item, items, f"{pointer}/{index}", errors)


def _where(pointer: str) -> str:
    return pointer if pointer else "the body"


def _article(type_name: str) -> str:
    return f"an {type_name}" if type_name[0] in "aeiou" else f"a {type_name}"


def parse_boolean(text: str) -> Optional[bool]:
    """Parse a boolean query value the way the service does (true/false, 1/0, t/f); None if invalid."""
    lowered = text.lower()
    if lowered in _TRUE_WORDS:
        return True
    if lowered in _FALSE_WORDS:
        return False
    return None


def check_query_parameters(
    parameters: Sequence[Mapping[str, Any]], query: Mapping[str, str]
) -> Tuple[Dict[str, Any], List[Dict[str, Any]]]:
    """Return ``(values, errors)``: declared query parameters converted to their types, and APIError items."""
    values: Dict[str, Any] = {}
    errors: List[Dict[str, Any]] = []
    for parameter in parameters:
        name = parameter["name"]
        if name not in query:
            continue
        raw = query[name]
        if parameter.get("schema", {}).get("type") == "boolean":
            parsed = parse_boolean(raw)
            if parsed is None:
                errors.append(api_error("Invalid query parameter", f"{name} must be true or false", parameter=name))
                continue
            values[name] = parsed
        else:
            values[name] = raw
    return values, errors
