"""fork() while other threads are in the middle of calls never leaves the child hanging.

A lock another thread holds at the moment of fork() stays held for ever in the child. Two such
locks used to hang children: a model module's import lock (a thread was importing it lazily)
and urllib3's connection-queue lock (the child takes it to drop the parent's pool). Both are
made certain here by holding the window open; then the client is forked over and over while
eight threads call. Every wait for a child is bounded: a hung child fails the test.
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

from reliability_ops import SOAK, wait_for_child
from scripted_server import ScriptedServer, response_bytes

# Transport-level behaviour: every test runs with both real transports (conftest.each_transport).
pytestmark = [pytest.mark.usefixtures("each_transport"), pytest.mark.timeout(240), pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")]

FORKS = 400 if SOAK else 60
THREADS = 8
CHILD_WAIT = 15.0
STATE = b'{"effects": [], "createdCoupons": [], "createdReferrals": []}'
EVENT = {"profileId": "p1", "sessionId": "s1", "type": "viewed", "attributes": {}}


def answer(connection, request):
    connection.sendall(response_bytes(body=STATE if request.method == "POST" else b'{"data": []}'))
    return True


def fork_child(work):
    """Fork; the child runs `work()` and exits 0 (1 if it raised). Returns the child's pid."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork() with threads running: the point here
        pid = os.fork()
    if pid == 0:
        status = 1
        try:
            work()
            status = 0
        finally:
            os._exit(status)
    return pid


def test_forking_repeatedly_while_eight_threads_call_never_hangs_a_child(figures):
    with ScriptedServer(answer) as server:
        configuration = talon_one.Configuration(host=server.url, api_key_v1="k", connect_timeout=2, read_timeout=5,
                                                retries=RetryPolicy(max_retries=0))
        with talon_one.ApiClient(configuration) as client:
            api = talon_one.IntegrationApi(client)
            stop = threading.Event()
            errors = []

            def caller():
                while not stop.is_set():
                    try:
                        api.track_event(EVENT)
                        api.get_reserved_coupons("c1")
                    except Exception as error:  # reported below
                        errors.append(repr(error))

            def child_work():
                api.track_event(EVENT)
                api.get_reserved_coupons("c1")

            callers = [threading.Thread(target=caller) for _ in range(THREADS)]
            for thread in callers:
                thread.start()
            outcomes = []
            try:
                for _ in range(FORKS):
                    outcomes.append(wait_for_child(fork_child(child_work), CHILD_WAIT))
            finally:
                stop.set()
                for thread in callers:
                    thread.join(30)
    hung = outcomes.count(None)
    figures.set("fork under threads: forks made while %d threads called" % THREADS, len(outcomes))
    figures.set("fork under threads: children hung", hung)
    assert hung == 0 and outcomes == [0] * FORKS, outcomes
    assert errors == []


def connection_queue(client):
    """The queue of idle connections of the client's one host pool (no reference to the pool kept)."""
    container = client.rest_client.transport.pool_managers()[0].pools
    (queue,) = [container.get(key).pool for key in container.keys()]
    return queue


def test_a_fork_while_a_thread_holds_a_connection_queue_lock_does_not_hang_the_child():
    with ScriptedServer(answer) as server:
        configuration = talon_one.Configuration(host=server.url, api_key_v1="k", retries=RetryPolicy(max_retries=0))
        with talon_one.ApiClient(configuration) as client:
            api = talon_one.IntegrationApi(client)
            api.get_reserved_coupons("c1")  # a pool with an idle connection in its queue
            queue = connection_queue(client)
            holding = threading.Event()

            def hold():
                with queue.mutex:  # as a thread in the middle of taking or returning a connection
                    holding.set()
                    time.sleep(0.3)

            holder = threading.Thread(target=hold)
            holder.start()
            holding.wait(5)
            pid = fork_child(lambda: (api.get_reserved_coupons("c2"), gc.collect()))
            holder.join(5)
            assert wait_for_child(pid, CHILD_WAIT) == 0, "the child hung on the parent's connection-queue lock"
            api.get_reserved_coupons("c3")  # the parent's pool still works


LAZY_IMPORT_SCRIPT = textwrap.dedent("""
    import importlib.abc, importlib.machinery, json, os, sys, threading, time, warnings

    gate = threading.Event()

    class HeldLoader(importlib.abc.Loader):
        # Executes the module only once the gate opens: its import lock is held meanwhile.
        def __init__(self, loader):
            self.loader = loader
        def create_module(self, spec):
            return self.loader.create_module(spec)
        def exec_module(self, module):
            gate.wait(30)
            self.loader.exec_module(module)

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name != "talon_one.models.coupon":
                return None
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            spec.loader = HeldLoader(spec.loader)
            return spec

    sys.meta_path.insert(0, Finder())
    import talon_one

    importer = threading.Thread(target=lambda: talon_one.models.Coupon)
    importer.start()
    time.sleep(0.3)  # the importer now holds talon_one.models.coupon's import lock
    threading.Timer(0.5, gate.set).start()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:
        from talon_one.models import Coupon
        os._exit(0 if Coupon.__name__ == "Coupon" else 1)
    deadline = time.monotonic() + float(sys.argv[1])
    outcome = "hung"
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            outcome = "exit %d" % os.WEXITSTATUS(status)
            break
        time.sleep(0.01)
    else:
        os.kill(pid, 9)  # its own child
        os.waitpid(pid, 0)
    importer.join(30)
    print(json.dumps({"child": outcome}))
""")


def test_a_fork_while_a_thread_imports_a_model_does_not_hang_the_child(tmp_path):
    """In a fresh interpreter, where the model module has not been imported yet."""
    script = tmp_path / "fork_during_import.py"
    script.write_text(LAZY_IMPORT_SCRIPT, encoding="utf-8")
    process = subprocess.run([sys.executable, str(script), str(CHILD_WAIT)], capture_output=True, timeout=120)
    assert process.returncode == 0, process.stderr.decode()
    assert json.loads(process.stdout.decode().strip().splitlines()[-1]) == {"child": "exit 0"}
