"""The fake's promotion engine: which effects a session's coupon and referral codes produce.

Only reads state; the engine applies redemptions when a session is closed.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, List, Optional

from .promotions import CouponRule, Promotions
from .shapes import cart_item_total, effect, money, parse_iso
from .store import Transaction

DISCOUNT_SCOPE = "cartItems"
REFERRAL_RULE_NAME = "Accept referral"
REFERRAL_DISCOUNT_NAME = "Referral friend discount"


@dataclass
class Evaluation:
    """The outcome of evaluating an open session."""

    effects: List[Dict[str, Any]] = field(default_factory=list)
    discounts: Dict[str, float] = field(default_factory=dict)
    accepted_coupons: List[str] = field(default_factory=list)
    accepted_referral: Optional[str] = None
    coupon_rejection: Optional[Dict[str, Any]] = None
    referral_rejection: Optional[Dict[str, Any]] = None
    rule_failures: List[Dict[str, Any]] = field(default_factory=list)

    @property
    def discount_total(self) -> float:
        return money(sum(self.discounts.values()))

    def add_discount(self, name: str, value: float) -> None:
        self.discounts[name] = money(self.discounts.get(name, 0.0) + value)


def coupon_rejection_reason(coupon: Optional[Dict[str, Any]], profile_id: str, now: datetime) -> Optional[str]:
    """The CouponRejectionReason for using ``coupon`` now, or None when it is valid."""
    if coupon is None:
        return "CouponNotFound"
    if "startDate" in coupon and parse_iso(coupon["startDate"]) > now:
        return "CouponStartDateInFuture"
    if "expiryDate" in coupon and parse_iso(coupon["expiryDate"]) <= now:
        return "CouponExpired"
    recipient = coupon.get("recipientIntegrationId")
    if recipient is not None and recipient != profile_id:
        return "CouponRecipientDoesNotMatch"
    if coupon["usageLimit"] and coupon["usageCounter"] >= coupon["usageLimit"]:
        return "CouponLimitReached"
    return None


def referral_rejection_reason(referral: Optional[Dict[str, Any]], profile_id: str, now: datetime) -> Optional[str]:
    """The ReferralRejectionReason for using ``referral`` now, or None when it is valid."""
    if referral is None:
        return "ReferralNotFound"
    if "startDate" in referral and parse_iso(referral["startDate"]) > now:
        return "ReferralStartDateInFuture"
    if "expiryDate" in referral and parse_iso(referral["expiryDate"]) <= now:
        return "ReferralExpired"
    if profile_id and referral["advocateProfileIntegrationId"] == profile_id:
        return "ReferralRecipientIdSameAsAdvocate"
    friend = referral.get("friendProfileIntegrationId")
    if friend and friend != profile_id:
        return "ReferralRecipientDoesNotMatch"
    if referral["usageLimit"] and referral["usageCounter"] >= referral["usageLimit"]:
        return "ReferralLimitReached"
    return None


def discount_amount(percent_off: Optional[float], amount_off: Optional[float], base: float, remaining: float) -> float:
    """The discount on ``base``, never more than what is ``remaining`` of it."""
    wanted = base * percent_off / 100 if percent_off is not None else (amount_off or 0.0)
    return money(max(0.0, min(wanted, remaining)))


class RuleEngine:
    """Evaluates sessions against a :class:`Promotions` setup."""

    def __init__(self, promotions: Promotions, campaign_names: Dict[int, str]) -> None:
        self.promotions = promotions
        self.campaign_names = campaign_names

    def evaluate(self, session: Dict[str, Any], tx: Transaction, now: datetime) -> Evaluation:
        """Effects, discounts and rejections for the codes and cart of an open session."""
        evaluation = Evaluation()
        base = cart_item_total(session)
        for code in dict.fromkeys(session["couponCodes"]):
            self._evaluate_coupon(code, session["profileId"], base, tx, now, evaluation)
        if session["referralCode"]:
            self._evaluate_referral(session["referralCode"], session["profileId"], base, tx, now, evaluation)
        return evaluation

    def _evaluate_coupon(
        self, code: str, profile_id: str, base: float, tx: Transaction, now: datetime, evaluation: Evaluation
    ) -> None:
        rule = self.promotions.coupon_rule(code)
        coupon = tx.peek("coupons", code) if rule is not None else None
        reason = coupon_rejection_reason(coupon, profile_id, now)
        if reason is not None:
            self._reject_coupon(code, rule, coupon, reason, evaluation)
            return
        assert rule is not None and coupon is not None  # a coupon without a reason to reject it exists
        rule_index = self.promotions.coupon_rule_index(rule)
        evaluation.accepted_coupons.append(code)
        evaluation.effects.append(
            effect(rule.campaign_id, rule_index, rule.discount_name, "acceptCoupon", {"value": code}, coupon["id"])
        )
        amount = discount_amount(rule.percent_off, rule.amount_off, base, base - evaluation.discount_total)
        if amount > 0:
            evaluation.add_discount(rule.discount_name, amount)
            props = {"name": rule.discount_name, "value": amount, "scope": DISCOUNT_SCOPE}
            evaluation.effects.append(
                effect(rule.campaign_id, rule_index, rule.discount_name, "setDiscount", props, coupon["id"])
            )

    def _reject_coupon(
        self,
        code: str,
        rule: Optional[CouponRule],
        coupon: Optional[Dict[str, Any]],
        reason: str,
        evaluation: Evaluation,
    ) -> None:
        campaign_id = rule.campaign_id if rule is not None else 0
        rule_index = self.promotions.coupon_rule_index(rule) if rule is not None else 0
        rule_name = rule.discount_name if rule is not None else ""
        coupon_id = coupon["id"] if coupon is not None else 0
        props = {"value": code, "rejectionReason": reason}
        evaluation.effects.append(
            effect(campaign_id, rule_index, rule_name, "rejectCoupon", props, coupon_id if coupon else None)
        )
        if evaluation.coupon_rejection is None:
            evaluation.coupon_rejection = {"campaignId": campaign_id, "couponId": coupon_id, "reason": reason}
        if rule is not None:
            evaluation.rule_failures.append(
                {
                    "campaignID": campaign_id,
                    "campaignName": self.campaign_names[campaign_id],
                    "rulesetID": campaign_id,
                    "couponID": coupon_id,
                    "couponValue": code,
                    "ruleIndex": rule_index,
                    "ruleName": rule_name,
                    "details": reason,
                }
            )

    def _evaluate_referral(
        self, code: str, profile_id: str, base: float, tx: Transaction, now: datetime, evaluation: Evaluation
    ) -> None:
        program = self.promotions.referral
        referral = tx.peek("referrals", code) if program is not None else None
        reason = referral_rejection_reason(referral, profile_id, now)
        campaign_id = program.campaign_id if program is not None else 0
        if reason is not None:
            props = {"value": code, "rejectionReason": reason}
            rule_name = REFERRAL_RULE_NAME if program is not None else ""
            evaluation.effects.append(effect(campaign_id, 0, rule_name, "rejectReferral", props))
            referral_id = referral["id"] if referral is not None else 0
            evaluation.referral_rejection = {"campaignId": campaign_id, "referralId": referral_id, "reason": reason}
            if program is not None:
                evaluation.rule_failures.append(
                    {
                        "campaignID": campaign_id,
                        "campaignName": self.campaign_names[campaign_id],
                        "rulesetID": campaign_id,
                        "referralID": referral_id,
                        "referralValue": code,
                        "ruleIndex": 0,
                        "ruleName": REFERRAL_RULE_NAME,
                        "details": reason,
                    }
                )
            return
        assert program is not None  # a referral without a reason to reject it belongs to the program
        evaluation.accepted_referral = code
        evaluation.effects.append(effect(campaign_id, 0, REFERRAL_RULE_NAME, "acceptReferral", {"value": code}))
        amount = discount_amount(
            program.friend_percent_off, program.friend_amount_off, base, base - evaluation.discount_total
        )
        if amount > 0:
            evaluation.add_discount(REFERRAL_DISCOUNT_NAME, amount)
            discount: Dict[str, Any] = {"name": REFERRAL_DISCOUNT_NAME, "value": amount, "scope": DISCOUNT_SCOPE}
            evaluation.effects.append(effect(campaign_id, 0, REFERRAL_RULE_NAME, "setDiscount", discount))
