"""talon_one: a Python client for the Talon.One Integration API.

    import talon_one
    configuration = talon_one.Configuration(host="https://mycompany.talon.one", api_key_v1="...")
    with talon_one.ApiClient(configuration) as api_client:
        api = talon_one.IntegrationApi(api_client)
        state = api.update_customer_session_v2("session-1", talon_one.IntegrationRequest(...))

The operations class and the model classes are imported on first use, so
`import talon_one` stays cheap.
"""

import importlib

from talon_one.version import __version__
from talon_one.configuration import Configuration
from talon_one.api_client import ApiClient
from talon_one.exceptions import (
    OpenApiException,
    ApiTypeError,
    ApiValueError,
    ApiKeyError,
    ApiAttributeError,
    ApiException,
    BadRequestException,
    UnauthorizedException,
    ForbiddenException,
    NotFoundException,
    ConflictException,
    TooManyRequestsException,
    RateLimitException,
    ServiceException,
    ApiDecodeError,
    ResponseTooLargeError,
    ApiConnectionError,
    ApiTimeoutError,
    MissingCredentialsError,
)
from talon_one.retries import RetryPolicy
from talon_one.models import __all__ as _model_names

__all__ = [
    "__version__",
    "Configuration",
    "ApiClient",
    "IntegrationApi",
    "RetryPolicy",
    "OpenApiException",
    "ApiTypeError",
    "ApiValueError",
    "ApiKeyError",
    "ApiAttributeError",
    "ApiException",
    "BadRequestException",
    "UnauthorizedException",
    "ForbiddenException",
    "NotFoundException",
    "ConflictException",
    "TooManyRequestsException",
    "RateLimitException",
    "ServiceException",
    "ApiDecodeError",
    "ResponseTooLargeError",
    "ApiConnectionError",
    "ApiTimeoutError",
    "MissingCredentialsError",
] + list(_model_names)


def __getattr__(name):
    """Import IntegrationApi and the models on first use (PEP 562), then keep them here."""
    if name == "IntegrationApi":
        from talon_one.api.integration_api import IntegrationApi as value
    else:
        models = importlib.import_module("talon_one.models")
        try:
            value = getattr(models, name)
        except AttributeError:
            raise AttributeError("module 'talon_one' has no attribute %r" % name) from None
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
