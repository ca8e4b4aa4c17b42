"""Responses: decoding, the error mapping, garbage bodies and transport failures."""

import gzip
import time

import pytest
import urllib3

import talon_one
from talon_one.exceptions import (ApiConnectionError, ApiDecodeError, ApiException, ApiTimeoutError,
                                  BadRequestException, ConflictException, ForbiddenException,
                                  NotFoundException, ServiceException, TooManyRequestsException,
                                  UnauthorizedException)

from runtime_helpers import API_KEY, BOTH_SCHEMES
from runtime_server import Drop, Hang, Reply, Reset, Truncated, closed_port, unresponsive_port

# Transport-level behaviour: every test runs with both real transports (conftest.each_transport).
pytestmark = pytest.mark.usefixtures("each_transport")


@pytest.fixture(params=["sync", "asyncio"])
def client_kind(request):
    """These scenarios hold for ApiClient and AsyncApiClient alike: each runs with both."""
    return request.param


def call(client, method="GET", response_type="object", **kwargs):
    kwargs.setdefault("auth_settings", BOTH_SCHEMES)
    kwargs.setdefault("_return_http_data_only", True)
    return client.call_api("/v1/coupon_reservations/customerprofiles/{couponValue}", method,
                           path_params={"couponValue": "C1"}, response_type=response_type, **kwargs)


def test_returns_decoded_data_only_when_asked(server, client):
    server.script(Reply(200, {"data": [1, 2]}))
    assert call(client) == {"data": [1, 2]}


def test_returns_data_status_and_headers_by_default(server, client):
    server.script(Reply(200, {"ok": True}, headers={"X-Trace": "t1"}))
    data, status, headers = call(client, _return_http_data_only=None)
    assert data == {"ok": True} and status == 200 and headers["X-Trace"] == "t1"


def test_no_content_gives_none(server, client):
    server.script(Reply(204, b""))
    assert call(client, "DELETE") is None


def test_no_response_type_gives_none(server, client):
    server.script(Reply(200, {"ignored": True}))
    assert call(client, response_type=None) is None


def _gzip_chain(data, links):
    for _ in range(links):
        data = gzip.compress(data)
    return data, {"Content-Type": "application/json", "Content-Encoding": ", ".join(["gzip"] * links)}


def test_a_content_encoding_chain_longer_than_five_links_is_refused(server, make_client):
    """urllib3 2.6.0 and later, which requirements.txt requires, decode at most 5 chained encodings
    (GHSA-gm62-xv2j-4w53: a chain without end exhausts memory and CPU). The minimum-versions CI run
    checks this on the oldest urllib3 allowed."""
    client = make_client(retries=0)
    five, six = _gzip_chain(b'{"a": 1}', 5), _gzip_chain(b'{"a": 1}', 6)
    server.script(Reply(200, five[0], headers=five[1]), Reply(200, six[0], headers=six[1]))
    assert call(client) == {"a": 1}
    with pytest.raises(ApiConnectionError, match="DecodeError") as raised:
        call(client)
    assert isinstance(raised.value.__cause__, urllib3.exceptions.DecodeError)
    assert "content encodings in the chain: 6 > 5" in str(raised.value.__cause__)
    assert len(server.requests) == 2


def test_json_content_type_with_charset_and_vendor_type_is_accepted(server, client):
    server.script(Reply(200, b'{"a":1}', headers={"Content-Type": "application/json; charset=utf-8"}),
                  Reply(200, b'{"a":2}', headers={"Content-Type": "application/problem+json"}))
    assert call(client) == {"a": 1}
    assert call(client) == {"a": 2}


@pytest.mark.parametrize("status, cls", [
    (400, BadRequestException), (401, UnauthorizedException), (403, ForbiddenException),
    (404, NotFoundException), (409, ConflictException), (418, ApiException), (301, ApiException),
    (429, TooManyRequestsException), (500, ServiceException), (501, ServiceException),
])
def test_error_status_is_mapped_to_its_exception(server, make_client, status, cls):
    client = make_client(retries=0)
    body = {"message": "nope", "errors": [{"title": "bad thing", "source": {"pointer": "/x"}}]}
    server.script(Reply(status, body, headers={"Location": "http://elsewhere.invalid/"}))
    with pytest.raises(cls) as raised:
        call(client)
    error = raised.value
    assert type(error) is cls
    assert error.status == status
    assert error.message == "nope" and error.errors[0]["title"] == "bad thing"
    assert "nope" in str(error) and API_KEY not in str(error)
    assert len(server.requests) == 1  # redirects are not followed


def test_a_message_that_is_not_a_string_is_given_as_text(server, make_client):
    client = make_client(retries=0)
    server.script(Reply(400, {"message": {"code": 17, "text": "bad cart"}, "errors": []}))
    with pytest.raises(BadRequestException) as raised:
        call(client)
    assert raised.value.message == "{'code': 17, 'text': 'bad cart'}" and raised.value.error["message"]["code"] == 17
    assert "bad cart" in str(raised.value)
    assert BadRequestException(400, body='{"message": null, "errors": []}').message is None


def test_error_with_html_body_keeps_the_body(server, make_client):
    client = make_client(retries=0)
    server.script(Reply(502, b"<html><body>Bad Gateway</body></html>", headers={"Content-Type": "text/html"}))
    with pytest.raises(ServiceException) as raised:
        call(client)
    assert raised.value.error is None
    assert "Bad Gateway" in raised.value.body and "Bad Gateway" in str(raised.value)


@pytest.mark.parametrize("reply, detail", [
    (Reply(200, b"<html>Login to the Wi-Fi</html>", headers={"Content-Type": "text/html"}), "Content-Type"),
    (Reply(200, b'{"effects": [1, 2', headers={"Content-Type": "application/json"}), "not valid JSON"),
    (Reply(200, b"", headers={"Content-Type": "application/json"}), "empty body"),
    (Reply(200, b'{"a": 1}', headers={"Content-Type": "text/plain"}), "Content-Type"),
    (Reply(200, b"\xff\xfe\xfa", headers={"Content-Type": "application/json"}), "not valid JSON"),
])
def test_success_with_a_body_that_is_not_json_is_a_decode_error(server, client, reply, detail):
    server.script(reply)
    with pytest.raises(ApiDecodeError) as raised:
        call(client)
    error = raised.value
    assert error.status == 200
    assert error.body == reply.body.decode("utf-8", "replace")
    assert detail in str(error)


def test_connection_refused_is_a_connection_error(make_client, sleeps):
    client = make_client(host="http://127.0.0.1:%d" % closed_port())
    with pytest.raises(ApiConnectionError) as raised:
        call(client)
    error = raised.value
    assert not isinstance(error, ApiTimeoutError)
    assert error.status is None and "could not connect" in str(error)
    assert isinstance(error.__cause__, (urllib3.exceptions.HTTPError, ConnectionRefusedError))
    assert len(sleeps) == 2  # refused before sending: retried


def test_server_that_never_answers_ends_in_a_read_timeout(server, make_client):
    server.script(Hang(10))
    client = make_client(read_timeout=0.3, retries=0)
    started = time.monotonic()
    with pytest.raises(ApiTimeoutError, match="read timeout"):
        call(client)
    assert time.monotonic() - started < 5


def test_connect_timeout_is_a_timeout_error(make_client):
    with unresponsive_port() as port:
        if port is None:
            pytest.skip("this kernel accepted the connection; cannot simulate a connect timeout")
        client = make_client(host="http://127.0.0.1:%d" % port, connect_timeout=0.2, retries=0)
        started = time.monotonic()
        with pytest.raises(ApiTimeoutError, match="connect timeout"):
            call(client)
        assert time.monotonic() - started < 5


def test_body_cut_short_is_a_connection_error(server, make_client):
    server.script(Truncated(b'{"effects": [', declared=500))
    client = make_client(retries=0)
    with pytest.raises(ApiConnectionError, match="connection lost"):
        call(client)


def test_connection_dropped_without_answer_is_a_connection_error(server, make_client):
    server.script(Drop())
    client = make_client(retries=0)
    with pytest.raises(ApiConnectionError) as raised:
        call(client, "POST", body={})
    assert not isinstance(raised.value, ApiTimeoutError)


def test_connection_reset_is_a_connection_error(server, make_client):
    server.script(Reset())
    client = make_client(retries=0)
    with pytest.raises(ApiConnectionError):
        call(client, "POST", body={})


def test_tls_failure_is_a_connection_error(server, make_client):
    client = make_client(host=server.url.replace("http://", "https://"), retries=0)
    with pytest.raises(ApiConnectionError, match="TLS|connection"):
        call(client)


def test_raw_urllib3_and_json_errors_never_escape(server, make_client):
    """Every failure above is one of ours; here all at once, with retries on."""
    client = make_client()
    server.script(Truncated(b"{", declared=10), Truncated(b"{", declared=10), Truncated(b"{", declared=10),
                  Reply(200, b"{", headers={"Content-Type": "application/json"}))
    with pytest.raises(talon_one.ApiException):
        call(client)
    with pytest.raises(talon_one.ApiException):
        call(client)
