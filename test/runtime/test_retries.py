"""The retry policy: its decisions, and what the server sees when the client applies them."""

import email.utils
import http.client
import logging
import pickle
import time

import pytest
from urllib3 import exceptions as u3

from talon_one.exceptions import (ApiConnectionError, ApiTimeoutError, ServiceException,
                                  TooManyRequestsException)
from talon_one.retries import (CONNECTION_LOST, NOT_SENT, OTHER, READ_TIMEOUT, RetryPolicy, Urllib3RetryPolicy,
                               failure_kind, parse_retry_after, resolve_policy)

from runtime_helpers import API_KEY_ONLY, BOTH_SCHEMES
from runtime_server import Drop, Hang, Reply, Reset, Truncated, closed_port

# Transport-level behaviour: every test runs with both real transports (conftest.each_transport).
pytestmark = pytest.mark.usefixtures("each_transport")


def put(client, **kwargs):
    return client.call_api("/v2/customer_sessions/{customerSessionId}", "PUT",
                           path_params={"customerSessionId": "s1"}, body={"n": 1}, response_type="object",
                           auth_settings=API_KEY_ONLY, _return_http_data_only=True, **kwargs)


def post(client, **kwargs):
    return client.call_api("/v1/events", "POST", body={"type": "x"}, response_type="object",
                           auth_settings=BOTH_SCHEMES, _return_http_data_only=True, **kwargs)



@pytest.fixture(params=["sync", "asyncio"])
def client_kind(request):
    """Every scenario against the server runs with ApiClient and with AsyncApiClient: one policy, one behaviour."""
    return request.param


# -- the policy on its own ------------------------------------------------------------

def test_defaults():
    policy = RetryPolicy()
    assert (policy.max_retries, policy.backoff_base, policy.backoff_factor, policy.backoff_max,
            policy.max_retry_after) == (2, 0.25, 2.0, 8.0, 30.0)


def test_backoff_is_exponential_with_full_jitter_and_capped():
    top = RetryPolicy(random=lambda: 1.0)
    assert [top.backoff(n) for n in range(7)] == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert RetryPolicy(random=lambda: 0.0).backoff(3) == 0.0
    assert RetryPolicy(random=lambda: 0.5).backoff(1) == 0.25


@pytest.mark.parametrize("method, status, retried", [
    ("POST", 429, False), ("POST", 503, False), ("POST", 500, False), ("POST", 502, False),
    ("POST", 504, False), ("PUT", 500, True), ("PUT", 502, True), ("PUT", 504, True),
    ("GET", 503, True), ("DELETE", 502, True), ("PUT", 501, False), ("PUT", 400, False),
    ("GET", 404, False),
])
def test_status_decisions(method, status, retried):
    delay = RetryPolicy().delay_after_status(method, status, None, 0)
    assert (delay is not None) == retried


@pytest.mark.parametrize("method, kind, retried", [
    ("POST", NOT_SENT, True), ("POST", READ_TIMEOUT, False), ("POST", CONNECTION_LOST, False),
    ("PUT", READ_TIMEOUT, True), ("PUT", CONNECTION_LOST, True), ("GET", CONNECTION_LOST, True),
    ("PUT", OTHER, False),
])
def test_error_decisions(method, kind, retried):
    assert (RetryPolicy().delay_after_error(method, kind, 0) is not None) == retried


@pytest.mark.parametrize("status", [429, 503])
def test_a_post_is_retried_on_429_or_503_only_with_a_retry_after(status):
    policy = RetryPolicy()
    assert policy.delay_after_status("POST", status, None, 0) is None
    assert policy.delay_after_status("POST", status, 0.0, 0) == 0.0
    assert policy.delay_after_status("PUT", status, None, 0) is not None


def test_retry_after_is_honoured_up_to_the_cap():
    policy = RetryPolicy(max_retry_after=30)
    assert policy.delay_after_status("POST", 429, 3.0, 0) == 3.0
    assert policy.delay_after_status("POST", 503, 30.0, 0) == 30.0
    assert policy.delay_after_status("POST", 429, 31.0, 0) is None


def test_no_decision_past_max_retries():
    assert RetryPolicy(max_retries=2).delay_after_status("PUT", 502, None, 2) is None
    assert RetryPolicy(max_retries=0).delay_after_error("PUT", NOT_SENT, 0) is None


def test_parse_retry_after():
    now = 1_700_000_000.0
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after(" 1.5 ", now) == 1.5
    assert parse_retry_after(email.utils.formatdate(now + 20, usegmt=True), now) == 20.0
    assert parse_retry_after(email.utils.formatdate(now - 20, usegmt=True), now) == 0.0
    for bad in (None, "", "soon", "-3", "nan", "inf"):
        assert parse_retry_after(bad, now) is None


def test_resolve_policy_accepts_int_policy_none_and_keeps_the_base_sleep():
    sleep = []
    base = RetryPolicy(sleep=sleep.append)
    assert resolve_policy(None, base) is base
    assert resolve_policy(5, base).max_retries == 5 and resolve_policy(5, base).sleep == sleep.append
    custom = RetryPolicy(max_retries=1)
    assert resolve_policy(custom, base) is custom
    assert resolve_policy(0).max_retries == 0
    with pytest.raises(TypeError):
        resolve_policy("3")
    with pytest.raises(ValueError):
        RetryPolicy(max_retries=-1)


class NoRetryOn502(RetryPolicy):
    """A user's policy: the base rules, except that 502 is never retried."""

    __slots__ = ()

    def delay_after_status(self, method, status, retry_after, retry_number):
        return None if status == 502 else super().delay_after_status(method, status, retry_after, retry_number)


def test_a_subclassed_policy_keeps_its_class_and_settings_when_replaced_pickled_or_compared():
    policy = NoRetryOn502(max_retries=5, backoff_max=1.0)
    changed = policy.replace(backoff_base=0.5)
    assert type(changed) is NoRetryOn502
    assert (changed.max_retries, changed.backoff_base, changed.backoff_max) == (5, 0.5, 1.0)
    assert type(resolve_policy(3, policy)) is NoRetryOn502 and resolve_policy(3, policy).backoff_max == 1.0
    copied = pickle.loads(pickle.dumps(policy))
    assert type(copied) is NoRetryOn502 and copied == policy and copied.max_retries == 5
    assert policy != NoRetryOn502(max_retries=0) and policy != RetryPolicy(max_retries=5, backoff_max=1.0)
    assert Urllib3RetryPolicy(max_retries=1) != Urllib3RetryPolicy(max_retries=5)
    assert Urllib3RetryPolicy(max_retries=1) == Urllib3RetryPolicy(max_retries=1)


# -- against the server ----------------------------------------------------------------------

@pytest.mark.parametrize("status", [500, 502, 504])
def test_put_is_resent_after_5xx(server, client, sleeps, status):
    server.script(Reply(status, b"oops"))
    assert put(client)["method"] == "PUT"
    assert len(server.requests) == 2
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 0.25


@pytest.mark.parametrize("status", [500, 502, 504])
def test_post_is_not_resent_after_5xx(server, client, sleeps, status):
    server.script(Reply(status, b"oops"))
    with pytest.raises(ServiceException) as raised:
        post(client)
    assert raised.value.status == status
    assert len(server.requests) == 1 and sleeps == []


@pytest.mark.parametrize("failure", [Drop, Reset, lambda: Truncated(b'{"a"', declared=99)])
def test_post_is_not_resent_after_losing_the_connection_once_sent(server, client, sleeps, failure):
    server.script(failure())
    with pytest.raises(ApiConnectionError):
        post(client)
    assert len(server.requests) == 1 and sleeps == []


@pytest.mark.parametrize("failure", [Drop, Reset, lambda: Truncated(b'{"a"', declared=99)])
def test_put_is_resent_after_losing_the_connection(server, client, failure):
    server.script(failure())
    assert put(client)["method"] == "PUT"
    assert len(server.requests) == 2
    assert server.requests[0].body == server.requests[1].body


def test_put_is_resent_after_a_read_timeout_but_post_is_not(server, make_client):
    client = make_client(read_timeout=0.3)
    server.script(Hang(10))
    assert put(client)["method"] == "PUT"
    assert len(server.requests) == 2
    server.script(Hang(10))
    with pytest.raises(ApiTimeoutError):
        post(client)
    assert len(server.requests) == 3


def test_connection_refused_is_retried_for_post(make_client, sleeps):
    client = make_client(host="http://127.0.0.1:%d" % closed_port())
    with pytest.raises(ApiConnectionError):
        post(client)
    assert len(sleeps) == 2


@pytest.mark.parametrize("status, method", [(429, post), (503, post), (429, put), (503, put)])
def test_retry_after_seconds_is_waited_then_resent(server, client, sleeps, status, method):
    server.script(Reply(status, {"message": "slow down"}, headers={"Retry-After": "3"}))
    assert method(client)["body"] is not None
    assert sleeps == [3.0]
    assert len(server.requests) == 2


def test_retry_after_http_date_is_waited(server, client, sleeps):
    when = email.utils.formatdate(time.time() + 10, usegmt=True)
    server.script(Reply(429, b"", headers={"Retry-After": when}))
    post(client)
    assert len(sleeps) == 1 and 8 <= sleeps[0] <= 10


def test_retry_after_without_header_uses_backoff(server, client, sleeps):
    server.script(Reply(503, b""), Reply(503, b""))
    put(client)
    assert len(sleeps) == 2 and sleeps[0] <= 0.25 and sleeps[1] <= 0.5


@pytest.mark.parametrize("status, cls", [(429, TooManyRequestsException), (503, ServiceException)])
@pytest.mark.parametrize("retry_after", [None, "soon", "-1"])
def test_a_post_answered_429_or_503_without_a_valid_retry_after_is_sent_once(server, client, sleeps, status, cls,
                                                                            retry_after):
    """A proxy's bare 503 (Envoy, Istio after an upstream reset) may follow a request the service applied."""
    headers = {"Retry-After": retry_after} if retry_after else {}
    server.script(Reply(status, b"", headers=headers))
    with pytest.raises(cls):
        post(client)
    assert len(server.requests) == 1 and sleeps == []


@pytest.mark.parametrize("status, cls", [(429, TooManyRequestsException), (503, ServiceException)])
def test_retry_after_over_the_cap_is_not_waited_and_is_reported(server, client, sleeps, status, cls):
    server.script(Reply(status, {"message": "come back later"}, headers={"Retry-After": "120"}))
    with pytest.raises(cls) as raised:
        post(client)
    assert raised.value.retry_after == 120.0
    assert "Retry-After: 120 s" in str(raised.value)
    assert sleeps == [] and len(server.requests) == 1


def test_exhausted_retries_raise_the_last_error_with_retry_after(server, client, sleeps):
    server.script(*[Reply(429, {"message": "busy"}, headers={"Retry-After": "1"})] * 3)
    with pytest.raises(TooManyRequestsException) as raised:
        post(client)
    assert raised.value.retry_after == 1.0
    assert len(server.requests) == 3 and sleeps == [1.0, 1.0]


def test_zero_retries_disables_retrying(server, make_client, sleeps):
    client = make_client(retries=0)
    server.script(Reply(502, b""))
    with pytest.raises(ServiceException):
        put(client)
    assert len(server.requests) == 1 and sleeps == []


def test_per_call_retries_override(server, client, sleeps):
    server.script(*[Reply(502, b"")] * 5)
    with pytest.raises(ServiceException):
        put(client, _retries=0)
    assert len(server.requests) == 1
    assert put(client, _retries=4)["method"] == "PUT"
    assert len(server.requests) == 1 + 5
    assert len(sleeps) == 4  # the configured policy's sleep is kept


def test_per_call_retries_keep_a_subclassed_policys_own_rules(server, make_client, sleeps):
    client = make_client(retries=NoRetryOn502(sleep=sleeps.append))
    server.script(*[Reply(502, b"")] * 3)
    with pytest.raises(ServiceException):
        put(client, _retries=4)
    assert len(server.requests) == 1 and sleeps == []


def test_per_call_retry_policy(server, client):
    waits = []
    server.script(Reply(502, b""))
    put(client, _retries=RetryPolicy(max_retries=1, sleep=waits.append, random=lambda: 1.0))
    assert waits == [0.25]


def test_total_time_budget_stops_retrying(server, make_client):
    clock = [0.0]
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        clock[0] += seconds

    policy = RetryPolicy(max_retries=5, max_total_time=10, sleep=sleep, clock=lambda: clock[0])
    client = make_client(retries=policy)
    server.script(*[Reply(503, b"", headers={"Retry-After": "4"})] * 6)
    with pytest.raises(ServiceException):
        put(client)
    assert waits == [4.0, 4.0]  # a third wait would end past the 10 s budget
    assert len(server.requests) == 3


def test_each_retry_is_logged_at_info_without_query_or_secrets(server, client, caplog):
    server.script(Reply(502, b""))
    with caplog.at_level(logging.INFO, logger="talon_one"):
        client.call_api("/v2/customer_profiles/{integrationId}", "PUT", path_params={"integrationId": "p1"},
                        query_params={"dry": True}, body={}, auth_settings=API_KEY_ONLY)
    (record,) = [r for r in caplog.records if r.levelno == logging.INFO]
    message = record.getMessage()
    assert record.name == "talon_one"
    assert "PUT /v2/customer_profiles/p1" in message and "retry 1 of 2" in message
    assert "502" in message and "waiting" in message
    assert "dry" not in message and "ApiKey" not in message


def test_a_connection_dropped_after_sending_through_a_proxy_counts_as_lost_not_unsent():
    dropped = u3.ProxyError("Unable to connect to proxy", http.client.RemoteDisconnected("closed"))
    refused = u3.ProxyError("Unable to connect to proxy", ConnectionRefusedError(111, "refused"))
    assert failure_kind(dropped) == CONNECTION_LOST
    assert failure_kind(refused) == NOT_SENT
    policy = RetryPolicy(random=lambda: 0.0)
    assert policy.delay_after_error("PUT", failure_kind(dropped), 0) == 0.0
    assert policy.delay_after_error("POST", failure_kind(dropped), 0) is None
