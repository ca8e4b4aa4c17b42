"""What the fake answers: a response value and the error that becomes an ErrorResponse."""

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional


@dataclass
class Response:
    """A status, a JSON body (None for no body) and extra headers."""

    status: int
    body: Any = None
    headers: Dict[str, str] = field(default_factory=dict)
    operation_id: Optional[str] = None
    encoded: Optional[bytes] = None

    def payload(self) -> bytes:
        """The body as JSON bytes (empty when there is no body); encoded once."""
        if self.encoded is None:
            self.encoded = b"" if self.body is None else json.dumps(self.body, separators=(",", ":")).encode("utf-8")
        return self.encoded


def api_error(
    title: str, details: str, pointer: Optional[str] = None, parameter: Optional[str] = None
) -> Dict[str, Any]:
    """One APIError item of an ErrorResponse; ``pointer`` is a JSON pointer into the request body."""
    source: Dict[str, str] = {}
    if pointer is not None:
        source["pointer"] = pointer
    if parameter is not None:
        source["parameter"] = parameter
    return {"title": title, "details": details, "source": source}


class ApiError(Exception):
    """Raised anywhere in request handling; answered as the service's ErrorResponse."""

    def __init__(
        self,
        status: int,
        message: str,
        errors: Optional[List[Dict[str, Any]]] = None,
        headers: Optional[Dict[str, str]] = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = list(errors or [])
        self.headers = dict(headers or {})

    def to_response(self) -> Response:
        body: Dict[str, Any] = {"message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return Response(self.status, body, self.headers)


def bad_request(details: str, pointer: str = "", title: str = "Invalid value") -> ApiError:
    """A 400 about one place in the request body."""
    return ApiError(400, f"Invalid request: {details}", [api_error(title, details, pointer=pointer)])


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


def conflict(message: str) -> ApiError:
    return ApiError(409, message)
