"""The deadline covers the whole attempt, from name resolution to the last byte.

* Name resolution runs under the connect budget (the system resolver has no timeout).
* All the addresses of a host share one connect budget.
* Past the deadline, the request is not sent at all, and the error says so (safe to retry).
* A server that stops reading the request ends the call with ApiTimeoutError.
* An answer that has arrived is read even when the deadline passes while reading it.

The slow resolver is socket.getaddrinfo replaced for names under '.slow.test' (the only way to
slow down name resolution without touching the machine's resolver); everything else is real
sockets on 127.0.0.1.
"""

import socket
import threading
import time

import pytest

import talon_one
from talon_one import rest
from talon_one.exceptions import ApiTimeoutError
from talon_one.retries import RetryPolicy

from scripted_server import ScriptedServer, response_bytes

# Transport-level behaviour: every test runs with both real transports (conftest.each_transport).
pytestmark = [pytest.mark.usefixtures("each_transport"), pytest.mark.timeout(60)]

EVENT = {"profileId": "p1", "sessionId": "s1", "type": "viewed", "attributes": {}}
STATE = b'{"effects": [], "createdCoupons": [], "createdReferrals": []}'
# How far past its budget a call may end on a busy machine (a bound that proves it ended).
SLACK = 1.0


@pytest.fixture
def slow_resolver(monkeypatch):
    """Names under '.slow.test' resolve to 127.0.0.1 after `delay` seconds (or once the test ends)."""
    real = socket.getaddrinfo
    released = threading.Event()
    settings = {"delay": 3.0, "answers": 1, "looked_up": []}

    def getaddrinfo(host, port, *args, **kwargs):
        if isinstance(host, str) and host.endswith(".slow.test"):
            settings["looked_up"].append(host)
            released.wait(settings["delay"])
            return real("127.0.0.1", port, *args, **kwargs) * settings["answers"]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield settings
    released.set()


def ok(connection, request):
    connection.sendall(response_bytes(body=STATE))
    return True


def api_for(url, **settings):
    policy = RetryPolicy(max_retries=settings.pop("max_retries", 2), sleep=lambda seconds: None,
                         max_total_time=settings.pop("max_total_time", 60))
    configuration = talon_one.Configuration(host=url, api_key_v1="k", retries=policy, **settings)
    client = talon_one.ApiClient(configuration)
    return talon_one.IntegrationApi(client), client


def timed(function, *args, **kwargs):
    began = time.monotonic()
    try:
        function(*args, **kwargs)
    except Exception as error:  # returned for the assertions
        return error, time.monotonic() - began
    return None, time.monotonic() - began


def test_a_slow_resolver_cannot_stretch_the_budget_and_the_post_is_never_sent_late(slow_resolver, figures):
    with ScriptedServer(ok) as server:
        api, client = api_for("http://api.slow.test:%d" % server.port, max_total_time=1.0, connect_timeout=5)
        with client:
            error, seconds = timed(api.track_event, EVENT)
            time.sleep(slow_resolver["delay"] - seconds + 0.5)  # the resolver has answered by now
        assert server.requests == [], "the POST was sent after its budget"
    assert isinstance(error, ApiTimeoutError), repr(error)
    assert error.may_have_been_delivered is False and "the request was not sent" in str(error)
    assert seconds <= 1.0 + SLACK, seconds
    figures.set("slow DNS (3 s resolver, 1 s budget): call ended after (s)", round(seconds, 2))
    figures.set("slow DNS: POSTs sent after the budget", len(server.requests))


def test_the_connect_timeout_covers_name_resolution(slow_resolver):
    with ScriptedServer(ok) as server:
        api, client = api_for("http://api.slow.test:%d" % server.port, connect_timeout=0.5, max_retries=0)
        with client:
            error, seconds = timed(api.get_reserved_coupons, "c1")
    assert isinstance(error, ApiTimeoutError) and "connect timeout" in str(error), repr(error)
    assert seconds <= 0.5 + SLACK


def test_a_resolver_within_the_budget_is_waited_for(slow_resolver):
    slow_resolver["delay"] = 0.2
    with ScriptedServer(ok) as server:
        api, client = api_for("http://api.slow.test:%d" % server.port, connect_timeout=2)
        with client:
            assert isinstance(api.track_event(EVENT), talon_one.IntegrationState)
    assert len(server.requests) == 1


@pytest.fixture
def blackhole():
    """A 127.0.0.1 port whose connects hang: its one-place accept queue is full and never served."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    filler = socket.create_connection(listener.getsockname())
    yield listener.getsockname()[1]
    filler.close()
    listener.close()


def test_all_addresses_of_a_host_share_one_connect_budget(slow_resolver, blackhole):
    slow_resolver.update(delay=0, answers=4)  # four addresses, each hanging
    api, client = api_for("http://api.slow.test:%d" % blackhole, connect_timeout=0.6, max_retries=0)
    with client:
        error, seconds = timed(api.get_reserved_coupons, "c1")
    assert isinstance(error, ApiTimeoutError) and error.may_have_been_delivered is False, repr(error)
    assert seconds <= 0.6 + SLACK, "%.2f s: each address got its own connect timeout" % seconds


def test_past_the_deadline_not_a_byte_of_the_request_is_written():
    """A connection made in time, but the deadline gone before the request is written."""
    with ScriptedServer(ok) as server:
        connection = rest._HTTPConnection("127.0.0.1", server.port, timeout=2)
        connection.connect()
        rest._local.attempt = rest._Attempt(time.monotonic() - 0.01, None, None, False)
        try:
            with pytest.raises(rest.RequestNotSent):
                connection.request("POST", "/v2/events", body=b"{}", headers={"Content-Type": "application/json"})
        finally:
            rest._local.attempt = None
            connection.close()
        time.sleep(0.2)
    assert server.connections == 1 and server.requests == []


def test_a_stalled_upload_is_a_timeout_and_the_post_is_not_sent_again(figures):
    stalled = threading.Event()

    def never_read(connection, request):
        stalled.set()
        server.stopping.wait(10)  # reads nothing more: the client's send buffer fills up
        return False

    body = b'{"attributes": {"padding": "' + b"x" * (64 << 20) + b'"}}'
    with ScriptedServer(never_read, read_bodies=False) as server:
        configuration = talon_one.Configuration(host=server.url, connect_timeout=0.5, read_timeout=0.5,
                                                retries=RetryPolicy(sleep=lambda seconds: None))
        with talon_one.ApiClient(configuration) as client:
            error, seconds = timed(client.call_api, "/v2/events", "POST", body=body, auth_settings=[])
    assert isinstance(error, ApiTimeoutError), repr(error)
    assert "write timeout" in str(error) and error.may_have_been_delivered is True
    assert stalled.is_set() and len(server.requests) == 1  # a POST: not sent again
    assert seconds <= 0.5 + SLACK
    figures.add("stalled uploads ended by ApiTimeoutError (write timeout)")


def test_an_answer_that_has_arrived_is_read_even_past_the_deadline():
    ours, theirs = socket.socketpair()
    with ours, theirs:
        theirs.sendall(b"the whole answer")
        ours.settimeout(5)
        attempt = rest._Attempt(time.monotonic() - 1.0, None, None, False)
        reader = rest._DeadlineReader(ours.makefile("rb", buffering=0), ours, attempt)
        buffer = bytearray(64)
        assert buffer[:reader.readinto(buffer)] == b"the whole answer"
        with pytest.raises(socket.timeout):  # nothing more has arrived: no waiting past the deadline
            reader.readinto(buffer)
