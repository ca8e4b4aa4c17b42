"""Authentication end to end: API key, signed requests (integration_auth), and what fails how."""

import warnings

import pytest

from talon_one import (
    ApiValueError,
    CouponReservations,
    CustomerProfileAudienceRequest,
    CustomerProfileAudienceRequestItem,
    CustomerProfileIntegrationRequestV2,
    CustomerProfileSearch,
    MissingCredentialsError,
    MultipleCustomerProfileIntegrationRequest,
    MultipleCustomerProfileIntegrationRequestItem,
    NewCustomerProfile,
    NewCustomerSession,
    NewEvent,
    NewReferral,
    UnauthorizedException,
)

from e2e_helpers import session_request

WRONG_KEY = "not-the-right-key-0123456789"
DEPRECATED = ("update_customer_profile", "update_customer_session")

# Every operation that accepts signed requests, called with arguments it accepts on a fresh fake
# (after `prepare`, which creates what the call needs); the value is checked on the result.
SIGNED_CALLS = {
    "create_coupon_reservation": lambda api: api.create_coupon_reservation(
        "FIVEOFF", CouponReservations(integration_ids=["grace"])).value,
    "create_referral": lambda api: api.create_referral(
        NewReferral(campaign_id=2, advocate_profile_integration_id="grace")).campaign_id,
    "delete_coupon_reservation": lambda api: api.delete_coupon_reservation(
        "FIVEOFF", CouponReservations(integration_ids=["grace"])),
    "delete_customer_data": lambda api: api.delete_customer_data("grace"),
    "get_customer_inventory": lambda api: api.get_customer_inventory("grace", profile=True).profile.integration_id,
    "get_customer_profiles_by_attributes": lambda api: api.get_customer_profiles_by_attributes(
        CustomerProfileSearch(attributes={"tier": "gold"})).total_result_size,
    "get_reserved_coupons": lambda api: api.get_reserved_coupons("grace").total_result_size,
    "get_reserved_customers": lambda api: api.get_reserved_customers("FIVEOFF").total_result_size,
    "track_event": lambda api: api.track_event(
        NewEvent(profile_id="grace", type="viewed", attributes={}, session_id="b-1")).event.type,
    "update_customer_profile": lambda api: api.update_customer_profile(
        "grace", NewCustomerProfile(attributes={"tier": "silver"})).profile.attributes["tier"],
    "update_customer_session": lambda api: api.update_customer_session(
        "s-1", NewCustomerSession(profile_id="grace", coupon="FIVEOFF")).session.coupon,
}
SIGNED_RESULTS = {
    "create_coupon_reservation": "FIVEOFF", "create_referral": 2, "delete_coupon_reservation": None,
    "delete_customer_data": None, "get_customer_inventory": "grace", "get_customer_profiles_by_attributes": 1,
    "get_reserved_coupons": 0, "get_reserved_customers": 0, "track_event": "viewed",
    "update_customer_profile": "silver", "update_customer_session": "FIVEOFF",
}

# The operations the spec allows with an API key only.
API_KEY_ONLY_CALLS = {
    "update_customer_profile_audiences": lambda api: api.update_customer_profile_audiences(
        CustomerProfileAudienceRequest(data=[CustomerProfileAudienceRequestItem(
            action="add", profile_integration_id="grace", audience_id=1)])),
    "update_customer_profile_v2": lambda api: api.update_customer_profile_v2(
        "grace", CustomerProfileIntegrationRequestV2(attributes={})),
    "update_customer_profiles_v2": lambda api: api.update_customer_profiles_v2(
        MultipleCustomerProfileIntegrationRequest(customer_profiles=[
            MultipleCustomerProfileIntegrationRequestItem(integration_id="grace")])),
    "update_customer_session_v2": lambda api: api.update_customer_session_v2(
        "s-1", session_request(profile_id="grace")),
}


@pytest.fixture
def grace(api):
    """A customer profile with a gold tier, for the calls that need one."""
    api.update_customer_profile_v2("grace", CustomerProfileIntegrationRequestV2(attributes={"tier": "gold"}))
    return "grace"


def test_the_operations_split_as_the_spec_says():
    assert len(SIGNED_CALLS) + len(API_KEY_ONLY_CALLS) == 15


@pytest.mark.parametrize("operation", sorted(SIGNED_CALLS))
def test_signed_requests_work_for_operations_that_allow_them(signed_api, grace, fake, operation):
    before = len(fake.requests)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = SIGNED_CALLS[operation](signed_api)

    assert result == SIGNED_RESULTS[operation]
    deprecated = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    assert len(deprecated) == (operation in DEPRECATED)
    request = fake.requests[before]
    assert "Authorization" not in request.headers
    assert request.headers["Content-Signature"] == fake.content_signature(request.body)
    assert request.status in (200, 204)


@pytest.mark.parametrize("operation", sorted(API_KEY_ONLY_CALLS))
def test_api_key_only_operations_refuse_signed_credentials_before_sending(signed_api, fake, operation):
    with pytest.raises(MissingCredentialsError) as caught:
        API_KEY_ONLY_CALLS[operation](signed_api)

    assert isinstance(caught.value, ApiValueError)
    assert "accepts only an API key" in str(caught.value)
    assert "TALON_ONE_API_KEY" in str(caught.value)
    assert fake.requests == []


@pytest.mark.parametrize("operation", sorted(API_KEY_ONLY_CALLS))
def test_api_key_only_operations_work_with_the_key(api, fake, operation):
    API_KEY_ONLY_CALLS[operation](api)

    assert fake.requests[-1].headers["Authorization"] == "ApiKey-v1 " + fake.api_key
    assert fake.requests[-1].status in (200, 204)


def test_a_wrong_api_key_is_a_401_that_does_not_show_the_key(make_api, fake):
    api = make_api(api_key_v1=WRONG_KEY)

    with pytest.raises(UnauthorizedException) as caught:
        api.update_customer_session_v2("s-1", session_request(profile_id="grace"))

    error = caught.value
    assert (error.status, error.message) == (401, "unauthorized: this operation needs api_key_v1")
    assert WRONG_KEY not in str(error) and WRONG_KEY not in repr(error)
    assert fake.requests[0].headers["Authorization"] == "ApiKey-v1 " + WRONG_KEY  # it was sent, and refused
    assert fake.sessions == {}


def test_a_wrong_application_key_is_a_401(make_api, fake):
    api = make_api(application_id=fake.application_id, application_key="00" * 16)

    with pytest.raises(UnauthorizedException) as caught:
        api.get_reserved_coupons("grace")

    assert caught.value.message == "unauthorized: this operation needs api_key_v1 or integration_auth"


def test_with_both_credentials_the_api_key_is_used(make_api, fake):
    api = make_api(api_key_v1=fake.api_key, application_id=fake.application_id,
                   application_key=fake.application_key)

    api.update_customer_session_v2("s-1", session_request(profile_id="grace"))
    api.get_reserved_coupons("grace")

    assert [r.headers["Authorization"] for r in fake.requests] == ["ApiKey-v1 " + fake.api_key] * 2
    assert [r.status for r in fake.requests] == [200, 200]

