"""Proxies: requests go through a local forward proxy (absolute-form for http://, CONNECT for
https://), its credentials arrive as Proxy-Authorization at the proxy only, and the password never
shows in logs, reprs or exceptions."""

import base64
import logging
import urllib.parse

import pytest

import talon_one
from talon_one import ApiConnectionError, ApiException, ApiValueError

from security_servers import ForwardProxy, closed_port
from security_support import SECRETS, exception_texts, new_event

# Transport-level behaviour: every test runs with both real transports (conftest.each_transport).
pytestmark = pytest.mark.usefixtures("each_transport")


@pytest.fixture(params=["sync", "asyncio"])
def client_kind(request):
    """Every scenario holds for ApiClient and AsyncApiClient alike: each runs with both."""
    return request.param


def track(api):
    return api.track_event(new_event())


def test_http_requests_go_through_the_proxy_with_its_credentials(make_api, proxy, http_origin, fake, capture, scan,
                                                                 proxy_case):
    api = make_api(host=http_origin.url, api_key_v1=SECRETS.api_key, proxy=proxy.url(SECRETS.proxy_userinfo),
                   proxy_headers={"X-Proxy-Team": "checkout"}, debug=True)
    state = track(api)
    assert isinstance(state, talon_one.IntegrationState)
    [at_proxy] = proxy.requests
    assert at_proxy.method == "POST"
    assert at_proxy.target == http_origin.url + "/v1/events"          # absolute-form: a proxied request
    assert at_proxy.headers["Proxy-Authorization"] == SECRETS.proxy_authorization
    assert at_proxy.headers["X-Proxy-Team"] == "checkout"
    [at_target] = http_origin.requests
    assert at_target.target == "/v1/events"
    assert at_target.headers["Authorization"] == "ApiKey-v1 " + SECRETS.api_key
    assert [r.path for r in fake.requests] == ["/v1/events"]           # and the API got it
    debug_log = capture.text("talon_one")
    assert "-> POST %s/v1/events" % http_origin.url in debug_log and "<redacted>" in debug_log
    scan.capture(capture)
    scan.client(api)
    scan.assert_clean()


def test_https_requests_tunnel_through_the_proxy(make_api, proxy, https_origin, ca_file, fake, capture, scan,
                                                 proxy_case):
    api = make_api(host=https_origin.url, api_key_v1=SECRETS.api_key, ssl_ca_cert=ca_file,
                   proxy=proxy.url(SECRETS.proxy_userinfo), proxy_headers={"X-Proxy-Team": "checkout"}, debug=True)
    assert isinstance(track(api), talon_one.IntegrationState)
    assert isinstance(track(api), talon_one.IntegrationState)   # the tunnel is kept alive and reused
    [connect] = proxy.requests
    assert connect.method == "CONNECT" and connect.target == "127.0.0.1:%d" % https_origin.port
    assert connect.headers["Proxy-Authorization"] == SECRETS.proxy_authorization
    assert connect.headers["X-Proxy-Team"] == "checkout"
    # Through the tunnel the proxy only relays TLS records: no request line, no API key in clear.
    relayed = bytes(connect.tunnelled)
    assert relayed and b"/v1/events" not in relayed and b"ApiKey-v1" not in relayed
    assert SECRETS.api_key.encode() not in relayed
    requests = https_origin.requests
    assert [r.target for r in requests] == ["/v1/events", "/v1/events"]
    for request in requests:
        assert request.headers["Authorization"] == "ApiKey-v1 " + SECRETS.api_key
        # The proxy's credentials and headers are for the proxy: the target never sees them.
        assert request.headers.get("Proxy-Authorization") is None
        assert request.headers.get("X-Proxy-Team") is None
    assert len(fake.requests) == 2
    scan.capture(capture)
    scan.client(api)
    scan.assert_clean()


def test_the_target_certificate_is_verified_through_the_tunnel(make_api, proxy, https_origin, capture, scan,
                                                               proxy_case):
    api = make_api(host=https_origin.url, api_key_v1=SECRETS.api_key, proxy=proxy.url(SECRETS.proxy_userinfo),
                   retries=0, debug=True)
    with pytest.raises(ApiConnectionError) as raised:
        track(api)
    assert type(raised.value) is ApiConnectionError
    assert "certificate could not be verified" in str(raised.value)
    assert [r.method for r in proxy.requests] == ["CONNECT"]
    assert https_origin.requests == []
    scan.capture(capture)
    scan.exceptions([raised.value])
    scan.client(api)
    scan.assert_clean()


# Passwords people paste as they are: with '@', ':', '/', '#', '?' and spaces.
AWKWARD_PASSWORDS = ["p@ss:w/rd#x?y z", "a/b", "c#d", "e?f", "g@h", "i:j"]


@pytest.mark.parametrize("encoded", [False, True], ids=["as typed", "percent-encoded"])
@pytest.mark.parametrize("shape", AWKWARD_PASSWORDS)
def test_awkward_proxy_passwords_arrive_intact_and_never_show(shape, encoded, make_api, http_origin, capture,
                                                              figures, proxy_case):
    password = "%s-%s" % (shape, SECRETS.proxy_password)
    proxy = ForwardProxy("proxy user", password)
    try:
        userinfo = "proxy%20user:" + (urllib.parse.quote(password, safe="") if encoded else password)
        configuration = talon_one.Configuration(host=http_origin.url, api_key_v1=SECRETS.api_key,
                                                proxy=proxy.url(userinfo), debug=True)
        api = make_api(host=http_origin.url, api_key_v1=SECRETS.api_key, proxy=proxy.url(userinfo), debug=True)
        assert isinstance(track(api), talon_one.IntegrationState)
        [seen] = proxy.requests
        scheme, token = seen.headers["Proxy-Authorization"].split(" ", 1)
        assert scheme == "Basic" and base64.b64decode(token).decode() == "proxy user:" + password
    finally:
        proxy.close()
    texts = [repr(configuration), str(configuration), repr(api.api_client), capture.text()]
    texts += capture.log_texts()
    for text in texts:
        for form in (password, urllib.parse.quote(password, safe=""), token, SECRETS.proxy_password):
            assert form not in text
    figures.add("secret scan: repr/str texts checked", 3)


def test_a_proxy_that_requires_credentials_refuses_requests_without_them(make_api, proxy, http_origin,
                                                                         https_origin, ca_file, capture, scan,
                                                                         proxy_case):
    wrong = "wrong-" + SECRETS.wrong_application_key
    plain = make_api(host=http_origin.url, api_key_v1=SECRETS.api_key, proxy=proxy.url(), retries=0, debug=True)
    with pytest.raises(ApiException) as over_http:
        track(plain)
    assert over_http.value.status == 407 and over_http.value.reason == "Proxy Authentication Required"
    tunnel = make_api(host=https_origin.url, ssl_ca_cert=ca_file, api_key_v1=SECRETS.api_key,
                      proxy=proxy.url("proxyuser:" + wrong), retries=0, debug=True)
    with pytest.raises(ApiConnectionError) as over_tunnel:
        track(tunnel)
    assert "proxy error" in str(over_tunnel.value) and "407" in str(over_tunnel.value)
    assert http_origin.requests == [] and https_origin.requests == []
    assert [r.method for r in proxy.requests] == ["POST", "CONNECT"]
    for error in (over_http.value, over_tunnel.value):
        assert not any(wrong in text for text in exception_texts(error))
    assert wrong not in capture.text()
    scan.capture(capture)
    scan.exceptions([over_http.value, over_tunnel.value])
    scan.client(plain)
    scan.client(tunnel)
    scan.assert_clean()


@pytest.mark.parametrize("target", ["http", "https"])
def test_an_unreachable_proxy_fails_clearly_without_its_password(target, make_api, http_origin, https_origin,
                                                                 ca_file, capture, scan, proxy_case):
    origin = http_origin if target == "http" else https_origin
    api = make_api(host=origin.url, ssl_ca_cert=ca_file, api_key_v1=SECRETS.api_key, debug=True,
                   proxy="http://%s@127.0.0.1:%d" % (SECRETS.proxy_userinfo, closed_port()))
    with pytest.raises(ApiConnectionError) as raised:
        track(api)
    assert type(raised.value) is ApiConnectionError
    assert "proxy" in str(raised.value) and "refused" in str(raised.value).lower()
    assert origin.requests == []
    assert any("Retrying" in m for m in capture.messages("talon_one", logging.INFO))  # never connected: retried
    scan.capture(capture)
    scan.exceptions([raised.value])
    scan.client(api)
    scan.assert_clean()


@pytest.mark.parametrize("proxy_url", [
    "http://proxyuser:{pw}@127.0.0.1:notaport",
    "http://proxyuser:{pw}@127.0.0.1:99999",
    "http://proxyuser:{pw}@[::1",
    "http://proxyuser:{pw}@",
    "socks5://proxyuser:{pw}@127.0.0.1:1080",
    "proxyuser:{pw}@127.0.0.1:3128",
    "http://proxyuser:{pw}/x@127.0.0.1:bad",
])
def test_malformed_proxy_urls_are_refused_without_echoing_the_password(proxy_url, capture, scan, proxy_case):
    configuration = talon_one.Configuration(host="http://127.0.0.1:%d" % closed_port(), api_key_v1=SECRETS.api_key,
                                            proxy=proxy_url.format(pw=SECRETS.proxy_password), debug=True)
    with pytest.raises(ApiValueError) as raised:
        talon_one.ApiClient(configuration)
    assert "proxy must be an http(s) URL" in str(raised.value)
    scan.capture(capture)
    scan.exceptions([raised.value])
    scan.objects(configuration)
    scan.assert_clean()
