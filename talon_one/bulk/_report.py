"""What a bulk job reports: rows, invalid rows, failed requests, progress and the final report."""

from typing import Any, List, NamedTuple, Optional

from talon_one.exceptions import ApiValueError


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
    lines             their lines in the file (None unless each row's line is known: rows read from a
                      file, or given as Row)
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
        lines = self.lines or []
        where = ("lines %d-%d" % (lines[0], lines[-1]) if len(lines) > 1
                 else "line %d" % lines[0] if lines else "offset %d" % self.offset)
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
        message = ("%s: %d of %d rows are invalid; nothing was sent (pass skip_invalid=True to send the "
                   "valid ones):\n%s%s" % (job, len(invalid), read, shown, more))
        super().__init__(message)
