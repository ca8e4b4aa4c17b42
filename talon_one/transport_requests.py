"""RequestsTransport: the client's requests sent with a requests.Session (pip install talon_one[requests]).

Chosen by Configuration(transport="requests"), or by passing one with your own Session, so its
adapters, hooks, proxies and instrumentation (OpenTelemetry, `responses`, requests-mock) apply:

    ApiClient(configuration, transport=RequestsTransport(session=my_session))

The client above the transport is the same as with the default urllib3 transport: timeouts,
the call's deadline, the retry policy (a POST whose outcome is unknown is never sent again),
no redirects followed, the size limit, decompression by talon_one, typed errors.

Requests sends through urllib3, and on the adapters requests mounts (HTTPAdapter) the
connections are talon_one's own, as with the default transport: every step of an attempt
(name lookup, connect, send, reading the answer) runs under its deadline, interim (1xx)
answers are skipped, and a connection whose framing is in doubt is closed. An adapter of
another kind gets urllib3's per-read timeouts only, and on a Session of your own, requests'
first request through a new proxy is read without the deadline reader (requests creates that
proxy's pool during the request).

Where settings come from:
  - a Session the transport makes: everything from the Configuration (TLS files, verify_ssl,
    assert_hostname, proxy and proxy_headers, environment proxies and CA bundles when
    trust_env), cookies never stored, connection_pool_maxsize connections per host;
  - your own Session: Configuration.proxy, ssl_ca_cert, cert_file/key_file and verify_ssl=False
    are passed with each request; otherwise the Session's proxies, verify and trust_env apply,
    and requests reads the environment by its own rules when the Session's trust_env is on.
"""

import functools
import http.cookiejar
from typing import Any, Dict, List, Optional

from talon_one import rest
from talon_one.environment import environment_proxies, proxy_for_url
from talon_one.exceptions import ApiTypeError, ApiValueError
from talon_one.retries import CONNECTION_LOST, NOT_SENT, OTHER, READ_TIMEOUT
from talon_one.transport import TransportError, TransportRequest, TransportResponse

try:
    import requests
    import requests.adapters
except ImportError:  # pragma: no cover - exercised in a clean environment by .ci/package-check
    requests = None  # type: ignore[assignment]

__all__ = ["RequestsTransport"]

MISSING_EXTRA = ("the requests transport needs the requests package: pip install 'talon_one[requests]'")


def _require_requests() -> None:
    if requests is None:
        raise ImportError(MISSING_EXTRA)


class RequestsTransport:
    """Sends each attempt with `session.request(...)` (stream=True, allow_redirects=False).

    session        a requests.Session, or None for one made from the Configuration
    configuration  the Configuration; None when ApiClient(configuration, transport=...) should
                   give it (it calls bind())
    """

    def __init__(self, session: Any = None, configuration: Any = None) -> None:
        _require_requests()
        if session is not None and not isinstance(session, requests.Session):
            raise ApiTypeError("session must be a requests.Session, got %s"
                               % type(session).__name__)
        self.session: Any = session
        self._own_session = session is None
        self.configuration: Any = None
        self._process: object = None
        if configuration is not None:
            self.bind(configuration)

    def bind(self, configuration: Any) -> None:
        """Take the client's Configuration (settings checked here, as for the default transport)."""
        if self.configuration is not None and self.configuration is not configuration:
            return  # bound to the Configuration it was made with
        self.configuration = configuration
        files = rest.tls_files(configuration)  # checks the files exist, and reads the environment's CA bundle
        rest._warn_if_unverified(configuration, bool(configuration.verify_ssl),
                                 rest._assert_hostname(configuration.assert_hostname))
        self._verify: Any = None
        if not configuration.verify_ssl:
            self._verify = False
        elif configuration.ssl_ca_cert and configuration.ssl_ca_cert_dir:
            # requests verifies against one location (`verify`): two given settings are refused rather
            # than one dropped. From the environment (where SSL_CERT_FILE and SSL_CERT_DIR often both
            # name the system store) the file is used, as requests itself does with REQUESTS_CA_BUNDLE.
            raise ApiValueError("the requests transport verifies against one CA location, and both "
                                "ssl_ca_cert and ssl_ca_cert_dir are set: set one of them, or use the default "
                                "transport, which reads both")
        elif (files.get("ca_certs") or files.get("ca_cert_dir")) and (
                self._own_session or configuration.ssl_ca_cert or configuration.ssl_ca_cert_dir):
            # With a Session of the user's, its own `verify` stands unless the Configuration sets a CA:
            # the environment's CA variables are the Session's business (its trust_env).
            self._verify = files.get("ca_certs") or files.get("ca_cert_dir")
        elif self._own_session:
            self._verify = True
        self._cert: Any = None
        if files.get("cert_file"):
            self._cert = (files["cert_file"], files["key_file"]) if files.get("key_file") else files["cert_file"]
        self._proxy_headers: Dict[str, Dict[str, str]] = {}
        self._fixed_proxy: Optional[str] = None
        if configuration.proxy:
            self._fixed_proxy = self._known_proxy(configuration.proxy)
        self._environment_proxies = environment_proxies(configuration) if self._own_session else {}
        if self._own_session:
            self.session = self._new_session()
        self._process = rest._process_token
        with rest._clients_lock:
            rest._clients.add(self)

    def _known_proxy(self, proxy: str) -> str:
        """`proxy` without credentials; they (and proxy_headers) go in the headers sent to it."""
        url, headers = rest.split_proxy_credentials(proxy, self.configuration.proxy_headers)
        self._proxy_headers[url] = headers
        return str(url)

    def _new_session(self) -> Any:
        session = requests.Session()
        session.trust_env = False  # the environment was read by talon_one.environment, once
        session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))  # store none
        configuration = self.configuration
        adapter = _Adapter(self, pool_connections=4, pool_maxsize=configuration.connection_pool_maxsize)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

    def pool_managers(self) -> List[Any]:
        """The urllib3 PoolManagers of the session's HTTPAdapters (for fork handling)."""
        managers: List[Any] = []
        if self.session is None:
            return managers
        adapters = []  # one adapter is often mounted for both http:// and https://
        for adapter in list(self.session.adapters.values()):
            if isinstance(adapter, requests.adapters.HTTPAdapter) and adapter not in adapters:
                adapters.append(adapter)
        for adapter in adapters:
            managers.append(adapter.poolmanager)
            managers.extend(list(adapter.proxy_manager.values()))
        return managers

    def send(self, request: TransportRequest) -> TransportResponse:
        if self.configuration is None:
            raise ApiValueError("RequestsTransport has no Configuration: pass it to ApiClient(configuration, "
                                "transport=...) or to RequestsTransport(configuration=...)")
        if self._process is not rest._process_token:
            self._after_fork()
        session = self.session
        url = request.url
        if not self._own_session:
            _use_talon_one_connections(session.get_adapter(url))
        rest.begin_attempt(request)
        try:
            # The body is read by the first response hook, before requests looks at the answer
            # (it reads the body of a redirect itself, decompressing it without a limit).
            hooks = {"response": [functools.partial(_read_body, request)] + list(session.hooks.get("response", ()))}
            response = session.request(request.method, url, data=request.body, headers=request.headers,
                                       timeout=request.timeout, allow_redirects=False, stream=True,
                                       proxies=self._proxies(url), verify=self._verify, cert=self._cert,
                                       hooks=hooks)
            if response._content is False:  # not read: a Session whose send() skips hooks
                _read_body(request, response)
        except rest.TRANSPORT_ERRORS as error:
            raise _fault(error) from error
        finally:
            rest.end_attempt()
        raw = response.raw
        status, reason, headers = response.status_code, response.reason or "", raw.headers
        version = getattr(raw, "version", 11)
        if response._content is None:  # streamed: the caller reads and releases it
            return TransportResponse(status, reason, headers, b"", raw, version)
        return TransportResponse(status, reason, headers, response._content, None, version)

    def _proxies(self, url: str) -> Optional[Dict[str, Optional[str]]]:
        """The proxies argument for `url`: the configured proxy, the environment's, or (None) the Session's."""
        proxy = self._fixed_proxy
        if proxy is None and self._environment_proxies:
            found = proxy_for_url(url, self._environment_proxies)
            if found is not None:
                proxy = _stripped(self, found)
        if proxy is not None:
            return {"http": proxy, "https": proxy}
        return None  # the Session's own: none for a Session made here (and no environment reading)

    def _after_fork(self) -> None:
        """In a forked child: drop the parent's pooled connections (the child's copies only)."""
        with rest.process_lock():
            if self._process is not rest._process_token:
                for manager in self.pool_managers():
                    manager.clear()
                self._process = rest._process_token

    def close(self) -> None:
        """Close the pooled connections; the session stays usable."""
        if self._process is rest._process_token:
            for manager in self.pool_managers():
                manager.clear()

    def __getstate__(self) -> Dict[str, Any]:
        return {"session": None if self._own_session else self.session, "configuration": self.configuration}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.session = state["session"]
        self._own_session = self.session is None
        self.configuration = None
        self._process = None
        if state["configuration"] is not None:
            self.bind(state["configuration"])

    def __repr__(self) -> str:
        return "<RequestsTransport %s>" % ("own session" if self._own_session else repr(self.session))


def _read_body(request: TransportRequest, response: Any, **_: Any) -> Any:
    """A response hook: the body read from the wire (undecoded) and decoded by talon_one, within the
    attempt's size limit and deadline, then kept as the requests Response's content. A 2xx asked
    for with preload_content=False is left unread (content None)."""
    status = response.status_code
    if not request.preload_content and 200 <= status <= 299:
        response._content = None
        return response
    raw = response.raw
    try:
        data = raw.read(decode_content=False)
    finally:
        raw.release_conn()
    response._content = rest.decoded_body(data or b"", status, response.reason or "", raw.headers,
                                          request.max_response_bytes, request.deadline)
    response._content_consumed = True
    return response


def _stripped(transport: RequestsTransport, proxy: str) -> str:
    url, _ = rest.split_proxy_credentials(proxy)
    if url not in transport._proxy_headers:
        return transport._known_proxy(proxy)
    return str(url)


if requests is not None:
    class _Adapter(requests.adapters.HTTPAdapter):
        """requests' HTTPAdapter with talon_one's connections, assert_hostname and proxy headers.
        (HTTPAdapter's methods are annotated from requests 2.33 on: hence the type-ignores.)"""

        def __init__(self, transport: RequestsTransport, **kwargs: Any) -> None:
            self._transport = transport
            super().__init__(**kwargs)

        def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
            configuration = self._transport.configuration
            assert_hostname = rest._assert_hostname(configuration.assert_hostname) if configuration else None
            if assert_hostname is not None:
                pool_kwargs["assert_hostname"] = assert_hostname
            super().init_poolmanager(connections, maxsize, block, **pool_kwargs)  # type: ignore[no-untyped-call,unused-ignore]
            rest._with_deadlines(self.poolmanager)

        def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
            configuration = self._transport.configuration
            assert_hostname = rest._assert_hostname(configuration.assert_hostname) if configuration else None
            if assert_hostname is not None:
                proxy_kwargs["assert_hostname"] = assert_hostname
            return rest._with_deadlines(super().proxy_manager_for(proxy, **proxy_kwargs))  # type: ignore[no-untyped-call,unused-ignore]

        def proxy_headers(self, proxy: str) -> Dict[str, str]:
            known = self._transport._proxy_headers.get(proxy)
            return dict(known) if known is not None else super().proxy_headers(proxy)  # type: ignore[no-untyped-call,unused-ignore]

        def __getstate__(self) -> Dict[str, Any]:  # pragma: no cover - sessions made here are not pickled
            raise TypeError("talon_one's own requests adapter is not pickled")


def _use_talon_one_connections(adapter: Any) -> None:
    """Give an HTTPAdapter of the user's talon_one's connections (deadline reader, 1xx, framing)."""
    if not isinstance(adapter, requests.adapters.HTTPAdapter):
        return
    managers = [adapter.poolmanager]
    if adapter.proxy_manager:
        managers.extend(adapter.proxy_manager.values())
    for manager in managers:
        if manager.pool_classes_by_scheme.get("https") is not rest._HTTPSConnectionPool:
            rest._with_deadlines(manager)


def _fault(error: BaseException) -> TransportError:
    """Our TransportError for what requests (or the urllib3 below it) raised."""
    cause = error
    if requests is not None and isinstance(error, requests.RequestException):
        inner = error.args[0] if error.args and isinstance(error.args[0], BaseException) else None
        if inner is not None and not isinstance(inner, requests.RequestException):
            return rest.Urllib3Fault(inner)
        # Raised by requests itself, or by a mock of its adapter (responses, requests-mock).
        if isinstance(error, requests.exceptions.ConnectTimeout):
            return TransportError(NOT_SENT, "connect timeout: %s" % (error or "no connection within the connect "
                                                                    "timeout"), timed_out=True, cause=cause)
        if isinstance(error, requests.exceptions.ReadTimeout):
            return TransportError(READ_TIMEOUT, "read timeout: %s" % (error or "no response within the read "
                                                                     "timeout"), timed_out=True, cause=cause)
        if isinstance(error, requests.exceptions.ProxyError):
            return TransportError(NOT_SENT, "proxy error: %s" % error, cause=cause)
        if isinstance(error, requests.exceptions.SSLError):
            return TransportError(NOT_SENT, "TLS error: %s" % error, cause=cause)
        if isinstance(error, requests.exceptions.ChunkedEncodingError):
            return TransportError(CONNECTION_LOST, "connection lost: %s" % error, cause=cause)
        # A ConnectionError with no socket error behind it (responses: "Connection refused by
        # Responses - the call doesn't match any registered mock") is not retried.
        return TransportError(OTHER, "%s: %s" % (type(error).__name__, error), cause=cause)
    return rest.Urllib3Fault(error)

