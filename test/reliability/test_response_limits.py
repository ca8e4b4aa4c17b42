"""No answer can make the client use unbounded memory: `max_response_bytes` (64 MiB by default)
caps the announced length, the bytes read and the bytes once decompressed, and crossing it
raises ResponseTooLargeError at once, closing the connection.
"""

import gzip
import json
import os
import subprocess
import sys
import textwrap
import time
import tracemalloc
import zlib

import pytest

import talon_one
from talon_one import rest
from talon_one.configuration import DEFAULT_MAX_RESPONSE_BYTES
from talon_one.exceptions import ApiConnectionError, ApiDecodeError, ApiValueError, ResponseTooLargeError
from talon_one.retries import RetryPolicy

from clients import AsyncClientBridge
from scripted_server import ScriptedServer, response_bytes

# Transport-level behaviour: every test runs with both real transports (conftest.each_transport).
pytestmark = [pytest.mark.usefixtures("each_transport"), pytest.mark.timeout(120)]

MIB = 1 << 20


_kind = ["sync"]


@pytest.fixture(params=["sync", "asyncio"], autouse=True)
def client_kind(request):
    """Each limit holds for ApiClient and AsyncApiClient alike: client_for builds the one of this run."""
    _kind[0] = request.param
    yield request.param
    _kind[0] = "sync"


def client_for(server, **settings):
    settings.setdefault("retries", RetryPolicy(max_retries=2, sleep=lambda seconds: None))
    configuration = talon_one.Configuration(host=server.url, connect_timeout=2, read_timeout=5, **settings)
    return AsyncClientBridge(configuration) if _kind[0] == "asyncio" else talon_one.ApiClient(configuration)


def call(client, name="a", method="GET"):
    return client.call_api("/v1/echo/{name}", method, path_params={"name": name}, response_type="object",
                           auth_settings=[], _return_http_data_only=True)


@pytest.fixture(scope="module")
def gzip_bomb():
    """About 3 MB of gzip (48 members of 64 MiB of zeros) that expands to 3 GiB."""
    member = gzip.compress(b"\0" * (64 * MIB), 9)
    return member * 48


def then_echo(first):
    """A handler answering the first request with `first`, later ones with their own path."""
    seen = []

    def answer(connection, request):
        seen.append(request)
        if len(seen) == 1:
            connection.sendall(first(request) if callable(first) else first)
            return True
        connection.sendall(response_bytes(body=json.dumps({"target": request.target})))
        return True
    return answer


def test_the_client_asks_only_for_the_codings_it_decodes():
    with ScriptedServer(then_echo(response_bytes(body=b"{}"))) as server, client_for(server) as client:
        call(client)
    assert server.requests[0].headers["accept-encoding"] == "gzip, deflate" == rest.ACCEPT_ENCODING


def test_a_gzip_bomb_is_refused_past_the_limit_without_inflating_it(gzip_bomb, figures):
    answer = response_bytes(body=gzip_bomb, headers=[("Content-Encoding", "gzip")])
    with ScriptedServer(then_echo(answer)) as server, client_for(server) as client:
        tracemalloc.start()
        try:
            with pytest.raises(ResponseTooLargeError) as raised:
                call(client)
            growth = tracemalloc.get_traced_memory()[1] / MIB  # the peak of Python's allocations
        finally:
            tracemalloc.stop()
        assert call(client, "b") == {"target": "/v1/echo/b"}
    error = raised.value
    assert error.status == 200 and error.limit == DEFAULT_MAX_RESPONSE_BYTES
    assert DEFAULT_MAX_RESPONSE_BYTES < error.size <= DEFAULT_MAX_RESPONSE_BYTES + 2 * MIB
    assert "once decompressed" in str(error)
    assert len(server.requests) == 2  # not retried
    assert growth < 256, "the call's allocations peaked at %d MiB" % growth
    figures.set("bombs: gzip bomb (%.1f MB expanding to 3 GiB): the call's peak allocations (MiB)"
                % (len(gzip_bomb) / 1e6), round(growth))


@pytest.mark.parametrize("wrapper", ["zlib", "raw"])
def test_a_deflate_bomb_is_refused_past_the_limit(wrapper, figures):
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS if wrapper == "zlib" else -zlib.MAX_WBITS)
    bomb = compressor.compress(b"\0" * (256 * MIB)) + compressor.flush()
    answer = response_bytes(body=bomb, headers=[("Content-Encoding", "deflate")])
    with ScriptedServer(then_echo(answer)) as server, client_for(server, max_response_bytes=16 * MIB) as client:
        with pytest.raises(ResponseTooLargeError) as raised:
            call(client)
    assert 16 * MIB < raised.value.size <= 17 * MIB
    figures.add("bombs: gzip/deflate bombs refused (ResponseTooLargeError)")


def test_compressed_answers_within_the_limit_are_decoded():
    state = json.dumps({"padding": "x" * 100000, "n": 1}).encode()
    body = gzip.compress(state) + gzip.compress(b"")  # two members, the second empty
    with ScriptedServer(then_echo(response_bytes(body=body, headers=[("Content-Encoding", "gzip")]))) as server, \
            client_for(server) as client:
        assert call(client)["n"] == 1
    with ScriptedServer(then_echo(response_bytes(body=zlib.compress(state), headers=[("Content-Encoding", "deflate")]))) \
            as server, client_for(server) as client:
        assert call(client)["n"] == 1


def test_a_coding_the_client_did_not_ask_for_is_refused_naming_it():
    answer = response_bytes(body=b"\x8b\x02\x80{}\x03", headers=[("Content-Encoding", "br")])
    with ScriptedServer(then_echo(answer)) as server, client_for(server) as client:
        with pytest.raises(ApiConnectionError, match="Content-Encoding 'br' is not supported"):
            call(client)


def test_an_announced_length_over_the_limit_is_refused_before_reading_the_body(figures):
    announced = 500 * 1000 * 1000
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{" % announced
    with ScriptedServer(then_echo(head)) as server, client_for(server) as client:
        with pytest.raises(ResponseTooLargeError) as raised:
            call(client)
        assert call(client, "b") == {"target": "/v1/echo/b"}
    assert raised.value.size == announced and "Content-Length announces 500000000 bytes" in str(raised.value)
    assert server.connections == 2
    figures.add("oversized bodies: announced lengths over the limit refused before reading")


@pytest.mark.parametrize("framing", ["chunked", "until-close"])
def test_an_endless_body_is_refused_once_the_limit_is_read(framing, figures):
    block = b" " * 65536

    def endless(connection, request):
        if len(server.requests) > 1:
            connection.sendall(response_bytes(body=json.dumps({"target": request.target})))
            return True
        if framing == "chunked":
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked"
                               b"\r\n\r\n1\r\n[\r\n")
            piece = b"%x\r\n%s\r\n" % (len(block), block)
        else:
            connection.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n[")
            piece = block
        sent = 0
        while not server.stopping.is_set() and sent < 4 * 1024 * MIB:  # bounded: 4 GiB
            connection.sendall(piece)
            sent += len(block)
        return False

    with ScriptedServer(endless) as server, client_for(server) as client:
        with pytest.raises(ResponseTooLargeError) as raised:
            call(client)
        assert call(client, "b") == {"target": "/v1/echo/b"}
    assert DEFAULT_MAX_RESPONSE_BYTES < raised.value.size <= DEFAULT_MAX_RESPONSE_BYTES + 65536
    assert "more than %d bytes were read" % DEFAULT_MAX_RESPONSE_BYTES in str(raised.value)
    figures.add("oversized bodies: endless bodies (chunked, until close) refused at the limit")


def test_an_error_answer_is_held_to_the_limit_too():
    answer = response_bytes(500, b"x" * (2 * MIB), content_type="text/plain")
    with ScriptedServer(then_echo(answer)) as server, client_for(server, max_response_bytes=MIB) as client:
        with pytest.raises(ResponseTooLargeError) as raised:
            call(client, method="PUT")
    assert raised.value.status == 500 and len(server.requests) == 1


@pytest.mark.parametrize("client_kind", ["sync"])  # the asyncio client always reads the answer whole
def test_a_streamed_answer_is_the_callers_to_read():
    """With _preload_content=False the caller reads the body, as much as it wants."""
    body = b"[" + b" " * (2 * MIB) + b"]"
    with ScriptedServer(then_echo(response_bytes(body=body))) as server, \
            client_for(server, max_response_bytes=MIB) as client:
        response = client.call_api("/v1/echo/{name}", "GET", path_params={"name": "a"}, response_type="object",
                                   auth_settings=[], _return_http_data_only=True, _preload_content=False)
        try:
            assert response.data == body
        finally:
            response.release_conn()


def test_decoding_stops_at_the_deadline(gzip_bomb):
    with pytest.raises(rest.u3.ReadTimeoutError):
        rest.decode_body(gzip_bomb, ["gzip"], 4096 * MIB, time.monotonic(), lambda: (200, "OK", {}))


@pytest.mark.parametrize("value", [0, -1])
def test_max_response_bytes_must_be_positive(value):
    with pytest.raises(ApiValueError, match="max_response_bytes"):
        talon_one.Configuration(max_response_bytes=value)


def test_the_error_survives_pickling_and_rebuilding():
    import pickle
    error = ResponseTooLargeError(200, "OK", limit=10, size=11, detail="GET /x: too large")
    for copy in (pickle.loads(pickle.dumps(error)), type(error)(*error.args)):
        assert (copy.status, copy.limit, copy.size, str(copy)) == (200, 10, 11, str(error))


@pytest.mark.parametrize("number", ["1e999", "-1e999", "1E400", "123456789e310"])
def test_a_number_that_overflows_to_infinity_is_refused_like_infinity(number):
    answer = response_bytes(body='{"total": %s}' % number)
    with ScriptedServer(then_echo(answer)) as server, client_for(server) as client:
        with pytest.raises(ApiDecodeError, match="not a finite number"):
            call(client)


MEMORY_SCRIPT = textwrap.dedent("""
    import resource, sys
    import talon_one
    with open("/proc/self/status") as status:  # what the interpreter already maps, plus a margin
        mapped = [int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:")][0]
    resource.setrlimit(resource.RLIMIT_AS, (mapped + int(sys.argv[2]), mapped + int(sys.argv[2])))
    configuration = talon_one.Configuration(host=sys.argv[1], max_response_bytes=1 << 40, retries=0)
    client = talon_one.ApiClient(configuration)
    try:
        client.call_api("/v1/echo/{name}", "GET", path_params={"name": "a"}, response_type="object",
                        auth_settings=[])
    except talon_one.ResponseTooLargeError as error:
        print("raised", type(error).__name__, error.limit)
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS as Linux applies it")
def test_under_a_memory_limit_no_raw_memory_error_escapes(tmp_path):
    size = 1500 * MIB  # more than the child may allocate, sent for real

    def large(connection, request):
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                           % size)
        block = b" " * MIB
        for _ in range(size // MIB):
            if server.stopping.is_set():
                break
            connection.sendall(block)  # ends with an error once the child has given up
        return False

    script = tmp_path / "memory_limit.py"
    script.write_text(MEMORY_SCRIPT, encoding="utf-8")
    with ScriptedServer(large) as server:
        process = subprocess.run([sys.executable, str(script), server.url, str(600 * MIB)], capture_output=True,
                                 timeout=60, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert process.returncode == 0, process.stderr.decode()
    assert b"raised ResponseTooLargeError %d" % (1 << 40) in process.stdout
