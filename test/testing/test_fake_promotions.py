"""The promotion engine of the fake: coupons, referrals, loyalty, rollbacks and dry runs."""

from datetime import datetime, timedelta, timezone

import pytest

from talon_one.testing import CouponRule, LoyaltyProgram, Promotions, ReferralProgram

ALL_CONTENT = [
    "customerSession",
    "customerProfile",
    "coupons",
    "triggeredCampaigns",
    "referral",
    "loyalty",
    "event",
    "ruleFailureReasons",
]


def item(price, quantity=1, sku="SKU-1"):
    return {"name": "Product", "sku": sku, "price": price, "quantity": quantity}


def kinds(effects):
    return [effect["effectType"] for effect in effects]


def by_type(effects, effect_type):
    return [effect for effect in effects if effect["effectType"] == effect_type]


# --- coupons ------------------------------------------------------------------------


def test_percentage_coupon(api):
    reply = api.session_v2("s1", ALL_CONTENT, profileId="alice", couponCodes=["SUMMER10"], cartItems=[item(25, 2)])
    effects = reply.json["effects"]
    assert kinds(effects) == ["acceptCoupon", "setDiscount"]
    accept, discount = effects
    assert accept["props"] == {"value": "SUMMER10"}
    assert discount["props"] == {"name": "Summer sale 10%", "value": 5.0, "scope": "cartItems"}
    assert accept["campaignId"] == discount["campaignId"] == 1
    assert accept["triggeredByCoupon"] == reply.json["coupons"][0]["id"]
    assert [c["name"] for c in reply.json["triggeredCampaigns"]] == ["Coupons"]
    assert reply.json["event"]["meta"]["coupons"] == {"SUMMER10": {}}
    assert reply.json["ruleFailureReasons"] == []


def test_fixed_coupon_never_exceeds_the_cart(api):
    reply = api.session_v2("s1", profileId="alice", couponCodes=["FIVEOFF"], cartItems=[item(3)])
    assert by_type(reply.json["effects"], "setDiscount")[0]["props"]["value"] == 3.0


def test_stacked_coupons(api, fake):
    api.session_v2("s1", profileId="alice", couponCodes=["SUMMER10", "FIVEOFF"], cartItems=[item(100)])
    discounts = [e["props"]["value"] for e in by_type(fake.events[-1]["effects"], "setDiscount")]
    assert discounts == [10.0, 5.0]


@pytest.mark.parametrize(
    "code, reason",
    [("NOPE", "CouponNotFound"), ("EXPIRED20", "CouponExpired")],
)
def test_rejected_coupons(api, code, reason):
    reply = api.session_v2("s1", ALL_CONTENT, profileId="alice", couponCodes=[code], cartItems=[item(10)])
    assert kinds(reply.json["effects"]) == ["rejectCoupon"]
    assert reply.json["effects"][0]["props"] == {"value": code, "rejectionReason": reason}
    assert reply.json["event"]["meta"]["couponRejectionReason"]["reason"] == reason
    assert reply.json["triggeredCampaigns"] == []


def test_one_use_coupon_is_used_up_after_a_closed_session(api, fake):
    first = api.session_v2("s1", profileId="alice", couponCodes=["ONCEONLY"], cartItems=[item(20)], state="closed")
    assert "acceptCoupon" in kinds(first.json["effects"])
    assert fake.coupons["ONCEONLY"]["usageCounter"] == 1
    second = api.session_v2(
        "s2", ["ruleFailureReasons"], profileId="bob", couponCodes=["ONCEONLY"], cartItems=[item(20)]
    )
    assert second.json["effects"][0]["props"]["rejectionReason"] == "CouponLimitReached"
    failure = second.json["ruleFailureReasons"][0]
    assert (failure["couponValue"], failure["details"]) == ("ONCEONLY", "CouponLimitReached")


def test_v1_session_rejects_unknown_coupon_in_event_effects(api):
    reply = api.put("/v1/customer_sessions/s1", {"profileId": "alice", "coupon": "NOPE"})
    assert kinds(reply.json["event"]["effects"]) == ["rejectCoupon"]
    assert "coupon" not in reply.json


# --- closing and cancelling -----------------------------------------------------------


def test_closing_redeems_and_awards_points(api, fake):
    reply = api.session_v2(
        "s1",
        ALL_CONTENT,
        profileId="alice",
        couponCodes=["SUMMER10"],
        cartItems=[item(30, 2)],
        additionalCosts={"shipping": {"price": 5}},
        state="closed",
    )
    effects = reply.json["effects"]
    assert kinds(effects) == ["acceptCoupon", "setDiscount", "addLoyaltyPoints", "referralCreated"]
    points = by_type(effects, "addLoyaltyPoints")[0]["props"]
    assert (points["value"], points["programId"], points["recipientIntegrationId"]) == (54, 1, "alice")
    assert reply.json["loyalty"]["programs"]["1"]["ledger"]["currentBalance"] == 54
    ledger = reply.json["event"]["ledgerEntries"]
    assert [(e["amount"], e["eventId"]) for e in ledger] == [(54, reply.json["event"]["id"])]
    profile = reply.json["customerProfile"]
    assert (profile["closedSessions"], profile["totalSales"]) == (1, 54.0)
    assert profile["loyaltyMemberships"][0]["loyaltyProgramId"] == 1
    created = reply.json["createdReferrals"]
    assert [r["code"] for r in created] == [by_type(effects, "referralCreated")[0]["props"]["value"]]
    assert fake.coupons["SUMMER10"]["usageCounter"] == 1
    assert fake.loyalty_points("alice") == 54


def test_points_are_whole_and_follow_the_rate(api, fake):
    fake.reset(promotions=Promotions(loyalty=LoyaltyProgram(points_per_currency_unit=2)))
    api.session_v2("s1", profileId="alice", cartItems=[item(9.99)], state="closed")
    assert fake.loyalty_points("alice") == 19


def test_anonymous_sessions_earn_no_points(api, fake):
    reply = api.session_v2("s1", profileId="", cartItems=[item(50)], state="closed")
    assert kinds(reply.json["effects"]) == []


def test_cancelling_a_closed_session_rolls_everything_back(api, fake):
    api.session_v2("s1", profileId="alice", couponCodes=["ONCEONLY"], cartItems=[item(40)], state="closed")
    assert fake.loyalty_points("alice") == 34
    reply = api.session_v2("s1", ALL_CONTENT, state="cancelled")
    assert kinds(reply.json["effects"]) == ["rollbackCoupon", "rollbackDiscount", "rollbackAddedLoyaltyPoints"]
    assert by_type(reply.json["effects"], "rollbackDiscount")[0]["props"] == {"name": "One-time 15%", "value": 6.0}
    assert by_type(reply.json["effects"], "rollbackAddedLoyaltyPoints")[0]["props"]["value"] == 34
    assert [e["amount"] for e in reply.json["event"]["ledgerEntries"]] == [-34]
    assert fake.coupons["ONCEONLY"]["usageCounter"] == 0
    assert fake.loyalty_points("alice") == 0
    assert (fake.profiles["alice"]["closedSessions"], fake.profiles["alice"]["totalSales"]) == (0, 0.0)
    again = api.session_v2("s2", profileId="bob", couponCodes=["ONCEONLY"], cartItems=[item(40)])
    assert kinds(again.json["effects"]) == ["acceptCoupon", "setDiscount"]


def test_cancelling_an_open_session_has_no_effects(api, fake):
    api.session_v2("s1", profileId="alice", couponCodes=["SUMMER10"], cartItems=[item(10)])
    reply = api.session_v2("s1", state="cancelled")
    assert reply.json["effects"] == []
    assert fake.coupons["SUMMER10"]["usageCounter"] == 0


# --- referrals ----------------------------------------------------------------------------


def create_referral(api, advocate="alice", **extra):
    body = {"campaignId": 2, "advocateProfileIntegrationId": advocate, **extra}
    return api.post("/v1/referrals", body).json["code"]


def test_friend_uses_a_referral_code(api, fake):
    code = create_referral(api)
    reply = api.session_v2("s1", ALL_CONTENT, profileId="bob", referralCode=code, cartItems=[item(50)], state="closed")
    effects = reply.json["effects"]
    assert kinds(effects)[:2] == ["acceptReferral", "setDiscount"]
    assert effects[0]["props"] == {"value": code}
    assert effects[1]["props"]["value"] == 5.0
    assert reply.json["referral"]["code"] == code
    assert reply.json["customerSession"]["referralCode"] == code
    assert fake.referrals[code]["usageCounter"] == 1
    assert {c["name"] for c in reply.json["triggeredCampaigns"]} == {"Refer a friend", "Loyalty"}


def test_referral_rejections(api, fake):
    code = create_referral(api)
    own = api.session_v2("s1", profileId="alice", referralCode=code)
    assert own.json["effects"][0]["props"]["rejectionReason"] == "ReferralRecipientIdSameAsAdvocate"
    api.session_v2("s2", profileId="bob", referralCode=code, state="closed")
    used = api.session_v2("s3", ["event"], profileId="carol", referralCode=code)
    assert used.json["effects"][0]["props"]["rejectionReason"] == "ReferralLimitReached"
    assert used.json["event"]["meta"]["referralRejectionReason"]["reason"] == "ReferralLimitReached"
    unknown = api.session_v2("s4", profileId="dave", referralCode="REF-NOPE")
    assert kinds(unknown.json["effects"]) == ["rejectReferral"]
    assert unknown.json["effects"][0]["props"]["rejectionReason"] == "ReferralNotFound"


def test_referral_dates_and_friend(api):
    past = (datetime.now(timezone.utc) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    future = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    expired = create_referral(api, expiryDate=past)
    not_yet = create_referral(api, startDate=future)
    for_erin = create_referral(api, friendProfileIntegrationId="erin")
    reasons = [
        api.session_v2(f"s{n}", profileId="bob", referralCode=code).json["effects"][0]["props"]["rejectionReason"]
        for n, code in enumerate([expired, not_yet, for_erin])
    ]
    assert reasons == ["ReferralExpired", "ReferralStartDateInFuture", "ReferralRecipientDoesNotMatch"]


def test_advocate_gets_one_referral_code_on_first_close_only(api, fake):
    api.session_v2("s1", profileId="alice", cartItems=[item(5)], state="closed")
    second = api.session_v2("s2", profileId="alice", cartItems=[item(5)], state="closed")
    assert "referralCreated" not in kinds(second.json["effects"])
    assert second.json["createdReferrals"] == []
    assert len(fake.referrals) == 1


# --- configuration ------------------------------------------------------------------------


def test_custom_promotions_replace_the_defaults(api, fake):
    soon = datetime.now(timezone.utc) + timedelta(days=3)
    fake.reset(
        promotions=Promotions(
            coupons=[
                CouponRule(
                    "VIP-ONLY", amount_off=20, recipient_integration_id="vip", campaign_id=7, campaign_name="VIP"
                ),
                CouponRule("LATER", percent_off=50, start_date=soon, campaign_id=7),
            ],
            referral=ReferralProgram(campaign_id=8, friend_percent_off=50, code_pattern="FRIEND-###"),
        )
    )
    vip = api.session_v2("s1", ["triggeredCampaigns"], profileId="vip", couponCodes=["VIP-ONLY"], cartItems=[item(100)])
    assert by_type(vip.json["effects"], "setDiscount")[0]["props"]["value"] == 20.0
    assert vip.json["triggeredCampaigns"][0]["name"] == "VIP"
    other = api.session_v2("s2", profileId="other", couponCodes=["VIP-ONLY", "LATER", "SUMMER10"])
    assert [e["props"]["rejectionReason"] for e in other.json["effects"]] == [
        "CouponRecipientDoesNotMatch",
        "CouponStartDateInFuture",
        "CouponNotFound",
    ]
    code = api.post("/v1/referrals", {"campaignId": 8, "advocateProfileIntegrationId": "vip"}).json["code"]
    assert code.startswith("FRIEND-") and len(code) == 10
    friend = api.session_v2("s3", profileId="friend", referralCode=code, cartItems=[item(10)], state="closed")
    assert by_type(friend.json["effects"], "setDiscount")[0]["props"]["value"] == 5.0
    assert "addLoyaltyPoints" not in kinds(friend.json["effects"])


def test_no_promotions_means_no_effects(api, fake):
    fake.reset(promotions=Promotions())
    reply = api.session_v2(
        "s1", ["loyalty"], profileId="alice", couponCodes=["SUMMER10"], cartItems=[item(10)], state="closed"
    )
    assert kinds(reply.json["effects"]) == ["rejectCoupon"]
    assert reply.json["loyalty"] == {"programs": {}}
    assert api.post("/v1/referrals", {"campaignId": 2, "advocateProfileIntegrationId": "a"}).status == 404


@pytest.mark.parametrize(
    "build",
    [
        lambda: CouponRule("ABC", percent_off=10),
        lambda: CouponRule("ABCD"),
        lambda: CouponRule("ABCD", percent_off=10, amount_off=1),
        lambda: CouponRule("ABCD", percent_off=120),
        lambda: Promotions(coupons=[CouponRule("ABCD", amount_off=1), CouponRule("ABCD", amount_off=2)]),
        lambda: Promotions(coupons=[CouponRule("ABCD", amount_off=1)], referral=ReferralProgram(campaign_id=1)),
        lambda: ReferralProgram(code_pattern="ABCD"),
    ],
)
def test_invalid_promotion_setups_are_refused(build):
    with pytest.raises(ValueError):
        build()


# --- dry runs ---------------------------------------------------------------------------------


def test_dry_run_computes_but_does_not_persist(api, fake):
    code = create_referral(api)
    reply = api.session_v2(
        "s1",
        ALL_CONTENT,
        dry=True,
        profileId="bob",
        couponCodes=["ONCEONLY"],
        referralCode=code,
        cartItems=[item(100)],
        state="closed",
    )
    assert reply.status == 200
    assert "addLoyaltyPoints" in kinds(reply.json["effects"])
    assert reply.json["customerSession"]["state"] == "closed"
    assert reply.json["loyalty"]["programs"]["1"]["ledger"]["currentBalance"] == 80
    assert fake.sessions == {}
    assert "bob" not in fake.profiles
    assert fake.coupons["ONCEONLY"]["usageCounter"] == 0
    assert fake.referrals[code]["usageCounter"] == 0
    assert fake.loyalty_points("bob") == 0
    assert fake.events == []
    assert len(fake.referrals) == 1


def test_dry_run_on_v1_session(api, fake):
    api.put("/v1/customer_sessions/s1", {"profileId": "alice", "cartItems": [item(10)]})
    reply = api.put("/v1/customer_sessions/s1", {"state": "closed"}, fields={"dry": "true"})
    assert reply.json["session"]["state"] == "closed"
    assert fake.sessions["s1"]["state"] == "open"
    assert fake.profiles["alice"]["closedSessions"] == 0
