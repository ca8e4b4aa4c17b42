"""Clients for the suites' local servers: built with a suite's defaults, closed after the test.

`Clients(..., asynchronous=True)` builds the asyncio client instead, behind a synchronous face
(AsyncClientBridge / AsyncApiBridge): each call is a coroutine run to its end on the client's own
event loop, in a thread, so one test body can drive both clients (parametrized over "sync" and
"asyncio") and check the same observable behaviour.
"""

import asyncio
import threading

import talon_one

# Settings that choose how a client authenticates; given any of them, no default credential is added.
CREDENTIAL_SETTINGS = frozenset(("api_key", "api_key_v1", "application_id", "application_key"))

# The longest a bridged call may take before the test fails (no hang).
BRIDGE_CALL_LIMIT = 120


class Clients:
    """Builds ApiClients (or bridged AsyncApiClients) from Configuration keywords and closes every one it built.

    A keyword given to client() or api() wins over the suite's default of the
    same name. `credentials` (Configuration keywords) are added only when the
    call names no credential setting itself.
    """

    def __init__(self, credentials=None, asynchronous=False, **defaults):
        self.credentials = dict(credentials or {})
        self.asynchronous = asynchronous
        self.defaults = defaults
        self.built = []

    def configuration(self, **settings):
        if not CREDENTIAL_SETTINGS & set(settings):
            settings = dict(self.credentials, **settings)
        return talon_one.Configuration(**dict(self.defaults, **settings))

    def client(self, **settings):
        configuration = self.configuration(**settings)
        client = AsyncClientBridge(configuration) if self.asynchronous else talon_one.ApiClient(configuration)
        self.built.append(client)
        return client

    def api(self, **settings):
        client = self.client(**settings)
        return AsyncApiBridge(client) if self.asynchronous else talon_one.IntegrationApi(client)

    def close(self):
        for client in self.built:
            client.close()


class AsyncClientBridge:
    """An AsyncApiClient driven from synchronous code: `call_api(...)` runs the coroutine on the
    client's loop (one loop, in its own thread, for the client's life) and returns its result."""

    def __init__(self, configuration):
        from talon_one.aio import AsyncApiClient

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="aio-bridge", daemon=True)
        self.thread.start()
        try:
            self.client = AsyncApiClient(configuration)
        except BaseException:
            self._stop()
            raise

    @property
    def configuration(self):
        return self.client.configuration

    def run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(BRIDGE_CALL_LIMIT)

    def call_api(self, *args, **kwargs):
        return self.run(self.client.call_api(*args, **kwargs))

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        if self.thread.is_alive():
            self.run(self.client.close())
            self._stop()

    def _stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    def __repr__(self):
        return repr(self.client)

    # set_default_header, user_agent, cookie...: the AsyncApiClient's own.
    def __getattr__(self, name):
        return getattr(self.client, name)

    def __setattr__(self, name, value):
        if name in ("loop", "thread", "client"):
            object.__setattr__(self, name, value)
        else:
            setattr(self.client, name, value)


class AsyncApiBridge:
    """An AsyncIntegrationApi with synchronous methods: `api.track_event(event)` runs the coroutine
    method on the bridged client's loop. `api_client` is the AsyncApiClient itself."""

    def __init__(self, bridge):
        from talon_one.aio import AsyncIntegrationApi

        self.bridge = bridge
        self.api = AsyncIntegrationApi(bridge.client)
        self.api_client = bridge.client

    def __getattr__(self, name):
        method = getattr(self.api, name)

        def call(*args, **kwargs):
            return self.bridge.run(method(*args, **kwargs))

        return call
