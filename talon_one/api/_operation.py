"""What every generated operation method shares: argument checks, the call, and its types.

Hand-written (not generated). A generated method passes its `Operation`
(the spec's path, method, parameters, body and response types, as data), its
required arguments, its query parameters and its per-call options to `invoke`,
which checks everything before anything is sent, then hands the request to
`ApiClient.call_api`. Python itself refuses an unknown keyword (TypeError):
every method spells out the keywords it takes.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Protocol, Tuple, Type, TypeVar, Union

from talon_one.exceptions import ApiTypeError, ApiValueError
from talon_one.model_base import Model
from talon_one.serialization import model_class
from talon_one.validation import _validation_on

if TYPE_CHECKING:
    import urllib3

    from talon_one.api_client import ApiClient
    from talon_one.retries import RetryPolicy

__all__ = ["Operation", "invoke", "check_arguments", "AsyncResultOf", "RequestTimeout", "Retries", "ResponseHeaders"]

_TYPE_NAMES = {bool: "a boolean (True or False)", str: "a string", int: "an integer", float: "a number"}

T = TypeVar("T", covariant=True)

# `_request_timeout`: seconds for the whole attempt, a (connect, read) pair (None in it: the
# configuration's value), or an urllib3 Timeout; None: the configuration's timeouts.
RequestTimeout = Union[None, float, Tuple[Optional[float], Optional[float]], "urllib3.Timeout"]
# `_retries`: None (the configuration's policy), a number of retries, a RetryPolicy or an urllib3 Retry.
Retries = Union[None, int, "RetryPolicy", "urllib3.util.Retry"]
# The response headers a `_with_http_info` call returns (urllib3's HTTPHeaderDict).
ResponseHeaders = Mapping[str, str]


class AsyncResultOf(Protocol[T]):
    """What a call with async_req=True returns (talon_one.api_client.AsyncResult): `.get()` gives the result."""

    def get(self, timeout: Optional[float] = None) -> T:
        """The call's result, waiting up to `timeout` seconds; re-raises the call's exception."""

    def wait(self, timeout: Optional[float] = None) -> None:
        """Wait up to `timeout` seconds for the call to finish."""

    def ready(self) -> bool:
        """Whether the call has finished."""

    def successful(self) -> bool:
        """Whether the call finished without an exception (ValueError while it runs)."""


class Operation:
    """One operation of the spec, as data.

    name            the method name (snake_case operationId)
    method          the HTTP method
    path            the spec's path template, e.g. "/v2/customer_sessions/{customerSessionId}"
    path_params     ((argument name, spec name), ...) in the spec's order
    query_params    ((keyword, spec name, Python type), ...) in the order the method passes their values
    body            the request body's model name, or None
    response_type   the model a 2xx answer decodes to, or None when it is always empty (204)
    auth            the security scheme names the spec accepts, in the spec's order
    replaced_by     for a deprecated operation, the method to use instead
    """

    __slots__ = ("name", "method", "path", "path_params", "query_params", "body", "response_type", "auth",
                 "replaced_by")

    def __init__(self, name: str, method: str, path: str, path_params: Iterable[Tuple[str, str]] = (),
                 query_params: Iterable[Tuple[str, str, Type[Any]]] = (), body: Optional[str] = None,
                 response_type: Optional[str] = None, auth: Iterable[str] = (),
                 replaced_by: Optional[str] = None) -> None:
        self.name = name
        self.method = method
        self.path = path
        self.path_params: Tuple[Tuple[str, str], ...] = tuple(path_params)
        self.query_params: Tuple[Tuple[str, str, Type[Any]], ...] = tuple(query_params)
        self.body = body
        self.response_type = response_type
        self.auth: List[str] = list(auth)
        self.replaced_by = replaced_by

    def __repr__(self) -> str:
        return "<Operation %s %s %s>" % (self.name, self.method, self.path)


def invoke(api_client: ApiClient, operation: Operation, args: Tuple[Any, ...], query: Tuple[Any, ...],
           async_req: Optional[bool], preload_content: bool, request_timeout: RequestTimeout, retries: Retries,
           http_info: bool = False, data_only: bool = True) -> Any:
    """Check the arguments of one call of `operation` and make it through `api_client`.

    `args` are the required arguments in the spec's order (path parameters, then
    the body); `query` the values of the optional query parameters, in the order
    of `operation.query_params` (None: not sent). `http_info` is true for the
    `_with_http_info` twin, which returns (data, status, headers) unless
    `data_only`; the plain method returns the data only.
    """
    path_params, query_params, body = check_arguments(api_client, operation, args, query)
    return api_client.call_api(
        operation.path, operation.method,
        path_params=path_params,
        query_params=query_params,
        body=body,
        response_type=operation.response_type,
        auth_settings=operation.auth,
        async_req=async_req,
        _return_http_data_only=data_only if http_info else True,
        _preload_content=preload_content,
        _request_timeout=request_timeout,
        _retries=retries,
    )


def check_arguments(api_client: Any, operation: Operation, args: Tuple[Any, ...], query: Tuple[Any, ...],
                    api_name: str = "IntegrationApi") -> Tuple[Dict[str, str], List[Tuple[str, Any]], Optional[Model]]:
    """(path parameters, query parameters, body model) of one call, checked before anything is sent.

    Shared by the synchronous and the asyncio operations (`api_client` is either
    client: only its configuration is read). Warns when `operation` is deprecated, naming
    `api_name`'s methods and pointing at the caller's line (whoever called the operation method).
    """
    if operation.replaced_by is not None:
        warnings.warn("%s.%s is deprecated; use %s.%s instead"
                      % (api_name, operation.name, api_name, operation.replaced_by), DeprecationWarning, stacklevel=4)
    query_params = []
    for (keyword, spec_name, kind), value in zip(operation.query_params, query):
        if value is not None:
            query_params.append((spec_name, _check_query(operation, keyword, value, kind)))
    path_params = {}
    for (argument, spec_name), value in zip(operation.path_params, args):
        path_params[spec_name] = _check_path(operation, argument, value)
    body = None
    if operation.body is not None:
        body = _check_body(api_client, operation, args[len(operation.path_params)])
    return path_params, query_params, body


def _check_query(operation: Operation, keyword: str, value: Any, kind: Type[Any]) -> Any:
    if kind is bool:
        ok = value is True or value is False
    elif kind is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, kind)
    if not ok:
        raise ApiTypeError("Invalid type for parameter `%s` when calling `%s`: expected %s, got %r"
                           % (keyword, operation.name, _TYPE_NAMES.get(kind, kind.__name__), value))
    return value


def _check_path(operation: Operation, argument: str, value: Any) -> str:
    if value is None:
        raise ApiValueError("Missing the required parameter `%s` when calling `%s`" % (argument, operation.name))
    if not isinstance(value, str):
        raise ApiTypeError("Invalid type for parameter `%s` when calling `%s`: expected a string, got %r"
                           % (argument, operation.name, value))
    if not value:
        raise ApiValueError("The parameter `%s` when calling `%s` must not be empty"
                            % (argument, operation.name))
    return value


def _check_body(api_client: Any, operation: Operation, body: Any) -> Model:
    if body is None:
        raise ApiValueError("Missing the required parameter `body` when calling `%s`" % operation.name)
    cls = model_class(str(operation.body))
    model: Model
    if body.__class__ is cls:
        model = body
    elif isinstance(body, dict):
        model = cls.from_dict(body)
    elif isinstance(body, cls):
        model = body
    else:
        raise ApiTypeError("Invalid type for parameter `body` when calling `%s`: expected %s or a dict, got %s"
                           % (operation.name, operation.body,
                              type(body).__name__ if isinstance(body, Model) else repr(body)[:80]))
    if _validation_on(api_client.configuration):
        model.validate()
    return model
