"""talon_one: a Python client for the Talon.One Integration API.

    import talon_one
    configuration = talon_one.Configuration(host="https://mycompany.talon.one", api_key_v1="...")
    with talon_one.ApiClient(configuration) as api_client:
        api = talon_one.IntegrationApi(api_client)
        state = api.update_customer_session_v2("session-1", talon_one.IntegrationRequest(...))

The operations class and the model classes are imported on first use, so
`import talon_one` stays cheap; type checkers and editors read the imports
under TYPE_CHECKING instead. `ManagementApi` is not part of this SDK: the
name exists and raises an error saying what to use instead.
"""

# The official SDK's package exposed this name; kept so that nothing it had is missing.
from __future__ import absolute_import

import importlib
from typing import TYPE_CHECKING, Any, List

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
from talon_one import models as _models

if TYPE_CHECKING:
    from talon_one.api.integration_api import IntegrationApi
    from talon_one.models import *  # noqa: F401,F403  (every model class, as the lazy import gives them)
    from talon_one.unsupported import ManagementApi

__all__ = [
    "__version__",
    "Configuration",
    "ApiClient",
    "IntegrationApi",
    "ManagementApi",
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
]
__all__ += _models.__all__  # every model class


def __getattr__(name: str) -> Any:
    """Import IntegrationApi and the models on first use (PEP 562), then keep them here."""
    value: Any
    if name == "IntegrationApi":
        value = importlib.import_module("talon_one.api.integration_api").IntegrationApi
    elif name == "ManagementApi":
        value = importlib.import_module("talon_one.unsupported").ManagementApi
    elif name == "api":
        value = importlib.import_module("talon_one.api")
    else:
        models = importlib.import_module("talon_one.models")
        try:
            value = getattr(models, name)
        except AttributeError:
            raise AttributeError("module 'talon_one' has no attribute %r" % name) from None
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(__all__))
