"""AsyncApiClient: the asyncio twin of ApiClient; everything but the I/O is ApiClient's own code.

    AsyncIntegrationApi.op()
      -> AsyncApiClient.call_api       ClientCore.prepare_request: URL, body encoded once, auth
      -> AiohttpTransport.send          sends under the retry policy, deadline and timeouts
      -> ClientCore.handle_response     raises the mapped exception, or decodes the body
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Type, Union

from talon_one.api_client import ClientCore, _Operation
from talon_one.configuration import Configuration
from talon_one.exceptions import ApiException
from talon_one.aio._transport import AiohttpTransport

__all__ = ["AsyncApiClient"]

QueryParams = Union[Mapping[str, Any], Sequence[Tuple[str, Any]], None]


class AsyncApiClient(ClientCore):
    """Sends the Integration API's requests from asyncio code; one per event loop, shared by its tasks.

    Holds one aiohttp connector (keep-alive; at most `connection_pool_maxsize`
    connections, a call waiting for a free one within its connect timeout). It is
    bound to the loop of its first call: another loop gets RuntimeError. Use it
    as an async context manager, or `await client.close()` when done.

        async with AsyncApiClient(Configuration(host=..., api_key_v1=KEY)) as client:
            api = AsyncIntegrationApi(client)
            state = await api.update_customer_session_v2("session-1", request)

    The configuration is the synchronous client's (host, credentials, TLS, proxy,
    timeouts, retries, default headers, debug logging), applied the same way.
    """

    def __init__(self, configuration: Optional[Configuration] = None, header_name: Optional[str] = None,
                 header_value: Optional[str] = None, cookie: Optional[str] = None) -> None:
        self._init_core(configuration, header_name, header_value, cookie)
        self.transport = AiohttpTransport(self.configuration)

    def __getstate__(self) -> Dict[str, Any]:
        """Settings only (configuration, default headers, cookie): a copy or an unpickled client gets
        a transport of its own, with no connection, bound to the loop of its first call."""
        state = dict(self.__dict__)
        del state["transport"]
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.transport = AiohttpTransport(self.configuration)

    async def __aenter__(self) -> AsyncApiClient:
        return self

    async def __aexit__(self, exc_type: Optional[Type[BaseException]], exc_value: Optional[BaseException],
                        traceback: Optional[TracebackType]) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the connections, once the calls in flight have finished (each within its own timeouts).

        The client stays usable: a call made after close() began opens new connections (in its
        own loop), which the next close() closes. If close() is cancelled while it waits, the
        connections are closed at once, and the calls still in flight raise ApiConnectionError
        saying the client was closed (not retried). Called from another event loop than the
        client's, it closes the connections in the client's loop if that loop is running, and
        raises RuntimeError if that loop was closed with them still open.
        """
        await self.transport.close()

    def __repr__(self) -> str:
        return "<AsyncApiClient host=%r auth=%s>" % (self.configuration.host, self.configuration.describe_auth())

    async def call_api(self, resource_path: str, method: str, path_params: Optional[Mapping[str, Any]] = None,
                       query_params: QueryParams = None, header_params: Optional[Mapping[str, Any]] = None,
                       body: Any = None, post_params: Any = None, files: Any = None,
                       response_type: Optional[str] = None,
                       auth_settings: Optional[Sequence[str]] = None, _return_http_data_only: bool = True,
                       collection_formats: Optional[Mapping[str, str]] = None, _request_timeout: Any = None,
                       _host: Optional[str] = None, _retries: Any = None) -> Any:
        """Send one operation's request and return its decoded response (see ApiClient.call_api).

        The request is built, and refused, exactly as the synchronous client's; the
        answer is read whole and decoded (or mapped to its exception) by the same
        code. Returns the data, or (data, status, headers) when
        `_return_http_data_only` is False.
        """
        method, url, headers, payload = self.prepare_request(
            method, resource_path, path_params, query_params, header_params, body, post_params, files,
            auth_settings, collection_formats, _host)
        try:
            response = await self.transport.send(method, url, headers, payload, timeout=_request_timeout,
                                                 retries=_retries)
        except ApiException as error:
            raise self.without_secrets(error)
        return self.handle_response(response, response_type, True, _return_http_data_only,
                                    _Operation(method, resource_path))
