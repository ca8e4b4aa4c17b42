"""What `import talon_one` offers, as the README uses it."""


def test_the_readme_names_import_from_the_package():
    from talon_one import (
        ApiConnectionError,
        ApiException,
        ApiTimeoutError,
        BadRequestException,
        CartItem,
        NotFoundException,
        RetryPolicy,
        TooManyRequestsException,
    )

    import talon_one.exceptions
    import talon_one.models

    assert talon_one.IntegrationApi.__module__ == "talon_one.api.integration_api"
    assert CartItem is talon_one.models.CartItem
    assert RetryPolicy is talon_one.retries.RetryPolicy
    assert BadRequestException is talon_one.exceptions.BadRequestException
    for error in (ApiConnectionError, BadRequestException, NotFoundException, TooManyRequestsException):
        assert issubclass(error, ApiException)
    assert issubclass(ApiTimeoutError, ApiConnectionError)


def test_a_star_import_gives_the_client_and_the_exceptions_too():
    namespace = {}
    exec("from talon_one import *", namespace)

    assert {"Configuration", "ApiClient", "IntegrationApi", "ApiException", "ApiValueError",
            "CartItem"} <= set(namespace)
