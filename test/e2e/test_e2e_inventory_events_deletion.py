"""Customer inventory, events and deletion of a customer's data, end to end."""

import pytest

from talon_one import (
    ApiValueError,
    BadRequestException,
    ConflictException,
    Coupon,
    CouponReservations,
    CustomerInventory,
    CustomerProfile,
    CustomerSession,
    Event,
    IntegrationState,
    Loyalty,
    NewEvent,
    NewReferral,
    NotFoundException,
    Referral,
)

from e2e_helpers import CART, points, session_request


@pytest.fixture
def shopper(api):
    """grace: one closed session with SUMMER10 (67 points, a referral code of her own), FIVEOFF reserved."""
    api.update_customer_session_v2("s-1", session_request(profile_id="grace", coupon_codes=["SUMMER10"],
                                                          cart_items=CART, state="closed"))
    api.create_coupon_reservation("FIVEOFF", CouponReservations(integration_ids=["grace"]))
    return "grace"


# --- get_customer_inventory ----------------------------------------------------------------------

def test_the_inventory_holds_every_requested_part(api, shopper, fake):
    inventory = api.get_customer_inventory(shopper, profile=True, referrals=True, coupons=True, loyalty=True)

    assert isinstance(inventory, CustomerInventory)
    assert isinstance(inventory.profile, CustomerProfile)
    assert (inventory.profile.closed_sessions, inventory.profile.total_sales) == (1, 67.5)
    assert isinstance(inventory.loyalty, Loyalty) and points(inventory.loyalty) == 67
    assert inventory.loyalty.programs["1"].title == "Loyalty points"
    assert [type(r) for r in inventory.referrals] == [Referral]
    assert [r.code for r in inventory.referrals] == list(fake.referrals)
    assert [(type(c), c.value) for c in inventory.coupons] == [(Coupon, "FIVEOFF")]


@pytest.mark.parametrize("flag", ["profile", "referrals", "coupons", "loyalty"])
def test_the_inventory_holds_only_the_requested_parts(api, shopper, fake, flag):
    inventory = api.get_customer_inventory(shopper, **{flag: True})

    parts = {name: getattr(inventory, name) for name in ("profile", "referrals", "coupons", "loyalty")}
    assert [name for name, value in parts.items() if value is not None] == [flag]
    assert fake.requests[-1].query == {flag: "true"}


def test_the_inventory_without_flags_is_empty(api, shopper, fake):
    assert api.get_customer_inventory(shopper, profile=False) == CustomerInventory()
    assert fake.requests[-1].query == {"profile": "false"}


def test_the_inventory_of_an_unknown_customer_is_a_404(api):
    with pytest.raises(NotFoundException) as caught:
        api.get_customer_inventory("nobody", profile=True)

    assert caught.value.message == "customer profile 'nobody' not found"


# --- track_event ---------------------------------------------------------------------------------

def test_track_event_records_the_event_and_returns_the_v1_state(api, fake):
    state = api.track_event(NewEvent(profile_id="grace", type="viewed_product", attributes={"sku": "SHOE-42"},
                                     session_id="browse-1"))

    assert isinstance(state, IntegrationState)
    assert isinstance(state.event, Event)
    assert (state.event.type, state.event.profile_id, state.event.session_id) == ("viewed_product", "grace", "browse-1")
    assert state.event.attributes == {"sku": "SHOE-42"}
    assert isinstance(state.event.id, int)
    assert isinstance(state.session, CustomerSession) and state.session.integration_id == "browse-1"
    assert isinstance(state.profile, CustomerProfile) and state.profile.integration_id == "grace"
    assert [(e["type"], e["id"]) for e in fake.events] == [("viewed_product", state.event.id)]


def test_track_event_dry_run_does_not_persist(api, fake):
    state = api.track_event(NewEvent(profile_id="grace", type="viewed_product", attributes={},
                                     session_id="browse-1"), dry=True)

    assert state.event.type == "viewed_product"
    assert (fake.events, fake.sessions, fake.profiles) == ([], {}, {})


def test_an_event_naming_a_session_of_another_customer_is_a_409(api, fake):
    api.update_customer_session_v2("s-alice", session_request(profile_id="alice"))

    with pytest.raises(ConflictException) as caught:
        api.track_event(NewEvent(profile_id="bob", type="viewed_product", attributes={}, session_id="s-alice"))

    assert (caught.value.status, caught.value.message) == (409, "session 's-alice' belongs to another customer profile")
    assert [e["type"] for e in fake.events] == ["talon_session_updated"]


def test_a_reserved_event_type_is_a_400_from_the_service(api):
    with pytest.raises(BadRequestException) as caught:
        api.track_event(NewEvent(profile_id="bob", type="talon_custom", attributes={}, session_id="s-1"))

    assert caught.value.message == "Invalid request: event type 'talon_custom' is reserved for built-in events"
    assert caught.value.errors[0]["source"]["pointer"] == "/type"


def test_an_empty_event_type_is_refused_before_sending():
    with pytest.raises(ApiValueError, match=r"NewEvent\.type must be at least 1 characters long"):
        NewEvent(profile_id="bob", type="", attributes={}, session_id="s-1")


# --- delete_customer_data ------------------------------------------------------------------------

def test_deleting_a_customer_removes_their_data_everywhere(api, shopper, fake):
    api.track_event(NewEvent(profile_id=shopper, type="viewed_product", attributes={"sku": "S"}, session_id="b-1"))

    assert api.delete_customer_data(shopper) is None

    with pytest.raises(NotFoundException):
        api.get_customer_inventory(shopper, profile=True)
    assert api.get_reserved_customers("FIVEOFF").data == []
    assert api.get_reserved_coupons(shopper).data == []
    assert fake.referrals == {}
    assert fake.loyalty_points(shopper) == 0
    assert {s["profileId"] for s in fake.sessions.values()} == {""}  # sessions kept, anonymised
    assert all(e["profileId"] == "" and e["attributes"] == {} for e in fake.events)


def test_deleting_an_unknown_customer_is_a_404(api, shopper):
    data, status, _ = api.delete_customer_data_with_http_info(shopper)
    assert (data, status) == (None, 204)

    with pytest.raises(NotFoundException) as caught:
        api.delete_customer_data(shopper)

    assert caught.value.message == "customer profile 'grace' not found"


def test_an_advocate_deleted_leaves_the_friend_without_referrals(api):
    referral = api.create_referral(NewReferral(campaign_id=2, advocate_profile_integration_id="ada"))

    api.delete_customer_data("ada")
    state = api.update_customer_session_v2("s-bob", session_request(profile_id="bob", referral_code=referral.code))

    assert state.effects[0].typed_props.rejection_reason == "ReferralNotFound"
