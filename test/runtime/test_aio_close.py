"""AsyncApiClient.close(): what it does to calls in flight, to calls started while it waits, and
to a client whose event loop has ended or runs in another thread."""

import asyncio
import gc
import threading
import time
import warnings

import pytest

import talon_one
from talon_one import NewEvent
from talon_one.aio import AsyncApiClient, AsyncIntegrationApi
from talon_one.exceptions import ApiConnectionError
from talon_one.testing import FakeTalonOne, Fault

from runtime_helpers import API_KEY
from runtime_server import Hang

pytestmark = pytest.mark.timeout(60)


def new_event(number):
    return NewEvent(type="viewed", attributes={}, session_id="session-%d" % number, profile_id="customer-1")


@pytest.fixture
def fake():
    with FakeTalonOne(api_key="k") as running:
        yield running


def test_close_lets_the_gets_and_posts_in_flight_finish_and_each_post_is_delivered_once(fake):
    fake.inject_faults(Fault.slow(1.0), times=10)

    async def scenario():
        client = AsyncApiClient(fake.configuration())
        api = AsyncIntegrationApi(client)
        calls = ([asyncio.ensure_future(api.get_reserved_customers("SUMMER10")) for _ in range(5)]
                 + [asyncio.ensure_future(api.track_event(new_event(number))) for number in range(5)])
        await asyncio.sleep(0.3)  # every call is sent and waits for its answer
        await client.close()
        finished_when_closed = [call.done() for call in calls]
        results = await asyncio.gather(*calls, return_exceptions=True)
        return finished_when_closed, results, client.transport.closed

    finished_when_closed, results, closed = asyncio.run(asyncio.wait_for(scenario(), 20))
    assert finished_when_closed == [True] * 10  # close() returned once they had their answers
    assert [type(result) for result in results] == [talon_one.InlineResponse200] * 5 + [talon_one.IntegrationState] * 5
    assert sorted(event["sessionId"] for event in fake.events) == ["session-%d" % n for n in range(5)]
    assert closed


def test_a_call_started_while_close_waits_opens_a_new_session_which_the_next_close_closes(fake):
    fake.inject_faults(Fault.slow(0.8), times=1)

    async def scenario():
        client = AsyncApiClient(fake.configuration())
        api = AsyncIntegrationApi(client)
        slow = asyncio.ensure_future(api.track_event(new_event(1)))
        await asyncio.sleep(0.2)
        closing = asyncio.ensure_future(client.close())
        await asyncio.sleep(0.1)
        assert not closing.done()  # it waits for the slow call
        later = await api.track_event(new_event(2))  # answered at once, on a new session
        still_closing = not closing.done()
        await closing
        open_after_first_close = not client.transport.closed
        await client.close()
        return await slow, later, still_closing, open_after_first_close, client.transport.closed

    slow, later, still_closing, open_after_first_close, closed = asyncio.run(asyncio.wait_for(scenario(), 20))
    assert isinstance(slow, talon_one.IntegrationState) and isinstance(later, talon_one.IntegrationState)
    assert still_closing and open_after_first_close and closed
    assert len(fake.events) == 2


def test_a_second_close_while_the_first_waits_returns_when_the_first_does(fake):
    fake.inject_faults(Fault.slow(0.8), times=1)

    async def scenario():
        client = AsyncApiClient(fake.configuration())
        slow = asyncio.ensure_future(AsyncIntegrationApi(client).track_event(new_event(1)))
        await asyncio.sleep(0.2)
        first = asyncio.ensure_future(client.close())
        await asyncio.sleep(0.05)
        await client.close()  # the second
        return first.done(), slow.done(), await slow

    first_done, slow_done, result = asyncio.run(asyncio.wait_for(scenario(), 20))
    assert first_done and slow_done and isinstance(result, talon_one.IntegrationState)


def test_close_cancelled_while_waiting_ends_the_calls_left_with_a_typed_error_and_never_retries(server):
    server.default_action = Hang(10.0)
    configuration = talon_one.Configuration(host=server.url, api_key_v1=API_KEY, connect_timeout=2, read_timeout=8)

    async def scenario():
        client = AsyncApiClient(configuration)
        api = AsyncIntegrationApi(client)
        calls = [asyncio.ensure_future(api.get_reserved_customers("SUMMER10", _retries=3)),
                 asyncio.ensure_future(api.track_event(new_event(1), _retries=3))]
        await asyncio.sleep(0.3)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.close(), 0.3)
        results = await asyncio.gather(*calls, return_exceptions=True)
        return results, client.transport.closed

    started = time.monotonic()
    results, closed = asyncio.run(asyncio.wait_for(scenario(), 20))
    assert time.monotonic() - started < 5  # not left to the read timeout
    for result in results:
        assert type(result) is ApiConnectionError, repr(result)
        assert "the client was closed (AsyncApiClient.close()) while the call was in flight" in str(result)
        assert result.may_have_been_delivered  # both were sent: the server holds them
    assert "GET" in str(results[0]) and "POST" in str(results[1])
    assert len(server.requests) == 2  # neither was sent again
    assert closed


# -- the event loop the client belongs to ----------------------------------------------------------

def resource_warnings_at_collection():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gc.collect()
    return [str(warning.message) for warning in caught if issubclass(warning.category, ResourceWarning)]


def test_a_client_left_open_when_asyncio_run_ends_leaves_no_socket_and_closes_from_another_loop(fake):
    client = AsyncApiClient(fake.configuration())
    api = AsyncIntegrationApi(client)
    assert isinstance(asyncio.run(api.track_event(new_event(1))), talon_one.IntegrationState)  # no close()
    assert client.transport.closed  # closed when asyncio.run shut the loop down
    asyncio.run(client.close())  # from another loop: nothing left to close, no error
    assert resource_warnings_at_collection() == []
    # And it may be used in another loop since.
    async def again():
        async with client:
            return await api.track_event(new_event(2))

    assert isinstance(asyncio.run(again()), talon_one.IntegrationState)
    assert resource_warnings_at_collection() == []


def test_close_from_another_loop_closes_the_session_in_its_own_running_loop(fake):
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        client = AsyncApiClient(fake.configuration())
        api = AsyncIntegrationApi(client)
        state = asyncio.run_coroutine_threadsafe(api.track_event(new_event(1)), loop).result(10)
        assert isinstance(state, talon_one.IntegrationState)
        asyncio.run(asyncio.wait_for(client.close(), 10))
        assert client.transport.closed
        assert resource_warnings_at_collection() == []
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def test_close_from_another_loop_when_the_clients_loop_was_closed_without_shutdown_says_so(fake):
    client = AsyncApiClient(fake.configuration())
    loop = asyncio.new_event_loop()
    loop.run_until_complete(AsyncIntegrationApi(client).track_event(new_event(1)))
    loop.close()  # without shutdown_asyncgens(): its connections can no longer be closed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # the socket that loop left behind
        with pytest.raises(RuntimeError, match="`await client.close\\(\\)` in the loop the client was used in"):
            asyncio.run(client.close())
        # The connections were dropped: the client can be used in another loop now.
        async def again():
            async with client:
                return await AsyncIntegrationApi(client).track_event(new_event(2))

        assert isinstance(asyncio.run(again()), talon_one.IntegrationState)
        del loop
        gc.collect()


def test_an_asyncio_client_deep_copies_and_pickles_with_its_settings_and_no_connections(fake):
    import copy
    import pickle

    client = AsyncApiClient(fake.configuration())
    client.set_default_header("X-Shop", "berlin")

    async def use(one):
        async with one:
            return await AsyncIntegrationApi(one).track_event(new_event(1))

    asyncio.run(use(client))
    for other in (copy.deepcopy(client), pickle.loads(pickle.dumps(client))):
        assert other.transport is not client.transport and other.default_headers["X-Shop"] == "berlin"
        assert isinstance(asyncio.run(use(other)), talon_one.IntegrationState)  # another loop: its own session
    assert [request.headers["X-Shop"] for request in fake.requests] == ["berlin"] * 3
