"""What every generated operation method shares: argument checks and the call.

Hand-written (not generated). A generated method passes its `Operation`
(the spec's path, method, parameters, body and response types, as data), its
positional arguments and its keywords to `invoke`, which checks everything
before anything is sent, then hands the request to `ApiClient.call_api`.
"""

import warnings

from talon_one.exceptions import ApiTypeError, ApiValueError
from talon_one.model_base import Model
from talon_one.serialization import model_class
from talon_one.validation import _validation_on

# Keywords every operation accepts, passed through to ApiClient.call_api.
CALL_OPTIONS = ("async_req", "_preload_content", "_request_timeout", "_retries")
# Accepted by the `_with_http_info` twin only: the plain method always returns just the data.
HTTP_INFO_OPTIONS = ("_return_http_data_only",)

_TYPE_NAMES = {bool: "a boolean (True or False)", str: "a string", int: "an integer", float: "a number"}


class Operation:
    """One operation of the spec, as data.

    name            the method name (snake_case operationId)
    method          the HTTP method
    path            the spec's path template, e.g. "/v2/customer_sessions/{customerSessionId}"
    path_params     ((argument name, spec name), ...) in the spec's order
    query_params    ((keyword, spec name, Python type), ...)
    body            the request body's model name, or None
    response_type   the model a 2xx answer decodes to, or None when it is always empty (204)
    auth            the security scheme names the spec accepts, in the spec's order
    replaced_by     for a deprecated operation, the method to use instead
    """

    __slots__ = ("name", "method", "path", "path_params", "query_params", "body", "response_type", "auth",
                 "replaced_by", "_keywords")

    def __init__(self, name, method, path, path_params=(), query_params=(), body=None, response_type=None,
                 auth=(), replaced_by=None):
        self.name = name
        self.method = method
        self.path = path
        self.path_params = tuple(path_params)
        self.query_params = tuple(query_params)
        self.body = body
        self.response_type = response_type
        self.auth = list(auth)
        self.replaced_by = replaced_by
        self._keywords = {keyword: (spec_name, kind) for keyword, spec_name, kind in self.query_params}

    def __repr__(self):
        return "<Operation %s %s %s>" % (self.name, self.method, self.path)


def invoke(api_client, operation, args, kwargs, http_info):
    """Check the arguments of one call of `operation` and make it through `api_client`.

    `args` are the required arguments in the spec's order (path parameters, then
    the body); `kwargs` the optional query parameters and per-call options.
    `http_info` is true for the `_with_http_info` twin, which returns
    (data, status, headers); the plain method returns the data only.
    """
    if operation.replaced_by is not None:
        warnings.warn("IntegrationApi.%s is deprecated; use IntegrationApi.%s instead"
                      % (operation.name, operation.replaced_by), DeprecationWarning, stacklevel=3)
    options = {}
    query = []
    keywords = operation._keywords
    for keyword, value in kwargs.items():
        spec = keywords.get(keyword)
        if spec is not None:
            spec_name, kind = spec
            if value is not None:
                query.append((spec_name, _check_query(operation, keyword, value, kind)))
        elif keyword in CALL_OPTIONS or (http_info and keyword in HTTP_INFO_OPTIONS):
            options[keyword] = value
        else:
            raise ApiTypeError("Got an unexpected keyword argument '%s' to method %s%s"
                               % (keyword, operation.name + ("_with_http_info" if http_info else ""),
                                  _hint(operation, keyword, http_info)))
    path_params = {}
    for (argument, spec_name), value in zip(operation.path_params, args):
        path_params[spec_name] = _check_path(operation, argument, value)
    body = None
    if operation.body is not None:
        body = _check_body(api_client, operation, args[len(operation.path_params)])
    return api_client.call_api(
        operation.path, operation.method,
        path_params=path_params,
        query_params=query,
        body=body,
        response_type=operation.response_type,
        auth_settings=operation.auth,
        async_req=options.get("async_req"),
        _return_http_data_only=options.get("_return_http_data_only", False) if http_info else True,
        _preload_content=options.get("_preload_content", True),
        _request_timeout=options.get("_request_timeout"),
        _retries=options.get("_retries"),
    )


def _hint(operation, keyword, http_info):
    if keyword in HTTP_INFO_OPTIONS and not http_info:
        return "; call %s_with_http_info for (data, status, headers)" % operation.name
    accepted = [k for k, _, _ in operation.query_params] + list(CALL_OPTIONS)
    if http_info:
        accepted += HTTP_INFO_OPTIONS
    return "; it accepts %s" % ", ".join(accepted)


def _check_query(operation, keyword, value, kind):
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


def _check_path(operation, argument, value):
    if value is None:
        raise ApiValueError("Missing the required parameter `%s` when calling `%s`" % (argument, operation.name))
    if not isinstance(value, str):
        raise ApiTypeError("Invalid type for parameter `%s` when calling `%s`: expected a string, got %r"
                           % (argument, operation.name, value))
    if not value:
        raise ApiValueError("The parameter `%s` when calling `%s` must not be empty"
                            % (argument, operation.name))
    return value


def _check_body(api_client, operation, body):
    if body is None:
        raise ApiValueError("Missing the required parameter `body` when calling `%s`" % operation.name)
    cls = model_class(operation.body)
    if body.__class__ is not cls:
        if isinstance(body, dict):
            body = cls.from_dict(body)
        elif not isinstance(body, cls):
            raise ApiTypeError("Invalid type for parameter `body` when calling `%s`: expected %s or a dict, got %s"
                               % (operation.name, operation.body,
                                  type(body).__name__ if isinstance(body, Model) else repr(body)[:80]))
    if _validation_on(api_client.configuration):
        body.validate()
    return body
