"""Building the JSON shapes of the spec (CustomerProfile, CustomerSession, Coupon, ...) from the fake's state."""

import math
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from .promotions import CouponRule, LoyaltyProgram, Promotions

ACCOUNT_ID = 1
USER_ID = 1


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    """RFC 3339 text in UTC with milliseconds, e.g. ``2024-05-01T12:00:00.000Z``."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """Parse an RFC 3339 date-time (already validated) into an aware datetime."""
    normalized = text.replace("z", "Z").replace("Z", "+00:00").replace("t", "T")
    if "." in normalized:
        head, rest = normalized.split(".", 1)
        digits = len(rest) - len(rest.lstrip("0123456789"))
        fraction = rest[:digits][:6].ljust(6, "0")
        normalized = f"{head}.{fraction}{rest[digits:]}"
    return datetime.fromisoformat(normalized)


def money(amount: float) -> float:
    """Round a currency amount to cents, removing float noise (0.1 + 0.2 -> 0.3)."""
    return round(amount + 0.0, 2)


def whole_points(amount: float) -> int:
    """Points are credited in whole units, rounded down."""
    return int(math.floor(round(amount, 6)))


# --- profiles -------------------------------------------------------------


def new_profile(integration_id: str, now: datetime) -> Dict[str, Any]:
    """A CustomerProfile with no attributes and no activity."""
    return {
        "integrationId": integration_id,
        "created": iso(now),
        "attributes": {},
        "accountId": ACCOUNT_ID,
        "closedSessions": 0,
        "totalSales": 0.0,
        "loyaltyMemberships": [],
        "audienceMemberships": [],
        "lastActivity": iso(now),
    }


def anonymous_profile(now: datetime) -> Dict[str, Any]:
    """The profile shown for anonymous sessions (``profileId: ""``); never stored."""
    return new_profile("", now)


# --- sessions -------------------------------------------------------------


def new_session(session_id: str, profile_id: str, first_session: bool, now: datetime) -> Dict[str, Any]:
    """The internal session record, from which the v1 and v2 shapes are rendered.

    Besides the fields of the spec it keeps ``clientTotal`` (a v1 ``total``
    sent without cart items), ``discounts`` (of the latest evaluation),
    ``paidTotal`` and ``redeemedEffects`` (what closing it redeemed, to roll
    back when a closed session is cancelled).
    """
    return {
        "integrationId": session_id,
        "created": iso(now),
        "profileId": profile_id,
        "couponCodes": [],
        "referralCode": "",
        "state": "open",
        "cartItems": [],
        "additionalCosts": {},
        "identifiers": [],
        "attributes": {},
        "firstSession": first_session,
        "clientTotal": None,
        "discounts": {},
        "paidTotal": 0.0,
        "redeemedEffects": [],
    }


def cart_item_total(session: Dict[str, Any]) -> float:
    return money(sum(item["price"] * item["quantity"] for item in session["cartItems"]))


def additional_cost_total(session: Dict[str, Any]) -> float:
    return money(sum(cost["price"] for cost in session["additionalCosts"].values()))


def session_v1(session: Dict[str, Any], application_id: int) -> Dict[str, Any]:
    """The CustomerSession (v1) shape; ``total`` is the cart items total (or the client's total without items)."""
    total = cart_item_total(session)
    if not session["cartItems"] and session["clientTotal"] is not None:
        total = session["clientTotal"]
    codes = session["couponCodes"]
    return {
        "integrationId": session["integrationId"],
        "created": session["created"],
        "applicationId": application_id,
        "profileId": session["profileId"],
        "coupon": codes[0] if codes else "",
        "referral": session["referralCode"],
        "state": session["state"],
        "cartItems": [dict(item) for item in session["cartItems"]],
        "identifiers": list(session["identifiers"]),
        "total": total,
        "attributes": dict(session["attributes"]),
        "firstSession": session["firstSession"],
        "discounts": dict(session["discounts"]),
    }


def session_v2(session: Dict[str, Any], application_id: int) -> Dict[str, Any]:
    """The CustomerSessionV2 shape, with totals computed from cart items and additional costs."""
    items_total = cart_item_total(session)
    costs_total = additional_cost_total(session)
    shape = {
        "integrationId": session["integrationId"],
        "created": session["created"],
        "applicationId": application_id,
        "profileId": session["profileId"],
        "couponCodes": list(session["couponCodes"]),
        "state": session["state"],
        "cartItems": [dict(item) for item in session["cartItems"]],
        "additionalCosts": {name: dict(cost) for name, cost in session["additionalCosts"].items()},
        "identifiers": list(session["identifiers"]),
        "attributes": dict(session["attributes"]),
        "firstSession": session["firstSession"],
        "total": money(items_total + costs_total),
        "cartItemTotal": items_total,
        "additionalCostTotal": costs_total,
    }
    if session["referralCode"]:
        shape["referralCode"] = session["referralCode"]
    return shape


def placeholder_session_v1(profile_id: str, now: datetime, application_id: int) -> Dict[str, Any]:
    """The empty session a v1 profile update answers with (IntegrationState requires one)."""
    return session_v1(new_session("", profile_id, False, now), application_id)


# --- coupons, campaigns, loyalty -------------------------------------------


def new_coupon(rule: CouponRule, coupon_id: int, now: datetime) -> Dict[str, Any]:
    """The Coupon shape of a configured coupon."""
    coupon: Dict[str, Any] = {
        "id": coupon_id,
        "created": iso(now),
        "campaignId": rule.campaign_id,
        "value": rule.code,
        "usageLimit": rule.usage_limit,
        "usageCounter": 0,
        "attributes": dict(rule.attributes),
    }
    if rule.start_date is not None:
        coupon["startDate"] = iso(rule.start_date)
    if rule.expiry_date is not None:
        coupon["expiryDate"] = iso(rule.expiry_date)
    if rule.recipient_integration_id is not None:
        coupon["recipientIntegrationId"] = rule.recipient_integration_id
    return coupon


def campaigns(promotions: Promotions, application_id: int, now: datetime) -> Dict[int, Dict[str, Any]]:
    """The Campaign shape of every configured campaign, by id."""
    features: Dict[int, str] = {rule.campaign_id: "coupons" for rule in promotions.coupons}
    descriptions: Dict[int, str] = {rule.campaign_id: "Coupon discounts" for rule in promotions.coupons}
    if promotions.referral is not None:
        features[promotions.referral.campaign_id] = "referrals"
        descriptions[promotions.referral.campaign_id] = "Referral codes for advocates and their friends"
    if promotions.loyalty is not None:
        features[promotions.loyalty.campaign_id] = "loyalty"
        descriptions[promotions.loyalty.campaign_id] = "Loyalty points for closed sessions"
    result = {}
    for campaign_id, name in promotions.campaign_names().items():
        result[campaign_id] = {
            "id": campaign_id,
            "created": iso(now),
            "applicationId": application_id,
            "userId": USER_ID,
            "name": name,
            "description": descriptions[campaign_id],
            "state": "enabled",
            "activeRulesetId": campaign_id,
            "tags": [],
            "features": [features[campaign_id]],
            "limits": [],
        }
    return result


def loyalty_shape(program: Optional[LoyaltyProgram], points: float) -> Dict[str, Any]:
    """The Loyalty shape for one customer (``programs`` keyed by program id as text)."""
    if program is None:
        return {"programs": {}}
    balance = {
        "currentBalance": points,
        "pendingBalance": 0,
        "expiredBalance": 0,
        "spentBalance": 0,
        "tentativeCurrentBalance": points,
    }
    return {
        "programs": {
            str(program.program_id): {
                "id": program.program_id,
                "title": program.title,
                "name": program.name,
                "ledger": balance,
                "subLedgers": {},
            }
        }
    }


def effect(
    campaign_id: int,
    rule_index: int,
    rule_name: str,
    effect_type: str,
    props: Dict[str, Any],
    triggered_by_coupon: Optional[int] = None,
) -> Dict[str, Any]:
    """An Effect; the fake gives every campaign one ruleset whose id is the campaign id."""
    result: Dict[str, Any] = {
        "campaignId": campaign_id,
        "rulesetId": campaign_id,
        "ruleIndex": rule_index,
        "ruleName": rule_name,
        "effectType": effect_type,
        "props": props,
    }
    if triggered_by_coupon is not None:
        result["triggeredByCoupon"] = triggered_by_coupon
    return result


def integration_state_v2(
    effects: List[Dict[str, Any]],
    created_referrals: Optional[List[Dict[str, Any]]] = None,
    **requested: Any,
) -> Dict[str, Any]:
    """An IntegrationStateV2 with the required lists and whatever requested parts are not None."""
    state: Dict[str, Any] = {
        "effects": effects,
        "createdCoupons": [],
        "createdReferrals": list(created_referrals or []),
    }
    for name, value in requested.items():
        if value is not None:
            state[name] = value
    return state
