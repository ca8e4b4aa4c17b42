"""The `talon-one` command line against the fake: bulk commands, exit codes, --dry-run, --report,
stdin, one-off calls, and the progress bar on a pseudo-terminal."""

import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

import pytest

from talon_one import cli
from talon_one.testing import Fault

from bulk_helpers import sent_profile_ids

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Bounded waits for the commands run in their own process.
PROCESS_TIMEOUT = 60


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return str(path)


def profile_rows(count):
    return [{"integrationId": "c%d" % i, "attributes": {"n": i}} for i in range(count)]


@pytest.fixture
def run(fake, capsys):
    """Run `talon-one ARGS...` in this process against the fake; returns (exit status, stdout, stderr)."""
    def run_cli(*args, connect=True):
        argv = list(args) + (["--base-url", fake.base_url, "--api-key", fake.api_key] if connect else [])
        status = cli.main(argv)
        out, err = capsys.readouterr()
        return status, out, err
    return run_cli


def environment(fake, **extra):
    env = dict(os.environ, TALON_ONE_BASE_URL=fake.base_url, TALON_ONE_API_KEY=fake.api_key, **extra)
    env.pop("TALONONE_ENDPOINT", None)
    return env


# --- bulk commands ---------------------------------------------------------------

def test_profiles_sync_from_jsonl_exits_0_with_a_summary_line(fake, run, tmp_path):
    path = write_jsonl(tmp_path / "profiles.jsonl", profile_rows(2500))
    status, out, err = run("profiles", "sync", path, "--progress", "none")
    assert status == 0 and out == ""
    assert err.startswith("profiles sync: 2500 rows read, 2500 sent, 2500 accepted, 0 failed, 0 invalid in ")
    assert err.rstrip().endswith("next offset 2500")
    assert len(fake.profiles) == 2500
    assert sorted(len(r.json["customerProfiles"]) for r in fake.requests) == [500, 1000, 1000]


def test_chunk_size_workers_and_run_rule_engine_flags(fake, run, tmp_path):
    path = write_jsonl(tmp_path / "profiles.jsonl", profile_rows(25))
    status, _, _ = run("profiles", "sync", path, "--chunk-size", "10", "--workers", "1", "--run-rule-engine")
    assert status == 0 and [len(r.json["customerProfiles"]) for r in fake.requests] == [10, 10, 5]
    assert all(r.query == {} for r in fake.requests)
    status, _, err = run("profiles", "sync", path, "--chunk-size", "1001")
    assert status == 2 and "chunk_size must be an integer from 1 to 1000" in err


def test_some_rows_failing_exits_1_and_report_holds_them_for_a_rerun(fake, run, tmp_path):
    path = write_jsonl(tmp_path / "profiles.jsonl", profile_rows(30))
    report = tmp_path / "failed.jsonl"
    fake.inject_faults(Fault.slow(0.001), Fault(status=409))
    status, _, err = run("profiles", "sync", path, "--chunk-size", "10", "--workers", "1", "--report", str(report))
    assert status == 1
    assert "failed: lines 11-20 (10 rows, offset 10) failed: ConflictException: (409)" in err
    assert "10 failed rows written to %s" % report in err and "20 accepted, 10 failed" in err
    failed = [json.loads(line) for line in report.read_text().splitlines()]
    assert failed == profile_rows(20)[10:] and not os.path.exists(str(report) + ".unknown")

    status, _, err = run("profiles", "sync", str(report))  # the report re-runs as it is
    assert status == 0 and "10 accepted" in err and len(fake.profiles) == 30


def test_events_whose_outcome_is_unknown_go_to_a_separate_report(fake, run, tmp_path):
    events = [{"type": "visit", "sessionId": "s%d" % i, "attributes": {}} for i in range(3)]
    path = write_jsonl(tmp_path / "events.jsonl", events)
    report = tmp_path / "failed.jsonl"
    fake.inject_faults(Fault.slow(0.001), Fault.dropped_connection())
    status, _, err = run("events", "track", path, "--workers", "1", "--report", str(report))
    assert status == 1 and "line 2 (1 rows, offset 1) outcome unknown: ApiConnectionError" in err
    assert report.read_text() == ""
    assert [json.loads(x) for x in open(str(report) + ".unknown")] == [events[1]]
    assert "1 rows may have been applied (outcome unknown)" in err and len(fake.requests) == 3


def test_invalid_rows_exit_2_naming_line_and_field_and_send_nothing(fake, run, tmp_path):
    path = tmp_path / "profiles.jsonl"
    path.write_text('{"integrationId": "a"}\n{"integrationId": 7}\nnot json\n')
    status, _, err = run("profiles", "sync", str(path))
    assert status == 2 and fake.requests == []
    assert ("invalid: line 2: MultipleCustomerProfileIntegrationRequestItem.integration_id must be a string, got 7"
            in err)
    assert "invalid: line 3: not valid JSON" in err
    assert "2 of 3 rows are invalid; nothing was sent" in err

    status, _, err = run("profiles", "sync", str(path), "--skip-invalid")
    assert status == 1 and "invalid (skipped): line 2" in err and set(fake.profiles) == {"a"}


def test_dry_run_validates_and_sends_nothing(fake, run, tmp_path, monkeypatch):
    for name in ("TALON_ONE_BASE_URL", "TALONONE_ENDPOINT", "TALON_ONE_API_KEY"):
        monkeypatch.delenv(name, raising=False)  # a dry run needs no configuration
    path = write_jsonl(tmp_path / "profiles.jsonl", profile_rows(1200))
    status, _, err = run("profiles", "sync", path, "--dry-run", connect=False)
    assert status == 0 and fake.requests == []
    assert "profiles sync (dry run): 1200 rows read, 1200 valid, 0 invalid, nothing sent" in err
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"action": "add", "profileIntegrationId": "p", "audienceId": 7},
                                               {"action": "join", "profileIntegrationId": "p", "audienceId": 7}])
    status, _, err = run("audiences", "update", bad, "--dry-run", connect=False)
    assert status == 2 and "line 2: CustomerProfileAudienceRequestItem.action must be one of ['add', 'delete']" in err
    assert fake.requests == []


def test_resume_with_start_at(fake, run, tmp_path):
    path = write_jsonl(tmp_path / "profiles.jsonl", profile_rows(50))
    status, _, err = run("profiles", "sync", path, "--start-at", "30", "--chunk-size", "10")
    assert status == 0 and "20 rows read" in err and "next offset 50" in err
    assert sorted(sent_profile_ids(fake)) == sorted("c%d" % i for i in range(30, 50))


def test_a_401_stops_the_job_with_exit_1_and_says_where_to_resume(fake, capsys, tmp_path):
    path = write_jsonl(tmp_path / "profiles.jsonl", profile_rows(5000))
    status = cli.main(["profiles", "sync", path, "--base-url", fake.base_url, "--api-key", "wrong-key",
                       "--workers", "1"])
    err = capsys.readouterr().err
    assert status == 1 and len(fake.requests) == 1 and fake.profiles == {}
    assert "STOPPED: the service answered 401 (UnauthorizedException)" in err
    assert "resume with --start-at 0" in err and "wrong-key" not in err  # the key is never shown


def test_csv_audiences_and_customer_data_deletion(fake, run, tmp_path):
    audiences = tmp_path / "audiences.csv"
    audiences.write_text("action,profileIntegrationId,audienceId\nadd,p1,7\nadd,p2,7\n")
    status, _, err = run("audiences", "update", str(audiences))
    assert status == 0 and "2 accepted" in err and set(fake.profiles) == {"p1", "p2"}

    ids = tmp_path / "gdpr.csv"
    ids.write_text("integrationId\np1\np2\n")
    status, _, err = run("customer-data", "delete", str(ids))
    assert status == 2 and "add --yes to confirm" in err and len(fake.profiles) == 2
    status, _, err = run("customer-data", "delete", str(ids), "--yes")
    assert status == 0 and fake.profiles == {}


@pytest.mark.parametrize("argv, message", [
    (["profiles", "sync"], "the following arguments are required: FILE"),
    (["profiles", "sync", "x.jsonl", "--workers", "0"], "argument --workers: must be at least 1, got 0"),
    (["profiles", "frobnicate", "x.jsonl"], "invalid choice: 'frobnicate'"),
    (["reservations", "list"], "one of the arguments --coupon --customer is required"),
])
def test_bad_usage_exits_2(argv, message, capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    assert caught.value.code == 2 and message in capsys.readouterr().err


def test_missing_input_file_and_missing_configuration_exit_2(run, tmp_path, monkeypatch):
    status, _, err = run("profiles", "sync", str(tmp_path / "nope.jsonl"))
    assert status == 2 and "input file" in err and "does not exist" in err
    for name in ("TALON_ONE_BASE_URL", "TALONONE_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    path = write_jsonl(tmp_path / "profiles.jsonl", profile_rows(1))
    status, _, err = run("profiles", "sync", path, connect=False)
    assert status == 2 and "no Talon.One base URL: set TALON_ONE_BASE_URL" in err


def test_asking_for_the_bar_without_tqdm_names_the_extra(run, tmp_path, monkeypatch, fake):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm now raises ImportError
    path = write_jsonl(tmp_path / "profiles.jsonl", profile_rows(3))
    status, _, err = run("profiles", "sync", path, "--progress", "bar")
    assert status == 2 and "pip install 'talon_one[cli]'" in err and fake.requests == []
    status, _, err = run("profiles", "sync", path)  # auto: the plain summary line, no error
    assert status == 0 and "3 accepted" in err


# --- one-off calls -------------------------------------------------------------------

def test_session_update_inventory_and_reservations_print_json(fake, run, tmp_path, api):
    body = tmp_path / "session.json"
    body.write_text(json.dumps({"customerSession": {"profileId": "u1", "couponCodes": ["SUMMER10"],
                                                    "cartItems": [{"name": "Shoes", "sku": "S1", "quantity": 1,
                                                                   "price": 50.0}]},
                                "responseContent": ["customerSession"]}))
    status, out, _ = run("session", "update", "sess-1", "--json", str(body))
    state = json.loads(out)
    assert status == 0 and state["customerSession"]["profileId"] == "u1"
    assert any(effect["effectType"] == "setDiscount" for effect in state["effects"])

    status, out, _ = run("inventory", "u1", "--profile")
    assert status == 0 and json.loads(out)["profile"]["integrationId"] == "u1"

    api.create_coupon_reservation("FIVEOFF", {"integrationIDs": ["u1"]})
    status, out, _ = run("reservations", "list", "--customer", "u1")
    assert status == 0 and [coupon["value"] for coupon in json.loads(out)["data"]] == ["FIVEOFF"]
    status, out, _ = run("reservations", "list", "--coupon", "FIVEOFF")
    assert status == 0 and [profile["integrationId"] for profile in json.loads(out)["data"]] == ["u1"]

    status, _, err = run("inventory", "nobody")
    assert status == 1 and "inventory failed: NotFoundException: (404)" in err

    body.write_text(json.dumps({"customerSession": {"cartItems": [{"name": "x", "sku": "s", "quantity": 0,
                                                                   "price": 1}]}}))
    count = len(fake.requests)
    status, _, err = run("session", "update", "sess-2", "--json", str(body))
    assert status == 2 and "CartItem.quantity must be >= 1" in err and len(fake.requests) == count


# --- in its own process: stdin, the console script, the terminal ---------------------------

def test_stdin_input_with_python_m_talon_one(fake):
    rows = "".join(json.dumps(row) + "\n" for row in profile_rows(1500))
    done = subprocess.run([sys.executable, "-m", "talon_one", "profiles", "sync", "-"], input=rows, text=True,
                          capture_output=True, env=environment(fake), cwd=ROOT, timeout=PROCESS_TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert "1500 accepted" in done.stderr and "\r" not in done.stderr  # not a terminal: no bar
    assert len(fake.profiles) == 1500

    fake.reset()
    done = subprocess.run([sys.executable, "-m", "talon_one", "profiles", "sync", "-", "--dry-run"],
                          input=rows + '{"integrationId": ["x"]}\n', text=True, capture_output=True,
                          env=environment(fake), cwd=ROOT, timeout=PROCESS_TIMEOUT)
    assert done.returncode == 2 and "invalid: line 1501: MultipleCustomerProfileIntegrationRequestItem" in done.stderr
    assert fake.requests == []


def test_stdin_csv_and_the_console_script(fake):
    script = os.path.join(os.path.dirname(sys.executable), "talon-one")
    assert os.path.exists(script), "pip install -e . installs the talon-one console script"
    done = subprocess.run([script, "audiences", "update", "-", "--format", "csv"], text=True, capture_output=True,
                          input="action,profileIntegrationId,audienceId\nadd,p1,3\nadd,p1,x\n",
                          env=environment(fake), timeout=PROCESS_TIMEOUT)
    assert done.returncode == 2 and "line 3: CustomerProfileAudienceRequestItem.audience_id" in done.stderr
    assert fake.requests == []


def run_on_a_terminal(argv, env, timeout=PROCESS_TIMEOUT):
    """Run argv with stderr on a pseudo-terminal; (exit status, what the terminal showed)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))  # 30 rows, 120 columns
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, env=env,
                               cwd=ROOT)
    os.close(slave)
    shown = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the other side closed (Linux: EIO)
                    break
                if not chunk:
                    break
                shown += chunk
            elif process.poll() is not None:
                break
        else:
            pytest.fail("the command did not finish within %d s" % timeout)
        return process.wait(timeout=10), shown.decode("utf-8", "replace")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)


def test_a_progress_bar_on_a_terminal(fake, tmp_path):
    path = write_jsonl(tmp_path / "profiles.jsonl", profile_rows(3000))
    status, shown = run_on_a_terminal([sys.executable, "-m", "talon_one", "profiles", "sync", path,
                                       "--chunk-size", "100"], environment(fake))
    assert status == 0, shown
    assert "3000/3000" in shown and "rows/s" in shown and "100%" in shown and "\r" in shown  # tqdm's bar
    assert re.search(r"\[\d\d:\d\d<\d\d:\d\d, ", shown)  # elapsed < ETA
    assert "profiles sync: 3000 rows read, 3000 sent, 3000 accepted" in shown  # and the summary line
    assert len(fake.profiles) == 3000


def test_no_bar_on_a_terminal_with_progress_none(fake, tmp_path):
    path = write_jsonl(tmp_path / "profiles.jsonl", profile_rows(10))
    status, shown = run_on_a_terminal([sys.executable, "-m", "talon_one", "profiles", "sync", path, "--progress",
                                       "none"], environment(fake))
    assert status == 0 and "rows/s]" not in shown and "10 accepted" in shown


def test_sigterm_stops_the_job_and_the_resume_sends_nothing_twice(fake, run, tmp_path):
    path = write_jsonl(tmp_path / "profiles.jsonl", profile_rows(100))
    fake.inject_faults(Fault.slow(0.25), times=10)  # every request takes a quarter of a second
    process = subprocess.Popen([sys.executable, "-m", "talon_one", "profiles", "sync", path, "--chunk-size", "10",
                                "--workers", "1"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=environment(fake), cwd=ROOT, text=True)
    try:
        deadline = time.monotonic() + PROCESS_TIMEOUT
        while len(fake.requests) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        process.terminate()
        _, err = process.communicate(timeout=PROCESS_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, err
    resume_at = int(err.rsplit("interrupted; resume with --start-at ", 1)[1].split()[0])
    assert 20 <= resume_at < 100 and resume_at % 10 == 0
    assert len(fake.profiles) == resume_at  # the request in flight ended and was counted

    status, _, err = run("profiles", "sync", path, "--chunk-size", "10", "--start-at", str(resume_at))
    assert status == 0
    ids = sent_profile_ids(fake)
    assert len(ids) == 100 and set(ids) == {"c%d" % i for i in range(100)}


def test_many_workers_get_a_connection_each(fake, run, tmp_path, caplog):
    path = write_jsonl(tmp_path / "profiles.jsonl", profile_rows(400))
    fake.inject_faults(Fault.slow(0.1), times=16)  # keep 16 requests in flight at once
    with caplog.at_level("WARNING", logger="urllib3"):
        status, _, err = run("profiles", "sync", path, "--chunk-size", "25", "--workers", "16")
    assert status == 0 and "400 accepted" in err
    assert not [r for r in caplog.records if "Connection pool is full" in r.getMessage()]


def test_no_api_key_exits_2_at_the_first_request_and_sends_nothing(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("TALON_ONE_API_KEY", raising=False)
    monkeypatch.setenv("TALON_ONE_BASE_URL", fake.base_url)
    monkeypatch.setenv("TALON_ONE_APPLICATION_ID", str(fake.application_id))
    monkeypatch.setenv("TALON_ONE_APPLICATION_KEY", fake.application_key)  # signing: not accepted by this call
    path = write_jsonl(tmp_path / "profiles.jsonl", profile_rows(3000))
    assert cli.main(["profiles", "sync", path]) == 2
    err = capsys.readouterr().err
    assert "STOPPED: " in err and "nothing was sent" in err and "3000 rows read, 0 sent" in err
    assert fake.requests == [] and fake.application_key not in err


def test_unreadable_input_and_unwritable_report_exit_2_before_sending(fake, run, tmp_path):
    path = tmp_path / "profiles.jsonl"
    path.write_bytes(b'{"integrationId": "a"}\n{"integrationId": "\xff"}\n')
    status, _, err = run("profiles", "sync", str(path))
    assert status == 2 and "line 2 is not UTF-8 text (invalid start byte)" in err and fake.requests == []
    csv_path = tmp_path / "profiles.csv"
    csv_path.write_bytes(b"integrationId\na\n\xfe\n")
    status, _, err = run("profiles", "sync", str(csv_path))
    assert status == 2 and "line 3 is not UTF-8 text" in err and fake.requests == []

    good = write_jsonl(tmp_path / "good.jsonl", profile_rows(2))
    status, _, err = run("profiles", "sync", good, "--report", str(tmp_path / "no-such-dir" / "failed.jsonl"))
    assert status == 2 and "cannot write the report" in err and fake.requests == []
    status, _, err = run("profiles", "sync", good, "--report", good)
    assert status == 2 and "is the input file" in err and fake.requests == []
    assert len(open(good).readlines()) == 2  # the input is untouched


def test_progress_log_lines_carry_the_offset_to_resume_from(fake, run, tmp_path):
    path = write_jsonl(tmp_path / "profiles.jsonl", profile_rows(50))
    status, _, err = run("profiles", "sync", path, "--chunk-size", "10", "--workers", "1", "--progress", "log",
                         "--log-every", "0")
    lines = [line for line in err.splitlines() if line.startswith("progress: ")]
    assert status == 0 and len(lines) == 5
    assert lines[0].startswith("progress: 10/50 rows done, 10 accepted, 0 failed, 0 invalid, ")
    assert [int(line.rsplit(" ", 1)[1]) for line in lines] == [10, 20, 30, 40, 50]

    status, _, err = run("profiles", "sync", path, "--chunk-size", "10", "--progress", "log")
    assert status == 0 and len([line for line in err.splitlines() if line.startswith("progress: ")]) == 1
