"""update_customer_session_v2 end to end: effects, typed props, totals, redemption, loyalty, errors."""

import datetime
import time

import pytest

import talon_one
from talon_one import (
    AcceptCouponEffectProps,
    AcceptReferralEffectProps,
    AddLoyaltyPointsEffectProps,
    ApiTimeoutError,
    ApiValueError,
    BadRequestException,
    Campaign,
    CartItem,
    ConflictException,
    Coupon,
    CustomerProfile,
    CustomerSessionV2,
    Event,
    IntegrationStateV2,
    Loyalty,
    NewReferral,
    Referral,
    ReferralCreatedEffectProps,
    RejectCouponEffectProps,
    RejectReferralEffectProps,
    RollbackAddedLoyaltyPointsEffectProps,
    RollbackCouponEffectProps,
    RollbackDiscountEffectProps,
    RuleFailureReason,
    SetDiscountEffectProps,
)
from talon_one.testing import Fault

from e2e_helpers import CART, CART_TOTAL, effect_types, effects_of, points, session_request


def test_an_open_session_with_a_coupon_decodes_every_requested_part(api, fake):
    state = api.update_customer_session_v2(
        "s-1", session_request(profile_id="grace", coupon_codes=["SUMMER10"], cart_items=CART)
    )

    assert isinstance(state, IntegrationStateV2)
    assert effect_types(state) == ["acceptCoupon", "setDiscount"]
    accept, discount = state.effects
    coupon_id = fake.coupons["SUMMER10"]["id"]
    assert (accept.campaign_id, accept.rule_name, accept.triggered_by_coupon) == (1, "Summer sale 10%", coupon_id)
    assert accept.typed_props == AcceptCouponEffectProps(value="SUMMER10")
    assert isinstance(discount.typed_props, SetDiscountEffectProps)
    assert (discount.typed_props.name, discount.typed_props.value, discount.typed_props.scope) == (
        "Summer sale 10%", 7.5, "cartItems")

    session = state.customer_session
    assert isinstance(session, CustomerSessionV2)
    assert (session.integration_id, session.profile_id, session.state) == ("s-1", "grace", "open")
    assert session.coupon_codes == ["SUMMER10"]
    assert (session.cart_item_total, session.total, session.first_session) == (CART_TOTAL, CART_TOTAL, True)
    assert [(i.sku, i.quantity, i.price, i.position) for i in session.cart_items] == [
        ("SHOE-42", 1, 60.0, 0), ("SOCK-3", 3, 5.0, 1)]
    assert all(isinstance(i, CartItem) for i in session.cart_items)
    assert isinstance(session.created, datetime.datetime) and session.created.tzinfo is not None

    assert isinstance(state.customer_profile, CustomerProfile)
    assert state.customer_profile.integration_id == "grace"
    assert [(c.value, c.usage_counter) for c in state.coupons] == [("SUMMER10", 0)]
    assert isinstance(state.coupons[0], Coupon)
    assert [(c.id, c.name) for c in state.triggered_campaigns] == [(1, "Coupons")]
    assert isinstance(state.triggered_campaigns[0], Campaign)
    assert isinstance(state.loyalty, Loyalty) and points(state.loyalty) == 0
    assert isinstance(state.event, Event) and state.event.session_id == "s-1"
    assert state.rule_failure_reasons == []
    assert state.referral is None  # requested, but the session has no referral code
    assert (state.created_coupons, state.created_referrals) == ([], [])


def test_without_response_content_only_the_effects_come_back(api):
    state = api.update_customer_session_v2(
        "s-1", session_request(content=(), profile_id="grace", coupon_codes=["FIVEOFF"], cart_items=CART)
    )

    assert [(e.effect_type, e.typed_props.value) for e in state.effects] == [
        ("acceptCoupon", "FIVEOFF"), ("setDiscount", 5.0)]
    assert (state.customer_session, state.customer_profile, state.loyalty, state.coupons) == (None, None, None, None)


@pytest.mark.parametrize(
    "code, reason, rule_failure",
    [("EXPIRED20", "CouponExpired", True), ("NOSUCHCODE", "CouponNotFound", False)],
)
def test_an_unusable_coupon_is_rejected_with_its_reason(api, code, reason, rule_failure):
    state = api.update_customer_session_v2(
        "s-1", session_request(profile_id="grace", coupon_codes=[code], cart_items=CART)
    )

    assert effect_types(state) == ["rejectCoupon"]
    props = state.effects[0].typed_props
    assert isinstance(props, RejectCouponEffectProps)
    assert (props.value, props.rejection_reason) == (code, reason)
    assert state.triggered_campaigns == []
    if rule_failure:  # a known coupon's campaign explains why its rule failed
        failure = state.rule_failure_reasons[0]
        assert isinstance(failure, RuleFailureReason)
        assert (failure.coupon_value, failure.details, failure.campaign_name) == (code, reason, "Coupons")
    else:
        assert state.rule_failure_reasons == []


def test_a_referral_code_gives_the_friend_a_discount(api):
    referral = api.create_referral(NewReferral(campaign_id=2, advocate_profile_integration_id="ada"))

    state = api.update_customer_session_v2(
        "s-1", session_request(profile_id="grace", referral_code=referral.code, cart_items=CART)
    )

    assert effect_types(state) == ["acceptReferral", "setDiscount"]
    assert state.effects[0].typed_props == AcceptReferralEffectProps(value=referral.code)
    assert state.effects[1].typed_props.value == 5.0
    assert isinstance(state.referral, Referral)
    assert (state.referral.code, state.referral.advocate_profile_integration_id) == (referral.code, "ada")
    assert [c.name for c in state.triggered_campaigns] == ["Refer a friend"]


def test_an_advocate_cannot_use_their_own_referral_code(api):
    referral = api.create_referral(NewReferral(campaign_id=2, advocate_profile_integration_id="ada"))

    state = api.update_customer_session_v2("s-1", session_request(profile_id="ada", referral_code=referral.code))

    props = state.effects[0].typed_props
    assert isinstance(props, RejectReferralEffectProps)
    assert props.rejection_reason == "ReferralRecipientIdSameAsAdvocate"


def test_closing_the_session_redeems_the_coupon_and_awards_points(api, fake):
    api.update_customer_session_v2("s-1", session_request(profile_id="grace", coupon_codes=["SUMMER10"],
                                                          cart_items=CART))

    state = api.update_customer_session_v2("s-1", session_request(state="closed"))

    assert effect_types(state) == ["acceptCoupon", "setDiscount", "addLoyaltyPoints", "referralCreated"]
    earned = effects_of(state, "addLoyaltyPoints")[0].typed_props
    assert isinstance(earned, AddLoyaltyPointsEffectProps)
    assert (earned.value, earned.program_id, earned.recipient_integration_id) == (67, 1, "grace")  # floor(75 - 7.5)
    assert isinstance(earned.expiry_date, datetime.datetime) and earned.expiry_date > earned.start_date
    assert state.customer_session.state == "closed"
    assert points(state.loyalty) == 67
    assert (state.customer_profile.closed_sessions, state.customer_profile.total_sales) == (1, 67.5)
    assert state.customer_profile.loyalty_memberships[0].loyalty_program_id == 1
    # A customer without a referral code gets one on their first closed session.
    created = effects_of(state, "referralCreated")[0].typed_props
    assert isinstance(created, ReferralCreatedEffectProps)
    assert [(r.code, r.advocate_profile_integration_id) for r in state.created_referrals] == [(created.value, "grace")]
    assert fake.coupons["SUMMER10"]["usageCounter"] == 1
    assert fake.loyalty_points("grace") == 67


def test_cancelling_a_closed_session_rolls_everything_back(api, fake):
    api.update_customer_session_v2("s-1", session_request(profile_id="grace", coupon_codes=["FIVEOFF"],
                                                          cart_items=CART, state="closed"))

    state = api.update_customer_session_v2("s-1", session_request(state="cancelled"))

    assert effect_types(state) == ["rollbackCoupon", "rollbackDiscount", "rollbackAddedLoyaltyPoints"]
    coupon, discount, loyalty = (e.typed_props for e in state.effects)
    assert isinstance(coupon, RollbackCouponEffectProps) and coupon.value == "FIVEOFF"
    assert isinstance(discount, RollbackDiscountEffectProps) and discount.value == 5.0
    assert isinstance(loyalty, RollbackAddedLoyaltyPointsEffectProps) and loyalty.value == 70
    assert points(state.loyalty) == 0
    assert fake.coupons["FIVEOFF"]["usageCounter"] == 0


def test_a_single_use_coupon_is_refused_once_redeemed(api):
    api.update_customer_session_v2("s-1", session_request(profile_id="ada", coupon_codes=["ONCEONLY"],
                                                          cart_items=CART, state="closed"))

    state = api.update_customer_session_v2("s-2", session_request(profile_id="bob", coupon_codes=["ONCEONLY"],
                                                                  cart_items=CART))

    assert [(e.effect_type, e.typed_props.rejection_reason) for e in state.effects] == [
        ("rejectCoupon", "CouponLimitReached")]


def test_a_dry_run_evaluates_but_does_not_persist(api, fake):
    state = api.update_customer_session_v2(
        "s-1", session_request(profile_id="grace", coupon_codes=["ONCEONLY"], cart_items=CART, state="closed"),
        dry=True,
    )

    assert effect_types(state)[:3] == ["acceptCoupon", "setDiscount", "addLoyaltyPoints"]
    assert points(state.loyalty) == 63  # what closing would give: floor(75 - 11.25)
    assert fake.requests[0].query == {"dry": "true"}
    assert fake.sessions == {} and fake.profiles == {}
    assert fake.coupons["ONCEONLY"]["usageCounter"] == 0
    assert fake.loyalty_points("grace") == 0
    # The coupon is still unused: a real run accepts it.
    again = api.update_customer_session_v2("s-1", session_request(profile_id="grace", coupon_codes=["ONCEONLY"]))
    assert effect_types(again) == ["acceptCoupon"]


def test_with_http_info_returns_the_status_and_headers(api):
    state, status, headers = api.update_customer_session_v2_with_http_info(
        "s-1", session_request(profile_id="grace"))

    assert isinstance(state, IntegrationStateV2)
    assert status == 200
    assert headers["Content-Type"] == "application/json"


def test_a_bad_cart_item_cannot_even_be_built():
    with pytest.raises(ApiValueError, match=r"CartItem\.quantity must be >= 1 \(minimum\), got 0") as caught:
        CartItem(name="Shoes", sku="S", quantity=0, price=1.0)

    assert caught.value.path_to_item == ["quantity"]


def test_a_bad_body_is_refused_before_sending(api, fake):
    lenient = talon_one.Configuration(client_side_validation=False)
    item = CartItem(name="Shoes", sku="S", quantity=0, price=1.0, local_vars_configuration=lenient)

    with pytest.raises(ApiValueError, match=r"CartItem\.quantity must be >= 1") as caught:
        api.update_customer_session_v2("s-1", session_request(profile_id="grace", cart_items=[item]))

    assert caught.value.path_to_item == ["customer_session", "cart_items", 0, "quantity"]
    assert fake.requests == []


def test_a_bad_cart_item_is_refused_by_the_service_with_a_pointer(make_api, fake):
    configuration = talon_one.Configuration(client_side_validation=False)
    item = CartItem(name="Shoes", sku="S", quantity=0, price=1.0, local_vars_configuration=configuration)
    lenient = make_api(client_side_validation=False)

    with pytest.raises(BadRequestException) as caught:
        lenient.update_customer_session_v2("s-1", session_request(profile_id="grace", cart_items=[item]))

    error = caught.value
    assert error.status == 400
    assert error.message == "Invalid request: /customerSession/cartItems/0/quantity must be >= 1"
    assert error.errors[0]["source"]["pointer"] == "/customerSession/cartItems/0/quantity"
    assert error.errors[0]["title"] == "Out of range"
    assert "(at /customerSession/cartItems/0/quantity)" in str(error)
    assert [r.status for r in fake.requests] == [400]
    assert fake.sessions == {}


def test_a_closed_session_cannot_be_reopened(api):
    api.update_customer_session_v2("s-1", session_request(profile_id="grace", state="closed"))

    with pytest.raises(BadRequestException) as caught:
        api.update_customer_session_v2("s-1", session_request(state="open"))

    assert caught.value.message == "Invalid request: a closed session cannot become open"
    assert caught.value.errors[0]["source"]["pointer"] == "/customerSession/state"
    assert caught.value.errors[0]["title"] == "Invalid state transition"


def test_a_session_cannot_move_to_another_customer(api, fake):
    api.update_customer_session_v2("s-1", session_request(profile_id="alice"))

    with pytest.raises(ConflictException) as caught:
        api.update_customer_session_v2("s-1", session_request(profile_id="bob"))

    assert caught.value.status == 409
    assert caught.value.message == "session 's-1' belongs to another customer profile"
    assert fake.sessions["s-1"]["profileId"] == "alice"


def test_a_request_abandoned_by_the_client_does_not_leak_into_the_next_test(api, fake):
    """A delayed request still in the fake when the fixture resets it (next test) is not applied."""
    fake.inject_faults(Fault.slow(0.3))
    with pytest.raises(ApiTimeoutError):
        api.update_customer_session_v2("s-1", session_request(profile_id="grace"), _request_timeout=0.05)

    fake.reset()  # what the talon_one_fake fixture does before each test
    time.sleep(0.4)  # the fake's delay is over

    assert (fake.sessions, fake.profiles, fake.requests) == ({}, {}, [])
