"""Fixtures for the runtime tests: a scriptable local server and clients pointed at it."""

import logging

import pytest

import talon_one
from talon_one.retries import RetryPolicy

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
def make_client(server, sleeps):
    """Build an ApiClient for the test server; keyword arguments go to Configuration."""
    clients = []

    def make(**settings):
        settings.setdefault("host", server.url)
        if not {"api_key_v1", "application_key", "api_key"} & set(settings):
            settings["api_key_v1"] = API_KEY
        settings.setdefault("retries", RetryPolicy(sleep=sleeps.append))
        settings.setdefault("connect_timeout", 2)
        settings.setdefault("read_timeout", 5)
        client = talon_one.ApiClient(talon_one.Configuration(**settings))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


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
