"""The transport seam: one prepared request in, one response out.

Everything above this seam is written once for every transport: building the URL,
encoding the body, signing or adding the API key, the retry policy, the call's
deadline, mapping statuses to exceptions, decoding, redaction. A transport only
moves bytes: it sends a `TransportRequest` and returns a `TransportResponse`, or
raises a `TransportError` that says whether the request may have reached the
server (the retry policy needs to know: a POST whose outcome is unknown is never
sent again).

Transports shipped with talon_one:

    talon_one.rest.Urllib3Transport                  the default (urllib3 pools, core dependency)
    talon_one.transport_requests.RequestsTransport   a requests.Session (pip install talon_one[requests])
    talon_one.testing.MockTransport                  in memory, for unit tests

The request and response types are plain data, with no I/O of their own, so an
asyncio transport can use them too.
"""

import json
from typing import Any, Callable, Mapping, Optional, Protocol, Tuple, Union, runtime_checkable

import urllib3

from talon_one.exceptions import ApiConnectionError, ApiException, ApiTimeoutError
from talon_one.retries import CONNECTION_LOST, NOT_SENT, OTHER, READ_TIMEOUT

__all__ = ["TransportRequest", "TransportResponse", "Transport", "TransportError", "HTTPHeaderDict",
           "NOT_SENT", "READ_TIMEOUT", "CONNECTION_LOST", "OTHER"]

HTTPHeaderDict = urllib3.HTTPHeaderDict

# How a failed attempt ended, for the retry decision: talon_one.retries' kinds.


class TransportRequest:
    """One attempt of one call, ready for the wire.

    method              'GET', 'POST', ... (upper case)
    url                 the absolute URL, query string included
    headers             header name -> value (str); authentication already added
    body                the encoded body (bytes), or None
    timeout             urllib3.Timeout: connect and read seconds, and `total` when the caller gave
                        one number for the attempt
    deadline            the attempt's hard end (time.monotonic() seconds), or None: no step of the
                        attempt (name lookup, connect, send, reading the answer) may run past it
    preload_content     False: a 2xx answer's body is left unread for the caller (`stream`)
    max_response_bytes  the largest answer to read (bytes), or None for no limit
    """

    __slots__ = ("method", "url", "headers", "body", "timeout", "deadline", "preload_content",
                 "max_response_bytes")

    def __init__(self, method: str, url: str, headers: Optional[Mapping[str, str]] = None,
                 body: Optional[bytes] = None, timeout: Optional[urllib3.Timeout] = None,
                 deadline: Optional[float] = None, preload_content: bool = True,
                 max_response_bytes: Optional[int] = None) -> None:
        self.method = method
        self.url = url
        self.headers = headers if headers is not None else {}
        self.body = body
        self.timeout = timeout if timeout is not None else urllib3.Timeout()
        self.deadline = deadline
        self.preload_content = preload_content
        self.max_response_bytes = max_response_bytes

    def header(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """A request header's value, whatever the case of its name."""
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return default

    def json(self) -> Any:
        """The body decoded from JSON (None when there is none): for MockTransport handlers."""
        if not self.body:
            return None
        return json.loads(self.body)

    def __repr__(self) -> str:
        return "<TransportRequest %s %s>" % (self.method, self.url.split("?", 1)[0])


class TransportResponse:
    """A final (non-1xx) answer.

    status    the status code
    reason    the reason phrase ('' when the server sent none)
    headers   an HTTPHeaderDict (case-insensitive; repeated headers joined by ', ')
    body      the body with its content codings undone (bytes); b'' while `stream` is unread
    stream    None, or for a 2xx asked for with preload_content=False, the unread urllib3
              response the caller reads and releases

    It also answers to the part of urllib3's response the official SDK's users rely on
    (`data`, `getheader()`, `getheaders()`, `release_conn()`).
    """

    __slots__ = ("status", "reason", "headers", "body", "stream", "version")

    def __init__(self, status: int, reason: Optional[str] = "", headers: Optional[Mapping[str, str]] = None,
                 body: bytes = b"", stream: Any = None, version: int = 11) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers if isinstance(headers, HTTPHeaderDict) else HTTPHeaderDict(headers or {})
        self.body = body
        self.stream = stream
        self.version = version

    @property
    def data(self) -> bytes:
        return self.body

    def getheader(self, name: str, default: Optional[str] = None) -> Optional[str]:
        return self.headers.get(name, default)

    def getheaders(self) -> HTTPHeaderDict:
        return self.headers

    def release_conn(self) -> None:
        if self.stream is not None:
            self.stream.release_conn()

    def drain_conn(self) -> None:
        if self.stream is not None:
            self.stream.drain_conn()

    def __repr__(self) -> str:
        return "<TransportResponse %d %s>" % (self.status, self.reason)


class TransportError(Exception):
    """A transport could not get an answer.

    kind        NOT_SENT (the request never left: refused, DNS, connect timeout, TLS),
                READ_TIMEOUT, CONNECTION_LOST (cut off after the request may have been sent)
                or OTHER; the retry policy decides on it
    timed_out   whether it was a timeout (raised as ApiTimeoutError, else ApiConnectionError)
    detail      what happened, without the URL ('connect timeout: no connection within ...')
    cause       the underlying exception, or None

    `api_error(where)` gives the exception the caller sees; `summary()` the short cause a
    retry's log line shows.
    """

    def __init__(self, kind: str, detail: str, timed_out: bool = False,
                 cause: Optional[BaseException] = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.timed_out = timed_out
        self.cause = cause

    def summary(self) -> str:
        return self.detail

    @property
    def may_have_been_delivered(self) -> bool:
        return self.kind != NOT_SENT

    def api_error(self, where: str) -> ApiException:
        """ApiTimeoutError or ApiConnectionError for the call `where` ('POST https://host/v2/...')."""
        cls = ApiTimeoutError if self.timed_out else ApiConnectionError
        if self.may_have_been_delivered:
            outcome = "the request may have been delivered"
        else:
            outcome = "the request was not sent"
        return cls("%s: %s; %s" % (where, self.detail, outcome), self.cause,
                   may_have_been_delivered=self.may_have_been_delivered)


@runtime_checkable
class Transport(Protocol):
    """Sends one attempt; talon_one's client retries, signs, decodes and maps errors above it.

    send(request)  the final answer of any status as a TransportResponse, or TransportError.
                   It must not follow redirects, retry, or decompress into `body` beyond
                   request.max_response_bytes (raise talon_one.exceptions.ResponseTooLargeError).
    close()        release pooled connections; the transport stays usable.
    """

    def send(self, request: TransportRequest) -> TransportResponse: ...

    def close(self) -> None: ...


#: A handler for talon_one.testing.MockTransport.
Handler = Callable[[TransportRequest], Union[TransportResponse, Tuple[int, Any]]]
