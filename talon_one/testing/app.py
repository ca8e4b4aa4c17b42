"""The request pipeline, independent of sockets: route, authenticate, validate, execute."""

import json
from typing import Any, Dict, Mapping, Optional, Tuple
from urllib.parse import parse_qs

from .auth import Credentials, HeaderLookup
from .engine import Engine
from .responses import ApiError, Response, api_error
from .spec import MethodNotAllowed, Operation, RouteNotFound, Router, load_operations
from .validation import SchemaValidator, check_query_parameters


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_query(query_string: str) -> Dict[str, str]:
    """Query parameters as a dict; for a repeated name the first value wins."""
    return {name: values[0] for name, values in parse_qs(query_string, keep_blank_values=True).items()}


class Application:
    """Turns (method, path, query, headers, body) into a :class:`Response`."""

    def __init__(self, spec: Mapping[str, Any], engine: Engine, credentials: Credentials) -> None:
        self.engine = engine
        self.credentials = credentials
        self._router = Router(load_operations(spec))
        self._validator = SchemaValidator(spec)

    def handle(
        self, method: str, path: str, query: Dict[str, str], headers: HeaderLookup, body: bytes
    ) -> Response:
        operation: Optional[Operation] = None
        try:
            operation, path_params = self._route(method, path)
            self._authenticate(operation, headers, body)
            query_values = self._check_query(operation, query)
            payload = self._parse_body(operation, body)
            response = self.engine.execute(operation.operation_id, path_params, query_values, payload)
        except ApiError as error:
            response = error.to_response()
        response.operation_id = operation.operation_id if operation is not None else None
        return response

    def _route(self, method: str, path: str) -> Tuple[Operation, Dict[str, str]]:
        try:
            return self._router.match(method, path)
        except RouteNotFound:
            raise ApiError(404, f"no such resource: {path}") from None
        except MethodNotAllowed as error:
            raise ApiError(
                405, f"method {method} is not allowed on {path}", headers={"Allow": ", ".join(error.allowed)}
            ) from None

    def _authenticate(self, operation: Operation, headers: HeaderLookup, body: bytes) -> None:
        if not self.credentials.authenticates(operation.security_schemes, headers, body):
            accepted = " or ".join(operation.security_schemes)
            raise ApiError(401, f"unauthorized: this operation needs {accepted}")

    @staticmethod
    def _check_query(operation: Operation, query: Dict[str, str]) -> Dict[str, Any]:
        values, errors = check_query_parameters(operation.query_parameters, query)
        if errors:
            raise ApiError(400, f"Invalid request: {errors[0]['details']}", errors)
        return values

    def _parse_body(self, operation: Operation, body: bytes) -> Any:
        """The JSON body, checked against the operation's request schema (None without a request body)."""
        if operation.body_schema is None:
            return None
        if not body.strip():
            if operation.body_required:
                raise ApiError(
                    400,
                    "Invalid request: a JSON request body is required",
                    [api_error("Missing request body", "a JSON request body is required", pointer="")],
                )
            return None
        try:
            payload = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
        except (UnicodeDecodeError, ValueError) as error:
            raise ApiError(
                400, "Invalid request: the body is not valid JSON", [api_error("Invalid JSON", str(error), pointer="")]
            ) from None
        errors = self._validator.validate(payload, operation.body_schema)
        if errors:
            first = errors[0]
            raise ApiError(400, f"Invalid request: {first['details']}", errors)
        return payload
