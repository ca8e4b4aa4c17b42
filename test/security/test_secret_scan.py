"""No credential ever shows: the API key, the application key and the proxy password.

Every scenario runs on four routes (direct or through the credentialed forward proxy, over HTTP or
HTTPS with a client certificate) with debug=True and the 'talon_one' and urllib3 loggers at DEBUG.
Then every captured log record (formatted, and its raw message and arguments), every warning,
repr()/str() of Configuration, ApiClient, IntegrationApi, RESTClientObject and its pool manager,
and every exception raised (str, repr, args, attributes, the whole cause chain, the formatted
traceback, and a pickled-then-unpickled copy) are searched for each secret and its encoded forms
(see Secrets.forms): zero hits.
"""

import hashlib
import hmac
import json
import logging

import pytest

import talon_one
from talon_one import (ApiConnectionError, ApiDecodeError, ApiTimeoutError, ApiTypeError, ApiValueError,
                       BadRequestException, ConflictException, ForbiddenException, MissingCredentialsError,
                       NotFoundException, ServiceException, TooManyRequestsException, UnauthorizedException)
from talon_one.testing import Fault

from security_servers import Canned, closed_port
from security_support import SECRETS, new_event

ROUTES = ["direct http", "direct https", "proxy http", "proxy https"]


class Route:
    def __init__(self, name, origin, proxy, settings):
        self.name = name
        self.origin = origin
        self.proxy = proxy
        self.settings = settings
        self.proxied = proxy is not None

    def assert_used(self):
        """The requests went this way: through the proxy (with its credentials) to the origin."""
        assert self.origin.requests, "no request reached the origin"
        if self.proxied:
            assert self.proxy.requests, "no request went through the proxy"
            tunnelled = self.name.endswith("https")
            for seen in self.proxy.requests:
                assert seen.headers["Proxy-Authorization"] == SECRETS.proxy_authorization
                assert (seen.method == "CONNECT") == tunnelled


@pytest.fixture(params=ROUTES)
def route(request, http_origin, https_origin, proxy, ca_file, client_certificate):
    tls = request.param.endswith("https")
    origin = https_origin if tls else http_origin
    settings = {"host": origin.url, "debug": True}
    if tls:
        cert_file, key_file, _ = client_certificate
        settings.update(ssl_ca_cert=ca_file, cert_file=cert_file, key_file=key_file)
    used_proxy = None
    if request.param.startswith("proxy"):
        used_proxy = proxy
        settings["proxy"] = proxy.url(SECRETS.proxy_userinfo)
    return Route(request.param, origin, used_proxy, settings)


class Context:
    """What a scenario works with; every client it makes is scanned afterwards."""

    def __init__(self, route, make_api, fake, capture, monkeypatch):
        self.route = route
        self.origin = route.origin
        self.fake = fake
        self.capture = capture
        self.monkeypatch = monkeypatch
        self._make_api = make_api
        self.apis = []
        self.expect_traffic = True

    def settings(self, **overrides):
        settings = dict(self.route.settings, api_key_v1=SECRETS.api_key, application_id=SECRETS.application_id,
                        application_key=SECRETS.application_key)
        settings.update(overrides)
        return settings

    def api(self, **overrides):
        api = self._make_api(**self.settings(**overrides))
        self.apis.append(api)
        return api

    def retries_logged(self):
        return [m for m in self.capture.messages("talon_one", logging.INFO) if m.startswith("Retrying")]


def session_request(profile="profile-1"):
    return talon_one.IntegrationRequest(customer_session=talon_one.NewCustomerSessionV2(profile_id=profile))


def expected_signature(body, key=None):
    key = SECRETS.application_key if key is None else key
    return "signer=%d; signature=%s" % (SECRETS.application_id,
                                        hmac.new(bytes.fromhex(key), body, hashlib.md5).hexdigest())


# -- scenarios: each makes its calls, asserts what happened, and returns the exceptions raised ---------

def api_key_success(ctx):
    api = ctx.api()
    assert isinstance(api.track_event(new_event()), talon_one.IntegrationState)
    data, status, headers = api.update_customer_session_v2_with_http_info("session-k", session_request())
    assert status == 200 and isinstance(data, talon_one.IntegrationStateV2)
    # A deprecated operation: its DeprecationWarning is scanned too.
    state = api.update_customer_session("session-v1", talon_one.NewCustomerSession(profile_id="profile-1"))
    assert isinstance(state, talon_one.IntegrationState)
    assert any(issubclass(w.category, DeprecationWarning) for w in ctx.capture.warnings)
    for request in ctx.origin.requests:
        assert request.headers["Authorization"] == "ApiKey-v1 " + SECRETS.api_key
        assert request.headers.get("Content-Signature") is None   # the API key wins when both are set
    return []


def signed_success(ctx):
    api = ctx.api(api_key_v1=None)
    assert isinstance(api.track_event(new_event()), talon_one.IntegrationState)
    assert api.get_customer_inventory("profile-1", profile=True).profile.integration_id == "profile-1"
    post, get = ctx.origin.requests
    assert post.method == "POST" and post.body and get.method == "GET" and get.body == b""
    for request in (post, get):
        assert request.headers.get("Authorization") is None
        signature = request.headers["Content-Signature"]
        assert signature == expected_signature(request.body)   # an HMAC-MD5 of the exact body...
        assert SECRETS.application_key not in signature.lower()   # ...never the key
    return []


STATUS_FAULTS = [
    (400, BadRequestException), (401, UnauthorizedException), (403, ForbiddenException),
    (404, NotFoundException), (409, ConflictException), (429, TooManyRequestsException),
    (500, ServiceException), (502, ServiceException), (503, ServiceException), (504, ServiceException),
]


def error_statuses(ctx):
    api = ctx.api()
    errors = []
    for status, error_class in STATUS_FAULTS:
        ctx.fake.inject_faults(Fault(status=status, retry_after=1 if status in (429, 503) else None))
        with pytest.raises(error_class) as raised:
            api.track_event(new_event(), _retries=0)
        assert raised.value.status == status
        errors.append(raised.value)
    # And the service's own refusals: a bad body, an unknown profile, a wrong signing key.
    unvalidated = ctx.api(client_side_validation=False)
    with pytest.raises(BadRequestException) as bad:
        unvalidated.track_event({"profileId": "p", "type": "", "attributes": {}, "sessionId": "s"})
    with pytest.raises(NotFoundException) as missing:
        api.get_customer_inventory("nobody")
    wrong_key = ctx.api(api_key_v1=None, application_key=SECRETS.wrong_application_key)
    with pytest.raises(UnauthorizedException) as refused:
        wrong_key.track_event(new_event())
    assert ctx.origin.requests[-1].headers["Content-Signature"] == expected_signature(
        ctx.origin.requests[-1].body, SECRETS.wrong_application_key)
    return errors + [bad.value, missing.value, refused.value]


def decode_errors(ctx):
    api = ctx.api()
    ctx.origin.queue(Canned(200, b"<html>maintenance</html>", {"Content-Type": "text/html"}),
                     Canned(200, b'{"effects": [', {"Content-Type": "application/json"}),
                     Canned(200, b"", {"Content-Type": "application/json"}))
    errors = []
    for _ in range(3):
        with pytest.raises(ApiDecodeError) as raised:
            api.track_event(new_event())
        errors.append(raised.value)
    return errors


def connection_refused(ctx):
    scheme = ctx.origin.url.split(":", 1)[0]
    if ctx.route.proxied:   # the proxy itself is down
        api = ctx.api(proxy="http://%s@127.0.0.1:%d" % (SECRETS.proxy_userinfo, closed_port()))
    else:
        api = ctx.api(host="%s://127.0.0.1:%d" % (scheme, closed_port()))
    with pytest.raises(ApiConnectionError) as raised:
        api.track_event(new_event())
    assert type(raised.value) is ApiConnectionError and "refused" in str(raised.value).lower()
    assert len(ctx.retries_logged()) == 2      # never connected, so retried (default: 2 retries)
    ctx.expect_traffic = False
    return [raised.value]


def read_timeout(ctx):
    api = ctx.api(read_timeout=0.25, retries=0)
    ctx.fake.inject_faults(Fault.slow(1.0))
    with pytest.raises(ApiTimeoutError) as raised:
        api.track_event(new_event())
    assert "read timeout" in str(raised.value)
    return [raised.value]


def retries(ctx):
    api = ctx.api()
    ctx.fake.inject_faults(Fault.unavailable(retry_after=0), times=2)
    assert isinstance(api.track_event(new_event()), talon_one.IntegrationState)
    faults, retried = 2, 2
    errors = []
    ctx.fake.inject_faults(Fault.dropped_connection())
    # Lost after sending (directly, or reported by urllib3 as a ProxyError): an idempotent PUT is sent again.
    assert isinstance(api.update_customer_session_v2("session-r", session_request()), talon_one.IntegrationStateV2)
    faults, retried = faults + 1, retried + 1
    ctx.fake.inject_faults(Fault.server_error(502), times=3)
    with pytest.raises(ServiceException) as exhausted:
        api.update_customer_session_v2("session-r", session_request())
    assert exhausted.value.status == 502
    assert ctx.fake.faults_served == faults + 3
    assert len(ctx.retries_logged()) == retried + 2
    return errors + [exhausted.value]


def async_calls(ctx):
    api = ctx.api()
    assert isinstance(api.track_event(new_event(), async_req=True).get(timeout=10), talon_one.IntegrationState)
    ctx.fake.inject_faults(500)
    result = api.track_event(new_event(), async_req=True, _retries=0)
    with pytest.raises(ServiceException) as raised:
        result.get(timeout=10)
    return [raised.value]


def raw_responses(ctx):
    api = ctx.api()
    response = api.track_event(new_event(), _preload_content=False)
    try:
        assert response.status == 200 and "event" in json.loads(response.read())
    finally:
        response.release_conn()
    ctx.fake.inject_faults(404)
    with pytest.raises(NotFoundException) as raised:
        api.track_event(new_event(), _preload_content=False, _retries=0)
    return [raised.value]


def from_environment(ctx):
    environment = {"TALON_ONE_BASE_URL": ctx.origin.url, "TALON_ONE_API_KEY": SECRETS.api_key,
                   "TALON_ONE_APPLICATION_ID": str(SECRETS.application_id),
                   "TALON_ONE_APPLICATION_KEY": SECRETS.application_key}
    for name, value in environment.items():
        ctx.monkeypatch.setenv(name, value)
    extras = {k: v for k, v in ctx.route.settings.items() if k != "host"}
    configuration = talon_one.Configuration.from_env(**extras)
    assert configuration.api_key_v1 == SECRETS.api_key and configuration.application_key == SECRETS.application_key
    client = talon_one.ApiClient(configuration)
    try:
        api = talon_one.IntegrationApi(client)
        ctx.apis.append(api)
        assert isinstance(api.track_event(new_event()), talon_one.IntegrationState)
    finally:
        client.close()
    assert ctx.origin.requests[0].headers["Authorization"] == "ApiKey-v1 " + SECRETS.api_key
    errors = []
    ctx.monkeypatch.setenv("TALON_ONE_APPLICATION_KEY", SECRETS.api_key)       # not hex
    with pytest.raises(ApiValueError) as not_hex:
        talon_one.Configuration.from_env()
    ctx.monkeypatch.delenv("TALON_ONE_BASE_URL")
    with pytest.raises(ApiValueError) as no_host:
        talon_one.Configuration.from_env()
    assert "TALON_ONE_BASE_URL" in str(no_host.value)
    return errors + [not_hex.value, no_host.value]


SCENARIOS = {
    "api key": api_key_success,
    "signed requests": signed_success,
    "error statuses": error_statuses,
    "decode errors": decode_errors,
    "connection refused": connection_refused,
    "read timeout": read_timeout,
    "retries": retries,
    "async_req": async_calls,
    "_preload_content=False": raw_responses,
    "from_env": from_environment,
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_no_credential_shows_anywhere(scenario, route, make_api, fake, capture, monkeypatch, scan, figures):
    ctx = Context(route, make_api, fake, capture, monkeypatch)
    errors = SCENARIOS[scenario](ctx)
    if ctx.expect_traffic:
        route.assert_used()
    # The capture really saw the debug log (no false negative from an empty log).
    debug_log = capture.text("talon_one")
    assert "-> " in debug_log and "<redacted>" in debug_log
    assert capture.messages("urllib3")
    scan.capture(capture)
    scan.exceptions(errors)
    for api in ctx.apis:
        scan.client(api)
    scan.assert_clean()
    figures.add("secret scan: scenarios x routes passed")


# -- credentials that are refused never show either ------------------------------------------------------

def test_refused_credentials_and_settings_are_not_echoed(http_origin, capture, scan):
    errors = []
    bad_settings = [
        ({"api_key_v1": SECRETS.api_key + "\r\nX-Injected: 1"}, ApiValueError),
        ({"api_key_v1": SECRETS.api_key + "\u20ac"}, ApiValueError),
        ({"application_key": SECRETS.application_key[:-1]}, ApiValueError),        # odd length
        ({"application_key": SECRETS.application_key + "zz"}, ApiValueError),      # not hex
        ({"application_key": SECRETS.application_key.encode()}, ApiTypeError),
        ({"host": "https://user:%s@mycompany.talon.one" % SECRETS.proxy_password}, ApiValueError),
        ({"host": "https://user:a/%s@mycompany.talon.one" % SECRETS.proxy_password}, ApiValueError),
        ({"host": "https://user:a#%s@mycompany.talon.one" % SECRETS.proxy_password}, ApiValueError),
    ]
    for settings, error_class in bad_settings:
        with pytest.raises(error_class) as raised:
            talon_one.Configuration(**settings)
        errors.append(raised.value)
    # Found only when the header is built: an API key given the official SDK's way.
    configuration = talon_one.Configuration(host=http_origin.url, api_key={"Authorization": SECRETS.api_key + "\n"},
                                            debug=True)
    with talon_one.ApiClient(configuration) as client:
        api = talon_one.IntegrationApi(client)
        with pytest.raises(ApiValueError) as at_call:
            api.track_event(new_event())
        errors.append(at_call.value)
        with pytest.raises(ApiValueError) as header:
            client.set_default_header("X-Token", SECRETS.api_key + "\r\n")
        errors.append(header.value)
        scan.client(api)
    # Signed credentials only, for an operation that accepts only the API key: refused before sending.
    signed = talon_one.Configuration(host=http_origin.url, application_id=SECRETS.application_id,
                                     application_key=SECRETS.application_key, debug=True)
    with talon_one.ApiClient(signed) as client:
        api = talon_one.IntegrationApi(client)
        with pytest.raises(MissingCredentialsError) as missing:
            api.update_customer_session_v2("session-1", session_request())
        assert "integration_auth(application_id=%d)" % SECRETS.application_id in str(missing.value)
        errors.append(missing.value)
        scan.client(api)
    assert http_origin.requests == []
    scan.capture(capture)
    scan.exceptions(errors)
    scan.assert_clean()


def test_the_signature_is_an_hmac_of_each_body_never_the_key(make_api, http_origin, capture, scan):
    api = make_api(host=http_origin.url, application_id=SECRETS.application_id,
                   application_key=SECRETS.application_key, debug=True)
    api.track_event(new_event(note="caf\u00e9 \u2603"))
    api.track_event(new_event(note="another body"))
    api.get_customer_inventory("profile-1")
    api.delete_customer_data("profile-1")
    signatures = []
    for request in http_origin.requests:
        header = request.headers["Content-Signature"]
        assert header == expected_signature(request.body)
        assert SECRETS.application_key not in header.lower()
        assert bytes.fromhex(SECRETS.application_key).hex() not in header
        signatures.append(header)
        assert header.split("signature=")[1] not in capture.text()   # redacted in the debug log too
    assert len(set(signatures)) == 3  # one per distinct body; both empty bodies sign the same b""
    assert signatures[2] == signatures[3] == expected_signature(b"")
    scan.capture(capture)
    scan.client(api)
    scan.assert_clean()
