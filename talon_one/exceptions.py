"""The exceptions talon_one raises, and the one place that maps a response to one.

Every failure a call can meet surfaces as one of these classes, never as a raw
urllib3, socket or JSON error:

    OpenApiException
    ├── ApiTypeError (also TypeError)       bad argument type, unknown keyword
    ├── ApiValueError (also ValueError)     bad argument or model value
    │   └── MissingCredentialsError         no credentials the operation accepts
    ├── ApiKeyError (also KeyError)
    └── ApiException                        anything that came back (or did not)
        ├── BadRequestException             400
        ├── UnauthorizedException           401
        ├── ForbiddenException              403
        ├── NotFoundException               404
        ├── ConflictException               409
        ├── TooManyRequestsException        429 (.retry_after)
        ├── ServiceException                5xx (.retry_after)
        ├── ApiDecodeError                  2xx whose body is not the JSON it should be
        ├── ResponseTooLargeError           an answer over max_response_bytes (.limit, .size)
        └── ApiConnectionError              no response (status None)
            └── ApiTimeoutError             connect or read timeout
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple, Type, Union

if TYPE_CHECKING:
    from typing import Protocol

    class _HttpResponse(Protocol):
        """What `http_resp` must offer: an urllib3 response, or the official SDK's RESTResponse."""

        @property
        def status(self) -> int: ...
        @property
        def reason(self) -> Optional[str]: ...
        @property
        def data(self) -> Union[bytes, str, None]: ...
        # and either `headers` (ours, urllib3's) or `getheaders()` (the official SDK's RESTResponse)

# A response body as given: text, or the raw bytes (decoded as UTF-8).
ResponseBody = Union[str, bytes, bytearray, None]
# Where in a request a bad value was: keys and list indexes, outermost first.
PathToItem = Sequence[Union[str, int]]

__all__ = [
    "OpenApiException",
    "ApiTypeError",
    "ApiValueError",
    "MissingCredentialsError",
    "ApiKeyError",
    "ApiAttributeError",
    "ApiException",
    "BadRequestException",
    "UnauthorizedException",
    "ForbiddenException",
    "NotFoundException",
    "ConflictException",
    "TooManyRequestsException",
    "RateLimitException",
    "ServiceException",
    "ApiDecodeError",
    "ResponseTooLargeError",
    "ApiConnectionError",
    "ApiTimeoutError",
    "exception_for_response",
    "render_path",
]

# How much of an unparsed body str(exc) shows; the whole body stays on exc.body.
_BODY_PREVIEW = 200
# How many of the service's error entries str(exc) lists.
_ERRORS_SHOWN = 3


def render_path(path_to_item: PathToItem) -> str:
    """Render ['cartItems', 0, 'quantity'] as "['cartItems'][0]['quantity']" (as the official SDK does)."""
    return "".join("[%d]" % p if isinstance(p, int) else "['%s']" % p for p in path_to_item)


def _with_path(msg: str, path_to_item: Optional[PathToItem]) -> str:
    """`msg`, followed by where it happened when the (official SDK's) `path_to_item` is given."""
    return "%s at %s" % (msg, render_path(path_to_item)) if path_to_item else msg


class OpenApiException(Exception):
    """The base of every exception talon_one raises."""


def _rebuildable_args(msg: str, path_to_item: Optional[PathToItem], *more: object) -> Tuple[object, ...]:
    """`args` from which type(e)(*e.args) rebuilds the exception: the message as given, then
    path_to_item (a list, so it travels through JSON), then `more`, trailing Nones left out."""
    args: Tuple[object, ...] = (msg, None if path_to_item is None else list(path_to_item)) + more
    while len(args) > 1 and args[-1] is None:
        args = args[:-1]
    return args


def _text_from_args(args: Tuple[object, ...]) -> str:
    """The message of an exception whose args _rebuildable_args made, with where it happened."""
    if not args:
        return ""
    path = args[1] if len(args) > 1 else None
    return _with_path(str(args[0]), path if isinstance(path, (list, tuple)) else None)


class ApiTypeError(OpenApiException, TypeError):
    """A value or argument of the wrong type (also a TypeError).

    `args` is (msg, path_to_item, None, key_type), shortened when they are None, so
    `type(e)(*e.args)` rebuilds it; `valid_classes` (classes, not plain values) does not travel.
    """

    def __init__(self, msg: str, path_to_item: Optional[PathToItem] = None,
                 valid_classes: Optional[Tuple[type, ...]] = None, key_type: Optional[bool] = None) -> None:
        self.path_to_item = path_to_item
        self.valid_classes = valid_classes
        self.key_type = key_type
        super().__init__(*_rebuildable_args(msg, path_to_item, None, key_type))

    def __str__(self) -> str:
        return _text_from_args(self.args)


class ApiValueError(OpenApiException, ValueError):
    """A value that breaks a constraint (also a ValueError).

    `args` is (msg,) or (msg, path_to_item), so `type(e)(*e.args)` rebuilds it.
    """

    def __init__(self, msg: str, path_to_item: Optional[PathToItem] = None) -> None:
        self.path_to_item = path_to_item
        super().__init__(*_rebuildable_args(msg, path_to_item))

    def __str__(self) -> str:
        return _text_from_args(self.args)


class MissingCredentialsError(ApiValueError):
    """No credentials this operation accepts are configured; raised before anything is sent."""


class ApiKeyError(OpenApiException, KeyError):
    """A missing key (also a KeyError; str() quotes the message as KeyError's does).

    `args` is (msg,) or (msg, path_to_item), so `type(e)(*e.args)` rebuilds it.
    """

    def __init__(self, msg: str, path_to_item: Optional[PathToItem] = None) -> None:
        self.path_to_item = path_to_item
        super().__init__(*_rebuildable_args(msg, path_to_item))

    def __str__(self) -> str:
        return repr(_text_from_args(self.args))


class ApiAttributeError(OpenApiException, AttributeError):
    """A missing attribute (also an AttributeError)."""


class ApiException(OpenApiException):
    """A call that failed: the service answered with an error, or did not answer.

    `status`, `reason`, `body` (text) and `headers` describe the response;
    `error` is the service's parsed `ErrorResponse` as a dict (or None), with
    `message` and `errors` as shortcuts. `operation` names the call as HTTP
    method and the spec's path template ('PUT /v2/customer_sessions/{customerSessionId}'),
    never the filled-in path, whose values can be personal data. `retry_after`
    is the delay in seconds a 429 or 5xx response asked for (Retry-After), else None.

    str(exc) is one line (status, reason, operation, the service's message and
    first errors); the full detail stays in the attributes. `exc.args` holds
    plain values (status, reason, None, body, headers as a dict, operation, and
    a subclass's own fields), so `type(exc)(*exc.args)` rebuilds the exception
    with its message and status: Celery's JSON result backend rebuilds them so.
    """

    retry_after: Optional[float] = None

    def __init__(self, status: Optional[int] = None, reason: Optional[str] = None,
                 http_resp: Optional[_HttpResponse] = None, body: ResponseBody = None,
                 headers: Optional[Mapping[str, str]] = None, operation: object = None) -> None:
        if http_resp is not None:
            status = http_resp.status
            reason = http_resp.reason
            body = http_resp.data
            headers = _response_headers(http_resp)
        self.status = status
        self.reason = reason
        self.body = _as_text(body)
        self.headers = headers
        self.operation = None if operation is None else str(operation)
        self.error = _parse_error_body(self.body)
        super().__init__(status, reason, None, self.body, _plain_headers(headers), self.operation)

    @property
    def message(self) -> Optional[str]:
        """The service's `message`, or None (a non-string message as its str())."""
        message = self.error.get("message") if self.error else None
        return message if message is None or isinstance(message, str) else str(message)

    @property
    def errors(self) -> List[Any]:
        """The service's `errors` entries (JSON objects with title, details, source), or []."""
        errors = self.error.get("errors") if self.error else None
        return errors if isinstance(errors, list) else []

    def __str__(self) -> str:
        text = "(%s)" % self.status if self.status is not None else "(no response)"
        if self.reason:
            text += " %s" % self.reason
        if self.operation:
            text += " on %s" % self.operation
        details = self._details()
        if details:
            text += ": " + "; ".join(details)
        return _one_line(text)

    def _details(self) -> List[str]:
        """What str(exc) shows after the status line: the service's message and errors, or the body."""
        details = []
        if self.message:
            details.append(str(self.message))
        for entry in self.errors[:_ERRORS_SHOWN]:
            details.append("error: %s" % _describe_api_error(entry))
        if len(self.errors) > _ERRORS_SHOWN:
            details.append("(%d more errors)" % (len(self.errors) - _ERRORS_SHOWN))
        if self.error is None and self.body:
            preview = self.body[:_BODY_PREVIEW]
            suffix = "..." if len(self.body) > _BODY_PREVIEW else ""
            details.append("body: %s%s" % (preview, suffix))
        return details


class BadRequestException(ApiException):
    """400: the service refused the request as malformed or invalid."""


class UnauthorizedException(ApiException):
    """401: the API key or the request signature was not accepted."""


class ForbiddenException(ApiException):
    """403: the credentials may not do this."""


class NotFoundException(ApiException):
    """404: the profile, session, coupon or other entity does not exist."""


class ConflictException(ApiException):
    """409: the request conflicts with the current state."""


class _RetryAfterException(ApiException):
    """Keeps the Retry-After delay (seconds) a 429 or 5xx response asked for."""

    def __init__(self, status: Optional[int] = None, reason: Optional[str] = None,
                 http_resp: Optional[_HttpResponse] = None, body: ResponseBody = None,
                 headers: Optional[Mapping[str, str]] = None, operation: object = None,
                 retry_after: Optional[float] = None) -> None:
        super().__init__(status, reason, http_resp, body, headers, operation)
        self.retry_after = retry_after
        self.args += (retry_after,)

    def _details(self) -> List[str]:
        details = super()._details()
        if self.retry_after is not None:
            details.append("Retry-After: %g s" % self.retry_after)
        return details


class TooManyRequestsException(_RetryAfterException):
    """429: rate limited. `retry_after` is the delay in seconds the service asked for, or None."""


# The name other SDKs use for the same thing.
RateLimitException = TooManyRequestsException


class ServiceException(_RetryAfterException):
    """5xx: the service (or a proxy in front of it) failed. `retry_after` as for 429 (503 sends it)."""


class ApiDecodeError(ApiException):
    """A successful status whose body is not the JSON it should be; `body` keeps it raw.

    `detail` says what was wrong (empty body, not JSON, wrong Content-Type).
    """

    def __init__(self, status: Optional[int] = None, reason: Optional[str] = None,
                 http_resp: Optional[_HttpResponse] = None, body: ResponseBody = None,
                 headers: Optional[Mapping[str, str]] = None, operation: object = None,
                 detail: Optional[str] = None) -> None:
        super().__init__(status, reason, http_resp, body, headers, operation)
        self.detail = detail
        self.args += (detail,)

    def _details(self) -> List[str]:
        details = super()._details()
        if self.detail:
            details.append("decode error: %s" % self.detail)
        return details


class ResponseTooLargeError(ApiException):
    """An answer larger than `Configuration.max_response_bytes`, refused as soon as that was known.

    `limit` is the setting (bytes); `size` the size announced (Content-Length), read or
    decoded when the limit was crossed, in bytes (None when the answer did not fit in
    memory at all). `status`, `reason` and `headers` are the answer's (None when they were
    not read); `body` is None: the body was not kept. The connection it came on was closed.
    Not retried.
    """

    def __init__(self, status: Optional[int] = None, reason: Optional[str] = None,
                 http_resp: Optional[_HttpResponse] = None, body: ResponseBody = None,
                 headers: Optional[Mapping[str, str]] = None, operation: object = None,
                 limit: Optional[int] = None, size: Optional[int] = None, detail: Optional[str] = None) -> None:
        super().__init__(status, reason, http_resp, body, headers, operation)
        self.limit = limit
        self.size = size
        self.detail = detail
        self.args += (limit, size, detail)

    def _details(self) -> List[str]:
        details = super()._details()
        if self.detail:
            details.append("too large: %s" % self.detail)
        return details


class ApiConnectionError(ApiException):
    """No usable response: connection refused or reset, DNS, TLS, or a broken body. `status` is None.

    `reason` says what happened and where. `may_have_been_delivered` is False when the
    request was certainly not sent (no connection could be made, or the time budget ran
    out before its first byte was written): safe to send again, a POST too. True when the
    service may have received, and applied, it. `args` is (reason, None,
    may_have_been_delivered), so the exception rebuilds from it (the cause does not travel).
    """

    def __init__(self, reason: str, cause: Optional[BaseException] = None,
                 may_have_been_delivered: bool = True) -> None:
        super().__init__(status=None, reason=reason)
        self.args = (reason, None, may_have_been_delivered)
        self.__cause__ = cause
        self.may_have_been_delivered = may_have_been_delivered


class ApiTimeoutError(ApiConnectionError):
    """The connect or read timeout ran out."""


_EXCEPTION_BY_STATUS: Dict[int, Type[ApiException]] = {
    400: BadRequestException,
    401: UnauthorizedException,
    403: ForbiddenException,
    404: NotFoundException,
    409: ConflictException,
}


def exception_for_response(status: int, reason: Optional[str], body: ResponseBody, headers: Optional[Mapping[str, str]],
                           retry_after: Optional[float] = None, operation: object = None) -> ApiException:
    """Build the exception for a non-2xx response: the one error-mapping table.

    `operation` names the call ('PUT /v2/customer_sessions/{customerSessionId}').
    """
    if status == 429:
        return TooManyRequestsException(status, reason, body=body, headers=headers, operation=operation,
                                        retry_after=retry_after)
    if 500 <= status <= 599:
        return ServiceException(status, reason, body=body, headers=headers, operation=operation,
                                retry_after=retry_after)
    cls = _EXCEPTION_BY_STATUS.get(status, ApiException)
    return cls(status, reason, body=body, headers=headers, operation=operation)


def _response_headers(http_resp: Any) -> Optional[Mapping[str, str]]:
    """The headers of an `http_resp`: its `headers`, or `getheaders()` as the official SDK's
    RESTResponse (and stubs written for it) offers them."""
    headers: Optional[Mapping[str, str]] = getattr(http_resp, "headers", None)
    if headers is None:
        getheaders = getattr(http_resp, "getheaders", None)
        if callable(getheaders):
            headers = getheaders()
    return headers


def _as_text(body: ResponseBody) -> Optional[str]:
    if isinstance(body, (bytes, bytearray)):
        return bytes(body).decode("utf-8", "replace")
    return body


def _plain_headers(headers: Optional[Mapping[str, str]]) -> Optional[Dict[str, str]]:
    """Response headers as a plain dict (JSON-friendly, for `args`), or None."""
    if headers is None:
        return None
    try:
        return {str(name): str(value) for name, value in headers.items()}
    except (AttributeError, TypeError, ValueError):
        return None


def _one_line(text: str) -> str:
    """`text` with line breaks (from a body or the service's message) turned into spaces."""
    if len(text.splitlines()) > 1:
        text = " ".join(text.split())
    return text


def _parse_error_body(text: Optional[str]) -> Optional[Dict[str, Any]]:
    """The service's ErrorResponse as a dict, or None when the body is not one (an HTML page, say)."""
    if not text or text.lstrip()[:1] != "{":
        return None
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested too deeply to parse
        return None
    if isinstance(parsed, dict) and ("message" in parsed or "errors" in parsed):
        return parsed
    return None


def _describe_api_error(entry: Any) -> str:
    if not isinstance(entry, dict):
        return str(entry)
    parts = [str(entry.get("title") or "")]
    if entry.get("details"):
        parts.append(str(entry["details"]))
    source = entry.get("source")
    if isinstance(source, dict):
        where = source.get("pointer") or source.get("parameter") or source.get("line")
        if where:
            parts.append("(at %s)" % where)
    return " ".join(p for p in parts if p)
