"""The environment, read as curl, requests and httpx read it: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY
(either case) per request URL, NO_PROXY (and Configuration.no_proxy) to go direct, the CA bundle
from REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE / SSL_CERT_FILE, and trust_env=False to read none of it.
Against a real forward proxy and real origins on 127.0.0.1, with both transports and with the
asyncio client (which reads the environment by the same rules, not aiohttp's own)."""

import pytest

import talon_one
from talon_one import ApiConnectionError, ApiValueError

from security_support import SECRETS, exception_texts, new_event

pytestmark = pytest.mark.usefixtures("each_transport")


@pytest.fixture(params=["sync", "asyncio"])
def client_kind(request):
    """Every scenario holds for ApiClient and AsyncApiClient alike: each runs with both."""
    return request.param


def track(api):
    return api.track_event(new_event())


def test_http_proxy_from_the_environment_carries_the_request_and_its_credentials(
        monkeypatch, make_api, proxy, http_origin, fake, capture, scan, proxy_case):
    monkeypatch.setenv("HTTP_PROXY", proxy.url(SECRETS.proxy_userinfo))
    api = make_api(host=http_origin.url, api_key_v1=SECRETS.api_key, debug=True)
    assert isinstance(track(api), talon_one.IntegrationState)
    [at_proxy] = proxy.requests
    assert at_proxy.target == http_origin.url + "/v1/events"
    assert at_proxy.headers["Proxy-Authorization"] == SECRETS.proxy_authorization
    [at_target] = http_origin.requests
    assert at_target.headers.get("Proxy-Authorization") is None
    scan.capture(capture)
    scan.client(api)
    scan.assert_clean()


def test_https_proxy_from_the_environment_tunnels(monkeypatch, make_api, proxy, https_origin, ca_file, proxy_case):
    monkeypatch.setenv("https_proxy", proxy.url(SECRETS.proxy_userinfo))
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # for http:// URLs only: not used here
    api = make_api(host=https_origin.url, api_key_v1=SECRETS.api_key, ssl_ca_cert=ca_file)
    assert isinstance(track(api), talon_one.IntegrationState)
    [connect] = proxy.requests
    assert connect.method == "CONNECT" and connect.target == "127.0.0.1:%d" % https_origin.port
    assert connect.headers["Proxy-Authorization"] == SECRETS.proxy_authorization
    assert len(https_origin.requests) == 1


def test_all_proxy_covers_a_scheme_with_no_proxy_of_its_own(monkeypatch, make_api, proxy, http_origin, proxy_case):
    monkeypatch.setenv("ALL_PROXY", proxy.url(SECRETS.proxy_userinfo))
    api = make_api(host=http_origin.url, api_key_v1=SECRETS.api_key)
    assert isinstance(track(api), talon_one.IntegrationState)
    assert len(proxy.requests) == 1


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "127.0.0.0/8", "10.0.0.0/8, 127.0.0.1/32", "*", "{port}"])
def test_no_proxy_sends_matching_hosts_direct(no_proxy, monkeypatch, make_api, proxy, http_origin, proxy_case):
    monkeypatch.setenv("HTTP_PROXY", proxy.url(SECRETS.proxy_userinfo))
    monkeypatch.setenv("NO_PROXY", no_proxy.replace("{port}", "127.0.0.1:%d" % http_origin.port))
    api = make_api(host=http_origin.url, api_key_v1=SECRETS.api_key)
    assert isinstance(track(api), talon_one.IntegrationState)
    assert proxy.requests == []
    assert len(http_origin.requests) == 1


def test_no_proxy_entries_that_do_not_match_leave_the_proxy_in_use(monkeypatch, make_api, proxy, http_origin,
                                                                   proxy_case):
    monkeypatch.setenv("HTTP_PROXY", proxy.url(SECRETS.proxy_userinfo))
    monkeypatch.setenv("no_proxy", "example.com,10.0.0.0/8,127.0.0.1:1")
    api = make_api(host=http_origin.url, api_key_v1=SECRETS.api_key)
    assert isinstance(track(api), talon_one.IntegrationState)
    assert len(proxy.requests) == 1


def test_configuration_no_proxy_adds_to_the_environment(monkeypatch, make_api, proxy, http_origin, proxy_case):
    monkeypatch.setenv("HTTP_PROXY", proxy.url(SECRETS.proxy_userinfo))
    api = make_api(host=http_origin.url, api_key_v1=SECRETS.api_key, no_proxy=["localhost", "127.0.0.0/24"])
    assert isinstance(track(api), talon_one.IntegrationState)
    assert proxy.requests == []


def test_trust_env_false_reads_no_proxy_from_the_environment(monkeypatch, make_api, proxy, http_origin, proxy_case):
    monkeypatch.setenv("HTTP_PROXY", proxy.url(SECRETS.proxy_userinfo))
    monkeypatch.setenv("ALL_PROXY", proxy.url(SECRETS.proxy_userinfo))
    api = make_api(host=http_origin.url, api_key_v1=SECRETS.api_key, trust_env=False)
    assert isinstance(track(api), talon_one.IntegrationState)
    assert proxy.requests == []
    assert len(http_origin.requests) == 1


def test_configuration_proxy_wins_over_the_environment(monkeypatch, make_api, proxy, http_origin, proxy_case):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # and NO_PROXY is for environment proxies only
    api = make_api(host=http_origin.url, api_key_v1=SECRETS.api_key, proxy=proxy.url(SECRETS.proxy_userinfo))
    assert isinstance(track(api), talon_one.IntegrationState)
    assert len(proxy.requests) == 1


def test_an_unreachable_environment_proxy_fails_like_a_configured_one(monkeypatch, make_api, http_origin,
                                                                      capture, scan, proxy_case):
    monkeypatch.setenv("HTTP_PROXY", "http://%s@127.0.0.1:9" % SECRETS.proxy_userinfo)
    api = make_api(host=http_origin.url, api_key_v1=SECRETS.api_key, retries=0, debug=True)
    with pytest.raises(ApiConnectionError) as raised:
        track(api)
    assert raised.value.may_have_been_delivered is False
    assert "proxy" in str(raised.value) and "refused" in str(raised.value).lower()
    assert SECRETS.proxy_password not in str(raised.value)
    assert http_origin.requests == []
    scan.capture(capture)
    scan.exceptions([raised.value])
    scan.client(api)
    scan.assert_clean()


def test_an_environment_proxy_refusing_its_credentials_never_shows_them(monkeypatch, make_api, proxy, https_origin,
                                                                        ca_file, capture, scan, proxy_case):
    wrong = "wrong-" + SECRETS.wrong_application_key
    monkeypatch.setenv("HTTPS_PROXY", proxy.url("proxyuser:" + wrong))
    api = make_api(host=https_origin.url, api_key_v1=SECRETS.api_key, ssl_ca_cert=ca_file, retries=0, debug=True)
    with pytest.raises(ApiConnectionError) as raised:
        track(api)
    assert "proxy error" in str(raised.value) and "407" in str(raised.value)
    assert [r.method for r in proxy.requests] == ["CONNECT"] and https_origin.requests == []
    assert not any(wrong in text for text in exception_texts(raised.value))
    assert wrong not in capture.text()
    scan.capture(capture)
    scan.exceptions([raised.value])
    scan.client(api)
    scan.assert_clean()


def test_a_malformed_environment_proxy_is_refused_before_sending_without_its_password(
        monkeypatch, make_api, http_origin, capture, scan, proxy_case):
    monkeypatch.setenv("HTTP_PROXY", "socks5://%s@127.0.0.1:1080" % SECRETS.proxy_userinfo)
    with pytest.raises(ApiValueError) as raised:  # refused as the client is built, naming the variable
        track(make_api(host=http_origin.url, api_key_v1=SECRETS.api_key, debug=True))
    assert "HTTP_PROXY (from the environment) must be an http(s) proxy URL" in str(raised.value)
    assert http_origin.requests == []
    scan.capture(capture)
    scan.exceptions([raised.value])
    scan.assert_clean()


# -- CA bundles ------------------------------------------------------------------------------------

@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"])
def test_a_ca_bundle_from_the_environment_is_trusted(variable, monkeypatch, make_api, https_origin, ca_file,
                                                     tls_case):
    monkeypatch.setenv(variable, ca_file)
    api = make_api(host=https_origin.url, api_key_v1=SECRETS.api_key)
    assert isinstance(track(api), talon_one.IntegrationState)


@pytest.fixture
def ca_dir(ca_file, tmp_path):
    """A CA directory as OpenSSL reads one: the CA certificate under its subject hash ('<hash>.0')."""
    import shutil
    import subprocess
    subject_hash = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", ca_file], check=True,
                                  capture_output=True, text=True).stdout.strip()
    directory = tmp_path / "ca-dir"
    directory.mkdir()
    shutil.copy(ca_file, str(directory / (subject_hash + ".0")))
    return str(directory)


def test_ssl_ca_cert_dir_is_trusted(make_api, https_origin, ca_dir, tls_case):
    api = make_api(host=https_origin.url, api_key_v1=SECRETS.api_key, ssl_ca_cert_dir=ca_dir)
    assert isinstance(track(api), talon_one.IntegrationState)


def test_the_requests_transport_refuses_ssl_ca_cert_and_ssl_ca_cert_dir_together(https_origin, ca_file, ca_dir):
    """requests verifies against one location: two given settings are refused rather than one dropped.
    The default transport reads both."""
    from talon_one.transport_requests import RequestsTransport
    configuration = talon_one.Configuration(host=https_origin.url, api_key_v1=SECRETS.api_key, ssl_ca_cert=ca_file,
                                            ssl_ca_cert_dir=ca_dir)
    with pytest.raises(ApiValueError, match="both ssl_ca_cert and ssl_ca_cert_dir are set"):
        RequestsTransport(configuration=configuration)
    default_transport = talon_one.rest.Urllib3Transport(configuration)
    with talon_one.ApiClient(configuration, transport=default_transport) as client:
        assert isinstance(track(talon_one.IntegrationApi(client)), talon_one.IntegrationState)


def test_the_requests_transport_uses_the_file_of_ssl_cert_file_and_ssl_cert_dir(monkeypatch, https_origin, ca_file,
                                                                               tmp_path):
    from talon_one.transport_requests import RequestsTransport
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", ca_file)
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))  # a directory without the server's CA
    configuration = talon_one.Configuration(host=https_origin.url, api_key_v1=SECRETS.api_key)
    with talon_one.ApiClient(configuration, transport=RequestsTransport(configuration=configuration)) as client:
        assert isinstance(track(talon_one.IntegrationApi(client)), talon_one.IntegrationState)


def test_a_users_session_keeps_its_own_verify_whatever_the_environments_ca_variables(monkeypatch, https_origin,
                                                                                     ca_file, tmp_path):
    """With a Session of the user's, its `verify` stands unless the Configuration sets a CA itself."""
    import requests
    import trustme
    from talon_one.transport_requests import RequestsTransport
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))  # a CA that did not sign the server's certificate
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.setenv(name, str(other))
    session = requests.Session()
    session.verify, session.trust_env = ca_file, False
    configuration = talon_one.Configuration(host=https_origin.url, api_key_v1=SECRETS.api_key)
    with talon_one.ApiClient(configuration, transport=RequestsTransport(session=session)) as client:
        assert isinstance(track(talon_one.IntegrationApi(client)), talon_one.IntegrationState)
    configuration = talon_one.Configuration(host=https_origin.url, api_key_v1=SECRETS.api_key, ssl_ca_cert=str(other),
                                            retries=0)
    with talon_one.ApiClient(configuration, transport=RequestsTransport(session=session)) as client:
        with pytest.raises(ApiConnectionError, match="certificate could not be verified"):
            track(talon_one.IntegrationApi(client))


def test_a_ca_directory_from_the_environment_is_trusted(monkeypatch, make_api, https_origin, ca_dir, tls_case):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)  # the requests transport verifies with one path only
    monkeypatch.setenv("SSL_CERT_DIR", ca_dir)
    api = make_api(host=https_origin.url, api_key_v1=SECRETS.api_key)
    assert isinstance(track(api), talon_one.IntegrationState)
    monkeypatch.setenv("SSL_CERT_DIR", ca_dir + "-nowhere")
    with pytest.raises(ApiValueError) as raised:
        make_api(host=https_origin.url, api_key_v1=SECRETS.api_key)
    assert "SSL_CERT_DIR" in str(raised.value) and "not a directory" in str(raised.value)


def test_trust_env_false_ignores_the_environments_ca_bundle(monkeypatch, make_api, https_origin, ca_file, tls_case):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca_file)
    api = make_api(host=https_origin.url, api_key_v1=SECRETS.api_key, trust_env=False, retries=0)
    with pytest.raises(ApiConnectionError) as raised:
        track(api)
    assert "certificate could not be verified" in str(raised.value)


def test_ssl_ca_cert_wins_over_the_environment(monkeypatch, make_api, https_origin, ca_file, tmp_path, tls_case):
    import trustme
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(other))  # a CA that did not sign the server's certificate
    api = make_api(host=https_origin.url, api_key_v1=SECRETS.api_key, ssl_ca_cert=ca_file)
    assert isinstance(track(api), talon_one.IntegrationState)


def test_a_missing_ca_bundle_in_the_environment_is_refused_naming_the_variables(monkeypatch, make_api, tmp_path):
    monkeypatch.setenv("CURL_CA_BUNDLE", str(tmp_path / "nowhere.pem"))
    with pytest.raises(ApiValueError) as raised:
        make_api(host="https://127.0.0.1:1", api_key_v1=SECRETS.api_key)
    assert "CURL_CA_BUNDLE" in str(raised.value) and "nowhere.pem" in str(raised.value)
