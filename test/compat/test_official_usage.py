"""Code written for the official SDK, run unchanged against the fake: how its README and docs use it."""

import json
import logging
import threading

import pytest
import urllib3

import talon_one
from generated.spec_examples import SCHEMAS, effects as every_effect_type, example
from talon_one.rest import ApiException  # the official docs' first import


def checkout_request(coupon="SUMMER10"):
    """A session built the official way: positional model arguments, attributes set afterwards."""
    session = talon_one.NewCustomerSessionV2("customer-1", [coupon])
    session.cart_items = [talon_one.CartItem("Shoes", "SKU-1", 1, 45.0), talon_one.CartItem("Socks", "SKU-2", 2, 15.0)]
    session.state = "open"
    request = talon_one.IntegrationRequest(session)
    request.response_content = ["customerSession", "customerProfile"]
    return request


def create_profile(api, integration_id="customer-1"):
    api.update_customer_profile_v2(integration_id, talon_one.CustomerProfileIntegrationRequestV2({"name": "Ada"}))


def test_rest_api_exception_is_the_package_exception():
    import talon_one.exceptions
    import talon_one.rest
    assert talon_one.rest.ApiException is talon_one.ApiException is talon_one.exceptions.ApiException
    assert talon_one.rest.ApiValueError is talon_one.ApiValueError


def test_the_official_readme_flow_with_deserialize_model(api, fake):
    state = api.update_customer_session_v2("session-1", checkout_request())
    by_type = {effect.effect_type: effect for effect in state.effects}
    assert set(by_type) >= {"acceptCoupon", "setDiscount"}
    # The official docs read effect props this way: the class, or its name, and the props dict.
    discount = api.api_client.deserialize_model(by_type["setDiscount"].props, talon_one.SetDiscountEffectProps)
    assert isinstance(discount, talon_one.SetDiscountEffectProps)
    assert discount.name == "Summer sale 10%" and discount.value == pytest.approx(7.5)
    accepted = api.api_client.deserialize_model(by_type["acceptCoupon"].props, "AcceptCouponEffectProps")
    assert accepted.value == "SUMMER10"
    assert fake.sessions["session-1"]["profileId"] == "customer-1"


def test_deserialize_model_reads_every_effect_type_from_a_response(api_client):
    body = example("IntegrationStateV2")
    body["effects"] = every_effect_type()
    response = urllib3.HTTPResponse(body=json.dumps(body).encode(), status=200,
                                    headers={"Content-Type": "application/json"}, preload_content=True)
    state = api_client.deserialize(response, "IntegrationStateV2")
    props_models = talon_one.models.effect.PROPS_MODELS
    assert {effect.effect_type for effect in state.effects} == set(props_models)
    for effect in state.effects:
        model = getattr(talon_one, props_models[effect.effect_type])
        props = api_client.deserialize_model(effect.props, model)
        assert isinstance(props, model), effect.effect_type
        schema = SCHEMAS[props_models[effect.effect_type]]
        for field, json_key in model.attribute_map.items():
            if effect.props.get(json_key) is not None:
                assert getattr(props, field) is not None, (effect.effect_type, field)
        assert props == effect.typed_props
        assert set(props.to_dict()) >= set(model.openapi_types), effect.effect_type
        assert len(schema.get("properties", {})) == len(model.openapi_types)


def test_deserialize_model_is_tolerant_like_a_response_and_refuses_what_is_not_a_model(api_client):
    odd = {"name": "x" * 2000, "value": "not a number", "futureKey": [1]}  # breaks the spec's rules
    props = api_client.deserialize_model(odd, "SetDiscountEffectProps")
    assert props.value == "not a number" and props.additional_properties == {"futureKey": [1]}
    assert api_client.deserialize_model(None, talon_one.SetDiscountEffectProps) is None
    with pytest.raises(talon_one.ApiValueError, match="klass must be a talon_one model"):
        api_client.deserialize_model({}, "NoSuchModel")
    with pytest.raises(talon_one.ApiTypeError, match="data must be a dict"):
        api_client.deserialize_model([1], talon_one.SetDiscountEffectProps)


def test_except_api_exception_catches_the_service_errors(api):
    with pytest.raises(ApiException) as raised:
        api.get_reserved_customers("NO-SUCH-COUPON")
    error = raised.value
    assert error.status == 404 and isinstance(error, talon_one.NotFoundException)
    assert "NO-SUCH-COUPON" in error.body


def test_to_dict_gives_every_declared_field(api):
    state = api.update_customer_session_v2("session-1", checkout_request())
    as_dict = state.to_dict()
    assert set(as_dict) >= set(talon_one.IntegrationStateV2.openapi_types)
    item = as_dict["customer_session"]["cart_items"][0]
    assert item["category"] is None and item["name"] == "Shoes"  # unset, yet present: no KeyError
    assert set(item) == set(talon_one.CartItem.openapi_types)
    assert talon_one.CartItem("Shoes", "SKU-1", 1, 45.0).to_dict(exclude_none=True) == {
        "name": "Shoes", "sku": "SKU-1", "quantity": 1, "price": 45.0}
    assert "category" not in json.loads(talon_one.CartItem("Shoes", "SKU-1", 1, 45.0).to_json())


def test_with_http_info_async_req_and_preload_content(api):
    data, status, headers = api.update_customer_session_v2_with_http_info("session-1", checkout_request())
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert isinstance(data, talon_one.IntegrationStateV2)
    create_profile(api)
    thread = api.get_customer_inventory("customer-1", async_req=True)
    inventory = thread.get(timeout=30)
    assert isinstance(inventory, talon_one.CustomerInventory)
    raw = api.get_customer_inventory("customer-1", profile=True, _preload_content=False)
    try:
        assert raw.status == 200 and json.loads(raw.data)["profile"]["integrationId"] == "customer-1"
    finally:
        raw.release_conn()


def test_last_response_is_set_per_thread(api_client, api, fake):
    assert api_client.last_response is None
    api.update_customer_session_v2("session-1", checkout_request())
    response = api_client.last_response
    assert isinstance(response, talon_one.rest.RESTResponse)
    assert response.status == 200 and response.getheader("content-type").startswith("application/json")
    assert json.loads(response.data)["customerSession"]["integrationId"] == "session-1"
    seen = {}

    def other_thread():
        seen["before"] = api_client.last_response
        try:
            api.get_reserved_customers("NO-SUCH-COUPON")
        except talon_one.NotFoundException:
            pass
        seen["after"] = api_client.last_response.status

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join(30)
    assert seen == {"before": None, "after": 404}
    assert api_client.last_response.status == 200  # this thread's own, untouched by the other thread


def test_rest_client_helpers_and_request_signature(api_client, fake):
    create_profile(talon_one.IntegrationApi(api_client), "customer-9")
    rest = api_client.rest_client
    headers = {"Authorization": "ApiKey-v1 " + fake.api_key}
    url = fake.base_url + "/v1/customer_profiles/customer-9/inventory"
    # request(method, url, query_params, headers): the official positional order
    response = rest.request("GET", url, {"profile": True}, headers)
    assert isinstance(response, talon_one.rest.RESTResponse) and response.status == 200
    assert fake.requests[-1].query == {"profile": "true"}
    assert rest.GET(url, headers=headers).status == 200
    with pytest.raises(ApiException) as refused:  # the fake serves GET only there: 405
        rest.HEAD(url, headers=headers)
    assert refused.value.status == 405 and fake.requests[-1].method == "HEAD"
    created = rest.POST(fake.base_url + "/v1/events", headers=headers,
                        body={"profileId": "customer-9", "sessionId": "session-9", "type": "viewed", "attributes": {}})
    assert created.status == 200 and json.loads(created.data)["event"]["type"] == "viewed"
    with pytest.raises(talon_one.NotFoundException):
        rest.DELETE(fake.base_url + "/v1/no/such/path", headers=headers)
    with pytest.raises(talon_one.ApiValueError, match="body parameter cannot be used with post_params"):
        rest.PUT(url, headers=headers, post_params={"a": "b"}, body={"c": 1})
    with pytest.raises(talon_one.ApiValueError, match="form fields and file uploads are not supported"):
        rest.PATCH(url, headers=headers, post_params={"a": "b"})
    with pytest.raises(talon_one.ApiValueError, match="method must be one of"):
        rest.request("TRACE", url)
    with pytest.raises(ApiException) as refused:  # the fake allows POST only there: 405
        rest.OPTIONS(fake.base_url + "/v1/events", headers=headers, _request_timeout=5)
    assert refused.value.status == 405 and fake.requests[-1].method == "OPTIONS"


def test_api_client_helpers(api_client, fake):
    assert api_client.parameters_to_tuples({"ids": ["a", "b"], "dry": True, "skip": None}, {"ids": "csv"}) == [
        ("ids", "a,b"), ("dry", "true")]
    assert api_client.parameters_to_tuples([("tag", ["x", "y"])], None) == [("tag", "x"), ("tag", "y")]
    headers = {}
    api_client.update_params_for_auth(headers, [], ["api_key_v1"])
    assert headers == {"Authorization": "ApiKey-v1 " + fake.api_key}
    signed = talon_one.ApiClient(talon_one.Configuration(host=fake.base_url, application_id=fake.application_id,
                                                         application_key=fake.application_key))
    try:
        body = b'{"profileId": "p"}'
        headers = {}
        signed.update_params_for_auth(headers, [], ["api_key_v1", "integration_auth"], body=body)
        assert headers == {"Content-Signature": fake.content_signature(body)}
        with pytest.raises(talon_one.MissingCredentialsError):
            signed.update_params_for_auth({}, [], ["api_key_v1"])
    finally:
        signed.close()
    assert api_client.files_parameters() == [] and api_client.files_parameters({}) == []
    with pytest.raises(talon_one.ApiValueError, match="file uploads are not supported"):
        api_client.files_parameters({"file": "/etc/hosts"})
    assert api_client.NATIVE_TYPES_MAPPING["long"] is int and bytes in api_client.PRIMITIVE_TYPES


def test_pool_apply_async_runs_on_the_client_pool(api_client, api):
    create_profile(api)
    results, errors = [], []
    done = threading.Event()

    def on_error(error):
        errors.append(error)
        done.set()

    ok = api_client.pool.apply_async(api.get_customer_inventory, ("customer-1",), callback=results.append)
    assert isinstance(ok.get(timeout=30), talon_one.CustomerInventory) and ok.successful()
    failed = api_client.pool.apply_async(api.get_reserved_customers, ("NO-SUCH-COUPON",), error_callback=on_error)
    assert done.wait(30)
    with pytest.raises(talon_one.NotFoundException):
        failed.get(timeout=30)
    assert len(results) == 1 and isinstance(errors[0], talon_one.NotFoundException)


def test_configuration_helpers_of_the_official_sdk(tmp_path):
    configuration = talon_one.Configuration(host="http://127.0.0.1:9", username="user", password="pass")
    assert configuration.get_basic_auth_token() == "Basic dXNlcjpwYXNz"
    configuration.logger_file = str(tmp_path / "sdk.log")
    assert configuration.logger_file_handler.baseFilename == str(tmp_path / "sdk.log")
    configuration.logger_format = "%(levelname)s %(message)s"
    assert configuration.logger_formatter._fmt == "%(levelname)s %(message)s"
    assert configuration.temp_folder_path is None and configuration.logger_stream_handler is None
    configuration.logger_file = None
    assert configuration.logger_file_handler is None
    # The official SDK's handler and formatter attributes were plain, settable attributes.
    configuration.logger_stream_handler = None
    configuration.logger_file_handler = None
    custom = logging.Formatter("custom %(message)s")
    configuration.logger_formatter = custom
    configuration.logger_file = str(tmp_path / "sdk2.log")
    assert configuration.logger_formatter is custom and configuration.logger_file_handler.formatter is custom
    configuration.logger_file = None
    configuration.logger_formatter = None
    assert configuration.logger_formatter._fmt == "%(levelname)s %(message)s"
    from talon_one.exceptions import render_path
    assert render_path(["cartItems", 0, "quantity"]) == "['cartItems'][0]['quantity']"
    from talon_one.api_client import ThreadPool
    from multiprocessing.pool import ThreadPool as expected
    assert ThreadPool is expected


def test_management_api_exists_and_says_what_to_do_instead():
    with pytest.raises(NotImplementedError, match="Integration API only.*separate virtual environment"):
        talon_one.ManagementApi(talon_one.ApiClient(talon_one.Configuration(host="http://127.0.0.1:9")))


def test_a_configuration_subclass_overriding_get_api_key_with_prefix_sends_its_key(fake):
    """The official SDK took the key from get_api_key_with_prefix(identifier) on every request; code that
    overrides it (a key fetched from a vault) keeps working, its signature as the official SDK's."""
    class VaultConfiguration(talon_one.Configuration):
        def get_api_key_with_prefix(self, identifier):
            return "ApiKey-v1 %s" % fake.api_key if identifier == "Authorization" else None

    configuration = VaultConfiguration(host=fake.base_url, api_key={"Authorization": "stale-key"})
    assert configuration.auth_settings()["api_key_v1"]["value"] == "ApiKey-v1 %s" % fake.api_key
    with talon_one.ApiClient(configuration) as client:
        talon_one.IntegrationApi(client).update_customer_session_v2("session-1", checkout_request())
    assert fake.requests[-1].headers["Authorization"] == "ApiKey-v1 %s" % fake.api_key


def test_a_configuration_subclass_overriding_auth_settings_sends_its_key(fake):
    class RotatingConfiguration(talon_one.Configuration):
        def auth_settings(self):
            return {"api_key_v1": {"type": "api_key", "in": "header", "key": "Authorization",
                                   "value": "ApiKey-v1 %s" % fake.api_key}}

    with talon_one.ApiClient(RotatingConfiguration(host=fake.base_url)) as client:
        talon_one.IntegrationApi(client).update_customer_session_v2("session-1", checkout_request())
    assert fake.requests[-1].headers["Authorization"] == "ApiKey-v1 %s" % fake.api_key
