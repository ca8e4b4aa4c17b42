"""The bundled OpenAPI document and what the fake derives from it: operations and routing."""

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files as _package_files
from typing import Any, Dict, List, Mapping, Optional, Pattern, Tuple
from urllib.parse import unquote

SPEC_FILENAME = "integration-api.json"
_SCHEMA_REF_PREFIX = "#/components/schemas/"


@lru_cache(maxsize=1)
def _load_spec() -> Dict[str, Any]:
    """Read the Integration API spec shipped in this package (talon_one/testing/integration-api.json).

    The build copies ``spec/integration-api.json`` there.  The returned dict is
    shared: treat it as read-only.
    """
    data = _package_files(__package__).joinpath(SPEC_FILENAME).read_bytes()
    spec: Dict[str, Any] = json.loads(data)
    return spec


def schema_ref(name: str) -> Dict[str, str]:
    """A ``$ref`` to a component schema."""
    return {"$ref": _SCHEMA_REF_PREFIX + name}


@dataclass(frozen=True)
class Operation:
    """One operation of the spec, reduced to what the fake needs."""

    operation_id: str
    method: str
    path_template: str
    path_pattern: Pattern[str]
    literal_segments: int
    security_schemes: Tuple[str, ...]
    body_schema: Optional[Dict[str, Any]]
    body_required: bool
    query_parameters: Tuple[Dict[str, Any], ...]


def _path_pattern(template: str) -> Tuple[Pattern[str], int]:
    """Regex for a path template like ``/v1/customer_profiles/{integrationId}/inventory``."""
    parts = []
    literal_segments = 0
    for segment in template.strip("/").split("/"):
        match = re.fullmatch(r"\{(\w+)\}", segment)
        if match:
            parts.append(f"(?P<{match.group(1)}>[^/]+)")
        else:
            parts.append(re.escape(segment))
            literal_segments += 1
    return re.compile("^/" + "/".join(parts) + "$"), literal_segments


def _operation(template: str, method: str, spec_operation: Dict[str, Any]) -> Operation:
    pattern, literal_segments = _path_pattern(template)
    schemes = tuple(name for requirement in spec_operation.get("security", ()) for name in requirement)
    request_body = spec_operation.get("requestBody")
    body_schema = None
    if request_body is not None:
        body_schema = request_body["content"]["application/json"]["schema"]
    query_parameters = tuple(p for p in spec_operation.get("parameters", ()) if p.get("in") == "query")
    return Operation(
        operation_id=spec_operation["operationId"],
        method=method.upper(),
        path_template=template,
        path_pattern=pattern,
        literal_segments=literal_segments,
        security_schemes=schemes,
        body_schema=body_schema,
        body_required=bool(request_body and request_body.get("required")),
        query_parameters=query_parameters,
    )


def load_operations(spec: Mapping[str, Any]) -> List[Operation]:
    """Every operation of the spec."""
    return [
        _operation(template, method, spec_operation)
        for template, methods in spec["paths"].items()
        for method, spec_operation in methods.items()
    ]


class RouteNotFound(Exception):
    """No path of the spec matches."""


class MethodNotAllowed(Exception):
    """The path exists but not with this method."""

    def __init__(self, allowed: List[str]) -> None:
        super().__init__(", ".join(allowed))
        self.allowed = allowed


class Router:
    """Finds the operation for a method and a path; the most specific path template wins."""

    def __init__(self, operations: List[Operation]) -> None:
        by_template: Dict[str, Dict[str, Operation]] = {}
        for operation in operations:
            by_template.setdefault(operation.path_template, {})[operation.method] = operation
        self._templates = sorted(
            by_template.items(),
            key=lambda item: -next(iter(item[1].values())).literal_segments,
        )

    def match(self, method: str, path: str) -> Tuple[Operation, Dict[str, str]]:
        """Return the operation and its decoded path parameters, or raise RouteNotFound/MethodNotAllowed."""
        for _template, methods in self._templates:
            any_operation = next(iter(methods.values()))
            found = any_operation.path_pattern.match(path)
            if not found:
                continue
            operation = methods.get(method.upper())
            if operation is None:
                raise MethodNotAllowed(sorted(methods))
            params = {name: unquote(value) for name, value in found.groupdict().items()}
            return operation, params
        raise RouteNotFound(path)
