"""The chaos run for the asyncio client: 100 tasks share one AsyncApiClient against the chaos server.

The invariants are test_chaos.py's, checked by its own `judge` for every call: the
operation's model with the answer meant for this very request, or the one exception
of ours the last fault calls for (never a raw aiohttp / socket / JSON error); a
request re-sent only after a fault its method may be retried for (no POST re-sent
after an unknown outcome); the waits the policy asked for; each call within its
budget. Then every fault kind once more, forced, and clean calls on the same client
(no poisoned connection in its pool).

Cancellation: tasks cancelled at random points of their calls (connecting, sending,
waiting, reading a stalled body, between retries) raise CancelledError, never send a
POST twice, and leave the client healthy: every later answer is the one meant for its
own request, which a connection left half-read and reused would break.
"""

import asyncio
import collections
import contextvars
import random
import time

import pytest

import talon_one
from talon_one.aio import AsyncApiClient, AsyncIntegrationApi
from talon_one.retries import RetryPolicy

import test_chaos
from chaos_server import FAULTS, TOO_LARGE_LIMIT
from test_chaos import API_KEY, BUDGET, CONNECT_TIMEOUT, MAX_RETRIES, READ_TIMEOUT, Call, check_answer, judge
from reliability_ops import OPS

pytestmark = [pytest.mark.timeout(300),
              pytest.mark.filterwarnings("ignore:AsyncIntegrationApi.update_customer:DeprecationWarning")]

CALLS = 2000
TASKS = 100
CALLS_PER_FORCED_KIND = 3
CLEAN_CALLS = 300
CANCELLED_CALLS = 400

_task_sleeps = contextvars.ContextVar("task_sleeps")


def record_sleep(seconds):
    """The policy's sleep: records the wait for the running task, and returns at once."""
    _task_sleeps.get().append(seconds)


def chaos_configuration(chaos, seed):
    policy = RetryPolicy(max_retries=MAX_RETRIES, sleep=record_sleep, random=random.Random(seed).random,
                         max_retry_after=30, max_total_time=30)
    # One connection per task: a call never waits for a free one (that wait counts in the connect timeout).
    return talon_one.Configuration(host=chaos.url, api_key_v1=API_KEY, connect_timeout=CONNECT_TIMEOUT,
                                   read_timeout=READ_TIMEOUT, retries=policy, connection_pool_maxsize=TASKS,
                                   max_response_bytes=TOO_LARGE_LIMIT)


# Where the asyncio client's outcome differs from the synchronous one's, on purpose. An answer with
# both Transfer-Encoding and Content-Length (a response-splitting sign, RFC 9112 section 6.3) is read by
# the synchronous client, which then closes the connection; aiohttp's parser refuses it, so the
# asyncio client reports a broken answer (ApiConnectionError, may have been delivered) and retries
# it as it retries a connection lost after sending: for idempotent methods only.
# smuggled_after_204 sends that answer too, except to the three operations answered 204 (whose forged
# "body" aiohttp leaves unread: the connection is then closed, not reused, and the call succeeds).
_REFUSED = ("idem", "connection")
ASYNC_FAULTS = dict(FAULTS, smuggled_after_chunked=FAULTS["smuggled_after_chunked"][:2] + _REFUSED,
                    smuggled_after_204=FAULTS["smuggled_after_204"][:2] + _REFUSED)
ASYNC_FAULTS_204 = dict(ASYNC_FAULTS, smuggled_after_204=FAULTS["smuggled_after_204"])


@pytest.fixture(autouse=True)
def restore_faults(monkeypatch):
    """judge() reads the expected outcomes from test_chaos.FAULTS; judge_all sets the asyncio ones."""
    monkeypatch.setattr(test_chaos, "FAULTS", FAULTS)


async def run_calls(api, plan, tasks=TASKS):
    """Make the planned (uid, op) calls from `tasks` tasks; every outcome is kept, raised or not."""
    results = []
    cursor = iter(plan)

    async def worker():
        for uid, op in cursor:
            sleeps = []
            _task_sleeps.set(sleeps)
            began = time.monotonic()
            try:
                outcome = await op.call(api, uid)
            except Exception as error:  # judged below: it must be one of ours
                outcome = error
            results.append(Call(uid, op, outcome, time.monotonic() - began, list(sleeps)))

    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(tasks))), 600)
    return results


def judge_all(results, log, policy):
    problems = []
    kinds = collections.Counter()
    post_resends = 0
    for call in results:
        entries = log.get(call.uid, [])
        test_chaos.FAULTS = ASYNC_FAULTS_204 if call.op.model is None else ASYNC_FAULTS
        judge(call, entries, policy, problems)
        kinds.update(entry[1] for entry in entries)
        if call.op.method == "POST":
            post_resends += sum(1 for number in range(1, len(entries)) if any(entry[3] for entry in entries[:number]))
    return problems, kinds, post_resends


def check_clean(clean, log, problems):
    for call in clean:
        entries = log.get(call.uid, [])
        if isinstance(call.outcome, BaseException) or len(entries) != 1:
            problems.append("clean %s: %s -> %r after %d attempts" % (call.uid, call.op.name, call.outcome,
                                                                      len(entries)))
        else:
            check_answer(call, call.outcome[0], call.outcome[1], call.outcome[2], 1, problems)


def test_async_chaos_run(chaos, figures):
    seed = chaos.seed
    print("chaos seed %d (replay: TALON_ONE_CHAOS_SEED=%d)" % (seed, seed))
    rng = random.Random(seed)
    configuration = chaos_configuration(chaos, seed)
    policy = configuration.retries
    plan = [("rq%08d" % (30_000_000 + n), rng.choice(OPS)) for n in range(CALLS)]
    forced = [(kind, [("rq%08d" % (40_000_000 + 100 * index + n), OPS[(index + n) % len(OPS)])
                      for n in range(CALLS_PER_FORCED_KIND)])
              for index, kind in enumerate(sorted(FAULTS))]
    clean_plan = [("rq%08d" % (50_000_000 + n), OPS[n % len(OPS)]) for n in range(CLEAN_CALLS)]

    async def scenario():
        async with AsyncApiClient(configuration) as client:
            api = AsyncIntegrationApi(client)
            chaos.set_faults("on")
            chaos.take_log()
            results = await run_calls(api, plan)
            log = chaos.take_log()["log"]
            forced_results, forced_log = [], {}
            for kind, calls in forced:
                chaos.set_faults(kind)
                forced_results += await run_calls(api, calls, tasks=len(calls))
                forced_log.update(chaos.take_log()["log"])
            chaos.set_faults("off")
            clean = await run_calls(api, clean_plan)
            clean_log = chaos.take_log()["log"]
            chaos.set_faults("on")
            return results, log, forced_results, forced_log, clean, clean_log

    began = time.monotonic()
    results, log, forced_results, forced_log, clean, clean_log = asyncio.run(scenario())
    seconds = time.monotonic() - began

    problems, kinds, post_resends = judge_all(results, log, policy)
    forced_problems, forced_kinds, forced_resends = judge_all(forced_results, forced_log, policy)
    problems += forced_problems
    check_clean(clean, clean_log, problems)

    figures.set("async chaos: calls (%d tasks, one client, 15 operations)" % TASKS, len(results))
    figures.set("async chaos: attempts the server saw", sum(len(entries) for entries in log.values()))
    figures.set("async chaos: faults injected (random run)", sum(n for kind, n in kinds.items() if kind != "none"))
    figures.set("async chaos: fault kinds met (random run + forced)", len(set(kinds) | set(forced_kinds)))
    figures.set("async chaos: POST re-sends after an unknown outcome", post_resends + forced_resends)
    figures.set("async chaos: invariant violations", len(problems))
    figures.set("async chaos: longest call (s)", round(max(call.seconds for call in results), 3))
    figures.set("async chaos: clean calls after the run (all succeeded)", len(clean) if not problems else 0)
    figures.set("async chaos: run time (s)", round(seconds, 1))

    assert len(results) == CALLS and len(clean) == CLEAN_CALLS
    assert post_resends == 0 and forced_resends == 0, "seed %d" % seed
    assert not problems, "seed %d: %d violations, first ones:\n%s" % (seed, len(problems), "\n".join(problems[:25]))
    assert set(forced_kinds) >= set(FAULTS) - {"none"}, "seed %d: never met %s" % (seed, set(FAULTS) - set(forced_kinds))
    assert max(call.seconds for call in results) <= BUDGET


def test_tasks_cancelled_at_random_points_leave_the_client_healthy(chaos, figures):
    """Each call is cancelled after a random delay (0 to 60 ms: connecting, sending, waiting for a stalled
    answer, reading it, between retries). A cancelled call raises CancelledError; no POST is ever sent
    twice after its outcome became unknown; afterwards the same client answers every call with its own
    answer (a connection left half-read is closed, not reused)."""
    seed = chaos.seed + 1
    rng = random.Random(seed)
    configuration = chaos_configuration(chaos, seed)
    plan = [("rq%08d" % (60_000_000 + n), rng.choice(OPS), rng.uniform(0, 0.06)) for n in range(CANCELLED_CALLS)]
    clean_plan = [("rq%08d" % (70_000_000 + n), OPS[n % len(OPS)]) for n in range(CLEAN_CALLS)]

    async def cancelled_call(api, uid, op, delay):
        _task_sleeps.set([])
        task = asyncio.ensure_future(op.call(api, uid))
        await asyncio.sleep(delay)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return "cancelled"
        except talon_one.OpenApiException:
            return "finished"  # with one of our exceptions, before the cancellation came
        return "finished"

    async def scenario():
        async with AsyncApiClient(configuration) as client:
            api = AsyncIntegrationApi(client)
            chaos.set_faults("on")
            chaos.take_log()
            outcomes = []
            for start in range(0, len(plan), TASKS):
                batch = plan[start:start + TASKS]
                outcomes += await asyncio.wait_for(
                    asyncio.gather(*(cancelled_call(api, uid, op, delay) for uid, op, delay in batch)), 120)
            await asyncio.sleep(0.3)  # the server logs attempts it was still answering
            log = chaos.take_log()["log"]
            chaos.set_faults("off")
            clean = await run_calls(api, clean_plan)
            clean_log = chaos.take_log()["log"]
            chaos.set_faults("on")
            return outcomes, log, clean, clean_log

    outcomes, log, clean, clean_log = asyncio.run(scenario())
    problems = []
    post_resends = 0
    for (uid, op, _), outcome in zip(plan, outcomes):
        entries = log.get(uid, [])
        if op.method == "POST":
            post_resends += sum(1 for number in range(1, len(entries)) if any(entry[3] for entry in entries[:number]))
        if len(entries) > 1 + MAX_RETRIES:
            problems.append("%s: %d attempts" % (uid, len(entries)))
    check_clean(clean, clean_log, problems)
    counts = collections.Counter(outcomes)
    figures.set("async cancellation: calls cancelled mid-way", counts["cancelled"])
    figures.set("async cancellation: POST re-sends after an unknown outcome", post_resends)
    assert counts["cancelled"] >= CANCELLED_CALLS // 4, counts  # the delays land mid-call for most calls
    assert post_resends == 0, "seed %d" % seed
    assert not problems, "seed %d:\n%s" % (seed, "\n".join(problems[:25]))
