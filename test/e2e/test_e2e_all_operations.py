"""One customer journey through all 15 operations of the spec, over HTTP, with the public SDK."""

import warnings

import talon_one
from talon_one import (
    CouponReservations,
    CustomerProfileAudienceRequest,
    CustomerProfileAudienceRequestItem,
    CustomerProfileIntegrationRequestV2,
    CustomerProfileSearch,
    MultipleCustomerProfileIntegrationRequest,
    MultipleCustomerProfileIntegrationRequestItem,
    NewCustomerProfile,
    NewCustomerSession,
    NewEvent,
    NewReferral,
)

from e2e_helpers import CART, effect_types, points, session_request, snake_case, spec_operation_ids


def public_operations():
    """The operation methods of IntegrationApi (without their _with_http_info twins)."""
    return {name for name in dir(talon_one.IntegrationApi)
            if not name.startswith("_") and not name.endswith("_with_http_info") and name != "api_client"}


def test_the_sdk_has_one_method_per_operation_of_the_spec():
    assert public_operations() == {snake_case(operation_id) for operation_id in spec_operation_ids()}
    assert len(public_operations()) == 15


def test_a_journey_through_every_operation(api, fake):
    profile = CustomerProfileIntegrationRequestV2(attributes={"tier": "gold"}, response_content=["customerProfile"])
    assert api.update_customer_profile_v2("ada", profile).customer_profile.attributes == {"tier": "gold"}
    states = api.update_customer_profiles_v2(MultipleCustomerProfileIntegrationRequest(customer_profiles=[
        MultipleCustomerProfileIntegrationRequestItem(integration_id="grace", attributes={"tier": "gold"})]))
    assert states.integration_states[0].customer_profile.integration_id == "grace"
    assert api.update_customer_profile_audiences(CustomerProfileAudienceRequest(data=[
        CustomerProfileAudienceRequestItem(action="add", profile_integration_id="grace", audience_id=1)])) is None
    found = api.get_customer_profiles_by_attributes(CustomerProfileSearch(attributes={"tier": "gold"}))
    assert sorted(p.integration_id for p in found.data) == ["ada", "grace"]

    code = api.create_referral(NewReferral(campaign_id=2, advocate_profile_integration_id="ada")).code
    state = api.update_customer_session_v2("s-1", session_request(
        profile_id="grace", coupon_codes=["SUMMER10"], referral_code=code, cart_items=CART, state="closed"))
    assert effect_types(state)[:4] == ["acceptCoupon", "setDiscount", "acceptReferral", "setDiscount"]
    assert points(state.loyalty) == 62  # floor(75 - 7.50 - 5.00)

    assert api.create_coupon_reservation("FIVEOFF", CouponReservations(integration_ids=["grace"])).value == "FIVEOFF"
    assert [c.value for c in api.get_reserved_coupons("grace").data] == ["FIVEOFF"]
    assert [p.integration_id for p in api.get_reserved_customers("FIVEOFF").data] == ["grace"]
    assert api.delete_coupon_reservation("FIVEOFF", CouponReservations(integration_ids=["grace"])) is None

    inventory = api.get_customer_inventory("grace", profile=True, loyalty=True, referrals=True, coupons=True)
    assert (inventory.profile.closed_sessions, points(inventory.loyalty), inventory.coupons) == (1, 62, [])
    assert api.track_event(NewEvent(profile_id="grace", type="viewed", attributes={}, session_id="b-1")).event.id

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert api.update_customer_profile("ada", NewCustomerProfile(attributes={"x": 1})).profile.attributes == {
            "tier": "gold", "x": 1}
        assert api.update_customer_session("s-2", NewCustomerSession(profile_id="ada")).session.profile_id == "ada"

    assert api.delete_customer_data("grace") is None

    answered = {request.operation_id for request in fake.requests}
    assert answered == spec_operation_ids()
    assert all(request.status in (200, 204) for request in fake.requests)
