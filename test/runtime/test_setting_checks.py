"""Settings and per-call arguments are checked before anything is sent, with errors naming them.

Timeouts (infinite, NaN, too large), retries, TLS / pool / header settings, environment
proxies, misspelt settings; repr() of a half-built Configuration; exceptions that rebuild.
"""

import asyncio
import json
import os
import pickle
import traceback

import pytest
import urllib3

import talon_one
from talon_one import Configuration, IntegrationApi, NewEvent
from talon_one.aio import AsyncApiClient, AsyncIntegrationApi
from talon_one.exceptions import (ApiAttributeError, ApiException, ApiKeyError, ApiTypeError, ApiValueError,
                                  MissingCredentialsError, NotFoundException)
from talon_one.retries import MAX_TIMEOUT, RetryPolicy
from talon_one.testing import FakeTalonOne

SURFACE_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "spec", "official-3.3.0-surface.json")
INF = float("inf")
NAN = float("nan")
BAD_SECONDS = [INF, -INF, NAN, 1e300, MAX_TIMEOUT + 1, 0, -1]


def event():
    return NewEvent(profile_id="p1", type="pageview", attributes={}, session_id="s1")


@pytest.fixture(scope="module")
def fake():
    with FakeTalonOne(api_key="k") as running:
        yield running


def track_sync(configuration, **kwargs):
    with talon_one.ApiClient(configuration) as client:
        return IntegrationApi(client).track_event(event(), **kwargs)


def track_async(configuration, **kwargs):
    async def go():
        async with AsyncApiClient(configuration) as client:
            return await AsyncIntegrationApi(client).track_event(event(), **kwargs)
    return asyncio.run(asyncio.wait_for(go(), 10))


CLIENTS = {"sync": track_sync, "asyncio": track_async}


# -- timeouts --------------------------------------------------------------------------------------

@pytest.mark.parametrize("setting", ["connect_timeout", "read_timeout"])
@pytest.mark.parametrize("value", BAD_SECONDS, ids=repr)
def test_a_timeout_setting_that_is_no_usable_number_of_seconds_is_refused_when_set(setting, value):
    cfg = Configuration(host="http://127.0.0.1:9")
    with pytest.raises(ApiValueError, match=setting):
        setattr(cfg, setting, value)
    with pytest.raises(ApiValueError, match=setting):
        Configuration(**{setting: value})
    assert getattr(cfg, setting) in (5.0, 30.0)  # unchanged


def test_timeouts_up_to_one_day_and_none_are_accepted():
    cfg = Configuration(connect_timeout=MAX_TIMEOUT, read_timeout=0.001)
    assert (cfg.connect_timeout, cfg.read_timeout) == (MAX_TIMEOUT, 0.001)
    cfg.read_timeout = None  # the default
    assert talon_one.rest.default_timeout(cfg).read_timeout == talon_one.configuration.DEFAULT_READ_TIMEOUT


@pytest.mark.parametrize("kind", sorted(CLIENTS))
@pytest.mark.parametrize("timeout, named", [
    (INF, "_request_timeout"), (1e300, "_request_timeout"), (NAN, "_request_timeout"),
    ((5, NAN), r"_request_timeout\[1\] \(read\)"), ((INF, 5), r"_request_timeout\[0\] \(connect\)"),
    ((1, 1e300), r"_request_timeout\[1\]"),
    (urllib3.Timeout(read=INF), r"_request_timeout \(urllib3.Timeout read\)"),
    (urllib3.Timeout(connect=1e300), r"_request_timeout \(urllib3.Timeout connect\)"),
    (urllib3.Timeout(total=NAN), r"_request_timeout \(urllib3.Timeout total\)"),
], ids=repr)
def test_a_per_call_timeout_that_is_no_usable_number_is_refused_before_sending(fake, kind, timeout, named):
    sent = len(fake.requests)
    with pytest.raises(ApiValueError, match=named):
        CLIENTS[kind](fake.configuration(), _request_timeout=timeout)
    assert len(fake.requests) == sent  # the server received nothing


@pytest.mark.parametrize("kind", sorted(CLIENTS))
def test_a_timeout_smuggled_past_the_setter_is_still_refused_before_sending(fake, kind):
    cfg = fake.configuration()
    cfg.__dict__["read_timeout"] = INF  # as an old pickle or a subclass could leave it
    sent = len(fake.requests)
    with pytest.raises(ApiValueError, match="read_timeout"):
        CLIENTS[kind](cfg)
    assert len(fake.requests) == sent


@pytest.mark.parametrize("kind", sorted(CLIENTS))
def test_sane_timeouts_still_send(fake, kind):
    sent = len(fake.requests)
    CLIENTS[kind](fake.configuration(), _request_timeout=(5, 30))
    CLIENTS[kind](fake.configuration(), _request_timeout=urllib3.Timeout(connect=5, read=MAX_TIMEOUT))
    assert len(fake.requests) == sent + 2


@pytest.mark.parametrize("name", ["max_total_time", "backoff_max", "backoff_base", "max_retry_after"])
@pytest.mark.parametrize("value", [INF, NAN, 1e300, -1], ids=repr)
def test_a_retry_policy_time_that_is_no_usable_number_is_refused(name, value):
    with pytest.raises(ApiValueError, match=name):
        RetryPolicy(**{name: value})


def test_a_retry_policy_without_deadline_or_with_one_day_is_accepted():
    assert RetryPolicy(max_total_time=0).max_total_time == 0
    assert RetryPolicy(max_total_time=MAX_TIMEOUT, backoff_factor=3).max_total_time == MAX_TIMEOUT
    with pytest.raises(ApiValueError, match="backoff_factor"):
        RetryPolicy(backoff_factor=INF)


# -- retries -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, error", [(-1, ApiValueError), ("3", ApiTypeError), (2.5, ApiTypeError)], ids=repr)
def test_a_bad_retries_setting_names_retries(value, error):
    with pytest.raises(error, match=r"^retries must be") as raised:
        Configuration(retries=value)
    assert "max_retries" not in str(raised.value)
    with pytest.raises(error, match=r"^retries must be"):
        Configuration().retries = value


@pytest.mark.parametrize("kind", sorted(CLIENTS))
@pytest.mark.parametrize("value, error", [(-1, ApiValueError), ("3", ApiTypeError)], ids=repr)
def test_a_bad_per_call_retries_names_underscore_retries_and_sends_nothing(fake, kind, value, error):
    sent = len(fake.requests)
    with pytest.raises(error, match=r"^_retries must be") as raised:
        CLIENTS[kind](fake.configuration(), _retries=value)
    assert "max_retries" not in str(raised.value)
    assert len(fake.requests) == sent


def test_an_urllib3_retry_refusal_names_the_setting_given():
    with pytest.raises(ApiValueError, match=r"^retries: urllib3 Retry\(redirect=3\)"):
        Configuration(retries=urllib3.Retry(total=3, redirect=3))
    with pytest.raises(ApiValueError, match=r"^_retries: urllib3 Retry\(redirect=3\)"):
        talon_one.retries.resolve_policy(urllib3.Retry(total=3, redirect=3), RetryPolicy())


# -- other settings -------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["no", 2, 0.0, None], ids=repr)
def test_verify_ssl_takes_only_a_bool(value):
    with pytest.raises(ApiTypeError, match="verify_ssl must be True or False"):
        Configuration(verify_ssl=value) if value is not None else setattr(Configuration(), "verify_ssl", value)
    assert Configuration(verify_ssl=False).verify_ssl is False


def test_verify_ssl_takes_1_and_0_as_the_official_sdk_did():
    configuration = Configuration(verify_ssl=0)
    assert configuration.verify_ssl is False
    configuration.verify_ssl = 1
    assert configuration.verify_ssl is True


@pytest.mark.parametrize("value, error", [(0, ApiValueError), (-3, ApiValueError), ("8", ApiTypeError),
                                          (True, ApiTypeError), (2.0, ApiTypeError)], ids=repr)
def test_connection_pool_maxsize_takes_a_positive_int(value, error):
    with pytest.raises(error, match="connection_pool_maxsize must be a positive integer"):
        Configuration(connection_pool_maxsize=value)
    cfg = Configuration(connection_pool_maxsize=3)
    with pytest.raises(error, match="connection_pool_maxsize"):
        cfg.connection_pool_maxsize = value
    assert cfg.connection_pool_maxsize == 3
    cfg.connection_pool_maxsize = None  # back to the default
    assert cfg.connection_pool_maxsize >= 32


@pytest.mark.parametrize("value, error, text", [
    ([("a", "b")], ApiTypeError, "default_headers must be a mapping"),
    ({"X-A": 5}, ApiTypeError, r"default_headers\['X-A'\] must be a string"),
    ({5: "b"}, ApiTypeError, "default_headers: header names must be strings"),
    ({"X A": "b"}, ApiValueError, "default_headers: invalid header name 'X A'"),
    ({"X-A": "b\r\nX-Injected: 1"}, ApiValueError, r"default_headers\['X-A'\] contains a line break"),
], ids=["list", "int value", "int name", "space in name", "CRLF"])
def test_default_headers_takes_a_mapping_of_str_to_str(value, error, text):
    with pytest.raises(error, match=text):
        Configuration(default_headers=value)
    with pytest.raises(error, match=text):
        Configuration().default_headers = value


def test_default_headers_are_sent(fake):
    cfg = fake.configuration()
    cfg.default_headers = {"X-Shop": "berlin"}
    track_sync(cfg)
    assert fake.requests[-1].headers.get("X-Shop") == "berlin"


# -- environment proxies ------------------------------------------------------------------------------------

@pytest.mark.parametrize("variable", ["HTTP_PROXY", "https_proxy", "ALL_PROXY"])
@pytest.mark.parametrize("kind", sorted(CLIENTS))
def test_a_bad_environment_proxy_names_its_variable_before_sending(fake, monkeypatch, variable, kind):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, "socks5://user:s3cret@127.0.0.1:1080")
    sent = len(fake.requests)
    with pytest.raises(ApiValueError, match="%s \\(from the environment\\)" % variable.upper()) as raised:
        CLIENTS[kind](fake.configuration())
    assert "s3cret" not in str(raised.value)
    assert len(fake.requests) == sent


def test_an_all_proxy_that_is_never_used_is_left_alone(fake, monkeypatch):
    monkeypatch.setenv("ALL_PROXY", "socks5://127.0.0.1:1080")  # for other tools: http and https have their own
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    sent = len(fake.requests)
    track_sync(fake.configuration())
    assert len(fake.requests) == sent + 1


# -- misspelt settings ------------------------------------------------------------------------------------

def test_a_misspelt_setting_is_refused_with_the_close_match():
    cfg = Configuration()
    with pytest.raises(AttributeError, match=r"no setting 'read_timout' \(did you mean 'read_timeout'\?\)"):
        cfg.read_timout = 10
    with pytest.raises(ApiAttributeError, match=r"no setting 'nothing_like_it'$"):
        cfg.nothing_like_it = 1
    assert cfg.read_timeout == 30.0


def test_every_official_sdk_attribute_stays_settable():
    with open(SURFACE_PATH, encoding="utf-8") as handle:
        names = json.load(handle)["Configuration instance attributes"]
    cfg = Configuration()
    writable = [name for name in names if not isinstance(getattr(Configuration, name, None), property)
                or getattr(Configuration, name).fset is not None]
    for name in writable:
        setattr(cfg, name, getattr(cfg, name))  # no AttributeError
    assert set(names) - set(writable) <= {"logger_file_handler", "logger_formatter", "logger_stream_handler"}


def test_private_names_and_subclasses_stay_free():
    cfg = Configuration()
    cfg._mine = 1

    class Mine(Configuration):
        pass

    mine = Mine()
    mine.tenant = "berlin"
    assert (cfg._mine, mine.tenant) == (1, "berlin")


def test_checked_settings_travel_through_pickle_and_copy():
    cfg = Configuration(read_timeout=7.0, verify_ssl=False, connection_pool_maxsize=3,
                        default_headers={"X-Shop": "berlin"})
    for restored in (pickle.loads(pickle.dumps(cfg)), __import__("copy").deepcopy(cfg)):
        assert (restored.read_timeout, restored.verify_ssl, restored.connection_pool_maxsize,
                restored.default_headers) == (7.0, False, 3, {"X-Shop": "berlin"})
        with pytest.raises(ApiValueError, match="read_timeout"):
            restored.read_timeout = INF


# -- repr of a half-built configuration -------------------------------------------------------------------

def test_repr_of_a_half_built_configuration_does_not_raise():
    text = repr(Configuration.__new__(Configuration))
    assert text.startswith("Configuration(host=None")


def test_capture_locals_works_when_configuration_refuses_its_arguments():
    try:
        Configuration(api_key_v1="k\u20ac")
    except ApiValueError as error:
        rendered = "".join(traceback.TracebackException.from_exception(error, capture_locals=True).format())
    assert "api_key_v1 contains characters" in rendered
    assert "Configuration(host=None" in rendered


# -- exceptions ---------------------------------------------------------------------------------------------

class LegacyResponse:
    """What the official SDK's RESTResponse offers (and stubs written for it): getheaders(), no .headers."""

    status = 404
    reason = "Not Found"
    data = b'{"message": "no such profile"}'

    def getheaders(self):
        return {"Content-Type": "application/json"}


def test_api_exception_takes_a_legacy_http_resp():
    error = NotFoundException(http_resp=LegacyResponse())
    assert (error.status, error.headers, error.message) == (404, {"Content-Type": "application/json"},
                                                             "no such profile")
    assert str(ApiException(http_resp=LegacyResponse())).startswith("(404) Not Found")


@pytest.mark.parametrize("cls", [ApiValueError, ApiTypeError, ApiKeyError, MissingCredentialsError])
def test_value_errors_rebuild_with_their_path(cls):
    error = cls("quantity must be >= 1", path_to_item=("cartItems", 0, "quantity"))
    for rebuilt in (type(error)(*error.args), type(error)(*json.loads(json.dumps(error.args))),
                    pickle.loads(pickle.dumps(error))):
        assert list(rebuilt.path_to_item) == ["cartItems", 0, "quantity"]
        assert str(rebuilt) == str(error)
    assert "quantity must be >= 1 at ['cartItems'][0]['quantity']" in str(error)
    plain = cls("no path")
    assert plain.args == ("no path",) and type(plain)(*plain.args).path_to_item is None


def test_a_key_error_prints_as_key_errors_do():
    assert str(ApiKeyError("missing")) == "'missing'"
    assert str(ApiKeyError("missing", ["a"])) == "\"missing at ['a']\""


def test_set_default_takes_only_a_configuration():
    with pytest.raises(ApiTypeError, match="set_default takes a Configuration"):
        Configuration.set_default({"host": "https://mycompany.talon.one"})
    previous = Configuration.get_default()
    try:
        Configuration.set_default(Configuration(host="https://mycompany.talon.one"))
        assert Configuration.get_default().host == "https://mycompany.talon.one"
    finally:
        Configuration.set_default(previous)


def test_from_env_refuses_a_misspelt_override_naming_the_closest_setting():
    environ = {"TALON_ONE_BASE_URL": "https://mycompany.talon.one", "TALON_ONE_API_KEY": "k"}
    with pytest.raises(ApiTypeError, match="unknown setting 'read_timout' \\(did you mean 'read_timeout'\\?\\)"):
        Configuration.from_env(environ, read_timout=3)
    assert Configuration.from_env(environ, read_timeout=3).read_timeout == 3
