"""Where the asyncio client reads an answer's framing differently from the synchronous client, as the
README says (Asyncio: Transport): aiohttp's parser refuses some answers urllib3 reads, and a
POST answered so ends as ApiConnectionError that may have been delivered. Everything else about
framing (answers never swapped between calls) holds for both: test_interim_answers_and_framing.py."""

import asyncio

import pytest

import talon_one
from talon_one.aio import AsyncApiClient, AsyncIntegrationApi
from talon_one.exceptions import ApiConnectionError
from talon_one.retries import RetryPolicy

from scripted_server import ScriptedServer

pytestmark = pytest.mark.timeout(60)

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"

# Each answer (what is written at once, then what is written 0.1 s later), and whether aiohttp's
# parser refuses it (the synchronous client reads them all).
ANSWERS = {
    # RFC 9112 section 6.3: a response-splitting sign.
    "chunked-and-content-length": (HEAD + b"Transfer-Encoding: chunked\r\nContent-Length: 200\r\n\r\n"
                                   b"2\r\n{}\r\n0\r\n\r\n", b"", True),
    # Bytes after the Content-Length body, in the same write: aiohttp parses them as the next answer's
    # status line, and the error takes the whole read with it.
    "bytes-after-the-body-same-write": (HEAD + b"Content-Length: 2\r\n\r\n{}XX", b"", True),
    # RFC 9110 section 8.6: Content-Length is digits. urllib3 reads such an answer up to the close.
    "non-numeric-content-length": (HEAD + b"Content-Length: abc\r\n\r\n{}", b"", True),
    # The same bytes after the body, arriving later: the answer is read by both clients (and the
    # connection not reused, see test_aio_client.py).
    "bytes-after-the-body-later": (HEAD + b"Content-Length: 2\r\n\r\n{}", b"XX", False),
}


def serve(first, later):
    def handler(connection, request):
        connection.sendall(first)
        if later:
            server.stopping.wait(0.1)
            connection.sendall(later)
        return False  # the server closes the connection after its answer

    server = ScriptedServer(handler)
    return server


def configuration(server):
    return talon_one.Configuration(host=server.url, api_key_v1="k", connect_timeout=2, read_timeout=5,
                                   retries=RetryPolicy(max_retries=2, sleep=lambda seconds: None))


def event():
    return talon_one.NewEvent(type="viewed", attributes={}, session_id="s1", profile_id="p1")


@pytest.mark.parametrize("case", sorted(ANSWERS))
def test_a_post_answered_with_unusual_framing_by_each_client(case):
    first, later, refused_by_aiohttp = ANSWERS[case]
    with serve(first, later) as server:
        with talon_one.ApiClient(configuration(server)) as client:
            assert isinstance(talon_one.IntegrationApi(client).track_event(event()), talon_one.IntegrationState)

        async def track():
            async with AsyncApiClient(configuration(server)) as client:
                return await AsyncIntegrationApi(client).track_event(event())

        if refused_by_aiohttp:
            with pytest.raises(ApiConnectionError, match="connection lost: ClientResponseError: 400") as caught:
                asyncio.run(asyncio.wait_for(track(), 20))
            assert caught.value.may_have_been_delivered
        else:
            assert isinstance(asyncio.run(asyncio.wait_for(track(), 20)), talon_one.IntegrationState)
        assert len(server.requests) == 2  # one each: a POST is never sent again
