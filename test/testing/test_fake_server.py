"""The HTTP side of FakeTalonOne: lifecycle, keep-alive, routing, authentication, inspection."""

import hashlib
import hmac
import json
import socket
import threading
from pathlib import Path

import pytest
import urllib3

from talon_one.testing import FakeTalonOne, Promotions

REPO_ROOT = Path(__file__).resolve().parents[2]


def fake_threads():
    return [t for t in threading.enumerate() if t.name.startswith("FakeTalonOne")]


def connect_refused(port):
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


# --- packaging ------------------------------------------------------------------------


def test_bundled_spec_is_identical_to_the_source_of_truth():
    bundled = REPO_ROOT / "talon_one" / "testing" / "integration-api.json"
    assert bundled.read_bytes() == (REPO_ROOT / "spec" / "integration-api.json").read_bytes()


# --- lifecycle ------------------------------------------------------------------------------


def test_context_manager_serves_and_shuts_down_cleanly():
    threads_before = fake_threads()
    with FakeTalonOne(api_key="k") as fake:
        assert fake.base_url == f"http://127.0.0.1:{fake.port}"
        pool = urllib3.HTTPConnectionPool("127.0.0.1", fake.port, maxsize=1, retries=False)
        reply = pool.request("GET", "/v1/customer_profiles/x/inventory", headers={"Authorization": "ApiKey-v1 k"})
        assert reply.status == 404  # unknown profile
        port = fake.port
        # The pool keeps an idle keep-alive connection open while the server stops.
    assert not fake.running
    assert set(fake_threads()) <= set(threads_before)  # none of this fake's threads is left
    connect_refused(port)
    pool.close()


def test_start_stop_restart():
    threads_before = fake_threads()
    fake = FakeTalonOne()
    assert repr(fake) == "<FakeTalonOne not running application_id=1>"
    with pytest.raises(RuntimeError):
        fake.base_url
    fake.start()
    with pytest.raises(RuntimeError):
        fake.start()
    fake.stop()
    fake.stop()  # idempotent
    fake.start()
    assert fake.running
    fake.stop()
    assert set(fake_threads()) <= set(threads_before)  # none of this fake's threads is left


def test_repr_hides_secrets():
    with FakeTalonOne(api_key="super-secret-key", application_key="abad1dea" * 4) as fake:
        text = repr(fake)
        assert "super-secret-key" not in text and "abad1dea" not in text
        assert fake.base_url in text


def test_application_key_must_be_hex():
    with pytest.raises(ValueError):
        FakeTalonOne(application_key="not-hex")


def test_keep_alive_reuses_one_connection():
    with FakeTalonOne(api_key="k") as fake:
        pool = urllib3.HTTPConnectionPool("127.0.0.1", fake.port, maxsize=1, retries=False)
        headers = {"Authorization": "ApiKey-v1 k", "Content-Type": "application/json"}
        for n in range(5):
            body = json.dumps({"customerSession": {"profileId": f"p{n}"}})
            reply = pool.request("PUT", f"/v2/customer_sessions/s{n}", body=body, headers=headers)
            assert reply.status == 200
            assert reply.headers["Content-Length"] == str(len(reply.data))
        assert pool.num_connections == 1
        assert pool.num_requests == 5
        pool.close()


def test_http_version_and_content_type(api):
    reply = api.put("/v2/customer_profiles/alice", {})
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.headers["Server"] == "FakeTalonOne/1.0"


def test_chunked_request_body(fake):
    pool = urllib3.HTTPConnectionPool("127.0.0.1", fake.port, retries=False)
    headers = {"Authorization": f"ApiKey-v1 {fake.api_key}", "Content-Type": "application/json"}
    chunks = iter([b'{"attributes":', b' {"a": 1}}'])
    reply = pool.urlopen("PUT", "/v2/customer_profiles/alice", body=chunks, headers=headers, chunked=True)
    assert reply.status == 200
    assert fake.profiles["alice"]["attributes"] == {"a": 1}
    pool.close()


# --- routing and request errors ------------------------------------------------------------


def test_unknown_path_is_404_error_response(api):
    reply = api.get("/v1/nothing/here")
    assert reply.status == 404
    assert reply.json["message"] == "no such resource: /v1/nothing/here"


def test_wrong_method_is_405_with_allow(api):
    reply = api.get("/v1/events")
    assert reply.status == 405
    assert reply.headers["Allow"] == "POST"
    assert api.request("PATCH", "/v1/coupon_reservations/SUMMER10").headers["Allow"] == "DELETE, POST"


@pytest.mark.parametrize("raw", [b"{not json", b'{"attributes": NaN}', b"\xff\xfe", b"[1,"])
def test_invalid_json_is_400(api, raw):
    reply = api.put("/v1/customer_profiles/alice", raw=raw)
    assert reply.status == 400
    assert reply.json["errors"][0]["title"] == "Invalid JSON"
    assert reply.json["errors"][0]["source"] == {"pointer": ""}


def test_missing_required_body_is_400(api):
    reply = api.post("/v1/events")
    assert reply.status == 400
    assert reply.json["errors"][0]["title"] == "Missing request body"


def test_validation_reports_every_problem(api):
    body = {
        "customerSession": {
            "cartItems": [
                {"sku": "A", "quantity": 1.5, "price": 1},
                {"name": "n", "sku": "B", "quantity": 2, "price": True},
            ]
        }
    }
    reply = api.put("/v2/customer_sessions/s1", body)
    assert reply.status == 400
    problems = {(e["source"]["pointer"], e["title"]) for e in reply.json["errors"]}
    assert problems == {
        ("/customerSession/cartItems/0/name", "Missing required property"),
        ("/customerSession/cartItems/0/quantity", "Invalid type"),
        ("/customerSession/cartItems/1/price", "Invalid type"),
    }
    assert reply.json["message"].startswith("Invalid request: ")


@pytest.mark.parametrize("pointer, raw", [
    ("/customerSession/cartItems/0/price", b'{"customerSession": {"cartItems": [{"name": "n", "sku": "A", '
                                           b'"quantity": 1, "price": 1%s}]}}' % (b"0" * 400)),
    ("/customerSession/cartItems/0/quantity", b'{"customerSession": {"cartItems": [{"name": "n", "sku": "A", '
                                              b'"quantity": 9223372036854775808, "price": 1}]}}'),
    ("/customerSession/cartItems/0/quantity", b'{"customerSession": {"cartItems": [{"name": "n", "sku": "A", '
                                              b'"quantity": 1e300, "price": 1}]}}'),
])
def test_numbers_beyond_the_services_ranges_are_400(api, fake, pointer, raw):
    """The service reads integers as 64-bit integers and numbers as 64-bit floats: beyond those, 400."""
    reply = api.put("/v2/customer_sessions/s1", raw=raw)
    assert reply.status == 400
    assert [(e["source"]["pointer"], e["title"]) for e in reply.json["errors"]] == [(pointer, "Invalid type")]
    assert api.put("/v2/customer_sessions/s1", {"customerSession": {}}).status == 200  # still serving


def test_query_boolean_accepts_the_service_spellings(api, fake):
    for value in ("true", "True", "1", "t"):
        api.put("/v1/customer_profiles/alice", {}, fields={"dry": value})
    assert fake.profiles == {}
    api.put("/v1/customer_profiles/alice", {}, fields={"dry": "0"})
    assert "alice" in fake.profiles


# --- authentication ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "ApiKey-v1 wrong"},
        {"Authorization": "Bearer test-api-key"},
        {"Authorization": "test-api-key"},
    ],
)
def test_bad_or_missing_api_key_is_401(api, headers):
    reply = api.put("/v2/customer_profiles/alice", {}, auth=None, headers=headers)
    assert reply.status == 401
    assert "test-api-key" not in reply.data.decode()


def test_every_operation_requires_credentials(api, spec):
    for template, methods in spec["paths"].items():
        path = (
            template.replace("{couponValue}", "SUMMER10")
            .replace("{integrationId}", "alice")
            .replace("{customerSessionId}", "s1")
        )
        for method in methods:
            reply = api.request(method.upper(), path, {}, auth=None)
            assert reply.status == 401, (method, template)


def test_signed_request_is_accepted_where_allowed(api, fake):
    body = json.dumps({"attributes": {"a": 1}}).encode()
    signature = hmac.new(bytes.fromhex(fake.application_key), body, hashlib.md5).hexdigest()
    headers = {"Content-Signature": f"signer={fake.application_id}; signature={signature}"}
    reply = api.put("/v1/customer_profiles/alice", raw=body, auth=None, headers=headers)
    assert reply.status == 200
    assert fake.content_signature(body) == headers["Content-Signature"]


def test_signed_get_signs_the_empty_body(api, fake):
    api.put("/v2/customer_profiles/alice", {})
    signature = hmac.new(bytes.fromhex(fake.application_key), b"", hashlib.md5).hexdigest()
    headers = {"Content-Signature": f"signer={fake.application_id}; signature={signature}"}
    assert api.get("/v1/customer_profiles/alice/inventory", auth=None, headers=headers).status == 200


@pytest.mark.parametrize("tamper", ["body", "signer", "key"])
def test_bad_signatures_are_401(api, fake, tamper):
    body = json.dumps({"attributes": {"a": 1}}).encode()
    key = fake.application_key if tamper != "key" else "00" * 16
    signature = hmac.new(bytes.fromhex(key), body, hashlib.md5).hexdigest()
    signer = fake.application_id if tamper != "signer" else fake.application_id + 1
    sent = body if tamper != "body" else body.replace(b"1", b"2")
    headers = {"Content-Signature": f"signer={signer}; signature={signature}"}
    assert api.put("/v1/customer_profiles/alice", raw=sent, auth=None, headers=headers).status == 401
    assert fake.profiles == {}


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("PUT", "/v2/customer_sessions/s1", {"customerSession": {}}),
        ("PUT", "/v2/customer_profiles/alice", {}),
        ("PUT", "/v2/customer_profiles", {"customerProfiles": []}),
        ("POST", "/v2/customer_audiences", {"data": []}),
    ],
)
def test_api_key_only_operations_refuse_valid_signatures(api, method, path, body):
    assert api.request(method, path, body, auth="signature").status == 401
    assert api.request(method, path, body, auth="key").status in (200, 204)


def test_custom_credentials():
    with FakeTalonOne(api_key="mine", application_id=42, application_key="beef" * 8) as fake:
        pool = urllib3.HTTPConnectionPool("127.0.0.1", fake.port, retries=False)
        ok = pool.request("PUT", "/v1/customer_profiles/a", body=b"{}", headers={"Authorization": "ApiKey-v1 mine"})
        signature = hmac.new(bytes.fromhex("beef" * 8), b"{}", hashlib.md5).hexdigest()
        signed = pool.request(
            "PUT",
            "/v1/customer_profiles/b",
            body=b"{}",
            headers={"Content-Signature": f"signer=42; signature={signature}"},
        )
        assert (ok.status, signed.status) == (200, 200)
        pool.close()


# --- inspection and reset ----------------------------------------------------------------------------


def test_requests_are_recorded(api, fake):
    api.put("/v2/customer_profiles/alice", {"attributes": {"a": 1}}, fields={"runRuleEngine": "true"})
    api.get("/v1/nowhere")
    first, second = fake.requests
    assert (first.method, first.path, first.query) == ("PUT", "/v2/customer_profiles/alice", {"runRuleEngine": "true"})
    assert first.json == {"attributes": {"a": 1}}
    assert first.body == b'{"attributes": {"a": 1}}'
    assert first.headers["Authorization"] == f"ApiKey-v1 {fake.api_key}"
    assert (first.operation_id, first.status, first.fault) == ("updateCustomerProfileV2", 200, None)
    assert (second.operation_id, second.status, second.json) == (None, 404, None)
    assert "Authorization" not in repr(first) and fake.api_key not in repr(first)


def test_requests_snapshot_is_a_copy(api, fake):
    api.put("/v2/customer_profiles/alice", {})
    fake.requests[0].query["x"] = "y"
    fake.profiles["alice"]["attributes"]["x"] = 1
    assert fake.requests[0].query == {}
    assert fake.profiles["alice"]["attributes"] == {}


def test_reset_clears_state_requests_and_faults(api, fake):
    api.session_v2(
        "s1",
        profileId="alice",
        couponCodes=["ONCEONLY"],
        cartItems=[{"name": "n", "sku": "s", "quantity": 1, "price": 9}],
        state="closed",
    )
    fake.inject_faults(503, times=3)
    fake.reset()
    assert (fake.profiles, fake.sessions, fake.events, fake.referrals, fake.requests) == ({}, {}, [], {}, [])
    assert fake.pending_faults == 0 and fake.faults_served == 0
    assert fake.coupons["ONCEONLY"]["usageCounter"] == 0
    assert api.put("/v2/customer_profiles/alice", {}).status == 200


def test_reset_with_promotions_replaces_them(fake):
    fake.reset(promotions=Promotions())
    assert fake.coupons == {}
    fake.reset()
    assert fake.coupons == {}


def test_recording_can_be_disabled():
    with FakeTalonOne(record_requests=False) as fake:
        pool = urllib3.HTTPConnectionPool("127.0.0.1", fake.port, retries=False)
        pool.request("GET", "/")
        assert fake.requests == []
        pool.close()


def test_expect_100_continue_is_answered_before_the_body(fake):
    body = b'{"attributes": {"a": 1}}'
    with socket.create_connection(("127.0.0.1", fake.port), timeout=5) as connection:
        connection.sendall(
            b"PUT /v1/customer_profiles/alice HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
            + f"Authorization: ApiKey-v1 {fake.api_key}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        )
        assert connection.recv(1024).startswith(b"HTTP/1.1 100 Continue")
        connection.sendall(body)
        assert connection.recv(65536).startswith(b"HTTP/1.1 200 OK")
    assert fake.profiles["alice"]["attributes"] == {"a": 1}


def test_malformed_http_gets_a_json_error(fake):
    with socket.create_connection(("127.0.0.1", fake.port), timeout=5) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 200 + b"\r\n")
        reply = connection.recv(65536)
    assert reply.startswith(b"HTTP/1.1 431")
    assert b"Content-Type: application/json" in reply
