"""The chaos run: thousands of calls of all 15 operations, from 8 threads sharing one client,
against a server that fails at random in every way we know of (chaos_server.FAULTS).

For EVERY call the run checks, against the log of what the server saw and did:

* the outcome: the operation's model (with the answer meant for this very request),
  or one of our exception classes, the one the last fault calls for; never a raw
  urllib3 / socket / JSON / RecursionError;
* the retries: a request is re-sent only after a fault the policy retries for its
  method, never more than 1 + max_retries times, and not given up on early;
  in particular a POST whose outcome was unknown is never sent twice;
* the waits the policy asked for: exactly the Retry-After seconds, within the
  date's, or a backoff within its ceiling (the sleep is recorded, not slept);
* the duration: within the attempts' connect + read timeouts plus slack (a bound
  that proves the call ended, not a performance figure).

Afterwards the same client makes clean calls that must all succeed (no poisoned
connection in the pool). The faults of attempt n of request uid are drawn from
the seed, so a failing run replays with TALON_ONE_CHAOS_SEED=<seed>.
"""

import collections
import itertools
import os
import random
import threading
import time

import pytest

import talon_one
from talon_one.exceptions import (ApiConnectionError, ApiDecodeError, ApiException, ApiTimeoutError,
                                  BadRequestException, ConflictException, NotFoundException, OpenApiException,
                                  ResponseTooLargeError, ServiceException, TooManyRequestsException,
                                  UnauthorizedException)
from talon_one.retries import RetryPolicy

from chaos_server import FAULTS, TOO_LARGE_LIMIT
from reliability_ops import SOAK
from reliability_ops import IDEMPOTENT, OPS

pytestmark = [pytest.mark.timeout(300),
              pytest.mark.filterwarnings("ignore:IntegrationApi.update_customer:DeprecationWarning")]

CALLS = int(os.environ.get("TALON_ONE_CHAOS_CALLS") or (25000 if SOAK else 5000))
THREADS = 8
MAX_RETRIES = 2
CONNECT_TIMEOUT = 1.0
READ_TIMEOUT = 0.3
# Per attempt, on top of the timeouts: a 3 MB body read and decoded on a busy machine.
SLACK_PER_ATTEMPT = 1.0
SLACK_PER_CALL = 3.0
BUDGET = (1 + MAX_RETRIES) * (CONNECT_TIMEOUT + READ_TIMEOUT + SLACK_PER_ATTEMPT) + SLACK_PER_CALL
CLEAN_CALLS_PER_THREAD = 30

_STATUS_EXCEPTIONS = {400: BadRequestException, 401: UnauthorizedException, 404: NotFoundException,
                      409: ConflictException, 429: TooManyRequestsException, 302: ApiException,
                      418: ApiException}

Call = collections.namedtuple("Call", "uid op outcome seconds sleeps")

API_KEY = "chaos-key-1f6b2d"

# 503 and 429 without a usable Retry-After: a proxy's answer, the service may have applied the request.
UNKNOWN_OUTCOME_STATUSES = frozenset(("status_503", "status_429", "status_429_retry_after_garbage"))


class SleepRecorder:
    """The policy's sleep: records the wait per thread, and returns at once."""

    def __init__(self):
        self._local = threading.local()

    def __call__(self, seconds):
        self.taken().append(seconds)

    def taken(self):
        if not hasattr(self._local, "sleeps"):
            self._local.sleeps = []
        return self._local.sleeps


def run_calls(api, plan, sleeps, threads=THREADS):
    """Make the planned (uid, op) calls from `threads` threads; every outcome is kept, raised or not."""
    results = []
    cursor = itertools.count()
    lock = threading.Lock()

    def worker():
        local = []
        while True:
            index = next(cursor)
            if index >= len(plan):
                break
            uid, op = plan[index]
            del sleeps.taken()[:]
            began = time.monotonic()
            try:
                outcome = op.call(api, uid)
            except BaseException as error:  # judged below: it must be one of ours
                outcome = error
            local.append(Call(uid, op, outcome, time.monotonic() - began, list(sleeps.taken())))
        with lock:
            results.extend(local)

    workers = [threading.Thread(target=worker, name="chaos-%d" % n) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(600)
    assert not any(thread.is_alive() for thread in workers), "a chaos thread never finished"
    return results


def retried(kind, method):
    when = FAULTS[kind][2]
    return when == "any" or (when == "idem" and method in IDEMPOTENT)


def backoff_ceiling(policy, retry_number):
    return min(policy.backoff_max, policy.backoff_base * policy.backoff_factor ** retry_number)


def check_answer(call, data, status, headers, attempts, problems):
    op = call.op
    if op.model is None:
        if data is not None:
            problems.append("%s: %s returned %r, expected None" % (call.uid, op.name, type(data).__name__))
    elif type(data) is not op.model:
        problems.append("%s: %s returned %s, expected %s" % (call.uid, op.name, type(data).__name__,
                                                              op.model.__name__))
    check_echo(call, headers, attempts, problems)


def check_echo(call, headers, attempts, problems):
    """The answer is the one the server sent to this request's last attempt."""
    if headers is None:
        return
    uid, attempt = headers.get("X-Chaos-Uid"), headers.get("X-Chaos-Attempt")
    if uid != call.uid or attempt != str(attempts - 1):
        problems.append("%s: got the answer to %s attempt %s (expected attempt %d)"
                        % (call.uid, uid, attempt, attempts - 1))


def check_retry_after(call, error, kind, detail, problems):
    expected = {"status_429_retry_after": lambda: float(detail), "status_503_retry_after": lambda: float(detail),
                "status_429_retry_after_day": lambda: float(detail)}.get(kind)
    if expected is not None:
        if error.retry_after != expected():
            problems.append("%s: retry_after %r, expected %s" % (call.uid, error.retry_after, detail))
    elif kind == "status_429_retry_after_date":
        if error.retry_after is None or not 0 <= error.retry_after <= int(detail) + 1:
            problems.append("%s: retry_after %r for a date %s s ahead" % (call.uid, error.retry_after, detail))
    elif error.retry_after is not None:
        problems.append("%s: retry_after %r after %s" % (call.uid, error.retry_after, kind))


def judge(call, entries, policy, problems):
    """Every check for one call, given the server's log of its attempts."""
    op, outcome = call.op, call.outcome
    if call.seconds > BUDGET:
        problems.append("%s: %s took %.2f s, over its budget of %.2f s" % (call.uid, op.name, call.seconds, BUDGET))
    if isinstance(outcome, BaseException) and not isinstance(outcome, OpenApiException):
        problems.append("%s: %s raised a raw %s: %s" % (call.uid, op.name, type(outcome).__name__, outcome))
        return
    if isinstance(outcome, BaseException):
        shown = "%s %r %r %r" % (outcome, outcome, getattr(outcome, "body", None), getattr(outcome, "headers", None))
        if API_KEY in shown:
            problems.append("%s: the API key shows in the %s raised" % (call.uid, type(outcome).__name__))
    if not entries:
        problems.append("%s: %s never reached the server (%r)" % (call.uid, op.name, outcome))
        return
    if any(entry[0] != op.method for entry in entries):
        problems.append("%s: sent with another method: %s" % (call.uid, [entry[0] for entry in entries]))
    for number, (_, kind, _, _, _) in enumerate(entries[:-1]):
        if not retried(kind, op.method) or number >= policy.max_retries:
            problems.append("%s: %s %s re-sent after %s (attempt %d)" % (call.uid, op.method, op.name, kind, number))
    _, kind, detail, _, _ = entries[-1]
    if retried(kind, op.method) and len(entries) <= policy.max_retries:
        problems.append("%s: %s gave up after %s with retries left" % (call.uid, op.name, kind))
    check_sleeps(call, entries, policy, problems)

    expected = FAULTS[kind][3]
    if expected in ("decode", "ok_or_decode") and op.model is None:
        expected = "ok"  # the 204 operations decode nothing: any 200 body is ignored
    if expected == "ok_or_decode":
        expected = "decode" if isinstance(outcome, ApiDecodeError) else "ok"
    if expected == "ok":
        if isinstance(outcome, BaseException):
            problems.append("%s: %s raised %s after %s: %s" % (call.uid, op.name, type(outcome).__name__, kind,
                                                              outcome))
        else:
            check_answer(call, outcome[0], outcome[1], outcome[2], len(entries), problems)
        return
    if not isinstance(outcome, BaseException):
        problems.append("%s: %s returned %s after %s (%s)" % (call.uid, op.name, type(outcome[0]).__name__, kind,
                                                             detail))
        return
    if expected == "decode":
        wanted = ApiDecodeError
    elif expected == "timeout":
        wanted = ApiTimeoutError
    elif expected == "too_large":
        wanted = ResponseTooLargeError
    elif expected == "connection":
        # A connection fault the server had not reached when the read timeout ran out (a loaded
        # machine, 100 tasks on one client) ends as ApiTimeoutError: no answer either way, and the
        # retry rules checked above are the same for both.
        wanted = ApiTimeoutError if type(outcome) is ApiTimeoutError else ApiConnectionError
    else:
        wanted = ServiceException if expected >= 500 else _STATUS_EXCEPTIONS[expected]
    exact = wanted in (ApiException, ApiConnectionError)
    if (type(outcome) is not wanted) if exact else not isinstance(outcome, wanted):
        problems.append("%s: %s raised %s after %s, expected %s: %s" % (
            call.uid, op.name, type(outcome).__name__, kind, wanted.__name__, outcome))
        return
    if isinstance(expected, int):
        if outcome.status != expected:
            problems.append("%s: status %s, expected %s" % (call.uid, outcome.status, expected))
        check_echo(call, outcome.headers, len(entries), problems)
        if expected in (429, 503):
            check_retry_after(call, outcome, kind, detail, problems)
    elif expected in ("decode", "too_large"):
        check_echo(call, outcome.headers, len(entries), problems)
    elif outcome.status is not None:
        problems.append("%s: a connection error with status %s" % (call.uid, outcome.status))


def check_sleeps(call, entries, policy, problems):
    """The waits match the retries in order; a retry that had to wait 0 s (Retry-After: 0, a date
    already past) calls no sleep at all."""
    waits = list(call.sleeps)
    for number, (_, kind, detail, _, _) in enumerate(entries[:-1]):
        if kind in ("status_429_retry_after", "status_503_retry_after"):
            low = high = float(detail)
        elif kind == "status_429_retry_after_date":
            low, high = 0.0, int(detail) + 1.0
        else:
            low, high = 0.0, backoff_ceiling(policy, number)
        if waits and low <= waits[0] <= high:
            waits.pop(0)
        elif low > 0:
            problems.append("%s: waited %r before retry %d after %s (%s), expected %g..%g"
                            % (call.uid, waits[:1], number + 1, kind, detail, low, high))
            return
    if waits:
        problems.append("%s: waited %r more than the %d retries asked for" % (call.uid, waits, len(entries) - 1))


def test_chaos_run(chaos, figures):
    seed = chaos.seed
    print("chaos seed %d (replay: TALON_ONE_CHAOS_SEED=%d)" % (seed, seed))
    rng = random.Random(seed)
    sleeps = SleepRecorder()
    policy = RetryPolicy(max_retries=MAX_RETRIES, sleep=sleeps, random=random.Random(seed).random,
                         max_retry_after=30, max_total_time=30)
    configuration = talon_one.Configuration(host=chaos.url, api_key_v1=API_KEY, connect_timeout=CONNECT_TIMEOUT,
                                            read_timeout=READ_TIMEOUT, retries=policy,
                                            max_response_bytes=TOO_LARGE_LIMIT)
    chaos.set_faults("on")
    chaos.take_log()
    plan = [("rq%08d" % (10_000_000 + n), rng.choice(OPS)) for n in range(CALLS)]
    began = time.monotonic()
    with talon_one.ApiClient(configuration) as client:
        api = talon_one.IntegrationApi(client)
        results = run_calls(api, plan, sleeps)
        log = chaos.take_log()["log"]

        # The same client, faults off: every call succeeds, with its own answer.
        chaos.set_faults("off")
        clean_plan = [("rq%08d" % (20_000_000 + n), OPS[n % len(OPS)])
                      for n in range(THREADS * CLEAN_CALLS_PER_THREAD)]
        clean = run_calls(api, clean_plan, sleeps)
        clean_log = chaos.take_log()["log"]
        chaos.set_faults("on")
    seconds = time.monotonic() - began

    problems = []
    kinds = collections.Counter()
    retries = post_resends = post_unknown_statuses = 0
    for call in results:
        entries = log.get(call.uid, [])
        judge(call, entries, policy, problems)
        kinds.update(entry[1] for entry in entries)
        retries += max(0, len(entries) - 1)
        if call.op.method == "POST":
            post_resends += sum(1 for number in range(1, len(entries))
                                if any(entry[3] for entry in entries[:number]))
            post_unknown_statuses += sum(1 for entry in entries if entry[1] in UNKNOWN_OUTCOME_STATUSES)
    for call in clean:
        entries = clean_log.get(call.uid, [])
        if isinstance(call.outcome, BaseException) or len(entries) != 1:
            problems.append("clean %s: %s -> %r after %d attempts" % (call.uid, call.op.name, call.outcome,
                                                                      len(entries)))
        else:
            check_answer(call, call.outcome[0], call.outcome[1], call.outcome[2], 1, problems)
    longest = max(call.seconds for call in results)

    figures.set("chaos: seed", seed)
    figures.set("chaos: calls (8 threads, one client, 15 operations)", len(results))
    figures.set("chaos: attempts the server saw", sum(len(entries) for entries in log.values()))
    for kind, count in sorted(kinds.items()):
        if kind != "none":
            figures.set("chaos: faults injected: %s" % kind, count)
    figures.set("chaos: faults injected (total)", sum(count for kind, count in kinds.items() if kind != "none"))
    figures.set("chaos: retries made", retries)
    figures.set("chaos: POST re-sends after an unknown outcome", post_resends)
    figures.set("chaos: POSTs answered 503/429 without a valid Retry-After (each sent once)", post_unknown_statuses)
    figures.set("chaos: invariant violations", len(problems))
    figures.set("chaos: longest call (s)", round(longest, 3))
    figures.set("chaos: per-call budget (s)", round(BUDGET, 3))
    figures.set("chaos: clean calls after the run (all succeeded)", len(clean) if not problems else 0)
    figures.set("chaos: run time (s)", round(seconds, 1))

    assert len(results) == CALLS and len(clean) == len(clean_plan)
    assert post_resends == 0, "seed %d" % seed
    assert not problems, "seed %d: %d violations, first ones:\n%s" % (seed, len(problems), "\n".join(problems[:25]))
    # Every kind of fault was met (the run is large enough for the rarest ones).
    assert set(kinds) == set(FAULTS), "seed %d: never injected %s" % (seed, set(FAULTS) - set(kinds))
