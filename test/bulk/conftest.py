"""Fixtures for the bulk job and command line tests: the public SDK against a running FakeTalonOne.

``talon_one_fake`` comes from the package's pytest plugin: one fake server for the session,
reset before each test. Everything goes over real HTTP on 127.0.0.1.
"""

import pytest

from clients import Clients


@pytest.fixture
def fake(talon_one_fake):
    return talon_one_fake


@pytest.fixture
def make_api(fake):
    """An IntegrationApi for the fake (the client's default retry policy); keywords go to Configuration."""
    clients = Clients({"api_key_v1": fake.api_key}, host=fake.base_url, connect_timeout=2, read_timeout=10)
    yield clients.api
    clients.close()


@pytest.fixture
def api(make_api):
    return make_api()
