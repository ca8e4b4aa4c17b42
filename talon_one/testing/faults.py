"""Fault injection: make the next requests fail the way a real deployment sometimes does."""

import threading
from collections import deque
from dataclasses import dataclass
from typing import Deque, Optional, Union

DROP_BEFORE_BODY = "before_body"
DROP_AFTER_BODY = "after_body"

_MESSAGES = {
    429: "Too many requests",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}


@dataclass(frozen=True)
class Fault:
    """One misbehaviour, applied to one request.

    * ``status``: answer with this error status (e.g. 429, 500, 502, 503,
      504) and an ErrorResponse body instead of handling the request;
    * ``retry_after``: with ``status``, send a ``Retry-After`` header
      (seconds, or any text such as an HTTP date);
    * ``delay``: wait this many seconds before answering (alone: then the
      request is handled normally);
    * ``drop``: close the connection without any answer, either before
      reading the request body (``"before_body"``) or after it
      (``"after_body"``).

    The class methods build the common cases.
    """

    status: Optional[int] = None
    retry_after: Optional[Union[int, float, str]] = None
    delay: float = 0.0
    drop: Optional[str] = None

    def __post_init__(self) -> None:
        if self.drop not in (None, DROP_BEFORE_BODY, DROP_AFTER_BODY):
            raise ValueError(f"drop must be None, {DROP_BEFORE_BODY!r} or {DROP_AFTER_BODY!r}")
        if self.drop is not None and self.status is not None:
            raise ValueError("a dropped connection has no status")
        if self.status is not None and not 400 <= self.status <= 599:
            raise ValueError("status must be an error status (400-599)")
        if self.retry_after is not None and self.status is None:
            raise ValueError("retry_after needs a status")
        if self.delay < 0:
            raise ValueError("delay must not be negative")
        if self.status is None and self.drop is None and self.delay == 0:
            raise ValueError("a fault needs a status, a delay or a drop")

    @classmethod
    def rate_limited(cls, retry_after: Optional[Union[int, float, str]] = None) -> "Fault":
        """429 Too Many Requests, with a ``Retry-After`` header when given."""
        return cls(status=429, retry_after=retry_after)

    @classmethod
    def unavailable(cls, retry_after: Optional[Union[int, float, str]] = None) -> "Fault":
        """503 Service Unavailable."""
        return cls(status=503, retry_after=retry_after)

    @classmethod
    def server_error(cls, status: int = 500) -> "Fault":
        """A 5xx answer such as 500, 502 or 504."""
        if not 500 <= status <= 599:
            raise ValueError("server_error needs a 5xx status")
        return cls(status=status)

    @classmethod
    def slow(cls, seconds: float) -> "Fault":
        """Answer normally, but only after ``seconds``."""
        return cls(delay=seconds)

    @classmethod
    def dropped_connection(cls, before_body: bool = False) -> "Fault":
        """Close the connection without answering (after reading the body unless ``before_body``)."""
        return cls(drop=DROP_BEFORE_BODY if before_body else DROP_AFTER_BODY)

    @property
    def kind(self) -> str:
        """Short label recorded on the request: ``drop_before_body``, ``status_429``, ``delay`` ..."""
        if self.drop is not None:
            return f"drop_{self.drop}"
        if self.status is not None:
            return f"status_{self.status}"
        return "delay"

    @property
    def message(self) -> str:
        return _MESSAGES.get(self.status or 0, "Injected fault")

    def retry_after_header(self) -> Optional[str]:
        if self.retry_after is None:
            return None
        if isinstance(self.retry_after, float) and self.retry_after.is_integer():
            return str(int(self.retry_after))
        return str(self.retry_after)


class FaultQueue:
    """Pending faults, consumed one per request in the order they were added."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: Deque[Fault] = deque()
        self._served = 0

    def add(self, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._pending.extend([fault] * times)

    def take(self) -> Optional[Fault]:
        """The fault for the request that just arrived, or None."""
        with self._lock:
            if not self._pending:
                return None
            self._served += 1
            return self._pending.popleft()

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
            self._served = 0

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    @property
    def served(self) -> int:
        with self._lock:
            return self._served
