"""Fixtures of the fuzz suite: a raw 127.0.0.1 server, clients pointed at it, validation switched on."""

import os
import traceback

import pytest
from hypothesis import HealthCheck, Phase, settings

import talon_one
from talon_one.exceptions import OpenApiException

from clients import Clients

from .raw_server import RawServer

API_KEY = "fuzz-api-key-5d1e0c"


def bounded(max_examples):
    """Hypothesis settings for this suite: deterministic (derandomize, no example database), no deadline.

    No shrinking: a failure reports the first failing example as generated, at once,
    so a broken build still runs the folder in seconds.
    """
    return settings(max_examples=max_examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck), print_blob=False,
                    phases=(Phase.explicit, Phase.reuse, Phase.generate))


@pytest.fixture(scope="session")
def raw_server_session():
    with RawServer() as server:
        yield server


@pytest.fixture
def raw_server(raw_server_session):
    raw_server_session.reset()
    yield raw_server_session
    raw_server_session.reset()


@pytest.fixture
def make_client(raw_server):
    """ApiClient factory for the raw server; keyword arguments go to Configuration (no retries by default)."""
    clients = Clients({"api_key_v1": API_KEY}, host=raw_server.url, retries=0, connect_timeout=2,
                      read_timeout=5)
    yield clients.client
    clients.close()


@pytest.fixture
def api(make_client):
    return talon_one.IntegrationApi(make_client())


@pytest.fixture(autouse=True)
def validation_on(validation_on):
    """Every fuzz test runs with client-side validation on (test/conftest.py's fixture)."""
    return validation_on


class Escaped(AssertionError):
    """A non-talon_one exception escaped."""


def ours_or_result(action, what):
    """action()'s result, or the OpenApiException it raised; any other exception fails the test."""
    try:
        return action()
    except OpenApiException as error:
        return error
    except Exception as error:  # the point is to catch everything else
        raise Escaped(escaped_message(what, error)) from None


def escaped_message(what, error):
    """What escaped, and where (the innermost frames only: a RecursionError has a thousand)."""
    frames = traceback.extract_tb(error.__traceback__)
    where = "; ".join("%s:%d in %s" % (os.path.basename(frame.filename), frame.lineno, frame.name)
                      for frame in frames[-3:])
    return "%s raised %s (%s), not a talon_one exception; %d frames deep, innermost: %s" % (
        what, type(error).__name__, str(error)[:200], len(frames), where)
