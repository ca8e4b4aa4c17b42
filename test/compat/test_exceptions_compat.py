"""Exceptions survive Celery-style rebuilding (type(e)(*e.args)) and pickling, and print as one line."""

import inspect
import json
import pickle

import pytest

import talon_one
import talon_one.exceptions as exceptions_module

API_KEY = "secret-key-do-not-show-4711"
ERROR_BODY = json.dumps({
    "message": "Invalid request",
    "errors": [{"title": "quantity must be >= 1", "details": "got 0\nsecond line",
                "source": {"pointer": "/customerSession/cartItems/0/quantity"}}],
})
OPERATION = "PUT /v2/customer_sessions/{customerSessionId}"


def our_exception_classes():
    classes = {cls for _, cls in inspect.getmembers(exceptions_module, inspect.isclass)
               if issubclass(cls, exceptions_module.OpenApiException)}
    return sorted(classes, key=lambda cls: cls.__name__)


def sample(cls):
    """An instance of `cls` as the SDK raises it."""
    if issubclass(cls, exceptions_module.ApiConnectionError):
        return cls("PUT http://127.0.0.1:9/v2/customer_sessions/s: could not connect: Connection refused",
                   ConnectionRefusedError(111, "Connection refused"), may_have_been_delivered=False)
    if issubclass(cls, exceptions_module.ApiDecodeError):
        return cls(200, "OK", body="<html>", headers={"Content-Type": "text/html"}, operation=OPERATION,
                   detail="Content-Type text/html where JSON was expected")
    if issubclass(cls, exceptions_module.ApiException):
        status = {"BadRequestException": 400, "UnauthorizedException": 401, "ForbiddenException": 403,
                  "NotFoundException": 404, "ConflictException": 409, "TooManyRequestsException": 429,
                  "ServiceException": 503}.get(cls.__name__, 418)
        kwargs = {"retry_after": 2.0} if "retry_after" in inspect.signature(cls).parameters else {}
        if cls is exceptions_module.ResponseTooLargeError:
            kwargs = {"limit": 1024, "size": 4096, "detail": "the answer announced 4096 bytes"}
        return cls(status, "Reason", body=ERROR_BODY, headers={"Content-Type": "application/json"},
                   operation=OPERATION, **kwargs)
    if cls is exceptions_module.ApiTypeError:
        return cls("CartItem.quantity must be an integer", path_to_item=["cartItems", 0, "quantity"])
    if cls in (exceptions_module.ApiValueError, exceptions_module.ApiKeyError, exceptions_module.MissingCredentialsError):
        return cls("CartItem.quantity must be >= 1", path_to_item=["cartItems", 0, "quantity"])
    return cls("something failed")


def observable(error):
    """What a caller reads from an exception."""
    return {name: getattr(error, name, None) for name in
            ("status", "reason", "body", "message", "errors", "operation", "retry_after", "detail", "path_to_item",
             "may_have_been_delivered", "limit", "size")} | {
        "str": str(error), "type": type(error)}


def test_every_exception_class_is_covered():
    names = {cls.__name__ for cls in our_exception_classes()}
    assert {"ApiException", "BadRequestException", "ApiConnectionError", "ApiTimeoutError", "ApiDecodeError",
            "TooManyRequestsException", "ServiceException", "MissingCredentialsError", "ApiKeyError"} <= names
    assert len(names) >= 17


@pytest.mark.parametrize("cls", our_exception_classes(), ids=lambda cls: cls.__name__)
def test_rebuilt_from_args_as_celery_json_results_do(cls):
    error = sample(cls)
    # Celery's JSON result backend stores type, module and the args as JSON, then calls type(e)(*args).
    args = json.loads(json.dumps(list(error.args)))
    rebuilt = type(error)(*args)
    assert observable(rebuilt) == observable(error)


@pytest.mark.parametrize("cls", our_exception_classes(), ids=lambda cls: cls.__name__)
def test_pickled(cls):
    error = sample(cls)
    assert observable(pickle.loads(pickle.dumps(error))) == observable(error)


def test_a_bad_request_keeps_its_message_and_status_through_a_rebuild():
    error = talon_one.BadRequestException(400, "Bad Request", body=ERROR_BODY, operation=OPERATION)
    rebuilt = type(error)(*json.loads(json.dumps(error.args)))
    assert rebuilt.status == 400 and rebuilt.message == "Invalid request" and rebuilt.operation == OPERATION


def test_a_connection_error_rebuilds_as_itself():
    error = sample(talon_one.ApiTimeoutError)
    rebuilt = type(error)(*error.args)
    assert type(rebuilt) is talon_one.ApiTimeoutError and rebuilt.status is None
    assert rebuilt.reason == error.reason


def test_str_is_one_line_naming_status_operation_message_and_first_error():
    error = talon_one.BadRequestException(400, "Bad Request", body=ERROR_BODY, operation=OPERATION)
    text = str(error)
    assert len(text.splitlines()) == 1
    assert text.startswith("(400) Bad Request on PUT /v2/customer_sessions/{customerSessionId}: Invalid request")
    assert "quantity must be >= 1 got 0 second line (at /customerSession/cartItems/0/quantity)" in text
    assert error.errors[0]["details"] == "got 0\nsecond line"  # the full detail stays in the attributes


@pytest.mark.parametrize("cls", our_exception_classes(), ids=lambda cls: cls.__name__)
def test_str_of_every_exception_is_one_line(cls):
    assert len(str(sample(cls)).splitlines()) == 1


def test_an_html_error_page_shows_on_one_line():
    page = "<html>\r\n<body>\n<h1>502 Bad Gateway</h1>\n</body></html>"
    error = talon_one.ServiceException(502, "Bad Gateway", body=page, operation="POST /v1/events", retry_after=3)
    assert str(error) == ("(502) Bad Gateway on POST /v1/events: body: <html> <body> <h1>502 Bad Gateway</h1> "
                          "</body></html>; Retry-After: 3 s")


def test_errors_from_calls_name_the_path_template_not_the_values_and_never_the_key(talon_one_fake):
    configuration = talon_one.Configuration(host=talon_one_fake.base_url, api_key_v1=talon_one_fake.api_key,
                                            retries=0, client_side_validation=False)
    with talon_one.ApiClient(configuration) as client:
        api = talon_one.IntegrationApi(client)
        with pytest.raises(talon_one.NotFoundException) as raised:
            api.get_reserved_customers("PERSONAL-jane.doe@example.com")
        text = str(raised.value)
        assert "on GET /v1/coupon_reservations/customerprofiles/{couponValue}" in text
        assert "/customerprofiles/PERSONAL" not in text  # the filled-in path is not shown
        assert raised.value.operation == "GET /v1/coupon_reservations/customerprofiles/{couponValue}"
        with pytest.raises(talon_one.BadRequestException) as raised:
            body = {"customerSession": {"profileId": "customer-1",
                                        "cartItems": [{"name": "x", "sku": "y", "quantity": 0, "price": 1}]}}
            api.update_customer_session_v2("session-1", body)  # validation off: the fake answers 400
        text = str(raised.value)
        assert len(text.splitlines()) == 1
        assert text.startswith("(400) Bad Request on PUT /v2/customer_sessions/{customerSessionId}: ")
        assert "/customerSession/cartItems/0/quantity" in text
    wrong = talon_one.Configuration(host=talon_one_fake.base_url, api_key_v1=API_KEY, retries=0)
    with talon_one.ApiClient(wrong) as client:
        with pytest.raises(talon_one.UnauthorizedException) as raised:
            talon_one.IntegrationApi(client).get_reserved_customers("X")
        for text in (str(raised.value), repr(raised.value), json.dumps(raised.value.args)):
            assert API_KEY not in text
