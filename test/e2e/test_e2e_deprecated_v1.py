"""The deprecated v1 operations: they warn, and still work."""

import pytest

from talon_one import (
    CartItem,
    Coupon,
    CustomerProfile,
    CustomerSession,
    IntegrationState,
    NewCustomerProfile,
    NewCustomerSession,
)

from e2e_helpers import CART, points

SESSION_WARNING = r"update_customer_session is deprecated; use IntegrationApi\.update_customer_session_v2"
PROFILE_WARNING = r"update_customer_profile is deprecated; use IntegrationApi\.update_customer_profile_v2"


def test_update_customer_session_v1_warns_and_applies_the_coupon(api, fake):
    with pytest.warns(DeprecationWarning, match=SESSION_WARNING) as warned:
        state = api.update_customer_session("s-1", NewCustomerSession(profile_id="grace", coupon="FIVEOFF",
                                                                      cart_items=CART))

    assert warned[0].filename == __file__  # the warning points at the caller
    assert isinstance(state, IntegrationState)
    session = state.session
    assert isinstance(session, CustomerSession)
    assert (session.integration_id, session.profile_id, session.coupon, session.state) == (
        "s-1", "grace", "FIVEOFF", "open")
    assert session.discounts == {"5 off": 5.0}
    assert session.total == 75.0
    assert all(isinstance(item, CartItem) for item in session.cart_items)
    assert isinstance(state.coupon, Coupon) and state.coupon.value == "FIVEOFF"
    assert [e["effectType"] for e in state.event.effects] == ["acceptCoupon", "setDiscount"]
    assert fake.sessions["s-1"]["couponCodes"] == ["FIVEOFF"]


def test_update_customer_session_v1_closes_and_awards_points(api, fake):
    with pytest.warns(DeprecationWarning):
        api.update_customer_session("s-1", NewCustomerSession(profile_id="grace", coupon="FIVEOFF", cart_items=CART))
        state = api.update_customer_session("s-1", NewCustomerSession(state="closed"))

    assert state.session.state == "closed"
    assert points(state.loyalty) == 70
    assert fake.coupons["FIVEOFF"]["usageCounter"] == 1


def test_update_customer_session_v1_dry_run_does_not_persist(api, fake):
    with pytest.warns(DeprecationWarning):
        state = api.update_customer_session("s-1", NewCustomerSession(profile_id="grace", coupon="FIVEOFF",
                                                                      cart_items=CART, state="closed"), dry=True)

    assert state.session.state == "closed"
    assert (fake.sessions, fake.profiles, fake.coupons["FIVEOFF"]["usageCounter"]) == ({}, {}, 0)


def test_update_customer_profile_v1_warns_and_updates_the_profile(api, fake):
    with pytest.warns(DeprecationWarning, match=PROFILE_WARNING):
        state = api.update_customer_profile("grace", NewCustomerProfile(attributes={"tier": "gold"}))

    assert isinstance(state, IntegrationState)
    assert isinstance(state.profile, CustomerProfile)
    assert (state.profile.integration_id, state.profile.attributes) == ("grace", {"tier": "gold"})
    assert state.event.type == "talon_profile_updated"
    assert points(state.loyalty) == 0
    assert fake.profiles["grace"]["attributes"] == {"tier": "gold"}


def test_update_customer_profile_v1_dry_run_does_not_persist(api, fake):
    with pytest.warns(DeprecationWarning):
        state = api.update_customer_profile("grace", NewCustomerProfile(attributes={"tier": "gold"}), dry=True)

    assert state.profile.attributes == {"tier": "gold"}
    assert fake.profiles == {}


@pytest.mark.parametrize("method, args, match", [
    ("update_customer_session_with_http_info", ("s-1", NewCustomerSession(profile_id="grace")), SESSION_WARNING),
    ("update_customer_profile_with_http_info", ("grace", NewCustomerProfile(attributes={})), PROFILE_WARNING),
])
def test_the_with_http_info_twins_warn_too(api, method, args, match):
    with pytest.warns(DeprecationWarning, match=match):
        data, status, _ = getattr(api, method)(*args)

    assert isinstance(data, IntegrationState)
    assert status == 200


def test_the_v2_operations_do_not_warn(api, recwarn):
    from talon_one import CustomerProfileIntegrationRequestV2

    from e2e_helpers import session_request

    api.update_customer_session_v2("s-1", session_request(profile_id="grace"))
    api.update_customer_profile_v2("grace", CustomerProfileIntegrationRequestV2(attributes={}))

    assert [w for w in recwarn if issubclass(w.category, DeprecationWarning)] == []
