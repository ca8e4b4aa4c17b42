"""``python -m talon_one.testing`` and the pytest plugin."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import urllib3

from talon_one.testing import CouponRule, Promotions

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_python(*args):
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen(
        [sys.executable, *args], cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_command_line_serves_until_interrupted(stop_signal):
    process = run_python("-m", "talon_one.testing", "--port", "0", "--api-key", "cli-key")
    try:
        first_line = process.stdout.readline()
        assert first_line.startswith("Fake Talon.One Integration API at http://127.0.0.1:")
        base_url = first_line.rsplit(" ", 1)[1].strip()
        assert "cli-key" in process.stdout.readline()
        http = urllib3.PoolManager(retries=False)
        reply = http.request(
            "PUT", base_url + "/v2/customer_profiles/alice", body=b"{}", headers={"Authorization": "ApiKey-v1 cli-key"}
        )
        assert reply.status == 200
        http.clear()
        process.send_signal(stop_signal)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Stopped." in out
    assert err == ""


def test_command_line_help():
    process = run_python("-m", "talon_one.testing", "--help")
    out, _ = process.communicate(timeout=10)
    assert process.returncode == 0
    for flag in ("--port", "--host", "--api-key"):
        assert flag in out


def test_importing_the_plugin_does_no_work():
    code = (
        "import threading, talon_one.testing.pytest_plugin as plugin\n"
        "from talon_one.testing.spec import _load_spec\n"
        "print(threading.active_count(), _load_spec.cache_info().currsize)\n"
        "print(sorted(n for n in vars(plugin) if n.startswith('talon_one')))\n"
    )
    process = run_python("-c", code)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert out.splitlines() == [
        "1 0",
        "['talon_one_fake', 'talon_one_fake_server', 'talon_one_promotions']",
    ]


def test_fixture_gives_a_running_fake_with_fresh_state(talon_one_fake, talon_one_fake_server):
    assert talon_one_fake is talon_one_fake_server
    assert talon_one_fake.running
    assert (talon_one_fake.profiles, talon_one_fake.requests, talon_one_fake.pending_faults) == ({}, [], 0)
    assert sorted(talon_one_fake.coupons) == ["EXPIRED20", "FIVEOFF", "ONCEONLY", "SUMMER10"]
    talon_one_fake.inject_faults(503)  # must not leak into the next test


class TestOverridingPromotions:
    @pytest.fixture
    def talon_one_promotions(self):
        return Promotions(coupons=[CouponRule("HOUSE50", percent_off=50)])

    def test_overridden_promotions_are_loaded(self, talon_one_fake):
        assert list(talon_one_fake.coupons) == ["HOUSE50"]
        assert talon_one_fake.pending_faults == 0
