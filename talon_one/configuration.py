"""Settings of a talon_one client: where to connect, how to authenticate, how to send.

Both ways of configuring work:

    # The official SDK's way
    configuration = talon_one.Configuration(
        host="https://mycompany.talon.one",
        api_key={"Authorization": KEY},
        api_key_prefix={"Authorization": "ApiKey-v1"},
    )

    # Shorter
    configuration = talon_one.Configuration(host="https://mycompany.talon.one", api_key_v1=KEY)
    configuration = talon_one.Configuration(host=..., application_id=42, application_key=HEX_KEY)
    configuration = talon_one.Configuration.from_env()

Authentication, URL, timeouts and retries are read on every call, so changing
them on a configuration in use takes effect on the next call. TLS, proxy and
pool settings are read when an ApiClient builds its connection pool (when it
is created, and again in a forked child).

Neither repr() nor str() of a Configuration shows a key.
"""

from __future__ import annotations

import difflib
import logging
import os
import sys
import threading
import urllib.parse
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Tuple, Type, TypeVar, Union

from talon_one.exceptions import ApiAttributeError, ApiTypeError, ApiValueError
from talon_one.retries import check_seconds, resolve_policy
from talon_one.version import __version__

if TYPE_CHECKING:
    from typing import AbstractSet, Literal, TypedDict

    from talon_one.retries import RetriesSetting

    #: The transports Configuration.transport names.
    TransportName = Literal["urllib3", "requests"]
    #: Configuration.no_proxy: 'localhost,.internal' as in NO_PROXY, or the host names as a list.
    NoProxy = Union[str, List[str], Tuple[str, ...], AbstractSet[str], None]
    #: Configuration.assert_hostname: None or True (check), a host name to expect instead, or False.
    AssertHostname = Union[bool, str, None]
    #: One scheme of Configuration.auth_settings() (the official SDK's shape).
    AuthSetting = TypedDict("AuthSetting", {"type": str, "in": str, "key": str, "value": Optional[str]})
    #: Configuration.refresh_api_key_hook: called with the configuration before the key is read.
    RefreshApiKeyHook = Callable[["Configuration"], object]

_C = TypeVar("_C", bound="Configuration")

__all__ = ["Configuration", "DEFAULT_CONNECT_TIMEOUT", "DEFAULT_READ_TIMEOUT", "DEFAULT_MAX_RESPONSE_BYTES"]

#: Seconds allowed to open a connection (DNS, TCP, TLS) before ApiTimeoutError.
DEFAULT_CONNECT_TIMEOUT = 5.0
#: Seconds allowed between bytes of the response before ApiTimeoutError.
DEFAULT_READ_TIMEOUT = 30.0
#: The largest answer read, in bytes (64 MiB), as sent and once decoded, before ResponseTooLargeError.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024

API_KEY_HEADER = "Authorization"
API_KEY_PREFIX = "ApiKey-v1"
SIGNATURE_HEADER = "Content-Signature"

LOGGER_NAME = "talon_one"

# Connections kept per host by default: one shared client used by up to this many threads never
# discards a connection (urllib3 logs "Connection pool is full" when it does).
DEFAULT_POOL_MAXSIZE = 32

# The transports Configuration.transport names.
TRANSPORTS = ("urllib3", "requests")

# Configuration field -> environment variables, the first one set wins.
_ENVIRONMENT = (
    ("host", ("TALON_ONE_BASE_URL", "TALONONE_ENDPOINT")),
    ("api_key_v1", ("TALON_ONE_API_KEY",)),
    ("application_id", ("TALON_ONE_APPLICATION_ID", "TALONONE_APP_ID")),
    ("application_key", ("TALON_ONE_APPLICATION_KEY", "TALONONE_APP_KEY")),
)

_FORBIDDEN_IN_HEADERS = ("\r", "\n", "\x00")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")

_default: Optional[Configuration] = None
_default_lock = threading.Lock()


def check_header_value(what: str, value: object) -> str:
    """Refuse a header value that would break the request (header injection).

    `what` names the setting in the error; the value itself is never echoed,
    as it may be a key.
    """
    if not isinstance(value, str):
        raise ApiTypeError("%s must be a string, got %s" % (what, type(value).__name__))
    if not value.isascii() or not value.isprintable():
        for char in _FORBIDDEN_IN_HEADERS:
            if char in value:
                raise ApiValueError("%s contains a line break or NUL character (CR, LF or NUL); "
                                    "refusing to send it as a header" % what)
        try:
            value.encode("latin-1")
            latin_1 = True
        except UnicodeEncodeError:
            latin_1 = False
        # Raised outside the except block: `from None` only hides the UnicodeEncodeError, which
        # holds the whole value (a key), and it would stay reachable as __context__.
        if not latin_1:
            raise ApiValueError("%s contains characters that cannot be sent in an HTTP header "
                                "(only Latin-1)" % what)
    return value


# The characters of an HTTP header name (a token: RFC 9110 section 5.1).
_TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def check_headers(what: str, value: object) -> Dict[str, str]:
    """A mapping of header name to value, checked and copied into a dict (None: {})."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ApiTypeError("%s must be a mapping of header name to value (a dict), got %s"
                           % (what, type(value).__name__))
    headers: Dict[str, str] = {}
    for name, header_value in value.items():
        if not isinstance(name, str):
            raise ApiTypeError("%s: header names must be strings, got %s" % (what, type(name).__name__))
        if not name or not set(name) <= _TOKEN_CHARS:
            raise ApiValueError("%s: invalid header name %r" % (what, name))
        headers[name] = check_header_value("%s[%r]" % (what, name), header_value)
    return headers


def normalize_host(value: object, what: str = "host") -> str:
    """An absolute http(s) base URL without trailing slash, or ApiValueError."""
    if not isinstance(value, str):
        raise ApiTypeError("%s must be a string such as 'https://mycompany.talon.one', got %s"
                           % (what, type(value).__name__))
    check_header_value(what, value)
    value = value.strip()
    if "@" in value:
        # Anywhere, not only in the parsed netloc: in 'https://user:pa/ss@host' urlsplit puts
        # the password in the path, and it would then show in repr() and in error messages.
        raise ApiValueError("%s must not contain user:password@ credentials (or any '@')" % what)
    try:
        parts = urllib.parse.urlsplit(value)
        port = parts.port
    except ValueError:  # 'https://[::1', 'https://host:notaport', 'https://host:99999'
        raise ApiValueError("%s must be an absolute http(s) URL such as 'https://mycompany.talon.one' "
                            "(with a port from 1 to 65535, if any)" % what) from None
    if (parts.scheme not in ("http", "https") or not parts.hostname or port == 0
            or any(c.isspace() for c in value)):
        raise ApiValueError("%s must be an absolute http(s) URL such as 'https://mycompany.talon.one'"
                            % what)
    if parts.query or parts.fragment:
        raise ApiValueError("%s must not contain a query string or fragment" % what)
    return value.rstrip("/")


def _signing_key_from_hex(value: Any) -> bytes:
    if not isinstance(value, str):
        raise ApiTypeError("application_key must be a hex string, got %s" % type(value).__name__)
    text = value.strip()
    if not text:
        raise ApiValueError("application_key is empty")
    if len(text) % 2 or not set(text) <= _HEX_DIGITS:
        raise ApiValueError("application_key must be the application's hex API key "
                            "(an even number of characters 0-9, a-f); the value given is not hex")
    return bytes.fromhex(text)


def _application_id(value: Any) -> int:
    if isinstance(value, bool):
        raise ApiTypeError("application_id must be an integer, got a bool")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value <= 0:
        raise ApiValueError("application_id must be a positive integer, got %r" % (value,))
    return value


def redact_url(url: Optional[str]) -> Optional[str]:
    """`url` with any user:password@ replaced, for logs and repr.

    Everything between the scheme and the last '@' is replaced, without parsing: a password
    that is not percent-encoded ('http://user:pa/ss#x@proxy:3128') must not survive either.
    """
    if not isinstance(url, str) or "@" not in url:
        return url
    scheme, separator, rest = url.partition("://")
    if not separator:
        return "***:***@" + url.rsplit("@", 1)[1]
    return "%s://***:***@%s" % (scheme, rest.rsplit("@", 1)[1])


class Configuration:
    """Settings of a talon_one client.

    Where and who:
      host                  base URL, e.g. 'https://mycompany.talon.one' (a trailing slash is
                            ignored). Required before the first call.
      api_key_v1            the Integration API key; sends 'Authorization: ApiKey-v1 <key>'.
                            Same as api_key={'Authorization': key} with
                            api_key_prefix={'Authorization': 'ApiKey-v1'} (the prefix is added
                            when none is set and the key has none).
      application_id,       signed requests ('integration_auth'): every request carries
      application_key       'Content-Signature: signer=<id>; signature=<HMAC-MD5 of the body>'.
                            Used for operations that accept it when no API key is set.
      api_key, api_key_prefix, refresh_api_key_hook, get_api_key_with_prefix(),
      auth_settings()       as in the official SDK.

    Transport:
      connect_timeout       seconds to open a connection (default 5)
      read_timeout          seconds to wait for response bytes (default 30)
      retries               None (the default policy: 2 retries), an int, a RetryPolicy, or an
                            urllib3 Retry (mapped onto a RetryPolicy; a field that cannot be
                            honoured raises ApiValueError here: talon_one.retries.policy_from_urllib3_retry)
      max_response_bytes    the largest answer the client reads, in bytes (default 64 MiB):
                            checked against the announced Content-Length, the bytes read
                            and the bytes once decompressed (gzip, deflate); a larger one
                            raises ResponseTooLargeError and its connection is closed
      verify_ssl            verify the server certificate (default True); False logs a WARNING
      ssl_ca_cert           CA bundle (PEM file) to verify with (default: REQUESTS_CA_BUNDLE,
                            CURL_CA_BUNDLE or SSL_CERT_FILE when trust_env, else the system's store)
      ssl_ca_cert_dir       CA directory (hashed PEM files; default: SSL_CERT_DIR when trust_env)
      cert_file, key_file   client certificate and (unencrypted) key for mutual TLS; key_file
                            may be left out when cert_file holds both
      assert_hostname       None or True: check the host name (default); a name: expect that
                            one instead; False: do not check it (logs a WARNING)
                            (TLS files and assert_hostname are checked when an ApiClient is created)
      proxy                 'http://[user:pass@]proxy:3128'; credentials become a
                            Proxy-Authorization header and are redacted in logs
      proxy_headers         extra headers for the proxy
      no_proxy              hosts reached without an environment proxy: 'localhost,.internal,10.0.0.0/8'
                            (a string as in NO_PROXY, or a list), added to NO_PROXY
      trust_env             read proxies (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY) and CA
                            bundles (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, SSL_CERT_FILE, SSL_CERT_DIR)
                            from the environment when not set here (default True; talon_one.environment)
      transport             'urllib3' (the default) or 'requests' (a requests.Session, from the
                            talon_one[requests] extra); or pass ApiClient(configuration, transport=...)
      connection_pool_maxsize  connections kept per host (default max(32, 5 x CPUs))
      default_headers       headers sent on every request

    Logging and models:
      debug                 log every request and response (credentials redacted) on the
                            'talon_one' logger at DEBUG
      logger_format, logger_file   as in the official SDK
      client_side_validation       check model values as they are set (default True)

    A Configuration pickles and deep-copies (to a multiprocessing worker, say): the settings
    travel, including `debug` and `logger_file`, which take effect in the new process. To be
    pickled, a `refresh_api_key_hook` must be a module-level function (not a lambda).
    """

    # The settings that are plain attributes (the others are properties, below).
    api_key: Dict[str, str]
    api_key_prefix: Dict[str, str]
    refresh_api_key_hook: Optional[RefreshApiKeyHook]
    username: Optional[str]
    password: Optional[str]
    discard_unknown_keys: bool
    connect_timeout: Optional[float]
    read_timeout: Optional[float]
    verify_ssl: bool
    ssl_ca_cert: Optional[str]
    ssl_ca_cert_dir: Optional[str]
    cert_file: Optional[str]
    key_file: Optional[str]
    assert_hostname: AssertHostname
    proxy: Optional[str]
    proxy_headers: Optional[Mapping[str, str]]
    no_proxy: NoProxy
    trust_env: bool
    connection_pool_maxsize: int
    default_headers: Dict[str, str]
    safe_chars_for_path_param: str
    temp_folder_path: Optional[str]
    client_side_validation: bool
    logger: Dict[str, logging.Logger]

    def __init__(self, host: Optional[str] = None, api_key: Optional[Dict[str, str]] = None,
                 api_key_prefix: Optional[Dict[str, str]] = None, username: Optional[str] = None,
                 password: Optional[str] = None, discard_unknown_keys: bool = False, *,
                 api_key_v1: Optional[str] = None, application_id: Union[int, str, None] = None,
                 application_key: Optional[str] = None, connect_timeout: Optional[float] = DEFAULT_CONNECT_TIMEOUT,
                 read_timeout: Optional[float] = DEFAULT_READ_TIMEOUT, retries: RetriesSetting = None,
                 max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
                 verify_ssl: bool = True, ssl_ca_cert: Optional[str] = None, ssl_ca_cert_dir: Optional[str] = None,
                 cert_file: Optional[str] = None, key_file: Optional[str] = None,
                 assert_hostname: AssertHostname = None, proxy: Optional[str] = None,
                 proxy_headers: Optional[Mapping[str, str]] = None,
                 connection_pool_maxsize: Optional[int] = None, default_headers: Optional[Mapping[str, str]] = None,
                 debug: bool = False, client_side_validation: bool = True,
                 logger_format: str = "%(asctime)s %(levelname)s %(message)s",
                 logger_file: Optional[str] = None, safe_chars_for_path_param: str = "",
                 transport: TransportName = "urllib3", trust_env: bool = True,
                 no_proxy: NoProxy = None) -> None:
        self._host: Optional[str] = None
        self._application_id: Optional[int] = None
        self._application_key: Optional[str] = None
        self._signing_key: Optional[bytes] = None
        self._signing_credentials: Optional[Tuple[int, bytes]] = None
        self._auth_cache: Optional[Tuple[str, Optional[str], str]] = None  # auth.api_key_header's
        self._no_logging_yet()

        self.host = host
        self.api_key = api_key if api_key is not None else {}
        self.api_key_prefix = api_key_prefix if api_key_prefix is not None else {}
        self.refresh_api_key_hook = None
        if api_key_v1 is not None:
            self.api_key_v1 = api_key_v1
        if application_id is not None:
            self.application_id = application_id
        if application_key is not None:
            self.application_key = application_key
        self.username = username
        self.password = password
        self.discard_unknown_keys = discard_unknown_keys

        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.retries = retries
        self.max_response_bytes = max_response_bytes
        self.verify_ssl = verify_ssl
        self.ssl_ca_cert = ssl_ca_cert
        self.ssl_ca_cert_dir = ssl_ca_cert_dir
        self.cert_file = cert_file
        self.key_file = key_file
        self.assert_hostname = assert_hostname
        self.proxy = proxy
        self.proxy_headers = proxy_headers
        self.no_proxy = no_proxy
        self.trust_env = trust_env
        self.transport = transport
        self.connection_pool_maxsize = _pool_maxsize(connection_pool_maxsize)
        self.default_headers = check_headers("default_headers", default_headers)
        # Kept for the official SDK's sake: path parameters are always encoded as one segment.
        self.safe_chars_for_path_param = safe_chars_for_path_param
        # Kept for the official SDK's sake: there are no file downloads in the Integration API.
        self.temp_folder_path = None

        self.client_side_validation = client_side_validation
        self.logger_format = logger_format
        self.logger_file = logger_file
        self.debug = debug

    # -- construction helpers ---------------------------------------------------

    @classmethod
    def from_env(cls: Type[_C], environ: Optional[Mapping[str, str]] = None, **overrides: Any) -> _C:
        """A Configuration from environment variables; keyword arguments override them.

        TALON_ONE_BASE_URL (or TALONONE_ENDPOINT)           host
        TALON_ONE_API_KEY                                   api_key_v1
        TALON_ONE_APPLICATION_ID (or TALONONE_APP_ID)       application_id
        TALON_ONE_APPLICATION_KEY (or TALONONE_APP_KEY)     application_key
        """
        environ = os.environ if environ is None else environ
        settings: Dict[str, Any] = {}
        for field, names in _ENVIRONMENT:
            for name in names:
                value = environ.get(name, "").strip()
                if value:
                    settings[field] = value
                    break
        import inspect  # here, not at import: it costs `import talon_one` milliseconds

        accepted = inspect.signature(cls.__init__).parameters
        for key in overrides:
            if key not in accepted or key == "self":
                close = difflib.get_close_matches(key, [name for name in accepted if name != "self"], n=1)
                raise ApiTypeError("Configuration.from_env() got an unknown setting %r%s" % (
                    key, " (did you mean %r?)" % close[0] if close else ""))
        settings.update((key, value) for key, value in overrides.items() if value is not None)
        if not settings.get("host"):
            raise ApiValueError("no Talon.One base URL: set TALON_ONE_BASE_URL "
                                "(for example https://mycompany.talon.one) or pass host=")
        return cls(**settings)

    @classmethod
    def get_default(cls) -> Configuration:
        """The shared default Configuration (created on first use; never copied)."""
        default = _default
        if default is None:
            default = _create_default(cls)
        return default

    @classmethod
    def set_default(cls, default: Optional[Configuration]) -> None:
        """Make `default` the shared default Configuration (None resets it); ApiTypeError for anything else."""
        if default is not None and not isinstance(default, Configuration):
            raise ApiTypeError("Configuration.set_default takes a Configuration (or None), got %s"
                               % type(default).__name__)
        global _default
        _default = default

    @classmethod
    def get_default_copy(cls) -> Configuration:
        """A copy of the default Configuration (the official SDK's way)."""
        import copy
        return copy.deepcopy(cls.get_default())

    def __deepcopy__(self: _C, memo: Dict[int, Any]) -> _C:
        """Copies settings and credential dicts; shares the loggers and handlers."""
        import copy
        clone = self.__class__.__new__(self.__class__)
        memo[id(self)] = clone
        for name, value in self.__dict__.items():
            if name in ("logger", "_logger_stream_handler", "_logger_file_handler", "_logger_formatter", "_retries",
                        "refresh_api_key_hook"):
                clone.__dict__[name] = value
            else:
                clone.__dict__[name] = copy.deepcopy(value, memo)
        clone._auth_cache = None
        return clone

    def __getstate__(self) -> Dict[str, Any]:
        """The settings; log handlers and caches are left behind (see __setstate__)."""
        state = dict(self.__dict__)
        for name in ("logger", "_logger_stream_handler", "_logger_file_handler", "_logger_formatter", "_auth_cache",
                     "_level_before_debug"):
            state.pop(name, None)
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        """Settings from another process (or a pickle): `debug` and `logger_file` are applied anew."""
        debug = state.pop("_debug", False)
        logger_file = state.pop("_logger_file", None)
        self.__dict__.update(state)
        self._auth_cache = None
        self._no_logging_yet()
        self._open_logger_file(logger_file)
        self.debug = debug

    def _no_logging_yet(self) -> None:
        """The loggers, with nothing of this configuration's set up on them yet (no handler, debug off)."""
        self._debug = False
        self._level_before_debug: Optional[int] = None
        self._logger_stream_handler: Optional[logging.StreamHandler[Any]] = None
        self._logger_file: Optional[str] = None
        self._logger_file_handler: Optional[logging.FileHandler] = None
        self.logger = {
            "package_logger": logging.getLogger(LOGGER_NAME),
            "urllib3_logger": logging.getLogger("urllib3"),
        }

    # -- transport ----------------------------------------------------------------

    # Defaults for configurations pickled before these settings existed.
    _transport: TransportName = "urllib3"
    trust_env = True
    no_proxy = None
    ssl_ca_cert_dir = None

    @property
    def transport(self) -> TransportName:
        """'urllib3' (the default) or 'requests': the transport an ApiClient builds."""
        return self._transport

    @transport.setter
    def transport(self, value: TransportName) -> None:
        if value not in TRANSPORTS:
            raise ApiValueError("transport must be one of %s (or pass a transport object to "
                                "ApiClient(configuration, transport=...)), got %r"
                                % (", ".join(repr(name) for name in TRANSPORTS), value))
        self._transport = value

    @property
    def retries(self) -> RetriesSetting:
        """The retry setting as given: None, an int, a RetryPolicy or an urllib3 Retry."""
        return self._retries

    @retries.setter
    def retries(self, value: RetriesSetting) -> None:
        resolve_policy(value)  # refuses, naming the field, what cannot be honoured
        self._retries = value

    # -- where ------------------------------------------------------------------

    @property
    def host(self) -> Optional[str]:
        """The base URL, without trailing slash (None until set)."""
        return self._host

    @host.setter
    def host(self, value: Optional[str]) -> None:
        self._host = None if value is None else normalize_host(value)

    def get_host_settings(self) -> List[Dict[str, str]]:
        return [{"url": "https://mycompany.talon.one", "description": "Your Talon.One deployment"}]

    def get_host_from_settings(self, index: Optional[int] = None, variables: Optional[Dict[str, str]] = None,
                               servers: Optional[List[Dict[str, Any]]] = None) -> Optional[str]:
        """The host (kept for the official SDK; there is a single server)."""
        return self.host

    # -- transport ------------------------------------------------------------------

    @property
    def max_response_bytes(self) -> int:
        """The largest answer read, in bytes, as sent and once decoded (default 64 MiB)."""
        return self._max_response_bytes

    @max_response_bytes.setter
    def max_response_bytes(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ApiTypeError("max_response_bytes must be an integer number of bytes, got %s"
                               % type(value).__name__)
        if value <= 0:
            raise ApiValueError("max_response_bytes must be > 0, got %d" % value)
        self._max_response_bytes = value

    # -- credentials --------------------------------------------------------------

    @property
    def api_key_v1(self) -> Optional[str]:
        """The Integration API key (without prefix), or None."""
        return self.api_key.get(API_KEY_HEADER) or self.api_key.get("api_key_v1")

    @api_key_v1.setter
    def api_key_v1(self, key: Optional[str]) -> None:
        if key is None:
            self.api_key.pop(API_KEY_HEADER, None)
            self.api_key.pop("api_key_v1", None)
            return
        check_header_value("api_key_v1", key)
        if not key.strip():
            raise ApiValueError("api_key_v1 is empty")
        self.api_key[API_KEY_HEADER] = key.strip()
        self.api_key_prefix[API_KEY_HEADER] = API_KEY_PREFIX

    @property
    def application_id(self) -> Optional[int]:
        """The application id used as `signer` in Content-Signature, or None."""
        return self._application_id

    @application_id.setter
    def application_id(self, value: Union[int, str, None]) -> None:
        self._application_id = None if value is None else _application_id(value)
        self._pair_signing_credentials()

    @property
    def application_key(self) -> Optional[str]:
        """The application's hex key used to sign request bodies, or None."""
        return self._application_key

    @application_key.setter
    def application_key(self, value: Optional[str]) -> None:
        if value is None:
            self._application_key = self._signing_key = None
        else:
            self._signing_key = _signing_key_from_hex(value)
            self._application_key = value.strip()
        self._pair_signing_credentials()

    def set_signing_credentials(self, application_id: Union[int, str], application_key: str) -> None:
        """Set (or rotate) application_id and application_key together, as one change.

        Calls running in other threads sign with the old pair or the new one, never with
        the new id and the old key: setting the two attributes one after the other
        leaves a moment where they do not match.
        """
        application_id = _application_id(application_id)
        signing_key = _signing_key_from_hex(application_key)
        self._application_id, self._application_key, self._signing_key = (
            application_id, application_key.strip(), signing_key)
        self._signing_credentials = (application_id, signing_key)

    def _pair_signing_credentials(self) -> None:
        application_id, signing_key = self._application_id, self._signing_key
        self._signing_credentials = (None if application_id is None or signing_key is None
                                     else (application_id, signing_key))

    @property
    def signing_credentials(self) -> Optional[Tuple[int, bytes]]:
        """(application_id, key bytes) when signed requests are set up, else None; read as one pair."""
        return self._signing_credentials

    def get_basic_auth_token(self) -> Optional[str]:
        """'Basic <base64 of username:password>' (the official SDK's helper; the Integration API
        authenticates with an API key or a signature, not with this)."""
        import urllib3
        credentials = "%s:%s" % (self.username or "", self.password or "")
        return urllib3.util.make_headers(basic_auth=credentials).get("authorization")

    def get_api_key_with_prefix(self, identifier: str, alias: Optional[str] = None) -> Optional[str]:
        """The header value for API key `identifier` ('Authorization'), prefix included, or None."""
        if self.refresh_api_key_hook is not None:
            self.refresh_api_key_hook(self)
        key = self.api_key.get(identifier)
        if key is None and alias is not None:
            key = self.api_key.get(alias)
        if not key:
            return None
        prefix = self.api_key_prefix.get(identifier)
        if prefix is None and alias is not None:
            prefix = self.api_key_prefix.get(alias)
        if prefix is None and identifier in (API_KEY_HEADER, "api_key_v1") and " " not in key:
            prefix = API_KEY_PREFIX
        return "%s %s" % (prefix, key) if prefix else key

    def auth_settings(self) -> Dict[str, AuthSetting]:
        """The official SDK's description of the auth schemes.

        The 'integration_auth' value is computed per request from the body, so it
        is None here unless a fixed Content-Signature was put in `api_key`.
        """
        return {
            "api_key_v1": {
                "type": "api_key", "in": "header", "key": API_KEY_HEADER,
                "value": self._api_key_value(API_KEY_HEADER, "api_key_v1"),
            },
            "integration_auth": {
                "type": "api_key", "in": "header", "key": SIGNATURE_HEADER,
                "value": self._api_key_value(SIGNATURE_HEADER, "integration_auth"),
            },
        }

    def _api_key_value(self, identifier: str, alias: str) -> Optional[str]:
        """get_api_key_with_prefix(identifier), also under `alias`; a subclass's override is called
        with the official SDK's signature, (identifier)."""
        if type(self).get_api_key_with_prefix is Configuration.get_api_key_with_prefix:
            return self.get_api_key_with_prefix(identifier, alias=alias)
        return self.get_api_key_with_prefix(identifier)

    def overrides_auth(self) -> bool:
        """Whether this is a subclass overriding get_api_key_with_prefix or auth_settings (the official
        SDK's hooks, for keys kept elsewhere): requests then take their credentials from auth_settings()."""
        cls = type(self)
        return (cls.get_api_key_with_prefix is not Configuration.get_api_key_with_prefix
                or cls.auth_settings is not Configuration.auth_settings)

    def describe_auth(self) -> str:
        """The configured credentials, named without their values ('api_key_v1', ...)."""
        schemes = []
        if self.api_key_v1:
            schemes.append("api_key_v1")
        credentials = self.signing_credentials
        if credentials is not None:
            schemes.append("integration_auth(application_id=%d)" % credentials[0])
        elif self._signing_key is not None:
            schemes.append("integration_auth(application_id missing)")
        return " + ".join(schemes) if schemes else "none"

    # -- logging --------------------------------------------------------------------

    @property
    def debug(self) -> bool:
        """Log requests and responses (credentials redacted) on the 'talon_one' logger at DEBUG."""
        return self._debug

    @debug.setter
    def debug(self, value: bool) -> None:
        value = bool(value)
        logger = self.logger["package_logger"]
        if value and not self._debug:
            self._level_before_debug = logger.level
            logger.setLevel(logging.DEBUG)
            if not logger.hasHandlers():
                # Nothing would print otherwise: show the log on stderr.
                self._logger_stream_handler = logging.StreamHandler()
                self._logger_stream_handler.setFormatter(self.logger_formatter)
                logger.addHandler(self._logger_stream_handler)
        elif not value and self._debug:
            if self._level_before_debug is not None:
                logger.setLevel(self._level_before_debug)
            if self._logger_stream_handler is not None:
                logger.removeHandler(self._logger_stream_handler)
                self._logger_stream_handler = None
        self._debug = value

    @property
    def logger_format(self) -> str:
        return self._logger_format

    @logger_format.setter
    def logger_format(self, value: str) -> None:
        self._logger_format = value
        self.__dict__.pop("_logger_formatter", None)  # a formatter set before is replaced, as in the official SDK
        formatter = logging.Formatter(value)
        for handler in (self._logger_stream_handler, self._logger_file_handler):
            if handler is not None:
                handler.setFormatter(formatter)

    @property
    def logger_file(self) -> Optional[str]:
        """A file the 'talon_one' log is also written to, or None."""
        return self._logger_file

    @logger_file.setter
    def logger_file(self, value: Optional[str]) -> None:
        logger = self.logger["package_logger"]
        if self._logger_file_handler is not None:
            logger.removeHandler(self._logger_file_handler)
            self._logger_file_handler.close()
            self._logger_file_handler = None
        self._logger_file = None
        self._open_logger_file(value)

    def _open_logger_file(self, path: Optional[str]) -> None:
        """Log to `path` too; a handler this process already has for that file is shared, not doubled."""
        self._logger_file = path
        if not path:
            return
        logger = self.logger["package_logger"]
        target = os.path.abspath(path)
        for handler in logger.handlers:
            if isinstance(handler, logging.FileHandler) and handler.baseFilename == target:
                self._logger_file_handler = handler
                return
        self._logger_file_handler = logging.FileHandler(path)
        self._logger_file_handler.setFormatter(self.logger_formatter)
        logger.addHandler(self._logger_file_handler)

    @property
    def logger_file_handler(self) -> Optional[logging.FileHandler]:
        """The logging.FileHandler writing to `logger_file`, or None (the official SDK's attribute).
        Settable, as it was there: the handler then stands for `logger_file`'s."""
        return self._logger_file_handler

    @logger_file_handler.setter
    def logger_file_handler(self, value: Optional[logging.FileHandler]) -> None:
        self._logger_file_handler = value

    @property
    def logger_stream_handler(self) -> Optional[logging.StreamHandler[Any]]:
        """The stderr handler `debug=True` added when nothing else would print, or None. Settable."""
        return self._logger_stream_handler

    @logger_stream_handler.setter
    def logger_stream_handler(self, value: Optional[logging.StreamHandler[Any]]) -> None:
        self._logger_stream_handler = value

    @property
    def logger_formatter(self) -> logging.Formatter:
        """A logging.Formatter for `logger_format` (the official SDK's attribute). Setting one (or None
        for `logger_format`'s) applies it to the handlers this configuration added."""
        formatter = self.__dict__.get("_logger_formatter")
        return formatter if formatter is not None else logging.Formatter(self._logger_format)

    @logger_formatter.setter
    def logger_formatter(self, value: Optional[logging.Formatter]) -> None:
        self._logger_formatter = value
        for handler in (self._logger_stream_handler, self._logger_file_handler):
            if handler is not None:
                handler.setFormatter(self.logger_formatter)

    def to_debug_report(self) -> str:
        """Versions for a bug report (no settings, no keys)."""
        import platform
        import urllib3
        return ("Python SDK Debug Report:\n"
                "OS: {os}\nPython Version: {python}\nurllib3 Version: {urllib3}\n"
                "SDK Package Version: {version}").format(
                    os=sys.platform, python=platform.python_version(),
                    # urllib3 sets __version__ without listing it in its __all__.
                    urllib3=urllib3.__version__, version=__version__)  # type: ignore[attr-defined]


    # -- display ------------------------------------------------------------------------

    def __repr__(self) -> str:
        # Reads the stored values, never raising: a half-built instance (its __init__ raised)
        # is shown too, as traceback.TracebackException(capture_locals=True) does.
        settings = self.__dict__
        try:
            auth = self.describe_auth()
        except Exception:
            auth = "?"
        return ("Configuration(host=%r, auth=%s, connect_timeout=%r, read_timeout=%r, retries=%r, "
                "verify_ssl=%r, proxy=%r, debug=%r)" % (
                    settings.get("_host"), auth, settings.get("connect_timeout"), settings.get("read_timeout"),
                    settings.get("_retries"), settings.get("verify_ssl"), redact_url(settings.get("proxy")),
                    settings.get("_debug", False)))

    if not TYPE_CHECKING:  # hidden from type checkers, which then still flag a misspelt setting themselves
        def __setattr__(self, name: str, value: Any) -> None:
            """Checks a setting as it is set, and refuses a misspelt one (`read_timout = 10`).

            Checked settings are stored as plain attributes, so reading them on every call
            costs nothing more. Unknown names are refused only on Configuration itself: a
            subclass may add attributes of its own; names with a leading underscore stay free.
            """
            check = _CHECKS.get(name)
            if check is not None:
                value = check(value)
            elif name not in _SETTABLE and name[:1] != "_" and type(self) is Configuration:
                close = difflib.get_close_matches(name, _SETTABLE, n=1)
                raise ApiAttributeError("Configuration has no setting %r%s" % (
                    name, " (did you mean %r?)" % close[0] if close else ""))
            object.__setattr__(self, name, value)

    __str__ = __repr__


def _timeout_setting(name: str) -> Callable[[Optional[float]], Optional[float]]:
    def check(value: Optional[float]) -> Optional[float]:
        return None if value is None else check_seconds(name, value)
    return check


def _verify_ssl(value: object) -> bool:
    """True or False; 1 and 0 too (code written for the official SDK, which tested the truth of it)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ApiTypeError("verify_ssl must be True or False, got %r" % (value,))


def _pool_maxsize(value: object) -> int:
    """A positive int; None: the default, max(32, 5 x CPUs)."""
    if value is None:
        return max(DEFAULT_POOL_MAXSIZE, (os.cpu_count() or 1) * 5)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiTypeError("connection_pool_maxsize must be a positive integer, got %s" % type(value).__name__)
    if value <= 0:
        raise ApiValueError("connection_pool_maxsize must be a positive integer, got %d" % value)
    return value


def _default_headers(value: object) -> Dict[str, str]:
    return check_headers("default_headers", value)


# The settings Configuration.__setattr__ checks (and normalizes) as they are set.
_CHECKS: Dict[str, Callable[[Any], Any]] = {
    "connect_timeout": _timeout_setting("connect_timeout"),
    "read_timeout": _timeout_setting("read_timeout"),
    "verify_ssl": _verify_ssl,
    "connection_pool_maxsize": _pool_maxsize,
    "default_headers": _default_headers,
}
# The public names a Configuration takes: its settings and properties, and every attribute the
# official SDK's Configuration had (so code written for it keeps working).
_SETTABLE = frozenset(
    [name for name in dir(Configuration) if not name.startswith("_")]
    + list(Configuration.__annotations__)
    + ["api_key", "api_key_prefix", "assert_hostname", "cert_file", "client_side_validation",
       "connection_pool_maxsize", "discard_unknown_keys", "host", "key_file", "logger", "logger_file_handler",
       "logger_formatter", "logger_stream_handler", "password", "proxy", "proxy_headers", "refresh_api_key_hook",
       "retries", "safe_chars_for_path_param", "ssl_ca_cert", "temp_folder_path", "username", "verify_ssl"])


def _create_default(cls: Type[Configuration]) -> Configuration:

    global _default
    with _default_lock:
        if _default is None:
            _default = cls()
        return _default
