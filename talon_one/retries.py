"""The retry policy, in one place: what is retried, how long to wait, when to stop.

The transport (`talon_one.rest`) sends each attempt with urllib3's own retries
off and asks this module, after every failure, whether to try again:

* A connection that failed before the request was sent (refused, DNS, connect
  timeout) is retried for every method: the service never saw the request.
* 429 and 503 are retried for idempotent methods, and for a POST only when
  they carry a valid `Retry-After`: the sign of the service's own rate
  limiting, which refuses a request before processing it. A bare 503 also
  comes from proxies (Envoy, Istio) after an upstream reset, possibly after
  the service applied the request, so such a POST is not sent again. The wait
  is what `Retry-After` asks for (seconds or an HTTP date, read against the
  response's own `Date`). When it asks for more than `max_retry_after` (30 s
  by default) the call does not wait: it raises TooManyRequestsException /
  ServiceException carrying `.retry_after`, so the caller can decide.
* 500, 502, 504, a read timeout and a connection lost after the request was
  sent are retried only for idempotent methods (GET, HEAD, PUT, DELETE,
  OPTIONS). A POST whose outcome is unknown is never sent twice.

Waits without `Retry-After` use exponential backoff with full jitter:
random(0, min(backoff_max, backoff_base * backoff_factor ** n)).
No retry starts once `max_total_time` has passed since the call began, and a
retried attempt's timeout is cut to the time left. It is also a hard deadline for
reading the answer (`talon_one.rest`): a server that drip-feeds its response, a
byte at a time within the read timeout, still ends the call with ApiTimeoutError.
"""

from __future__ import annotations

import datetime
import email.utils
import random as _random
import time
from typing import Any, Callable, Collection, Dict, FrozenSet, Iterable, Mapping, Optional, Tuple, Type, TypeVar, Union

from urllib3 import exceptions as _u3
from urllib3.util.retry import Retry as _Urllib3Retry

from talon_one.exceptions import ApiTypeError, ApiValueError

__all__ = [
    "RetryPolicy",
    "DEFAULT_RETRY_POLICY",
    "IDEMPOTENT_METHODS",
    "parse_retry_after",
    "failure_kind",
    "resolve_policy",
    "policy_from_urllib3_retry",
    "Urllib3RetryPolicy",
    "MAX_TIMEOUT",
    "check_seconds",
]

IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"))
# Statuses that, with a Retry-After, say the request was not processed: retried for any method then.
RETRY_AFTER_STATUSES = frozenset((429, 503))
# Statuses whose outcome is unknown: retried for idempotent methods only.
IDEMPOTENT_RETRY_STATUSES = frozenset((500, 502, 504))
RETRYABLE_STATUSES = RETRY_AFTER_STATUSES | IDEMPOTENT_RETRY_STATUSES

# What failure_kind() returns.
NOT_SENT = "connection failed before the request was sent"
READ_TIMEOUT = "read timeout"
CONNECTION_LOST = "connection lost after the request was sent"
OTHER = "other"

# The longest timeout or time budget accepted, in seconds: one day. Past a few weeks the
# standard library and the event loop overflow (poll() and epoll take milliseconds as a C int:
# 24.8 days; Windows' threading.TIMEOUT_MAX: 49.7 days; urllib3 and aiohttp turn
# time.monotonic() + timeout into a timestamp or int, which inf or 1e300 overflow), and that
# after the request was sent. A call to the Integration API that may take a day is not bounded
# by a timeout at all; one day still leaves room for any batch job's generous budget.
MAX_TIMEOUT = 24 * 60 * 60.0


def check_seconds(what: str, value: object, zero_allowed: bool = False) -> float:
    """`value` as a number of seconds: finite, > 0 (>= 0 when `zero_allowed`) and at most
    MAX_TIMEOUT; else ApiValueError (ApiTypeError for a non-number) naming `what`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ApiValueError("%s must be a number of seconds, got %r" % (what, value))
    # "not (0 < value <= MAX)" also refuses NaN, which every comparison calls False.
    if not ((0 <= value if zero_allowed else 0 < value) and value <= MAX_TIMEOUT):
        raise ApiValueError("%s must be a number of seconds %s and at most %g (one day), got %r"
                            % (what, ">= 0" if zero_allowed else "> 0", MAX_TIMEOUT, value))
    return value


_Policy = TypeVar("_Policy", bound="RetryPolicy")
_Urllib3Policy = TypeVar("_Urllib3Policy", bound="Urllib3RetryPolicy")

_NAME_RESOLUTION_ERROR: Type[Exception] = getattr(_u3, "NameResolutionError", _u3.NewConnectionError)


class RetryPolicy:
    """How a call is retried. Immutable in use; build a new one (or `replace(...)`) to change it.

    max_retries      retries after the first attempt (default 2; 0 disables retrying)
    backoff_base     first backoff ceiling in seconds (default 0.25)
    backoff_factor   growth of the ceiling per retry (default 2)
    backoff_max      largest backoff ceiling in seconds (default 8)
    max_retry_after  longest Retry-After the client waits, in seconds (default 30);
                     a longer one ends the call with the exception carrying `.retry_after`
    max_total_time   time budget in seconds for the whole call, retries and waits
                     included (default 60); no retry starts past it, and no answer
                     is read past it (0: no deadline)
    sleep, random, clock
                     injectable time.sleep, random.random and time.monotonic (for tests)
    """

    __slots__ = ("max_retries", "backoff_base", "backoff_factor", "backoff_max",
                 "max_retry_after", "max_total_time", "sleep", "random", "clock")

    max_retries: int
    backoff_base: float
    backoff_factor: float
    backoff_max: float
    max_retry_after: float
    max_total_time: float
    sleep: Callable[[float], object]
    random: Callable[[], float]
    clock: Callable[[], float]

    def __init__(self, max_retries: int = 2, backoff_base: float = 0.25, backoff_factor: float = 2.0,
                 backoff_max: float = 8.0, max_retry_after: float = 30.0, max_total_time: float = 60.0,
                 sleep: Callable[[float], object] = time.sleep, random: Callable[[], float] = _random.random,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ApiValueError("max_retries must be an integer >= 0, got %r" % (max_retries,))
        for name, value in (("backoff_base", backoff_base), ("backoff_max", backoff_max),
                            ("max_retry_after", max_retry_after), ("max_total_time", max_total_time)):
            check_seconds(name, value, zero_allowed=True)
        if (isinstance(backoff_factor, bool) or not isinstance(backoff_factor, (int, float))
                or not 0 <= backoff_factor < float("inf")):
            raise ApiValueError("backoff_factor must be a finite number >= 0, got %r" % (backoff_factor,))
        self.max_retries = max_retries
        self.backoff_base = float(backoff_base)
        self.backoff_factor = float(backoff_factor)
        self.backoff_max = float(backoff_max)
        self.max_retry_after = float(max_retry_after)
        self.max_total_time = float(max_total_time)
        self.sleep = sleep
        self.random = random
        self.clock = clock

    def _settings(self) -> Dict[str, Any]:
        """The constructor's keyword arguments that rebuild this policy (a subclass adds its own)."""
        return {name: getattr(self, name) for name in _SETTINGS}

    def replace(self: _Policy, **changes: Any) -> _Policy:
        """A copy of the same class with some settings changed (`changes`: the constructor's keyword arguments)."""
        settings = self._settings()
        settings.update(changes)
        return type(self)(**settings)

    def __repr__(self) -> str:
        return ("RetryPolicy(max_retries=%d, backoff_base=%g, backoff_factor=%g, backoff_max=%g, "
                "max_retry_after=%g, max_total_time=%g)" % (
                    self.max_retries, self.backoff_base, self.backoff_factor, self.backoff_max,
                    self.max_retry_after, self.max_total_time))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RetryPolicy):
            return NotImplemented
        return type(self) is type(other) and self._settings() == other._settings()

    __hash__ = None  # type: ignore[assignment]  # mutable settings: not hashable

    def __reduce__(self) -> _Reduced:
        # Pickled without the default random.random: a bound method pickles its Random's state,
        # and every process unpickling it would then draw the same "random" waits.
        settings = self._settings()
        for name, default in _DEFAULT_FUNCTIONS.items():
            if name in settings and settings[name] == default:
                del settings[name]
        return _policy_from_settings, (type(self), settings)

    def for_call(self) -> RetryPolicy:
        """The policy to consult during one call: this one (it keeps no per-call state)."""
        return self

    # -- decisions ---------------------------------------------------------

    def backoff(self, retry_number: int) -> float:
        """The wait before retry number `retry_number` (0 for the first): full jitter."""
        ceiling = min(self.backoff_max, self.backoff_base * self.backoff_factor ** retry_number)
        return self.random() * ceiling

    def delay_after_status(self, method: str, status: int, retry_after: Optional[float],
                           retry_number: int) -> Optional[float]:
        """Seconds to wait before retrying a `status` response, or None to stop."""
        if retry_number >= self.max_retries:
            return None
        if status in RETRY_AFTER_STATUSES:
            if retry_after is None:
                # No sign that the request was refused unprocessed: only an idempotent one is re-sent.
                return self.backoff(retry_number) if method in IDEMPOTENT_METHODS else None
            return retry_after if retry_after <= self.max_retry_after else None
        if status in IDEMPOTENT_RETRY_STATUSES and method in IDEMPOTENT_METHODS:
            return self.backoff(retry_number)
        return None

    def delay_after_error(self, method: str, kind: str, retry_number: int) -> Optional[float]:
        """Seconds to wait before retrying after a transport failure of `kind`, or None to stop."""
        if retry_number >= self.max_retries:
            return None
        if kind == NOT_SENT:
            return self.backoff(retry_number)
        if kind in (READ_TIMEOUT, CONNECTION_LOST) and method in IDEMPOTENT_METHODS:
            return self.backoff(retry_number)
        return None


# The settings every policy has (a subclass's own __slots__ hold only what it adds).
_SETTINGS = RetryPolicy.__slots__
DEFAULT_RETRY_POLICY = RetryPolicy()
_DEFAULT_FUNCTIONS: Dict[str, Callable[..., object]] = {
    "sleep": time.sleep, "random": _random.random, "clock": time.monotonic}

# What a `retries` setting may be (Configuration.retries, the per-call _retries): see resolve_policy.
RetriesSetting = Union[None, int, RetryPolicy, _Urllib3Retry]


def _policy_from_settings(cls: Type[RetryPolicy], settings: Dict[str, Any]) -> RetryPolicy:
    return cls(**settings)


# What RetryPolicy.__reduce__ returns: the function that rebuilds the policy, and its arguments.
_Reduced = Tuple[Callable[[Type[RetryPolicy], Dict[str, Any]], RetryPolicy], Tuple[Type[RetryPolicy], Dict[str, Any]]]


def resolve_policy(setting: RetriesSetting, base: Optional[RetryPolicy] = None,
                   what: Optional[str] = None) -> RetryPolicy:
    """The RetryPolicy for a `retries` setting: None (the default), an int, a RetryPolicy,
    or an urllib3 Retry (see policy_from_urllib3_retry).

    An int keeps the other settings (sleep included) of `base`. A setting given with a
    `base` is a per-call `_retries`; errors name `what`: 'retries' (Configuration.retries)
    without a base, '_retries' with one, unless given. ApiTypeError for a value of the
    wrong type, ApiValueError for a negative count or an urllib3 Retry that cannot be honoured.
    """
    what = what or ("retries" if base is None else "_retries")
    base = base or DEFAULT_RETRY_POLICY
    if setting is None:
        return base
    if isinstance(setting, RetryPolicy):
        return setting
    if setting is False:
        setting = 0
    if isinstance(setting, _Urllib3Retry):
        return policy_from_urllib3_retry(setting, base, what)
    if isinstance(setting, int) and not isinstance(setting, bool):
        if setting < 0:
            raise ApiValueError("%s must be an int >= 0 (the number of retries), got %d" % (what, setting))
        return base if setting == base.max_retries else base.replace(max_retries=setting)
    raise ApiTypeError("%s must be None, an int >= 0, a talon_one.retries.RetryPolicy or an urllib3 Retry, got %s"
                       % (what, type(setting).__name__))


def failure_kind(error: BaseException) -> str:
    """Classify an urllib3 / socket error for the retry decision.

    NOT_SENT: the connection was never made (refused, DNS, connect timeout, proxy
    unreachable); READ_TIMEOUT; CONNECTION_LOST: reset, closed or cut short once
    the request may have been sent; OTHER: TLS and anything else (not retried).
    """
    if isinstance(error, _u3.MaxRetryError) and error.reason is not None:
        return failure_kind(error.reason)
    if isinstance(error, _u3.ProxyError):
        original = getattr(error, "original_error", None)
        if isinstance(original, (_u3.NewConnectionError, _u3.ConnectTimeoutError, ConnectionRefusedError)):
            return NOT_SENT
        # Through a proxy, urllib3 reports a connection dropped after sending as a ProxyError
        # wrapping RemoteDisconnected: the request may have been delivered.
        if isinstance(original, (_u3.ProtocolError, ConnectionError)):
            return CONNECTION_LOST
        return OTHER
    if isinstance(error, (_u3.NewConnectionError, _u3.ConnectTimeoutError, _NAME_RESOLUTION_ERROR)):
        return NOT_SENT
    if isinstance(error, _u3.ReadTimeoutError):
        return READ_TIMEOUT
    if isinstance(error, _u3.SSLError):
        return OTHER
    if isinstance(error, (_u3.ProtocolError, ConnectionError)):
        return CONNECTION_LOST
    return OTHER


def parse_retry_after(value: Optional[str], now: Optional[float] = None,
                      date: Optional[str] = None) -> Optional[float]:
    """Seconds asked for by a Retry-After header (delta-seconds or an HTTP date), or None.

    An HTTP date is measured from the response's own `Date` header when it has a valid
    one (both come from the server's clock, so a skewed local clock does not matter,
    RFC 9110 section 10.2.3), else from `now` (time.time() by default). A date in the
    past gives 0. A value that parses as neither gives None.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        sent = _http_date(date) if date else None
        return _seconds_until_http_date(value, now if sent is None else sent)
    if seconds != seconds or seconds < 0 or seconds == float("inf"):
        return None
    return seconds


def _seconds_until_http_date(value: str, now: Optional[float]) -> Optional[float]:
    when = _http_date(value)
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when - now)


def _http_date(value: str) -> Optional[float]:
    """An HTTP date as a POSIX timestamp, or None."""
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
        if when.tzinfo is None:  # "-0000" dates come back naive; HTTP dates are GMT
            when = when.replace(tzinfo=datetime.timezone.utc)
        return when.timestamp()
    except (TypeError, ValueError, IndexError, OverflowError, AttributeError):
        return None


# --------------------------------------------------------------------------
# urllib3 Retry, as the official SDK took it in Configuration.retries
# --------------------------------------------------------------------------

def policy_from_urllib3_retry(retry: _Urllib3Retry, base: Optional[RetryPolicy] = None,
                              what: str = "retries") -> RetryPolicy:
    """The RetryPolicy that does what an urllib3 `Retry` asks, or ApiValueError naming the field
    that cannot be honoured.

    Honoured: `total`, and the counts per kind `connect` (connection not made),
    `read` (read timeout, connection lost after sending) and `status`;
    `status_forcelist` (any of 429, 500, 502, 503, 504); `allowed_methods` (the
    methods retried after a read error or a listed status); `backoff_factor`
    and `backoff_max` (the waits' ceiling grows as backoff_factor * 2 ** n, up to
    backoff_max; each wait is drawn at random below it: full jitter);
    `respect_retry_after_header` (429 and 503 answers carrying Retry-After are
    retried after the delay asked for, as urllib3 does); `retry_after_max`
    (lowers max_retry_after). `raise_on_status`, `raise_on_redirect`,
    `remove_headers_on_redirect` and `history` change nothing here: a status left
    after the retries always raises its ApiException, and redirects are not followed.

    Kept whatever the Retry says: a request whose outcome is unknown (read error,
    or a listed status other than 429/503) is re-sent only for idempotent methods,
    so a POST is never sent twice; TLS and other errors are not retried; the
    policy's `max_total_time` budget (from `base`) bounds the whole call.

    Refused (ApiValueError): `redirect` or `other` > 0, `backoff_jitter` > 0,
    a status_forcelist status talon_one does not retry, and `total=None` with a
    count left unlimited (talon_one never retries without a count).
    """
    base = base or DEFAULT_RETRY_POLICY
    total = _retry_count(what, retry, "total")
    if total is False:
        return base.replace(max_retries=0)
    counts = {kind: _retry_count(what, retry, kind) for kind in ("connect", "read", "status")}
    for kind in ("redirect", "other"):
        if _retry_count(what, retry, kind):
            raise _refusal(what, retry, kind, "talon_one does not retry %s; leave %s=None or 0"
                           % ("redirects (it does not follow them)" if kind == "redirect"
                              else "TLS or other errors", kind))
    if getattr(retry, "backoff_jitter", 0):
        raise _refusal(what, retry, "backoff_jitter", "talon_one always draws each wait at random below the "
                       "backoff ceiling (full jitter); leave backoff_jitter=0")
    statuses = frozenset(retry.status_forcelist or ())
    unsupported = sorted(statuses - RETRYABLE_STATUSES)
    if unsupported:
        raise _refusal(what, retry, "status_forcelist", "talon_one retries only %s, not %s"
                       % (", ".join(map(str, sorted(RETRYABLE_STATUSES))), ", ".join(map(str, unsupported))))
    respect_retry_after = bool(retry.respect_retry_after_header)
    if total is None:
        status_retried = bool(statuses) or respect_retry_after
        for kind, count in counts.items():
            if count is None and (kind != "status" or status_retried):
                raise _refusal(what, retry, kind, "with total=None, %s=None would retry without limit; "
                               "set total= or %s=" % (kind, kind))
        max_retries = sum(count or 0 for count in counts.values())
    else:
        max_retries = total
    methods = retry.allowed_methods
    retry_after_max: Optional[float] = retry.retry_after_max
    return Urllib3RetryPolicy(
        max_retries=max_retries,
        backoff_base=float(retry.backoff_factor or 0),
        backoff_factor=2.0,
        backoff_max=float(retry.backoff_max),
        max_retry_after=(base.max_retry_after if retry_after_max is None
                         else min(base.max_retry_after, float(retry_after_max))),
        max_total_time=base.max_total_time,
        sleep=base.sleep, random=base.random, clock=base.clock,
        counts=counts, statuses=statuses,
        methods=None if not methods else frozenset(m.upper() for m in methods),
        respect_retry_after=respect_retry_after)


def _retry_count(what: str, retry: _Urllib3Retry, field: str) -> Optional[int]:
    """The count `field` of `retry`: None (no limit of its own), False (no retries) or an int >= 0."""
    value: object = getattr(retry, field, None)
    if value is None:
        return None
    if value is False:
        return False
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _refusal(what, retry, field, "%s must be an integer >= 0, None or False" % field)
    return value


def _refusal(what: str, retry: _Urllib3Retry, field: str, why: str) -> ApiValueError:
    return ApiValueError("%s: urllib3 Retry(%s=%r) cannot be honoured: %s" % (what, field, getattr(retry, field), why))


class Urllib3RetryPolicy(RetryPolicy):
    """A RetryPolicy made from an urllib3 Retry: counts per kind, listed statuses, allowed methods.

    counts               {'connect', 'read', 'status': retries allowed, None for no own limit}
    statuses             the statuses to retry (status_forcelist)
    methods              methods retried after a read error or a listed status (None: all)
    respect_retry_after  retry 429/503 answers that carry Retry-After, waiting what they ask
    Safety rules of RetryPolicy hold: see policy_from_urllib3_retry.
    """

    __slots__ = ("counts", "statuses", "methods", "respect_retry_after", "_used")

    counts: Dict[str, Optional[int]]
    statuses: FrozenSet[int]
    methods: Optional[Collection[str]]
    respect_retry_after: bool
    _used: Optional[Dict[str, int]]

    def __init__(self, counts: Optional[Mapping[str, Optional[int]]] = None, statuses: Iterable[int] = frozenset(),
                 methods: Optional[Collection[str]] = None, respect_retry_after: bool = True,
                 **settings: Any) -> None:
        """`settings`: RetryPolicy's keyword arguments."""
        super().__init__(**settings)
        self.counts = dict(counts or {})
        self.statuses = frozenset(statuses)
        self.methods = methods
        self.respect_retry_after = respect_retry_after
        self._used = None

    def _settings(self) -> Dict[str, Any]:
        settings = super()._settings()
        settings.update(counts=self.counts, statuses=self.statuses, methods=self.methods,
                        respect_retry_after=self.respect_retry_after)
        return settings

    def __repr__(self) -> str:
        return "%s from urllib3 Retry(counts=%r, statuses=%s, methods=%s, respect_retry_after=%r)" % (
            super().__repr__(), self.counts, sorted(self.statuses),
            None if self.methods is None else sorted(self.methods), self.respect_retry_after)

    def for_call(self: _Urllib3Policy) -> _Urllib3Policy:
        """A copy that counts this call's retries per kind."""
        policy = self.replace()
        policy._used = {"connect": 0, "read": 0, "status": 0}
        return policy

    def _take(self, kind: str) -> bool:
        """Use up one retry of `kind`, or False when its own count is spent."""
        limit = self.counts.get(kind)
        used = self._used if self._used is not None else {}
        if limit is not None and used.get(kind, 0) >= limit:
            return False
        if self._used is not None:
            self._used[kind] = used.get(kind, 0) + 1
        return True

    def _method_allowed(self, method: str) -> bool:
        return self.methods is None or method in self.methods

    def delay_after_status(self, method: str, status: int, retry_after: Optional[float],
                           retry_number: int) -> Optional[float]:
        if retry_number >= self.max_retries or not self._method_allowed(method):
            return None
        listed = status in self.statuses
        asked = self.respect_retry_after and retry_after is not None and status in RETRY_AFTER_STATUSES
        if not (listed or asked):
            return None
        told_unprocessed = status in RETRY_AFTER_STATUSES and retry_after is not None
        if method not in IDEMPOTENT_METHODS and not told_unprocessed:
            return None  # the outcome is unknown: never re-sent for POST (as RetryPolicy.delay_after_status)
        if self.respect_retry_after and retry_after is not None and status in RETRY_AFTER_STATUSES:
            if retry_after > self.max_retry_after:
                return None
            return retry_after if self._take("status") else None
        return self.backoff(retry_number) if self._take("status") else None

    def delay_after_error(self, method: str, kind: str, retry_number: int) -> Optional[float]:
        if retry_number >= self.max_retries:
            return None
        if kind == NOT_SENT:
            return self.backoff(retry_number) if self._take("connect") else None
        if kind in (READ_TIMEOUT, CONNECTION_LOST) and method in IDEMPOTENT_METHODS and self._method_allowed(method):
            return self.backoff(retry_number) if self._take("read") else None
        return None
