"""AsyncApiClient and AsyncIntegrationApi on their own: the optional import, the generated surface,
the event loop a client belongs to, keep-alive, cancellation, redirects, and what a call sends.

The scenarios shared with the synchronous client (retries, timeouts, errors, auth, TLS, proxy,
drip-fed answers, the chaos run) run against both clients in their own test modules.
"""

import asyncio
import inspect
import json
import subprocess
import sys
import threading
import time

import pytest

import talon_one
from talon_one import ApiException, ApiTypeError, ApiValueError
from talon_one.aio import AsyncApiClient, AsyncIntegrationApi
from talon_one.exceptions import ApiTimeoutError

from runtime_helpers import API_KEY, APPLICATION_ID, APPLICATION_KEY
from runtime_server import Drop, Hang, Reply

pytestmark = pytest.mark.timeout(60)


def configuration(server, **settings):
    settings = dict({"api_key_v1": API_KEY, "connect_timeout": 2, "read_timeout": 5}, **settings)
    return talon_one.Configuration(host=server.url, **settings)


def event():
    return {"profileId": "p1", "sessionId": "s1", "type": "viewed", "attributes": {}}


def run_python(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


# -- the optional extra ------------------------------------------------------------------------------

def test_importing_talon_one_does_not_import_aiohttp():
    result = run_python("import sys, talon_one; talon_one.IntegrationApi; print('aiohttp' in sys.modules)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_without_aiohttp_the_import_error_names_the_extra():
    result = run_python("import sys; sys.modules['aiohttp'] = None\n"
                        "try:\n    import talon_one.aio\n"
                        "except ImportError as error:\n    print('ImportError:', error)\n")
    assert result.returncode == 0, result.stderr
    assert "ImportError:" in result.stdout and "pip install talon_one[aio]" in result.stdout


# -- the generated surface ---------------------------------------------------------------------------

def _public_methods(cls):
    return {name for name, value in vars(cls).items() if callable(value) and not name.startswith("_")}


def test_every_operation_and_its_twin_is_a_coroutine_with_the_same_arguments():
    sync_names = _public_methods(talon_one.IntegrationApi)
    assert _public_methods(AsyncIntegrationApi) == sync_names and len(sync_names) == 30
    for name in sync_names:
        method = getattr(AsyncIntegrationApi, name)
        assert inspect.iscoroutinefunction(method), name
        ours = inspect.signature(method).parameters
        theirs = inspect.signature(getattr(talon_one.IntegrationApi, name)).parameters
        # Everything but the synchronous client's thread pool and unread-response options.
        assert list(ours) == [p for p in theirs if p not in ("async_req", "_preload_content")], name
        sync_doc = getattr(talon_one.IntegrationApi, name).__doc__
        assert method.__doc__.splitlines()[0] == sync_doc.splitlines()[0], name


def test_arguments_are_checked_before_anything_is_sent(server):
    async def scenario():
        async with AsyncApiClient(configuration(server)) as client:
            api = AsyncIntegrationApi(client)
            with pytest.raises(ApiTypeError, match="profile"):
                await api.get_customer_inventory("p1", profile="yes")
            with pytest.raises(ApiValueError, match="integration_id"):
                await api.get_customer_inventory("")
            with pytest.raises(TypeError):
                await api.get_customer_inventory("p1", async_req=True)
            with pytest.raises(ApiValueError, match="body"):
                await api.track_event(None)

    asyncio.run(scenario())
    assert server.requests == []


def test_the_same_models_and_status_headers_come_back(server):
    server.script(Reply(200, {"effects": [], "event": {"type": "viewed"}}, headers={"X-Trace": "t1"}))

    async def scenario():
        async with AsyncApiClient(configuration(server)) as client:
            return await AsyncIntegrationApi(client).track_event_with_http_info(event(), dry=True)

    state, status, headers = asyncio.run(scenario())
    assert isinstance(state, talon_one.IntegrationState)
    assert status == 200 and headers["x-trace"] == "t1"
    assert server.requests[0].target == "/v1/events?dry=true"


def test_a_signed_request_is_signed_over_the_exact_bytes_sent(server):
    async def scenario():
        settings = {"application_id": APPLICATION_ID, "application_key": APPLICATION_KEY}
        async with AsyncApiClient(talon_one.Configuration(host=server.url, **settings)) as client:
            await AsyncIntegrationApi(client).track_event(event())

    asyncio.run(scenario())
    request = server.requests[0]
    expected = talon_one.testing.content_signature(APPLICATION_ID, APPLICATION_KEY, request.body)
    assert request.headers["Content-Signature"] == expected
    assert json.loads(request.body)["profileId"] == "p1"


def header_names(request):
    return sorted(name.lower() for name in request.headers.keys())


def test_both_clients_send_the_same_request(server):
    sync_client = talon_one.ApiClient(configuration(server))
    with sync_client:
        talon_one.IntegrationApi(sync_client).track_event(event(), dry=False)

    async def scenario():
        async with AsyncApiClient(configuration(server)) as client:
            await AsyncIntegrationApi(client).track_event(event(), dry=False)

    asyncio.run(scenario())
    sync_request, async_request = server.requests
    assert async_request.method == sync_request.method and async_request.target == sync_request.target
    assert async_request.body == sync_request.body
    assert header_names(async_request) == header_names(sync_request)
    for name in ("User-Agent", "Accept", "Content-Type", "Authorization", "Content-Length"):
        assert async_request.headers[name] == sync_request.headers[name], name


# -- the event loop a client belongs to ---------------------------------------------------------------

def test_a_fresh_loop_per_run_each_with_its_own_client(server):
    async def one_call():
        async with AsyncApiClient(configuration(server)) as client:
            return await AsyncIntegrationApi(client).track_event(event())

    for _ in range(3):
        assert isinstance(asyncio.run(one_call()), talon_one.IntegrationState)


def test_a_client_used_from_another_loop_says_so(server):
    client = AsyncApiClient(configuration(server))
    api = AsyncIntegrationApi(client)
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(api.track_event(event()))
        with pytest.raises(RuntimeError, match="one AsyncApiClient per event loop"):
            asyncio.run(api.track_event(event()))
        loop.run_until_complete(client.close())
    finally:
        loop.close()
    # Closed in its loop, the client may be used in another one.
    async def again():
        try:
            return await api.track_event(event())
        finally:
            await client.close()

    assert isinstance(asyncio.run(again()), talon_one.IntegrationState)
    assert len(server.requests) == 2


def test_several_loops_in_threads_each_with_its_own_client(server):
    results, errors = [], []

    def in_thread():
        async def calls():
            async with AsyncApiClient(configuration(server)) as client:
                api = AsyncIntegrationApi(client)
                return await asyncio.gather(*(api.track_event(event()) for _ in range(10)))

        try:
            results.extend(asyncio.run(calls()))
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=in_thread) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == [] and len(results) == 40


# -- connections -------------------------------------------------------------------------------------

def test_connections_are_kept_alive_and_bounded_by_the_pool_size(server):
    async def scenario():
        async with AsyncApiClient(configuration(server, connection_pool_maxsize=4)) as client:
            api = AsyncIntegrationApi(client)
            for _ in range(5):
                await api.track_event(event())
            sequential = {request.connection for request in server.requests}
            await asyncio.gather(*(api.track_event(event()) for _ in range(40)))
            return sequential

    sequential = asyncio.run(scenario())
    assert len(sequential) == 1
    assert len({request.connection for request in server.requests}) <= 4
    assert len(server.requests) == 45


@pytest.mark.parametrize("retries", [0, 1])
def test_a_put_lost_on_a_kept_alive_connection_is_sent_again_only_as_the_policy_says(server, retries):
    """aiohttp on its own re-sends an idempotent request once when a reused connection fails; the client
    turns that off (a session middleware), so the retry policy alone decides: retries=0, one delivery."""
    async def scenario():
        async with AsyncApiClient(configuration(server, retries=retries)) as client:
            async def put(n):
                return await client.call_api("/v1/things/1", "PUT", body={"n": n}, response_type="object",
                                             auth_settings=["api_key_v1"])
            await put(1)
            server.script(Drop())  # the server reads the next request on the kept-alive connection, then drops it
            if retries == 0:
                with pytest.raises(talon_one.ApiConnectionError) as raised:
                    await put(2)
                assert raised.value.may_have_been_delivered is True
            else:
                assert (await put(2))["body"] == {"n": 2}
            return await put(3)  # and the client is healthy afterwards

    assert asyncio.run(scenario())["body"] == {"n": 3}
    sent = [json.loads(request.body)["n"] for request in server.requests]
    assert sent == ([1, 2, 3] if retries == 0 else [1, 2, 2, 3])
    assert server.requests[1].connection == server.requests[0].connection  # it went out on the kept-alive one


def test_a_redirect_is_not_followed(server):
    server.script(Reply(302, b"", headers={"Location": server.url + "/v1/elsewhere"}))

    async def scenario():
        async with AsyncApiClient(configuration(server)) as client:
            await AsyncIntegrationApi(client).track_event(event())

    with pytest.raises(ApiException) as raised:
        asyncio.run(scenario())
    assert raised.value.status == 302
    assert [request.path for request in server.requests] == ["/v1/events"]


class StallMidBody:
    """Send the headers and part of the body, then stall (until the test ends), then close."""

    def __init__(self, seconds=10.0):
        self.seconds = seconds

    def perform(self, handler, record):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        handler.wfile.write(b'{"effects": [')
        handler.wfile.flush()
        handler.server.stopping.wait(self.seconds)
        handler.close_connection = True


@pytest.mark.parametrize("action", [StallMidBody, Hang], ids=["mid-body", "before-headers"])
def test_a_cancelled_call_reraises_closes_its_connection_and_never_resends(server, action):
    server.script(Reply(200, {"effects": []}), action())

    async def scenario():
        async with AsyncApiClient(configuration(server)) as client:
            api = AsyncIntegrationApi(client)
            await api.track_event(event())  # opens the connection that is then kept alive
            task = asyncio.ensure_future(api.track_event(event()))
            await asyncio.sleep(0.3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await asyncio.sleep(0.2)
            return await api.track_event(event())

    state = asyncio.run(scenario())
    assert isinstance(state, talon_one.IntegrationState)
    first, cancelled, after = server.requests
    assert cancelled.connection == first.connection  # the kept-alive connection was used ...
    assert after.connection != cancelled.connection  # ... and, left half-read, was not reused
    assert [request.method for request in server.requests] == ["POST"] * 3  # the POST was sent once


def test_a_call_cancelled_by_wait_for_ends_with_timeout_error_at_its_deadline(server):
    server.script(Hang(10))

    async def scenario():
        async with AsyncApiClient(configuration(server, read_timeout=30)) as client:
            began = time.monotonic()
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(AsyncIntegrationApi(client).track_event(event()), 0.3)
            return time.monotonic() - began

    assert asyncio.run(scenario()) < 2
    assert len(server.requests) == 1


def test_the_read_timeout_holds_and_a_post_is_not_resent(server):
    server.script(Hang(10))

    async def scenario():
        async with AsyncApiClient(configuration(server, read_timeout=0.3)) as client:
            await AsyncIntegrationApi(client).track_event(event())

    with pytest.raises(ApiTimeoutError, match="read timeout"):
        asyncio.run(scenario())
    assert len(server.requests) == 1


def test_repr_names_the_host_and_auth_without_the_key(server):
    client = AsyncApiClient(configuration(server))
    assert server.url in repr(client) and API_KEY not in repr(client)


def test_debug_logging_redacts_credentials(server, caplog):
    server.script(Reply(200, {"effects": []}))
    async def scenario():
        async with AsyncApiClient(configuration(server, debug=True)) as client:
            await AsyncIntegrationApi(client).track_event(event())

    with caplog.at_level("DEBUG", logger="talon_one"):
        asyncio.run(scenario())
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "-> POST %s/v1/events" % server.url in text and "<- POST" in text
    assert "<redacted>" in text and API_KEY not in text


def test_operations_check_the_body_with_client_side_validation(server, validation_on):
    async def scenario():
        async with AsyncApiClient(configuration(server)) as client:
            await AsyncIntegrationApi(client).update_customer_session_v2(
                "s1", {"customerSession": {"cartItems": [{"name": "x", "sku": "s", "quantity": -1, "price": 1.0}]}})

    with pytest.raises(ApiValueError, match="quantity"):
        asyncio.run(scenario())
    assert server.requests == []


def test_a_decode_error_pickles_with_its_headers(server):
    import pickle

    server.script(Reply(200, b"<html>", headers={"Content-Type": "text/html", "X-Trace": "t9"}))

    async def scenario():
        async with AsyncApiClient(configuration(server)) as client:
            await AsyncIntegrationApi(client).track_event(event())

    with pytest.raises(talon_one.ApiDecodeError) as raised:
        asyncio.run(scenario())
    copy = pickle.loads(pickle.dumps(raised.value))
    assert copy.status == 200 and copy.headers["x-trace"] == "t9"


def test_a_deprecated_operation_warns_at_the_callers_line(server):
    async def scenario():
        async with AsyncApiClient(configuration(server)) as client:
            with pytest.warns(DeprecationWarning) as caught:
                await AsyncIntegrationApi(client).update_customer_profile("p1", {"attributes": {}})  # the line
            return caught

    (warning,) = asyncio.run(scenario())
    assert "AsyncIntegrationApi.update_customer_profile is deprecated" in str(warning.message)
    assert "use AsyncIntegrationApi.update_customer_profile_v2" in str(warning.message)
    assert warning.filename == __file__
    with open(__file__, encoding="utf-8") as source:
        assert source.read().splitlines()[warning.lineno - 1].endswith("# the line")


class AnswerThenMore:
    """Answer, then (a moment later, in another segment) send a second answer nobody asked for."""

    def perform(self, handler, record):
        body = b'{"first": true}'
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
        handler.wfile.flush()
        time.sleep(0.05)
        handler.wfile.write(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n'
                            b'{"stale": true}')
        handler.wfile.flush()


def test_bytes_sent_after_an_answer_are_never_read_as_the_next_answer(server):
    """The kept-alive connection holding them is closed, and the next call gets its own answer."""
    server.script(AnswerThenMore())

    async def scenario():
        async with AsyncApiClient(configuration(server)) as client:
            first = await client.call_api("/v1/events", "POST", body={"n": 1}, response_type="object",
                                          auth_settings=["api_key_v1"])
            await asyncio.sleep(0.2)  # the unasked-for answer has arrived
            second = await client.call_api("/v1/events", "POST", body={"n": 2}, response_type="object",
                                           auth_settings=["api_key_v1"])
            return first, second

    first, second = asyncio.run(scenario())
    assert first == {"first": True}
    assert second["body"] == {"n": 2}  # the echo of this very request, not {"stale": true}
    assert server.requests[0].connection != server.requests[1].connection


class HeaderWithNulByte:
    """Answer 200 with a header value holding a NUL byte."""

    def perform(self, handler, record):
        body = b'{"ok": true}'
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("X-Trace", "a\x00b")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
        handler.close_connection = True


def test_a_response_header_with_a_nul_byte_is_refused(server):
    """aiohttp's C parser accepted it before 3.13.4 (CVE-2026-34520), one reason why the aio extra's
    floor is 3.13.5 (the minimum-versions run checks it there)."""
    server.script(HeaderWithNulByte())

    async def scenario():
        async with AsyncApiClient(configuration(server, retries=0)) as client:
            return await client.call_api("/v1/events", "POST", body={"n": 1}, response_type="object",
                                         auth_settings=["api_key_v1"])

    with pytest.raises(talon_one.ApiConnectionError) as raised:
        asyncio.run(scenario())
    assert "may have been delivered" in str(raised.value)
    assert len(server.requests) == 1


class DuplicatedHeaders:
    """Answer 200 with two Server and two Date headers, as a relaying proxy may leave them."""

    def perform(self, handler, record):
        body = b'{"ok": true}'
        handler.send_response(200)  # sends Server and Date once
        handler.send_header("Server", "relay/1.0")
        handler.send_header("Date", "Sun, 29 Nov 2026 12:00:00 GMT")
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


def test_an_answer_with_a_duplicated_server_or_date_header_is_read(server):
    """aiohttp 3.13.4 refused these (a duplicated 'singleton' header); 3.13.5 reads them again, as the
    synchronous client does: the floor of the aio extra is 3.13.5."""
    server.script(DuplicatedHeaders())

    async def scenario():
        async with AsyncApiClient(configuration(server, retries=0)) as client:
            return await client.call_api("/v1/events", "POST", body={"n": 1}, response_type="object",
                                         auth_settings=["api_key_v1"], _return_http_data_only=False)

    data, status, headers = asyncio.run(scenario())
    assert data == {"ok": True} and status == 200
    assert "relay/1.0" in headers["Server"]

