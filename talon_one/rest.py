"""The client's sending side, and the default transport.

`RESTClientObject.send` sends one request through a transport (talon_one.transport),
retrying as `talon_one.retries` decides, under the call's deadline, and returns the
TransportResponse (of any status). Every transport failure leaves it as
ApiTimeoutError or ApiConnectionError.

`Urllib3Transport`, the default transport, keeps one urllib3 pool per client. Its
connections read answers under the attempt's deadline and size limit, skip interim
(1xx) answers, close a connection whose framing is in doubt, and leave decompression
to the client. The pool is rebuilt in a forked child (Celery prefork, gunicorn), so
parent and child never share a socket.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import logging
import os
import socket
import ssl
import threading
import time
import urllib.parse
import weakref
import zlib
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Mapping, Optional, Set, Tuple, Union

import urllib3
from urllib3 import exceptions as u3

try:  # raised by urllib3 when it checks the host name itself (assert_hostname='name')
    from urllib3.util.ssl_match_hostname import CertificateError as _HostnameMismatch
except ImportError:  # pragma: no cover - older urllib3 1.26
    _HostnameMismatch = ssl.CertificateError  # type: ignore[misc,assignment]  # the same error, by another name

from talon_one.auth import configured_secrets, redact_headers, secret_redactor
from talon_one.configuration import (DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, LOGGER_NAME,
                                     check_header_value, redact_url)
from talon_one.environment import ProxiesByOrigin, ca_bundle_from_environment, environment_proxies
from talon_one.exceptions import (ApiConnectionError, ApiException, ApiTimeoutError, ApiTypeError, ApiValueError,
                                  ResponseTooLargeError)
from talon_one.response_head import read_header_fields
from talon_one.rest_official import OfficialRequestMethods, RESTResponse
from talon_one.retries import (check_seconds, CONNECTION_LOST, IDEMPOTENT_METHODS, NOT_SENT, READ_TIMEOUT, RETRY_AFTER_STATUSES,
                               RETRYABLE_STATUSES, failure_kind, parse_retry_after, resolve_policy)
from talon_one.transport import TransportError, TransportRequest, TransportResponse

if TYPE_CHECKING:
    from typing import Protocol, Sequence, Type, TypeVar

    import urllib3.connection
    import urllib3.util
    from urllib3._base_connection import BaseHTTPConnection

    from _typeshed import ReadableBuffer, SupportsRead, WriteableBuffer

    from talon_one.api._operation import RequestTimeout
    from talon_one.configuration import Configuration
    from talon_one.retries import RetriesSetting, RetryPolicy
    from talon_one.transport import Transport

    class _PooledTransport(Protocol):
        """A transport whose urllib3 pools must be rebuilt in a forked child (see _before_fork)."""

        def pool_managers(self) -> List[Any]: ...

    class _Lock(Protocol):
        """A lock taken before fork() (threading.Lock or RLock)."""

        def release(self) -> None: ...

    _Pool = TypeVar("_Pool", bound=urllib3.PoolManager)
    _ApiError = TypeVar("_ApiError", bound=ApiConnectionError)
    # getaddrinfo's answers: (family, type, protocol, canonical name, address).
    _AddressInfo = Sequence[Tuple[socket.AddressFamily, socket.SocketKind, int, str,
                                  Union[Tuple[str, int], Tuple[str, int, int, int], Tuple[int, bytes]]]]
    _ConnectionBase = urllib3.connection.HTTPConnection
    _PoolBase = urllib3.HTTPConnectionPool
else:
    _ConnectionBase = _PoolBase = object

__all__ = ["RESTClientObject", "RESTResponse", "Urllib3Transport", "ApiException", "ApiValueError",
           "build_pool_manager", "request_timeout", "make_transport"]

logger = logging.getLogger(LOGGER_NAME)

# How much of a body a debug log line shows.
_DEBUG_BODY_LIMIT = 8192

# What a send can raise: urllib3's errors, and socket, TLS and http.client ones that slip through.
TRANSPORT_ERRORS = (u3.HTTPError, OSError, http.client.HTTPException)

# Guards rebuilding pools after a fork. Replaced in the child, as the parent's lock
# may have been held by a thread that does not exist there.
_fork_lock = threading.Lock()

# Stands for this process: a new token in every forked child. A client compares the token its
# pool was made under with this one on every call, which costs less than an os.getpid() system call.
_process_token = object()


# Every live transport, so that fork() can find their pools. Guarded by _clients_lock.
_clients: weakref.WeakSet[_PooledTransport] = weakref.WeakSet()
_clients_lock = threading.Lock()

# The locks _before_fork took, released in both processes right after fork().
_held_for_fork: List[_Lock] = []


def _before_fork() -> None:
    """Runs in the forking thread just before fork(). Other threads keep running until the fork,
    and a lock one of them holds at that moment stays held for ever in the child. So the
    locks the child will need are taken here, and released on both sides after the fork.
    """
    finish_lazy_imports()
    _clients_lock.acquire()
    _held_for_fork.append(_clients_lock)
    seen: Set[int] = set()  # a pool manager can be shared (one requests.Session behind two clients)
    for transport in list(_clients):
        for pool_manager in transport.pool_managers():  # none in an unpickled client until its first call
            if id(pool_manager) not in seen:
                seen.add(id(pool_manager))
                _held_for_fork.extend(_take_pool_locks(pool_manager))


def _take_pool_locks(pool_manager: urllib3.PoolManager) -> List[_Lock]:
    """Take the locks of a PoolManager and of each of its host pools' connection queues (in the
    order urllib3 takes them), and return them."""
    taken: List[_Lock] = []
    container = pool_manager.pools
    container.lock.acquire()
    taken.append(container.lock)
    for key in container.keys():
        queue = getattr(container.get(key), "pool", None)  # None once the pool is closed
        if queue is not None:
            queue.mutex.acquire()
            taken.append(queue.mutex)
    return taken


def _release_fork_locks() -> None:
    while _held_for_fork:
        _held_for_fork.pop().release()


def _after_fork_in_child() -> None:
    global _fork_lock, _process_token
    _release_fork_locks()
    _fork_lock = threading.Lock()
    _process_token = object()


_lazy_imports_finished = False


def finish_lazy_imports() -> None:
    """Import now every module the SDK imports on first use (the models, IntegrationApi, the
    async_req thread pool). A thread in the middle of such an import when fork() happens would
    leave that module's import lock held in the child, whose first use of it would then hang."""
    global _lazy_imports_finished
    if _lazy_imports_finished:
        return
    import concurrent.futures.thread  # noqa: F401  (ApiClient's async_req pool)
    import encodings.idna  # noqa: F401  (names with non-ASCII characters)

    import talon_one
    import talon_one.models as models
    for name in models.__all__:
        getattr(models, name)
    getattr(talon_one, "IntegrationApi")
    _lazy_imports_finished = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork, after_in_parent=_release_fork_locks,
                        after_in_child=_after_fork_in_child)


def process_lock() -> threading.Lock:
    """A lock for rare per-process setup (pools, thread pools); safe to take in a forked child."""
    return _fork_lock


# --------------------------------------------------------------------------
# Pool construction
# --------------------------------------------------------------------------

# Stands for "Configuration.proxy" where a proxy URL (or None) may be given instead.
_CONFIGURED: Any = object()


def build_pool_manager(configuration: Configuration, num_pools: int = 4, maxsize: Optional[int] = None,
                       proxy: Optional[str] = _CONFIGURED) -> urllib3.PoolManager:
    """A PoolManager (or ProxyManager) with the configuration's TLS, proxy and pool settings.

    `proxy` (a proxy URL, or None for none) replaces Configuration.proxy: an environment proxy.
    """
    verify = bool(configuration.verify_ssl)
    kwargs: Dict[str, Any] = {
        "num_pools": num_pools,
        "maxsize": maxsize or configuration.connection_pool_maxsize,
        "cert_reqs": "CERT_REQUIRED" if verify else "CERT_NONE",
    }
    kwargs.update(tls_files(configuration))
    assert_hostname = _assert_hostname(configuration.assert_hostname)
    if assert_hostname is not None:
        kwargs["assert_hostname"] = assert_hostname
    _warn_if_unverified(configuration, verify, assert_hostname)
    if proxy is _CONFIGURED:
        proxy = configuration.proxy
    if proxy:
        proxy_url, proxy_headers = split_proxy_credentials(proxy, configuration.proxy_headers)
        try:
            return urllib3.ProxyManager(proxy_url=proxy_url, proxy_headers=proxy_headers, **kwargs)
        except (u3.LocationParseError, ValueError):
            raise ApiValueError("proxy must be an http(s) URL such as 'http://proxy.example:3128', got %r"
                                % redact_url(proxy)) from None
    return urllib3.PoolManager(**kwargs)


def tls_files(configuration: Configuration) -> Dict[str, str]:
    """The CA bundle / directory and client certificate files to use, checked to exist:
    a dict with ca_certs, ca_cert_dir, cert_file, key_file (those that are set).

    The CA bundle comes from ssl_ca_cert / ssl_ca_cert_dir, else (trust_env) from
    REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, SSL_CERT_FILE and SSL_CERT_DIR. Misconfigured
    files fail here, naming the setting, rather than as a TLS error on every call.
    """
    files = {}
    ca_file, ca_dir = ca_bundle_from_environment(configuration)
    if ca_file:
        files["ca_certs"] = _existing_file(_ca_setting(configuration, "ssl_ca_cert"), ca_file)
    if ca_dir:
        if not os.path.isdir(ca_dir):
            raise ApiValueError("%s %r is not a directory" % (_ca_setting(configuration, "ssl_ca_cert_dir"), ca_dir))
        files["ca_cert_dir"] = ca_dir
    if configuration.key_file and not configuration.cert_file:
        raise ApiValueError("key_file is set but cert_file is not: set cert_file to the client certificate")
    if configuration.cert_file:
        files["cert_file"] = _existing_file("cert_file", configuration.cert_file)
        if configuration.key_file:
            files["key_file"] = _existing_file("key_file", configuration.key_file)
        _check_client_certificate(files["cert_file"], files.get("key_file"))
    return files


def _ca_setting(configuration: Configuration, name: str) -> str:
    """The setting a CA file came from, for error messages."""
    if configuration.ssl_ca_cert or configuration.ssl_ca_cert_dir:
        return name
    return "the CA bundle from the environment (%s)" % ("SSL_CERT_DIR" if name == "ssl_ca_cert_dir"
                                                        else "REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE or SSL_CERT_FILE")


def _existing_file(setting: str, path: Union[str, os.PathLike[str]]) -> str:
    try:
        path = os.fspath(path)
    except TypeError:
        raise ApiTypeError("%s must be a file path, got %s" % (setting, type(path).__name__)) from None
    if not os.path.isfile(path):
        problem = "is a directory" if os.path.isdir(path) else "does not exist"
        raise ApiValueError("%s %r %s: it must be a PEM file" % (setting, path, problem))
    return path


class _EncryptedKey(Exception):
    pass


def _refuse_key_password() -> str:
    raise _EncryptedKey()


def _check_client_certificate(cert_file: str, key_file: Optional[str]) -> None:
    """Load the client certificate and key once, so a wrong pair is reported as a setting error."""
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_cert_chain(cert_file, key_file,
                                                                 password=_refuse_key_password)
    except _EncryptedKey:
        raise ApiValueError("key_file (or cert_file) holds an encrypted private key: talon_one needs "
                            "it unencrypted") from None
    except (ssl.SSLError, OSError) as error:
        hint = "" if key_file else "; if the key is in a separate file, set key_file"
        raise ApiValueError("cert_file/key_file could not be loaded as a client certificate and its "
                            "private key (%s)%s" % (error, hint)) from None


def _assert_hostname(value: object) -> Union[str, bool, None]:
    """None (check the host name, the default), False (do not) or the host name to expect instead."""
    if value is None or value is True:
        return None
    if value is False:
        return False
    if isinstance(value, str):
        return value.strip() or None
    raise ApiTypeError("assert_hostname must be None (check the host name), a host name to expect "
                       "instead, or False (do not check), got %s" % type(value).__name__)


def _warn_if_unverified(configuration: Configuration, verify: bool, assert_hostname: Union[str, bool, None]) -> None:
    """Turning TLS checks off is allowed, but never silently."""
    if not verify:
        logger.warning("verify_ssl=False: TLS certificates are not verified, so anyone on the network "
                       "path can impersonate %s; for a private CA, set ssl_ca_cert instead",
                       configuration.host or "the server")
    elif assert_hostname is False:
        logger.warning("assert_hostname=False: the host name in the server's TLS certificate is not "
                       "checked, so a certificate a trusted CA issued for any other host is accepted "
                       "for %s", configuration.host or "the server")


def split_proxy_credentials(proxy: str, proxy_headers: Optional[Mapping[str, str]] = None
                            ) -> Tuple[str, Dict[str, str]]:
    """(proxy URL without user:pass@, headers with Proxy-Authorization for them).

    urllib3 does not read credentials from the proxy URL itself. The credentials run from
    after the scheme to the last '@', so a password that is not percent-encoded (with '/',
    '#' or '?' in it) is neither cut short nor left in the URL.
    """
    check_header_value("proxy", proxy)
    headers = dict(proxy_headers or {})
    for name, value in headers.items():
        check_header_value("proxy header %s" % name, value)
    url, userinfo = proxy, None
    scheme, separator, rest = proxy.partition("://")
    if separator and "@" in rest:
        userinfo, rest = rest.rsplit("@", 1)
        url = "%s://%s" % (scheme, rest)
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:  # a bad port or IPv6 literal
        parts, port = None, None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or port == 0:
        raise ApiValueError("proxy must be an http(s) URL such as 'http://proxy.example:3128', got %r"
                            % redact_url(proxy))
    if userinfo is None:
        return url, headers
    username, _, password = userinfo.partition(":")
    credentials = "%s:%s" % (urllib.parse.unquote(username), urllib.parse.unquote(password))
    headers.update(urllib3.util.make_headers(proxy_basic_auth=credentials))
    return url, headers


# --------------------------------------------------------------------------
# Timeouts
# --------------------------------------------------------------------------

def request_timeout(value: RequestTimeout, configuration: Configuration) -> urllib3.Timeout:
    """An urllib3 Timeout for a per-call `_request_timeout`.

    A number bounds the whole attempt (urllib3 `total`, as in the official SDK);
    a (connect, read) pair sets both; an urllib3 Timeout is used as is. None,
    here or inside the pair, means the configuration's value: never "no timeout".
    Every number must be finite, > 0 and at most retries.MAX_TIMEOUT seconds (one day): anything
    else raises ApiValueError naming `_request_timeout`, before anything is sent.
    """
    if value is None:
        return default_timeout(configuration)
    if isinstance(value, urllib3.Timeout):
        for field, seconds in (("connect", value._connect), ("read", value._read), ("total", value.total)):
            if isinstance(seconds, (int, float)) and not isinstance(seconds, bool):
                check_seconds("_request_timeout (urllib3.Timeout %s)" % field, seconds)
        return value
    if isinstance(value, (tuple, list)) and len(value) == 2:
        connect, read = value
        return urllib3.Timeout(
            connect=_seconds(connect, configuration.connect_timeout, DEFAULT_CONNECT_TIMEOUT, "_request_timeout[0] (connect)"),
            read=_seconds(read, configuration.read_timeout, DEFAULT_READ_TIMEOUT, "_request_timeout[1] (read)"))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return urllib3.Timeout(total=check_seconds("_request_timeout", value))
    raise ApiValueError("_request_timeout must be seconds (> 0), a (connect, read) pair or an "
                        "urllib3.Timeout, got %r" % (value,))


def default_timeout(configuration: Configuration) -> urllib3.Timeout:
    """The configuration's connect and read timeouts (checked again here: a pickled or
    subclassed configuration may hold values its setters never saw)."""
    return urllib3.Timeout(
        connect=_seconds(configuration.connect_timeout, None, DEFAULT_CONNECT_TIMEOUT, "connect_timeout"),
        read=_seconds(configuration.read_timeout, None, DEFAULT_READ_TIMEOUT, "read_timeout"))


def _seconds(value: Optional[float], fallback: Optional[float], default: float, what: str) -> float:
    if value is None:
        value = fallback if fallback is not None else default
    return check_seconds(what, value)


class CallSettings:
    """A call's timeouts and retry policy: from its `_request_timeout` / `_retries`, or the
    configuration's, which are built once and again only when those settings change.

    Shared by RESTClientObject and the asyncio transport, so both read the settings the same way.
    """

    __slots__ = ("configuration", "_timeout_cache", "_policy_cache")

    def __init__(self, configuration: Configuration) -> None:
        self.configuration = configuration
        # (timeout settings, their Timeout); no settings match the first key, None, so its Timeout is never used.
        self._timeout_cache: Tuple[Optional[Tuple[Optional[float], Optional[float]]], urllib3.Timeout] = (
            None, urllib3.Timeout())
        self._policy_cache: Tuple[RetriesSetting, Optional[RetryPolicy]] = (None, None)

    def timeout(self, per_call: RequestTimeout) -> urllib3.Timeout:
        """The attempt's timeouts: `per_call` by request_timeout's rules, else the configuration's."""
        if per_call is not None:
            return request_timeout(per_call, self.configuration)
        key = (self.configuration.connect_timeout, self.configuration.read_timeout)
        cached_key, cached = self._timeout_cache
        if cached_key != key:
            cached = default_timeout(self.configuration)
            self._timeout_cache = (key, cached)
        return cached

    def retry_policy(self, per_call: RetriesSetting) -> RetryPolicy:
        """The call's RetryPolicy: `per_call` (resolved against the configuration's), else the configuration's."""
        setting = self.configuration.retries
        cached_setting, policy = self._policy_cache
        if policy is None or cached_setting is not setting:
            policy = resolve_policy(setting)
            self._policy_cache = (setting, policy)
        return policy if per_call is None else resolve_policy(per_call, policy)


def _within(timeout: urllib3.Timeout, seconds_left: float) -> urllib3.Timeout:
    """`timeout` cut so the attempt ends within `seconds_left`."""
    total = timeout.total
    if isinstance(total, (int, float)) and total <= seconds_left:
        return timeout
    return urllib3.Timeout(connect=timeout._connect, read=timeout._read, total=seconds_left)


# --------------------------------------------------------------------------
# Deadlines: a hard end for each attempt
# --------------------------------------------------------------------------
#
# urllib3's read timeout (and its `total`) bounds each socket read, not the
# response: a server (or proxy) that sends a byte every few seconds would keep
# a call alive forever. Every response read during an attempt therefore goes
# through _DeadlineReader, which ends the read with socket.timeout (so urllib3
# raises ReadTimeoutError, and the caller ApiTimeoutError) once the attempt's
# deadline has passed: the call's `max_total_time` budget, or sooner for a
# `_request_timeout` total.

_local = threading.local()

# A POST is not sent on a pooled connection that has been idle longer than this (seconds): a
# server may close an idle connection just as the request goes out on it, and a POST whose
# connection was lost is never re-sent. Below the shortest common keep-alive timeouts (gunicorn's
# 2 s, Node's and uvicorn's 5 s), so the race is rare; a busy client rarely leaves one idle so long.
MAX_IDLE_FOR_POST = 1.0


class _Attempt:
    """What the connection and response code must know about the attempt this thread is making.

    deadline            its hard end (time.monotonic()), or None
    max_idle            the longest a pooled connection may have been idle to carry it (seconds), or None
    max_response_bytes  the largest answer it reads (bytes), or None
    Deadline and size limit are lifted (None) once the caller owns the response.
    """

    __slots__ = ("deadline", "max_idle", "max_response_bytes", "streamed", "sending")

    def __init__(self, deadline: Optional[float], max_idle: Optional[float], max_response_bytes: Optional[int],
                 streamed: bool) -> None:
        self.deadline = deadline
        self.max_idle = max_idle
        self.max_response_bytes = max_response_bytes
        self.streamed = streamed  # a 2xx answer's body is the caller's to read (_preload_content=False)
        self.sending = False  # the first byte of the request has been written

    def hand_over(self) -> None:
        """The caller reads the body at its own pace, and as much of it as it wants."""
        self.deadline = None
        self.max_response_bytes = None


def _current_attempt() -> Optional[_Attempt]:
    return getattr(_local, "attempt", None)


class _DeadlineReader(io.RawIOBase):
    """A response's socket reader that gives up at the attempt's deadline."""

    def __init__(self, raw: io.RawIOBase, sock: socket.socket, attempt: _Attempt) -> None:
        super().__init__()
        self._raw = raw
        self._sock = sock
        self._attempt = attempt

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> Optional[int]:
        deadline = self._attempt.deadline
        if deadline is None:
            return self._raw.readinto(buffer)
        # Past the deadline, what has already arrived is still read (a complete answer that
        # arrived in time is never thrown away); only waiting for more is refused.
        left = max(deadline - time.monotonic(), _NO_WAIT)
        timeout = self._sock.gettimeout()
        if timeout is not None and timeout <= left:
            return self._raw.readinto(buffer)
        self._sock.settimeout(left)
        try:
            return self._raw.readinto(buffer)
        finally:
            try:
                self._sock.settimeout(timeout)
            except OSError:
                pass

    def fileno(self) -> int:
        return self._raw.fileno()

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


# A response's read buffer: large enough that a typical integration state (tens of KB) that has
# already arrived is read with one system call, where http.client's 8 KB buffer takes three.
_READ_BUFFER_SIZE = 65536


# --------------------------------------------------------------------------
# Reading an answer: where it starts and where it ends
# --------------------------------------------------------------------------
#
# A connection goes back to the pool only when the end of the answer it carried
# is certain; otherwise the next call on it could read the rest of this answer
# as its own (one customer's session handed to another). So interim answers
# are skipped until the final one, and an answer whose framing is in doubt
# closes its connection after it has been read (RFC 9112 section 6.3).

# Interim (1xx) answers skipped before the final one; a server that sends more is broken.
MAX_INTERIM_RESPONSES = 16


class TooManyInterimResponses(http.client.HTTPException):
    """The server sent more than MAX_INTERIM_RESPONSES interim (1xx) answers in a row."""


class _HTTPResponse(http.client.HTTPResponse):
    """http.client's response, read under the attempt's deadline and size limit, that skips
    interim answers and closes its connection when its framing is in doubt."""

    def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        attempt = self._attempt = _current_attempt()
        self._body_bytes = 0
        if attempt is not None and attempt.deadline is not None:
            self.fp = io.BufferedReader(_DeadlineReader(self.fp.detach(), sock, attempt), _READ_BUFFER_SIZE)

    def _limit(self) -> Optional[int]:
        return None if self._attempt is None else self._attempt.max_response_bytes

    def _read_status(self) -> Tuple[str, int, str]:
        """The final answer's status line. Interim answers (100 Continue, 102 Processing, 103 Early
        Hints) are skipped with their headers (RFC 9110 section 15.2); 101 is final."""
        for _ in range(MAX_INTERIM_RESPONSES + 1):
            version, status, reason = super()._read_status()  # type: ignore[misc]  # private, not in typeshed
            if not is_interim(status):
                return version, status, reason
            http.client.parse_headers(self.fp)
        raise TooManyInterimResponses("the server sent more than %d interim (1xx) answers before its "
                                      "final answer" % MAX_INTERIM_RESPONSES)

    def begin(self) -> None:
        if self.headers is not None:
            return  # already begun
        self._begin_http_client()
        if not self.will_close and framing_in_doubt(self.status, self.msg):
            self.will_close = True  # http.client then closes the connection once the answer is read
        attempt = self._attempt
        if attempt is not None and attempt.streamed and 200 <= self.status <= 299:
            attempt.hand_over()
        limit = self._limit()
        if limit is not None and self.length is not None and self.length > limit:
            raise ResponseTooLarge(self.status, self.reason, self.msg, limit, self.length,
                                   "Content-Length announces %d bytes" % self.length)

    def _begin_http_client(self) -> None:
        """http.client's HTTPResponse.begin (the same on Python 3.9 to 3.13), reading the header
        fields with response_head instead of the email package's parser."""
        version, status, reason = self._read_status()  # the final answer: interim ones are skipped
        self.code = self.status = status
        self.reason = reason.strip()
        if version in ("HTTP/1.0", "HTTP/0.9"):
            self.version = 10
        elif version.startswith("HTTP/1."):
            self.version = 11
        else:
            raise http.client.UnknownProtocol(version)
        self.headers = self.msg = read_header_fields(self.fp)
        transfer_encoding = self.headers.get("transfer-encoding")
        if transfer_encoding and transfer_encoding.lower() == "chunked":
            self.chunked = True
            self.chunk_left = None
        else:
            self.chunked = False
        self.will_close = self._check_close()  # type: ignore[attr-defined]  # private, not in typeshed
        self.length = None
        length = self.headers.get("content-length")
        if length and not self.chunked:
            try:
                self.length = int(length)
            except ValueError:
                self.length = None
            else:
                if self.length < 0:
                    self.length = None
        # (_method: private, not in typeshed)
        if status == 204 or status == 304 or 100 <= status < 200 or self._method == "HEAD":  # type: ignore[attr-defined]
            self.length = 0
        if not self.will_close and not self.chunked and self.length is None:
            self.will_close = True

    # The size limit, for the bodies whose length is not announced. A Content-Length was checked
    # in begin(), and http.client never reads past it.

    def _read_next_chunk_size(self) -> int:
        """Chunked: each chunk's size is counted before the chunk is read."""
        size: int = super()._read_next_chunk_size()  # type: ignore[misc]  # private, not in typeshed
        self._count(size)
        return size

    def read(self, amt: Optional[int] = None) -> bytes:
        if self.chunked or self.length is not None or self._limit() is None:
            return super().read(amt)
        # Until the server closes: read a buffer at a time, counted.
        parts = []
        while amt is None or amt > 0:
            part = super().read(_READ_BUFFER_SIZE if amt is None else min(amt, _READ_BUFFER_SIZE))
            if not part:
                break
            self._count(len(part))
            parts.append(part)
            if amt is not None:
                amt -= len(part)
        return b"".join(parts)

    def _count(self, size: int) -> None:
        limit = self._limit()
        if limit is None:
            return
        self._body_bytes += size
        if self._body_bytes > limit:
            raise ResponseTooLarge(self.status, self.reason, self.msg, limit, self._body_bytes,
                                   "more than %d bytes were read" % limit)


def is_interim(status: int) -> bool:
    """An interim (1xx) answer to skip; 101 Switching Protocols ends the exchange instead."""
    return 100 <= status <= 199 and status != 101


def framing_in_doubt(status: int, headers: http.client.HTTPMessage) -> bool:
    """Whether the end of an answer on the wire is uncertain, so its connection must not carry another.

    True for a final 1xx (101: we never ask to switch protocols); both Transfer-Encoding
    and Content-Length (a request-smuggling sign, RFC 9112 section 6.3); a Transfer-Encoding
    other than a single 'chunked'; Content-Length values that are not one string of digits;
    and a 204 or 304 that announces a body.
    """
    if status < 200:
        return True
    framing_headers = 0  # one pass over the names: most answers have just one Content-Length
    for name in headers.keys():
        lowered = name.lower()
        if lowered == "content-length" or lowered == "transfer-encoding":
            framing_headers += 1
    if framing_headers == 0:
        return False
    encodings = headers.get_all("Transfer-Encoding")
    lengths = headers.get_all("Content-Length")
    if encodings:
        return bool(lengths) or len(encodings) > 1 or encodings[0].strip().lower() != "chunked"
    if lengths:
        values = {value.strip() for value in lengths}
        if len(values) > 1:
            return True
        value = values.pop()
        if not (value.isdigit() and value.isascii()):
            return True
        if status in (204, 304) and int(value) != 0:
            return True
    return False


class ResponseTooLarge(Exception):
    """An answer crossed max_response_bytes. Raised where it is noticed, deep in the reading
    (not an OSError, so urllib3 passes it on, closing the connection); request() turns it
    into ResponseTooLargeError."""

    # `headers`: the answer's headers as its reader has them (http.client's HTTPMessage, urllib3's
    # HTTPHeaderDict, aiohttp's CIMultiDictProxy).
    def __init__(self, status: int, reason: Optional[str], headers: Any, limit: int, size: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.reason, self.headers = status, reason, headers
        self.limit, self.size, self.detail = limit, size, detail

    def api_exception(self, where: str) -> ResponseTooLargeError:
        return ResponseTooLargeError(self.status, self.reason, headers=self.headers, limit=self.limit, size=self.size,
                                     detail="%s: the answer is larger than max_response_bytes (%d bytes): %s"
                                     % (where, self.limit, self.detail))


# --------------------------------------------------------------------------
# Content codings: only those asked for, decompressed within the size limit and the deadline
# --------------------------------------------------------------------------

#: The Accept-Encoding the client sends: the content codings it decodes itself.
ACCEPT_ENCODING = "gzip, deflate"

# Decompressed output produced per step, between two checks of the size limit and the deadline.
_DECODE_STEP = 1 << 20


def content_codings(value: Optional[str]) -> List[str]:
    """The codings of a Content-Encoding header in the order applied, without 'identity'."""
    if not value:
        return []
    codings = [coding.strip().lower() for coding in value.split(",")]
    return [coding for coding in codings if coding and coding != "identity"]


def decode_body(data: bytes, codings: List[str], limit: Optional[int], deadline: Optional[float],
                describe: Callable[[], Tuple[int, Optional[str], Any]]) -> bytes:
    """`data` with the content `codings` undone, last applied first.

    Raises ResponseTooLarge as soon as the output passes `limit` bytes (a decompression
    bomb costs at most `limit` bytes of memory), urllib3's ReadTimeoutError once the
    `deadline` (time.monotonic(), or None) has passed, and urllib3's DecodeError for a
    coding other than gzip and deflate, or a corrupt or truncated stream. `describe()`
    gives (status, reason, headers) for the errors.
    """
    for coding in reversed(codings):
        if coding in ("gzip", "x-gzip"):
            data = _inflate(data, 16 + zlib.MAX_WBITS, limit, deadline, describe, members=True)
        elif coding == "deflate":
            try:  # RFC 9110 deflate is zlib-wrapped; some servers send raw deflate
                data = _inflate(data, zlib.MAX_WBITS, limit, deadline, describe)
            except u3.DecodeError:
                data = _inflate(data, -zlib.MAX_WBITS, limit, deadline, describe)
        else:
            raise u3.DecodeError("the answer's Content-Encoding %r is not supported (talon_one asks for %s)"
                                 % (coding, ACCEPT_ENCODING))
    return data


def _inflate(data: bytes, wbits: int, limit: Optional[int], deadline: Optional[float],
             describe: Callable[[], Tuple[int, Optional[str], Any]], members: bool = False) -> bytes:
    output: List[bytes] = []
    size = 0
    while True:
        decompressor = zlib.decompressobj(wbits)
        pending = data
        while True:
            try:
                part = decompressor.decompress(pending, _DECODE_STEP)
            except zlib.error as error:
                raise u3.DecodeError("the answer's compressed body is corrupt (%s)" % error) from None
            size += len(part)
            if limit is not None and size > limit:
                status, reason, headers = describe()
                raise ResponseTooLarge(status, reason, headers, limit, size,
                                       "more than %d bytes once decompressed" % limit)
            output.append(part)
            pending = decompressor.unconsumed_tail
            if decompressor.eof or (not pending and not part):
                break
            if deadline is not None and time.monotonic() >= deadline:
                # urllib3 types its pool and URL arguments as required; there is neither here, and nothing
                # reads them.
                raise u3.ReadTimeoutError(None, None,  # type: ignore[arg-type]
                                          "the call's time budget ran out while decompressing the response")
        if not decompressor.eof:
            raise u3.DecodeError("the answer's compressed body is cut short")
        data = decompressor.unused_data
        if not (members and data):  # gzip: another member may follow
            return b"".join(output)


def _read_decoded(response: urllib3.BaseHTTPResponse, preloaded: bool, limit: Optional[int],
                  deadline: Optional[float]) -> TransportResponse:
    """A TransportResponse: `response`'s body read and its content codings undone, within the limit
    and deadline.

    urllib3 would decompress a whole body at once, however large it grows; the client
    asks it for the raw bytes instead, and decodes them here.
    """
    raw = response.data if preloaded else response.read(decode_content=False, cache_content=True)
    response.release_conn()
    body = decoded_body(raw or b"", response.status, response.reason, response.headers, limit, deadline)
    return TransportResponse(response.status, response.reason, response.headers, body, None, response.version)


def decoded_body(raw: bytes, status: int, reason: Optional[str], headers: Any, limit: Optional[int],
                 deadline: Optional[float]) -> bytes:
    """`raw` with the content codings its Content-Encoding header names undone (decode_body)."""
    codings = content_codings(headers.get("Content-Encoding"))
    if not codings:
        return raw
    return decode_body(raw, codings, limit, deadline, lambda: (status, reason, headers))


# The largest request body written in the same system call as the request's head (bytes).
_ONE_WRITE_MAX_BODY = 65536

# The shortest socket timeout used: a read or write that must not wait.
_NO_WAIT = 0.001


class RequestNotSent(Exception):
    """The attempt's deadline passed before the first byte of the request was written.
    Not an OSError, so urllib3 passes it on (closing the connection); request() reports it."""


class WriteTimeoutError(u3.ReadTimeoutError):
    """The server stopped reading the request (or the deadline came) before all of it was sent.
    Retried as a read timeout: the request may have been delivered."""


class _ConnectionMixin(_ConnectionBase):
    """urllib3's connection, with every step of an attempt under its deadline.

    Name resolution and the connection to each of the host's addresses share one connect
    budget (the connect timeout, cut to the deadline); the deadline is checked again before
    the first byte of the request is written, and bounds the sending.

    A request with a small body goes out in one write, head and body together, where
    http.client writes them separately: one system call (and, under threads, one hand-off
    of the GIL) fewer per call, and one TCP segment instead of two.
    """

    response_class = _HTTPResponse
    # When the connection went back to the pool (time.monotonic()).
    idle_since = 0.0
    _connecting = False
    # While request() sends a small body: the head is held back (in _held_head) until the body comes.
    _hold_head = False
    _held_head = None

    # `body`: bytes, text, a file or an iterable of bytes, as urllib3 passes it on. The signature is
    # urllib3's, which narrows http.client's headers (urllib3 ignores that override error too).
    def request(self, method: str, url: str, body: Any = None,  # type: ignore[override]
                headers: Optional[Mapping[str, str]] = None, **options: Any) -> None:
        self._hold_head = body.__class__ is bytes and 0 < len(body) <= _ONE_WRITE_MAX_BODY
        try:
            super().request(method, url, body, headers, **options)
        finally:
            self._hold_head = False
            self._held_head = None

    def _new_conn(self) -> socket.socket:
        end = _connect_end(self.timeout, _current_attempt())
        if end is None:
            return super()._new_conn()
        try:
            return open_socket(self._dns_host, self.port, end, self.source_address, self.socket_options)
        except socket.gaierror as error:
            raise _name_resolution_error(self, error) from error
        except socket.timeout as error:
            raise u3.ConnectTimeoutError(self, "Connection to %s timed out: %s" % (self.host, error)) from error
        except OSError as error:
            raise u3.NewConnectionError(self, "Failed to establish a new connection: %s" % error) from error

    def connect(self) -> None:
        self._connecting = True  # a proxy's CONNECT is sent from here: not yet the request
        try:
            super().connect()
        finally:
            self._connecting = False

    def send(self, data: Union[ReadableBuffer, SupportsRead[bytes], Iterable[ReadableBuffer], str]) -> None:
        if self._hold_head and not self._connecting:
            head = self._held_head
            if head is None:
                self._held_head = data  # the head (http.client writes it first): sent with the body
                return None
            self._hold_head = False
            self._held_head = None
            data = head + data
        attempt = _current_attempt()
        if attempt is None or attempt.deadline is None or self._connecting:
            return super().send(data)
        if self.sock is None:
            self.connect()  # as http.client would, but before the deadline is checked
        if not attempt.sending:
            if time.monotonic() >= attempt.deadline:
                raise RequestNotSent("the call's time budget ran out before the request was sent")
            attempt.sending = True
        sock = self.sock
        timeout = sock.gettimeout()
        left = max(attempt.deadline - time.monotonic(), _NO_WAIT)
        try:
            if timeout is not None and timeout <= left:  # the common case: no system call to change it
                return super().send(data)
            sock.settimeout(left)
            try:
                return super().send(data)
            finally:
                try:
                    sock.settimeout(timeout)
                except OSError:
                    pass
        except socket.timeout as error:
            raise WriteTimeoutError(None, None,  # type: ignore[arg-type]  # no pool or URL here (as in _inflate)
                                    "write timeout: the server stopped reading the request") from error


def _connect_end(connect_timeout: Optional[float], attempt: Optional[_Attempt]) -> Optional[float]:
    """When opening a connection must be done by (time.monotonic()), or None for no limit."""
    deadline = attempt.deadline if attempt is not None else None
    if isinstance(connect_timeout, (int, float)) and not isinstance(connect_timeout, bool):
        end = time.monotonic() + connect_timeout
        return end if deadline is None or end < deadline else deadline
    return deadline


def open_socket(host: str, port: int, end: float, source_address: Optional[Tuple[str, int]] = None,
                socket_options: Optional[Iterable[Tuple[int, int, Union[int, bytes]]]] = None) -> socket.socket:
    """A socket connected to `host`:`port` by `end` (time.monotonic()).

    Name resolution and the attempts at each of the host's addresses, in turn, share the
    one budget: socket.timeout once it is spent. Other failures raise the last OSError.
    """
    if host.startswith("["):
        host = host.strip("[]")
    error: Optional[OSError] = None
    for family, kind, protocol, _, address in resolve(host, port, end):
        left = end - time.monotonic()
        if left <= 0:
            raise socket.timeout("no connection within the connect timeout")
        sock = socket.socket(family, kind, protocol)
        try:
            for option in socket_options or ():
                sock.setsockopt(*option)
            sock.settimeout(left)
            if source_address:
                sock.bind(source_address)
            sock.connect(address)
            return sock
        except OSError as failure:
            error = failure
            sock.close()
    raise error if error is not None else OSError("no address found for %s" % host)


def resolve(host: str, port: int, end: float) -> _AddressInfo:
    """socket.getaddrinfo(host, port), given up (socket.timeout) at `end` (time.monotonic()).

    The system resolver has no timeout of its own: a name is looked up on a helper thread,
    which is left to finish on its own if the call gives up. IP addresses need no lookup.
    """
    family = urllib3.util.connection.allowed_gai_family()
    if _is_ip_address(host):
        return socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)
    outcome: List[Union[_AddressInfo, BaseException]] = []
    done = threading.Event()

    def look_up() -> None:
        try:
            outcome.append(socket.getaddrinfo(host, port, family, socket.SOCK_STREAM))
        except BaseException as error:  # handed to the caller's thread
            outcome.append(error)
        finally:
            done.set()

    threading.Thread(target=look_up, name="talon_one-resolver", daemon=True).start()
    if not done.wait(max(end - time.monotonic(), 0)):
        raise socket.timeout("resolving %s took longer than the connect timeout" % host)
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _name_resolution_error(connection: urllib3.connection.HTTPConnection, error: socket.gaierror
                           ) -> u3.NewConnectionError:
    if _NAME_RESOLUTION_ERROR is not u3.NewConnectionError:
        return _NAME_RESOLUTION_ERROR(connection.host, connection, error)
    return u3.NewConnectionError(connection, "Failed to resolve %s: %s" % (connection.host, error))


# urllib3 2 tells a failed name lookup apart; 1.26 reports it as NewConnectionError.
_NAME_RESOLUTION_ERROR: Callable[..., u3.NewConnectionError] = getattr(u3, "NameResolutionError", u3.NewConnectionError)


class _HTTPConnection(_ConnectionMixin, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConnection(_ConnectionMixin, urllib3.connection.HTTPSConnection):
    def connect(self) -> None:
        if _URLLIB3_1 and self.ssl_context is None:
            self.ssl_context = _tls12_context(self)
        super().connect()


# urllib3 2 never offers less than TLS 1.2; 1.26 offers whatever OpenSSL's system policy allows.
_URLLIB3_1 = urllib3.__version__.startswith("1.")  # type: ignore[attr-defined]  # set, but not in urllib3's __all__


def _tls12_context(connection: urllib3.connection.HTTPSConnection) -> ssl.SSLContext:
    """For urllib3 1.26: the SSLContext it would make itself, with TLS 1.2 as the minimum."""
    from urllib3.util import ssl_
    context = ssl_.create_urllib3_context(ssl_version=ssl_.resolve_ssl_version(connection.ssl_version),
                                          cert_reqs=ssl_.resolve_cert_reqs(connection.cert_reqs))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if not (connection.ca_certs or connection.ca_cert_dir or connection.ca_cert_data):
        context.load_default_certs()  # what urllib3 does for the context it makes
    return context


class _PoolMixin(_PoolBase):
    """Pooled connections remember when they went idle; an attempt with a `max_idle` (a POST)
    gets a new connection instead of one idle for longer."""

    def _get_conn(self, timeout: Optional[float] = None) -> BaseHTTPConnection:
        # urllib3 types a pool's connections as its BaseHTTPConnection protocol; ours are ConnectionCls.
        connection: _ConnectionMixin = super()._get_conn(timeout)  # type: ignore[assignment]
        attempt = _current_attempt()
        if (connection is not None and attempt is not None and attempt.max_idle is not None
                and connection.sock is not None and time.monotonic() - connection.idle_since > attempt.max_idle):
            connection.close()  # urllib3 connects it again before sending
        return connection

    def _put_conn(self, conn: Optional[BaseHTTPConnection]) -> None:
        if conn is not None:
            conn.idle_since = time.monotonic()  # type: ignore[attr-defined]  # one of ours (see _get_conn)
        super()._put_conn(conn)


class _HTTPConnectionPool(_PoolMixin, urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSConnectionPool(_PoolMixin, urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


def _with_deadlines(pool_manager: _Pool) -> _Pool:
    """`pool_manager`, its connections reading responses under the attempt deadline."""
    pool_manager.pool_classes_by_scheme = {"http": _HTTPConnectionPool, "https": _HTTPSConnectionPool}
    return pool_manager


def _attempt_deadline(call_deadline: Optional[float], timeout: urllib3.Timeout) -> Optional[float]:
    """The end of an attempt starting now: the call's deadline, or sooner for a `total` timeout."""
    total = timeout.total
    if isinstance(total, (int, float)) and not isinstance(total, bool):
        end = time.monotonic() + total
        return end if call_deadline is None or end < call_deadline else call_deadline
    return call_deadline


# --------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------

# Request-target characters urllib3's URL parser leaves as they are (RFC 3986 unreserved, sub-delims,
# ':', '@', '/', '?'). '%' is left out: the parser rewrites some percent-escapes.
_PLAIN_TARGET_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"
                                "!$&'()*+,;=:@/?")


class RESTClientObject(OfficialRequestMethods):
    """Sends requests through a transport (by default an Urllib3Transport: one connection pool,
    shared by all threads of a process), under the retry policy and the call's deadline.

    `send` is the entry point; `request` and GET/POST/... keep the official SDK's
    signatures (talon_one.rest_official). Pickled or deep-copied, it keeps its
    settings and opens its own pool on first use.
    """

    def __init__(self, configuration: Configuration, pools_size: int = 4, maxsize: Optional[int] = None,
                 transport: Optional[Transport] = None) -> None:
        self.configuration = configuration
        if transport is None:
            transport = make_transport(configuration, pools_size, maxsize)
        elif hasattr(transport, "bind"):  # a transport made without a Configuration takes the client's
            transport.bind(configuration)
        self.transport = transport
        self._settings = CallSettings(configuration)

    @property
    def pool_manager(self) -> Optional[urllib3.PoolManager]:
        """The default transport's urllib3 PoolManager (None for other transports, or until first use)."""
        return getattr(self.transport, "pool_manager", None)

    def _route(self, url: str) -> Optional[Tuple[Tuple[str, str, Optional[int]], str]]:
        return self.transport._route(url)  # type: ignore[attr-defined,no-any-return]  # Urllib3Transport's only

    def send(self, method: str, url: str, headers: Optional[Mapping[str, str]] = None, body: Optional[bytes] = None,
             preload_content: bool = True, timeout: RequestTimeout = None,
             retries: RetriesSetting = None) -> TransportResponse:
        """Send `body` (bytes or None) to `url`, retrying as the policy allows.

        Returns the TransportResponse, whatever its status: read when
        `preload_content`, else, for a 2xx, with the unread urllib3 response as
        its `stream` (the caller releases it). Raises ApiTimeoutError /
        ApiConnectionError when no response could be had.
        """
        settings = self._settings
        policy = settings.retry_policy(retries).for_call()
        timeout = settings.timeout(timeout)
        started = policy.clock() if policy.max_retries else 0.0
        # The hard end of the call: no attempt reads past it (see _DeadlineReader).
        deadline = time.monotonic() + policy.max_total_time if policy.max_total_time > 0 else None
        limit = self.configuration.max_response_bytes
        retry_number = 0
        while True:
            request = TransportRequest(method, url, headers, body, timeout, _attempt_deadline(deadline, timeout),
                                       preload_content, limit)
            try:
                response = self._send_once(request)
            except ResponseTooLarge as error:
                raise error.api_exception("%s %s" % (method, url.split("?", 1)[0])) from None
            except RequestNotSent as error:
                raise _not_sent(ApiTimeoutError, "%s %s: %s" % (method, url.split("?", 1)[0], error), error) from None
            except MemoryError:
                raise ResponseTooLargeError(limit=limit, detail=(
                    "%s %s: the answer did not fit in memory (max_response_bytes=%d)"
                    % (method, url.split("?", 1)[0], limit))) from None
            except TransportError as error:
                kind = error.kind
                delay = policy.delay_after_error(method, kind, retry_number)
                seconds_left = self._seconds_left(policy, started, delay)
                if seconds_left is None or delay is None:
                    where = "%s %s" % (method, url.split("?", 1)[0])
                    if kind == READ_TIMEOUT and deadline is not None and time.monotonic() >= deadline:
                        raise _maybe_delivered(ApiTimeoutError, "%s: read timeout: the call's time budget "
                                               "(max_total_time=%g s) ran out before the response was read"
                                               % (where, policy.max_total_time), error.cause) from error.cause
                    raise error.api_error(where) from error.cause
                reason = "%s (%s)" % (kind, error.summary())
            else:
                status = response.status
                if status not in RETRYABLE_STATUSES:
                    return response
                retry_after = (parse_retry_after(response.headers.get("Retry-After"), date=response.headers.get("Date"))
                               if status in RETRY_AFTER_STATUSES else None)
                delay = policy.delay_after_status(method, status, retry_after, retry_number)
                seconds_left = self._seconds_left(policy, started, delay)
                if seconds_left is None or delay is None:
                    return response
                _discard(response)
                reason = "%d %s" % (status, self._redact(response.reason or ""))
            if logger.isEnabledFor(logging.INFO):
                logger.info("Retrying %s %s (retry %d of %d) after %s; waiting %.2f s",
                            method, _path_only(url), retry_number + 1, policy.max_retries, reason, delay)
            if delay > 0:
                policy.sleep(delay)
            timeout = _within(timeout, seconds_left)
            retry_number += 1

    def _send_once(self, request: TransportRequest) -> TransportResponse:
        if not logger.isEnabledFor(logging.DEBUG):
            return self.transport.send(request)
        self._log_request(request.method, request.url, request.headers, request.body)
        began = time.perf_counter()
        response = self.transport.send(request)
        self._log_response(request.method, request.url, response, time.perf_counter() - began,
                           request.preload_content)
        return response

    @staticmethod
    def _seconds_left(policy: RetryPolicy, started: float, delay: Optional[float]) -> Optional[float]:
        """Time left for a retry after waiting `delay`, or None when no retry should start."""
        if delay is None:
            return None
        seconds_left = policy.max_total_time - (policy.clock() - started) - delay
        return seconds_left if seconds_left > 0 else None

    def __getstate__(self) -> Dict[str, Any]:
        return {"configuration": self.configuration, "transport": self.transport}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        """Settings only: the pool is built on first use (as after a fork), in this process."""
        self.__dict__.update(state)
        self._settings = CallSettings(self.configuration)

    def close(self) -> None:
        """Close the pooled connections (the client stays usable: new ones are opened on demand)."""
        self.transport.close()

    # -- debug logging (only reached when DEBUG is enabled) --------------------

    def _log_request(self, method: str, url: str, headers: Optional[Mapping[str, str]], body: Optional[bytes]) -> None:
        if not self.configuration.debug:
            logger.debug("-> %s %s", method, url)
            return
        logger.debug("-> %s %s\nheaders: %s\nbody: %s", method, url, redact_headers(headers or {}),
                     _preview(body))

    def _log_response(self, method: str, url: str, response: TransportResponse, elapsed: float,
                      preloaded: bool) -> None:
        if not self.configuration.debug:
            logger.debug("<- %s %s: %d in %.1f ms", method, url, response.status, elapsed * 1000)
            return
        redact = self._redact
        body = (redact(_preview(response.data)) if preloaded or response.stream is None
                else "(not read: _preload_content=False)")
        logger.debug("<- %s %s: %d %s in %.1f ms\nheaders: %s\nbody: %s", method, url, response.status,
                     redact(response.reason), elapsed * 1000, redact(redact_headers(response.headers)), body)

    def _redact(self, value: Any) -> Any:
        """`value` (text from a response) without the configured secrets."""
        return secret_redactor(configured_secrets(self.configuration))(value)

    def __repr__(self) -> str:
        return "<RESTClientObject %s>" % self.configuration.host


def make_transport(configuration: Configuration, pools_size: int = 4, maxsize: Optional[int] = None) -> Transport:
    """The transport Configuration.transport names: an Urllib3Transport, or a RequestsTransport."""
    name = configuration.transport
    if name == "requests":
        from talon_one.transport_requests import RequestsTransport
        return RequestsTransport(configuration=configuration)
    return Urllib3Transport(configuration, pools_size, maxsize)


def begin_attempt(request: TransportRequest) -> None:
    """Make `request` the attempt this thread is making: the connections and the response reader
    below urllib3 apply its deadline, size limit and idle rule. end_attempt() when done."""
    _local.attempt = _Attempt(request.deadline, None if request.method in IDEMPOTENT_METHODS else MAX_IDLE_FOR_POST,
                              request.max_response_bytes, not request.preload_content)


def end_attempt() -> None:
    _local.attempt = None


class Urllib3Fault(TransportError):
    """An urllib3, socket, TLS or http.client failure, classified for the retry policy."""

    cause: BaseException

    def __init__(self, error: BaseException) -> None:
        super().__init__(failure_kind(error), str(error), timed_out=False, cause=error)

    def summary(self) -> str:
        return _describe_cause(self.cause)

    def api_error(self, where: str) -> ApiException:
        return transport_error(self.cause, where)


# urllib3 neither retries nor follows redirects: RESTClientObject.send decides. What urllib3 would
# make of `retries=False` on every call (Retry objects are never changed, so one serves all).
_NO_URLLIB3_RETRIES = urllib3.Retry(total=False, redirect=False)


class Urllib3Transport:
    """The default transport: urllib3 connection pools, shared by all threads of a process.

    Proxy: Configuration.proxy, else (trust_env) the environment's proxy for each URL
    (talon_one.environment), each proxy with its own pool. Connections read answers under the
    attempt's deadline and size limit; content codings are undone by the transport itself,
    within both. The pools are rebuilt in a forked child.
    """

    def __init__(self, configuration: Configuration, pools_size: int = 4, maxsize: Optional[int] = None) -> None:
        self.configuration = configuration
        self._pools_size = pools_size
        self._maxsize = maxsize
        self._process: Optional[object] = _process_token
        self._environment_proxies = environment_proxies(configuration)
        self.pool_manager: urllib3.PoolManager = self._new_manager(
            None if self._environment_proxies else _CONFIGURED)
        self._proxy_managers: Dict[str, urllib3.PoolManager] = {}  # environment proxy URL -> ProxyManager
        self._proxies_by_origin = ProxiesByOrigin(self._environment_proxies)
        # "https://host:port" -> (scheme, host, port) as urllib3 parses it
        self._origins: Dict[str, Tuple[str, str, Optional[int]]] = {}
        with _clients_lock:
            _clients.add(self)

    def _new_manager(self, proxy: Optional[str]) -> urllib3.PoolManager:
        return _with_deadlines(build_pool_manager(self.configuration, self._pools_size, self._maxsize, proxy))

    def pool_managers(self) -> List[urllib3.PoolManager]:
        """Every PoolManager this transport has made in this process."""
        managers = [] if self.pool_manager is None else [self.pool_manager]
        return managers + list(self._proxy_managers.values())

    def send(self, request: TransportRequest) -> TransportResponse:
        """One attempt: a TransportResponse, or Urllib3Fault."""
        preload_content = request.preload_content
        begin_attempt(request)
        try:
            response = self._urlopen(request.method, request.url, request.body, request.headers, request.timeout,
                                     preload_content)
            if preload_content or not 200 <= response.status <= 299:
                return _read_decoded(response, preload_content, request.max_response_bytes, request.deadline)
        except TRANSPORT_ERRORS as error:
            raise Urllib3Fault(error) from error
        finally:
            _local.attempt = None
        return TransportResponse(response.status, response.reason, response.headers, b"", response, response.version)

    def _urlopen(self, method: str, url: str, body: Optional[bytes], headers: Mapping[str, str],
                 timeout: urllib3.Timeout, preload_content: bool) -> urllib3.BaseHTTPResponse:
        """One attempt through the pool manager, straight to the host's connection pool when it can.

        PoolManager.urlopen parses the whole URL on every call. Most targets
        (the path and query string) are plain characters the parser would keep
        as they are, so for those only the origin is parsed, once, and the
        request goes to the same pool PoolManager would pick, with the same
        target. Proxies and anything else take PoolManager's own path.
        """
        # A body the client reads is decoded by _read_decoded; one the caller streams, by urllib3.
        decode_content = not preload_content
        pool_manager = self._pool(url)
        route = None if isinstance(pool_manager, urllib3.ProxyManager) else self._route(url)
        if route is None:
            return pool_manager.urlopen(method, url, body=body, headers=headers, retries=_NO_URLLIB3_RETRIES,
                                        redirect=False, timeout=timeout, preload_content=preload_content,
                                        decode_content=decode_content)
        (scheme, host, port), target = route
        return pool_manager.connection_from_host(host, port=port, scheme=scheme).urlopen(
            method, target, body=body, headers=headers, retries=_NO_URLLIB3_RETRIES, redirect=False,
            assert_same_host=False, timeout=timeout, preload_content=preload_content, decode_content=decode_content)

    def _route(self, url: str) -> Optional[Tuple[Tuple[str, str, Optional[int]], str]]:
        """((scheme, host, port), request target) for a URL whose target needs no normalizing, else None."""
        start = url.find("/", url.find("://") + 3)
        if start < 0:
            return None
        target = url[start:]
        if not _PLAIN_TARGET_CHARS.issuperset(target) or "/." in target:
            return None
        origin = url[:start]
        parsed = self._origins.get(origin)
        if parsed is None:
            try:
                parts = urllib3.util.parse_url(origin)
            except u3.LocationParseError:
                return None
            if parts.scheme not in ("http", "https") or not parts.host or parts.auth:
                return None
            parsed = (parts.scheme, parts.host, parts.port)
            if len(self._origins) < 16:
                self._origins[origin] = parsed
        return parsed, target

    def _pool(self, url: str) -> urllib3.PoolManager:
        if self._process is not _process_token:
            self._rebuild_after_fork()
        if not self._environment_proxies:
            return self.pool_manager
        return self._environment_manager(url)

    def _environment_manager(self, url: str) -> urllib3.PoolManager:
        """The manager for `url` under the environment's proxies: direct, or that proxy's
        (the proxy for each origin decided once, by environment.ProxiesByOrigin)."""
        proxy = self._proxies_by_origin.for_url(url)
        if proxy is None:
            return self.pool_manager
        manager = self._proxy_managers.get(proxy)
        if manager is None:
            with _fork_lock:
                manager = self._proxy_managers.get(proxy)
                if manager is None:
                    manager = self._proxy_managers[proxy] = self._new_manager(proxy)
        return manager

    def _rebuild_after_fork(self) -> None:
        """A fresh pool in a forked child. The parent's idle connections are closed unused: this
        closes the child's copies of their sockets only, the parent's stay open. (Their locks
        are free: _before_fork held them across the fork.)"""
        with _fork_lock:
            if self._process is not _process_token:
                parents = self.pool_managers()
                self.pool_manager = self._new_manager(None if self._environment_proxies else _CONFIGURED)
                self._proxy_managers = {}
                self._process = _process_token
                for manager in parents:
                    manager.clear()

    def __getstate__(self) -> Dict[str, Any]:
        return {"configuration": self.configuration, "_pools_size": self._pools_size, "_maxsize": self._maxsize,
                "_environment_proxies": self._environment_proxies}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        """Settings only: the pool is built on first use (as after a fork), in this process."""
        # No pool_manager until the first call builds one (_pool): its type is the manager of a transport in use.
        self.__dict__.update(state, pool_manager=None)
        self._proxy_managers = {}
        self._proxies_by_origin = ProxiesByOrigin(self._environment_proxies)
        self._process = None
        self._origins = {}
        with _clients_lock:
            _clients.add(self)

    def close(self) -> None:
        """Close the pooled connections (the transport stays usable: new ones are opened on demand)."""
        if self._process is _process_token:
            for manager in self.pool_managers():
                manager.clear()

    def __repr__(self) -> str:
        return "<Urllib3Transport %s>" % self.configuration.host


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def _discard(response: TransportResponse) -> None:
    """Read and release a response that is being retried, so its connection can be reused."""
    try:
        response.drain_conn()
    except TRANSPORT_ERRORS:
        pass
    response.release_conn()


def _path_only(url: str) -> str:
    return urllib.parse.urlsplit(url).path


def _preview(body: Union[bytes, bytearray, str, None]) -> str:
    if body is None:
        return "(none)"
    if isinstance(body, (bytes, bytearray)):
        text = bytes(body[:_DEBUG_BODY_LIMIT]).decode("utf-8", "replace")
    else:
        text = str(body)[:_DEBUG_BODY_LIMIT]
    if len(body) > _DEBUG_BODY_LIMIT:
        text += "... (%d bytes)" % len(body)
    return text


def _root_cause(error: BaseException) -> BaseException:
    """The innermost socket/TLS/http.client error behind an urllib3 error."""
    seen: Set[int] = set()
    while id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, u3.MaxRetryError) and error.reason is not None:
            error = error.reason
        elif isinstance(error, u3.ProxyError) and getattr(error, "original_error", None) is not None:
            error = error.original_error
        elif isinstance(error, u3.ProtocolError) and len(error.args) > 1 and isinstance(error.args[1], BaseException):
            error = error.args[1]
        elif isinstance(error, u3.HTTPError) and error.__cause__ is not None:
            error = error.__cause__
        elif isinstance(error, u3.HTTPError) and isinstance(error.__context__, OSError):
            # urllib3 1.26 raises some errors inside the `except` for the socket error, unchained.
            error = error.__context__
        else:
            break
    return error


def _describe_cause(error: BaseException) -> str:
    cause = _root_cause(error)
    if isinstance(cause, OSError) and cause.strerror:
        return "%s (%s)" % (cause.strerror, type(cause).__name__)
    if isinstance(cause, u3.HTTPError) and not isinstance(cause, u3.DecodeError):
        return type(cause).__name__
    text = str(cause)
    return "%s: %s" % (type(cause).__name__, text) if text else type(cause).__name__


def transport_error(error: BaseException, where: str) -> ApiException:
    """Our exception for an urllib3 / socket / TLS failure, without credentials in its text.

    `where` names the call ('PUT https://.../v2/customer_sessions/x').
    """
    if isinstance(error, u3.MaxRetryError) and error.reason is not None:
        error = error.reason
    kind = failure_kind(error)
    if isinstance(error, WriteTimeoutError):
        return _maybe_delivered(ApiTimeoutError, "%s: write timeout: the server stopped reading the request before "
                                "all of it was sent" % where, error)
    if _is_connect_timeout(error):
        return _not_sent(ApiTimeoutError, "%s: connect timeout: no connection within the connect timeout" % where,
                         error)
    if kind == READ_TIMEOUT or isinstance(error, socket.timeout):
        return _maybe_delivered(ApiTimeoutError, "%s: read timeout: no response within the read timeout" % where,
                                error)
    if isinstance(error, u3.SSLError) or _is_certificate_error(_tls_cause(error)):
        # Before ProxyError: through a proxy, a certificate the tunnel's TLS refused arrives wrapped in one.
        # TLS fails in the handshake, before the request is written.
        return _not_sent(ApiConnectionError, "%s: TLS error: %s" % (where, _describe_tls_failure(error)), error)
    if kind == NOT_SENT:
        what = "proxy error" if isinstance(error, u3.ProxyError) else "could not connect"
        return _not_sent(ApiConnectionError, "%s: %s: %s" % (where, what, _describe_cause(error)), error)
    if isinstance(error, u3.ProxyError):
        return _maybe_delivered(ApiConnectionError, "%s: proxy error: %s" % (where, _describe_cause(error)), error)
    if kind == CONNECTION_LOST:
        return _maybe_delivered(ApiConnectionError, "%s: connection lost: %s" % (where, _describe_cause(error)),
                                error)
    return _maybe_delivered(ApiConnectionError, "%s: %s" % (where, _describe_cause(error)), error)


def _not_sent(cls: Type[_ApiError], message: str, error: BaseException) -> _ApiError:
    return cls(message + "; the request was not sent", error, may_have_been_delivered=False)


def _maybe_delivered(cls: Type[_ApiError], message: str, error: Optional[BaseException]) -> _ApiError:
    return cls(message + "; the request may have been delivered", error, may_have_been_delivered=True)


def _tls_cause(error: BaseException) -> BaseException:
    """The ssl / certificate error behind an urllib3 error (urllib3 keeps it in SSLError.args)."""
    cause = _root_cause(error)
    if isinstance(cause, u3.SSLError) and cause.args and isinstance(cause.args[0], BaseException):
        cause = cause.args[0]
    return cause


def _is_certificate_error(cause: BaseException) -> bool:
    return isinstance(cause, (ssl.SSLCertVerificationError, _HostnameMismatch))


def _describe_tls_failure(error: BaseException) -> str:
    cause = _tls_cause(error)
    if _is_certificate_error(cause):
        detail = getattr(cause, "verify_message", None) or str(cause)
        if isinstance(cause, _HostnameMismatch) or "mismatch" in detail.lower():
            hint = "it was issued for another host name"
        else:
            hint = "if the server uses a private CA, set ssl_ca_cert to that CA's PEM bundle"
        return "the server's certificate could not be verified (%s); %s" % (detail, hint)
    text = str(cause)
    if "CERTIFICATE_REQUIRED" in text.upper().replace(" ", "_"):
        return "%s: the server requires a client certificate (set cert_file and key_file)" % text
    return text or type(cause).__name__


def _is_connect_timeout(error: Optional[BaseException]) -> bool:

    if isinstance(error, u3.ProxyError):
        error = getattr(error, "original_error", None)
    return isinstance(error, u3.ConnectTimeoutError) and not isinstance(error, u3.NewConnectionError)
