"""Fixtures for the runtime tests: a scriptable local server and clients pointed at it."""

import logging

import pytest

from talon_one.retries import RetryPolicy

from clients import Clients
from runtime_helpers import API_KEY
from runtime_server import RuntimeServer


@pytest.fixture
def server():
    with RuntimeServer() as running:
        yield running


@pytest.fixture
def sleeps():
    """The waits the retry policy asked for (it never really sleeps in these tests)."""
    return []


@pytest.fixture
def client_kind():
    """Which client make_client builds: "sync" (ApiClient) here. A module whose scenarios hold for both
    clients overrides this fixture with one parametrized over "sync" and "asyncio" (AsyncApiClient,
    driven through clients.AsyncClientBridge)."""
    return "sync"


@pytest.fixture
def make_client(server, sleeps, client_kind):
    """Build an ApiClient for the test server; keyword arguments go to Configuration."""
    clients = Clients({"api_key_v1": API_KEY}, asynchronous=client_kind == "asyncio", host=server.url,
                      retries=RetryPolicy(sleep=sleeps.append), connect_timeout=2, read_timeout=5)
    yield clients.client
    clients.close()


@pytest.fixture
def client(make_client):
    return make_client()


@pytest.fixture(autouse=True)
def restore_talon_one_logger():
    """debug=True changes the 'talon_one' logger; put it back after each test."""
    logger = logging.getLogger("talon_one")
    level, handlers = logger.level, list(logger.handlers)
    yield
    logger.setLevel(level)
    logger.handlers[:] = handlers
