"""MockTransport: an in-memory transport for unit tests (no sockets, no threads).

    from talon_one.testing import MockResponse, MockTransport

    def handler(request):                     # a talon_one.transport.TransportRequest
        assert request.url.endswith("/v2/customer_sessions/s1")
        return MockResponse(200, json={"effects": []})

    api = talon_one.IntegrationApi(talon_one.ApiClient(configuration, transport=MockTransport(handler)))

The handler gets each attempt and returns a MockResponse (or any TransportResponse), or
raises a transport fault (MockTransport.connect_timeout() and the like) to test how your code
handles it. Everything above the transport runs as with a real one: the request is encoded
and signed, retries follow the policy (a POST whose outcome is unknown is not re-sent), the
answer is decoded or mapped to its exception.
"""

import http
import io
import json as _json
import threading
from typing import Any, Callable, List, Mapping, Optional, Union

import urllib3

from talon_one.retries import CONNECTION_LOST, NOT_SENT, READ_TIMEOUT
from talon_one.transport import TransportError, TransportRequest, TransportResponse

__all__ = ["MockTransport", "MockResponse"]

Handler = Callable[[TransportRequest], TransportResponse]


class MockResponse(TransportResponse):
    """An answer for MockTransport.

    status    the status code (default 200)
    json      a value to send as the JSON body (Content-Type: application/json)
    body      the raw body instead (bytes, or str sent as UTF-8)
    headers   more headers (a dict)
    reason    the reason phrase (default: the standard one for the status)
    """

    def __init__(self, status: int = 200, json: Any = None, body: Union[bytes, str, None] = None,
                 headers: Optional[Mapping[str, str]] = None, reason: Optional[str] = None) -> None:
        if json is not None and body is not None:
            raise ValueError("MockResponse takes json or body, not both")
        all_headers = urllib3.HTTPHeaderDict()
        if json is not None:
            body = _json.dumps(json).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        elif isinstance(body, str):
            body = body.encode("utf-8")
        all_headers.update(headers or {})
        if reason is None:
            try:
                reason = http.HTTPStatus(status).phrase
            except ValueError:
                reason = ""
        super().__init__(status, reason, all_headers, body or b"")


class MockTransport:
    """A transport whose answers come from `handler(request)`; it keeps every request in `requests`.

    The handler runs in the calling thread; `requests` is safe to read from any thread.
    """

    def __init__(self, handler: Handler) -> None:
        if not callable(handler):
            raise TypeError("MockTransport(handler): handler must be callable, got %s" % type(handler).__name__)
        self.handler = handler
        self.requests: List[TransportRequest] = []
        self._lock = threading.Lock()

    def send(self, request: TransportRequest) -> TransportResponse:
        with self._lock:
            self.requests.append(request)
        response = self.handler(request)
        if not isinstance(response, TransportResponse):
            raise TypeError("the MockTransport handler must return a MockResponse (or a TransportResponse) "
                            "or raise, got %s" % type(response).__name__)
        body = response.body
        limit = request.max_response_bytes
        if limit is not None and len(body) > limit:
            from talon_one.rest import ResponseTooLarge
            raise ResponseTooLarge(response.status, response.reason, response.headers, limit, len(body),
                                   "the body has %d bytes" % len(body))
        if not request.preload_content and 200 <= response.status <= 299:
            stream = urllib3.HTTPResponse(body=io.BytesIO(body), headers=response.headers, status=response.status,
                                          reason=response.reason, preload_content=False, decode_content=False)
            return TransportResponse(response.status, response.reason, response.headers, b"", stream)
        return TransportResponse(response.status, response.reason, response.headers, body)

    def close(self) -> None:
        """Nothing to close."""

    # -- faults a handler can raise ----------------------------------------------------------

    @staticmethod
    def connect_timeout() -> TransportError:
        """No connection within the connect timeout: the request was not sent (retried for any method)."""
        return TransportError(NOT_SENT, "connect timeout: no connection within the connect timeout", timed_out=True)

    @staticmethod
    def connection_refused() -> TransportError:
        """The connection was refused: the request was not sent (retried for any method)."""
        return TransportError(NOT_SENT, "could not connect: Connection refused (ConnectionRefusedError)",
                              cause=ConnectionRefusedError(111, "Connection refused"))

    @staticmethod
    def read_timeout() -> TransportError:
        """No answer within the read timeout: the request may have been delivered (a POST is not retried)."""
        return TransportError(READ_TIMEOUT, "read timeout: no response within the read timeout", timed_out=True)

    @staticmethod
    def connection_lost() -> TransportError:
        """The connection dropped after the request was sent (a POST is not retried)."""
        return TransportError(CONNECTION_LOST, "connection lost: Connection reset by peer (ConnectionResetError)",
                              cause=ConnectionResetError(104, "Connection reset by peer"))

    def __repr__(self) -> str:
        return "<MockTransport %d requests>" % len(self.requests)
