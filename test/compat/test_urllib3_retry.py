"""Configuration.retries given an urllib3 Retry, as the official SDK took it: what maps onto the
RetryPolicy is honoured, what cannot be honoured is refused naming the field, and a POST whose
outcome is unknown is never re-sent, whatever the Retry says. Against the fake on 127.0.0.1."""

import logging
import socket

import pytest
from urllib3.util.retry import Retry

import talon_one
from talon_one.retries import RetryPolicy, policy_from_urllib3_retry
from talon_one.testing import Fault


def make_api(fake, retries):
    configuration = talon_one.Configuration(host=fake.base_url, api_key_v1=fake.api_key, retries=retries,
                                            read_timeout=5)
    return talon_one.IntegrationApi(talon_one.ApiClient(configuration))


def create_profile(fake):
    api = make_api(fake, 0)
    api.update_customer_profile_v2("customer-1", talon_one.CustomerProfileIntegrationRequestV2({"name": "Ada"}))
    api.api_client.close()


def event():
    return talon_one.NewEvent(profile_id="customer-1", type="viewed", session_id="session-1", attributes={})


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def retries_logged(caplog):
    return sum(1 for record in caplog.records if record.getMessage().startswith("Retrying"))


def test_counts_per_kind_are_honoured_where_total_used_to_be_the_only_one_read(fake, caplog):
    retry = Retry(total=None, connect=5, read=2, status=0, backoff_factor=0)
    configuration = talon_one.Configuration(host="http://127.0.0.1:%d" % closed_port(), api_key_v1="k",
                                            retries=retry)
    caplog.set_level(logging.INFO, logger="talon_one")
    with talon_one.ApiClient(configuration) as client:
        with pytest.raises(talon_one.ApiConnectionError):
            talon_one.IntegrationApi(client).get_customer_inventory("customer-1")
    assert retries_logged(caplog) == 5  # connect=5 (it used to be 0: only `total` was read)

    create_profile(fake)
    caplog.clear()
    fake.inject_faults(Fault.dropped_connection(), times=6)
    api = make_api(fake, retry)
    with pytest.raises(talon_one.ApiConnectionError):
        api.get_customer_inventory("customer-1")
    assert fake.faults_served == 3 and retries_logged(caplog) == 2  # read=2


def test_status_forcelist_and_status_count_are_honoured(fake):
    create_profile(fake)
    fake.inject_faults(502, times=5)
    api = make_api(fake, Retry(total=5, status=2, status_forcelist=[502], backoff_factor=0))
    with pytest.raises(talon_one.ServiceException) as raised:
        api.get_customer_inventory("customer-1")
    assert raised.value.status == 502 and fake.faults_served == 3
    fake.reset()
    create_profile(fake)
    fake.inject_faults(502, times=2)
    assert make_api(fake, Retry(3, status_forcelist=[502], backoff_factor=0)).get_customer_inventory("customer-1")
    assert fake.faults_served == 2
    fake.inject_faults(504)
    with pytest.raises(talon_one.ServiceException):  # not listed: not retried
        make_api(fake, Retry(3, status_forcelist=[502], backoff_factor=0)).get_customer_inventory("customer-1")


def test_a_post_with_an_unknown_outcome_is_never_resent_whatever_the_retry_says(fake):
    create_profile(fake)
    anything_goes = Retry(total=5, status_forcelist=[500, 502, 504], allowed_methods=None, backoff_factor=0)
    api = make_api(fake, anything_goes)
    for fault in (Fault.server_error(502), Fault.dropped_connection()):
        fake.reset()
        fake.inject_faults(fault, times=3)
        with pytest.raises(talon_one.ApiException):
            api.track_event(event())
        assert fake.faults_served == 1, fault
        assert fake.events == []
    # The same Retry does retry a GET, and a POST answered 503 (not processed).
    fake.reset()
    create_profile(fake)
    fake.inject_faults(502, times=2)
    assert api.get_customer_inventory("customer-1") is not None and fake.faults_served == 2
    fake.inject_faults(Fault.unavailable(retry_after=0))
    assert api.track_event(event()) is not None and fake.faults_served == 3


def test_allowed_methods_narrows_what_is_retried(fake):
    create_profile(fake)
    fake.inject_faults(502, times=2)
    api = make_api(fake, Retry(total=3, status_forcelist=[502], allowed_methods=["PUT"], backoff_factor=0))
    with pytest.raises(talon_one.ServiceException):
        api.get_customer_inventory("customer-1")
    assert fake.faults_served == 1


def test_respect_retry_after_header(fake):
    create_profile(fake)
    fake.inject_faults(Fault.rate_limited(retry_after=0))
    assert make_api(fake, Retry(total=2)).get_customer_inventory("customer-1") is not None
    assert fake.faults_served == 1 and fake.pending_faults == 0
    fake.inject_faults(Fault.rate_limited(retry_after=0))
    with pytest.raises(talon_one.TooManyRequestsException):
        make_api(fake, Retry(total=2, respect_retry_after_header=False)).get_customer_inventory("customer-1")


def test_total_false_means_no_retries(fake):
    create_profile(fake)
    fake.inject_faults(503)
    with pytest.raises(talon_one.ServiceException):
        make_api(fake, Retry(total=False)).get_customer_inventory("customer-1")
    assert fake.faults_served == 1


def test_backoff_maps_onto_the_policy_ceiling():
    retry = Retry(total=4, backoff_factor=0.5)
    retry.backoff_max = 3  # a keyword from urllib3 2 on; set so, it reads the same on 1.26
    policy = policy_from_urllib3_retry(retry)
    ceilings = [policy.replace(random=lambda: 1.0).backoff(n) for n in range(5)]
    assert ceilings == [0.5, 1.0, 2.0, 3.0, 3.0]  # backoff_factor * 2 ** n, up to backoff_max
    assert policy.max_retries == 4 and policy.max_total_time == RetryPolicy().max_total_time


@pytest.mark.parametrize("retry, field", [
    (Retry(total=3, other=2), "other"),
    (Retry(total=3, redirect=5), "redirect"),
    (Retry(total=3, status_forcelist=[408, 502]), "status_forcelist"),
    (Retry(total=None, connect=5, read=2), "status"),
    (Retry(total=None, read=2, status=1), "connect"),
] + ([(Retry(total=3, backoff_jitter=0.5), "backoff_jitter")] if hasattr(Retry(), "backoff_jitter") else []))
def test_what_cannot_be_honoured_is_refused_naming_the_field_before_anything_is_sent(retry, field, fake):
    with pytest.raises(talon_one.ApiValueError, match=r"retries: urllib3 Retry\(%s=" % field):
        talon_one.Configuration(host=fake.base_url, retries=retry)
    api = make_api(fake, 0)
    with pytest.raises(talon_one.ApiValueError, match=r"Retry\(%s=" % field):
        api.get_customer_inventory("customer-1", _retries=retry)
    assert fake.requests == []


def test_retry_after_max_lowers_the_wait_limit_and_tls_errors_are_never_retried():
    from talon_one.retries import NOT_SENT, OTHER
    retry = Retry(total=5, backoff_factor=0)
    if hasattr(retry, "retry_after_max"):
        retry.retry_after_max = 4
        policy = policy_from_urllib3_retry(retry).for_call()
        assert policy.max_retry_after == 4
        assert policy.delay_after_status("GET", 429, 3.0, 0) == 3.0
        assert policy.delay_after_status("GET", 429, 5.0, 0) is None  # longer: raised with .retry_after
    policy = policy_from_urllib3_retry(Retry(total=5, other=None, backoff_factor=0)).for_call()
    assert policy.delay_after_error("GET", OTHER, 0) is None
    assert policy.delay_after_error("GET", NOT_SENT, 0) == 0


def test_counts_are_kept_per_call_not_shared_between_calls():
    from talon_one.retries import NOT_SENT
    shared = policy_from_urllib3_retry(Retry(total=None, connect=1, read=0, status=0))
    first, second = shared.for_call(), shared.for_call()
    assert first.delay_after_error("GET", NOT_SENT, 0) is not None
    assert first.delay_after_error("GET", NOT_SENT, 1) is None  # connect=1 used up in this call
    assert second.delay_after_error("GET", NOT_SENT, 0) is not None
