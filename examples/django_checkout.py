"""The example shop's checkout as a Django async view, on the asyncio client (talon_one.aio).

Served under ASGI (uvicorn, daphne), the view runs in the server's event loop and awaits
Talon.One there. An AsyncApiClient belongs to one event loop, so `talon_one_api()` keeps
one per loop, made on first use and closed by `close_talon_one_clients()` (call it at
shutdown). Under WSGI, Django runs each async view in an event loop of its own: use the
synchronous IntegrationApi there instead (examples/shop/checkout.py).

Settings: TALON_ONE_CONFIGURATION, a talon_one.Configuration (default: from the
environment, TALON_ONE_BASE_URL and TALON_ONE_API_KEY). `configure_django()` sets up
the minimal settings this example needs when run on its own (the tests use it).

Its tests, against the in-memory fake, are in examples/test_django_checkout.py.
"""

import asyncio
import json
import weakref

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path

import talon_one
from talon_one.aio import AsyncApiClient, AsyncIntegrationApi

from shop.async_checkout import checkout
from shop.checkout import BadCheckoutRequest, parse_checkout

_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncIntegrationApi]" = weakref.WeakKeyDictionary()


def talon_one_api() -> AsyncIntegrationApi:
    """The AsyncIntegrationApi of the running event loop, made on first use."""
    loop = asyncio.get_running_loop()
    api = _clients.get(loop)
    if api is None:
        configuration = getattr(settings, "TALON_ONE_CONFIGURATION", None) or talon_one.Configuration()
        api = _clients[loop] = AsyncIntegrationApi(AsyncApiClient(configuration))
    return api


async def close_talon_one_clients() -> None:
    """Close the running loop's client (at shutdown, in that loop)."""
    api = _clients.pop(asyncio.get_running_loop(), None)
    if api is not None:
        await api.api_client.close()


async def checkout_view(request: HttpRequest) -> JsonResponse:
    """POST /checkout: the shop's input checks, then the checkout with awaited Talon.One calls."""
    if request.method != "POST":
        return JsonResponse({"error": "use POST"}, status=405)
    try:
        data = parse_checkout(json.loads(request.body or b"null"))
    except (BadCheckoutRequest, ValueError) as error:
        message = str(error) if isinstance(error, BadCheckoutRequest) else "the request body is not JSON"
        return JsonResponse({"error": message}, status=400)
    return JsonResponse(await checkout(talon_one_api(), **data))


urlpatterns = [path("checkout", checkout_view)]


def configure_django() -> None:
    """Minimal settings for this example on its own: no database, no apps, this module's URLs."""
    import django

    if not settings.configured:
        settings.configure(DEBUG=False, SECRET_KEY="example-only", ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"],
                           INSTALLED_APPS=[], MIDDLEWARE=[], DATABASES={})
        django.setup()
