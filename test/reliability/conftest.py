"""Fixtures for the reliability tests: the chaos server (its own process) and FakeTalonOne.

`TALON_ONE_SOAK=1` runs the long versions (more chaos calls, 16 x 500 thread calls).
`TALON_ONE_CHAOS_SEED=<n>` replays a chaos run (the seed is printed when a check fails).
"""

import json
import os
import subprocess
import sys
import time

import pytest
import urllib3

from talon_one.testing import FakeTalonOne

from reliability_ops import record_canned_answers

HERE = os.path.dirname(os.path.abspath(__file__))


class ChaosProcess:
    """The chaos server (chaos_server.py) running in a child process."""

    def __init__(self, routes_path, seed, stall):
        self.seed = seed
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "chaos_server.py"), routes_path, str(seed), "--stall", str(stall)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=HERE)
        line = self.process.stdout.readline().decode()
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError("the chaos server did not start: %r" % line)
        self.port = int(line.split()[1])
        self.url = "http://127.0.0.1:%d" % self.port
        self._control = urllib3.PoolManager(maxsize=1)

    def _ask(self, method, path):
        response = self._control.request(method, self.url + path, retries=False, timeout=10)
        assert response.status == 200, response.data
        return json.loads(response.data)

    def take_log(self):
        """{uid: [[method, kind, detail, processed, client port], ...]} since the last call; cleared."""
        return self._ask("GET", "/__chaos__/log")

    def set_faults(self, mode):
        """'on' (random faults), 'off' (always the canned answer) or one fault kind for every request."""
        self._ask("POST", "/__chaos__/mode?faults=%s" % mode)

    def stop(self):
        self._control.clear()
        try:
            self.process.stdin.close()
            self.process.wait(10)
        except subprocess.TimeoutExpired:  # our own child: end it by its handle
            self.process.kill()
            self.process.wait(10)
        self.process.stdout.close()


@pytest.fixture(scope="session")
def canned_routes(tmp_path_factory):
    with FakeTalonOne() as fake:
        routes = record_canned_answers(fake)
    path = tmp_path_factory.mktemp("chaos") / "routes.json"
    path.write_text(json.dumps(routes), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="session")
def chaos_seed():
    return int(os.environ.get("TALON_ONE_CHAOS_SEED") or time.time_ns() % 1_000_000)


@pytest.fixture(scope="session")
def chaos(canned_routes, chaos_seed):
    # A stall outlasts the clients' 0.3 s read timeout by a wide margin: under load (100 tasks on one
    # event loop, 2 CPUs) the timeout can fire late, and a stall ended first would close the connection.
    server = ChaosProcess(canned_routes, chaos_seed, stall=2.0)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def calm_chaos(chaos):
    """The chaos server answering every request normally (for the lifecycle tests)."""
    chaos.set_faults("off")
    chaos.take_log()
    try:
        yield chaos
    finally:
        chaos.set_faults("on")
        chaos.take_log()


@pytest.fixture
def fake():
    with FakeTalonOne() as running:
        yield running
