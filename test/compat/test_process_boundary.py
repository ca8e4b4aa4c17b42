"""Configuration, ApiClient and IntegrationApi cross a process boundary: pickle, deepcopy, and
multiprocessing pools started with spawn and forkserver (the default on macOS and Windows)."""

import copy
import logging
import multiprocessing
import os
import pickle

import pytest

import talon_one
from talon_one.retries import RetryPolicy

import compat_workers

START_METHODS = [method for method in ("spawn", "forkserver") if method in multiprocessing.get_all_start_methods()]


@pytest.fixture
def used_api(fake):
    """An IntegrationApi that has made calls (plain and async), so its pools and locks exist."""
    configuration = talon_one.Configuration(host=fake.base_url, api_key={"Authorization": fake.api_key},
                                            retries=RetryPolicy(max_retries=1, max_total_time=20))
    client = talon_one.ApiClient(configuration, header_name="X-Shop", header_value="shop-1", pool_threads=2)
    client.user_agent = "shop-backend/1.0"
    api = talon_one.IntegrationApi(client)
    api.update_customer_profile_v2("customer-1", talon_one.CustomerProfileIntegrationRequestV2({"name": "Ada"}))
    api.get_customer_inventory("customer-1", async_req=True).get(timeout=30)
    yield api
    client.close()


@pytest.mark.parametrize("method", START_METHODS)
def test_a_pool_worker_calls_the_fake_with_the_parents_api(method, used_api, fake):
    before = len(fake.requests)
    context = multiprocessing.get_context(method)
    with context.Pool(1) as pool:
        result = pool.apply_async(compat_workers.inventory_in_child, (used_api, "customer-1")).get(timeout=120)
    assert result["pid"] != os.getpid()
    assert result["integration_id"] == result["async_integration_id"] == "customer-1"
    assert result["host"] == fake.base_url and result["user_agent"] == "shop-backend/1.0"
    assert result["retries"] == RetryPolicy(max_retries=1, max_total_time=20)
    child_requests = fake.requests[before:]
    assert len(child_requests) == 2
    for request in child_requests:
        assert request.headers["X-Shop"] == "shop-1"
        assert request.headers["Authorization"] == "ApiKey-v1 " + fake.api_key
    # The parent's client still works after sending itself away.
    assert used_api.get_customer_inventory("customer-1", profile=True).profile.integration_id == "customer-1"


@pytest.mark.parametrize("copier", ["pickle", "deepcopy"])
def test_copies_keep_the_settings_and_open_their_own_connections(copier, used_api, fake):
    make_copy = (lambda value: pickle.loads(pickle.dumps(value))) if copier == "pickle" else copy.deepcopy
    clone = make_copy(used_api)
    assert clone is not used_api and clone.api_client is not used_api.api_client
    assert clone.api_client.rest_client.pool_manager is not used_api.api_client.rest_client.pool_manager
    assert clone.api_client.configuration.api_key_v1 == fake.api_key
    assert clone.api_client.default_headers == used_api.api_client.default_headers
    assert clone.get_customer_inventory("customer-1", profile=True).profile.integration_id == "customer-1"
    assert clone.get_customer_inventory("customer-1", async_req=True).get(timeout=30) is not None
    assert clone.api_client.pool.executor is not used_api.api_client.pool.executor
    clone.api_client.configuration.api_key_v1 = "changed"
    assert used_api.api_client.configuration.api_key_v1 == fake.api_key
    clone.api_client.close()
    assert used_api.get_customer_inventory("customer-1", profile=True) is not None


def test_configuration_settings_travel_and_logging_is_set_up_again(tmp_path):
    log_path = str(tmp_path / "talon_one.log")
    configuration = talon_one.Configuration(host="https://mycompany.talon.one", api_key_v1="k",
                                            application_id=7, application_key="0a1b", read_timeout=12,
                                            logger_file=log_path, debug=True)
    logger = logging.getLogger("talon_one")
    try:
        clone = pickle.loads(pickle.dumps(configuration))
        assert (clone.host, clone.api_key_v1, clone.application_id, clone.application_key, clone.read_timeout) == (
            "https://mycompany.talon.one", "k", 7, "0a1b", 12)
        assert clone.debug is True and clone.logger_file == log_path
        # In this process the file already has a handler: shared, not doubled.
        assert clone.logger_file_handler is configuration.logger_file_handler
        assert sum(1 for h in logger.handlers if getattr(h, "baseFilename", None) == log_path) == 1
        assert copy.deepcopy(configuration).api_key_v1 == "k"
    finally:
        configuration.logger_file = None
        configuration.debug = False


def test_pickles_name_no_live_resources(used_api):
    data = pickle.dumps(used_api)
    for live in (b"PoolManager", b"ThreadPoolExecutor", b"RLock", b"allocate_lock", b"socket", b"Handler"):
        assert live not in data
