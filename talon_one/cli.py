"""`talon-one`: the Integration API from a shell, for scripted jobs and one-off calls.

Bulk jobs (FILE: JSONL, CSV with a header row, or - for stdin):

    talon-one profiles sync FILE            update_customer_profiles_v2, 1,000 profiles per request
    talon-one events track FILE             track_event, one request per event
    talon-one audiences update FILE         update_customer_profile_audiences, in chunks
    talon-one customer-data delete FILE --yes
                                            delete_customer_data, one request per integration ID

One-off calls, printing the answer as JSON on stdout:

    talon-one session update ID --json FILE
    talon-one inventory ID [--profile] [--referrals] [--coupons] [--loyalty]
    talon-one reservations list (--coupon CODE | --customer ID)

Configuration comes from the environment (TALON_ONE_BASE_URL, TALON_ONE_API_KEY,
TALON_ONE_APPLICATION_ID, TALON_ONE_APPLICATION_KEY), or --base-url / --api-key.
Exit status: 0 all rows accepted (or the call succeeded), 1 some rows failed or the job
stopped (or the call failed), 2 bad usage, configuration or invalid input (nothing sent),
130 interrupted (the summary says where to resume).

The parser is argparse: the standard library covers nested subcommands, help and
usage errors (exit 2), so the CLI adds no dependency; only the progress bar does (tqdm,
in the `talon_one[cli]` extra).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from types import FrameType
from typing import TYPE_CHECKING, Any, Callable, Dict, List, NoReturn, Optional, Protocol, Tuple, Type, Union

from talon_one import bulk
from talon_one.exceptions import ApiException, ApiTypeError, ApiValueError, MissingCredentialsError

if TYPE_CHECKING:
    from tqdm import tqdm as Tqdm

    from talon_one.api.integration_api import IntegrationApi

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

# Failed requests listed one per line on stderr; the rest are counted (--report has them all).
FAILURES_SHOWN = 20

_BULK_COMMANDS: Dict[Tuple[str, str], Tuple[str, str, bool]] = {
    # (group, command): (job key, bulk function name, chunked)
    ("profiles", "sync"): ("profiles", "update_customer_profiles", True),
    ("events", "track"): ("events", "track_events", False),
    ("audiences", "update"): ("audiences", "update_customer_profile_audiences", True),
    ("customer-data", "delete"): ("customer-data", "delete_customer_data", False),
}


class UsageError(Exception):
    """Bad usage found after parsing (exit status 2)."""


# --------------------------------------------------------------------------
# The parser
# --------------------------------------------------------------------------

def _integer_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: an integer >= minimum."""
    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError("expected an integer, got %r" % text) from None
        if value < minimum:
            raise argparse.ArgumentTypeError("must be at least %d, got %d" % (minimum, value))
        return value
    return convert


def _seconds(text: str) -> float:
    """An argparse type: a number of seconds >= 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a number of seconds, got %r" % text) from None
    if not value >= 0:
        raise argparse.ArgumentTypeError("must be 0 or more, got %r" % text)
    return value


def build_parser() -> argparse.ArgumentParser:
    connection = argparse.ArgumentParser(add_help=False)
    group = connection.add_argument_group("connection (default: from the environment)")
    group.add_argument("--base-url", metavar="URL", help="the deployment's URL (TALON_ONE_BASE_URL)")
    group.add_argument("--api-key", metavar="KEY",
                       help="the Integration API key (TALON_ONE_API_KEY; prefer the variable: "
                            "command lines are visible to other users)")

    jobs = argparse.ArgumentParser(add_help=False)
    group = jobs.add_argument_group("bulk job")
    group.add_argument("file", metavar="FILE", help="JSONL or CSV file (by extension), or - for stdin")
    group.add_argument("--format", choices=("jsonl", "csv"), help="the input's format (default: by extension; "
                                                                  "jsonl for stdin)")
    group.add_argument("--dry-run", action="store_true", help="validate the whole input and send nothing")
    group.add_argument("--skip-invalid", action="store_true",
                       help="send the valid rows and report the invalid ones (default: send nothing when a row "
                            "is invalid)")
    group.add_argument("--workers", type=_integer_at_least(1), default=4, help="requests sent at once (default 4)")
    group.add_argument("--start-at", type=_integer_at_least(0), default=0, metavar="OFFSET",
                       help="skip the first OFFSET rows (resume with the 'next offset' of a previous run)")
    group.add_argument("--report", metavar="REPORT",
                       help="write the rows that failed to REPORT as JSONL, to re-run them; rows of a POST whose "
                            "outcome is unknown go to REPORT.unknown instead")
    group.add_argument("--progress", choices=("auto", "bar", "log", "none"), default="auto",
                       help="auto (default): a progress bar when stderr is a terminal and tqdm is installed; "
                            "bar: always (needs talon_one[cli]); log: a line every --log-every seconds, for log "
                            "files (with the offset to resume from); none")
    group.add_argument("--log-every", type=_seconds, default=10.0, metavar="SECONDS",
                       help="seconds between the lines of --progress log (default 10)")

    parser = argparse.ArgumentParser(
        prog="talon-one", description="Talon.One Integration API from the command line: bulk jobs and one-off calls.",
        epilog="Exit status: 0 success, 1 some rows failed or the job stopped, 2 bad usage or invalid input "
               "(nothing sent), 130 interrupted.")
    commands = parser.add_subparsers(dest="group", metavar="COMMAND", required=True)

    groups = {}
    for (group_name, command), (job, _, chunked) in _BULK_COMMANDS.items():
        if group_name not in groups:
            group_parser = commands.add_parser(group_name, help=_GROUP_HELP[group_name])
            groups[group_name] = group_parser.add_subparsers(dest="command", metavar="ACTION", required=True)
        sub = groups[group_name].add_parser(command, parents=[jobs, connection], help=_COMMAND_HELP[group_name])
        if chunked:
            limit = bulk.JOBS[job].max_chunk
            sub.add_argument("--chunk-size", type=_integer_at_least(1), default=limit or bulk.DEFAULT_CHUNK_SIZE,
                             help="rows per request (default and maximum: %s)" % (
                                 "%d, the spec's limit" % limit if limit else "%d; the spec sets no maximum"
                                 % bulk.DEFAULT_CHUNK_SIZE))
        if job == "profiles":
            sub.add_argument("--run-rule-engine", action="store_true",
                             help="let the service compute integration states (default: silent=yes)")
        if job == "customer-data":
            sub.add_argument("--yes", action="store_true", help="confirm: the personal data is deleted for good")

    session = commands.add_parser("session", help="customer sessions")
    session_actions = session.add_subparsers(dest="command", metavar="ACTION", required=True)
    update = session_actions.add_parser("update", parents=[connection],
                                        help="update_customer_session_v2 with an IntegrationRequest")
    update.add_argument("session_id", metavar="ID", help="the customer session's integration ID")
    update.add_argument("--json", required=True, metavar="FILE", dest="json_file",
                        help="the IntegrationRequest body as a JSON file, or - for stdin")
    update.add_argument("--dry", action="store_true", help="evaluate without saving (the service's dry=true)")

    inventory = commands.add_parser("inventory", parents=[connection],
                                    help="get_customer_inventory: a customer's profile, referrals, coupons, loyalty")
    inventory.add_argument("integration_id", metavar="ID", help="the customer profile's integration ID")
    for part in ("profile", "referrals", "coupons", "loyalty"):
        inventory.add_argument("--" + part, action="store_true", help="include the %s" % part)

    reservations = commands.add_parser("reservations", help="coupon reservations")
    reservation_actions = reservations.add_subparsers(dest="command", metavar="ACTION", required=True)
    listing = reservation_actions.add_parser("list", parents=[connection],
                                             help="get_reserved_customers or get_reserved_coupons")
    which = listing.add_mutually_exclusive_group(required=True)
    which.add_argument("--coupon", metavar="CODE", help="the customers who reserved this coupon")
    which.add_argument("--customer", metavar="ID", help="the coupons this customer (integration ID) reserved")
    return parser


_GROUP_HELP = {
    "profiles": "customer profiles in bulk",
    "events": "custom events in bulk",
    "audiences": "audience memberships in bulk",
    "customer-data": "delete customers' personal data in bulk",
}
_COMMAND_HELP = {
    "profiles": "create or update customer profiles (update_customer_profiles_v2)",
    "events": "track events, one request each (track_event)",
    "audiences": "add profiles to or remove them from audiences (update_customer_profile_audiences)",
    "customer-data": "delete the personal data of customers (delete_customer_data)",
}


# --------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------

def main(argv: Optional[List[str]] = None) -> int:
    """The console script: parse `argv` (default sys.argv[1:]), run, return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        if (args.group, getattr(args, "command", None)) in _BULK_COMMANDS:
            return _run_bulk(args)
        return _run_call(args)
    except UsageError as error:
        _err("talon-one: error: %s" % error)
        return EXIT_USAGE
    except (ApiValueError, ApiTypeError) as error:  # configuration or input: nothing was sent
        _err("talon-one: error: %s" % error)
        return EXIT_USAGE


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _api(args: argparse.Namespace, workers: int = 1) -> IntegrationApi:
    """An IntegrationApi from the environment and the flags (raises ApiValueError when unset),
    keeping a connection for each of `workers` threads."""
    import talon_one
    configuration = talon_one.Configuration.from_env(host=args.base_url, api_key_v1=args.api_key)
    configuration.connection_pool_maxsize = max(configuration.connection_pool_maxsize, workers)
    return talon_one.IntegrationApi(talon_one.ApiClient(configuration))


def _close(api: Optional[IntegrationApi]) -> None:
    if api is not None:
        api.api_client.close()


def _run_bulk(args: argparse.Namespace) -> int:
    job_key, function_name, chunked = _BULK_COMMANDS[(args.group, args.command)]
    if job_key == "customer-data" and not (args.yes or args.dry_run):
        raise UsageError("customer-data delete removes personal data for good: add --yes to confirm "
                         "(or --dry-run to check the input)")
    if args.file == "-" and args.format is None:
        args.format = "jsonl"
    progress = _progress_display(args.progress, args.log_every)
    rows = bulk.read_rows(args.file, args.format, job_key)
    if args.report:
        _check_report_path(args.report, args.file)
    api = None if args.dry_run else _api(args, args.workers)
    options: Dict[str, Any] = dict(workers=args.workers, dry=args.dry_run, start_at=args.start_at,
                                   skip_invalid=args.skip_invalid, on_progress=progress.update)
    if chunked:
        options["chunk_size"] = args.chunk_size
    if job_key == "profiles":
        options["run_rule_engine"] = args.run_rule_engine
    previous_handler = _stop_on_sigterm()
    run: Callable[..., bulk.BulkReport] = getattr(bulk, function_name)
    try:
        report = run(api, rows, **options)
    except bulk.InvalidRowsError as error:
        progress.close()
        for row in error.invalid:
            _err("invalid: " + str(row))
        _err("talon-one: %d of %d rows are invalid; nothing was sent (--skip-invalid sends the valid ones)"
             % (len(error.invalid), error.read))
        return EXIT_USAGE
    except KeyboardInterrupt as interrupt:
        progress.close()
        partial: Optional[bulk.BulkReport] = getattr(interrupt, "bulk_report", None)
        if partial is not None:
            _err(partial.summary())
            _err("talon-one: interrupted; resume with --start-at %d" % partial.next_offset)
            _write_report(args.report, partial, job_key)
        return EXIT_INTERRUPTED
    finally:
        if previous_handler is not None:
            signal.signal(signal.SIGTERM, previous_handler)
        _close(api)
    progress.close()
    for row in report.invalid:
        _err("invalid (skipped): " + str(row))
    for failure in report.failures[:FAILURES_SHOWN]:
        _err("failed: " + str(failure))
    if len(report.failures) > FAILURES_SHOWN:
        _err("failed: (%d more failed requests)" % (len(report.failures) - FAILURES_SHOWN))
    _write_report(args.report, report, job_key)
    _err(report.summary())
    if isinstance(report.stop_error, MissingCredentialsError):
        return EXIT_USAGE  # a configuration error found at the first request: nothing was sent
    if report.stopped:
        _err("talon-one: stopped early; after fixing the cause, resume with --start-at %d" % report.next_offset)
    return EXIT_OK if report.ok else EXIT_FAILED


def _check_report_path(report: str, input_path: str) -> None:
    """Refuse, before anything is sent, a --report that cannot be written or would overwrite the input."""
    if input_path != "-" and os.path.exists(report) and os.path.samefile(report, input_path):
        raise UsageError("--report %s is the input file: the failed rows would overwrite it; "
                         "write them to another file" % report)
    try:
        open(report, "a").close()
    except OSError as error:
        raise UsageError("cannot write the report %s: %s" % (report, error.strerror)) from None


# What signal.signal takes and returns: a function, SIG_DFL or SIG_IGN, or None (a handler not set from Python).
_SignalHandler = Union[Callable[[int, Optional[FrameType]], Any], int, signal.Handlers, None]


def _stop_on_sigterm() -> _SignalHandler:
    """Make SIGTERM (cron's timeout, systemd, kill) stop a job as Ctrl-C does: the requests in flight
    end, and the summary says where to resume. Returns the previous handler (None off the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum: int, frame: Optional[FrameType]) -> NoReturn:
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)


def _write_report(path: Optional[str], report: bulk.BulkReport, job_key: str) -> None:
    """The failed rows as JSONL (input for a re-run); unknown-outcome rows of a POST job to PATH.unknown."""
    if not path:
        return
    resendable = bulk.JOBS[job_key].idempotent
    unknown_path = path + ".unknown"
    counts = {path: 0, unknown_path: 0}
    with open(path, "w", encoding="utf-8") as out, open(unknown_path, "w", encoding="utf-8") as unknown:
        for failure in report.failures:
            target, name = (unknown, unknown_path) if failure.outcome_unknown and not resendable else (out, path)
            for item in failure.items:
                target.write(json.dumps(item, ensure_ascii=False) + "\n")
                counts[name] += 1
    if not counts[unknown_path]:
        os.remove(unknown_path)
    else:
        _err("talon-one: %d rows may have been applied (outcome unknown); they are in %s, not in %s: check "
             "before sending them again" % (counts[unknown_path], unknown_path, path))
    _err("talon-one: %d failed rows written to %s" % (counts[path], path))


def _run_call(args: argparse.Namespace) -> int:
    api = _api(args)
    result: object
    try:
        if args.group == "session":
            result = api.update_customer_session_v2(args.session_id, _read_json(args.json_file),
                                                    dry=True if args.dry else None)
        elif args.group == "inventory":
            flags = {part: True for part in ("profile", "referrals", "coupons", "loyalty") if getattr(args, part)}
            result = api.get_customer_inventory(args.integration_id, **flags)
        elif args.coupon is not None:
            result = api.get_reserved_customers(args.coupon)
        else:
            result = api.get_reserved_coupons(args.customer)
    except ApiException as error:
        _err("talon-one: %s failed: %s: %s" % (args.group, type(error).__name__, error))
        return EXIT_FAILED
    finally:
        _close(api)
    print(json.dumps(_plain(result), indent=2, ensure_ascii=False))
    return EXIT_OK


def _read_json(path: str) -> Any:
    try:
        if path == "-":
            return json.load(sys.stdin)
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as error:
        raise UsageError("cannot read %s: %s" % (path, error.strerror)) from None
    except ValueError as error:
        raise UsageError("%s is not valid JSON: %s" % ("stdin" if path == "-" else path, error)) from None


def _plain(result: Any) -> Any:
    """A response as JSON values, with the spec's JSON keys."""
    if result is None:
        return None
    if hasattr(result, "to_json"):
        return json.loads(result.to_json())
    return result


# --------------------------------------------------------------------------
# Progress on stderr
# --------------------------------------------------------------------------

class _ProgressDisplay(Protocol):
    """Where a bulk job's progress goes: ``update`` after each request, ``close`` when the job ends."""

    def update(self, progress: bulk.Progress) -> None: ...

    def close(self) -> None: ...


class _NoProgress:
    def update(self, progress: bulk.Progress) -> None:
        pass

    def close(self) -> None:
        pass


class _ProgressBar:
    """A tqdm bar on stderr: rows done of the total (known once the input is validated), rows/s, ETA."""

    def __init__(self, tqdm: Type[Tqdm[NoReturn]]) -> None:
        self._tqdm = tqdm
        self._bar: Optional[Tqdm[NoReturn]] = None

    def update(self, progress: bulk.Progress) -> None:
        bar = self._bar
        if bar is None:
            bar = self._bar = self._tqdm(total=progress.total, unit=" rows", file=sys.stderr, dynamic_ncols=True,
                                         mininterval=0.2)
        bar.update(progress.done - bar.n)
        if progress.failed or progress.invalid:
            bar.set_postfix(failed=progress.failed, invalid=progress.invalid, refresh=False)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class _ProgressLines:
    """A line on stderr at most every `interval` seconds: for logs, and to know where to resume after a crash."""

    def __init__(self, interval: float) -> None:
        self._interval = interval
        self._last: Optional[float] = None

    def update(self, progress: bulk.Progress) -> None:
        if self._last is not None and progress.elapsed - self._last < self._interval:
            return
        self._last = progress.elapsed
        total = "/%d" % progress.total if progress.total is not None else ""
        rate = progress.done / progress.elapsed if progress.elapsed > 0 else 0.0
        _err("progress: %d%s rows done, %d accepted, %d failed, %d invalid, %.0f rows/s; next offset %d"
             % (progress.done, total, progress.accepted, progress.failed, progress.invalid, rate,
                progress.next_offset))

    def close(self) -> None:
        pass


def _progress_display(mode: str, interval: float = 10.0) -> _ProgressDisplay:
    """The progress display for --progress: a tqdm bar, log lines, or nothing (the summary line comes anyway)."""
    if mode == "none":
        return _NoProgress()
    if mode == "log":
        return _ProgressLines(interval)
    if mode == "auto" and not sys.stderr.isatty():
        return _NoProgress()
    try:
        from tqdm import tqdm
    except ImportError:
        if mode == "bar":
            raise UsageError("the progress bar needs tqdm, which is not installed: "
                             "pip install 'talon_one[cli]' (or use --progress none)") from None
        return _NoProgress()
    return _ProgressBar(tqdm)


if __name__ == "__main__":
    sys.exit(main())
