"""Authentication on the wire: the API key header, signed requests, missing credentials."""

import hashlib
import hmac

import pytest

from talon_one.exceptions import ApiValueError, MissingCredentialsError

from runtime_helpers import API_KEY, API_KEY_ONLY, APPLICATION_ID, APPLICATION_KEY, BOTH_SCHEMES, SESSION_PATH


@pytest.fixture(params=["sync", "asyncio"])
def client_kind(request):
    """These scenarios hold for ApiClient and AsyncApiClient alike: each runs with both."""
    return request.param


def expected_signature(body):
    digest = hmac.new(bytes.fromhex(APPLICATION_KEY), body, hashlib.md5).hexdigest()
    return "signer=%d; signature=%s" % (APPLICATION_ID, digest)


def test_api_key_is_sent_with_its_prefix(server, client):
    client.call_api(SESSION_PATH, "PUT", path_params={"customerSessionId": "s1"}, body={"a": 1},
                    response_type="object", auth_settings=API_KEY_ONLY)
    (request,) = server.requests
    assert request.headers["Authorization"] == "ApiKey-v1 " + API_KEY
    assert request.headers.get("Content-Signature") is None


def test_official_style_api_key_is_sent(server, make_client):
    client = make_client(api_key={"Authorization": API_KEY}, api_key_prefix={"Authorization": "ApiKey-v1"})
    client.call_api("/v1/events", "POST", body={}, auth_settings=BOTH_SCHEMES)
    assert server.requests[0].headers["Authorization"] == "ApiKey-v1 " + API_KEY


def test_api_key_is_preferred_when_both_are_configured(server, make_client):
    client = make_client(api_key_v1=API_KEY, application_id=APPLICATION_ID, application_key=APPLICATION_KEY)
    client.call_api("/v1/events", "POST", body={"x": 1}, auth_settings=BOTH_SCHEMES)
    request = server.requests[0]
    assert request.headers["Authorization"] == "ApiKey-v1 " + API_KEY
    assert request.headers.get("Content-Signature") is None


def test_signed_request_carries_hmac_md5_of_the_exact_body(server, make_client):
    client = make_client(application_id=APPLICATION_ID, application_key=APPLICATION_KEY)
    body = {"profileId": "p1", "cartItems": [{"name": "Kaffee \u2615", "price": 9.5}]}
    client.call_api("/v1/customer_sessions/{customerSessionId}", "PUT",
                    path_params={"customerSessionId": "s1"}, body=body, auth_settings=BOTH_SCHEMES)
    request = server.requests[0]
    assert request.body  # signed over what actually arrived
    assert request.headers["Content-Signature"] == expected_signature(request.body)
    assert request.headers.get("Authorization") is None


@pytest.mark.parametrize("method", ["GET", "DELETE", "POST"])
def test_request_without_body_signs_the_empty_body(server, make_client, method):
    client = make_client(application_id=APPLICATION_ID, application_key=APPLICATION_KEY)
    client.call_api("/v1/customer_data/{integrationId}", method, path_params={"integrationId": "p1"},
                    auth_settings=BOTH_SCHEMES)
    request = server.requests[0]
    assert request.body == b""
    assert request.headers["Content-Signature"] == expected_signature(b"")


def test_retried_signed_request_carries_the_same_valid_signature(server, make_client):
    from runtime_server import Reply
    server.script(Reply(502))
    client = make_client(application_id=APPLICATION_ID, application_key=APPLICATION_KEY)
    client.call_api("/v1/customer_profiles/{integrationId}", "PUT", path_params={"integrationId": "p"},
                    body={"attributes": {"n": 1}}, auth_settings=BOTH_SCHEMES)
    first, second = server.requests
    assert first.body == second.body
    assert second.headers["Content-Signature"] == expected_signature(second.body)


def test_api_key_only_operation_without_api_key_fails_before_sending(server, make_client):
    client = make_client(application_id=APPLICATION_ID, application_key=APPLICATION_KEY)
    with pytest.raises(MissingCredentialsError) as raised:
        client.call_api(SESSION_PATH, "PUT", path_params={"customerSessionId": "s"}, body={},
                        auth_settings=API_KEY_ONLY)
    assert isinstance(raised.value, ApiValueError)
    text = str(raised.value)
    assert "accepts only an API key" in text and SESSION_PATH in text
    assert APPLICATION_KEY not in text
    assert server.requests == []


def test_no_credentials_at_all_fails_before_sending(server, make_client):
    client = make_client(api_key={})
    with pytest.raises(MissingCredentialsError, match="no credentials"):
        client.call_api("/v1/events", "POST", body={}, auth_settings=BOTH_SCHEMES)
    assert server.requests == []


def test_application_key_without_application_id_is_explained(server, make_client):
    client = make_client(application_key=APPLICATION_KEY)
    with pytest.raises(MissingCredentialsError, match="application_id"):
        client.call_api("/v1/events", "POST", body={}, auth_settings=BOTH_SCHEMES)


def test_api_key_changed_after_first_call_is_used(server, client):
    client.call_api("/v1/events", "POST", body={}, auth_settings=BOTH_SCHEMES)
    client.configuration.api_key["Authorization"] = "rotated-key"
    client.call_api("/v1/events", "POST", body={}, auth_settings=BOTH_SCHEMES)
    assert server.requests[1].headers["Authorization"] == "ApiKey-v1 rotated-key"


def test_api_key_with_line_break_assigned_directly_is_refused_before_sending(server, client):
    client.configuration.api_key["Authorization"] = "key\r\nX-Injected: yes"
    with pytest.raises(ApiValueError) as raised:
        client.call_api("/v1/events", "POST", body={}, auth_settings=BOTH_SCHEMES)
    assert "X-Injected" not in str(raised.value)
    assert server.requests == []
