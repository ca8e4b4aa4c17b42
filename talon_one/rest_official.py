"""The official SDK's shape of the transport: `RESTResponse` and `RESTClientObject`'s per-method helpers.

Code written against the official SDK calls `rest_client.GET(url, ...)` or
`rest_client.request(method, url, query_params, headers, body, ...)` and reads a
`RESTResponse`. These requests go through the same pool, retry policy and
timeouts as the operations (`RESTClientObject.send`); no authentication is
added, and a non-2xx answer raises its ApiException subclass, as in the
official SDK.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, Literal, Mapping, Optional, Sequence, Tuple, Union, overload

from talon_one.exceptions import ApiValueError

if TYPE_CHECKING:
    from typing import Protocol

    import urllib3

    from talon_one.api._operation import RequestTimeout
    from talon_one.retries import RetriesSetting
    from talon_one.transport import TransportResponse

    class ReadResponse(Protocol):
        """What a RESTResponse is made from: a response whose body has been read."""

        @property
        def status(self) -> int: ...

        @property
        def reason(self) -> Optional[str]: ...

        @property
        def data(self) -> bytes: ...

        @property
        def headers(self) -> Mapping[str, str]: ...

    #: Query parameters: a dict, or (name, value) pairs; list values repeat the name.
    QueryParams = Union[Mapping[str, Any], Sequence[Tuple[str, Any]]]
    #: What `request(..., _preload_content=False)` returns for a 2xx: the unread urllib3 response.
    UnreadResponse = urllib3.BaseHTTPResponse
    #: What request() and GET()/POST()/... return: the RESTResponse, or the unread urllib3 response
    #: when called with `_preload_content=False` (a non-2xx answer raises instead).
    ReadOrUnread = Union["RESTResponse", UnreadResponse]

__all__ = ["RESTResponse", "OfficialRequestMethods"]

_METHODS = ("GET", "HEAD", "DELETE", "POST", "PUT", "PATCH", "OPTIONS")


class RESTResponse(io.IOBase):
    """A response whose body has been read: `status`, `reason`, `data` (bytes) and `headers`.

    `urllib3_response` is the underlying urllib3 response; `getheaders()` and
    `getheader(name, default)` are kept from the official SDK.
    """

    def __init__(self, resp: ReadResponse) -> None:
        self.urllib3_response = resp
        self.status = resp.status
        self.reason = resp.reason
        self.data = resp.data

    @property
    def headers(self) -> Mapping[str, str]:
        return self.urllib3_response.headers

    def getheaders(self) -> Mapping[str, str]:
        """The response headers (a case-insensitive mapping)."""
        return self.urllib3_response.headers

    def getheader(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """The value of header `name` (case-insensitive), or `default`."""
        return self.urllib3_response.headers.get(name, default)

    def __repr__(self) -> str:
        # No reason phrase: it is the server's text, and a server may echo a credential in it.
        return "<RESTResponse %s>" % self.status


class OfficialRequestMethods:
    """`request()` with the official SDK's signature, and GET/HEAD/OPTIONS/DELETE/POST/PUT/PATCH.

    Mixed into RESTClientObject, whose `send` does the sending.
    """

    if TYPE_CHECKING:
        def send(self, method: str, url: str, headers: Optional[Mapping[str, str]] = None,
                 body: Optional[bytes] = None, preload_content: bool = True, timeout: RequestTimeout = None,
                 retries: RetriesSetting = None) -> TransportResponse: ...  # RESTClientObject.send

    @overload
    def request(self, method: str, url: str, query_params: Optional[QueryParams] = None,
                headers: Optional[Mapping[str, str]] = None, body: Any = None, post_params: Any = None,
                _preload_content: Literal[True] = True, _request_timeout: RequestTimeout = None) -> RESTResponse: ...

    @overload
    def request(self, method: str, url: str, query_params: Optional[QueryParams] = None,
                headers: Optional[Mapping[str, str]] = None, body: Any = None, post_params: Any = None,
                _preload_content: bool = True, _request_timeout: RequestTimeout = None) -> ReadOrUnread: ...

    def request(self, method: str, url: str, query_params: Optional[QueryParams] = None,
                headers: Optional[Mapping[str, str]] = None, body: Any = None, post_params: Any = None,
                _preload_content: bool = True, _request_timeout: RequestTimeout = None) -> ReadOrUnread:
        """Send a request to a full URL; the RESTResponse (or, with `_preload_content=False`, the unread
        urllib3 response of a 2xx), or the mapped ApiException for any other status.

        query_params  dict or list of pairs (booleans sent as true/false, lists repeat the key)
        body          a model, dict, list (sent as JSON) or bytes; Content-Type defaults to JSON
        post_params   form fields: not supported (the Integration API takes JSON), ApiValueError
        _request_timeout  seconds, a (connect, read) pair or an urllib3 Timeout
        """
        from talon_one import api_client as client  # at call time: api_client imports this module's user

        method = method.upper() if isinstance(method, str) else method
        if method not in _METHODS:
            raise ApiValueError("method must be one of %s, got %r" % (", ".join(_METHODS), method))
        if post_params and body is not None:
            raise ApiValueError("body parameter cannot be used with post_params parameter.")
        if query_params:
            query = client.encode_query(query_params)
            if query:
                url = "%s%s%s" % (url, "&" if "?" in url else "?", query)
        payload = client.encode_body(method, body, post_params, None)
        headers = client.checked_headers(headers)
        if payload and not any(name.lower() == "content-type" for name in headers):
            headers["Content-Type"] = "application/json"
        response = self.send(method, url, headers=headers, body=payload, preload_content=_preload_content,
                             timeout=_request_timeout)
        if not 200 <= response.status <= 299:
            raise client.error_for_response(response, _preload_content)
        return RESTResponse(response) if _preload_content else response.stream

    @overload
    def GET(self, url: str, headers: Optional[Mapping[str, str]] = None,
            query_params: Optional[QueryParams] = None, _preload_content: Literal[True] = True,
            _request_timeout: RequestTimeout = None) -> RESTResponse: ...

    @overload
    def GET(self, url: str, headers: Optional[Mapping[str, str]] = None,
            query_params: Optional[QueryParams] = None, _preload_content: bool = True,
            _request_timeout: RequestTimeout = None) -> ReadOrUnread: ...

    def GET(self, url: str, headers: Optional[Mapping[str, str]] = None,
            query_params: Optional[QueryParams] = None, _preload_content: bool = True,
            _request_timeout: RequestTimeout = None) -> ReadOrUnread:
        return self.request("GET", url, headers=headers, query_params=query_params,
                            _preload_content=_preload_content, _request_timeout=_request_timeout)

    @overload
    def HEAD(self, url: str, headers: Optional[Mapping[str, str]] = None,
             query_params: Optional[QueryParams] = None, _preload_content: Literal[True] = True,
             _request_timeout: RequestTimeout = None) -> RESTResponse: ...

    @overload
    def HEAD(self, url: str, headers: Optional[Mapping[str, str]] = None,
             query_params: Optional[QueryParams] = None, _preload_content: bool = True,
             _request_timeout: RequestTimeout = None) -> ReadOrUnread: ...

    def HEAD(self, url: str, headers: Optional[Mapping[str, str]] = None,
             query_params: Optional[QueryParams] = None, _preload_content: bool = True,
             _request_timeout: RequestTimeout = None) -> ReadOrUnread:
        return self.request("HEAD", url, headers=headers, query_params=query_params,
                            _preload_content=_preload_content, _request_timeout=_request_timeout)

    @overload
    def DELETE(self, url: str, headers: Optional[Mapping[str, str]] = None,
               query_params: Optional[QueryParams] = None, body: Any = None,
               _preload_content: Literal[True] = True,
               _request_timeout: RequestTimeout = None) -> RESTResponse: ...

    @overload
    def DELETE(self, url: str, headers: Optional[Mapping[str, str]] = None,
               query_params: Optional[QueryParams] = None, body: Any = None, _preload_content: bool = True,
               _request_timeout: RequestTimeout = None) -> ReadOrUnread: ...

    def DELETE(self, url: str, headers: Optional[Mapping[str, str]] = None,
               query_params: Optional[QueryParams] = None, body: Any = None, _preload_content: bool = True,
               _request_timeout: RequestTimeout = None) -> ReadOrUnread:
        return self.request("DELETE", url, headers=headers, query_params=query_params, body=body,
                            _preload_content=_preload_content, _request_timeout=_request_timeout)

    @overload
    def OPTIONS(self, url: str, headers: Optional[Mapping[str, str]] = None,
                query_params: Optional[QueryParams] = None, post_params: Any = None, body: Any = None,
                _preload_content: Literal[True] = True,
                _request_timeout: RequestTimeout = None) -> RESTResponse: ...

    @overload
    def OPTIONS(self, url: str, headers: Optional[Mapping[str, str]] = None,
                query_params: Optional[QueryParams] = None, post_params: Any = None, body: Any = None,
                _preload_content: bool = True, _request_timeout: RequestTimeout = None) -> ReadOrUnread: ...

    def OPTIONS(self, url: str, headers: Optional[Mapping[str, str]] = None,
                query_params: Optional[QueryParams] = None, post_params: Any = None, body: Any = None,
                _preload_content: bool = True, _request_timeout: RequestTimeout = None) -> ReadOrUnread:
        return self.request("OPTIONS", url, headers=headers, query_params=query_params,
                            post_params=post_params, body=body, _preload_content=_preload_content,
                            _request_timeout=_request_timeout)

    @overload
    def POST(self, url: str, headers: Optional[Mapping[str, str]] = None,
             query_params: Optional[QueryParams] = None, post_params: Any = None, body: Any = None,
             _preload_content: Literal[True] = True, _request_timeout: RequestTimeout = None) -> RESTResponse: ...

    @overload
    def POST(self, url: str, headers: Optional[Mapping[str, str]] = None,
             query_params: Optional[QueryParams] = None, post_params: Any = None, body: Any = None,
             _preload_content: bool = True, _request_timeout: RequestTimeout = None) -> ReadOrUnread: ...

    def POST(self, url: str, headers: Optional[Mapping[str, str]] = None,
             query_params: Optional[QueryParams] = None, post_params: Any = None, body: Any = None,
             _preload_content: bool = True, _request_timeout: RequestTimeout = None) -> ReadOrUnread:
        return self.request("POST", url, headers=headers, query_params=query_params,
                            post_params=post_params, body=body, _preload_content=_preload_content,
                            _request_timeout=_request_timeout)

    @overload
    def PUT(self, url: str, headers: Optional[Mapping[str, str]] = None,
            query_params: Optional[QueryParams] = None, post_params: Any = None, body: Any = None,
            _preload_content: Literal[True] = True, _request_timeout: RequestTimeout = None) -> RESTResponse: ...

    @overload
    def PUT(self, url: str, headers: Optional[Mapping[str, str]] = None,
            query_params: Optional[QueryParams] = None, post_params: Any = None, body: Any = None,
            _preload_content: bool = True, _request_timeout: RequestTimeout = None) -> ReadOrUnread: ...

    def PUT(self, url: str, headers: Optional[Mapping[str, str]] = None,
            query_params: Optional[QueryParams] = None, post_params: Any = None, body: Any = None,
            _preload_content: bool = True, _request_timeout: RequestTimeout = None) -> ReadOrUnread:
        return self.request("PUT", url, headers=headers, query_params=query_params,
                            post_params=post_params, body=body, _preload_content=_preload_content,
                            _request_timeout=_request_timeout)

    @overload
    def PATCH(self, url: str, headers: Optional[Mapping[str, str]] = None,
              query_params: Optional[QueryParams] = None, post_params: Any = None, body: Any = None,
              _preload_content: Literal[True] = True,
              _request_timeout: RequestTimeout = None) -> RESTResponse: ...

    @overload
    def PATCH(self, url: str, headers: Optional[Mapping[str, str]] = None,
              query_params: Optional[QueryParams] = None, post_params: Any = None, body: Any = None,
              _preload_content: bool = True, _request_timeout: RequestTimeout = None) -> ReadOrUnread: ...

    def PATCH(self, url: str, headers: Optional[Mapping[str, str]] = None,
              query_params: Optional[QueryParams] = None, post_params: Any = None, body: Any = None,
              _preload_content: bool = True, _request_timeout: RequestTimeout = None) -> ReadOrUnread:
        return self.request("PATCH", url, headers=headers, query_params=query_params,
                            post_params=post_params, body=body, _preload_content=_preload_content,
                            _request_timeout=_request_timeout)
