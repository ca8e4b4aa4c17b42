"""Fixtures for the compatibility suite: the SDK used as code written for the official SDK uses it.

Everything goes over real HTTP to a FakeTalonOne on 127.0.0.1 (the `talon_one_fake`
fixture of the package's pytest plugin).
"""

import pytest

import talon_one


@pytest.fixture
def fake(talon_one_fake):
    return talon_one_fake


@pytest.fixture
def official_configuration(fake):
    """A Configuration set up as the official SDK's README does: api_key and api_key_prefix dicts."""
    configuration = talon_one.Configuration(
        host=fake.base_url,
        api_key={"Authorization": fake.api_key},
        api_key_prefix={"Authorization": "ApiKey-v1"},
    )
    configuration.retries = 0
    return configuration


@pytest.fixture
def api_client(official_configuration):
    client = talon_one.ApiClient(official_configuration)
    yield client
    client.close()


@pytest.fixture
def api(api_client):
    return talon_one.IntegrationApi(api_client)
