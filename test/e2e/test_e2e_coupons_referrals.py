"""Coupon reservations and referrals end to end."""

import re

import pytest

from talon_one import (
    BadRequestException,
    Coupon,
    CouponReservations,
    CustomerProfile,
    InlineResponse200,
    InlineResponse2001,
    NewReferral,
    NotFoundException,
    Referral,
)

from e2e_helpers import CART, effect_types, session_request


def reserve(api, code, *integration_ids):
    return api.create_coupon_reservation(code, CouponReservations(integration_ids=list(integration_ids)))


# --- coupon reservations -------------------------------------------------------------------------

def test_a_reservation_is_listed_both_ways(api, fake):
    coupon = reserve(api, "FIVEOFF", "ada", "bob")

    assert isinstance(coupon, Coupon)
    assert (coupon.value, coupon.id, coupon.campaign_id) == ("FIVEOFF", fake.coupons["FIVEOFF"]["id"], 1)
    assert (coupon.usage_counter, coupon.usage_limit) == (0, 0)
    reserved = api.get_reserved_coupons("ada")
    assert isinstance(reserved, InlineResponse2001)
    assert (reserved.total_result_size, [c.value for c in reserved.data]) == (1, ["FIVEOFF"])
    assert isinstance(reserved.data[0], Coupon)
    holders = api.get_reserved_customers("FIVEOFF")
    assert isinstance(holders, InlineResponse200)
    assert (holders.total_result_size, [p.integration_id for p in holders.data]) == (2, ["ada", "bob"])
    assert all(isinstance(p, CustomerProfile) for p in holders.data)


def test_reserving_twice_keeps_one_reservation(api, fake):
    reserve(api, "FIVEOFF", "ada")
    reserve(api, "FIVEOFF", "ada")

    assert api.get_reserved_customers("FIVEOFF").total_result_size == 1
    assert fake.reservations == {"FIVEOFF": ["ada"]}


def test_deleting_a_reservation_answers_204_and_removes_it(api):
    reserve(api, "FIVEOFF", "ada", "bob")

    assert api.delete_coupon_reservation("FIVEOFF", CouponReservations(integration_ids=["ada"])) is None

    assert api.get_reserved_coupons("ada").data == []
    assert [p.integration_id for p in api.get_reserved_customers("FIVEOFF").data] == ["bob"]


def test_only_usable_reserved_coupons_are_listed_for_the_customer(api):
    reserve(api, "EXPIRED20", "ada")
    reserve(api, "SUMMER10", "ada")

    assert [c.value for c in api.get_reserved_coupons("ada").data] == ["SUMMER10"]
    assert [p.integration_id for p in api.get_reserved_customers("EXPIRED20").data] == ["ada"]


def test_an_unknown_customer_simply_has_no_reserved_coupons(api):
    assert (api.get_reserved_coupons("nobody").total_result_size, api.get_reserved_coupons("nobody").data) == (0, [])


@pytest.mark.parametrize("operation", ["create", "delete", "customers"])
def test_an_unknown_coupon_is_a_404(api, fake, operation):
    calls = {
        "create": lambda: reserve(api, "NOSUCHCODE", "ada"),
        "delete": lambda: api.delete_coupon_reservation("NOSUCHCODE", CouponReservations(integration_ids=["ada"])),
        "customers": lambda: api.get_reserved_customers("NOSUCHCODE"),
    }

    with pytest.raises(NotFoundException) as caught:
        calls[operation]()

    assert (caught.value.status, caught.value.message) == (404, "coupon 'NOSUCHCODE' not found")
    assert fake.reservations == {}


def test_an_empty_integration_id_is_a_400_from_the_service(api, fake):
    with pytest.raises(BadRequestException) as caught:
        reserve(api, "FIVEOFF", "ada", "")

    assert caught.value.errors[0]["source"]["pointer"] == "/integrationIDs/1"
    assert fake.reservations == {}


# --- referrals -----------------------------------------------------------------------------------

def test_create_referral_returns_a_new_code_for_the_advocate(api, fake):
    referral = api.create_referral(NewReferral(campaign_id=2, advocate_profile_integration_id="ada"))

    assert isinstance(referral, Referral)
    assert re.fullmatch(r"REF-[A-Z0-9]{6}", referral.code)
    assert (referral.campaign_id, referral.advocate_profile_integration_id) == (2, "ada")
    assert (referral.usage_counter, referral.usage_limit, referral.friend_profile_integration_id) == (0, 1, None)
    assert fake.referrals[referral.code]["advocateProfileIntegrationId"] == "ada"
    assert "ada" in fake.profiles


def test_a_referral_for_a_named_friend_is_refused_to_anyone_else(api):
    referral = api.create_referral(NewReferral(campaign_id=2, advocate_profile_integration_id="ada",
                                               friend_profile_integration_id="bob"))

    cleo = api.update_customer_session_v2("s-cleo", session_request(profile_id="cleo", referral_code=referral.code))
    bob = api.update_customer_session_v2("s-bob", session_request(profile_id="bob", referral_code=referral.code,
                                                                  cart_items=CART))

    assert referral.friend_profile_integration_id == "bob"
    assert cleo.effects[0].typed_props.rejection_reason == "ReferralRecipientDoesNotMatch"
    assert effect_types(bob) == ["acceptReferral", "setDiscount"]


def test_a_referral_code_is_used_up_when_the_friend_closes_the_session(api, fake):
    code = api.create_referral(NewReferral(campaign_id=2, advocate_profile_integration_id="ada")).code
    api.update_customer_session_v2("s-bob", session_request(profile_id="bob", referral_code=code, cart_items=CART,
                                                            state="closed"))

    state = api.update_customer_session_v2("s-cleo", session_request(profile_id="cleo", referral_code=code))

    assert fake.referrals[code]["usageCounter"] == 1
    assert state.effects[0].typed_props.rejection_reason == "ReferralLimitReached"


def test_an_unknown_referral_campaign_is_a_404(api, fake):
    with pytest.raises(NotFoundException) as caught:
        api.create_referral(NewReferral(campaign_id=99, advocate_profile_integration_id="ada"))

    assert caught.value.message == "referral campaign 99 not found"
    assert fake.referrals == {}
