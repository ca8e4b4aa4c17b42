"""What reaches the server: path segments, query strings, bodies, headers."""

import datetime
import decimal
import types
import urllib.parse

import pytest
import urllib3

import talon_one
from talon_one.exceptions import ApiTypeError, ApiValueError

from runtime_helpers import API_KEY_ONLY, BOTH_SCHEMES, SESSION_PATH


@pytest.fixture(params=["sync", "asyncio"])
def client_kind(request):
    """These scenarios hold for ApiClient and AsyncApiClient alike: each runs with both."""
    return request.param


@pytest.mark.parametrize("value", [
    "a/b?c", "hash#tag", "100%", "with space", "caf\u00e9-\u4e2d\u6587", "..", ".", "a/../b",
    "line\r\nbreak", "nul\x00byte", "plus+amp&eq=", "semi;colon", "%2F",
])
def test_path_parameter_reaches_the_server_as_exactly_one_segment(server, client, value):
    client.call_api(SESSION_PATH, "PUT", path_params={"customerSessionId": value}, body={},
                    auth_settings=API_KEY_ONLY)
    request = server.requests[0]
    prefix = "/v2/customer_sessions/"
    assert request.path.startswith(prefix)
    segment = request.path[len(prefix):]
    assert "/" not in segment and "?" not in request.target
    assert urllib.parse.unquote(segment, errors="strict") == value


def test_integer_path_parameter(server, client):
    client.call_api("/v1/coupon_reservations/{couponValue}", "DELETE", path_params={"couponValue": 12},
                    auth_settings=BOTH_SCHEMES)
    assert server.requests[0].path == "/v1/coupon_reservations/12"


@pytest.mark.parametrize("value", ["", None])
def test_empty_path_parameter_is_refused_before_sending(server, client, value):
    with pytest.raises(ApiValueError, match="customerSessionId"):
        client.call_api(SESSION_PATH, "PUT", path_params={"customerSessionId": value}, body={},
                        auth_settings=API_KEY_ONLY)
    assert server.requests == []


def test_missing_path_parameter_is_refused(server, client):
    with pytest.raises(ApiValueError, match="customerSessionId"):
        client.call_api(SESSION_PATH, "PUT", path_params={}, body={}, auth_settings=API_KEY_ONLY)


def test_query_booleans_are_lowercase_and_none_is_left_out(server, client):
    client.call_api("/v2/customer_profiles/{integrationId}", "PUT", path_params={"integrationId": "p"},
                    query_params={"runRuleEngine": True, "dry": False, "silent": None}, body={},
                    auth_settings=API_KEY_ONLY)
    assert urllib.parse.parse_qsl(server.requests[0].query) == [("runRuleEngine", "true"), ("dry", "false")]


def test_query_from_list_of_pairs_is_encoded(server, client):
    client.call_api("/v1/customer_profiles/{integrationId}/inventory", "GET",
                    path_params={"integrationId": "p"},
                    query_params=[("profile", True), ("tag", "a&b=c d"), ("tag", "\u00e9")],
                    auth_settings=BOTH_SCHEMES)
    query = server.requests[0].query
    assert "True" not in query
    assert urllib.parse.parse_qsl(query) == [("profile", "true"), ("tag", "a&b=c d"), ("tag", "\u00e9")]


def test_query_from_any_mapping_is_encoded_by_name(server, client):
    # A read-only mapping (not a dict) is a mapping too, not a list of pairs: {"ab": "1"} once went out as a=b.
    client.call_api("/v1/x", "GET", query_params=types.MappingProxyType({"ab": "1", "cd": ["x", "y"]}),
                    auth_settings=BOTH_SCHEMES)
    assert urllib.parse.parse_qsl(server.requests[0].query) == [("ab", "1"), ("cd", "x"), ("cd", "y")]
    assert talon_one.ApiClient().parameters_to_tuples(types.MappingProxyType({"ab": True}), None) == [("ab", "true")]


def test_query_lists_and_collection_formats(server, client):
    client.call_api("/v1/x", "GET", query_params={"multi": ["a", "b"], "csv": ["c", "d"]},
                    collection_formats={"csv": "csv"}, auth_settings=BOTH_SCHEMES)
    assert urllib.parse.parse_qsl(server.requests[0].query) == [("multi", "a"), ("multi", "b"), ("csv", "c,d")]


def test_json_body_is_compact_utf8_with_exact_decimals_and_aware_datetimes(server, client):
    body = {"price": decimal.Decimal("19.990"), "name": "Kaffee \u2615",
            "at": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc), "skip": None}
    client.call_api("/v1/events", "POST", body=body, auth_settings=BOTH_SCHEMES)
    request = server.requests[0]
    assert request.body == ('{"price":19.990,"name":"Kaffee \u2615","at":"2024-01-02T03:04:05+00:00",'
                            '"skip":null}').encode()
    assert request.headers["Content-Type"] == "application/json"
    assert int(request.headers["Content-Length"]) == len(request.body)


def test_naive_datetime_in_body_is_refused_before_sending(server, client):
    with pytest.raises(ApiValueError, match="naive"):
        client.call_api("/v1/events", "POST", body={"at": datetime.datetime(2024, 1, 1)},
                        auth_settings=BOTH_SCHEMES)
    assert server.requests == []


def test_unserializable_body_is_a_type_error(server, client):
    with pytest.raises(ApiTypeError):
        client.call_api("/v1/events", "POST", body={"x": object()}, auth_settings=BOTH_SCHEMES)


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_request_without_body_has_no_body_headers(server, client, method):
    client.call_api("/v1/customer_data/{integrationId}", method, path_params={"integrationId": "p"},
                    header_params={"Content-Type": "application/json"}, auth_settings=BOTH_SCHEMES)
    request = server.requests[0]
    assert request.headers.get("Content-Type") is None
    assert request.headers.get("Content-Length") in (None, "0")
    assert request.headers.get("Transfer-Encoding") is None
    assert request.headers["Accept"] == "application/json"


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_put_and_post_without_body_send_an_empty_one(server, client, method):
    client.call_api("/v1/referrals", method, auth_settings=BOTH_SCHEMES)
    request = server.requests[0]
    assert request.body == b""
    assert request.headers["Content-Length"] == "0"


def test_bytes_body_is_sent_as_is(server, client):
    client.call_api("/v1/events", "POST", body=b'{"pre":"encoded"}', auth_settings=BOTH_SCHEMES)
    assert server.requests[0].body == b'{"pre":"encoded"}'


def test_form_and_file_parameters_are_refused(client):
    with pytest.raises(ApiValueError, match="JSON"):
        client.call_api("/v1/events", "POST", post_params=[("a", "b")], auth_settings=BOTH_SCHEMES)


def test_user_agent_default_headers_and_cookie(server, make_client):
    client = make_client(default_headers={"X-From-Config": "1"})
    client.set_default_header("X-Tenant", "shop-1")
    client.cookie = "session=abc"
    client.call_api("/v1/events", "POST", body={}, header_params={"X-Request-Id": 7},
                    auth_settings=BOTH_SCHEMES)
    headers = server.requests[0].headers
    assert headers["User-Agent"] == "talon_one-python/%s" % talon_one.__version__
    assert client.user_agent == headers["User-Agent"]
    assert headers["X-From-Config"] == "1" and headers["X-Tenant"] == "shop-1"
    assert headers["X-Request-Id"] == "7"
    assert headers["Cookie"] == "session=abc"


def test_header_constructor_arguments(server, make_client):
    client = make_client()
    client = talon_one.ApiClient(client.configuration, header_name="X-Custom", header_value="v")
    try:
        client.call_api("/v1/events", "POST", body={}, auth_settings=BOTH_SCHEMES)
    finally:
        client.close()
    assert server.requests[0].headers["X-Custom"] == "v"


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\rb", "a\x00b"])
def test_line_breaks_in_header_values_are_refused(server, client, value):
    with pytest.raises(ApiValueError):
        client.call_api("/v1/events", "POST", body={}, header_params={"X-Note": value},
                        auth_settings=BOTH_SCHEMES)
    with pytest.raises(ApiValueError):
        client.set_default_header("X-Note", value)
    with pytest.raises(ApiValueError):
        client.cookie = value
    assert server.requests == []


@pytest.mark.parametrize("name", ["X Bad", "X:Bad", "X\r\nBad", ""])
def test_invalid_header_names_are_refused(client, name):
    with pytest.raises(ApiValueError):
        client.set_default_header(name, "v")


def test_per_call_host_override(server, make_client):
    client = make_client(host="http://127.0.0.1:9")  # nothing there; the override is used
    client.call_api("/v1/events", "POST", body={}, auth_settings=BOTH_SCHEMES, _host=server.url + "/")
    assert server.requests[0].path == "/v1/events"


def test_host_with_base_path_is_prefixed(server, make_client):
    client = make_client(host=server.url + "/gateway/talon/")
    client.call_api("/v1/events", "POST", body={}, auth_settings=BOTH_SCHEMES)
    assert server.requests[0].path == "/gateway/talon/v1/events"


def test_missing_host_is_a_clear_error():
    client = talon_one.ApiClient(talon_one.Configuration(api_key_v1="k"))
    with pytest.raises(ApiValueError, match="host"):
        client.call_api("/v1/events", "POST", body={}, auth_settings=BOTH_SCHEMES)


def test_safe_chars_for_path_param_is_kept_but_path_values_stay_one_segment(server, make_client):
    client = make_client(safe_chars_for_path_param="/")
    assert client.configuration.safe_chars_for_path_param == "/"
    client.call_api(SESSION_PATH, "PUT", path_params={"customerSessionId": "a/b"}, body={},
                    auth_settings=API_KEY_ONLY)
    assert server.requests[0].path == "/v2/customer_sessions/a%2Fb"


@pytest.mark.parametrize("client_kind", ["sync"])  # the urllib3 pool manager's routing
@pytest.mark.parametrize("target", [
    "/v1/events", "/v2/customer_sessions/s-1?dry=true&run_rule_engine=false", "/v1/a%2fb", "/v1/100%25",
    "/v1/./x/../y", "/v1/.well-known", "/v1/sp ace", "/v1/caf\u00e9", "/v1/x?q=a b", "/v1/x?q=%zz",
    "/v1/x;y=1,2:@!$'()*+~", "/v1/x#fragment",
])
def test_request_target_is_the_one_urllib3_would_send(server, client, target):
    """Plain targets go straight to the host's connection pool; the rest through PoolManager.
    Either way the server sees what a plain urllib3 PoolManager sends for the same URL."""
    url = server.url + target
    client.request("GET", url)
    with urllib3.PoolManager() as plain:
        plain.request("GET", url, retries=False)
    ours, theirs = server.requests
    assert ours.target == theirs.target


@pytest.mark.parametrize("client_kind", ["sync"])  # the urllib3 pool manager's routing
def test_plain_targets_skip_the_pool_manager_and_others_do_not(server, client):
    route = client.rest_client._route
    assert route(server.url + "/v2/customer_sessions/s-1?dry=true") == (
        ("http", "127.0.0.1", server.server_port), "/v2/customer_sessions/s-1?dry=true")
    for target in ("/v1/a%2Fb", "/v1/./x", "/v1/sp ace", "/v1/caf\u00e9", "/v1/x#f"):
        assert route(server.url + target) is None
    assert route("http://user:secret@127.0.0.1:%d/v1/events" % server.server_port) is None


class _RecordingSocket:
    """A connected socket that records what each sendall() writes."""

    def __init__(self, sock):
        self._sock = sock
        self.writes = []

    def sendall(self, data, *flags):
        self.writes.append(bytes(data))
        return self._sock.sendall(data, *flags)

    def __getattr__(self, name):
        return getattr(self._sock, name)


def _record_writes(client, server):
    """Put a recorder on the connection the client's next call to `server` will use."""
    manager = client.rest_client.pool_manager
    pool = manager.connection_from_host("127.0.0.1", port=server.server_port, scheme="http")
    connection = pool.pool.queue[-1]  # LIFO: the connection the previous call put back
    recorder = connection.sock = _RecordingSocket(connection.sock)
    return recorder


@pytest.mark.parametrize("client_kind", ["sync"])  # urllib3's connections
@pytest.mark.parametrize("size, writes", [(300, 1), (60000, 1), (70000, 2)])
def test_a_small_body_goes_out_in_the_same_write_as_the_head(server, client, size, writes):
    """http.client writes a request's head and body separately; a body of up to 64 KB goes with the
    head in one system call instead. A larger one follows the head in its own write."""
    body = {"attributes": {"note": "x" * size}}
    client.call_api(SESSION_PATH, "PUT", path_params={"customerSessionId": "s1"}, body=body,
                    auth_settings=API_KEY_ONLY)
    recorder = _record_writes(client, server)
    client.call_api(SESSION_PATH, "PUT", path_params={"customerSessionId": "s2"}, body=body,
                    auth_settings=API_KEY_ONLY)
    assert len(recorder.writes) == writes
    sent = b"".join(recorder.writes)
    assert sent.startswith(b"PUT /v2/customer_sessions/s2 HTTP/1.1\r\n")
    head, _, sent_body = sent.partition(b"\r\n\r\n")
    assert b"\r\nContent-Length: %d" % len(sent_body) in head
    assert server.requests[1].json() == body
    if writes == 2:
        assert recorder.writes[0] == head + b"\r\n\r\n"


@pytest.mark.parametrize("client_kind", ["sync"])
def test_a_request_without_body_is_one_write(server, client):
    client.call_api("/v1/events", "GET", auth_settings=API_KEY_ONLY)
    recorder = _record_writes(client, server)
    client.call_api("/v1/events", "GET", auth_settings=API_KEY_ONLY)
    assert len(recorder.writes) == 1 and recorder.writes[0].startswith(b"GET /v1/events HTTP/1.1\r\n")
    assert recorder.writes[0].endswith(b"\r\n\r\n") and server.requests[1].method == "GET"
