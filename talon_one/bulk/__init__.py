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
resume sends them). A request whose outcome is unknown (connection lost after
sending, read timeout, 500/502/504) is reported with ``outcome_unknown`` and
never sent again by the job. Other retries (connections that could not be
made, 503) follow the client's RetryPolicy.

Resuming. ``report.next_offset`` (also on each Progress) is the offset of the
first row that is not yet done: every row before it was accepted, reported as
failed or reported as invalid. A job stopped half way (killed, Ctrl-C, 401)
goes on with ``start_at=report.next_offset`` without sending any row twice
(a process killed outright, kill -9, cannot tell its offset: log the progress).
On KeyboardInterrupt a job sends nothing more, waits for the requests in flight,
counts them, and raises the KeyboardInterrupt with the BulkReport as ``.bulk_report``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional

from talon_one.bulk._files import RowSource, iter_rows, read_rows
from talon_one.bulk._jobs import DEFAULT_CHUNK_SIZE, JOBS
from talon_one.bulk._report import (BulkReport, ChunkFailure, InvalidRow, InvalidRowsError, Progress, Row,
                                    RowError)
from talon_one.bulk._runner import (MAX_PAUSE, QUEUED_PER_WORKER, RATE_LIMIT_BACKOFF, RATE_LIMIT_BACKOFF_MAX,
                                    RATE_LIMIT_RETRIES, run_job)

if TYPE_CHECKING:
    from talon_one.api.integration_api import IntegrationApi

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
    "iter_rows",
    "JOBS",
    "DEFAULT_CHUNK_SIZE",
    "MAX_PAUSE",
    "QUEUED_PER_WORKER",
    "RATE_LIMIT_BACKOFF",
    "RATE_LIMIT_BACKOFF_MAX",
    "RATE_LIMIT_RETRIES",
]


def update_customer_profiles(api: Optional[IntegrationApi], profiles: Iterable[Any], *, chunk_size: int = 1000,
                             workers: int = 4, run_rule_engine: bool = False, dry: bool = False,
                             on_progress: Optional[Callable[[Progress], None]] = None, start_at: int = 0,
                             skip_invalid: bool = False) -> BulkReport:
    """Create or update customer profiles in chunks through ``update_customer_profiles_v2`` (PUT).

    ``api``: the IntegrationApi to send through (None only with ``dry=True``).
    ``profiles``: an iterable of MultipleCustomerProfileIntegrationRequestItem or dicts
    (``{"integrationId": ..., "attributes": {...}}``, JSON keys or field names), or of Row.
    ``chunk_size``: rows per request, 1 to the spec's limit (1,000, the maxItems of
    MultipleCustomerProfileIntegrationRequest.customer_profiles). ``run_rule_engine=False``
    sends ``silent=yes``: the service answers 204 without computing integration states;
    True lets it return them (they are not kept). ``dry=True`` validates the whole input
    and sends nothing. ``workers``: threads sending at once (give the client as many connections:
    Configuration.connection_pool_maxsize, default max(32, 5 x CPUs)). Returns a BulkReport;
    raises InvalidRowsError (before sending anything) for invalid rows unless ``skip_invalid``.
    """
    options = {} if run_rule_engine else {"silent": "yes"}
    return run_job(JOBS["profiles"], api, profiles, chunk_size, workers, dry, on_progress, start_at, skip_invalid,
                options)


def track_events(api: Optional[IntegrationApi], events: Iterable[Any], *, workers: int = 4,
                 dry: bool = False, on_progress: Optional[Callable[[Progress], None]] = None, start_at: int = 0,
                 skip_invalid: bool = False) -> BulkReport:
    """Track custom events, one ``track_event`` call (POST) per NewEvent (or dict, or Row).

    A POST whose outcome is unknown is reported with ``outcome_unknown`` and never re-sent.
    Other arguments and the result as for update_customer_profiles.
    """
    return run_job(JOBS["events"], api, events, 1, workers, dry, on_progress, start_at, skip_invalid, {})


def update_customer_profile_audiences(api: Optional[IntegrationApi], changes: Iterable[Any], *,
                                      chunk_size: int = DEFAULT_CHUNK_SIZE, workers: int = 4, dry: bool = False,
                                      on_progress: Optional[Callable[[Progress], None]] = None, start_at: int = 0,
                                      skip_invalid: bool = False) -> BulkReport:
    """Add profiles to or remove them from audiences, in chunks through ``update_customer_profile_audiences`` (POST).

    ``changes``: CustomerProfileAudienceRequestItem or dicts
    (``{"action": "add", "profileIntegrationId": ..., "audienceId": 7}``), or Row. The spec sets
    no limit on the list; ``chunk_size`` defaults to 1,000. Other arguments as for update_customer_profiles.
    """
    return run_job(JOBS["audiences"], api, changes, chunk_size, workers, dry, on_progress, start_at, skip_invalid, {})


def delete_customer_data(api: Optional[IntegrationApi], integration_ids: Iterable[Any], *, workers: int = 4,
                         dry: bool = False, on_progress: Optional[Callable[[Progress], None]] = None, start_at: int = 0,
                         skip_invalid: bool = False) -> BulkReport:
    """Delete the personal data of customers, one ``delete_customer_data`` call (DELETE) per integration ID.

    ``integration_ids``: strings, or ``{"integrationId": ...}`` dicts, or Row. A profile that does
    not exist is a failure (NotFoundException). Other arguments as for update_customer_profiles.
    """
    return run_job(JOBS["customer-data"], api, integration_ids, 1, workers, dry, on_progress, start_at, skip_invalid,
                {})
