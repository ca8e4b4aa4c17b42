"""Fault injection: error statuses, Retry-After, delays and dropped connections, consumed in order."""

import threading

import pytest
import urllib3

from talon_one.testing import FakeTalonOne, Fault

PROFILE = "/v2/customer_profiles/alice"


def test_rate_limited_with_retry_after(api, fake):
    fake.inject_faults(Fault.rate_limited(retry_after=2))
    reply = api.put(PROFILE, {})
    assert reply.status == 429
    assert reply.headers["Retry-After"] == "2"
    assert reply.json == {"message": "Too many requests"}
    assert fake.profiles == {}
    assert api.put(PROFILE, {}).status == 200


def test_rate_limited_without_retry_after(api, fake):
    fake.inject_faults(Fault.rate_limited())
    reply = api.put(PROFILE, {})
    assert reply.status == 429
    assert "Retry-After" not in reply.headers


@pytest.mark.parametrize(
    "fault, status",
    [
        (Fault.unavailable(retry_after=1), 503),
        (Fault.server_error(), 500),
        (Fault.server_error(502), 502),
        (Fault.server_error(504), 504),
        (503, 503),
    ],
)
def test_error_statuses(api, fake, fault, status):
    fake.inject_faults(fault)
    reply = api.put(PROFILE, {})
    assert reply.status == status
    assert fake.requests[-1].fault == f"status_{status}"
    assert fake.requests[-1].status == status


def test_faults_are_consumed_in_order_and_counted(api, fake):
    fake.inject_faults(Fault.rate_limited(1), Fault.unavailable())
    fake.inject_faults(500, times=2)
    assert fake.pending_faults == 4
    statuses = [api.put(PROFILE, {}).status for _ in range(5)]
    assert statuses == [429, 503, 500, 500, 200]
    assert (fake.pending_faults, fake.faults_served) == (0, 4)
    assert [r.fault for r in fake.requests] == ["status_429", "status_503", "status_500", "status_500", None]


def test_faults_apply_to_any_path(api, fake):
    fake.inject_faults(502)
    assert api.get("/not/an/operation").status == 502


def test_delay_then_normal_answer(api, fake):
    fake.inject_faults(Fault.slow(0.05))
    reply = api.put(PROFILE, {"attributes": {"a": 1}})
    assert reply.status == 200
    assert fake.profiles["alice"]["attributes"] == {"a": 1}
    assert fake.requests[-1].fault == "delay"


def test_delay_combined_with_status(api, fake):
    fake.inject_faults(Fault(status=503, delay=0.01))
    assert api.put(PROFILE, {}).status == 503


@pytest.mark.parametrize("before_body", [True, False])
def test_dropped_connection(api, fake, before_body):
    fake.inject_faults(Fault.dropped_connection(before_body=before_body))
    with pytest.raises(urllib3.exceptions.ProtocolError):
        api.put(PROFILE, {"attributes": {"a": 1}})
    assert fake.profiles == {}
    recorded = fake.requests[-1]
    assert recorded.status is None
    assert recorded.fault == ("drop_before_body" if before_body else "drop_after_body")
    assert recorded.body == (b"" if before_body else b'{"attributes": {"a": 1}}')
    assert api.put(PROFILE, {}).status == 200  # the next request gets a fresh connection


@pytest.mark.parametrize(
    "make",
    [
        lambda: Fault(),
        lambda: Fault(status=200),
        lambda: Fault(status=503, drop="after_body"),
        lambda: Fault(drop="sideways"),
        lambda: Fault(retry_after=1),
        lambda: Fault(delay=-1),
        lambda: Fault.server_error(429),
    ],
)
def test_invalid_faults_are_refused(make):
    with pytest.raises(ValueError):
        make()


def test_inject_needs_a_positive_count(fake):
    with pytest.raises(ValueError):
        fake.inject_faults(503, times=0)


def test_stop_does_not_wait_for_a_delayed_request():
    fake = FakeTalonOne().start()
    fake.inject_faults(Fault.slow(60))
    outcome = []

    def call():
        pool = urllib3.HTTPConnectionPool("127.0.0.1", fake.port, retries=False, timeout=30)
        try:
            outcome.append(pool.request("GET", "/").status)
        except urllib3.exceptions.HTTPError as error:
            outcome.append(type(error).__name__)
        finally:
            pool.close()

    caller = threading.Thread(target=call)
    caller.start()
    while not fake.requests:  # wait until the request is being delayed
        threading.Event().wait(0.005)
    fake.stop()
    caller.join(10)
    assert not caller.is_alive()
    assert len(outcome) == 1
