"""The asyncio transport: one aiohttp session per client, each request sent under the retry policy.

`AiohttpTransport.send` sends one request, retrying as `talon_one.retries`
decides (only the waiting is asynchronous), and returns an `AsyncResponse` read
whole, of any status. Every transport failure leaves it as ApiTimeoutError or
ApiConnectionError, as in the synchronous transport (`talon_one.rest`), whose
timeout, deadline and TLS rules this module applies to aiohttp:

* Timeouts: the connect timeout bounds getting a connection (waiting for a free
  one in the pool, name resolution, TCP and TLS handshakes: aiohttp's `connect`);
  the read timeout bounds each read (`sock_read`); the attempt's deadline (the
  call's `max_total_time` budget, or sooner for a `_request_timeout` total)
  bounds the whole attempt, reading the body included (aiohttp's `total`).
* The body is read whole before the connection goes back to the pool. When an
  attempt ends any other way (an error, a timeout, the task cancelled) its
  connection is closed, never reused; and a kept-alive connection on which the
  server sent anything more is closed rather than reused (_Connector).
* Redirects are not followed; cookies are not stored. The proxy is Configuration.proxy,
  else (trust_env) the environment's for each request URL, by the synchronous transports'
  rules (`talon_one.environment`: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY, NO_PROXY with CIDR
  ranges, Configuration.no_proxy), not aiohttp's own. The URL is sent as built
  (percent-encoded once by the client; aiohttp does not re-normalize it).
* The answer is read within `max_response_bytes` (the length announced, the bytes read,
  and the bytes once decompressed, by the synchronous transport's own decoder:
  ResponseTooLargeError past it); the client asks for gzip and deflate only.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import io
import logging
import ssl
import time
import weakref
from typing import Any, AsyncGenerator, Dict, Mapping, Optional, Tuple, Type, Union

import aiohttp
import urllib3
import yarl
from urllib3 import exceptions as u3
from urllib3.util.wait import wait_for_read

from talon_one import rest
from talon_one.auth import configured_secrets, redact_headers, secret_redactor
from talon_one.configuration import DEFAULT_CONNECT_TIMEOUT, LOGGER_NAME, Configuration
from talon_one.environment import ProxiesByOrigin, environment_proxies
from talon_one.exceptions import (ApiConnectionError, ApiException, ApiTimeoutError, ApiValueError,
                                  ResponseTooLargeError)
from talon_one.retries import (CONNECTION_LOST, IDEMPOTENT_METHODS, NOT_SENT, OTHER, READ_TIMEOUT,
                               RETRY_AFTER_STATUSES, RETRYABLE_STATUSES, RetryPolicy, parse_retry_after)

__all__ = ["AiohttpTransport", "AsyncResponse", "failure_kind", "ssl_context"]

logger = logging.getLogger(LOGGER_NAME)

# What an attempt can raise besides our own exceptions: aiohttp's errors, timeouts, socket errors.
TRANSPORT_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError, u3.DecodeError, u3.ReadTimeoutError)

# The most response headers accepted, as http.client (and so the synchronous transport) accepts.
MAX_RESPONSE_HEADERS = 100


class TooManyHeaders(aiohttp.ClientPayloadError):
    """A response with more than MAX_RESPONSE_HEADERS headers: refused as a broken response."""


# The client sends the same headers as the synchronous one (ClientCore.build_headers sets User-Agent,
# Content-Type and Accept-Encoding): aiohttp adds none of its own.
_SKIP_AUTO_HEADERS = ("Accept-Encoding", "Content-Type", "User-Agent")

# The longest chain of content codings decoded (GHSA-gm62-xv2j-4w53), urllib3's own limit.
_MAX_DECODE_LINKS = getattr(urllib3.response.MultiDecoder, "max_decode_links", 5)

# Bytes read from the answer per step, between two checks of the size limit.
_READ_STEP = 1 << 16


class AsyncResponse:
    """A response read whole: `status`, `reason`, `headers` and `data` (bytes).

    `headers` is an urllib3 HTTPHeaderDict (case-insensitive), as in the synchronous client's answers.

    `getheaders()` and `getheader(name, default)` are those of the synchronous RESTResponse.
    """

    __slots__ = ("status", "reason", "headers", "data")

    def __init__(self, status: int, reason: Optional[str], headers: Mapping[str, str], data: bytes) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.data = data

    def getheaders(self) -> Mapping[str, str]:
        return self.headers

    def getheader(self, name: str, default: Optional[str] = None) -> Optional[str]:
        return self.headers.get(name, default)

    def __repr__(self) -> str:
        return "<AsyncResponse %s %s>" % (self.status, self.reason)


# --------------------------------------------------------------------------
# TLS and proxy settings, from the same Configuration fields as the synchronous transport
# --------------------------------------------------------------------------

def ssl_context(configuration: Configuration) -> ssl.SSLContext:
    """An SSLContext for the configuration: CA bundle, client certificate, verification settings.

    The files are those the synchronous transport uses (`rest.tls_files`): ssl_ca_cert /
    ssl_ca_cert_dir, else (trust_env) the environment's CA bundle (REQUESTS_CA_BUNDLE,
    CURL_CA_BUNDLE, SSL_CERT_FILE, SSL_CERT_DIR), and the client certificate; they are
    checked here, naming the setting, as the synchronous client checks them when it is
    created. `assert_hostname` given as a name is applied per request (aiohttp's `server_hostname`).
    """
    verify = bool(configuration.verify_ssl)
    files = rest.tls_files(configuration)
    context = ssl.create_default_context(cafile=files.get("ca_certs"), capath=files.get("ca_cert_dir"))
    if "cert_file" in files:
        context.load_cert_chain(files["cert_file"], files.get("key_file"))
    assert_hostname = rest._assert_hostname(configuration.assert_hostname)
    rest._warn_if_unverified(configuration, verify, assert_hostname)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif assert_hostname is False:
        context.check_hostname = False
    return context


class _ProxyHeaders(Dict[str, str]):
    """The headers for the proxy; its repr() shows no credential (Proxy-Authorization is one)."""

    def __repr__(self) -> str:
        return repr(redact_headers(self))


# A proxy as aiohttp takes it: (proxy URL without credentials, proxy headers with a
# Proxy-Authorization for the credentials the URL held), or (None, {}) for none.
ProxySettings = Tuple[Optional[str], Dict[str, str]]

_DIRECT: ProxySettings = (None, {})


def _proxy_settings(proxy: Optional[str], proxy_headers: Optional[Mapping[str, str]]) -> ProxySettings:
    """The settings for `proxy` (Configuration.proxy or one from the environment) and Configuration.proxy_headers.

    Credentials in the URL (user:password@, percent-encoded or not) become a `Proxy-Authorization:
    Basic` header among the proxy headers, by the synchronous transport's code (rest.split_proxy_credentials),
    rather than aiohttp's BasicAuth / `proxy_auth` (deprecated in aiohttp 3.x, gone in 4.0). The proxy
    headers go to the proxy only: on CONNECT for an https:// URL (aiohttp sends them), with the request
    itself for an http:// one (AiohttpTransport._send_once adds them). The URL kept holds no
    credentials. A malformed URL is refused (ApiValueError) without echoing the password.
    """
    if not proxy:
        return _DIRECT
    url, headers = rest.split_proxy_credentials(proxy, proxy_headers)
    return url, _ProxyHeaders(headers)


# --------------------------------------------------------------------------
# Failures: the retry policy's kinds, and our exceptions
# --------------------------------------------------------------------------

def failure_kind(error: BaseException) -> str:
    """Classify an aiohttp / timeout / socket error for the retry decision (see retries.failure_kind).

    NOT_SENT: no connection was had (refused, name resolution, connect timeout,
    proxy unreachable, no free connection in time); READ_TIMEOUT: a read timed out,
    or the attempt's deadline passed (the request may have been sent);
    CONNECTION_LOST: reset, closed, cut short or garbled once the request may have
    been sent; OTHER: TLS, a proxy's refusal, an undecodable body and anything else.
    """
    if isinstance(error, (aiohttp.ClientSSLError, aiohttp.ClientHttpProxyError, aiohttp.InvalidURL,
                          u3.DecodeError)):
        return OTHER
    if isinstance(error, (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)):
        return NOT_SENT
    if isinstance(error, (asyncio.TimeoutError, u3.ReadTimeoutError)):  # sock_read, or the attempt's deadline
        return READ_TIMEOUT
    if isinstance(error, aiohttp.ClientPayloadError):
        return CONNECTION_LOST
    if isinstance(error, (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError, aiohttp.ClientResponseError,
                          OSError)):
        return CONNECTION_LOST
    return OTHER


def clean_cause(error: BaseException) -> Optional[BaseException]:
    """The error to chain as the cause of ours: aiohttp's connection errors hold the connection key
    (the proxy and its settings) and its response errors the request's headers (Proxy-Authorization included),
    so the socket / TLS error inside is chained instead, or nothing."""
    if isinstance(error, aiohttp.ClientConnectorCertificateError):
        return error.certificate_error
    if isinstance(error, aiohttp.ClientConnectorError):
        return error.os_error
    if isinstance(error, aiohttp.ClientResponseError):
        return None
    return error


def transport_error(error: BaseException, where: str) -> ApiException:
    """Our exception for an aiohttp / socket / TLS failure; `where` names the call ('POST https://.../v1/x').

    Says, as the synchronous transport's do, whether the request was not sent or may have been
    delivered (`may_have_been_delivered`). Its cause is `clean_cause(error)`: no credential travels with it."""
    kind = failure_kind(error)
    if isinstance(error, aiohttp.ConnectionTimeoutError):
        return _not_sent(ApiTimeoutError, "%s: connect timeout: no connection within the connect timeout" % where,
                         error)
    if kind == READ_TIMEOUT:
        return _maybe_delivered(ApiTimeoutError, "%s: read timeout: no response within the read timeout" % where,
                                error)
    if isinstance(error, aiohttp.ClientSSLError):  # TLS fails in the handshake, before the request is written
        return _not_sent(ApiConnectionError, "%s: TLS error: %s" % (where, _describe_tls_failure(error)), error)
    if kind == NOT_SENT:
        what = "proxy error" if isinstance(error, aiohttp.ClientProxyConnectionError) else "could not connect"
        return _not_sent(ApiConnectionError, "%s: %s: %s" % (where, what, _describe(error)), error)
    if isinstance(error, aiohttp.ClientHttpProxyError):
        return _not_sent(ApiConnectionError, "%s: proxy error: %s" % (where, _describe(error)), error)
    if kind == CONNECTION_LOST:
        return _maybe_delivered(ApiConnectionError, "%s: connection lost: %s" % (where, _describe(error)), error)
    return _maybe_delivered(ApiConnectionError, "%s: %s" % (where, _describe(error)), error)


def _not_sent(cls: Type[ApiConnectionError], message: str, error: BaseException) -> ApiConnectionError:
    return cls(message + "; the request was not sent", clean_cause(error), may_have_been_delivered=False)


def _maybe_delivered(cls: Type[ApiConnectionError], message: str, error: BaseException) -> ApiConnectionError:
    return cls(message + "; the request may have been delivered", clean_cause(error), may_have_been_delivered=True)


def _describe(error: BaseException) -> str:
    """The error's class and the OS's words, without the URL (aiohttp's text names the proxy with its user)."""
    cause = getattr(error, "os_error", None) or error.__cause__ or error
    strerror = getattr(cause, "strerror", None)
    if strerror:
        return "%s (%s)" % (strerror, type(cause).__name__)
    if isinstance(error, aiohttp.ClientResponseError):
        return "%s: %s %s" % (type(error).__name__, error.status, error.message)
    if isinstance(error, (aiohttp.ClientPayloadError, u3.DecodeError)):
        return "%s: %s" % (type(error).__name__, error)
    return type(error).__name__


def _describe_tls_failure(error: aiohttp.ClientSSLError) -> str:
    """The synchronous transport's words for the ssl error inside (an unknown CA, another host's name...)."""
    cause = getattr(error, "certificate_error", None) or getattr(error, "os_error", None) or error
    text: str = rest._describe_tls_failure(cause)
    return text


async def _read_within(response: aiohttp.ClientResponse, limit: Optional[int]) -> bytes:
    """The body, read whole; rest.ResponseTooLarge as soon as it is announced or read past `limit` bytes
    (the raw bytes: the decoded size is checked while decoding)."""
    if limit is not None:
        announced = response.content_length
        if announced is not None and announced > limit:
            raise rest.ResponseTooLarge(response.status, response.reason, response.headers, limit, announced,
                                        "Content-Length announces %d bytes" % announced)
        parts = []
        size = 0
        while True:
            part = await response.content.read(_READ_STEP)
            if not part:
                break
            size += len(part)
            if size > limit:
                raise rest.ResponseTooLarge(response.status, response.reason, response.headers, limit, size,
                                            "more than %d bytes were read" % limit)
            parts.append(part)
        return b"".join(parts)
    return await response.read()


def _seconds(value: Any) -> Optional[float]:
    """A number of seconds from an urllib3.Timeout field (which may hold its 'default' sentinel), or None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


# --------------------------------------------------------------------------
# The transport
# --------------------------------------------------------------------------

class _Connector(aiohttp.TCPConnector):
    """aiohttp's connector, handing out a kept-alive connection only when it is safe to send on it.

    Bytes a server sends after its answer (more than its Content-Length said, a late
    second answer) would otherwise be read as the answer to the next request sent on
    that connection: the wrong customer's data. A pooled connection with anything
    unread, parsed or still in the socket (or closed by the server), is closed and the
    next one taken, as urllib3 does for the synchronous transport. And a POST is not sent
    on a connection idle longer than rest.MAX_IDLE_FOR_POST (the server may be closing it
    at that very moment, and a POST whose connection is lost is never re-sent).

    No private aiohttp name is used: `connect()` (BaseConnector's coroutine that hands out a
    connection), the Connection's `protocol`, `transport`, `add_callback()` and `close()`, and the
    protocol's `should_close` and `is_connected()`. Should aiohttp change how these behave, the
    guarantees fail loudly in the suite rather than fading: test_aio_client.py's
    test_bytes_sent_after_an_answer_are_never_read_as_the_next_answer and test_post_delivery.py's
    test_a_post_never_goes_out_on_a_connection_idle_past_the_limit (which also fails if aiohttp
    stopped calling the release callbacks, whose errors it swallows).
    """

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        # When each connection handed out was last released (to the pool, or closed): its idle time.
        self._released_at: "weakref.WeakKeyDictionary[Any, float]" = weakref.WeakKeyDictionary()

    async def connect(self, req: aiohttp.ClientRequest, traces: Any, timeout: aiohttp.ClientTimeout
                      ) -> aiohttp.connector.Connection:
        max_idle = _max_idle.get()
        while True:
            connection = await super().connect(req, traces, timeout)
            protocol = connection.protocol
            released_at = self._released_at.pop(protocol, None) if protocol is not None else None
            # A new connection (never released) is used as it is: a TLS server may still be sending
            # its session tickets, which are no answer. A kept-alive one is checked.
            if released_at is not None and (
                    (max_idle is not None and time.monotonic() - released_at > max_idle)
                    or _has_unread_input(connection)):
                connection.close()  # frees its place in the pool's limit; the next one is taken
                continue
            connection.add_callback(functools.partial(self._stamp, protocol))
            return connection

    def _stamp(self, protocol: Any) -> None:
        """The connection's release callback: it is idle (or closed) from now on."""
        self._released_at[protocol] = time.monotonic()


# The longest a pooled connection may have been idle for the request being sent (None: any).
_max_idle: "contextvars.ContextVar[Optional[float]]" = contextvars.ContextVar("talon_one_aio_max_idle", default=None)


def _has_unread_input(connection: aiohttp.connector.Connection) -> bool:
    """Whether the connection holds anything not asked for: an answer parsed or part-parsed by aiohttp,
    bytes still in the socket, or the server's end of it closed (then it must not be reused either)."""
    protocol = connection.protocol
    if protocol is None or protocol.should_close or not protocol.is_connected() or connection.transport is None:
        return True
    sock = connection.transport.get_extra_info("socket")
    return sock is not None and bool(wait_for_read(sock, timeout=0.0))


class _ConnectionLost(aiohttp.ClientConnectionError):
    """A ClientOSError / ServerDisconnectedError carried past ClientSession, which would otherwise
    re-send an idempotent request once on its own when a kept-alive connection turns out closed:
    that re-send would bypass the retry policy's count, waits and budget (the policy alone
    decides). AiohttpTransport._send_once raises `error` again."""

    def __init__(self, error: aiohttp.ClientConnectionError) -> None:
        super().__init__(type(error).__name__)
        self.error = error


async def _no_silent_resend(request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
                            ) -> aiohttp.ClientResponse:
    """The session's middleware (aiohttp's public hook around each sending of a request, 3.12+): a
    lost connection leaves as _ConnectionLost, which the session does not re-send. Checked by
    test_aio_client.py's test_a_put_lost_on_a_kept_alive_connection_is_sent_again_only_as_the_policy_says,
    which fails if aiohttp's own re-send comes back."""
    try:
        return await handler(request)
    except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError) as error:
        lost: aiohttp.ClientConnectionError = error
    raise _ConnectionLost(lost)  # outside the except clause: no context to chain back to `lost`


class _Session:
    """One aiohttp session, the loop it belongs to, and the calls in flight on it.

    `closing` is set once close() has taken it (new calls get a new session); `idle` is the event
    close() waits on until `calls` is back to 0; `guard` is the async generator that closes it
    when its loop shuts down (_close_at_loop_end)."""

    __slots__ = ("session", "loop", "calls", "closing", "idle", "guard")

    def __init__(self, session: aiohttp.ClientSession, loop: asyncio.AbstractEventLoop) -> None:
        self.session = session
        self.loop = loop
        self.calls = 0
        self.closing = False
        self.idle: Optional[asyncio.Event] = None
        self.guard: Optional[AsyncGenerator[None, None]] = None


async def _close_at_loop_end(transport: AiohttpTransport, state: _Session) -> AsyncGenerator[None, None]:
    """Suspended for the session's life; its `finally` runs when the loop shuts its async generators
    down (asyncio.run does, before closing the loop) and closes the session if close() has not."""
    try:
        yield
    finally:
        if not state.closing:
            state.guard = None  # this generator is the one running: close() must not aclose() it
            if transport._state is state:
                transport._state = None
            await transport._close_session(state)


def _closed_under(error: BaseException, where: str) -> ApiConnectionError:
    """The error of a call whose session AsyncApiClient.close() closed under it: never retried."""
    if isinstance(error, RuntimeError) or failure_kind(error) == NOT_SENT:
        return _not_sent(ApiConnectionError, "%s: the client was closed (AsyncApiClient.close()) while the call "
                         "was in flight" % where, error)
    return _maybe_delivered(ApiConnectionError, "%s: the client was closed (AsyncApiClient.close()) while the "
                            "call was in flight" % where, error)


class AiohttpTransport:
    """Sends requests for one AsyncApiClient through one aiohttp session (one connector, keep-alive).

    The session is created on the first call, in the running event loop, and is
    bound to it: a call from another loop raises RuntimeError. `close()` closes it
    once its calls in flight have finished; the next call (in any loop) opens a new
    one. A session still open when its loop shuts down (asyncio.run's end) is closed then.
    """

    def __init__(self, configuration: Configuration) -> None:
        self.configuration = configuration
        self._ssl = ssl_context(configuration)
        self._proxy, self._proxy_headers = _proxy_settings(configuration.proxy, configuration.proxy_headers)
        # Read once, as the synchronous transports read it: None when Configuration.proxy is set or
        # trust_env is off. Each environment proxy's settings are made on first use (_environment_proxy).
        proxies = environment_proxies(configuration)
        self._environment_proxies = ProxiesByOrigin(proxies) if proxies else None
        self._environment_settings: Dict[str, ProxySettings] = {}  # proxy URL -> its settings
        assert_hostname = rest._assert_hostname(configuration.assert_hostname)
        self._server_hostname: Optional[str] = assert_hostname if isinstance(assert_hostname, str) else None
        self._state: Optional[_Session] = None
        self._closing: "weakref.WeakSet[asyncio.Task[None]]" = weakref.WeakSet()  # close()s under way
        self._settings = rest.CallSettings(configuration)

    # -- the session, bound to one loop ---------------------------------------------------

    def _enter(self) -> _Session:
        """The running loop's session, counting one more call in flight on it; created on first use.

        RuntimeError from another loop while the session is open in its own."""
        loop = asyncio.get_running_loop()
        state = self._state
        if state is not None and state.loop is not loop:
            raise RuntimeError(
                "this AsyncApiClient is bound to the event loop it was first used in, and is being "
                "used from another one: create one AsyncApiClient per event loop (or `await "
                "client.close()` in the first loop before using it in another)")
        if state is None:
            connector = _Connector(limit=self.configuration.connection_pool_maxsize, limit_per_host=0, ssl=self._ssl)
            session = aiohttp.ClientSession(connector=connector, skip_auto_headers=_SKIP_AUTO_HEADERS,
                                            cookie_jar=aiohttp.DummyCookieJar(), trust_env=False,
                                            auto_decompress=False, timeout=aiohttp.ClientTimeout(total=None),
                                            middlewares=(_no_silent_resend,))
            state = self._state = _Session(session, loop)
        state.calls += 1
        return state

    @staticmethod
    def _leave(state: _Session) -> None:
        state.calls -= 1
        if state.calls == 0 and state.idle is not None:
            state.idle.set()

    async def _watch_loop_end(self, state: _Session) -> None:
        """Start, in the session's loop, the async generator that closes the session when the loop
        shuts down (asyncio.run's end, `loop.shutdown_asyncgens()`: PEP 525's hook), so that a loop
        closed before `close()` was awaited leaves no socket open."""
        guard = _close_at_loop_end(self, state)
        state.guard = guard
        await guard.__anext__()

    async def close(self) -> None:
        """Close the session once its calls in flight have finished (a later call opens a new one).

        The calls in flight are let finish, each within its own timeouts and deadline, as the
        synchronous client lets them; a call started meanwhile opens a new session (closed by the
        next close()). Should close() itself be cancelled while it waits, the session is closed at
        once and the calls still in flight end with ApiConnectionError saying the client was closed.
        From another loop than the session's: the session is closed in its own loop if that loop
        is running (in another thread), or was closed already when that loop shut down under
        asyncio.run; otherwise RuntimeError (nothing else can close its sockets), and the session
        is dropped, so that the client can be used in the running loop.
        """
        state, self._state = self._state, None
        loop = asyncio.get_running_loop()
        if state is None or state.session.closed:
            # A close() already under way in this loop: this one returns when that one does.
            pending = [task for task in self._closing if not task.done() and task.get_loop() is loop]
            if pending:
                await asyncio.wait(pending)
            return
        if state.loop is loop:
            task = loop.create_task(self._close_session(state))
            self._closing.add(task)
            await task  # cancelling this close() cancels the task: the session is closed at once
        elif state.loop.is_running():
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._close_session(state), state.loop))
        else:
            raise RuntimeError(
                "this AsyncApiClient's connections belong to an event loop that is no longer running, and "
                "cannot be closed from another one (they are dropped: the client may be used in this loop "
                "now): `await client.close()` in the loop the client was used in, before that loop ends "
                "(asyncio.run does it for you when its run ends)")

    async def _close_session(self, state: _Session) -> None:
        """In the session's loop: wait for its calls in flight, then close it."""
        state.closing = True
        guard, state.guard = state.guard, None
        try:
            if state.calls:
                state.idle = asyncio.Event()
                await state.idle.wait()
        finally:  # on cancellation too: the session is closed under the calls left
            if not state.session.closed:
                await state.session.close()
                # The sockets' transports close on the loop's next turn: let it come, so that a loop
                # stopped right after close() (asyncio.run's end, a test) leaves no socket open.
                await asyncio.sleep(0)
            if guard is not None:
                await guard.aclose()

    @property
    def closed(self) -> bool:
        return self._state is None or self._state.session.closed

    # -- sending ----------------------------------------------------------------------------

    async def send(self, method: str, url: str, headers: Dict[str, str], body: Optional[bytes],
                   timeout: Any = None, retries: Any = None) -> AsyncResponse:
        """Send `body` (bytes or None) to `url`, retrying as the policy allows; the response read whole.

        `timeout` is a `_request_timeout` (seconds for the attempt, a (connect, read)
        pair or an urllib3 Timeout; None: the configuration's) and `retries` a
        `_retries` (None, an int, a RetryPolicy or an urllib3 Retry). Raises
        ApiTimeoutError / ApiConnectionError when no response could be had (and
        ApiConnectionError when the client's session was closed under the call: see
        close()), and RuntimeError when called from a loop other than the client's.
        """
        policy = self._settings.retry_policy(retries).for_call()
        attempt_timeout = self._settings.timeout(timeout)
        state = self._enter()
        try:
            if state.guard is None and not state.closing:
                await self._watch_loop_end(state)
            return await self._send(state, policy, attempt_timeout, method, url, headers, body)
        finally:
            self._leave(state)

    async def _send(self, state: _Session, policy: RetryPolicy, attempt_timeout: urllib3.Timeout, method: str,
                    url: str, headers: Dict[str, str], body: Optional[bytes]) -> AsyncResponse:
        session = state.session
        started = policy.clock() if policy.max_retries else 0.0
        deadline = time.monotonic() + policy.max_total_time if policy.max_total_time > 0 else None
        retry_number = 0
        while True:
            try:
                response = await self._send_once(session, method, url, headers, body, attempt_timeout,
                                                 rest._attempt_deadline(deadline, attempt_timeout))
            except rest.ResponseTooLarge as error:
                raise error.api_exception("%s %s" % (method, url.split("?", 1)[0])) from None
            except MemoryError:
                limit = self.configuration.max_response_bytes
                raise ResponseTooLargeError(limit=limit, detail="%s %s: the answer did not fit in memory "
                                            "(max_response_bytes=%d)" % (method, url.split("?", 1)[0], limit)) from None
            except (RuntimeError, *TRANSPORT_ERRORS) as error:
                if session.closed:  # close() was cancelled while this call was in flight: never retried
                    raise _closed_under(error, "%s %s" % (method, url.split("?", 1)[0])) from None
                if isinstance(error, RuntimeError):
                    raise
                kind = failure_kind(error)
                delay = policy.delay_after_error(method, kind, retry_number)
                seconds_left = rest.RESTClientObject._seconds_left(policy, started, delay)
                if seconds_left is None:
                    where = "%s %s" % (method, url.split("?", 1)[0])
                    if kind == READ_TIMEOUT and deadline is not None and time.monotonic() >= deadline:
                        raise _maybe_delivered(ApiTimeoutError, "%s: read timeout: the call's time budget "
                                               "(max_total_time=%g s) ran out before the response was read"
                                               % (where, policy.max_total_time), error)
                    raise transport_error(error, where)
                reason = "%s (%s)" % (kind, _describe(error))
            else:
                status = response.status
                if status not in RETRYABLE_STATUSES:
                    return response
                retry_after = (parse_retry_after(response.headers.get("Retry-After"), date=response.headers.get("Date"))
                               if status in RETRY_AFTER_STATUSES else None)
                delay = policy.delay_after_status(method, status, retry_after, retry_number)
                seconds_left = rest.RESTClientObject._seconds_left(policy, started, delay)
                if seconds_left is None:
                    return response
                reason = "%d %s" % (status, self._redact(response.reason or ""))
            assert delay is not None and seconds_left is not None
            if logger.isEnabledFor(logging.INFO):
                logger.info("Retrying %s %s (retry %d of %d) after %s; waiting %.2f s",
                            method, rest._path_only(url), retry_number + 1, policy.max_retries, reason, delay)
            if delay > 0:
                await _sleep(policy, delay)
            attempt_timeout = rest._within(attempt_timeout, seconds_left)
            retry_number += 1

    async def _send_once(self, session: aiohttp.ClientSession, method: str, url: str, headers: Dict[str, str],
                         body: Optional[bytes], timeout: urllib3.Timeout, deadline: Optional[float]
                         ) -> AsyncResponse:
        """One attempt: the response read whole, its connection back in the pool; on any failure
        or cancellation the connection is closed (an answer not read whole is never reused)."""
        debug = logger.isEnabledFor(logging.DEBUG)
        if debug:
            self._log_request(method, url, headers, body)
            began = time.perf_counter()
        total = None
        if deadline is not None:
            total = deadline - time.monotonic()
            if total <= 0:
                raise asyncio.TimeoutError()
        client_timeout = aiohttp.ClientTimeout(
            total=total,
            connect=_seconds(timeout._connect) or (None if total is not None else DEFAULT_CONNECT_TIMEOUT),
            sock_read=_seconds(timeout._read))
        response: Optional[aiohttp.ClientResponse] = None
        _max_idle.set(None if method in IDEMPOTENT_METHODS else rest.MAX_IDLE_FOR_POST)
        chooser = self._environment_proxies
        proxy, proxy_headers = (self._proxy, self._proxy_headers) if chooser is None \
            else self._environment_proxy(chooser, url)
        try:
            if proxy_headers and url.startswith("http:"):
                # A plain-HTTP request goes to the proxy itself (absolute-form): its headers go with it,
                # as urllib3's ProxyManager sends them. An https:// one sends them on CONNECT (aiohttp).
                headers = dict(proxy_headers, **headers)
            response = await session.request(
                method, yarl.URL(url, encoded=True), headers=headers, data=body, timeout=client_timeout, allow_redirects=False,
                proxy=proxy, proxy_headers=proxy_headers or None,
                server_hostname=self._server_hostname)
            if len(response.raw_headers) > MAX_RESPONSE_HEADERS:
                raise TooManyHeaders("got more than %d headers" % MAX_RESPONSE_HEADERS)
            data = await _read_within(response, self.configuration.max_response_bytes)
        except _ConnectionLost as carried:
            raise carried.error from carried.error.__cause__  # as the session would have raised it
        except BaseException:
            if response is not None:
                response.close()
            raise
        response.release()
        codings = rest.content_codings(response.headers.get("Content-Encoding"))
        if len(codings) > _MAX_DECODE_LINKS:  # urllib3 refuses these for the synchronous transport
            raise u3.DecodeError("Too many content encodings in the chain: %d > %d" % (len(codings), _MAX_DECODE_LINKS))
        if codings:  # the synchronous transport's decoder: within the size limit and the deadline
            answer = response
            data = rest.decode_body(data, codings, self.configuration.max_response_bytes, deadline,
                                    lambda: (answer.status, answer.reason, answer.headers))
        # The synchronous client's header type: an exception keeps them, and must pickle.
        result = AsyncResponse(response.status, response.reason, urllib3.HTTPHeaderDict(response.headers.items()),
                               data)
        if debug:
            self._log_response(method, url, result, time.perf_counter() - began)
        return result

    def _environment_proxy(self, chooser: ProxiesByOrigin, url: str) -> ProxySettings:
        """The environment's proxy for `url` (as the synchronous transports choose it), or _DIRECT;
        each proxy's settings are made once."""
        proxy = chooser.for_url(url)
        if proxy is None:
            return _DIRECT
        settings = self._environment_settings.get(proxy)
        if settings is None:
            settings = self._environment_settings[proxy] = _proxy_settings(proxy, self.configuration.proxy_headers)
        return settings

    # -- debug logging (only reached when DEBUG is enabled), redacted as the synchronous one's -------

    def _redact(self, value: str) -> str:
        """`value` (text from a response) without the configured secrets."""
        text: str = secret_redactor(configured_secrets(self.configuration))(value)
        return text

    def _log_request(self, method: str, url: str, headers: Mapping[str, str], body: Optional[bytes]) -> None:
        if not self.configuration.debug:
            logger.debug("-> %s %s", method, url)
            return
        logger.debug("-> %s %s\nheaders: %s\nbody: %s", method, url, redact_headers(headers or {}),
                     rest._preview(body))

    def _log_response(self, method: str, url: str, response: AsyncResponse, elapsed: float) -> None:
        if not self.configuration.debug:
            logger.debug("<- %s %s: %d in %.1f ms", method, url, response.status, elapsed * 1000)
            return
        logger.debug("<- %s %s: %d %s in %.1f ms\nheaders: %s\nbody: %s", method, url, response.status,
                     self._redact(response.reason or ""), elapsed * 1000,
                     self._redact(str(redact_headers(response.headers))), self._redact(rest._preview(response.data)))

    def __repr__(self) -> str:
        return "<AiohttpTransport %s>" % self.configuration.host


async def _sleep(policy: RetryPolicy, delay: float) -> None:
    """Wait `delay` seconds without blocking the loop. A policy's own `sleep` (a test's, say) is
    called instead when one was given; an awaitable it returns is awaited."""
    if policy.sleep is time.sleep:
        await asyncio.sleep(delay)
        return
    waited: Union[None, Any] = policy.sleep(delay)
    if inspect.isawaitable(waited):
        await waited
