"""TLS against a local HTTPS server with certificates from a throwaway CA (trustme).

Verification is on by default; a private CA can be trusted (ssl_ca_cert, or the default store's
SSL_CERT_FILE); only verify_ssl=False skips it; the host name is checked even with the right CA,
and turning that off (assert_hostname=False) or verification off (verify_ssl=False) logs a
WARNING on 'talon_one'; client certificates are presented; misconfigured files are refused when
the client is created, naming the setting.
"""

import datetime
import logging
import pathlib
import ssl

import pytest
import trustme
import urllib3
from cryptography.hazmat.primitives import serialization

import talon_one
from talon_one import ApiConnectionError, ApiTypeError, ApiValueError

from security_support import SECRETS, new_event

# Transport-level behaviour: every test runs with both real transports (conftest.each_transport).
pytestmark = pytest.mark.usefixtures("each_transport")

NOT_VERIFIED = "certificate could not be verified"


@pytest.fixture(params=["sync", "asyncio"])
def client_kind(request):
    """Every scenario holds for ApiClient and AsyncApiClient alike: each runs with both."""
    return request.param


def track(api):
    return api.track_event(new_event())


def assert_sdk_connection_error(error):
    """An ApiConnectionError of ours: no raw ssl / urllib3 exception, no status."""
    assert type(error) is ApiConnectionError
    assert not isinstance(error, (ssl.SSLError, urllib3.exceptions.HTTPError, OSError))
    assert error.status is None


def assert_refused_before_sending(origin):
    assert origin.requests == [], "the request (and its API key) must not reach a server that was not verified"


def talon_one_warnings(capture):
    return capture.messages("talon_one", logging.WARNING)


# -- verification by default ------------------------------------------------------------------

def test_verification_is_on_by_default_and_fails_clearly(make_api, https_origin, capture, tls_case):
    api = make_api(host=https_origin.url, api_key_v1=SECRETS.api_key, retries=0)
    assert api.api_client.configuration.verify_ssl is True
    with pytest.raises(ApiConnectionError) as raised:
        track(api)
    error = raised.value
    assert_sdk_connection_error(error)
    text = str(error)
    assert NOT_VERIFIED in text and "unable to get local issuer certificate" in text
    assert "ssl_ca_cert" in text                              # says what to do
    assert "POST %s/v1/events" % https_origin.url in text     # names the call
    assert_refused_before_sending(https_origin)
    assert talon_one_warnings(capture) == []


def _bundle_with_other_cas(ca, tmp_path):
    path = tmp_path / "bundle.pem"
    path.write_bytes(trustme.CA().cert_pem.bytes() + ca.cert_pem.bytes() + trustme.CA().cert_pem.bytes())
    return {"ssl_ca_cert": str(path)}


CA_GIVEN_AS = {
    "ssl_ca_cert=path": lambda ca, ca_file, tmp_path, monkeypatch: {"ssl_ca_cert": ca_file},
    "ssl_ca_cert=pathlib.Path": lambda ca, ca_file, tmp_path, monkeypatch: {"ssl_ca_cert": pathlib.Path(ca_file)},
    "ssl_ca_cert=bundle of several CAs": lambda ca, ca_file, tmp_path, monkeypatch: _bundle_with_other_cas(ca, tmp_path),
    # No ssl_ca_cert: the default store, which OpenSSL reads from SSL_CERT_FILE when it is set.
    "SSL_CERT_FILE (default store)": lambda ca, ca_file, tmp_path, monkeypatch: (
        monkeypatch.setenv("SSL_CERT_FILE", ca_file), {})[1],
}


@pytest.mark.parametrize("way", sorted(CA_GIVEN_AS))
def test_a_private_ca_is_trusted_when_configured(way, ca, ca_file, tmp_path, monkeypatch, make_api, https_origin,
                                                 capture, tls_case):
    settings = CA_GIVEN_AS[way](ca, ca_file, tmp_path, monkeypatch)
    api = make_api(host=https_origin.url, api_key_v1=SECRETS.api_key, **settings)
    state = track(api)
    assert isinstance(state, talon_one.IntegrationState)
    assert state.event.type == "viewed_page"
    [request] = https_origin.requests
    assert request.method == "POST" and request.target == "/v1/events"
    assert request.headers["Authorization"] == "ApiKey-v1 " + SECRETS.api_key
    assert talon_one_warnings(capture) == []
    assert not [w for w in capture.warnings if issubclass(w.category, urllib3.exceptions.InsecureRequestWarning)]


def test_a_chain_through_an_intermediate_ca_verifies_against_the_root(ca, ca_file, make_origin, make_api, tls_case):
    intermediate = ca.create_child_ca()
    origin = make_origin(intermediate.issue_cert("127.0.0.1"))   # the server sends leaf + intermediate
    api = make_api(host=origin.url, api_key_v1=SECRETS.api_key, ssl_ca_cert=ca_file)
    assert isinstance(track(api), talon_one.IntegrationState)
    assert len(origin.requests) == 1


def test_a_certificate_from_another_ca_is_refused(make_origin, make_api, ca_file, tls_case):
    origin = make_origin(trustme.CA().issue_cert("127.0.0.1"))
    api = make_api(host=origin.url, api_key_v1=SECRETS.api_key, ssl_ca_cert=ca_file)
    with pytest.raises(ApiConnectionError) as raised:
        track(api)
    assert_sdk_connection_error(raised.value)
    assert NOT_VERIFIED in str(raised.value)
    assert_refused_before_sending(origin)


def test_an_expired_certificate_is_refused(ca, make_origin, make_api, ca_file, tls_case):
    expired = ca.issue_cert("127.0.0.1", not_before=datetime.datetime(2000, 1, 1),
                            not_after=datetime.datetime(2001, 1, 1))
    origin = make_origin(expired)
    api = make_api(host=origin.url, api_key_v1=SECRETS.api_key, ssl_ca_cert=ca_file)
    with pytest.raises(ApiConnectionError) as raised:
        track(api)
    assert_sdk_connection_error(raised.value)
    assert NOT_VERIFIED in str(raised.value) and "expired" in str(raised.value)
    assert_refused_before_sending(origin)


def test_tls_failures_are_not_retried(make_api, https_origin, tls_case):
    # A certificate that does not verify will not verify on a second try either.
    api = make_api(host=https_origin.url, api_key_v1=SECRETS.api_key,
                   retries=talon_one.RetryPolicy(max_retries=5, sleep=lambda s: pytest.fail("must not wait")))
    with pytest.raises(ApiConnectionError):
        track(api)
    assert_refused_before_sending(https_origin)


# -- the only way to skip verification ----------------------------------------------------------

def test_verify_ssl_false_skips_verification_and_says_so(make_api, client_kind, https_origin, capture, scan,
                                                         tls_case):
    api = make_api(host=https_origin.url, api_key_v1=SECRETS.api_key, verify_ssl=False, debug=True)
    [warning] = talon_one_warnings(capture)   # logged when the client is created
    assert "verify_ssl=False" in warning and "not verified" in warning and https_origin.url in warning
    assert isinstance(track(api), talon_one.IntegrationState)
    assert len(https_origin.requests) == 1
    if client_kind == "sync":  # urllib3's own warning, on each request it sends unverified
        assert any(issubclass(w.category, urllib3.exceptions.InsecureRequestWarning) for w in capture.warnings)
    scan.capture(capture)
    scan.client(api)
    scan.assert_clean()


def test_assert_hostname_false_does_not_skip_the_ca_check(make_api, https_origin, capture, tls_case):
    api = make_api(host=https_origin.url, api_key_v1=SECRETS.api_key, assert_hostname=False, retries=0)
    assert any("assert_hostname=False" in w for w in talon_one_warnings(capture))
    with pytest.raises(ApiConnectionError) as raised:
        track(api)
    assert NOT_VERIFIED in str(raised.value)
    assert_refused_before_sending(https_origin)


# -- host names ------------------------------------------------------------------------------------

@pytest.fixture
def other_host_origin(ca, make_origin):
    """An HTTPS origin on 127.0.0.1 whose certificate (from the trusted CA) names another host."""
    return make_origin(ca.issue_cert("api.other.test"))


def test_a_certificate_for_another_host_is_refused_even_with_the_right_ca(other_host_origin, make_api, ca_file,
                                                                          capture, tls_case):
    api = make_api(host=other_host_origin.url, api_key_v1=SECRETS.api_key, ssl_ca_cert=ca_file, retries=0)
    with pytest.raises(ApiConnectionError) as raised:
        track(api)
    assert_sdk_connection_error(raised.value)
    text = str(raised.value)
    assert NOT_VERIFIED in text and "127.0.0.1" in text and "another host name" in text
    assert_refused_before_sending(other_host_origin)
    assert talon_one_warnings(capture) == []


def test_assert_hostname_false_accepts_another_host_only_with_a_warning(other_host_origin, make_api, ca_file,
                                                                        capture, tls_case):
    api = make_api(host=other_host_origin.url, api_key_v1=SECRETS.api_key, ssl_ca_cert=ca_file,
                   assert_hostname=False)
    [warning] = talon_one_warnings(capture)
    assert "assert_hostname=False" in warning and "not checked" in warning and other_host_origin.url in warning
    assert isinstance(track(api), talon_one.IntegrationState)
    assert len(other_host_origin.requests) == 1


def test_assert_hostname_can_name_the_expected_host_instead(other_host_origin, make_api, ca_file, capture, tls_case):
    api = make_api(host=other_host_origin.url, api_key_v1=SECRETS.api_key, ssl_ca_cert=ca_file,
                   assert_hostname="api.other.test")
    assert isinstance(track(api), talon_one.IntegrationState)
    assert talon_one_warnings(capture) == []  # still checked: nothing to warn about
    wrong = make_api(host=other_host_origin.url, api_key_v1=SECRETS.api_key, ssl_ca_cert=ca_file,
                     assert_hostname="api.wrong.test", retries=0)
    with pytest.raises(ApiConnectionError) as raised:
        track(wrong)
    assert_sdk_connection_error(raised.value)
    assert NOT_VERIFIED in str(raised.value) and "api.wrong.test" in str(raised.value)
    assert len(other_host_origin.requests) == 1


def test_assert_hostname_true_means_check_it(other_host_origin, https_origin, make_api, ca_file, capture, tls_case):
    # Was an AttributeError from inside urllib3; True reads naturally as "yes, check the host name".
    api = make_api(host=https_origin.url, api_key_v1=SECRETS.api_key, ssl_ca_cert=ca_file, assert_hostname=True)
    assert isinstance(track(api), talon_one.IntegrationState)
    other = make_api(host=other_host_origin.url, api_key_v1=SECRETS.api_key, ssl_ca_cert=ca_file,
                     assert_hostname=True, retries=0)
    with pytest.raises(ApiConnectionError) as raised:
        track(other)
    assert NOT_VERIFIED in str(raised.value)
    assert talon_one_warnings(capture) == []


# -- client certificates -----------------------------------------------------------------------------

TLS_VERSIONS = {"TLS 1.2": ssl.TLSVersion.TLSv1_2, "TLS 1.3": ssl.TLSVersion.TLSv1_3}


@pytest.fixture(params=sorted(TLS_VERSIONS))
def mtls_origin(request, ca, make_origin):
    """An HTTPS origin that requires a client certificate issued by the CA."""
    return make_origin(ca.issue_cert("127.0.0.1"), client_ca=ca, maximum_version=TLS_VERSIONS[request.param])


def test_a_server_requiring_a_client_certificate_refuses_a_client_without_one(mtls_origin, make_api, ca_file,
                                                                              tls_case):
    api = make_api(host=mtls_origin.url, api_key_v1=SECRETS.api_key, ssl_ca_cert=ca_file, retries=0)
    with pytest.raises(ApiConnectionError) as raised:
        track(api)
    assert_sdk_connection_error(raised.value)
    assert mtls_origin.requests == []


@pytest.mark.parametrize("files", ["cert_file + key_file", "cert_file holding key and certificate"])
def test_the_client_certificate_is_presented(files, mtls_origin, client_certificate, make_api, ca_file, tls_case):
    cert_file, key_file, combined = client_certificate
    settings = {"cert_file": cert_file, "key_file": key_file} if files == "cert_file + key_file" else \
        {"cert_file": combined}
    api = make_api(host=mtls_origin.url, api_key_v1=SECRETS.api_key, ssl_ca_cert=ca_file, **settings)
    assert isinstance(track(api), talon_one.IntegrationState)
    [request] = mtls_origin.requests
    assert ("email", "client@talon-one.test") in request.peer_certificate["subjectAltName"]


def test_a_client_certificate_from_another_ca_is_refused(mtls_origin, make_api, ca_file, tmp_path, tls_case):
    stranger = trustme.CA().issue_cert("stranger@talon-one.test")
    cert_file, key_file = tmp_path / "stranger.pem", tmp_path / "stranger.key"
    stranger.cert_chain_pems[0].write_to_path(str(cert_file))
    stranger.private_key_pem.write_to_path(str(key_file))
    api = make_api(host=mtls_origin.url, api_key_v1=SECRETS.api_key, ssl_ca_cert=ca_file,
                   cert_file=str(cert_file), key_file=str(key_file), retries=0)
    with pytest.raises(ApiConnectionError) as raised:
        track(api)
    assert_sdk_connection_error(raised.value)
    assert mtls_origin.requests == []


# -- misconfiguration is refused up front -------------------------------------------------------------

def _encrypted_key(path, key_pem):
    key = serialization.load_pem_private_key(key_pem, password=None)
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.BestAvailableEncryption(b"key-password")))
    return str(path)


def _misconfigurations(tmp_path, client_certificate):
    cert_file, key_file, _ = client_certificate
    other_key = tmp_path / "other.key"
    trustme.CA().issue_cert("x@talon-one.test").private_key_pem.write_to_path(str(other_key))
    encrypted = _encrypted_key(tmp_path / "encrypted.key", pathlib.Path(key_file).read_bytes())
    return {
        "ssl_ca_cert missing": ({"ssl_ca_cert": str(tmp_path / "missing.pem")}, ApiValueError,
                                ["ssl_ca_cert", "does not exist"]),
        "ssl_ca_cert a directory": ({"ssl_ca_cert": str(tmp_path)}, ApiValueError, ["ssl_ca_cert", "directory"]),
        "key_file without cert_file": ({"key_file": key_file}, ApiValueError, ["key_file", "cert_file is not"]),
        "cert_file without its key": ({"cert_file": cert_file}, ApiValueError, ["could not be loaded", "key_file"]),
        "key of another certificate": ({"cert_file": cert_file, "key_file": str(other_key)}, ApiValueError,
                                       ["could not be loaded", "KEY_VALUES_MISMATCH"]),
        "encrypted key": ({"cert_file": cert_file, "key_file": encrypted}, ApiValueError, ["encrypted"]),
        "cert_file missing": ({"cert_file": str(tmp_path / "nope.pem")}, ApiValueError, ["cert_file", "does not exist"]),
        "assert_hostname of the wrong type": ({"assert_hostname": 42}, ApiTypeError, ["assert_hostname"]),
    }


MISCONFIGURATIONS = ["ssl_ca_cert missing", "ssl_ca_cert a directory", "key_file without cert_file",
                     "cert_file without its key", "key of another certificate", "encrypted key",
                     "cert_file missing", "assert_hostname of the wrong type"]


@pytest.mark.parametrize("case", MISCONFIGURATIONS)
def test_tls_misconfiguration_is_refused_when_the_client_is_created(case, tmp_path, client_certificate,
                                                                     https_origin, tls_case):
    settings, error_class, phrases = _misconfigurations(tmp_path, client_certificate)[case]
    configuration = talon_one.Configuration(host=https_origin.url, api_key_v1=SECRETS.api_key, **settings)
    with pytest.raises(error_class) as raised:
        talon_one.ApiClient(configuration)
    for phrase in phrases:
        assert phrase in str(raised.value)
    assert SECRETS.client_key_line not in str(raised.value)
    assert https_origin.requests == []
