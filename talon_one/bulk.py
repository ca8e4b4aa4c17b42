"""Bulk jobs: many profiles, events, audience changes or deletions in one call, streamed.

    from talon_one import bulk
    report = bulk.update_customer_profiles(api, rows)        # any iterable of dicts or models
    print(report.accepted, report.failed, report.next_offset)

Each job reads its input lazily, checks every row against the spec's model
before sending, and sends through the given IntegrationApi from a small pool
of threads, with a bounded number of requests in flight: memory stays the same
whatever the input's size.

Validation. By default (``skip_invalid=False``) nothing is sent when any row
is invalid: the job raises InvalidRowsError listing every invalid row (its line
or index and the ``Model.field`` message). That needs the whole input read once
before the first request. An input that can be iterated again (a list, or the
RowSource that ``read_rows`` returns for a file) is read twice and nothing is
kept; a one-shot iterator (a generator, stdin) is copied to a temporary file
while it is checked, and the job sends from that copy. With
``skip_invalid=True`` the input is read once, invalid rows are reported and left
out, and sending starts at once.

Failures. One failing request does not stop the others: each appears in
``report.failures`` with its offset, its rows and the typed exception. A 429
pauses every worker for the ``Retry-After`` the service asked for (one shared
pause), then the request is sent again. 401 and 403 (and MissingCredentialsError)
stop the job: nothing more is sent, and the refused rows count as not sent (a
resume sends them). A
request whose outcome is unknown (connection lost after sending, read timeout,
500/502/504) is reported with ``outcome_unknown`` and never sent again by the
job. Other retries (connections that could not be made, 503) follow the
client's RetryPolicy.

Resuming. ``report.next_offset`` (also on each Progress) is the offset of the
first row that is not yet done: every row before it was accepted, reported as
failed or reported as invalid. A job stopped half way (killed, Ctrl-C, 401)
goes on with ``start_at=report.next_offset`` without sending any row twice.
On KeyboardInterrupt a job sends nothing more, waits for the requests in flight,
counts them, and raises the KeyboardInterrupt with the BulkReport as ``.bulk_report``.
"""

import collections.abc
import csv
import io
import json
import os
import random
import sys
import tempfile
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import Any, Callable, Iterable, Iterator, List, NamedTuple, Optional

from talon_one.exceptions import (ApiConnectionError, ApiException, ApiTypeError, ApiValueError,
                                  ForbiddenException, MissingCredentialsError, ServiceException,
                                  TooManyRequestsException, UnauthorizedException)
from talon_one.retries import NOT_SENT, RetryPolicy, failure_kind, resolve_policy

__all__ = [
    "update_customer_profiles",
    "track_events",
    "update_customer_profile_audiences",
    "delete_customer_data",
    "BulkReport",
    "ChunkFailure",
    "InvalidRow",
    "InvalidRowsError",
    "Progress",
    "Row",
    "RowError",
    "RowSource",
    "read_rows",
    "JOBS",
]

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


# --------------------------------------------------------------------------
# Rows, and what the report says about them
# --------------------------------------------------------------------------

class Row(NamedTuple):
    """One input row with the line it came from (1-based); ``read_rows`` yields these."""

    line: int
    data: Any


class RowError(NamedTuple):
    """A row that could not even be read (not JSON, a bad CSV cell); reported as invalid."""

    message: str


class InvalidRow(NamedTuple):
    """An invalid row: ``offset`` in the input (0-based), ``line`` in the file (or None), the message."""

    offset: int
    line: Optional[int]
    message: str

    @property
    def where(self) -> str:
        return "line %d" % self.line if self.line is not None else "item %d" % self.offset

    def __str__(self) -> str:
        return "%s: %s" % (self.where, self.message)


class ChunkFailure(NamedTuple):
    """A request that failed.

    offset            offset of its first row in the input
    end               offset just past the chunk (rows offset..end-1, invalid ones left out)
    items             the rows sent, as JSON objects (JSON keys), or integration IDs
    lines             their lines in the file (None for an in-memory input)
    error             the typed exception (an ApiException)
    outcome_unknown   True when the service may have applied it (not re-sent by the job)
    """

    offset: int
    end: int
    items: List[Any]
    lines: Optional[List[int]]
    error: Exception
    outcome_unknown: bool

    def __str__(self) -> str:
        first = self.lines[0] if self.lines else None
        where = ("lines %d-%d" % (first, self.lines[-1]) if first is not None and len(self.lines) > 1
                 else "line %d" % first if first is not None else "offset %d" % self.offset)
        kind = "outcome unknown" if self.outcome_unknown else "failed"
        detail = " ".join(str(self.error).split())
        return "%s (%d rows, offset %d) %s: %s: %s" % (where, len(self.items), self.offset, kind,
                                                     type(self.error).__name__, detail)


class Progress(NamedTuple):
    """What a job has done so far, given to ``on_progress`` after each request.

    Called in the thread that started the job. done: rows finished in this run
    (accepted, failed or invalid); total: rows
    to do in this run, when known (after the validation pass), else None;
    next_offset: the ``start_at`` that would resume the job; elapsed: seconds.
    """

    done: int
    total: Optional[int]
    sent: int
    accepted: int
    failed: int
    invalid: int
    next_offset: int
    elapsed: float


class BulkReport:
    """The outcome of a bulk job.

    job              the job's name ("profiles sync", ...)
    start_at         the offset the run started at
    read             rows read in this run (from start_at on), invalid ones included
    sent / accepted  rows in requests sent / in requests the service accepted
    failed           rows in failed requests; outcome_unknown of those may have been applied
    not_sent         valid rows read but not sent because the job stopped (or refused with 401/403)
    invalid          InvalidRow for each invalid row (left out with skip_invalid)
    failures         ChunkFailure for each failed request
    next_offset      offset of the first row not done: resume with start_at=next_offset
    stopped          why the job stopped early (401/403), else None; stop_error: that exception
    requests         HTTP requests made (429 answers included); rate_limited: 429 answers
    paused           seconds the workers were paused by 429s (shared pauses, counted once)
    elapsed          seconds the job took
    dry              True when nothing was to be sent (validation only)
    """

    def __init__(self, job: str, start_at: int, dry: bool = False) -> None:
        self.job = job
        self.start_at = start_at
        self.dry = dry
        self.read = 0
        self.total: Optional[int] = None
        self.sent = 0
        self.accepted = 0
        self.failed = 0
        self.outcome_unknown = 0
        self.not_sent = 0
        self.invalid: List[InvalidRow] = []
        self.failures: List[ChunkFailure] = []
        self.next_offset = start_at
        self.stopped: Optional[str] = None
        self.stop_error: Optional[Exception] = None
        self.requests = 0
        self.rate_limited = 0
        self.paused = 0.0
        self.elapsed = 0.0

    @property
    def ok(self) -> bool:
        """True when every row read was valid and accepted (or, when dry, valid)."""
        return not (self.failures or self.invalid or self.stopped or self.not_sent)

    def summary(self) -> str:
        """One line: counts, rate and where to resume."""
        rate = self.accepted / self.elapsed if self.elapsed > 0 else 0.0
        if self.dry:
            text = "%s (dry run): %d rows read, %d valid, %d invalid, nothing sent" % (
                self.job, self.read, self.read - len(self.invalid), len(self.invalid))
        else:
            text = "%s: %d rows read, %d sent, %d accepted, %d failed" % (
                self.job, self.read, self.sent, self.accepted, self.failed)
            if self.outcome_unknown:
                text += " (%d with unknown outcome)" % self.outcome_unknown
            text += ", %d invalid" % len(self.invalid)
            if self.not_sent:
                text += ", %d not sent" % self.not_sent
            text += " in %.1f s (%.0f rows/s)" % (self.elapsed, rate)
            if self.rate_limited:
                text += "; %d rate-limited answers, paused %.1f s" % (self.rate_limited, self.paused)
            text += "; next offset %d" % self.next_offset
        if self.stopped:
            text += "; STOPPED: %s" % self.stopped
        return text

    def __repr__(self) -> str:
        return "<BulkReport %s>" % self.summary()


class InvalidRowsError(ApiValueError):
    """The input has invalid rows and ``skip_invalid`` is off: nothing was sent.

    ``invalid`` lists every InvalidRow; ``read`` is the number of rows read.
    """

    def __init__(self, job: str, invalid: List[InvalidRow], read: int) -> None:
        self.job = job
        self.invalid = invalid
        self.read = read
        shown = "\n".join("  " + str(row) for row in invalid[:10])
        more = "\n  (%d more)" % (len(invalid) - 10) if len(invalid) > 10 else ""
        super().__init__("%s: %d of %d rows are invalid; nothing was sent (pass skip_invalid=True to send the "
                         "valid ones):\n%s%s" % (job, len(invalid), read, shown, more))


# --------------------------------------------------------------------------
# The jobs: what one row is, how rows become a request
# --------------------------------------------------------------------------

def _models():
    import talon_one.models as models  # imported on first use, like the rest of the SDK's models
    return models


def _max_items(request_model: str, field: str) -> Optional[int]:
    """The spec's maxItems for a request body's list field (read from the generated model)."""
    return getattr(_models(), request_model)._constraints.get(field, {}).get("max_items")


class _Job:
    """One kind of bulk job.

    name          the job's name in reports
    item_model    the model one row must match, or None (integration IDs)
    method        the IntegrationApi method it calls
    chunked       True: many rows per request (request_model.field); False: one request per row
    idempotent    whether sending a row twice is harmless (PUT, DELETE)
    """

    def __init__(self, name: str, method: str, item_model: Optional[str], chunked: bool, idempotent: bool,
                 request_model: Optional[str] = None, field: Optional[str] = None) -> None:
        self.name = name
        self.method = method
        self.item_model = item_model
        self.chunked = chunked
        self.idempotent = idempotent
        self.request_model = request_model
        self.field = field

    @property
    def max_chunk(self) -> Optional[int]:
        return _max_items(self.request_model, self.field) if self.chunked else 1

    def check(self, data: Any) -> Any:
        """The row as a validated model (or an integration ID string); raises ApiValueError/ApiTypeError."""
        item = self.load(data)
        return item if self.item_model is None else item.validate()

    def load(self, data: Any) -> Any:
        """The row as a model (or an integration ID string), not validated: for rows checked before."""
        if isinstance(data, RowError):
            raise ApiValueError(data.message)
        if self.item_model is None:
            return _integration_id(data)
        cls = getattr(_models(), self.item_model)
        if isinstance(data, cls):
            return data
        if isinstance(data, dict):
            return cls.from_dict(data)
        raise ApiTypeError("%s: a row must be a dict or a %s, got %s" % (self.item_model, self.item_model,
                                                                         _describe(data)))

    def dumps(self, item: Any) -> str:
        """The row as JSON text, as sent (JSON keys)."""
        if self.item_model is None:
            return json.dumps(item, ensure_ascii=False)
        return item.to_json()

    def to_json(self, item: Any) -> Any:
        """The row as sent, as a JSON object (kept in failures)."""
        return item if self.item_model is None else json.loads(item.to_json())

    def send(self, api: Any, items: List[Any], options: dict) -> None:
        method = getattr(api, self.method)
        if self.chunked:
            body = getattr(_models(), self.request_model)(**{self.field: items})
            method(body, **options)
        else:
            method(items[0], **options)


def _integration_id(data: Any) -> str:
    if isinstance(data, dict) and set(data) <= {"integrationId", "integration_id"} and len(data) == 1:
        data = next(iter(data.values()))
    if not isinstance(data, str) or not data.strip():
        raise ApiValueError("delete_customer_data.integration_id must be a non-empty string "
                            "(or {\"integrationId\": ...}), got %s" % _describe(data))
    return data


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


JOBS = {
    "profiles": _Job("profiles sync", "update_customer_profiles_v2", "MultipleCustomerProfileIntegrationRequestItem",
                     chunked=True, idempotent=True, request_model="MultipleCustomerProfileIntegrationRequest",
                     field="customer_profiles"),
    "events": _Job("events track", "track_event", "NewEvent", chunked=False, idempotent=False),
    "audiences": _Job("audiences update", "update_customer_profile_audiences", "CustomerProfileAudienceRequestItem",
                      chunked=True, idempotent=False, request_model="CustomerProfileAudienceRequest", field="data"),
    "customer-data": _Job("customer-data delete", "delete_customer_data", None, chunked=False, idempotent=True),
}

# Rows per request when the spec sets no limit (update_customer_profile_audiences).
DEFAULT_CHUNK_SIZE = 1000


# --------------------------------------------------------------------------
# The public helpers
# --------------------------------------------------------------------------

def update_customer_profiles(api, profiles: Iterable[Any], *, chunk_size: int = 1000, workers: int = 4,
                             run_rule_engine: bool = False, dry: bool = False,
                             on_progress: Optional[Callable[[Progress], None]] = None, start_at: int = 0,
                             skip_invalid: bool = False) -> BulkReport:
    """Create or update customer profiles in chunks through ``update_customer_profiles_v2`` (PUT).

    ``profiles``: an iterable of MultipleCustomerProfileIntegrationRequestItem or dicts
    (``{"integrationId": ..., "attributes": {...}}``, JSON keys or field names), or of Row.
    ``chunk_size``: rows per request, 1 to the spec's limit (1,000, the maxItems of
    MultipleCustomerProfileIntegrationRequest.customer_profiles). ``run_rule_engine=False``
    sends ``silent=yes``: the service answers 204 without computing integration states;
    True lets it return them (they are not kept). ``dry=True`` validates the whole input
    and sends nothing. ``workers``: threads sending at once (give the client as many connections:
    Configuration.connection_pool_maxsize, default max(10, 5 x CPUs)). Returns a BulkReport;
    raises InvalidRowsError (before sending anything) for invalid rows unless ``skip_invalid``.
    """
    options = {} if run_rule_engine else {"silent": "yes"}
    return _run(JOBS["profiles"], api, profiles, chunk_size, workers, dry, on_progress, start_at, skip_invalid,
                options)


def track_events(api, events: Iterable[Any], *, workers: int = 4, dry: bool = False,
                 on_progress: Optional[Callable[[Progress], None]] = None, start_at: int = 0,
                 skip_invalid: bool = False) -> BulkReport:
    """Track custom events, one ``track_event`` call (POST) per NewEvent (or dict, or Row).

    A POST whose outcome is unknown is reported with ``outcome_unknown`` and never re-sent.
    Other arguments and the result as for update_customer_profiles.
    """
    return _run(JOBS["events"], api, events, 1, workers, dry, on_progress, start_at, skip_invalid, {})


def update_customer_profile_audiences(api, changes: Iterable[Any], *, chunk_size: int = DEFAULT_CHUNK_SIZE,
                                      workers: int = 4, dry: bool = False,
                                      on_progress: Optional[Callable[[Progress], None]] = None, start_at: int = 0,
                                      skip_invalid: bool = False) -> BulkReport:
    """Add profiles to or remove them from audiences, in chunks through ``update_customer_profile_audiences`` (POST).

    ``changes``: CustomerProfileAudienceRequestItem or dicts
    (``{"action": "add", "profileIntegrationId": ..., "audienceId": 7}``), or Row. The spec sets
    no limit on the list; ``chunk_size`` defaults to 1,000. Other arguments as for update_customer_profiles.
    """
    return _run(JOBS["audiences"], api, changes, chunk_size, workers, dry, on_progress, start_at, skip_invalid, {})


def delete_customer_data(api, integration_ids: Iterable[Any], *, workers: int = 4, dry: bool = False,
                         on_progress: Optional[Callable[[Progress], None]] = None, start_at: int = 0,
                         skip_invalid: bool = False) -> BulkReport:
    """Delete the personal data of customers, one ``delete_customer_data`` call (DELETE) per integration ID.

    ``integration_ids``: strings, or ``{"integrationId": ...}`` dicts, or Row. A profile that does
    not exist is a failure (NotFoundException). Other arguments as for update_customer_profiles.
    """
    return _run(JOBS["customer-data"], api, integration_ids, 1, workers, dry, on_progress, start_at, skip_invalid,
                {})


# --------------------------------------------------------------------------
# Reading input files
# --------------------------------------------------------------------------

# Input files are UTF-8; a byte order mark (as spreadsheet programs write) is skipped.
ENCODING = "utf-8-sig"


class RowSource:
    """The rows of a JSONL or CSV file, read anew (lazily) on each iteration."""

    def __init__(self, path: str, fmt: str, job: str) -> None:
        self.path = path
        self.format = fmt
        self.job = job

    def __iter__(self) -> Iterator[Row]:
        with open(self.path, encoding=ENCODING, newline="") as handle:
            yield from iter_rows(handle, self.format, self.job)


def read_rows(path: str, fmt: Optional[str] = None, job: str = "profiles") -> Iterable[Row]:
    """The rows of a file for ``job`` (a key of JOBS), lazily, as Row(line, data).

    ``fmt``: "jsonl" (one JSON value per line; blank lines skipped) or "csv" (a header row of
    field names, JSON keys or Python names, and ``attributes.<name>`` columns; empty cells are
    left out; cells of integer, number and boolean fields are converted, attribute values
    stay strings). By default taken from the extension (.csv, else JSONL). ``path`` "-" reads
    stdin, once; a file path gives a RowSource, which can be read again.
    Raises ApiValueError for a CSV header naming no field of the job's model.
    """
    if fmt is None:
        fmt = "csv" if path.lower().endswith(".csv") else "jsonl"
    if fmt not in ("jsonl", "csv"):
        raise ApiValueError("format must be 'jsonl' or 'csv', got %r" % (fmt,))
    if job not in JOBS:
        raise ApiValueError("job must be one of %s, got %r" % (", ".join(JOBS), job))
    if path == "-":
        return _stdin_rows(fmt, job)
    if not os.path.isfile(path):
        raise ApiValueError("input file %r does not exist" % path)
    source = RowSource(path, fmt, job)
    if fmt == "csv":
        with open(path, encoding=ENCODING, newline="") as handle:
            _csv_columns(csv.reader(handle), JOBS[job], path)  # a bad header is a usage error, found now
    return source


def _stdin_rows(fmt: str, job: str) -> Iterator[Row]:
    """Rows of stdin, decoded as UTF-8 whatever the locale; stdin stays open."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # replaced by a text stream (a test, an embedding application)
        yield from iter_rows(sys.stdin, fmt, job)
        return
    stream = io.TextIOWrapper(buffer, encoding=ENCODING, newline="")
    try:
        yield from iter_rows(stream, fmt, job)
    finally:
        stream.detach()


def iter_rows(handle, fmt: str, job: str) -> Iterator[Row]:
    """Rows of an open text file (see read_rows)."""
    if fmt == "csv":
        yield from _csv_rows(handle, JOBS[job])
        return
    for number, text in enumerate(handle, 1):
        if not text.strip():
            continue
        try:
            yield Row(number, json.loads(text))
        except ValueError as error:
            yield Row(number, RowError("not valid JSON (%s)" % error))
        except RecursionError:
            yield Row(number, RowError("JSON nested too deeply"))


def _csv_columns(reader, job: _Job, where: str):
    """The header's columns as (key path, converter); raises ApiValueError for an unknown column."""
    try:
        header = next(reader)
    except StopIteration:
        return None
    if job.item_model is None:
        known = {"integrationId": "str", "integration_id": "str"}
        model_name = "integration IDs"
    else:
        cls = getattr(_models(), job.item_model)
        known = {}
        for name, type_ref in cls.openapi_types.items():
            known[name] = type_ref
            known[cls.attribute_map[name]] = type_ref
        model_name = job.item_model
    columns = []
    repeated = sorted({column for column in header if header.count(column) > 1})
    if repeated:
        raise ApiValueError("%s: CSV column %r appears more than once in the header" % (where, repeated[0]))
    for column in header:
        if column.startswith("attributes.") and known.get("attributes") == "object" and len(column) > 11:
            columns.append((("attributes", column[11:]), None))
        elif column in known and known[column] in _CSV_CONVERTERS:
            columns.append(((column,), _CSV_CONVERTERS[known[column]]))
        else:
            fields = sorted(set(cls.attribute_map.values()) if job.item_model else {"integrationId"})
            hint = ", attributes.<name>" if known.get("attributes") == "object" else ""
            raise ApiValueError("%s: CSV column %r is not a field of %s (columns: %s%s)"
                                % (where, column, model_name, ", ".join(
                                    f for f in fields if known.get(f) in _CSV_CONVERTERS), hint))
    return columns


def _csv_bool(text: str) -> Any:
    lowered = text.strip().lower()
    return {"true": True, "false": False}.get(lowered, text)


def _csv_number(kind):
    def convert(text: str) -> Any:
        try:
            return kind(text)
        except ValueError:
            return text  # validation names the field and the bad value
    return convert


_CSV_CONVERTERS = {"str": str, "int": _csv_number(int), "float": _csv_number(float), "bool": _csv_bool}


def _csv_rows(handle, job: _Job) -> Iterator[Row]:
    reader = csv.reader(handle)
    columns = _csv_columns(reader, job, getattr(handle, "name", "input"))
    if columns is None:
        return
    ended = reader.line_num
    for cells in reader:
        line, ended = ended + 1, reader.line_num  # where the record starts (a quoted cell may span lines)
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(columns):
            yield Row(line, RowError("CSV row has %d cells, the header has %d" % (len(cells), len(columns))))
            continue
        data: dict = {}
        for (path, convert), cell in zip(columns, cells):
            if cell == "":
                continue
            if len(path) == 2:
                data.setdefault("attributes", {})[path[1]] = cell
            else:
                data[path[0]] = convert(cell)
        if job.item_model is None:
            data = data.get("integrationId", data.get("integration_id", ""))
        yield Row(line, data)


# --------------------------------------------------------------------------
# Running a job
# --------------------------------------------------------------------------

class _NoRateLimitRetries(RetryPolicy):
    """The client's retry policy, except that 429 is left to the job's shared pause."""

    __slots__ = ()

    def delay_after_status(self, method, status, retry_after, retry_number):
        if status == 429:
            return None
        return super().delay_after_status(method, status, retry_after, retry_number)


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
    items: List[Any]
    lines: Optional[List[int]]


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


def _check_arguments(job: _Job, chunk_size: Any, workers: Any, start_at: Any) -> None:
    limit = job.max_chunk
    if job.chunked:
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1 or (
                limit is not None and chunk_size > limit):
            bound = "%d (the spec's maxItems for %s.%s)" % (limit, job.request_model, job.field) if limit else "more"
            raise ApiValueError("chunk_size must be an integer from 1 to %s, got %r" % (bound, chunk_size))
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ApiValueError("workers must be an integer >= 1, got %r" % (workers,))
    if isinstance(start_at, bool) or not isinstance(start_at, int) or start_at < 0:
        raise ApiValueError("start_at must be an integer >= 0, got %r" % (start_at,))


def _run(job: _Job, api, rows: Iterable[Any], chunk_size: int, workers: int, dry: bool,
         on_progress: Optional[Callable[[Progress], None]], start_at: int, skip_invalid: bool,
         options: dict) -> BulkReport:
    _check_arguments(job, chunk_size, workers, start_at)
    if not dry and not callable(getattr(api, job.method, None)):
        raise ApiTypeError("%s: api must be a talon_one.IntegrationApi, got %s" % (job.name, _describe(api)))
    if isinstance(rows, (str, bytes, dict)) or not isinstance(rows, collections.abc.Iterable):
        raise ApiTypeError("%s: the rows must be an iterable of rows, got %s" % (job.name, _describe(rows)))
    return _Runner(job, api, chunk_size if job.chunked else 1, workers, dry, on_progress, start_at, skip_invalid,
                   options).run(rows)


class _Runner:
    """One run of a job: the validation pass, the chunking, the workers and the report."""

    def __init__(self, job, api, chunk_size, workers, dry, on_progress, start_at, skip_invalid, options):
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
        self.done_ranges: dict = {}
        self.done = 0
        self.options = dict(options)
        if not dry:
            policy = resolve_policy(api.api_client.configuration.retries)
            settings = {name: getattr(policy, name) for name in RetryPolicy.__slots__}
            self.options["_retries"] = _NoRateLimitRetries(**settings)

    # -- reading -------------------------------------------------------------

    def _numbered(self, rows: Iterable[Any]) -> Iterator[tuple]:
        """(offset, line, data) from start_at on."""
        start_at = self.report.start_at
        for offset, row in enumerate(rows):
            if offset < start_at:
                continue
            if isinstance(row, Row):
                yield offset, row.line, row.data
            else:
                yield offset, None, row

    def _checked(self, numbered: Iterator[tuple]) -> Iterator[tuple]:
        """(offset, line, item or None for an invalid row), recording invalid rows."""
        for offset, line, data in numbered:
            self.report.read += 1
            try:
                item = self.job.check(data)
            except (ApiValueError, ApiTypeError) as error:
                self.report.invalid.append(InvalidRow(offset, line, str(error)))
                item = None
            yield offset, line, item

    def _valid_rows(self, rows: Iterable[Any]) -> Iterator[tuple]:
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
            try:
                item = self.job.load(data)  # checked in full when the request body is validated
            except (ApiValueError, ApiTypeError) as error:  # the input changed between the two reads
                self.report.invalid.append(InvalidRow(offset, line, str(error)))
                item = None
            yield offset, line, item

    def _spooled(self, rows: Iterator[Any]) -> Iterator[tuple]:
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
        items: List[Any] = []
        lines: List[Optional[int]] = []
        offset = start
        for offset, line, item in self._valid_rows(rows):
            if item is None:
                continue
            items.append(item)
            lines.append(line)
            if len(items) == self.chunk_size:
                yield _Chunk(start, offset + 1, items, lines if line is not None else None)
                start, items, lines = offset + 1, [], []
        end = max(start, self.report.start_at + self.report.read)
        if items or end > start:
            yield _Chunk(start, end, items, lines if lines and lines[0] is not None else None)

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
            interrupt.bulk_report = report
            raise
        finally:
            report.paused = self.pause.paused
            report.elapsed = time.monotonic() - self.started
        return report

    def _send_all(self, rows: Iterable[Any]) -> None:
        limit = self.workers * QUEUED_PER_WORKER
        pending: set = set()
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
                pending.add(pool.submit(self._send, chunk))
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

    def _collect(self, pending: set) -> None:
        """Wait for at least one request to end; count each one that ended and drop it from `pending`."""
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            pending.discard(future)
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
                    report.stopped = ("the service answered %d (%s) to %s: check the API key and its permissions; "
                                      "nothing more was sent" % (error.status, type(error).__name__,
                                                                 self.job.method))
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


def _rate_limit_pause(retry_after: Optional[float], attempt: int) -> Optional[float]:
    """Seconds to pause after the `attempt`-th 429 in a row, or None when it asks for too long."""
    if retry_after is not None:
        return retry_after if retry_after <= MAX_PAUSE else None
    ceiling = min(RATE_LIMIT_BACKOFF_MAX, RATE_LIMIT_BACKOFF * 2 ** (attempt - 1))
    return ceiling * (0.5 + random.random() / 2)
