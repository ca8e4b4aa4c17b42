"""Functions run in multiprocessing workers by test_process_boundary.py (importable by name in a child)."""

import os


def inventory_in_child(api, integration_id):
    """Use an IntegrationApi that came from the parent: a plain call and an async_req call."""
    inventory = api.get_customer_inventory(integration_id, profile=True)
    later = api.get_customer_inventory(integration_id, profile=True, async_req=True).get(timeout=30)
    return {
        "pid": os.getpid(),
        "integration_id": inventory.profile.integration_id,
        "async_integration_id": later.profile.integration_id,
        "host": api.api_client.configuration.host,
        "retries": api.api_client.configuration.retries,
        "user_agent": api.api_client.user_agent,
    }
