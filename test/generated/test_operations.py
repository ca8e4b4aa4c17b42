"""Every operation of IntegrationApi against a real HTTP server on 127.0.0.1."""

import copy
import inspect
import json
import warnings
from unittest import mock

import pytest

import talon_one
from talon_one.api_client import AsyncResult
from talon_one.exceptions import ApiTypeError, ApiValueError, BadRequestException, NotFoundException

from . import spec_examples
from .spec_examples import example

# operationId -> (method name, path arguments, keyword arguments, expected query string).
# Path values need percent-encoding, to show each is sent as exactly one segment.
CASES = {
    "createCouponReservation": ("create_coupon_reservation", ["SUMMER 10/A"], {}, ""),
    "deleteCouponReservation": ("delete_coupon_reservation", ["SUMMER 10/A"], {}, ""),
    "createReferral": ("create_referral", [], {}, ""),
    "deleteCustomerData": ("delete_customer_data", ["customer 47/11"], {}, ""),
    "getCustomerInventory": ("get_customer_inventory", ["customer 47/11"],
                             {"profile": True, "referrals": False, "coupons": True, "loyalty": True},
                             "profile=true&referrals=false&coupons=true&loyalty=true"),
    "getCustomerProfilesByAttributes": ("get_customer_profiles_by_attributes", [], {}, ""),
    "getReservedCoupons": ("get_reserved_coupons", ["customer 47/11"], {}, ""),
    "getReservedCustomers": ("get_reserved_customers", ["SUMMER 10/A"], {}, ""),
    "trackEvent": ("track_event", [], {"dry": True}, "dry=true"),
    "updateCustomerProfile": ("update_customer_profile", ["customer 47/11"], {"dry": False}, "dry=false"),
    "updateCustomerProfileAudiences": ("update_customer_profile_audiences", [], {}, ""),
    "updateCustomerProfileV2": ("update_customer_profile_v2", ["customer 47/11"],
                                {"run_rule_engine": True, "dry": False}, "runRuleEngine=true&dry=false"),
    "updateCustomerProfilesV2": ("update_customer_profiles_v2", [], {"silent": "no"}, "silent=no"),
    "updateCustomerSession": ("update_customer_session", ["session 2024/1"], {"dry": True}, "dry=true"),
    "updateCustomerSessionV2": ("update_customer_session_v2", ["session 2024/1"], {"dry": True}, "dry=true"),
}
ENCODED = {"SUMMER 10/A": "SUMMER%2010%2FA", "customer 47/11": "customer%2047%2F11",
           "session 2024/1": "session%202024%2F1"}
PATH_ARGUMENTS = {"couponValue": "coupon_value", "integrationId": "integration_id",
                  "customerSessionId": "customer_session_id"}
OPERATIONS = spec_examples.operations()
DEPRECATED = {"update_customer_profile": "update_customer_profile_v2",
              "update_customer_session": "update_customer_session_v2"}


def _schema(content_holder):
    content = content_holder.get("content") if content_holder else None
    if not content:
        return None
    return spec_examples.schema_of(content["application/json"]["schema"])


def _plan(operation_id):
    """What a call sends and gets back: (method name, args, kwargs, request JSON, response JSON, model)."""
    name, path_args, kwargs, _ = CASES[operation_id]
    operation = next(op for op_id, _, _, op in OPERATIONS if op_id == operation_id)
    body_schema = _schema(operation.get("requestBody"))
    response_schema = _schema(operation["responses"].get("200"))
    request = example(body_schema) if body_schema else None
    response = example(response_schema) if response_schema else None
    return name, list(path_args), dict(kwargs), body_schema, request, response_schema, response


def _expected_path(path, path_args):
    names = [p["name"] for op_id, _, p_path, op in OPERATIONS if p_path == path for p in op.get("parameters", [])
             if p["in"] == "path"]
    for name, value in zip(names, path_args):
        path = path.replace("{%s}" % name, ENCODED[value])
    return path


def _call(api, operation_id, body_as, **extra):
    name, args, kwargs, body_schema, request, _, _ = _plan(operation_id)
    if body_schema:
        body = copy.deepcopy(request)
        args.append(getattr(talon_one, body_schema).from_dict(body) if body_as == "model" else body)
    kwargs.update(extra)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return getattr(api, name)(*args, **kwargs)


def test_every_operation_has_a_method_pair():
    assert sorted(CASES) == sorted(op_id for op_id, _, _, _ in OPERATIONS)
    for name, _, _, _ in CASES.values():
        assert callable(getattr(talon_one.IntegrationApi, name))
        assert callable(getattr(talon_one.IntegrationApi, name + "_with_http_info"))
        assert getattr(talon_one.IntegrationApi, name).__doc__.strip()


# Every operation; those with a body twice, the body given as the model and as a plain dict.
SEND_CASES = [(op_id, method, path, body_as) for op_id, method, path, op in OPERATIONS
              for body_as in (("model", "dict") if "requestBody" in op else ("none",))]


@pytest.mark.parametrize("operation_id,method,path,body_as", SEND_CASES,
                         ids=["%s-%s" % (case[0], case[3]) for case in SEND_CASES])
def test_operation_sends_and_decodes(api, server, operation_id, method, path, body_as):
    name, path_args, kwargs, body_schema, request, response_schema, response = _plan(operation_id)
    if response is None:
        server.reply(204)
    else:
        server.reply(200, response)
    result = _call(api, operation_id, body_as)

    [sent] = server.requests
    assert sent.method == method
    assert sent.path == _expected_path(path, path_args)
    assert sent.query_string == CASES[operation_id][3]
    assert sent.headers["Authorization"] == "ApiKey-v1 test-key"
    assert sent.headers["Accept"] == "application/json"
    if body_schema:
        assert sent.headers["Content-Type"] == "application/json"
        assert sent.json() == request
    else:
        assert "Content-Type" not in sent.headers
        assert sent.body == b""

    if response is None:
        assert result is None
    else:
        assert type(result) is getattr(talon_one, response_schema)
        assert json.loads(result.to_json()) == response


def test_a_rich_state_is_decoded_into_models(api, server):
    state = example("IntegrationStateV2")
    server.reply(200, state)
    result = _call(api, "updateCustomerSessionV2", "model")
    assert isinstance(result, talon_one.IntegrationStateV2)
    assert len(result.effects) == len(spec_examples.EFFECT_TYPES)
    discount = next(e for e in result.effects if e.effect_type == "setDiscount")
    assert isinstance(discount.typed_props, talon_one.SetDiscountEffectProps)
    assert discount.typed_props.value == example("SetDiscountEffectProps")["value"]
    points = next(e for e in result.effects if e.effect_type == "addLoyaltyPoints").typed_props
    assert points.transaction_uuid == "5f1c7a2e-9b0d-4c3e-8a71-000000000001"
    assert points.start_date.year == 2024
    ledgers = result.loyalty.programs["main"]
    assert isinstance(ledgers, talon_one.LoyaltyProgramLedgers)
    assert isinstance(ledgers.sub_ledgers["second"], talon_one.LoyaltyProgramBalance)
    campaign = result.triggered_campaigns[0]
    assert isinstance(campaign.coupon_settings, talon_one.CodeGeneratorSettings)
    assert campaign.limits[0].entities == ["Coupon", "Referral"]
    assert result.customer_session.cart_items[0].sku == "SKU-01001"
    assert result.customer_session.additional_costs["main"].price == 89.5
    assert result.event.ledger_entries[0].profile_id == "customer-4711"
    assert result.rule_failure_reasons[0].campaign_id == 7


def test_v1_state_and_inventory(api, server):
    server.reply(200, example("IntegrationState"))
    state = _call(api, "trackEvent", "model")
    assert isinstance(state.event.meta.coupon_rejection_reason, talon_one.CouponRejectionReason)
    assert state.session.discounts == {"main": 12.5, "second": 12.5}
    server.reply(200, example("CustomerInventory"))
    inventory = _call(api, "getCustomerInventory", "model")
    assert isinstance(inventory.referrals[0], talon_one.Referral)
    assert isinstance(inventory.profile.loyalty_memberships[0], talon_one.LoyaltyMembership)


def test_with_http_info_returns_data_status_and_headers(api, server):
    server.reply(200, example("Referral"), headers={"X-Request-Id": "r-1"})
    data, status, headers = api.create_referral_with_http_info(talon_one.NewReferral.from_dict(example("NewReferral")))
    assert isinstance(data, talon_one.Referral) and status == 200 and headers["X-Request-Id"] == "r-1"
    server.reply(204)
    assert api.delete_customer_data_with_http_info("customer-1")[:2] == (None, 204)
    server.reply(200, example("Referral"))
    only_data = api.create_referral_with_http_info(example("NewReferral"), _return_http_data_only=True)
    assert isinstance(only_data, talon_one.Referral)


def test_204_answers_give_none(api, server):
    server.reply(204)
    body = {"customerProfiles": [{"integrationId": "customer-1", "attributes": {"a": 1}}]}
    assert api.update_customer_profiles_v2(body, silent="yes") is None
    assert server.requests[0].query_string == "silent=yes"
    server.reply(204)
    assert api.update_customer_profile_audiences({"data": []}) is None
    server.reply(204)
    assert api.delete_coupon_reservation("SUMMER-10", {"integrationIDs": ["customer-1"]}) is None
    assert server.requests[-1].json() == {"integrationIDs": ["customer-1"]}


def test_async_req_returns_a_result_to_get(api, server):
    server.reply(200, example("InlineResponse2001"))
    pending = api.get_reserved_coupons("customer-1", async_req=True)
    assert isinstance(pending, AsyncResult)
    result = pending.get(timeout=10)
    assert isinstance(result, talon_one.InlineResponse2001) and isinstance(result.data[0], talon_one.Coupon)
    # The generated docstrings say what comes back.
    assert "returns an AsyncResult" in " ".join(talon_one.IntegrationApi.get_reserved_coupons.__doc__.split())


def test_preload_content_false_gives_the_raw_response(api, server):
    server.reply(200, example("InlineResponse2001"))
    raw = api.get_reserved_coupons("customer-1", _preload_content=False)
    try:
        assert raw.status == 200 and json.loads(raw.data) == example("InlineResponse2001")
    finally:
        raw.release_conn()


def test_error_answers_raise_the_mapped_exception(api, server):
    server.reply(400, {"message": "Invalid request", "errors": [{"title": "bad quantity",
                                                                 "source": {"pointer": "/cartItems/0"}}]})
    with pytest.raises(BadRequestException) as raised:
        _call(api, "updateCustomerSessionV2", "model")
    assert raised.value.status == 400 and raised.value.message == "Invalid request"
    server.reply(404, {"message": "Not found"})
    with pytest.raises(NotFoundException):
        api.get_reserved_customers("SUMMER-10")


# -- checks before sending ------------------------------------------------------------------

def test_unknown_keyword_is_refused_before_sending(api, server):
    with pytest.raises(TypeError, match="'dyr'") as raised:
        api.update_customer_session_v2("session-1", example("IntegrationRequest"), dyr=True)
    assert "update_customer_session_v2" in str(raised.value)
    with pytest.raises(TypeError, match="_return_http_data_only"):
        api.get_reserved_coupons("customer-1", _return_http_data_only=False)
    with pytest.raises(TypeError, match="'silent'"):
        api.get_reserved_coupons("customer-1", silent="yes")
    assert server.requests == []


def _public_methods():
    return [name for name in dir(talon_one.IntegrationApi) if not name.startswith("_")]


@pytest.mark.parametrize("name", _public_methods())
def test_every_operation_spells_out_its_keywords(name):
    """No **kwargs: query parameters and per-call options are keyword-only parameters with defaults."""
    method = getattr(talon_one.IntegrationApi, name)
    parameters = inspect.signature(method).parameters
    kinds = {parameter.kind for parameter in parameters.values()}
    assert inspect.Parameter.VAR_KEYWORD not in kinds and inspect.Parameter.VAR_POSITIONAL not in kinds
    keyword_only = [p.name for p in parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    options = ["async_req", "_preload_content", "_request_timeout", "_retries"]
    if name.endswith("_with_http_info"):
        options.insert(1, "_return_http_data_only")
    assert keyword_only[-len(options):] == options
    assert all(parameters[keyword].default is not inspect.Parameter.empty for keyword in keyword_only)
    assert all(parameters[p].annotation is not inspect.Parameter.empty for p in parameters if p != "self")


def test_autospec_mocks_catch_a_misspelt_keyword():
    with mock.patch.object(talon_one.IntegrationApi, "update_customer_session_v2", autospec=True) as patched:
        api = talon_one.IntegrationApi(mock.Mock())
        api.update_customer_session_v2("session-1", {}, dry=True, _request_timeout=(1, 2))
        with pytest.raises(TypeError):
            api.update_customer_session_v2("session-1", {}, dyr=True)
    assert patched.call_count == 1
    assert "dry" in inspect.signature(talon_one.IntegrationApi.update_customer_profile_v2).parameters
    assert "run_rule_engine" in inspect.signature(talon_one.IntegrationApi.update_customer_profile_v2).parameters


@pytest.mark.parametrize("operation_id", sorted(CASES))
def test_missing_required_arguments_are_refused_before_sending(api, server, operation_id):
    name, path_args, _, body_schema, request, _, _ = _plan(operation_id)
    operation = next(op for op_id, _, _, op in OPERATIONS if op_id == operation_id)
    names = [PATH_ARGUMENTS[p["name"]] for p in operation.get("parameters", []) if p["in"] == "path"]
    names += ["body"] if body_schema else []
    args = path_args + ([request] if body_schema else [])
    for index, argument in enumerate(names):
        missing = list(args)
        missing[index] = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            with pytest.raises(ApiValueError, match="Missing the required parameter `%s` when calling `%s`"
                               % (argument, name)):
                getattr(api, name)(*missing)
    if path_args:
        empty = [""] + args[1:]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            with pytest.raises(ApiValueError, match="must not be empty"):
                getattr(api, name)(*empty)
    assert server.requests == []


def test_query_parameters_are_type_checked_before_sending(api, server):
    with pytest.raises(ApiTypeError, match="`dry`.*expected a boolean.*'yes'"):
        api.update_customer_session_v2("session-1", example("IntegrationRequest"), dry="yes")
    with pytest.raises(ApiTypeError, match="`run_rule_engine`"):
        api.update_customer_profile_v2("customer-1", {}, run_rule_engine=1)
    with pytest.raises(ApiTypeError, match="`silent`"):
        api.update_customer_profiles_v2({}, silent=True)
    with pytest.raises(ApiTypeError, match="`integration_id`"):
        api.delete_customer_data(4711)
    assert server.requests == []


def test_body_is_checked_before_sending(api, server):
    with pytest.raises(ApiTypeError, match="`body`.*IntegrationRequest"):
        api.update_customer_session_v2("session-1", talon_one.NewCustomerSession())
    with pytest.raises(ApiTypeError, match="`body`"):
        api.update_customer_session_v2("session-1", ["not", "a", "body"])
    bad = example("IntegrationRequest")
    bad["customerSession"]["cartItems"][0]["quantity"] = 0
    with pytest.raises(ApiValueError, match=r"CartItem.quantity must be >= 1 \(minimum\), got 0"):
        api.update_customer_session_v2("session-1", bad)
    too_many = {"customerProfiles": [{"integrationId": "c-%d" % i} for i in range(1001)]}
    with pytest.raises(ApiValueError, match=r"customer_profiles must have at most 1000 items \(maxItems\), got 1001"):
        api.update_customer_profiles_v2(too_many)
    assert server.requests == []


def test_client_side_validation_off_sends_the_body_as_given(server):
    configuration = talon_one.Configuration(host=server.url, api_key_v1="test-key", retries=0,
                                            client_side_validation=False)
    with talon_one.ApiClient(configuration) as client:
        api = talon_one.IntegrationApi(client)
        bad = example("IntegrationRequest")
        bad["customerSession"]["cartItems"][0]["quantity"] = 0
        server.reply(200, example("IntegrationStateV2"))
        api.update_customer_session_v2("session-1", bad)
    assert server.requests[0].json()["customerSession"]["cartItems"][0]["quantity"] == 0


@pytest.mark.parametrize("name,replacement", sorted(DEPRECATED.items()))
def test_deprecated_operations_warn_at_the_callers_line(api, server, name, replacement):
    server.reply(200, example("IntegrationState"))
    body = {"attributes": {"a": 1}}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(api, name)("id-1", body)
    [warning] = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    assert name in str(warning.message) and replacement in str(warning.message)
    assert warning.filename == __file__
    server.reply(200, example("IntegrationState"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(api, name + "_with_http_info")("id-1", body)
    assert [w.filename for w in caught if issubclass(w.category, DeprecationWarning)] == [__file__]
    assert "deprecated" in getattr(talon_one.IntegrationApi, name).__doc__


def test_auth_settings_follow_the_spec(server):
    """Operations that accept integration_auth are signed when only an application key is set."""
    configuration = talon_one.Configuration(host=server.url, application_id=42, application_key="0a1b2c3d",
                                            retries=0)
    with talon_one.ApiClient(configuration) as client:
        api = talon_one.IntegrationApi(client)
        server.reply(200, example("InlineResponse2001"))
        api.get_reserved_coupons("customer-1")
        assert server.requests[0].headers["Content-Signature"].startswith("signer=42; signature=")
        assert "Authorization" not in server.requests[0].headers
        with pytest.raises(Exception, match="api_key_v1"):
            api.update_customer_session_v2("session-1", example("IntegrationRequest"))
    assert len(server.requests) == 1


def test_default_client():
    api = talon_one.IntegrationApi()
    assert isinstance(api.api_client, talon_one.ApiClient)
    assert api.api_client.configuration is talon_one.Configuration.get_default()
