"""ApiClient behaviour: pooling, threads, fork, async calls, raw responses, timeouts, proxy, TLS."""

import base64
import os
import ssl
import threading
import time
import warnings

import pytest
import trustme
import urllib3

import talon_one
from talon_one.exceptions import ApiTimeoutError, ApiValueError, NotFoundException, ServiceException

from runtime_helpers import BOTH_SCHEMES
from runtime_server import Hang, Reply


def echo(client, **kwargs):
    kwargs.setdefault("_return_http_data_only", True)
    kwargs.setdefault("body", {})
    return client.call_api("/v1/events", "POST", response_type="object", auth_settings=BOTH_SCHEMES,
                           **kwargs)


def test_connections_are_kept_alive_and_reused(server, client):
    for _ in range(5):
        echo(client)
    assert len({request.connection for request in server.requests}) == 1


def test_eight_threads_share_one_client_and_each_gets_its_own_answer(server, client):
    results = {}
    errors = []

    def worker(thread_number):
        try:
            for index in range(25):
                request_id = "t%d-r%d" % (thread_number, index)
                answer = echo(client, body={"id": request_id}, header_params={"X-Request-Id": request_id})
                results[request_id] = answer
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(results) == 200
    for request_id, answer in results.items():
        assert answer["body"] == {"id": request_id}
        assert answer["headers"]["X-Request-Id"] == request_id
    assert len({request.connection for request in server.requests}) <= 8 + 2


def _fork_and_call(client):
    """Fork; the child makes a call with `client` and reports the client port the server saw."""
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads (the test server)
        pid = os.fork()
    if pid == 0:  # the child
        status = 1
        try:
            os.close(read_end)
            answer = echo(client, _request_timeout=5)
            second = client.call_api("/v1/events", "POST", body={}, response_type="object",
                                     auth_settings=BOTH_SCHEMES, async_req=True,
                                     _return_http_data_only=True).get(timeout=5)
            os.write(write_end, ("%d %d" % (answer["clientPort"], second["clientPort"])).encode())
            status = 0
        except BaseException as error:
            os.write(write_end, ("error %r" % (error,)).encode())
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        report = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    return os.WEXITSTATUS(status), report


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_client_made_before_fork_works_in_the_child_on_its_own_connection(server, client):
    parent_answer = echo(client)
    client.call_api("/v1/events", "POST", body={}, auth_settings=BOTH_SCHEMES, async_req=True).get(timeout=5)
    parent_port = parent_answer["clientPort"]

    exit_code, report = _fork_and_call(client)
    assert exit_code == 0, report
    child_ports = {int(port) for port in report.split()}
    assert parent_port not in child_ports

    again = echo(client)  # the parent's pooled connection is intact and still used
    assert again["clientPort"] == parent_port
    assert client.call_api("/v1/events", "POST", body={}, response_type="object", auth_settings=BOTH_SCHEMES,
                           async_req=True, _return_http_data_only=True).get(timeout=5)["method"] == "POST"


def test_async_call_returns_the_data_through_get(server, client):
    result = echo(client, async_req=True, body={"n": 1})
    assert result.get(timeout=5)["body"] == {"n": 1}
    assert result.ready() and result.successful()


def test_async_call_reraises_the_exception(server, make_client):
    client = make_client(retries=0)
    server.script(Reply(404, {"message": "no such session"}))
    result = echo(client, async_req=True)
    with pytest.raises(NotFoundException, match="no such session"):
        result.get(timeout=5)
    assert not result.successful()


class Rendezvous:
    """Answers only once `parties` requests are in flight at the same time (else 500 after 5 s)."""

    def __init__(self, parties):
        self.barrier = threading.Barrier(parties, timeout=5)

    def perform(self, handler, record):
        try:
            self.barrier.wait()
            Reply(200, {"ok": True}).perform(handler, record)
        except threading.BrokenBarrierError:
            Reply(500, {"message": "calls were not concurrent"}).perform(handler, record)


def test_async_calls_run_in_parallel_on_pool_threads(server, make_client):
    client = talon_one.ApiClient(make_client(retries=0).configuration, pool_threads=4)
    try:
        rendezvous = Rendezvous(4)  # one barrier shared by the four requests
        server.script(*[rendezvous] * 4)
        results = [echo(client, async_req=True) for _ in range(4)]
        assert [r.get(timeout=10) for r in results] == [{"ok": True}] * 4
    finally:
        client.close()


def _talon_threads():
    return [t for t in threading.enumerate() if t.name.startswith("talon_one")]


def test_close_shuts_the_thread_pool_down_and_leaves_no_thread(server, make_client):
    before = len(_talon_threads())
    client = talon_one.ApiClient(make_client().configuration, pool_threads=3)
    for result in [echo(client, async_req=True) for _ in range(6)]:
        result.get(timeout=5)
    assert len(_talon_threads()) > before
    client.close()
    assert len(_talon_threads()) == before
    assert echo(client)["method"] == "POST"  # still usable after close


def test_context_manager_closes(server, make_client):
    before = len(_talon_threads())
    configuration = make_client().configuration
    with talon_one.ApiClient(configuration) as client:
        echo(client, async_req=True).get(timeout=5)
    assert client._executor is None
    assert len(_talon_threads()) == before


def test_preload_content_false_returns_the_unread_response(server, client):
    server.script(Reply(200, {"big": "payload"}))
    response = echo(client, _preload_content=False)
    try:
        assert isinstance(response, urllib3.BaseHTTPResponse if hasattr(urllib3, "BaseHTTPResponse")
                          else urllib3.HTTPResponse)
        assert response.status == 200
        assert response.read() == b'{"big": "payload"}'
    finally:
        response.release_conn()


def test_preload_content_false_still_raises_for_errors(server, make_client):
    client = make_client(retries=0)
    server.script(Reply(500, {"message": "boom"}))
    with pytest.raises(ServiceException, match="boom"):
        echo(client, _preload_content=False)
    assert echo(client)["method"] == "POST"


@pytest.mark.parametrize("timeout", [0.3, (2, 0.3), urllib3.Timeout(connect=2, read=0.3)])
def test_request_timeout_forms(server, make_client, timeout):
    client = make_client(read_timeout=30, retries=0)
    server.script(Hang(10))
    started = time.monotonic()
    with pytest.raises(ApiTimeoutError):
        echo(client, _request_timeout=timeout)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("timeout", [0, -1, "3", (1, 2, 3), True])
def test_invalid_request_timeout_is_refused(client, timeout):
    with pytest.raises(ApiValueError):
        echo(client, _request_timeout=timeout)


def test_configuration_changes_to_timeouts_apply_to_the_next_call(server, client):
    echo(client)
    client.configuration.read_timeout = 0.3
    client.configuration.retries = 0
    server.script(Hang(10))
    with pytest.raises(ApiTimeoutError):
        echo(client)


def test_default_configuration_is_used_when_none_is_given(server):
    original = talon_one.Configuration.get_default()
    talon_one.Configuration.set_default(talon_one.Configuration(host=server.url, api_key_v1="k"))
    try:
        with talon_one.ApiClient() as client:
            assert echo(client)["headers"]["Authorization"] == "ApiKey-v1 k"
    finally:
        talon_one.Configuration.set_default(original)


def test_official_compat_helpers(server, client):
    assert client.select_header_accept(["application/json"]) == "application/json"
    assert client.select_header_content_type([]) == "application/json"
    import decimal
    assert client.sanitize_for_serialization({"a": decimal.Decimal("1.5"), "b": None}) == {"a": 1.5, "b": None}
    server.script(Reply(200, {"x": [1]}))
    response = client.request("GET", server.url + "/anything", query_params={"q": True})
    assert client.deserialize(response, "object") == {"x": [1]}
    assert server.requests[0].target == "/anything?q=true"


# -- proxy ---------------------------------------------------------------------------------

def test_requests_go_through_the_proxy_with_its_credentials(server, make_client, caplog):
    # The test server answers proxied requests itself: it sees the absolute URL and the proxy headers.
    client = make_client(host="http://api.example.invalid", proxy=server.url.replace("http://", "http://pu%40ser:pa%3Ass@"),
                         proxy_headers={"X-Proxy-Note": "1"}, debug=True)
    with caplog.at_level("DEBUG", logger="talon_one"):
        echo(client)
    request = server.requests[0]
    assert request.target == "http://api.example.invalid/v1/events"
    assert request.headers["Proxy-Authorization"] == "Basic " + base64.b64encode(b"pu@ser:pa:ss").decode()
    assert request.headers["X-Proxy-Note"] == "1"
    assert "pa:ss" not in caplog.text and "pa%3Ass" not in caplog.text
    assert "pa%3Ass" not in repr(client.configuration)


@pytest.mark.parametrize("settings", [
    {"proxy": "socks9://user:secretpw@proxy"},
    {"proxy": "http://user:secretpw@proxy\r\nX-Injected: 1"},
    {"proxy": "http://proxy:3128", "proxy_headers": {"X-Note": "secretpw\r\nX-Injected: 1"}},
])
def test_invalid_proxy_settings_are_refused_without_echoing_credentials(make_client, settings):
    with pytest.raises(ApiValueError) as raised:
        make_client(**settings)
    assert "secretpw" not in str(raised.value)


# -- TLS ---------------------------------------------------------------------------------------


@pytest.fixture
def tls_server(server):
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    certificate.configure_cert(context)
    authority.configure_trust(context)
    context.verify_mode = ssl.CERT_OPTIONAL  # ask for a client certificate
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.tls_authority = authority
    return server


def test_tls_verifies_against_a_custom_ca_bundle(tls_server, make_client, tmp_path):
    bundle = tmp_path / "ca.pem"
    tls_server.tls_authority.cert_pem.write_to_path(str(bundle))
    client = make_client(host=tls_server.url.replace("http://", "https://"), ssl_ca_cert=str(bundle))
    assert echo(client)["method"] == "POST"


def test_tls_refuses_an_unknown_certificate_by_default(tls_server, make_client):
    client = make_client(host=tls_server.url.replace("http://", "https://"), retries=0)
    with pytest.raises(talon_one.ApiConnectionError, match="TLS"):
        echo(client)
    assert tls_server.requests == []


def test_tls_verification_can_be_turned_off(tls_server, make_client):
    client = make_client(host=tls_server.url.replace("http://", "https://"), verify_ssl=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
        assert echo(client)["method"] == "POST"


def test_client_certificate_is_presented(tls_server, make_client, tmp_path):
    bundle = tmp_path / "ca.pem"
    tls_server.tls_authority.cert_pem.write_to_path(str(bundle))
    client_cert = tls_server.tls_authority.issue_cert("client@example.com")
    cert_file, key_file = tmp_path / "client.pem", tmp_path / "client.key"
    client_cert.cert_chain_pems[0].write_to_path(str(cert_file))
    client_cert.private_key_pem.write_to_path(str(key_file))
    client = make_client(host=tls_server.url.replace("http://", "https://"), ssl_ca_cert=str(bundle),
                         cert_file=str(cert_file), key_file=str(key_file))
    assert echo(client)["method"] == "POST"
    assert "client@example.com" in str(tls_server.requests[0].peer_certificate)


def test_client_side_validation_on_the_client_is_the_configurations_switch(server, make_client):
    client = make_client()
    api = talon_one.IntegrationApi(client)
    bad = talon_one.NewEvent(profile_id="p-1", type="click", attributes={}, session_id="s-1")
    object.__setattr__(bad, "type", "")  # too short for the spec's minLength, set without the checks
    with pytest.raises(ApiValueError, match="NewEvent.type"):
        api.track_event(bad)
    assert server.requests == []

    client.client_side_validation = False
    assert client.configuration.client_side_validation is False
    api.track_event(bad)
    assert server.requests[0].json()["type"] == ""
