"""Logging: debug mode shows requests and responses, never a credential; neither do errors."""

import hashlib
import hmac
import logging

import pytest

import talon_one
from talon_one.exceptions import ApiException

from runtime_helpers import API_KEY, API_KEY_ONLY, APPLICATION_ID, APPLICATION_KEY, BOTH_SCHEMES
from runtime_server import Drop, Reply, closed_port

SECRETS = (API_KEY, APPLICATION_KEY, "proxysecret")


@pytest.fixture(params=["sync", "asyncio"])
def client_kind(request):
    """These scenarios hold for ApiClient and AsyncApiClient alike: each runs with both."""
    return request.param


def assert_no_secret(text):
    for secret in SECRETS:
        assert secret not in text


def test_debug_logs_requests_and_responses_with_credentials_redacted(server, make_client, caplog):
    client = make_client(api_key_v1=API_KEY, application_id=APPLICATION_ID, application_key=APPLICATION_KEY,
                         debug=True)
    server.script(Reply(200, {"effects": []}, headers={"Set-Cookie": "sid=servercookie"}),
                  Reply(200, {"event": "ok"}))
    with caplog.at_level(logging.DEBUG, logger="talon_one"):
        client.call_api("/v2/customer_sessions/{customerSessionId}", "PUT", path_params={"customerSessionId": "s1"},
                        body={"cartItems": [{"sku": "SKU-1"}]}, response_type="object",
                        auth_settings=API_KEY_ONLY)
        client.configuration.api_key.clear()
        client.call_api("/v1/events", "POST", body={"type": "signed"}, response_type="object",
                        auth_settings=BOTH_SCHEMES)
    text = caplog.text
    signed_body = server.requests[1].body
    signature = hmac.new(bytes.fromhex(APPLICATION_KEY), signed_body, hashlib.md5).hexdigest()
    assert "PUT http://127.0.0.1" in text and "SKU-1" in text and "effects" in text
    assert "<redacted>" in text
    assert_no_secret(text)
    assert signature not in text
    assert "servercookie" not in text


def test_without_debug_the_debug_level_shows_only_one_line_per_exchange(server, client, caplog):
    with caplog.at_level(logging.DEBUG, logger="talon_one"):
        client.call_api("/v1/events", "POST", body={"marker": "BODY-MARKER"}, auth_settings=BOTH_SCHEMES)
    assert "BODY-MARKER" not in caplog.text
    assert "-> POST" in caplog.text and "<- POST" in caplog.text
    assert_no_secret(caplog.text)


def test_nothing_is_logged_at_the_default_level(server, client, caplog):
    with caplog.at_level(logging.WARNING, logger="talon_one"):
        client.call_api("/v1/events", "POST", body={}, auth_settings=BOTH_SCHEMES)
    assert [r for r in caplog.records if r.name.startswith("talon_one")] == []


def test_debug_flag_sets_the_logger_level_and_can_be_turned_off():
    logger = logging.getLogger("talon_one")
    logger.setLevel(logging.WARNING)
    configuration = talon_one.Configuration(debug=True)
    assert logger.level == logging.DEBUG
    configuration.debug = False
    assert logger.level == logging.WARNING


@pytest.mark.parametrize("scenario", ["refused", "dropped", "status"])
def test_exception_text_has_no_credentials(server, make_client, scenario, caplog):
    settings = dict(api_key_v1=API_KEY, application_id=APPLICATION_ID, application_key=APPLICATION_KEY,
                    proxy=None, debug=True)
    if scenario == "refused":
        settings["host"] = "http://127.0.0.1:%d" % closed_port()
    client = make_client(**settings)
    if scenario == "dropped":
        server.script(Drop())
    if scenario == "status":
        server.script(Reply(401, {"message": "invalid credentials"}))
    with caplog.at_level(logging.DEBUG, logger="talon_one"):
        with pytest.raises(ApiException) as raised:
            client.call_api("/v1/events", "POST", body={}, auth_settings=BOTH_SCHEMES)
    error = raised.value
    chain = [error]
    while chain[-1].__cause__ is not None and len(chain) < 10:
        chain.append(chain[-1].__cause__)
    for item in chain:
        assert_no_secret(str(item))
        assert_no_secret(repr(item))
    assert_no_secret(caplog.text)


def test_proxy_credentials_never_show(server, make_client, caplog):
    client = make_client(proxy="http://proxyuser:proxysecret@127.0.0.1:%d" % closed_port(), debug=True)
    with caplog.at_level(logging.DEBUG, logger="talon_one"):
        with pytest.raises(talon_one.ApiConnectionError) as raised:
            client.call_api("/v1/events", "POST", body={}, auth_settings=BOTH_SCHEMES)
    assert_no_secret(str(raised.value))
    assert_no_secret(repr(raised.value.__cause__))
    assert_no_secret(caplog.text)
    assert_no_secret(repr(client.configuration))
