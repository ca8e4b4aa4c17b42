import os
import sys

import pytest

from .recording_server import RecordingServer

# The generator (codegen/) is not installed: make the repository importable however pytest is started.
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)


@pytest.fixture(scope="session")
def recording_server():
    server = RecordingServer()
    yield server
    server.close()


@pytest.fixture
def server(recording_server):
    recording_server.reset()
    yield recording_server
    recording_server.reset()


@pytest.fixture
def api(server):
    """An IntegrationApi talking to the recording server with an API key."""
    import talon_one
    configuration = talon_one.Configuration(host=server.url, api_key_v1="test-key", retries=0)
    with talon_one.ApiClient(configuration) as client:
        yield talon_one.IntegrationApi(client)
