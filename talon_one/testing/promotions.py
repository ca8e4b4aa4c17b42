"""The promotion setup the fake evaluates: coupons, a referral campaign and a loyalty program.

The fake does not run Talon.One's rule engine.  Instead it knows three fixed
kinds of campaign whose behaviour is configured here:

* coupon campaigns: a :class:`CouponRule` per code, giving a percentage or a
  fixed discount on the cart items total;
* one referral campaign (:class:`ReferralProgram`);
* one loyalty program (:class:`LoyaltyProgram`) crediting points when a
  session is closed.

``Promotions.default()`` is the demo setup used when nothing is configured.
"""

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Dict, Mapping, Optional, Sequence, Tuple

_MAX_USAGE_LIMIT = 999999


def _as_utc(moment: Optional[datetime]) -> Optional[datetime]:
    """Return an aware UTC datetime; naive datetimes are taken to be UTC already."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _check_discount(owner: str, percent_off: Optional[float], amount_off: Optional[float]) -> None:
    if percent_off is not None and amount_off is not None:
        raise ValueError(f"{owner}: set percent_off or amount_off, not both")
    if percent_off is not None and not 0 < percent_off <= 100:
        raise ValueError(f"{owner}: percent_off must be in (0, 100], got {percent_off}")
    if amount_off is not None and amount_off <= 0:
        raise ValueError(f"{owner}: amount_off must be positive, got {amount_off}")


def _check_usage_limit(owner: str, usage_limit: int) -> None:
    if not 0 <= usage_limit <= _MAX_USAGE_LIMIT:
        raise ValueError(f"{owner}: usage_limit must be between 0 and {_MAX_USAGE_LIMIT}")


@dataclass(frozen=True)
class CouponRule:
    """A coupon code and the discount it grants on the cart items total.

    Exactly one of ``percent_off`` (e.g. ``10`` for 10 %) and ``amount_off``
    (a fixed amount in the application's currency) must be set.

    A session carrying a valid code gets an ``acceptCoupon`` and a
    ``setDiscount`` effect; an unknown, not yet started, expired, used-up or
    someone else's code gets a ``rejectCoupon`` effect whose
    ``rejectionReason`` is a CouponRejectionReason value (``CouponNotFound``,
    ``CouponStartDateInFuture``, ``CouponExpired``,
    ``CouponRecipientDoesNotMatch``, ``CouponLimitReached``).

    ``usage_limit`` counts redemptions, 0 meaning unlimited.  A coupon is
    redeemed when a session carrying it is closed, and given back when that
    session is cancelled.  ``start_date``/``expiry_date`` are datetimes (naive
    ones are read as UTC).  ``recipient_integration_id`` restricts the coupon
    to one customer profile.  Coupons sharing a ``campaign_id`` belong to the
    same campaign, named after the first rule's ``campaign_name``.
    """

    code: str
    percent_off: Optional[float] = None
    amount_off: Optional[float] = None
    usage_limit: int = 0
    start_date: Optional[datetime] = None
    expiry_date: Optional[datetime] = None
    recipient_integration_id: Optional[str] = None
    campaign_id: int = 1
    campaign_name: str = "Coupons"
    rule_name: Optional[str] = None
    attributes: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        owner = f"CouponRule({self.code!r})"
        if len(self.code) < 4:
            raise ValueError(f"{owner}: a coupon code has at least 4 characters")
        if self.percent_off is None and self.amount_off is None:
            raise ValueError(f"{owner}: set percent_off or amount_off")
        _check_discount(owner, self.percent_off, self.amount_off)
        _check_usage_limit(owner, self.usage_limit)
        object.__setattr__(self, "start_date", _as_utc(self.start_date))
        object.__setattr__(self, "expiry_date", _as_utc(self.expiry_date))
        object.__setattr__(self, "attributes", dict(self.attributes))

    @property
    def discount_name(self) -> str:
        """Name of the rule, also used as the ``setDiscount`` name."""
        return self.rule_name or f"Coupon {self.code}"


@dataclass(frozen=True)
class ReferralProgram:
    """The referral campaign.

    Referral codes are created by createReferral (``POST /v1/referrals`` with
    this ``campaign_id``) and, when ``create_code_on_close`` is true, for a
    customer without a code whose session is closed (a ``referralCreated``
    effect, listed in ``createdReferrals``).  Codes follow ``code_pattern``,
    each ``#`` being replaced by a random uppercase letter or digit.

    A friend entering a valid code gets an ``acceptReferral`` effect and, when
    ``friend_percent_off`` or ``friend_amount_off`` is set, a ``setDiscount``.
    An invalid code gets ``rejectReferral`` with a ReferralRejectionReason
    value.  Each code can be used ``usage_limit`` times (0: unlimited); a use
    is counted when the friend's session is closed.
    """

    campaign_id: int = 2
    campaign_name: str = "Refer a friend"
    friend_percent_off: Optional[float] = None
    friend_amount_off: Optional[float] = None
    usage_limit: int = 1
    code_pattern: str = "REF-######"
    create_code_on_close: bool = True

    def __post_init__(self) -> None:
        owner = "ReferralProgram"
        _check_discount(owner, self.friend_percent_off, self.friend_amount_off)
        _check_usage_limit(owner, self.usage_limit)
        if "#" not in self.code_pattern or not 4 <= len(self.code_pattern) <= 100:
            raise ValueError(f"{owner}: code_pattern needs 4 to 100 characters including at least one '#'")


@dataclass(frozen=True)
class LoyaltyProgram:
    """The loyalty program.

    When a session of a known (non-anonymous) customer is closed, the customer
    earns ``floor((cart items total - discounts) * points_per_currency_unit)``
    points: an ``addLoyaltyPoints`` effect, a ledger entry on the event and a
    higher balance in ``loyalty`` (inventory, integration states).  Cancelling
    the closed session takes the points back (``rollbackAddedLoyaltyPoints``).
    """

    program_id: int = 1
    name: str = "points"
    title: str = "Loyalty points"
    campaign_id: int = 3
    campaign_name: str = "Loyalty"
    points_per_currency_unit: float = 1.0
    points_expire_after_days: int = 365

    def __post_init__(self) -> None:
        if self.points_per_currency_unit < 0:
            raise ValueError("LoyaltyProgram: points_per_currency_unit must not be negative")
        if self.points_expire_after_days < 1:
            raise ValueError("LoyaltyProgram: points_expire_after_days must be at least 1")


@dataclass(frozen=True)
class Promotions:
    """Everything the fake's promotion engine knows.

    ``Promotions()`` has no promotions at all; ``Promotions.default()`` is the
    demo setup.  ``audiences`` maps audience IDs to the names shown in a
    profile's ``audienceMemberships`` (unknown IDs are named ``"Audience <id>"``).
    """

    coupons: Sequence[CouponRule] = ()
    referral: Optional[ReferralProgram] = None
    loyalty: Optional[LoyaltyProgram] = None
    audiences: Mapping[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        coupons: Tuple[CouponRule, ...] = tuple(self.coupons)
        codes = [rule.code for rule in coupons]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValueError(f"Promotions: duplicate coupon codes {duplicates}")
        object.__setattr__(self, "coupons", coupons)
        object.__setattr__(self, "audiences", dict(self.audiences))
        self._check_campaign_ids()

    def _check_campaign_ids(self) -> None:
        taken = {rule.campaign_id for rule in self.coupons}
        for program in (self.referral, self.loyalty):
            if program is None:
                continue
            if program.campaign_id in taken:
                raise ValueError(
                    f"Promotions: campaign id {program.campaign_id} is used by more than one kind of campaign"
                )
            taken.add(program.campaign_id)

    @classmethod
    def default(cls) -> "Promotions":
        """The demo setup.

        * ``SUMMER10``: 10 % off the cart items;
        * ``FIVEOFF``: 5 off the cart items;
        * ``EXPIRED20``: 20 % off, but expired on 2020-01-01;
        * ``ONCEONLY``: 15 % off, can be redeemed once;
        * a referral campaign (id 2) whose codes give the friend 5 off;
        * a loyalty program (id 1) giving 1 point per currency unit spent;
        * audiences 1 ("VIP") and 2 ("Newsletter").
        """
        return cls(
            coupons=(
                CouponRule("SUMMER10", percent_off=10, rule_name="Summer sale 10%"),
                CouponRule("FIVEOFF", amount_off=5, rule_name="5 off"),
                CouponRule(
                    "EXPIRED20",
                    percent_off=20,
                    expiry_date=datetime(2020, 1, 1, tzinfo=timezone.utc),
                    rule_name="Expired 20%",
                ),
                CouponRule("ONCEONLY", percent_off=15, usage_limit=1, rule_name="One-time 15%"),
            ),
            referral=ReferralProgram(friend_amount_off=5),
            loyalty=LoyaltyProgram(),
            audiences={1: "VIP", 2: "Newsletter"},
        )

    def coupon_rule(self, code: str) -> Optional[CouponRule]:
        """The rule for ``code``, or None."""
        for rule in self.coupons:
            if rule.code == code:
                return rule
        return None

    def audience_name(self, audience_id: int) -> str:
        """Display name of an audience."""
        return self.audiences.get(audience_id, f"Audience {audience_id}")

    def coupon_rule_index(self, rule: CouponRule) -> int:
        """Index of ``rule`` among the rules of its campaign (the effect's ``ruleIndex``)."""
        siblings = [r for r in self.coupons if r.campaign_id == rule.campaign_id]
        return siblings.index(rule)

    def campaign_names(self) -> Dict[int, str]:
        """Campaign id -> name for every configured campaign."""
        names: Dict[int, str] = {}
        for rule in self.coupons:
            names.setdefault(rule.campaign_id, rule.campaign_name)
        if self.referral is not None:
            names[self.referral.campaign_id] = self.referral.campaign_name
        if self.loyalty is not None:
            names[self.loyalty.campaign_id] = self.loyalty.campaign_name
        return names
