"""ApiClient: turns an operation call into a request, and the response into data or an exception.

The call path reads straight down:

    IntegrationApi.op()
      -> ApiClient.call_api           builds the URL, encodes the body once, adds auth
      -> RESTClientObject.request     sends under the retry policy and timeouts
      -> ApiClient.handle_response    raises the mapped exception, or decodes the body
"""

from __future__ import annotations

import datetime
import json
import os
import re
import threading
import urllib.parse
from collections.abc import Mapping as _AbcMapping
from typing import (TYPE_CHECKING, Any, Callable, Collection, Dict, Iterable, List, Mapping, Optional, Set, Tuple,
                    Literal, Type, Union, overload)

from talon_one import model_base, rest, serialization
from talon_one.auth import auth_header, configured_secrets, secret_redactor
from talon_one.configuration import Configuration, check_header_value, normalize_host
from talon_one.exceptions import (ApiDecodeError, ApiException, ApiTypeError, ApiValueError, OpenApiException,
                                  ResponseTooLargeError, exception_for_response)
from talon_one.rest_official import RESTResponse
from talon_one.retries import parse_retry_after
from talon_one.transport import Transport, TransportResponse
from talon_one.version import __version__

if TYPE_CHECKING:
    import concurrent.futures
    from types import TracebackType
    from typing import NoReturn, TypeVar

    from talon_one.api._operation import RequestTimeout
    from talon_one.retries import RetriesSetting
    from talon_one.rest_official import QueryParams, ReadOrUnread, ReadResponse, UnreadResponse

    #: `collection_formats`: query parameter name -> 'multi' (the default), 'csv', 'ssv', 'tsv' or 'pipes'.
    CollectionFormats = Mapping[str, str]

    _Client = TypeVar("_Client", bound="ApiClient")
    _M = TypeVar("_M", bound=model_base.Model)
    _E = TypeVar("_E", bound=ApiException)

# ApiException, ApiValueError, Configuration and ThreadPool (see __getattr__) are importable from here,
# as from the official SDK's module.
__all__ = ["ApiClient", "ClientCore", "AsyncResult", "AsyncPool", "ApiException", "ApiValueError", "Configuration"]

_METHODS_WITH_BODY = frozenset(("POST", "PUT", "PATCH"))
_COLLECTION_SEPARATORS = {"csv": ",", "ssv": " ", "tsv": "\t", "pipes": "|"}
_TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_JSON = "application/json"
_UNRESERVED = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

# Header names already checked, and Content-Type values already classified: both small and stable.
_checked_header_names: Set[str] = set()
_json_content_types: Dict[str, bool] = {}


class AsyncResult:
    """What a call with async_req=True returns: `.get(timeout=None)` gives the result or raises."""

    __slots__ = ("_future",)

    def __init__(self, future: concurrent.futures.Future[Any]) -> None:
        self._future = future

    def get(self, timeout: Optional[float] = None) -> Any:
        """The call's result, waiting up to `timeout` seconds; re-raises the call's exception."""
        return self._future.result(timeout)

    def wait(self, timeout: Optional[float] = None) -> None:
        import concurrent.futures
        concurrent.futures.wait([self._future], timeout)

    def ready(self) -> bool:
        return self._future.done()

    def successful(self) -> bool:
        if not self._future.done():
            raise ValueError("the call has not finished")
        return self._future.exception() is None


class AsyncPool:
    """`ApiClient.pool`: the client's async thread pool, with the official SDK's `apply_async`.

    The official SDK's pool is a multiprocessing.pool.ThreadPool; this one runs on a
    concurrent.futures.ThreadPoolExecutor (`executor`), whose `submit` is offered too.
    """

    __slots__ = ("executor",)

    def __init__(self, executor: concurrent.futures.ThreadPoolExecutor) -> None:
        self.executor = executor

    def apply_async(self, func: Callable[..., Any], args: Iterable[Any] = (), kwds: Optional[Mapping[str, Any]] = None,
                    callback: Optional[Callable[[Any], object]] = None,
                    error_callback: Optional[Callable[[BaseException], object]] = None) -> AsyncResult:
        """Run func(*args, **kwds) on the pool; an AsyncResult. `callback` gets the result,
        `error_callback` the exception, in the pool's thread (as multiprocessing.pool does)."""
        future = self.executor.submit(func, *args, **(kwds or {}))
        if callback is not None or error_callback is not None:
            future.add_done_callback(lambda done: _report(done, callback, error_callback))
        return AsyncResult(future)

    def submit(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        return self.executor.submit(func, *args, **kwargs)


def _report(future: concurrent.futures.Future[Any], callback: Optional[Callable[[Any], object]],
            error_callback: Optional[Callable[[BaseException], object]]) -> None:
    error = future.exception()
    if error is None:
        if callback is not None:
            callback(future.result())
    elif error_callback is not None:
        error_callback(error)


class ClientCore:
    """What ApiClient and talon_one.aio.AsyncApiClient share: everything but the I/O.

    The configuration, default headers (User-Agent included) and cookie; building a
    request (URL, body bytes encoded once, headers with the credential signed over
    those exact bytes: `prepare_request`); and turning a response into data or the
    mapped exception (`handle_response`). A response here is anything with `status`,
    `reason`, `headers` and, once read, `data` (bytes).
    """

    def _init_core(self, configuration: Optional[Configuration], header_name: Optional[str] = None,
                   header_value: Any = None, cookie: Optional[str] = None) -> None:
        if configuration is None:
            configuration = Configuration.get_default()
        self.configuration = configuration
        self.default_headers: Dict[str, str] = {}
        self.user_agent = "talon_one-python/%s" % __version__
        for name, value in configuration.default_headers.items():
            self.set_default_header(name, value)
        if header_name is not None:
            self.set_default_header(header_name, header_value)
        self.cookie = cookie

    # -- default headers ------------------------------------------------------------

    @property
    def user_agent(self) -> str:
        return self.default_headers["User-Agent"]

    @user_agent.setter
    def user_agent(self, value: str) -> None:
        self.set_default_header("User-Agent", value)

    @property
    def client_side_validation(self) -> bool:
        """The configuration's switch (the official SDK's attribute); setting it sets the configuration's."""
        return self.configuration.client_side_validation

    @client_side_validation.setter
    def client_side_validation(self, value: bool) -> None:
        self.configuration.client_side_validation = value

    @property
    def cookie(self) -> Optional[str]:
        return self._cookie

    @cookie.setter
    def cookie(self, value: Optional[str]) -> None:
        self._cookie = None if value is None else check_header_value("cookie", value)

    def set_default_header(self, header_name: str, header_value: str) -> None:
        """Send `header_name: header_value` on every request of this client."""
        _check_header_name(header_name)
        self.default_headers[header_name] = check_header_value("header %s" % header_name, header_value)

    # -- building the request and reading the response ------------------------------

    def prepare_request(self, method: str, resource_path: str, path_params: Optional[Mapping[str, Any]] = None,
                        query_params: Optional[QueryParams] = None, header_params: Optional[Mapping[str, Any]] = None,
                        body: Any = None, post_params: Any = None, files: Any = None,
                        auth_settings: Optional[Collection[str]] = None,
                        collection_formats: Optional[CollectionFormats] = None, host: Optional[str] = None
                        ) -> Tuple[str, str, Dict[str, str], Optional[bytes]]:
        """(method, url, headers, body): one request exactly as it is sent, checked before anything is.

        The body is bytes encoded once (None when there is none), and the credential
        (API key, or the Content-Signature over those bytes) is in `headers`. Raises
        ApiValueError / ApiTypeError / MissingCredentialsError for what cannot be sent.
        """
        method = method.upper()
        url = self.build_url(resource_path, path_params, query_params, collection_formats, host)
        payload = encode_body(method, body, post_params, files)
        headers = self.build_headers(method, resource_path, header_params, payload, auth_settings)
        return method, url, headers, payload

    def build_url(self, resource_path: str, path_params: Optional[Mapping[str, Any]] = None,
                  query_params: Optional[QueryParams] = None, collection_formats: Optional[CollectionFormats] = None,
                  host: Optional[str] = None) -> str:
        """The full URL: base URL, path with each parameter as one segment, query string."""
        host = self.configuration.host if host is None else normalize_host(host, "_host")
        if host is None:
            raise ApiValueError("Configuration.host is not set: use "
                                "Configuration(host='https://mycompany.talon.one') or TALON_ONE_BASE_URL")
        path = fill_path(resource_path, path_params)
        if query_params:
            query = encode_query(query_params, collection_formats)
            if query:
                return "%s%s?%s" % (host, path, query)
        return host + path

    def build_headers(self, method: str, resource_path: str, header_params: Optional[Mapping[str, Any]],
                      payload: Optional[bytes], auth_settings: Optional[Collection[str]]) -> Dict[str, str]:
        """Default headers, the operation's headers, Accept/Content-Type, and authentication."""
        headers = self.default_headers.copy()
        for name, value in headers.items():
            # default_headers is a public dict: a value put there directly is checked here.
            if value.__class__ is not str or not (value.isascii() and value.isprintable()):
                check_header_value("header %s" % name, value)
            _check_header_name(name)
        headers["Accept"] = _JSON
        headers["Accept-Encoding"] = rest.ACCEPT_ENCODING
        if self._cookie:
            headers["Cookie"] = self._cookie
        given: Union[Set[str], Tuple[()]] = ()
        if header_params:
            given = set()
            for name, value in header_params.items():
                if value is None:
                    continue
                _check_header_name(name)
                headers[name] = check_header_value("header %s" % name, _param_text(value))
                given.add(name.lower())
        if payload:
            if "content-type" not in given:
                headers["Content-Type"] = _JSON
        elif "content-type" in given:
            for name in [name for name in headers if name.lower() == "content-type"]:
                del headers[name]
        credential = auth_header(self.configuration, auth_settings, payload or b"",
                                 _Operation(method, resource_path))
        if credential is not None:
            headers[credential[0]] = credential[1]
        return headers

    def handle_response(self, response: Any, response_type: Optional[str], preloaded: bool = True,
                        data_only: Optional[bool] = True, operation: object = None) -> Any:
        """The decoded data (or the raw response when not preloaded), or the mapped exception.

        `operation` ('PUT /v2/customer_sessions/{customerSessionId}') is named in the exception.
        """
        status = response.status
        try:
            if not 200 <= status <= 299:
                raise error_for_response(response, preloaded, operation)
            data = decode_response(response, response_type, operation) if preloaded else _unread(response)
        except ApiException as error:
            raise self.without_secrets(error)
        return data if data_only else (data, status, response.headers)

    def without_secrets(self, error: ApiException) -> ApiException:
        """`error`, with the configured secrets (API keys, application key, proxy credentials) removed
        from everything it took from the response: a server that echoes a key in its error body,
        reason phrase, headers or status line must not put it in str(error), logs or tracebacks."""
        return redact_exception(error, secret_redactor(configured_secrets(self.configuration)))


class ApiClient(ClientCore):
    """Sends the Integration API's requests; one per application, shared by its threads.

    Holds one connection pool (keep-alive, thread safe, rebuilt in a forked
    child) and, when async_req is used, a thread pool of `pool_threads`
    workers. Use it as a context manager or call close().

    An ApiClient pickles and deep-copies (to a multiprocessing worker started
    with spawn or forkserver, say): its configuration and headers travel; the
    connection pool and the thread pool are created anew on first use.
    """

    # The official SDK's tables of the types it decodes by name.
    NATIVE_TYPES_MAPPING = {
        "int": int,
        "long": int,
        "float": float,
        "str": str,
        "bool": bool,
        "date": datetime.date,
        "datetime": datetime.datetime,
        "object": object,
    }
    PRIMITIVE_TYPES = (float, bool, bytes, str, int)

    def __init__(self, configuration: Optional[Configuration] = None, header_name: Optional[str] = None,
                 header_value: Optional[str] = None, cookie: Optional[str] = None, pool_threads: int = 1, *,
                 transport: Optional[Transport] = None) -> None:
        if transport is not None and not isinstance(transport, Transport):
            raise ApiTypeError("transport must be a transport object with send(request) and close() "
                               "(talon_one.transport.Transport), got %s" % type(transport).__name__)
        self._init_core(configuration, header_name, header_value, cookie)
        self.pool_threads = pool_threads
        self.rest_client = rest.RESTClientObject(self.configuration, transport=transport)
        self._executor: Optional[concurrent.futures.ThreadPoolExecutor] = None
        self._executor_pid: Optional[int] = None
        self._local = threading.local()

    def __getstate__(self) -> Dict[str, Any]:
        state = dict(self.__dict__)
        for name in ("_executor", "_executor_pid", "_local"):
            del state[name]
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._executor = None
        self._executor_pid = None
        self._local = threading.local()

    @property
    def last_response(self) -> Union[RESTResponse, UnreadResponse, None]:
        """The last response this thread received through this client, or None: set by every
        operation call (whatever the status) and by a successful request().

        Kept per thread, so two threads sharing the client never see each other's
        response; a call made with async_req=True sets it in the pool's thread. A
        RESTResponse (status, reason, data, headers), or the unread urllib3
        response of a call made with `_preload_content=False`.
        """
        last: Optional[Tuple[Any, bool]] = getattr(self._local, "last_response", None)
        if last is None:
            return None
        response, preloaded = last
        return RESTResponse(response) if preloaded else response

    # -- lifecycle --------------------------------------------------------------

    def __enter__(self: _Client) -> _Client:
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc_value: Optional[BaseException],
                 traceback: Optional[TracebackType]) -> None:
        self.close()

    def close(self) -> None:
        """Stop the async worker threads (after the calls already submitted) and close connections.

        The client stays usable: a later call opens new connections.
        """
        with rest.process_lock():
            executor, self._executor = self._executor, None
        if executor is not None and self._executor_pid == os.getpid():
            executor.shutdown(wait=True)
        self.rest_client.close()

    def __repr__(self) -> str:
        return "<ApiClient host=%r auth=%s>" % (self.configuration.host, self.configuration.describe_auth())

    # -- the call ---------------------------------------------------------------------

    def call_api(self, resource_path: str, method: str, path_params: Optional[Mapping[str, Any]] = None,
                 query_params: Optional[QueryParams] = None, header_params: Optional[Mapping[str, Any]] = None,
                 body: Any = None, post_params: Any = None, files: Any = None, response_type: Optional[str] = None,
                 auth_settings: Optional[Collection[str]] = None, async_req: Optional[bool] = None,
                 _return_http_data_only: Optional[bool] = None,
                 collection_formats: Optional[CollectionFormats] = None, _preload_content: bool = True,
                 _request_timeout: RequestTimeout = None, _host: Optional[str] = None,
                 _retries: RetriesSetting = None) -> Any:
        """Send one operation's request and return its decoded response.

        resource_path   the spec's path template, e.g. '/v2/customer_sessions/{customerSessionId}'
        path_params     values for the template; each is sent as exactly one path segment
        query_params    dict or list of pairs; None values left out, booleans sent as true/false
        body            a model, dict, list (serialized once to JSON) or bytes (sent as is)
        response_type   the type to decode into ('IntegrationStateV2', 'object', None)
        auth_settings   the security schemes the operation accepts
        async_req       run on the client's thread pool; returns an AsyncResult
        _return_http_data_only   return only the data, not (data, status, headers)
        _preload_content  False returns the unread urllib3 response of a 2xx (caller releases it)
        _request_timeout  seconds for the attempt, a (connect, read) pair, or an urllib3 Timeout
        _host           another base URL for this call
        _retries        retries for this call: an int or a RetryPolicy

        204, and an empty body when no response_type is expected, give None.
        """
        if async_req:
            return self._submit(
                self.call_api, resource_path, method, path_params, query_params, header_params, body,
                post_params, files, response_type, auth_settings, False, _return_http_data_only,
                collection_formats, _preload_content, _request_timeout, _host, _retries)
        method, url, headers, payload = self.prepare_request(
            method, resource_path, path_params, query_params, header_params, body, post_params, files,
            auth_settings, collection_formats, _host)
        try:
            response = self.rest_client.send(method, url, headers=headers, body=payload,
                                             preload_content=_preload_content, timeout=_request_timeout,
                                             retries=_retries)
        except ApiException as error:
            raise self.without_secrets(error)
        self._local.last_response = ((response, True) if _preload_content or response.stream is None
                                     else (response.stream, False))
        return self.handle_response(response, response_type, _preload_content, _return_http_data_only,
                                    _Operation(method, resource_path))

    def _submit(self, function: Callable[..., Any], *args: Any) -> AsyncResult:
        """Run the call on the async thread pool. A close() in another thread may shut the pool
        down between getting it and submitting to it: the call then goes to a new pool."""
        for _ in range(3):
            executor = self._executor_for_this_process()
            try:
                return AsyncResult(executor.submit(function, *args))
            except RuntimeError:  # "cannot schedule new futures after shutdown"
                with rest.process_lock():
                    if self._executor is executor:
                        self._executor = None
        raise ApiException(reason="async_req: the call could not be started: the client's thread pool kept "
                                  "being shut down (close() in another thread, or the interpreter exiting)")

    def _executor_for_this_process(self) -> concurrent.futures.ThreadPoolExecutor:
        """The async thread pool, created on first use and anew in a forked child."""
        pid = os.getpid()
        executor = self._executor
        if executor is not None and self._executor_pid == pid:
            return executor
        from concurrent.futures import ThreadPoolExecutor  # imported on first async call
        with rest.process_lock():
            if self._executor is None or self._executor_pid != pid:
                self._executor = ThreadPoolExecutor(
                    max_workers=self.pool_threads, thread_name_prefix="talon_one")
                self._executor_pid = pid
            return self._executor

    # -- the official SDK's helpers ----------------------------------------------------

    @property
    def pool(self) -> AsyncPool:
        """The async thread pool (the official SDK's attribute): an AsyncPool with `apply_async`."""
        return AsyncPool(self._executor_for_this_process())

    @overload
    def request(self, method: str, url: str, query_params: Optional[QueryParams] = None,
                headers: Optional[Mapping[str, str]] = None, post_params: Any = None, body: Any = None,
                _preload_content: Literal[True] = True, _request_timeout: RequestTimeout = None) -> RESTResponse: ...

    @overload
    def request(self, method: str, url: str, query_params: Optional[QueryParams] = None,
                headers: Optional[Mapping[str, str]] = None, post_params: Any = None, body: Any = None,
                _preload_content: bool = True, _request_timeout: RequestTimeout = None) -> ReadOrUnread: ...

    def request(self, method: str, url: str, query_params: Optional[QueryParams] = None,
                headers: Optional[Mapping[str, str]] = None, post_params: Any = None, body: Any = None,
                _preload_content: bool = True, _request_timeout: RequestTimeout = None) -> ReadOrUnread:
        """Send a request to a full URL (no auth added): RESTClientObject.request, which raises the
        mapped exception for non-2xx. Sets `last_response`."""
        try:
            response = self.rest_client.request(method, url, query_params=query_params, headers=headers,
                                                post_params=post_params, body=body,
                                                _preload_content=_preload_content, _request_timeout=_request_timeout)
        except ApiException as error:
            raise self.without_secrets(error)
        self._local.last_response = ((response.urllib3_response, True) if isinstance(response, RESTResponse)
                                     else (response, False))
        return response

    @overload
    def deserialize_model(self, data: None, klass: Union[Type[model_base.Model], str]) -> None: ...

    @overload
    def deserialize_model(self, data: Any, klass: Type[_M]) -> _M: ...

    @overload
    def deserialize_model(self, data: Any, klass: str) -> model_base.Model: ...

    def deserialize_model(self, data: Any, klass: Union[Type[_M], str]) -> Optional[Union[_M, model_base.Model]]:
        """`data`, a dict with the API's JSON keys (an effect's `props`, say), decoded into model `klass`.

        `klass` is a model class or its name ('SetDiscountEffectProps'). Decoded as
        responses are: no validation, unknown keys kept in `additional_properties`.
        None gives None; a `klass` instance is returned as it is.
        """
        cls = _model_for(klass)
        if data is None or isinstance(data, cls):
            return data
        if not isinstance(data, dict):
            raise ApiTypeError("deserialize_model(data, %s): data must be a dict of the API's JSON keys, got %s"
                               % (cls.__name__, type(data).__name__))
        return cls.from_dict(data)

    def parameters_to_tuples(self, params: QueryParams,
                             collection_formats: Optional[CollectionFormats]) -> List[Tuple[str, str]]:
        """Query parameters (a dict or pairs) as a list of (name, text) pairs, as they are sent.

        Lists repeat the name ('multi', the default) or are joined as
        `collection_formats` says ('csv', 'ssv', 'tsv', 'pipes'); booleans become
        true/false and dates ISO 8601; None values are left out.
        """
        return parameters_to_tuples(params, collection_formats)

    def update_params_for_auth(self, headers: Dict[str, str], querys: Any, auth_settings: Optional[Collection[str]],
                               body: Any = b"") -> None:
        """Add to `headers` the credential for a request accepting `auth_settings` (scheme names).

        The Content-Signature of integration_auth signs the request body: pass the
        body (bytes, a model or a dict) when it is not empty. `querys` is kept for
        the official SDK's signature: no scheme of this API goes in the query.
        Raises MissingCredentialsError when no accepted credential is configured.
        """
        if not auth_settings:
            return
        payload = body if isinstance(body, bytes) else (encode_body("POST", body) or b"")
        credential = auth_header(self.configuration, auth_settings, payload, "update_params_for_auth")
        if credential is not None:
            headers[credential[0]] = credential[1]

    def files_parameters(self, files: Any = None) -> List[Any]:
        """Kept from the official SDK: [] when no files are given; file uploads raise ApiValueError,
        as the Integration API takes JSON bodies only."""
        if files:
            raise ApiValueError("files: file uploads are not supported: the Integration API takes JSON bodies")
        return []

    def sanitize_for_serialization(self, obj: Any) -> Any:
        """`obj` (models, datetimes, Decimals...) as plain JSON values, exactly as it would be sent.

        The result is json.loads of the bytes sent (see serialization.json_values), built
        by the same generated encoders without writing the text, and shares no dict or
        list with `obj`. Raises ApiValueError or ApiTypeError as a request would.
        """
        return serialization.json_values(obj)

    def deserialize(self, response: Any, response_type: str) -> Any:
        """Decode a response (anything with `.data`, or the body itself) into `response_type`."""
        data = getattr(response, "data", response)
        if isinstance(data, (bytes, bytearray, str)):
            try:
                data = json.loads(data)
            except (ValueError, RecursionError):
                return data.decode("utf-8", "replace") if isinstance(data, (bytes, bytearray)) else data
        return model_base.deserialize(data, response_type)

    @staticmethod
    def select_header_accept(accepts: Optional[List[str]]) -> Optional[str]:
        if not accepts:
            return None
        for accept in accepts:
            if _is_json(accept):
                return accept
        return ", ".join(accepts)

    @staticmethod
    def select_header_content_type(content_types: Optional[List[str]]) -> str:
        if not content_types:
            return _JSON
        for content_type in content_types:
            if _is_json(content_type):
                return content_type
        return content_types[0]


# --------------------------------------------------------------------------
# Request building
# --------------------------------------------------------------------------

class _Operation:
    """Names the operation in error messages; formatted only when one is raised."""

    __slots__ = ("method", "path")

    def __init__(self, method: str, path: str) -> None:
        self.method = method
        self.path = path

    def __str__(self) -> str:
        return "%s %s" % (self.method, self.path)

    __repr__ = __str__


def fill_path(resource_path: str, path_params: Optional[Mapping[str, Any]]) -> str:
    """The path with each {name} replaced by its value, percent-encoded as one segment."""
    if not isinstance(resource_path, str) or not resource_path.startswith("/"):
        raise ApiValueError("resource_path must start with '/', got %r" % (resource_path,))
    path = resource_path
    if path_params:
        for name, value in path_params.items():
            placeholder = "{%s}" % name
            if placeholder in path:
                path = path.replace(placeholder, encode_path_segment(name, value))
    if "{" in path:
        match = re.search(r"\{[^}]*\}?", path)
        missing = match.group(0) if match else "{"
        raise ApiValueError("missing path parameter %s for %s" % (missing, resource_path))
    return path


def encode_path_segment(name: str, value: Any) -> str:
    """`value` as exactly one path segment: '/', '?', '#', '%', spaces, CR/LF, NUL, non-ASCII
    are percent-encoded, and '.' / '..' are encoded so nothing on the way removes them."""
    if value is None:
        raise ApiValueError("path parameter %s is required (got None)" % name)
    text = _param_text(value)
    if not text:
        raise ApiValueError("path parameter %s must not be empty" % name)
    segment = _quote(text, "path parameter", name)
    if segment == "." or segment == "..":
        segment = segment.replace(".", "%2E")
    return segment


def encode_query(query_params: QueryParams, collection_formats: Optional[CollectionFormats] = None) -> str:
    """A query string from a dict or a list of pairs; None values are left out.

    Lists repeat the key ('multi', the default) or are joined as
    `collection_formats` says ('csv', 'ssv', 'tsv', 'pipes').
    """
    return "&".join("%s=%s" % (_quote(str(key), "query parameter name", key), _quote(text, "query parameter", key))
                    for key, text in parameters_to_tuples(query_params, collection_formats))


def parameters_to_tuples(params: QueryParams, collection_formats: Optional[CollectionFormats] = None
                         ) -> List[Tuple[str, str]]:
    """[(name, text), ...] for query parameters given as a dict or pairs (see encode_query)."""
    # A list of pairs is what the operations pass; any Mapping gives its items (read as pairs,
    # {"ab": 1} would be sent as a=b).
    items = (params if isinstance(params, list)
             else params.items() if isinstance(params, dict) or isinstance(params, _AbcMapping) else params)
    pairs: List[Tuple[str, str]] = []
    for key, value in items:
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            style = (collection_formats or {}).get(key, "multi")
            values = [_param_text(item) for item in value if item is not None]
            if style == "multi":
                pairs.extend((key, text) for text in values)
            elif style in _COLLECTION_SEPARATORS:
                pairs.append((key, _COLLECTION_SEPARATORS[style].join(values)))
            else:
                raise ApiValueError("unknown collection format %r for query parameter %s" % (style, key))
        else:
            pairs.append((key, _param_text(value)))
    return pairs


def _quote(text: str, kind: str, name: object) -> str:
    """Percent-encode everything but the unreserved characters (RFC 3986).

    Text that is not valid Unicode (a lone surrogate such as '\\ud800') has no
    UTF-8 form: ApiValueError naming the `kind` and `name` of the parameter.
    """
    if _UNRESERVED.issuperset(text):
        return text
    try:
        return urllib.parse.quote(text, safe="")
    except UnicodeEncodeError:
        raise ApiValueError("%s %r contains a lone surrogate (not valid Unicode) and cannot be sent as UTF-8"
                            % (kind, name)) from None


def encode_body(method: str, body: Any, post_params: Any = None, files: Any = None) -> Optional[bytes]:
    """The request body bytes, serialized once: None when there is none (b"" for POST/PUT/PATCH)."""
    if post_params or files:
        raise ApiValueError("form fields and file uploads are not supported: the Integration API "
                            "takes JSON bodies")
    if body is None:
        return b"" if method in _METHODS_WITH_BODY else None
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    try:
        return model_base.serialize(body)
    except OpenApiException:
        raise
    except RecursionError:
        raise ApiValueError("the request body is nested too deeply (or contains itself) to be sent as JSON") from None
    except UnicodeEncodeError:
        raise ApiValueError("the request body contains a lone surrogate (not valid Unicode); it cannot be "
                            "sent as UTF-8 JSON") from None
    except (ValueError, TypeError) as error:
        raise ApiValueError("the request body cannot be sent as JSON: %s" % error) from None


def _param_text(value: Any) -> str:
    """A path, query or header value as text: booleans as true/false, dates as ISO 8601."""
    if value.__class__ is str:
        text: str = value
        return text
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return str(value)


def checked_headers(headers: Optional[Mapping[str, str]]) -> Dict[str, str]:
    """A copy of `headers` (a dict or None) whose names and values are safe to send."""
    headers = dict(headers or {})
    for name, value in headers.items():
        _check_header_name(name)
        check_header_value("header %s" % name, value)
    return headers


def _model_for(klass: Union[Type[model_base.Model], str]) -> Type[model_base.Model]:
    """The model class `klass` names (a class or a name), or ApiValueError."""
    if isinstance(klass, type) and issubclass(klass, model_base.Model):
        return klass
    if isinstance(klass, str):
        try:
            cls = model_base._model_class(klass)
        except AttributeError:
            cls = None
        if isinstance(cls, type) and issubclass(cls, model_base.Model):
            return cls
    raise ApiValueError("klass must be a talon_one model class or its name (such as 'SetDiscountEffectProps'), "
                        "got %r" % (klass,))


def _check_header_name(name: str) -> None:
    if name in _checked_header_names:
        return
    if not isinstance(name, str) or not name or not set(name) <= _TOKEN_CHARS:
        raise ApiValueError("invalid header name %r" % (name,))
    if len(_checked_header_names) < 256:
        _checked_header_names.add(name)


# --------------------------------------------------------------------------
# Response handling
# --------------------------------------------------------------------------

def _unread(response: Any) -> Any:
    """What a `_preload_content=False` call returns: the transport's unread stream (an urllib3 response)."""
    if isinstance(response, TransportResponse) and response.stream is not None:
        return response.stream
    return response


def error_for_response(response: Any, preloaded: bool = True, operation: object = None) -> ApiException:
    """The exception for a non-2xx response (the body is read and the connection released).

    `operation` (HTTP method and path template) is named in the exception.
    """
    try:
        body = response.data
    except rest.TRANSPORT_ERRORS as error:
        return rest.transport_error(error, "reading a %d response" % response.status)
    finally:
        if not preloaded:
            response.release_conn()
    status = response.status
    retry_after = None
    if status == 429 or status >= 500:
        retry_after = parse_retry_after(response.headers.get("Retry-After"), date=response.headers.get("Date"))
    return exception_for_response(status, response.reason, body, response.headers, retry_after=retry_after,
                                  operation=operation)


def redact_exception(error: _E, redact: Callable[[Any], Any]) -> _E:
    """`error` with `redact` (auth.secret_redactor) applied to what it holds from the response.

    A cause whose text would carry a secret into a traceback (an urllib3 error quoting the
    status line, say) is dropped.
    """
    for name in ("body", "reason", "detail"):
        value = getattr(error, name, None)
        if isinstance(value, str):
            setattr(error, name, redact(value))
    if getattr(error, "error", None) is not None:
        error.error = redact(error.error)
    headers: Any = error.headers  # any mapping class a transport gave (dict, HTTPHeaderDict): rebuilt as that class
    if headers is not None and any(redact(value) != value for value in headers.values()):
        error.headers = headers.__class__([(name, redact(value)) for name, value in headers.items()])
    error.args = tuple(_redacted_arg(arg, redact) for arg in error.args)
    cause, seen = error.__cause__ or error.__context__, set()
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        text = "%s %r" % (cause, getattr(cause, "args", ()))
        if redact(text) != text:
            error.__cause__ = error.__context__ = None
            error.__suppress_context__ = True
            break
        cause = cause.__cause__ or cause.__context__
    return error


def _redacted_arg(arg: object, redact: Callable[[Any], Any]) -> object:
    """An exception argument with `redact` applied to its text (a headers dict's values too)."""
    if isinstance(arg, str):
        return redact(arg)
    if isinstance(arg, dict):
        return {name: redact(value) if isinstance(value, str) else value for name, value in arg.items()}
    return arg


def decode_response(response: ReadResponse, response_type: Optional[str], operation: object = None) -> Any:
    """The response body decoded into `response_type`; ApiDecodeError (naming `operation`) when it is
    not the JSON expected."""
    status = response.status
    if status == 204 or response_type is None:
        return None
    data = response.data
    if not data:
        raise ApiDecodeError(status, response.reason, body=data, headers=response.headers,
                             operation=operation, detail="empty body where a JSON %s was expected" % response_type)
    content_type = response.headers.get("Content-Type")
    if content_type is not None and not _is_json(content_type):
        raise ApiDecodeError(status, response.reason, body=data, headers=response.headers,
                             operation=operation, detail="Content-Type %s where JSON was expected" % content_type)
    try:
        text = data if isinstance(data, str) else bytes(data).decode(json.detect_encoding(data), "surrogatepass")
        parsed = _json_decoder.decode(text)
    except ValueError as error:
        raise ApiDecodeError(status, response.reason, body=data, headers=response.headers,
                             operation=operation, detail="body is not valid JSON (%s)" % error) from None
    except RecursionError:
        raise ApiDecodeError(status, response.reason, body=data, headers=response.headers,
                             operation=operation, detail="body is JSON nested too deeply to decode") from None
    except MemoryError:
        raise ResponseTooLargeError(status, response.reason, headers=response.headers, size=len(data),
                                    detail="the %d-byte answer did not fit in memory once parsed" % len(data)) from None
    if parsed.__class__ is not dict and _expects_object(response_type):
        raise ApiDecodeError(status, response.reason, body=data, headers=response.headers,
                             operation=operation, detail="a JSON %s where an object (%s) was expected"
                             % (_JSON_TYPE_NAMES.get(parsed.__class__, "value"), response_type))
    return model_base.deserialize(parsed, response_type)


# Response types that are not a JSON object; everything else (a model, 'dict(str, T)') is one.
_NOT_OBJECT_TYPES = frozenset(("object", "str", "int", "float", "bool", "date", "datetime"))
_JSON_TYPE_NAMES = {list: "array", str: "string", int: "number", float: "number", bool: "boolean",
                    type(None): "null"}


def _expects_object(response_type: str) -> bool:
    return response_type not in _NOT_OBJECT_TYPES and not response_type.startswith("list[")


def _refuse_constant(name: str) -> NoReturn:
    """json.loads accepts NaN, Infinity and -Infinity, which are not JSON: a body holding them is refused."""
    raise ValueError("%s is not a JSON value" % name)


def _finite_float(text: str, _float: Callable[[str], float] = float) -> float:
    """A JSON number as a float; one too large for a float (1e999) is refused like Infinity."""
    value = _float(text)
    if value - value:  # nan only for an infinity: one subtraction per number, on the hot path
        raise ValueError("%s is not a finite number" % (text if len(text) <= 40 else text[:40] + "..."))
    return value

# One decoder for every response (json.loads with an argument would build a new one per call). It
# reads text: decode_response turns the bytes into text first, as json.loads does.
_json_decoder = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)


def _is_json(content_type: str) -> bool:
    known = _json_content_types.get(content_type)
    if known is None:
        media_type = content_type.split(";", 1)[0].strip().lower()
        known = media_type == _JSON or (media_type.startswith("application/") and media_type.endswith("+json"))
        if len(_json_content_types) < 64:
            _json_content_types[content_type] = known
    return known


def __getattr__(name: str) -> Any:

    """`ThreadPool` (multiprocessing.pool's, which the official SDK imported here), imported on first use."""
    if name == "ThreadPool":
        from multiprocessing.pool import ThreadPool
        return ThreadPool
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
