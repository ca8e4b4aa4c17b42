"""A client lives as long as a worker process: forked (Celery prefork), shared by many threads,
created and closed over and over. None of that may mix answers up, share a socket between
processes, leak file descriptors or threads, or keep the interpreter from exiting.
"""

import gc
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
import warnings

import pytest

import talon_one
from talon_one.retries import RetryPolicy

from reliability_ops import OPS, wait_for_child

THREADS = 16
CALLS_PER_THREAD = 500
FORK_CHILDREN = 4
LEAK_CLIENTS = 1000

pytestmark = [pytest.mark.timeout(120),
              pytest.mark.filterwarnings("ignore:IntegrationApi.update_customer:DeprecationWarning")]


def calm_configuration(chaos, **settings):
    settings.setdefault("connect_timeout", 2)
    settings.setdefault("read_timeout", 5)
    settings.setdefault("retries", RetryPolicy(max_retries=0))
    return talon_one.Configuration(host=chaos.url, api_key_v1="k", **settings)


def client_port(api, uid, op=None):
    """Make one call (the op picked by uid) and return the client port the server saw it from."""
    op = op or OPS[int(uid[-4:]) % len(OPS)]
    _, status, headers = op.call(api, uid)
    assert headers["X-Chaos-Uid"] == uid
    return int(headers["X-Chaos-Client-Port"])


# -- fork --------------------------------------------------------------------------------------------

def _child(api, number, write_end):
    """In a forked child: calls (sync and async_req), then report the ports seen, and exit."""
    status = 1
    try:
        ports = [client_port(api, "rq%08d" % (30_000_000 + number * 100 + n)) for n in range(10)]
        op = OPS[0]
        results = [op.call(api, "rq%08d" % (30_000_000 + number * 100 + 50 + n), async_req=True) for n in range(3)]
        ports += [int(result.get(timeout=10)[2]["X-Chaos-Client-Port"]) for result in results]
        os.write(write_end, json.dumps({"ports": ports}).encode())
        status = 0
    except BaseException as error:  # reported to the parent
        os.write(write_end, json.dumps({"error": repr(error)}).encode())
    finally:
        os._exit(status)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_children_use_their_own_connections_and_the_parent_keeps_working(calm_chaos, figures):
    with talon_one.ApiClient(calm_configuration(calm_chaos), pool_threads=2) as client:
        api = talon_one.IntegrationApi(client)
        parent_ports = {client_port(api, "rq%08d" % (31_000_000 + n)) for n in range(5)}
        parent_ports.add(int(OPS[0].call(api, "rq31000099", async_req=True).get(timeout=10)[2]["X-Chaos-Client-Port"]))

        children = []
        for number in range(FORK_CHILDREN):
            read_end, write_end = os.pipe()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # fork() with threads running
                pid = os.fork()
            if pid == 0:
                os.close(read_end)
                _child(api, number, write_end)
            os.close(write_end)
            children.append((pid, read_end))

        reports = []
        for pid, read_end in children:
            exit_code = wait_for_child(pid, 30)
            with os.fdopen(read_end, "rb") as pipe:
                report = json.loads(pipe.read() or b"{}")
            assert exit_code == 0, report
            reports.append(set(report["ports"]))

        after = {client_port(api, "rq%08d" % (32_000_000 + n)) for n in range(5)}
    for number, ports in enumerate(reports):
        assert not ports & parent_ports, "child %d used the parent's connection" % number
        for other in reports[number + 1:]:
            assert not ports & other, "two children shared a connection"
    assert after <= parent_ports, "the parent's pooled connections did not survive the children"
    figures.set("fork: children (each 10 calls + 3 async_req calls, own connections)", FORK_CHILDREN)


# -- threads -----------------------------------------------------------------------------------------

def test_sixteen_threads_share_one_client_and_every_answer_matches_its_request(fake, figures):
    """Each call names a session or profile of its own; the answer must echo it back."""
    errors = []
    mismatches = []
    calls = [0] * THREADS

    with talon_one.ApiClient(fake.configuration()) as client:
        api = talon_one.IntegrationApi(client)

        def worker(thread):
            try:
                for n in range(CALLS_PER_THREAD):
                    session, profile = "t%d-s%d" % (thread, n), "t%d-p%d" % (thread, n)
                    kind = n % 4
                    if kind == 0:
                        state = api.update_customer_session_v2(session, {
                            "customerSession": {"profileId": profile, "cartItems": [
                                {"name": "Shoe", "sku": "SKU-%d" % n, "price": 10.0 + n, "quantity": 1}]},
                            "responseContent": ["customerSession", "customerProfile"]})
                        seen = (state.customer_session.integration_id, state.customer_profile.integration_id,
                                state.customer_session.cart_items[0].sku)
                        wanted = (session, profile, "SKU-%d" % n)
                    elif kind == 1:
                        state = api.update_customer_profile_v2(profile, {
                            "attributes": {"n": n}, "responseContent": ["customerProfile"]})
                        seen = (state.customer_profile.integration_id, state.customer_profile.attributes)
                        wanted = (profile, {"n": n})
                    elif kind == 2:
                        inventory = api.get_customer_inventory("t%d-p%d" % (thread, n - 1), profile=True)
                        seen = (inventory.profile.integration_id, inventory.profile.attributes)
                        wanted = ("t%d-p%d" % (thread, n - 1), {"n": n - 1})
                    else:
                        state = api.track_event({"profileId": profile, "sessionId": session, "type": "t%d" % n,
                                                 "attributes": {}})
                        seen = (state.event.profile_id, state.event.session_id, state.event.type)
                        wanted = (profile, session, "t%d" % n)
                    calls[thread] += 1
                    if seen != wanted:
                        mismatches.append((thread, n, seen, wanted))
            except Exception as error:  # reported below
                errors.append((thread, repr(error)))

        workers = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(110)
        assert not any(thread.is_alive() for thread in workers)
    figures.set("threads: calls on one client (%d threads x %d)" % (THREADS, CALLS_PER_THREAD), sum(calls))
    figures.set("threads: errors", len(errors))
    figures.set("threads: answers not matching their request", len(mismatches))
    assert errors == [] and mismatches == []
    assert sum(calls) == THREADS * CALLS_PER_THREAD


# -- leaks and exit -----------------------------------------------------------------------------------

def open_fds():
    return len(os.listdir("/proc/self/fd"))


def settled(measure, baseline, seconds=3.0):
    """`measure()` once it is back to `baseline` (sockets and threads end asynchronously), or its last value."""
    deadline = time.monotonic() + seconds
    while True:
        gc.collect()
        value = measure()
        if value <= baseline or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def executor_threads():
    return [t for t in threading.enumerate() if t.name.startswith("talon_one")]


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd")
def test_a_thousand_clients_created_used_and_closed_leak_nothing(calm_chaos, figures):
    configuration = calm_configuration(calm_chaos)

    def use_one(n, async_call):
        client = talon_one.ApiClient(configuration, pool_threads=2)
        api = talon_one.IntegrationApi(client)
        uid = "rq%08d" % (40_000_000 + n)
        if async_call:
            result = OPS[n % len(OPS)].call(api, uid, async_req=True)
            assert result.get(timeout=10)[2]["X-Chaos-Uid"] == uid
        else:
            client_port(api, uid, OPS[n % len(OPS)])
        client.close()

    for n in range(20):  # warm up: imports, caches, the first connections
        use_one(n, n % 2 == 0)
    fds, threads = settled(open_fds, 0, 0.2), threading.active_count()
    for n in range(LEAK_CLIENTS):
        use_one(100 + n, n % 10 == 0)  # every tenth also starts (and must stop) an async_req pool
    fd_growth = settled(open_fds, fds) - fds
    thread_growth = settled(threading.active_count, threads) - threads
    figures.set("leaks: clients created, used and closed (1 in 10 with async_req)", LEAK_CLIENTS)
    figures.set("leaks: open file descriptor growth", fd_growth)
    figures.set("leaks: thread growth", thread_growth)
    assert fd_growth <= 0 and thread_growth <= 0
    assert executor_threads() == []


def test_close_stops_the_async_pool_after_the_calls_already_submitted(calm_chaos):
    client = talon_one.ApiClient(calm_configuration(calm_chaos), pool_threads=4)
    api = talon_one.IntegrationApi(client)
    results = [OPS[n % len(OPS)].call(api, "rq%08d" % (41_000_000 + n), async_req=True) for n in range(12)]
    client.close()
    assert all(result.ready() for result in results)
    assert [result.get(timeout=0)[2]["X-Chaos-Uid"] for result in results] == \
        ["rq%08d" % (41_000_000 + n) for n in range(12)]
    assert settled(lambda: len(executor_threads()), 0) == 0
    # Still usable after close(): a later call opens what it needs again.
    assert client_port(talon_one.IntegrationApi(client), "rq41000099") > 0
    assert OPS[0].call(api, "rq41000098", async_req=True).get(timeout=10)[1] == 200
    client.close()
    assert settled(lambda: len(executor_threads()), 0) == 0


EXIT_SCRIPT = textwrap.dedent("""
    import sys
    import talon_one
    from talon_one.retries import RetryPolicy
    configuration = talon_one.Configuration(host=sys.argv[1], api_key_v1="k", connect_timeout=1,
                                            read_timeout=float(sys.argv[2]), retries=RetryPolicy(max_retries=1))
    client = talon_one.ApiClient(configuration, pool_threads=4)   # never closed
    api = talon_one.IntegrationApi(client)
    try:
        outcome = api.get_reserved_coupons_with_http_info("rq42000001", async_req=True).get(timeout=10)[1]
    except talon_one.ApiTimeoutError as error:
        outcome = type(error).__name__
    pending = [api.get_reserved_coupons("rq4200001%d" % n, async_req=True) for n in range(3)]
    print("called", outcome, flush=True)
    # exits here, with idle pool threads, or (when the server stalls) three calls in flight
""")


@pytest.mark.parametrize("in_flight", [False, True], ids=["idle-pool", "calls-in-flight"])
def test_an_unclosed_client_never_keeps_the_interpreter_alive(calm_chaos, tmp_path, in_flight, figures):
    script = tmp_path / "exit_without_close.py"
    script.write_text(EXIT_SCRIPT, encoding="utf-8")
    read_timeout = 0.5
    calm_chaos.set_faults("stall_before_headers" if in_flight else "off")
    began = time.monotonic()
    process = subprocess.Popen([sys.executable, str(script), calm_chaos.url, str(read_timeout)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()  # our own child
        process.communicate()
        pytest.fail("the interpreter did not exit within 30 s")
    finally:
        calm_chaos.set_faults("off")
    seconds = time.monotonic() - began
    assert process.returncode == 0, err.decode()
    assert (b"called ApiTimeoutError" if in_flight else b"called 200") in out, (out, err)
    log = calm_chaos.take_log()["log"]
    if in_flight:  # the three pending calls were sent (and stalled) before the script ended
        assert all(len(log.get("rq4200001%d" % n, [])) >= 1 for n in range(3)), log
    # Calls in flight end within their own timeouts (2 attempts x 0.5 s + backoff), not later.
    assert seconds < 15
    figures.set("exit: unclosed client, %s: interpreter exit (s)" % ("calls in flight" if in_flight else "idle pool"),
                round(seconds, 2))


def test_async_calls_racing_close_run_or_raise_one_of_ours(calm_chaos, figures):
    """close() in one thread while another submits async_req calls: each call runs (or raises an
    OpenApiException), never a raw RuntimeError from the shut-down thread pool."""
    client = talon_one.ApiClient(calm_configuration(calm_chaos), pool_threads=2)
    api = talon_one.IntegrationApi(client)
    stop = threading.Event()
    outcomes = []

    def closer():
        while not stop.is_set():
            client.close()

    thread = threading.Thread(target=closer)
    thread.start()
    try:
        for n in range(300):
            try:
                result = OPS[0].call(api, "rq%08d" % (43_000_000 + n), async_req=True)
                outcomes.append(result.get(timeout=10)[1])
            except talon_one.OpenApiException as error:
                outcomes.append(type(error).__name__)
    finally:
        stop.set()
        thread.join(10)
        client.close()
    figures.set("async_req racing close(): calls made / raw errors", "%d / 0" % len(outcomes))
    assert len(outcomes) == 300 and set(outcomes) <= {200, "ApiException"}, set(outcomes)
