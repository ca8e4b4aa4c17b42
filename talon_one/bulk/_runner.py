"""Running a bulk job: the validation pass, the chunks, the worker threads, the shared 429 pause
and the accounting behind next_offset."""

from __future__ import annotations

import collections.abc
import json
import random
import tempfile
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, Iterator, List, Mapping, NamedTuple, Optional, Tuple

from talon_one.bulk._jobs import Item, Job, describe
from talon_one.bulk._report import BulkReport, ChunkFailure, InvalidRow, InvalidRowsError, Progress, Row
from talon_one.exceptions import (ApiConnectionError, ApiException, ApiTypeError, ApiValueError,
                                  ForbiddenException, MissingCredentialsError, ServiceException,
                                  TooManyRequestsException, UnauthorizedException)
from talon_one.retries import NOT_SENT, RetryPolicy, failure_kind, resolve_policy

if TYPE_CHECKING:
    from talon_one.api.integration_api import IntegrationApi

# A 429 is answered with one pause shared by all workers, then the request is sent again, up to
# this many times per request. Without Retry-After the pause is RATE_LIMIT_BACKOFF seconds,
# doubling per 429 in a row, at most RATE_LIMIT_BACKOFF_MAX. A Retry-After longer than
# MAX_PAUSE (seconds) is not waited for: the request fails with the TooManyRequestsException.
RATE_LIMIT_RETRIES = 8
RATE_LIMIT_BACKOFF = 1.0
RATE_LIMIT_BACKOFF_MAX = 60.0
MAX_PAUSE = 600.0
# Requests in flight or queued, per worker: bounds memory to a few chunks.
QUEUED_PER_WORKER = 2
# Errors that stop a job: the credentials are missing or refused, so every other request would fail too.
_JOB_STOPPING_ERRORS = (UnauthorizedException, ForbiddenException, MissingCredentialsError)
# Statuses whose outcome is unknown: the service may have applied the request (as in talon_one.retries).
_UNKNOWN_OUTCOME_STATUSES = frozenset((500, 502, 504))


class _NoRateLimitRetries(RetryPolicy):
    """The client's retry policy `policy` (any RetryPolicy: an urllib3 Retry's, a subclass), except
    that 429 is left to the job's shared pause. Its settings are the policy's; its decisions too."""

    __slots__ = ("policy",)

    policy: RetryPolicy

    def __init__(self, policy: RetryPolicy) -> None:
        super().__init__(**{name: getattr(policy, name) for name in RetryPolicy.__slots__})
        self.policy = policy

    def _settings(self) -> Dict[str, Any]:
        return {"policy": self.policy}

    def replace(self, **changes: Any) -> _NoRateLimitRetries:
        return _NoRateLimitRetries(self.policy.replace(**changes))

    def for_call(self) -> _NoRateLimitRetries:
        policy = self.policy.for_call()
        return self if policy is self.policy else _NoRateLimitRetries(policy)

    def delay_after_status(self, method: str, status: int, retry_after: Optional[float],
                           retry_number: int) -> Optional[float]:
        if status == 429:
            return None
        return self.policy.delay_after_status(method, status, retry_after, retry_number)

    def delay_after_error(self, method: str, kind: str, retry_number: int) -> Optional[float]:
        return self.policy.delay_after_error(method, kind, retry_number)


class _SharedPause:
    """One pause for every worker after a 429: each request waits for it before it is sent."""

    def __init__(self, stop: threading.Event) -> None:
        self._stop = stop
        self._lock = threading.Lock()
        self._until = 0.0
        self.paused = 0.0

    def extend(self, seconds: float) -> None:
        """Pause everyone until `seconds` from now (a pause already longer is kept)."""
        now = time.monotonic()
        with self._lock:
            until = now + seconds
            if until > self._until:
                self.paused += until - max(now, self._until)
                self._until = until

    def wait(self) -> None:
        while True:
            with self._lock:
                remaining = self._until - time.monotonic()
            if remaining <= 0 or self._stop.wait(remaining):
                return


class _Chunk(NamedTuple):
    offset: int
    end: int
    items: List[Item]
    lines: Optional[List[int]]  # None when a row's line is not known


class _Outcome(NamedTuple):
    chunk: _Chunk
    error: Optional[Exception]
    outcome_unknown: bool
    sent: bool
    requests: int
    rate_limited: int


def _outcome_unknown(error: Exception) -> bool:
    """Whether the service may have applied a request that ended with `error`."""
    if isinstance(error, ApiConnectionError):
        cause = error.__cause__
        return cause is None or failure_kind(cause) != NOT_SENT
    return isinstance(error, ServiceException) and error.status in _UNKNOWN_OUTCOME_STATUSES


def _check_arguments(job: Job, chunk_size: Any, workers: Any, start_at: Any) -> None:
    limit = job.max_chunk
    if job.chunked:
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1 or (
                limit is not None and chunk_size > limit):
            if limit is None:
                raise ApiValueError("chunk_size must be an integer >= 1, got %r" % (chunk_size,))
            raise ApiValueError("chunk_size must be an integer from 1 to %d (the spec's maxItems for %s.%s), got %r"
                                % (limit, job.request_model, job.field, chunk_size))
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ApiValueError("workers must be an integer >= 1, got %r" % (workers,))
    if isinstance(start_at, bool) or not isinstance(start_at, int) or start_at < 0:
        raise ApiValueError("start_at must be an integer >= 0, got %r" % (start_at,))


# (offset, line or None, the row's data) as read, and (offset, line or None, the row or None when invalid)
_Numbered = Tuple[int, Optional[int], Any]
_Checked = Tuple[int, Optional[int], Optional[Item]]


def run_job(job: Job, api: Optional[IntegrationApi], rows: Iterable[Any], chunk_size: int, workers: int, dry: bool,
            on_progress: Optional[Callable[[Progress], None]], start_at: int, skip_invalid: bool,
            options: Mapping[str, Any]) -> BulkReport:
    """Check the arguments, then run `job` over `rows` (the public helpers' common body)."""
    _check_arguments(job, chunk_size, workers, start_at)
    if not dry and not callable(getattr(api, job.method, None)):
        raise ApiTypeError("%s: api must be a talon_one.IntegrationApi, got %s" % (job.name, describe(api)))
    if isinstance(rows, (str, bytes, dict)) or not isinstance(rows, collections.abc.Iterable):
        raise ApiTypeError("%s: the rows must be an iterable of rows, got %s" % (job.name, describe(rows)))
    return _Runner(job, api, chunk_size if job.chunked else 1, workers, dry, on_progress, start_at, skip_invalid,
                   options).run(rows)


class _Runner:
    """One run of a job: the validation pass, the chunking, the workers and the report."""

    def __init__(self, job: Job, api: Optional[IntegrationApi], chunk_size: int, workers: int, dry: bool,
                 on_progress: Optional[Callable[[Progress], None]], start_at: int, skip_invalid: bool,
                 options: Mapping[str, Any]) -> None:
        self.job = job
        self.api = api
        self.chunk_size = chunk_size
        self.workers = workers
        self.on_progress = on_progress
        self.skip_invalid = skip_invalid
        self.report = BulkReport(job.name, start_at, dry)
        self.stop = threading.Event()
        self.pause = _SharedPause(self.stop)
        self.started = time.monotonic()
        self.done_ranges: Dict[int, int] = {}  # offset of a range done -> its end
        self.done = 0
        self.options: Dict[str, Any] = dict(options)
        configuration = getattr(getattr(api, "api_client", None), "configuration", None)
        if not dry and configuration is not None:
            self.options["_retries"] = _NoRateLimitRetries(resolve_policy(configuration.retries))

    # -- reading -------------------------------------------------------------

    def _numbered(self, rows: Iterable[Any]) -> Iterator[_Numbered]:
        """(offset, line, data) from start_at on."""
        start_at = self.report.start_at
        for offset, row in enumerate(rows):
            if offset < start_at:
                continue
            if isinstance(row, Row):
                yield offset, row.line, row.data
            else:
                yield offset, None, row

    def _checked(self, numbered: Iterator[_Numbered]) -> Iterator[_Checked]:
        """(offset, line, item or None for an invalid row), recording invalid rows."""
        for offset, line, data in numbered:
            self.report.read += 1
            item: Optional[Item]
            try:
                item = self.job.check(data)
            except (ApiValueError, ApiTypeError) as error:
                self.report.invalid.append(InvalidRow(offset, line, str(error)))
                item = None
            yield offset, line, item

    def _valid_rows(self, rows: Iterable[Any]) -> Iterator[_Checked]:
        """The rows to send, after the whole input was checked unless skip_invalid."""
        if self.skip_invalid:
            yield from self._checked(self._numbered(rows))
            return
        if self.report.dry:  # nothing to send: one pass, and the verdict at its end
            yield from self._checked(self._numbered(rows))
            self._after_validation()
            return
        if isinstance(rows, collections.abc.Iterator):
            yield from self._spooled(rows)
            return
        for _ in self._checked(self._numbered(rows)):
            pass
        self._after_validation()
        for offset, line, data in self._numbered(rows):
            item: Optional[Item]
            try:
                item = self.job.load(data)  # checked in full when the request body is validated
            except (ApiValueError, ApiTypeError) as error:  # the input changed between the two reads
                self.report.invalid.append(InvalidRow(offset, line, str(error)))
                item = None
            yield offset, line, item

    def _spooled(self, rows: Iterator[Any]) -> Iterator[_Checked]:
        """Check a one-shot input while copying its valid rows to a temporary file, then read them back."""
        with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
            for offset, line, item in self._checked(self._numbered(rows)):
                if item is not None:
                    spool.write("[%d,%s,%s]\n" % (offset, "null" if line is None else line, self.job.dumps(item)))
            self._after_validation()
            spool.seek(0)
            for text in spool:
                offset, line, data = json.loads(text)
                yield offset, line, self.job.load(data)

    def _after_validation(self) -> None:
        report = self.report
        report.total = report.read
        if report.invalid:
            raise InvalidRowsError(report.job, report.invalid, report.read)

    def _chunks(self, rows: Iterable[Any]) -> Iterator[_Chunk]:
        """Chunks whose ranges tile the input from start_at (invalid rows fall inside a range, unsent)."""
        start = self.report.start_at
        items: List[Item] = []
        lines: List[Optional[int]] = []
        offset = start
        for offset, line, item in self._valid_rows(rows):
            if item is None:
                continue
            items.append(item)
            lines.append(line)
            if len(items) == self.chunk_size:
                yield _Chunk(start, offset + 1, items, _known_lines(lines))
                start, items, lines = offset + 1, [], []
        end = max(start, self.report.start_at + self.report.read)
        if items or end > start:
            yield _Chunk(start, end, items, _known_lines(lines))

    # -- sending -------------------------------------------------------------

    def run(self, rows: Iterable[Any]) -> BulkReport:
        report = self.report
        try:
            if report.dry:
                for chunk in self._chunks(rows):
                    self._finished(_Outcome(chunk, None, False, False, 0, 0))
            else:
                self._send_all(rows)
        except KeyboardInterrupt as interrupt:
            interrupt.bulk_report = report  # type: ignore[attr-defined]  # documented: the report rides on it
            raise
        finally:
            report.paused = self.pause.paused
            report.elapsed = time.monotonic() - self.started
        return report

    def _send_all(self, rows: Iterable[Any]) -> None:
        limit = self.workers * QUEUED_PER_WORKER
        pending: Dict[Future[_Outcome], int] = {}  # request in flight -> its chunk's offset
        pool = ThreadPoolExecutor(self.workers, thread_name_prefix="talon_one-bulk")
        try:
            for chunk in self._chunks(rows):
                if self.stop.is_set():
                    self.report.not_sent += len(chunk.items)
                    break
                if not chunk.items:
                    self._finished(_Outcome(chunk, None, False, False, 0, 0))
                    continue
                while len(pending) >= limit:
                    self._collect(pending)
                pending[pool.submit(self._send, chunk)] = chunk.offset
            while pending:
                self._collect(pending)
        except BaseException:
            # Ctrl-C or an error in on_progress: send nothing more, and count what was in flight,
            # so that next_offset covers it (a POST in flight must not be sent again on resume).
            self.stop.set()
            self.on_progress = None
            for future in pending:
                future.cancel()
            pool.shutdown(wait=True)
            for future in pending:
                if not future.cancelled():
                    self._finished(future.result())
            raise
        pool.shutdown(wait=True)

    def _collect(self, pending: Dict[Future[_Outcome], int]) -> None:
        """Wait for at least one request to end; count each one that ended, in input order, and drop it
        from `pending` (in order, so that progress never shows rows done ahead of next_offset needlessly)."""
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in sorted(done, key=pending.__getitem__):
            del pending[future]
            self._finished(future.result())

    def _send(self, chunk: _Chunk) -> _Outcome:
        """Send one chunk (in a worker thread), pausing with everyone on 429."""
        requests = rate_limited = 0
        while True:
            self.pause.wait()
            if self.stop.is_set():
                return _Outcome(chunk, None, False, False, requests, rate_limited)
            requests += 1
            try:
                self.job.send(self.api, chunk.items, self.options)
                return _Outcome(chunk, None, False, True, requests, rate_limited)
            except TooManyRequestsException as error:
                rate_limited += 1
                seconds = _rate_limit_pause(error.retry_after, rate_limited)
                if rate_limited > RATE_LIMIT_RETRIES or seconds is None:
                    return _Outcome(chunk, error, False, True, requests, rate_limited)
                self.pause.extend(seconds)
            except _JOB_STOPPING_ERRORS as error:
                self.stop.set()
                sent = not isinstance(error, MissingCredentialsError)
                return _Outcome(chunk, error, False, sent, requests - (not sent), rate_limited)
            except ApiException as error:
                return _Outcome(chunk, error, _outcome_unknown(error), True, requests, rate_limited)
            except (ApiValueError, ApiTypeError) as error:  # refused before sending (the file changed since
                return _Outcome(chunk, error, False, False, requests - 1, rate_limited)  # it was checked)

    def _finished(self, outcome: _Outcome) -> None:
        """Count a chunk's outcome (in the main thread), advance next_offset, report progress."""
        report = self.report
        chunk = outcome.chunk
        error = outcome.error
        report.requests += outcome.requests
        report.rate_limited += outcome.rate_limited
        if outcome.sent:
            report.sent += len(chunk.items)
        if isinstance(error, _JOB_STOPPING_ERRORS):
            # Refused as a whole, applied to nothing: not done, so a resume sends it again.
            report.not_sent += len(chunk.items)
            if report.stopped is None:
                if isinstance(error, MissingCredentialsError):
                    report.stopped = "%s; nothing was sent" % error
                else:
                    status = "without a status" if error.status is None else error.status
                    report.stopped = ("the service answered %s (%s) to %s: check the API key and its permissions; "
                                      "nothing more was sent" % (status, type(error).__name__, self.job.method))
                report.stop_error = error
        elif not outcome.sent and error is None and not report.dry and chunk.items:
            report.not_sent += len(chunk.items)
        else:
            if error is None:
                report.accepted += len(chunk.items) if outcome.sent else 0
            else:
                report.failed += len(chunk.items)
                if outcome.outcome_unknown:
                    report.outcome_unknown += len(chunk.items)
                report.failures.append(ChunkFailure(chunk.offset, chunk.end,
                                                    [self.job.to_json(item) for item in chunk.items],
                                                    chunk.lines, error, outcome.outcome_unknown))
            self.done += chunk.end - chunk.offset
            self.done_ranges[chunk.offset] = chunk.end
            while report.next_offset in self.done_ranges:
                report.next_offset = self.done_ranges.pop(report.next_offset)
        if self.on_progress is not None:
            self.on_progress(Progress(self.done, report.total, report.sent, report.accepted, report.failed,
                                      len(report.invalid), report.next_offset, time.monotonic() - self.started))


def _known_lines(lines: List[Optional[int]]) -> Optional[List[int]]:
    """The lines of a chunk's rows, or None unless every one is known (rows given as Row, or read from a file)."""
    known = [line for line in lines if line is not None]
    return known if known and len(known) == len(lines) else None


def _rate_limit_pause(retry_after: Optional[float], attempt: int) -> Optional[float]:
    """Seconds to pause after the `attempt`-th 429 in a row, or None when it asks for too long."""
    if retry_after is not None:
        return retry_after if retry_after <= MAX_PAUSE else None
    ceiling = min(RATE_LIMIT_BACKOFF_MAX, RATE_LIMIT_BACKOFF * 2.0 ** (attempt - 1))
    return ceiling * (0.5 + random.random() / 2)
