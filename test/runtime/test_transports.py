"""The transport seam: choosing a transport, MockTransport (in memory, no sockets), the requests
transport with a Session of the user's and under `responses` (the way users mock it), the
missing-extra error, and a default pool large enough for 32 threads."""

import gzip
import logging
import socket
import threading

import pytest
import requests
import responses
import urllib3

import talon_one
from talon_one import (ApiConnectionError, ApiException, ApiTimeoutError, ApiTypeError, ApiValueError,
                       NotFoundException, ResponseTooLargeError)
from talon_one import transport_requests
from talon_one.retries import RetryPolicy
from talon_one.testing import FakeTalonOne, Fault, MockResponse, MockTransport
from talon_one.transport import Transport, TransportRequest
from talon_one.transport_requests import RequestsTransport

HOST = "https://mycompany.talon.one"
STATE = {"effects": [{"campaignId": 1, "rulesetId": 2, "ruleIndex": 0, "ruleName": "10% off",
                      "effectType": "setDiscount", "props": {"name": "10% off", "value": 4.5}}]}
EVENT = {"profileId": "p1", "sessionId": "s1", "type": "viewed_page", "attributes": {}}


def configuration(**settings):
    settings.setdefault("retries", RetryPolicy(sleep=lambda seconds: None))
    return talon_one.Configuration(host=HOST, api_key_v1="k-secret-1", **settings)


def api_with(transport_object, **settings):
    return talon_one.IntegrationApi(talon_one.ApiClient(configuration(**settings), transport=transport_object))


def session_request():
    return talon_one.IntegrationRequest(customer_session=talon_one.NewCustomerSessionV2(
        profile_id="customer-1", cart_items=[talon_one.CartItem(name="Shoes", sku="S-1", quantity=1, price=45.0)]))


@pytest.fixture
def no_sockets(monkeypatch):
    """Any attempt to open a socket fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("a socket was opened")
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# -- choosing a transport ----------------------------------------------------------------------------

def test_the_default_transport_is_urllib3():
    client = talon_one.ApiClient(configuration())
    assert isinstance(client.rest_client.transport, talon_one.rest.Urllib3Transport)
    assert isinstance(client.rest_client.transport, Transport)


def test_configuration_transport_requests_builds_a_requests_transport():
    client = talon_one.ApiClient(configuration(transport="requests"))
    transport = client.rest_client.transport
    assert isinstance(transport, RequestsTransport) and isinstance(transport.session, requests.Session)


def test_an_unknown_transport_name_is_refused_naming_the_setting():
    with pytest.raises(ApiValueError) as raised:
        configuration(transport="httpx")
    assert "transport" in str(raised.value) and "'requests'" in str(raised.value)


def test_a_transport_object_must_have_send_and_close():
    with pytest.raises(ApiTypeError) as raised:
        talon_one.ApiClient(configuration(), transport=object())
    assert "transport" in str(raised.value)


def test_the_requests_transport_without_the_extra_names_it(monkeypatch):
    monkeypatch.setattr(transport_requests, "requests", None)
    with pytest.raises(ImportError) as raised:
        talon_one.ApiClient(configuration(transport="requests"))
    assert "pip install 'talon_one[requests]'" in str(raised.value)


# -- MockTransport -----------------------------------------------------------------------------------

def test_mock_transport_gets_the_encoded_signed_request_and_its_answer_is_decoded(no_sockets):
    transport = MockTransport(lambda request: MockResponse(200, json=STATE))
    state = api_with(transport).update_customer_session_v2("session-1", session_request())
    assert state.effects[0].effect_type == "setDiscount" and state.effects[0].props == {"name": "10% off",
                                                                                         "value": 4.5}
    [request] = transport.requests
    assert isinstance(request, TransportRequest)
    assert (request.method, request.url) == ("PUT", HOST + "/v2/customer_sessions/session-1")
    assert request.header("authorization") == "ApiKey-v1 k-secret-1"
    assert request.json()["customerSession"]["cartItems"][0]["sku"] == "S-1"
    assert request.preload_content is True and request.max_response_bytes == 64 * 1024 * 1024


def test_mock_transport_statuses_map_to_their_exceptions(no_sockets):
    transport = MockTransport(lambda request: MockResponse(404, json={"message": "no such profile"}))
    with pytest.raises(NotFoundException) as raised:
        api_with(transport).update_customer_profile_v2("nobody", {"attributes": {}})
    assert raised.value.status == 404 and raised.value.reason == "Not Found"
    assert raised.value.message == "no such profile"


def test_mock_transport_retries_follow_the_policy(no_sockets):
    answers = [MockResponse(503, headers={"Retry-After": "0"}), MockResponse(200, json=STATE)]
    transport = MockTransport(lambda request: answers.pop(0))
    api_with(transport).update_customer_session_v2("session-1", session_request())  # PUT: idempotent
    assert len(transport.requests) == 2


@pytest.mark.parametrize("fault, method, attempts, error", [
    (MockTransport.connect_timeout, "POST", 3, ApiTimeoutError),     # not sent: retried for any method
    (MockTransport.connection_refused, "POST", 3, ApiConnectionError),
    (MockTransport.read_timeout, "POST", 1, ApiTimeoutError),        # may have been delivered: POST once
    (MockTransport.connection_lost, "POST", 1, ApiConnectionError),
    (MockTransport.read_timeout, "GET", 3, ApiTimeoutError),         # idempotent: retried
])
def test_mock_transport_faults_are_retried_as_real_ones(fault, method, attempts, error, no_sockets):
    def handler(request):
        raise fault()
    transport = MockTransport(handler)
    api = api_with(transport)
    with pytest.raises(error) as raised:
        if method == "POST":
            api.track_event(EVENT)
        else:
            api.get_reserved_customers("c1")
    assert len(transport.requests) == attempts
    assert type(raised.value) is error
    assert raised.value.may_have_been_delivered is (fault not in (MockTransport.connect_timeout,
                                                                  MockTransport.connection_refused))


def test_mock_transport_streams_for_preload_content_false(no_sockets):
    transport = MockTransport(lambda request: MockResponse(200, body=b'{"big": 1}'))
    response = api_with(transport).api_client.call_api("/v1/ping", "GET", _preload_content=False,
                                                                 _return_http_data_only=True)
    assert isinstance(response, urllib3.HTTPResponse) and response.read() == b'{"big": 1}'


def test_mock_transport_applies_the_size_limit(no_sockets):
    transport = MockTransport(lambda request: MockResponse(200, body=b"x" * 2048))
    with pytest.raises(ResponseTooLargeError):
        api_with(transport, max_response_bytes=1024).get_reserved_customers("c1")


def test_mock_transport_refuses_a_handler_that_returns_something_else():
    with pytest.raises(TypeError) as raised:
        api_with(MockTransport(lambda request: {"effects": []})).get_reserved_customers("c1")
    assert "MockResponse" in str(raised.value)
    with pytest.raises(TypeError):
        MockTransport("not callable")


# -- the requests transport with the user's Session ----------------------------------------------------

def test_a_users_session_carries_the_calls_with_its_adapters_and_hooks():
    sent, hooked = [], []

    class CountingAdapter(requests.adapters.HTTPAdapter):
        def send(self, request, **kwargs):
            sent.append((request.method, request.url, request.headers.get("Authorization"), kwargs["timeout"]))
            return super().send(request, **kwargs)

    with FakeTalonOne(api_key="k-secret-1") as fake:
        session = requests.Session()
        session.mount("http://", CountingAdapter())
        session.hooks["response"].append(lambda response, **kwargs: hooked.append(response.status_code))
        settings = configuration(connect_timeout=1.5, read_timeout=4)
        settings.host = base_url = fake.base_url
        with talon_one.ApiClient(settings, transport=RequestsTransport(session=session)) as client:
            profile = talon_one.IntegrationApi(client).update_customer_profile_v2(
                "customer-1", {"attributes": {}, "responseContent": ["customerProfile"]}).customer_profile
    assert profile.integration_id == "customer-1"
    [(method, url, authorization, timeout)] = sent
    assert (method, authorization) == ("PUT", "ApiKey-v1 k-secret-1")
    assert url == base_url + "/v2/customer_profiles/customer-1"
    assert (timeout.connect_timeout, timeout.read_timeout) == (1.5, 4)
    assert hooked == [200]


@responses.activate
def test_a_session_made_by_the_transport_stores_no_cookies():
    url = HOST + "/v1/coupon_reservations/customerprofiles/c1"
    responses.get(url, json={"data": []}, headers={"Set-Cookie": "tracking=abc123; Path=/"})
    api = api_with(None, transport="requests")
    api.get_reserved_customers("c1")
    api.get_reserved_customers("c1")
    assert [call.request.headers.get("Cookie") for call in responses.calls] == [None, None]
    assert len(api.api_client.rest_client.transport.session.cookies) == 0


# -- responses: mocking the requests transport as users do ----------------------------------------------

@responses.activate
def test_responses_answers_the_sdks_calls():
    responses.put(HOST + "/v2/customer_sessions/session-1", json=STATE)
    state = api_with(None, transport="requests").update_customer_session_v2("session-1", session_request())
    assert state.effects[0].effect_type == "setDiscount"
    [call] = responses.calls
    assert call.request.headers["Authorization"] == "ApiKey-v1 k-secret-1"
    assert call.request.headers["Accept-Encoding"] == "gzip, deflate"
    assert b'"profileId":"customer-1"' in call.request.body


@responses.activate
def test_responses_gzip_bodies_are_decoded_by_the_sdk():
    responses.get(HOST + "/v1/coupon_reservations/customerprofiles/c1", body=gzip.compress(b'{"data": []}'),
                  headers={"Content-Encoding": "gzip"}, content_type="application/json")
    assert api_with(None, transport="requests").get_reserved_customers("c1").data == []


@responses.activate
def test_responses_a_503_then_200_is_retried_for_get():
    url = HOST + "/v1/coupon_reservations/customerprofiles/c1"
    responses.get(url, status=503, headers={"Retry-After": "0"})
    responses.get(url, json={"data": []})
    assert api_with(None, transport="requests").get_reserved_customers("c1").data == []
    assert len(responses.calls) == 2


@responses.activate
@pytest.mark.parametrize("fault, attempts, error", [
    (requests.exceptions.ConnectTimeout("timed out"), 3, ApiTimeoutError),
    (requests.exceptions.ReadTimeout("timed out"), 1, ApiTimeoutError),
])
def test_responses_faults_on_post_follow_the_retry_rules(fault, attempts, error):
    responses.post(HOST + "/v1/events", body=fault)
    with pytest.raises(error) as raised:
        api_with(None, transport="requests").track_event(EVENT)
    assert len(responses.calls) == attempts
    assert raised.value.may_have_been_delivered is (attempts == 1)


@responses.activate
def test_responses_an_unregistered_url_fails_at_once_naming_responses():
    with pytest.raises(ApiConnectionError) as raised:
        api_with(None, transport="requests").get_reserved_customers("c1")
    assert "Responses" in str(raised.value)
    assert len(responses.calls) == 1  # a test's missing mock is not retried


@responses.activate
def test_responses_a_redirect_is_not_followed():
    responses.get(HOST + "/v1/coupon_reservations/customerprofiles/c1", status=302,
                  headers={"Location": HOST + "/elsewhere"}, body=b"moved")
    responses.get(HOST + "/elsewhere", json={"data": []})
    with pytest.raises(ApiException) as raised:
        api_with(None, transport="requests").get_reserved_customers("c1")
    assert raised.value.status == 302 and raised.value.body == "moved"
    assert [call.request.url for call in responses.calls] == [HOST + "/v1/coupon_reservations/customerprofiles/c1"]


# -- the default pool: 32 threads on one client ------------------------------------------------------

@pytest.mark.usefixtures("each_transport")
@pytest.mark.timeout(60)
def test_32_threads_on_one_client_discard_no_connection(caplog):
    threads = 32
    with FakeTalonOne(api_key="k-secret-1") as fake:
        settings = talon_one.Configuration(host=fake.base_url, api_key_v1="k-secret-1", retries=0)
        assert settings.connection_pool_maxsize >= threads
        fake.inject_faults(Fault.slow(0.3), times=threads)  # every thread holds a connection at once
        errors = []
        with talon_one.ApiClient(settings) as client:
            api = talon_one.IntegrationApi(client)
            start = threading.Barrier(threads)

            def call():
                try:
                    start.wait(10)
                    api.get_reserved_customers("SUMMER10")
                except Exception as error:  # reported below
                    errors.append(repr(error))

            with caplog.at_level(logging.WARNING, logger="urllib3"):
                workers = [threading.Thread(target=call) for _ in range(threads)]
                for worker in workers:
                    worker.start()
                for worker in workers:
                    worker.join(30)
    assert errors == [] and len(fake.requests) == threads
    assert fake.faults_served == threads
    assert not [record for record in caplog.records if "Connection pool is full" in record.getMessage()]
