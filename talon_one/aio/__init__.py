"""talon_one.aio: the asyncio client (`pip install talon_one[aio]`, which brings aiohttp).

    from talon_one import Configuration
    from talon_one.aio import AsyncApiClient, AsyncIntegrationApi

    async with AsyncApiClient(Configuration(host=..., api_key_v1=KEY)) as client:
        api = AsyncIntegrationApi(client)
        state = await api.update_customer_session_v2("session-1", request, dry=True)

The same operations, arguments, checks, models, exceptions, retry policy and
timeouts as the synchronous client; each operation is a coroutine.
"""

try:
    import aiohttp  # noqa: F401  (checked here, so the error names the extra)
except ImportError as error:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError("talon_one.aio needs aiohttp, which is not installed: pip install talon_one[aio]") from error

from talon_one.aio._client import AsyncApiClient
from talon_one.aio._transport import AsyncResponse
from talon_one.aio.integration_api import AsyncIntegrationApi

__all__ = ["AsyncApiClient", "AsyncIntegrationApi", "AsyncResponse"]
