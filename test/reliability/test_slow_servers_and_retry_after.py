"""A server that drip-feeds its answer cannot hold a call forever, and Retry-After is obeyed
exactly as README "Retries" says: waited up to the cap, surfaced beyond it.

urllib3's read timeout bounds each socket read: one byte every 0.1 s never trips a
0.3 s read timeout. The call's time budget (RetryPolicy.max_total_time) and a
per-call `_request_timeout` number are hard deadlines for reading the answer.
"""

import email.utils
import socket
import ssl
import threading
import time

import pytest
import trustme

import talon_one
from talon_one.exceptions import ApiTimeoutError, ServiceException, TooManyRequestsException
from talon_one.retries import RetryPolicy
from talon_one.testing import Fault

from clients import AsyncApiBridge, AsyncClientBridge

READ_TIMEOUT = 0.3
BUDGET = 1.0
# How far past its deadline a call may end: one read timeout, and a busy machine.
SLACK = READ_TIMEOUT + 1.5

# Transport-level behaviour: every test runs with both real transports (conftest.each_transport).
pytestmark = [pytest.mark.usefixtures("each_transport"), pytest.mark.timeout(60)]


class DripServer:
    """Accepts, reads the request, then sends its answer one byte every `interval` seconds, for ever
    (until the test ends). `mode`: 'headers' drips an endless header; 'body' sends the headers at
    once and drips a body of `length` bytes."""

    def __init__(self, mode, interval=0.1, length=10 ** 7, tls=None):
        self.mode, self.interval, self.length, self.tls = mode, interval, length, tls
        self.stopping = threading.Event()
        self.sent = 0
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.url = "%s://127.0.0.1:%d" % ("https" if tls else "http", self.listener.getsockname()[1])
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    def _accept(self):
        self.listener.settimeout(0.1)
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.settimeout(None)
            thread = threading.Thread(target=self._drip, args=(conn,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _drip(self, conn):
        with conn:
            try:
                if self.tls is not None:
                    conn = self.tls.wrap_socket(conn, server_side=True)
                conn.recv(65536)
                if self.mode == "headers":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                    pattern = b"a"
                else:
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: %d\r\n\r\n[" % self.length)
                    pattern = b" "
                for _ in range(self.length):
                    if self.stopping.wait(self.interval):
                        return
                    conn.sendall(pattern)
                    self.sent += 1
            except OSError:
                return

    def close(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(5)
        self.listener.close()


@pytest.fixture
def drip_server(request):
    servers = []

    def start(mode, **options):
        server = DripServer(mode, **options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture(params=["sync", "asyncio"])
def client_kind(request):
    """Each scenario runs with ApiClient and with AsyncApiClient: the same deadline and Retry-After rules."""
    return request.param


def build_api(configuration, kind):
    """(api, client): an IntegrationApi, or for "asyncio" an AsyncIntegrationApi behind a synchronous face."""
    if kind == "asyncio":
        client = AsyncClientBridge(configuration)
        return AsyncApiBridge(client), client
    client = talon_one.ApiClient(configuration)
    return talon_one.IntegrationApi(client), client


def make_api(url, settings=None, kind="sync", **policy):
    sleeps = []
    policy.setdefault("max_total_time", BUDGET)
    configuration = talon_one.Configuration(host=url, api_key_v1="k", connect_timeout=1, read_timeout=READ_TIMEOUT,
                                            retries=RetryPolicy(sleep=sleeps.append, **policy), **(settings or {}))
    api, client = build_api(configuration, kind)
    return api, client, sleeps


def timed(function, *args, **kwargs):
    """(exception or None, seconds) of a call made in a thread, so that a call that never ends fails
    this test at once instead of hanging it (the thread ends when the server closes)."""
    outcome = []

    def call():
        began = time.monotonic()
        try:
            function(*args, **kwargs)
            outcome.append((None, time.monotonic() - began))
        except Exception as error:  # returned for the assertions
            outcome.append((error, time.monotonic() - began))

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(BUDGET + SLACK + 5)
    assert outcome, "the call was still running after %g s" % (BUDGET + SLACK + 5)
    return outcome[0]


@pytest.mark.parametrize("mode", ["headers", "body"])
@pytest.mark.parametrize("operation", ["get", "post"])
def test_a_drip_fed_answer_ends_at_the_call_budget(client_kind, drip_server, figures, mode, operation):
    server = drip_server(mode)
    api, client, _ = make_api(server.url, kind=client_kind)
    with client:
        if operation == "get":  # idempotent: retried after a read timeout, within the same budget
            error, seconds = timed(api.get_reserved_coupons, "p1")
        else:
            error, seconds = timed(api.track_event, event())
    assert isinstance(error, ApiTimeoutError), repr(error)
    assert "time budget (max_total_time=1 s) ran out" in str(error)
    assert seconds <= BUDGET + SLACK, seconds
    # The server kept sending well past one read timeout: the per-read timeout alone never fired.
    assert server.sent * server.interval > 2 * READ_TIMEOUT
    _longest.append(seconds)
    figures.add("slowloris: drip-fed calls ended by the deadline (ApiTimeoutError)")
    figures.set("slowloris: longest drip-fed call (s), budget %g s" % BUDGET, round(max(_longest), 3))


_longest = []


def test_a_drip_fed_answer_over_tls_ends_at_the_call_budget(client_kind, drip_server, tmp_path, figures):
    authority = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    server = drip_server("body", tls=context)
    api, client, _ = make_api(server.url, {"ssl_ca_cert": str(ca_file)}, kind=client_kind)
    with client:
        error, seconds = timed(api.get_reserved_coupons, "p1")
    assert isinstance(error, ApiTimeoutError), repr(error)
    assert seconds <= BUDGET + SLACK, seconds
    assert server.sent * server.interval > 2 * READ_TIMEOUT
    figures.add("slowloris: drip-fed calls ended by the deadline (ApiTimeoutError)")


def test_a_request_timeout_number_bounds_the_attempt_even_when_drip_fed(client_kind, drip_server):
    server = drip_server("body")
    api, client, _ = make_api(server.url, kind=client_kind, max_total_time=60)
    with client:
        error, seconds = timed(api.get_reserved_coupons, "p1", _request_timeout=0.8, _retries=0)
    assert isinstance(error, ApiTimeoutError), repr(error)
    assert seconds <= 0.8 + SLACK, seconds


def test_a_streamed_answer_is_read_at_the_callers_pace(drip_server):
    """With _preload_content=False the caller owns the body: the budget does not cut it short."""
    server = drip_server("body", interval=0.05, length=12)
    api, client, _ = make_api(server.url, max_total_time=0.3)
    with client:
        response = api.get_reserved_coupons("p1", _preload_content=False)
        try:
            body = response.data  # 0.6 s of dripping, past the 0.3 s budget
        finally:
            response.release_conn()
    assert body == b"[" + b" " * 11


# -- Retry-After, with the fake's fault injection ---------------------------------------------------

def fake_api(fake, kind="sync", **policy):
    sleeps = []
    configuration = fake.configuration()
    configuration.retries = RetryPolicy(sleep=sleeps.append, **policy)
    api, client = build_api(configuration, kind)
    _built.append(client)
    return api, sleeps


_built = []


@pytest.fixture(autouse=True)
def _close_built_clients():
    yield
    while _built:
        _built.pop().close()


def event():
    return {"profileId": "p1", "sessionId": "s1", "type": "viewed", "attributes": {}}


@pytest.mark.parametrize("fault", [Fault.rate_limited, Fault.unavailable])
@pytest.mark.parametrize("retry_after, low, high", [
    ("0", None, None),            # retried at once: no wait at all
    ("3", 3.0, 3.0),
    ("2.5", 2.5, 2.5),
    ("30", 30.0, 30.0),           # the cap itself is still waited for
])
def test_retry_after_is_waited_then_the_post_is_resent(client_kind, fake, fault, retry_after, low, high):
    api, sleeps = fake_api(fake, client_kind)
    fake.inject_faults(fault(retry_after=retry_after))
    state = api.track_event(event())
    assert isinstance(state, talon_one.IntegrationState)
    assert len(fake.requests) == 2 and fake.requests[0].fault in ("status_429", "status_503")
    if low is None:
        assert sleeps == []
    else:
        (waited,) = sleeps
        assert low <= waited <= high


@pytest.mark.parametrize("fault, cls", [(Fault.rate_limited, TooManyRequestsException),
                                        (Fault.unavailable, ServiceException)])
@pytest.mark.parametrize("retry_after", ["soon", "-4", ""])
def test_without_a_valid_retry_after_a_get_is_retried_and_a_post_is_not(client_kind, fake, fault, cls, retry_after,
                                                                          figures):
    """Garbage or no Retry-After: no sign the request was refused unprocessed (a proxy's 503)."""
    api, sleeps = fake_api(fake, client_kind)
    fake.inject_faults(fault(retry_after=retry_after) if retry_after else fault())
    with pytest.raises(cls):
        api.track_event(event())
    assert len(fake.requests) == 1 and sleeps == []
    figures.add("503/429 without Retry-After on POST: sent once, not re-sent")
    fake.inject_faults(fault(retry_after=retry_after) if retry_after else fault())
    api.get_reserved_coupons("p1")
    assert len(fake.requests) == 3
    (waited,) = sleeps
    assert 0.0 <= waited <= 0.25


def test_retry_after_as_an_http_date_is_waited_until_that_moment(client_kind, fake):
    api, sleeps = fake_api(fake, client_kind)
    fake.inject_faults(Fault.rate_limited(retry_after=email.utils.formatdate(time.time() + 5, usegmt=True)))
    api.track_event(event())
    (waited,) = sleeps
    assert 3.0 < waited <= 5.0


def test_retry_after_as_a_past_http_date_retries_at_once(client_kind, fake):
    api, sleeps = fake_api(fake, client_kind)
    fake.inject_faults(Fault.rate_limited(retry_after="Wed, 21 Oct 2015 07:28:00 GMT"))
    api.track_event(event())
    assert sleeps == [] and len(fake.requests) == 2


@pytest.mark.parametrize("fault, cls", [(Fault.rate_limited, TooManyRequestsException),
                                        (Fault.unavailable, ServiceException)])
@pytest.mark.parametrize("retry_after, seconds", [("86400", 86400.0), ("31", 31.0),
                                                  ("Fri, 31 Dec 9999 23:59:59 GMT", None)])
def test_a_retry_after_past_the_cap_is_not_waited_but_surfaced(client_kind, fake, fault, cls, retry_after, seconds):
    api, sleeps = fake_api(fake, client_kind)
    fake.inject_faults(fault(retry_after=retry_after))
    began = time.monotonic()
    with pytest.raises(cls) as raised:
        api.get_reserved_coupons("p1")
    assert time.monotonic() - began < 5  # it did not wait
    assert sleeps == [] and len(fake.requests) == 1
    if seconds is None:
        assert raised.value.retry_after > 86400 * 365
    else:
        assert raised.value.retry_after == seconds
    assert "Retry-After" in str(raised.value)


def test_the_cap_is_the_policys_max_retry_after(client_kind, fake):
    api, sleeps = fake_api(fake, client_kind, max_retry_after=5)
    fake.inject_faults(Fault.rate_limited(retry_after=5), Fault.rate_limited(retry_after=6))
    with pytest.raises(TooManyRequestsException) as raised:
        api.track_event(event())
    assert sleeps == [5.0] and raised.value.retry_after == 6.0 and len(fake.requests) == 2


@pytest.mark.parametrize("skew", [-3600, 3600], ids=["local-clock-ahead", "local-clock-behind"])
def test_a_retry_after_date_is_read_against_the_responses_own_date(skew):
    """The server's clock is `skew` seconds off ours; it asks for 3 s from its own Date."""
    from scripted_server import ScriptedServer, response_bytes

    def answer(connection, request):
        if len(server.requests) == 1:
            server_now = time.time() + skew
            connection.sendall(response_bytes(503, b'{"message": "busy"}', headers=[
                ("Date", email.utils.formatdate(server_now, usegmt=True)),
                ("Retry-After", email.utils.formatdate(server_now + 3, usegmt=True))]))
        else:
            connection.sendall(response_bytes(200, b'{"effects": [], "createdCoupons": [], "createdReferrals": []}'))
        return True

    with ScriptedServer(answer) as server:
        api, client, sleeps = make_api(server.url, max_total_time=60)
        with client:
            api.track_event(event())
    (waited,) = sleeps
    assert 1.5 <= waited <= 3.0, waited
