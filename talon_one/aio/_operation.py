"""What every generated asyncio operation shares: the synchronous operations' checks, then the call.

Hand-written (not generated): the async twin of talon_one.api._operation.invoke.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Tuple

from talon_one.api._operation import Operation, RequestTimeout, Retries, check_arguments

if TYPE_CHECKING:
    from talon_one.aio._client import AsyncApiClient

__all__ = ["invoke"]


async def invoke(api_client: AsyncApiClient, operation: Operation, args: Tuple[Any, ...], query: Tuple[Any, ...],
                 request_timeout: RequestTimeout, retries: Retries, http_info: bool = False,
                 data_only: bool = True) -> Any:
    """Check the arguments of one call of `operation` (before anything is sent) and make it.

    `args`, `query`, `http_info` and `data_only` are those of the synchronous invoke.
    """
    path_params, query_params, body = check_arguments(api_client, operation, args, query, "AsyncIntegrationApi")
    return await api_client.call_api(
        operation.path, operation.method,
        path_params=path_params,
        query_params=query_params,
        body=body,
        response_type=operation.response_type,
        auth_settings=operation.auth,
        _return_http_data_only=data_only if http_info else True,
        _request_timeout=request_timeout,
        _retries=retries,
    )
