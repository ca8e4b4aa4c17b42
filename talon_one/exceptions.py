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

import json

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


def render_path(path_to_item):
    """Render ['cartItems', 0, 'quantity'] as "['cartItems'][0]['quantity']" (as the official SDK does)."""
    return "".join("[%d]" % p if isinstance(p, int) else "['%s']" % p for p in path_to_item)


def _with_path(msg, path_to_item):
    """`msg`, followed by where it happened when the (official SDK's) `path_to_item` is given."""
    return "%s at %s" % (msg, render_path(path_to_item)) if path_to_item else msg


class OpenApiException(Exception):
    """The base of every exception talon_one raises."""


class ApiTypeError(OpenApiException, TypeError):
    """A value or argument of the wrong type (also a TypeError)."""

    def __init__(self, msg, path_to_item=None, valid_classes=None, key_type=None):
        self.path_to_item = path_to_item
        self.valid_classes = valid_classes
        self.key_type = key_type
        super().__init__(_with_path(msg, path_to_item))


class ApiValueError(OpenApiException, ValueError):
    """A value that breaks a constraint (also a ValueError)."""

    def __init__(self, msg, path_to_item=None):
        self.path_to_item = path_to_item
        super().__init__(_with_path(msg, path_to_item))


class MissingCredentialsError(ApiValueError):
    """No credentials this operation accepts are configured; raised before anything is sent."""


class ApiKeyError(OpenApiException, KeyError):
    """A missing key (also a KeyError)."""

    def __init__(self, msg, path_to_item=None):
        self.path_to_item = path_to_item
        super().__init__(_with_path(msg, path_to_item))


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

    retry_after = None

    def __init__(self, status=None, reason=None, http_resp=None, body=None, headers=None, operation=None):
        if http_resp is not None:
            status = http_resp.status
            reason = http_resp.reason
            body = http_resp.data
            headers = http_resp.headers
        self.status = status
        self.reason = reason
        self.body = _as_text(body)
        self.headers = headers
        self.operation = None if operation is None else str(operation)
        self.error = _parse_error_body(self.body)
        super().__init__(status, reason, None, self.body, _plain_headers(headers), self.operation)

    @property
    def message(self):
        return self.error.get("message") if self.error else None

    @property
    def errors(self):
        errors = self.error.get("errors") if self.error else None
        return errors if isinstance(errors, list) else []

    def __str__(self):
        text = "(%s)" % self.status if self.status is not None else "(no response)"
        if self.reason:
            text += " %s" % self.reason
        if self.operation:
            text += " on %s" % self.operation
        details = self._details()
        if details:
            text += ": " + "; ".join(details)
        return _one_line(text)

    def _details(self):
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


class _RetryAfterMixin:
    """Keeps the Retry-After delay (seconds) a 429 or 5xx response asked for."""

    def __init__(self, status=None, reason=None, http_resp=None, body=None, headers=None, operation=None,
                 retry_after=None):
        super().__init__(status, reason, http_resp, body, headers, operation)
        self.retry_after = retry_after
        self.args += (retry_after,)

    def _details(self):
        details = super()._details()
        if self.retry_after is not None:
            details.append("Retry-After: %g s" % self.retry_after)
        return details


class TooManyRequestsException(_RetryAfterMixin, ApiException):
    """429: rate limited. `retry_after` is the delay in seconds the service asked for, or None."""


# The name other SDKs use for the same thing.
RateLimitException = TooManyRequestsException


class ServiceException(_RetryAfterMixin, ApiException):
    """5xx: the service (or a proxy in front of it) failed. `retry_after` as for 429 (503 sends it)."""


class ApiDecodeError(ApiException):
    """A successful status whose body is not the JSON it should be; `body` keeps it raw.

    `detail` says what was wrong (empty body, not JSON, wrong Content-Type).
    """

    def __init__(self, status=None, reason=None, http_resp=None, body=None, headers=None, operation=None,
                 detail=None):
        super().__init__(status, reason, http_resp, body, headers, operation)
        self.detail = detail
        self.args += (detail,)

    def _details(self):
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

    def __init__(self, status=None, reason=None, http_resp=None, body=None, headers=None, operation=None,
                 limit=None, size=None, detail=None):
        super().__init__(status, reason, http_resp, body, headers, operation)
        self.limit = limit
        self.size = size
        self.detail = detail
        self.args += (limit, size, detail)

    def _details(self):
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

    def __init__(self, reason, cause=None, may_have_been_delivered=True):
        super().__init__(status=None, reason=reason)
        self.args = (reason, None, may_have_been_delivered)
        self.__cause__ = cause
        self.may_have_been_delivered = may_have_been_delivered


class ApiTimeoutError(ApiConnectionError):
    """The connect or read timeout ran out."""


_EXCEPTION_BY_STATUS = {
    400: BadRequestException,
    401: UnauthorizedException,
    403: ForbiddenException,
    404: NotFoundException,
    409: ConflictException,
}


def exception_for_response(status, reason, body, headers, retry_after=None, operation=None):
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


def _as_text(body):
    if isinstance(body, (bytes, bytearray)):
        return bytes(body).decode("utf-8", "replace")
    return body


def _plain_headers(headers):
    """Response headers as a plain dict (JSON-friendly, for `args`), or None."""
    if headers is None:
        return None
    try:
        return {str(name): str(value) for name, value in headers.items()}
    except (AttributeError, TypeError, ValueError):
        return None


def _one_line(text):
    """`text` with line breaks (from a body or the service's message) turned into spaces."""
    if len(text.splitlines()) > 1:
        text = " ".join(text.split())
    return text


def _parse_error_body(text):
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


def _describe_api_error(entry):
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
