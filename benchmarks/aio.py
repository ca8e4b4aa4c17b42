"""python -m benchmarks aio: the asyncio client (talon_one.aio) against a raw aiohttp floor.

Same server as the call measurements (benchmarks/server.py, its own process), same
request and the same ~30 KB IntegrationStateV2 answer. The floor is aiohttp itself:
one ClientSession with the same connection limit, the body encoded with json.dumps,
the answer read whole and parsed with json.loads (no models), as the synchronous
benchmarks' urllib3 floor does.

* round trip: one call at a time on one client, alternating with the floor; and the same
  exchange through the client's transport alone (AiohttpTransport.send + json.loads: the
  retry loop, timeouts and deadline, no models), which shows what is transport and what is
  the models' work (encoding and validating the request, decoding the answer into models);
* 100 concurrent calls on one client: calls/s of 100 tasks, vs the floor, and vs 8
  threads sharing one synchronous ApiClient (the way to get concurrency without asyncio);
* the loop hold: how long decoding one 30 KB answer (ClientCore.handle_response, the code
  both clients run) keeps the event loop busy, beside the same decode in the synchronous client.
"""

import asyncio
import json
import statistics
import threading
import time

import aiohttp

import talon_one
from benchmarks import data
from talon_one.aio import AsyncApiClient, AsyncIntegrationApi
from talon_one.aio._transport import AsyncResponse
from talon_one.rest_official import RESTResponse

TASKS = 100
POOL = 100
SESSION_PATH = "/v2/customer_sessions/session-1"
HEADERS = {"Content-Type": "application/json", "Accept": "application/json", "Authorization": "ApiKey-v1 bench-key"}


class Result:
    def __init__(self, ours, floor):
        self.ours = statistics.median(ours)
        self.floor = statistics.median(floor)
        self.ratio = statistics.median(o / f for o, f in zip(ours, floor))
        self.ratios = sorted(o / f for o, f in zip(ours, floor))


def _configuration(url):
    return talon_one.Configuration(host=url, api_key_v1="bench-key", connection_pool_maxsize=POOL)


# The client's default timeouts (5 s connect, 30 s per read, a 60 s budget for the call), for the floor.
CLIENT_TIMEOUTS = aiohttp.ClientTimeout(total=60, connect=5, sock_read=30)


async def _sides(url, request, payload, floor_timeouts=False):
    client = AsyncApiClient(_configuration(url))
    api = AsyncIntegrationApi(client)
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=POOL),
                                    timeout=CLIENT_TIMEOUTS if floor_timeouts else aiohttp.client.DEFAULT_TIMEOUT)
    target = url + SESSION_PATH

    async def ours():
        return await api.update_customer_session_v2("session-1", request)

    async def floor():
        async with session.put(target, data=json.dumps(payload).encode("utf-8"), headers=HEADERS) as response:
            return json.loads(await response.read())

    assert isinstance(await ours(), talon_one.IntegrationStateV2) and "effects" in await floor()
    return client, session, ours, floor


async def _round_trip(url, request, payload, rounds, number=40, transport_only=False, floor_timeouts=False):
    client, session, ours, floor = await _sides(url, request, payload, floor_timeouts)
    if transport_only:  # the floor's JSON work, through the client's transport: no models
        target = url + SESSION_PATH
        headers = dict(client.default_headers, **HEADERS)

        async def ours():
            response = await client.transport.send("PUT", target, headers, json.dumps(payload).encode("utf-8"))
            return json.loads(response.data)
    times = {"ours": [], "floor": []}
    try:
        for index in range(rounds):
            order = (("ours", ours), ("floor", floor)) if index % 2 else (("floor", floor), ("ours", ours))
            for name, call in order:
                start = time.perf_counter()
                for _ in range(number):
                    await call()
                times[name].append((time.perf_counter() - start) / number)
    finally:
        await client.close()
        await session.close()
    return Result(times["ours"], times["floor"])


async def _concurrent(url, request, payload, rounds, calls_per_task=4):
    client, session, ours, floor = await _sides(url, request, payload)

    async def throughput(call):
        async def task():
            for _ in range(calls_per_task):
                await call()

        start = time.perf_counter()
        await asyncio.gather(*(task() for _ in range(TASKS)))
        return TASKS * calls_per_task / (time.perf_counter() - start)

    rates = {"ours": [], "floor": []}
    try:
        await throughput(ours)  # open the connections on both sides first
        await throughput(floor)
        for index in range(rounds):
            order = (("ours", ours), ("floor", floor)) if index % 2 else (("floor", floor), ("ours", ours))
            for name, call in order:
                rates[name].append(await throughput(call))
    finally:
        await client.close()
        await session.close()
    return rates


def _threads(url, request, rounds, threads=8, calls=50):
    with talon_one.ApiClient(talon_one.Configuration(host=url, api_key_v1="bench-key")) as client:
        api = talon_one.IntegrationApi(client)

        def throughput():
            barrier = threading.Barrier(threads + 1)

            def worker():
                barrier.wait()
                for _ in range(calls):
                    api.update_customer_session_v2("session-1", request)

            workers = [threading.Thread(target=worker) for _ in range(threads)]
            for thread in workers:
                thread.start()
            barrier.wait()
            start = time.perf_counter()
            for thread in workers:
                thread.join()
            return threads * calls / (time.perf_counter() - start)

        throughput()
        return [throughput() for _ in range(rounds)]


def _loop_hold(rounds, number=50):
    """Seconds one 30 KB decode keeps the thread (the event loop's, in the asyncio client) busy:
    handle_response on the asyncio client's response and on the synchronous client's, interleaved."""
    import urllib3

    raw = json.dumps(data.integration_state(1), separators=(",", ":")).encode("utf-8")
    headers = urllib3.HTTPHeaderDict({"Content-Type": "application/json"})
    async_client = AsyncApiClient(talon_one.Configuration(host="http://127.0.0.1:1", api_key_v1="k"))
    sync_client = talon_one.ApiClient(talon_one.Configuration(host="http://127.0.0.1:1", api_key_v1="k"))
    async_response = AsyncResponse(200, "OK", headers, raw)
    sync_response = RESTResponse(urllib3.HTTPResponse(body=raw, headers=headers, status=200, preload_content=True))

    def timed(client, response):
        start = time.perf_counter()
        for _ in range(number):
            client.handle_response(response, "IntegrationStateV2")
        return (time.perf_counter() - start) / number

    timed(async_client, async_response)
    timed(sync_client, sync_response)
    ours, floor = [], []
    for _ in range(rounds):
        ours.append(timed(async_client, async_response))
        floor.append(timed(sync_client, sync_response))
    sync_client.close()
    return Result(ours, floor), len(raw)


def run(url, rounds):
    """{name: Result} of the asyncio measurements against the server at `url`."""
    from benchmarks.__main__ import request_model  # the request an integration builds

    request = request_model(20)
    payload = data.session_request(20)
    round_trip = asyncio.run(_round_trip(url, request, payload, rounds))
    transport = asyncio.run(_round_trip(url, request, payload, rounds, transport_only=True))
    with_timeouts = asyncio.run(_round_trip(url, request, payload, rounds, floor_timeouts=True))
    rates = asyncio.run(_concurrent(url, request, payload, rounds))
    threads = _threads(url, request, rounds)
    hold, size = _loop_hold(rounds)
    return {
        "async round trip": round_trip,
        "transport round trip": transport,
        "round trip, floor with timeouts": with_timeouts,
        "async concurrent": Result(rates["ours"], rates["floor"]),
        "async vs threads": Result(rates["ours"], threads),
        "loop hold": hold,
        "size": size,
    }
