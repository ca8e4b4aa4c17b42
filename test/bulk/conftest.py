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


def profiles(count, start=0):
    """`count` profile rows as dicts with JSON keys: c<start> ... with one attribute each."""
    return [{"integrationId": "c%d" % i, "attributes": {"n": i}} for i in range(start, start + count)]


def sent_profile_ids(fake):
    """Integration IDs in every bulk profile request the fake received, in order (repeats kept)."""
    return [item["integrationId"] for request in fake.requests if request.path == "/v2/customer_profiles"
            for item in (request.json or {}).get("customerProfiles", [])]
