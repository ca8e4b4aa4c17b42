"""Fixtures for the end-to-end tests: the public SDK against a running FakeTalonOne.

``talon_one_fake`` comes from the package's pytest plugin (the ``pytest11`` entry point
registered by ``pip install -e .``): one fake server for the session, reset before each
test. Everything here goes over real HTTP on 127.0.0.1.
"""

import pytest

from clients import Clients


@pytest.fixture
def fake(talon_one_fake):
    return talon_one_fake


@pytest.fixture
def make_api(fake):
    """Build an IntegrationApi for the fake; keyword arguments go to Configuration.

    By default it sends the fake's API key and does not retry (no test here injects
    transient faults, and a failure must show at once).
    """
    clients = Clients({"api_key_v1": fake.api_key}, host=fake.base_url, retries=0, connect_timeout=2,
                      read_timeout=10)
    yield clients.api
    clients.close()


@pytest.fixture
def api(make_api):
    return make_api()


@pytest.fixture
def lenient_api(make_api):
    """Client-side validation off: bad bodies reach the fake, whose validation answers 400."""
    return make_api(client_side_validation=False)


@pytest.fixture
def signed_api(make_api, fake):
    """Signed requests only (integration_auth): no API key configured."""
    return make_api(application_id=fake.application_id, application_key=fake.application_key)
