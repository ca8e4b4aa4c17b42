"""Configuration: both ways of setting it up, the environment, validation, no key in repr."""

import copy
import pickle

import pytest

import talon_one
from talon_one import Configuration
from talon_one.exceptions import ApiTypeError, ApiValueError
from talon_one.retries import RetryPolicy

from runtime_helpers import API_KEY, APPLICATION_KEY


def test_official_style_settings_build_the_api_key_header():
    cfg = Configuration(host="https://mycompany.talon.one", api_key={"Authorization": API_KEY},
                        api_key_prefix={"Authorization": "ApiKey-v1"})
    assert cfg.get_api_key_with_prefix("Authorization") == "ApiKey-v1 " + API_KEY
    assert cfg.auth_settings()["api_key_v1"] == {
        "type": "api_key", "in": "header", "key": "Authorization", "value": "ApiKey-v1 " + API_KEY}


def test_attributes_can_be_assigned_after_construction():
    cfg = Configuration()
    cfg.host = "https://other.talon.one"
    cfg.api_key["Authorization"] = API_KEY
    cfg.api_key_prefix["Authorization"] = "ApiKey-v1"
    cfg.verify_ssl = False
    assert cfg.host == "https://other.talon.one"
    assert cfg.get_api_key_with_prefix("Authorization") == "ApiKey-v1 " + API_KEY
    assert cfg.verify_ssl is False


def test_api_key_without_prefix_gets_the_required_one():
    cfg = Configuration(api_key={"Authorization": API_KEY})
    assert cfg.get_api_key_with_prefix("Authorization") == "ApiKey-v1 " + API_KEY


def test_short_form_api_key_v1():
    cfg = Configuration(host="https://mycompany.talon.one", api_key_v1=API_KEY)
    assert cfg.api_key["Authorization"] == API_KEY
    assert cfg.api_key_prefix["Authorization"] == "ApiKey-v1"
    assert cfg.api_key_v1 == API_KEY


def test_short_form_signed_requests():
    cfg = Configuration(host="https://mycompany.talon.one", application_id="42", application_key=APPLICATION_KEY)
    assert cfg.application_id == 42
    assert cfg.signing_credentials == (42, bytes.fromhex(APPLICATION_KEY))


def test_defaults_are_finite_and_safe():
    cfg = Configuration()
    assert cfg.host is None
    assert cfg.connect_timeout == 5.0 and cfg.read_timeout == 30.0
    assert cfg.verify_ssl is True
    assert cfg.client_side_validation is True
    assert cfg.retries is None
    assert cfg.connection_pool_maxsize >= 10
    assert cfg.debug is False


@pytest.mark.parametrize("host", ["https://mycompany.talon.one/", "https://mycompany.talon.one//"])
def test_trailing_slash_on_host_is_harmless(host):
    assert Configuration(host=host).host == "https://mycompany.talon.one"


@pytest.mark.parametrize("host", ["mycompany.talon.one", "ftp://x", "https://", "https://a b.com"])
def test_host_that_is_not_an_http_url_is_refused(host):
    with pytest.raises(ApiValueError, match="host"):
        Configuration(host=host)


def test_host_with_credentials_is_refused_without_echoing_them():
    with pytest.raises(ApiValueError) as raised:
        Configuration(host="https://user:hunter2@mycompany.talon.one")
    assert "hunter2" not in str(raised.value)


@pytest.mark.parametrize("bad", ["zz" * 16, "abc", "c0ff\r\nee", "c0 ff"])
def test_application_key_that_is_not_hex_is_named_but_not_echoed(bad):
    with pytest.raises(ApiValueError) as raised:
        Configuration(application_id=1, application_key=bad)
    assert "application_key" in str(raised.value)
    assert bad.strip() not in str(raised.value)


@pytest.mark.parametrize("bad", [0, -1, "abc", True])
def test_application_id_must_be_a_positive_integer(bad):
    with pytest.raises((ApiValueError, ApiTypeError), match="application_id"):
        Configuration(application_id=bad)


@pytest.mark.parametrize("bad", ["key\r\nX-Injected: 1", "key\nX", "key\rX", "key\x00"])
def test_line_breaks_in_api_key_are_refused(bad):
    with pytest.raises(ApiValueError) as raised:
        Configuration(api_key_v1=bad)
    assert "X-Injected" not in str(raised.value)


def test_line_breaks_in_host_are_refused():
    with pytest.raises(ApiValueError):
        Configuration(host="https://mycompany.talon.one\r\nX-Injected: 1")


def test_from_env_reads_the_new_names():
    env = {"TALON_ONE_BASE_URL": "https://mycompany.talon.one/", "TALON_ONE_API_KEY": API_KEY,
           "TALON_ONE_APPLICATION_ID": "7", "TALON_ONE_APPLICATION_KEY": APPLICATION_KEY}
    cfg = Configuration.from_env(env)
    assert cfg.host == "https://mycompany.talon.one"
    assert cfg.api_key_v1 == API_KEY
    assert cfg.signing_credentials == (7, bytes.fromhex(APPLICATION_KEY))


def test_from_env_reads_the_older_names_and_prefers_the_new_ones():
    env = {"TALONONE_ENDPOINT": "https://old.talon.one", "TALONONE_APP_ID": "3",
           "TALONONE_APP_KEY": APPLICATION_KEY, "TALON_ONE_APPLICATION_ID": "9"}
    cfg = Configuration.from_env(env)
    assert cfg.host == "https://old.talon.one"
    assert cfg.application_id == 9
    assert cfg.application_key == APPLICATION_KEY


def test_from_env_uses_os_environ_and_keyword_overrides(monkeypatch):
    monkeypatch.setenv("TALON_ONE_BASE_URL", "https://env.talon.one")
    monkeypatch.setenv("TALON_ONE_API_KEY", API_KEY)
    cfg = Configuration.from_env(host="https://override.talon.one", read_timeout=3)
    assert cfg.host == "https://override.talon.one"
    assert cfg.api_key_v1 == API_KEY
    assert cfg.read_timeout == 3


def test_from_env_without_base_url_says_which_variable():
    with pytest.raises(ApiValueError, match="TALON_ONE_BASE_URL"):
        Configuration.from_env({})


def test_get_default_is_one_shared_instance_and_set_default_replaces_it():
    original = Configuration.get_default()
    try:
        assert Configuration.get_default() is original
        mine = Configuration(host="https://mine.talon.one")
        Configuration.set_default(mine)
        assert Configuration.get_default() is mine
        copied = Configuration.get_default_copy()
        assert copied is not mine and copied.host == mine.host
        copied.api_key["Authorization"] = "other"
        assert "Authorization" not in mine.api_key
    finally:
        Configuration.set_default(original)


def test_deepcopy_keeps_settings():
    cfg = Configuration(host="https://a.talon.one", api_key_v1=API_KEY, retries=RetryPolicy(max_retries=5))
    clone = copy.deepcopy(cfg)
    assert clone.host == cfg.host and clone.api_key_v1 == API_KEY
    assert clone.retries.max_retries == 5


def test_repr_and_str_never_show_keys():
    cfg = Configuration(host="https://mycompany.talon.one", api_key_v1=API_KEY, application_id=42,
                        application_key=APPLICATION_KEY, proxy="http://puser:ppass@proxy.local:3128")
    for text in (repr(cfg), str(cfg), repr(talon_one.ApiClient(cfg)), str(talon_one.ApiClient(cfg))):
        assert API_KEY not in text
        assert APPLICATION_KEY not in text
        assert "ppass" not in text
    assert "api_key_v1" in repr(cfg) and "application_id=42" in repr(cfg)


def test_exceptions_survive_pickling():
    error = talon_one.ApiTimeoutError("PUT /x: read timeout")
    again = pickle.loads(pickle.dumps(error))
    assert isinstance(again, talon_one.ApiTimeoutError) and again.reason == error.reason


def test_timeouts_set_to_none_mean_the_defaults_from_the_first_call_on():
    # None is "the default" (5 s to connect, 30 s to read), never "no timeout", on the first call too
    # (whose timeout is not cached yet) and on the next ones.
    from talon_one.testing import MockResponse, MockTransport

    transport = MockTransport(lambda request: MockResponse(200, json={}))
    cfg = Configuration(host="https://mycompany.talon.one", api_key_v1=API_KEY, connect_timeout=None,
                        read_timeout=None)
    with talon_one.ApiClient(cfg, transport=transport) as client:
        for _ in range(2):
            client.call_api("/v1/x", "GET", response_type="object", auth_settings=["api_key_v1"])
    assert [(request.timeout.connect_timeout, request.timeout.read_timeout) for request in transport.requests] == [
        (5.0, 30.0), (5.0, 30.0)]


def test_which_settings_a_client_reads_on_every_call_and_which_when_it_is_created():
    """README, Configuration: default_headers (with the proxy, TLS and pool settings) are read when the
    client is created; credentials, host, timeouts and retries on every call."""
    from talon_one.testing import Fault, FakeTalonOne

    event = talon_one.NewEvent(type="viewed", attributes={}, session_id="s1", profile_id="p1")
    with FakeTalonOne(api_key="k") as first, FakeTalonOne(api_key="k") as second:
        configuration = Configuration(host=first.base_url, api_key_v1="wrong", retries=0)
        with talon_one.ApiClient(configuration) as client:
            api = talon_one.IntegrationApi(client)
            with pytest.raises(talon_one.UnauthorizedException):
                api.track_event(event)
            configuration.api_key_v1 = "k"
            configuration.default_headers = {"X-Late": "v"}
            api.track_event(event)
            assert first.requests[-1].headers.get("X-Late") is None
            configuration.host = second.base_url
            api.track_event(event)
            assert len(second.requests) == 1
            second.inject_faults(Fault.slow(2.0), times=1)
            configuration.read_timeout = 0.3
            with pytest.raises(talon_one.ApiTimeoutError):
                api.track_event(event)
