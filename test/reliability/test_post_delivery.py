"""A POST whose outcome is unknown is never sent twice, and the error says whether it may have
been delivered.

* A proxy-style 503 (or 429) without Retry-After may follow a request the service applied:
  the POST is sent once.
* A POST does not go out on a pooled connection idle longer than rest.MAX_IDLE_FOR_POST,
  which the server may be closing at that very moment.
"""

import socket
import time
import types

import pytest

import talon_one
from talon_one import rest
from talon_one.exceptions import ApiConnectionError, ServiceException
from talon_one.retries import RetryPolicy

from clients import AsyncApiBridge, AsyncClientBridge
from scripted_server import ScriptedServer, response_bytes

# Transport-level behaviour: every test runs with both real transports (conftest.each_transport).
pytestmark = [pytest.mark.usefixtures("each_transport"), pytest.mark.timeout(60)]

EVENT = {"profileId": "p1", "sessionId": "s1", "type": "viewed", "attributes": {}}
STATE = b'{"effects": [], "createdCoupons": [], "createdReferrals": []}'


_kind = ["sync"]


@pytest.fixture(params=["sync", "asyncio"], autouse=True)
def client_kind(request):
    """Each rule holds for ApiClient and AsyncApiClient alike: api_for builds the one of this run."""
    _kind[0] = request.param
    yield request.param
    _kind[0] = "sync"


def api_for(server, **policy):
    sleeps = []
    policy.setdefault("max_retries", 2)
    configuration = talon_one.Configuration(host=server.url, api_key_v1="k", connect_timeout=2, read_timeout=5,
                                            retries=RetryPolicy(sleep=sleeps.append, **policy))
    if _kind[0] == "asyncio":
        client = AsyncClientBridge(configuration)
        return AsyncApiBridge(client), client, sleeps
    client = talon_one.ApiClient(configuration)
    return talon_one.IntegrationApi(client), client, sleeps


def test_track_event_answered_by_a_proxy_503_is_delivered_once(figures):
    def answer(connection, request):
        connection.sendall(response_bytes(503, b"upstream connect error or disconnect/reset before headers. "
                                               b"reset reason: connection termination", content_type="text/plain",
                                          reason="Service Unavailable", headers=[("Server", "envoy")]))
        return True

    with ScriptedServer(answer) as server:
        api, client, sleeps = api_for(server)
        with client, pytest.raises(ServiceException) as raised:
            api.track_event(EVENT)
    assert raised.value.status == 503
    assert len(server.requests) == 1 and sleeps == []
    figures.add("503 on POST: track_event answered by a proxy's 503, times delivered", len(server.requests))


def test_track_event_refused_by_rate_limiting_with_retry_after_is_sent_again():
    def answer(connection, request):
        if len(server.requests) == 1:
            connection.sendall(response_bytes(429, b'{"message": "rate limited"}', headers=[("Retry-After", "1")]))
        else:
            connection.sendall(response_bytes(200, STATE))
        return True

    with ScriptedServer(answer) as server:
        api, client, sleeps = api_for(server)
        with client:
            assert isinstance(api.track_event(EVENT), talon_one.IntegrationState)
    assert len(server.requests) == 2 and sleeps == [1.0]


def test_a_post_never_goes_out_on_a_connection_idle_past_the_limit(figures):
    def answer(connection, request):
        connection.sendall(response_bytes(200, STATE if request.method == "POST" else b'{"data": []}'))
        return True

    with ScriptedServer(answer) as server:
        api, client, _ = api_for(server)
        with client:
            api.track_event(EVENT)
            api.track_event(EVENT)                      # at once: the same connection
            assert server.connections == 1
            time.sleep(rest.MAX_IDLE_FOR_POST + 0.3)
            api.get_reserved_coupons("c1")              # idempotent: reuses the idle connection
            assert server.connections == 1
            time.sleep(rest.MAX_IDLE_FOR_POST + 0.3)
            api.track_event(EVENT)                      # a POST: a new connection
            assert server.connections == 2
            api.track_event(EVENT)
            assert server.connections == 2
    assert [request.connection_number for request in server.requests] == [1, 1, 1, 2, 2]
    figures.add("idle limit: POSTs moved off a connection idle past %g s" % rest.MAX_IDLE_FOR_POST)


def test_a_post_on_a_connection_the_server_closed_is_not_sent_again_and_says_it_may_have_been_delivered():
    """The server reads the POST, then drops the connection without answering."""
    def answer(connection, request):
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        return False

    with ScriptedServer(answer) as server:
        api, client, _ = api_for(server)
        with client, pytest.raises(ApiConnectionError) as raised:
            api.track_event(EVENT)
    assert len(server.requests) == 1
    assert raised.value.may_have_been_delivered is True
    assert "the request may have been delivered" in str(raised.value)


def test_a_refused_connection_says_the_request_was_not_sent():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()  # nothing listens there now
    api, client, _ = api_for(types.SimpleNamespace(url="http://127.0.0.1:%d" % port), max_retries=0)
    with client, pytest.raises(ApiConnectionError) as raised:
        api.track_event(EVENT)
    assert raised.value.may_have_been_delivered is False
    assert "the request was not sent" in str(raised.value)
