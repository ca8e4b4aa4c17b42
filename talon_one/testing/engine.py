"""The operations of the fake Integration API: one method per operationId.

Every operation runs under the store lock and works on a :class:`Transaction`;
it commits unless the request is a dry run.  Request bodies and query
parameters arrive already validated against the spec.
"""

import random
import string
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Dict, List, Optional, Set

from .promotions import Promotions, ReferralProgram
from .responses import Response, bad_request, conflict, not_found
from .rules import Evaluation, RuleEngine, coupon_rejection_reason
from .shapes import (
    ACCOUNT_ID,
    anonymous_profile,
    campaigns,
    cart_item_total,
    effect,
    integration_state_v2,
    iso,
    loyalty_shape,
    money,
    new_coupon,
    new_profile,
    new_session,
    placeholder_session_v1,
    session_v1,
    session_v2,
    utc_now,
    whole_points,
)
from .store import Store, Transaction, copy_json

MAX_BULK_PROFILES = 1000
SESSION_EVENT_TYPE = "talon_session_updated"
PROFILE_EVENT_TYPE = "talon_profile_updated"
RESERVED_EVENT_PREFIX = "talon_"
POINTS_RULE_NAME = "Points on purchase"
POINTS_REASON = "Points for a closed session"
CANCEL_REASON = "Cancelled session"
REFERRAL_CREATION_RULE_NAME = "Create referral code"
CODE_ALPHABET = string.ascii_uppercase + string.digits

# A session may move open -> closed/cancelled and closed -> cancelled; staying put is allowed.
ALLOWED_TRANSITIONS = {
    "open": {"open", "closed", "cancelled"},
    "closed": {"closed", "cancelled"},
    "cancelled": {"cancelled"},
}
# Effects whose outcome closing a session makes permanent; cancelling it later rolls them back.
REDEEMED_EFFECT_TYPES = frozenset({"acceptCoupon", "setDiscount", "acceptReferral", "addLoyaltyPoints"})

Handler = Callable[[Dict[str, str], Dict[str, Any], Any], Response]


@dataclass
class SessionChanges:
    """The fields a v1 or v2 session update sets (None: not sent, keep the stored value)."""

    pointer: str
    profile_id: Optional[str] = None
    coupon_codes: Optional[List[str]] = None
    referral_code: Optional[str] = None
    state: Optional[str] = None
    cart_items: Optional[List[Dict[str, Any]]] = None
    additional_costs: Optional[Dict[str, Dict[str, Any]]] = None
    identifiers: Optional[List[str]] = None
    attributes: Optional[Dict[str, Any]] = None
    client_total: Optional[float] = None

    @classmethod
    def from_v1(cls, body: Dict[str, Any]) -> "SessionChanges":
        coupon = body.get("coupon")
        return cls(
            pointer="",
            profile_id=body.get("profileId"),
            coupon_codes=None if coupon is None else ([coupon] if coupon else []),
            referral_code=body.get("referral"),
            state=body.get("state"),
            cart_items=body.get("cartItems"),
            identifiers=body.get("identifiers"),
            attributes=body.get("attributes"),
            client_total=body.get("total"),
        )

    @classmethod
    def from_v2(cls, body: Dict[str, Any]) -> "SessionChanges":
        session = body["customerSession"]
        return cls(
            pointer="/customerSession",
            profile_id=session.get("profileId"),
            coupon_codes=session.get("couponCodes"),
            referral_code=session.get("referralCode"),
            state=session.get("state"),
            cart_items=session.get("cartItems"),
            additional_costs=session.get("additionalCosts"),
            identifiers=session.get("identifiers"),
            attributes=session.get("attributes"),
        )


@dataclass
class SessionOutcome:
    """What one session update produced; filled in step by step, then rendered as v1 or v2."""

    session: Dict[str, Any]
    profile: Optional[Dict[str, Any]]
    event_id: int
    effects: List[Dict[str, Any]] = field(default_factory=list)
    evaluation: Optional[Evaluation] = None
    ledger_entries: List[Dict[str, Any]] = field(default_factory=list)
    created_referrals: List[Dict[str, Any]] = field(default_factory=list)
    event: Dict[str, Any] = field(default_factory=dict)


def _json_equal(left: Any, right: Any) -> bool:
    """Equality of JSON values: true is not 1, but 1 is 1.0."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_json_equal(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_json_equal(a, b) for a, b in zip(left, right))
    both_numbers = isinstance(left, (int, float)) and isinstance(right, (int, float))
    return (both_numbers or type(left) is type(right)) and left == right


def _rollback(original: Dict[str, Any], effect_type: str, props: Dict[str, Any]) -> Dict[str, Any]:
    """The effect reversing ``original``, attributed to the same campaign and rule."""
    return dict(original, effectType=effect_type, props=props)


class Engine:
    """State and business logic of the fake; see the module docstring."""

    def __init__(
        self,
        promotions: Promotions,
        application_id: int,
        clock: Callable[[], datetime] = utc_now,
        rng: Optional[random.Random] = None,
    ) -> None:
        self.store = Store()
        self.application_id = application_id
        self._clock = clock
        self._random = rng or random.Random()
        self._handlers: Dict[str, Handler] = {
            "createCouponReservation": self.create_coupon_reservation,
            "deleteCouponReservation": self.delete_coupon_reservation,
            "createReferral": self.create_referral,
            "deleteCustomerData": self.delete_customer_data,
            "getCustomerInventory": self.get_customer_inventory,
            "getCustomerProfilesByAttributes": self.get_customer_profiles_by_attributes,
            "getReservedCoupons": self.get_reserved_coupons,
            "getReservedCustomers": self.get_reserved_customers,
            "trackEvent": self.track_event,
            "updateCustomerProfile": self.update_customer_profile,
            "updateCustomerProfileAudiences": self.update_customer_profile_audiences,
            "updateCustomerProfileV2": self.update_customer_profile_v2,
            "updateCustomerProfilesV2": self.update_customer_profiles_v2,
            "updateCustomerSession": self.update_customer_session,
            "updateCustomerSessionV2": self.update_customer_session_v2,
        }
        self.reset(promotions)

    # --- lifecycle ----------------------------------------------------------

    def reset(self, promotions: Promotions) -> None:
        """Forget all state and load ``promotions`` afresh (coupon counters at zero)."""
        with self.store.lock:
            self.store.clear()
            now = self._clock()
            self.promotions = promotions
            self.campaigns = campaigns(promotions, self.application_id, now)
            self.rules = RuleEngine(promotions, promotions.campaign_names())
            for rule in promotions.coupons:
                coupon = new_coupon(rule, self.store.next_id("coupon"), now)
                self.store.tables["coupons"][rule.code] = coupon

    def execute(self, operation_id: str, path_params: Dict[str, str], query: Dict[str, Any], body: Any) -> Response:
        """Run one operation atomically; the response body is encoded before the lock is released."""
        handler = self._handlers[operation_id]
        with self.store.lock:
            response = handler(path_params, query, body)
            response.payload()
        return response

    # --- coupon reservations ------------------------------------------------

    def create_coupon_reservation(self, params: Dict[str, str], query: Dict[str, Any], body: Any) -> Response:
        code = params["couponValue"]
        tx = self.store.transaction()
        coupon = self._existing_coupon(tx, code)
        now = self._clock()
        holders = tx.get("reservations", code) or []
        for index, integration_id in enumerate(body["integrationIDs"]):
            self._check_integration_id(integration_id, f"/integrationIDs/{index}")
            self._profile(tx, integration_id, now, touch=False)
            if integration_id not in holders:
                holders.append(integration_id)
        tx.put("reservations", code, holders)
        tx.commit()
        return Response(200, coupon)

    def delete_coupon_reservation(self, params: Dict[str, str], query: Dict[str, Any], body: Any) -> Response:
        code = params["couponValue"]
        tx = self.store.transaction()
        self._existing_coupon(tx, code)
        removed = set(body["integrationIDs"])
        holders = tx.get("reservations", code) or []
        tx.put("reservations", code, [holder for holder in holders if holder not in removed])
        tx.commit()
        return Response(204)

    def get_reserved_customers(self, params: Dict[str, str], query: Dict[str, Any], body: Any) -> Response:
        code = params["couponValue"]
        tx = self.store.transaction()
        self._existing_coupon(tx, code)
        profiles = [tx.peek("profiles", holder) for holder in tx.peek("reservations", code) or []]
        data = [profile for profile in profiles if profile is not None]
        return Response(200, {"totalResultSize": len(data), "data": data})

    def get_reserved_coupons(self, params: Dict[str, str], query: Dict[str, Any], body: Any) -> Response:
        """Valid, usable coupons reserved for the customer; an unknown customer simply has none."""
        integration_id = params["integrationId"]
        tx = self.store.transaction()
        now = self._clock()
        data = [
            coupon
            for coupon in self._reserved_coupons(tx, integration_id)
            if coupon_rejection_reason(coupon, integration_id, now) is None
        ]
        return Response(200, {"totalResultSize": len(data), "data": data})

    # --- referrals ----------------------------------------------------------

    def create_referral(self, params: Dict[str, str], query: Dict[str, Any], body: Any) -> Response:
        program = self.promotions.referral
        if program is None or body["campaignId"] != program.campaign_id:
            raise not_found(f"referral campaign {body['campaignId']} not found")
        advocate = body["advocateProfileIntegrationId"]
        self._check_integration_id(advocate, "/advocateProfileIntegrationId")
        tx = self.store.transaction()
        now = self._clock()
        self._profile(tx, advocate, now, touch=False)
        referral = self._new_referral(
            tx,
            program,
            advocate,
            now,
            friend=body.get("friendProfileIntegrationId"),
            start_date=body.get("startDate"),
            expiry_date=body.get("expiryDate"),
        )
        tx.commit()
        return Response(200, referral)

    # --- customer data ------------------------------------------------------

    def delete_customer_data(self, params: Dict[str, str], query: Dict[str, Any], body: Any) -> Response:
        """Remove the profile and its personal data from sessions, events, reservations, referrals and loyalty."""
        integration_id = params["integrationId"]
        tx = self.store.transaction()
        self._existing_profile(tx, integration_id)
        tx.delete("profiles", integration_id)
        tx.delete("loyalty", integration_id)
        self._forget_sessions_of(tx, integration_id)
        self._forget_events_of(tx, integration_id)
        self._forget_reservations_of(tx, integration_id)
        self._forget_referrals_of(tx, integration_id)
        tx.commit()
        return Response(204)

    def _forget_sessions_of(self, tx: Transaction, integration_id: str) -> None:
        for session_id in tx.peek("profile_sessions", integration_id) or []:
            session = tx.get("sessions", session_id)
            if session is not None:
                session.update(profileId="", attributes={}, identifiers=[])
        tx.delete("profile_sessions", integration_id)

    def _forget_events_of(self, tx: Transaction, integration_id: str) -> None:
        event_ids = [event_id for event_id, event in tx.items("events") if event.get("profileId") == integration_id]
        for event_id in event_ids:
            tx.get("events", event_id).update(profileId="", attributes={})

    def _forget_reservations_of(self, tx: Transaction, integration_id: str) -> None:
        codes = [code for code, holders in tx.items("reservations") if integration_id in holders]
        for code in codes:
            holders = tx.get("reservations", code)
            holders.remove(integration_id)

    def _forget_referrals_of(self, tx: Transaction, integration_id: str) -> None:
        for code in tx.peek("advocate_referrals", integration_id) or []:
            tx.delete("referrals", code)
        tx.delete("advocate_referrals", integration_id)
        befriended = [
            code
            for code, referral in tx.items("referrals")
            if referral.get("friendProfileIntegrationId") == integration_id
        ]
        for code in befriended:
            del tx.get("referrals", code)["friendProfileIntegrationId"]

    def get_customer_inventory(self, params: Dict[str, str], query: Dict[str, Any], body: Any) -> Response:
        integration_id = params["integrationId"]
        tx = self.store.transaction()
        profile = self._existing_profile(tx, integration_id)
        inventory: Dict[str, Any] = {}
        if query.get("profile"):
            inventory["profile"] = profile
        if query.get("loyalty"):
            inventory["loyalty"] = self._loyalty(tx, integration_id)
        if query.get("referrals"):
            codes = tx.peek("advocate_referrals", integration_id) or []
            inventory["referrals"] = [tx.peek("referrals", code) for code in codes]
        if query.get("coupons"):
            inventory["coupons"] = self._customer_coupons(tx, integration_id)
        return Response(200, inventory)

    def get_customer_profiles_by_attributes(self, params: Dict[str, str], query: Dict[str, Any], body: Any) -> Response:
        """Profiles having every requested attribute with exactly the requested value."""
        wanted = body.get("attributes", {})
        tx = self.store.transaction()
        data = [
            profile
            for _, profile in tx.items("profiles")
            if all(
                name in profile["attributes"] and _json_equal(profile["attributes"][name], value)
                for name, value in wanted.items()
            )
        ]
        return Response(200, {"totalResultSize": len(data), "data": data})

    # --- events -------------------------------------------------------------

    def track_event(self, params: Dict[str, str], query: Dict[str, Any], body: Any) -> Response:
        event_type = body["type"]
        if event_type.startswith(RESERVED_EVENT_PREFIX):
            raise bad_request(f"event type {event_type!r} is reserved for built-in events", "/type")
        profile_id = body.get("profileId", "")
        session_id = body["sessionId"]
        tx = self.store.transaction()
        now = self._clock()
        session = tx.get("sessions", session_id)
        if session is not None and session["profileId"] != profile_id:
            raise conflict(f"session {session_id!r} belongs to another customer profile")
        if session is None:
            session = new_session(session_id, profile_id, self._is_first_session(tx, profile_id), now)
            tx.put("sessions", session_id, session)
            self._link_session(tx, profile_id, session_id)
        profile = self._profile(tx, profile_id, now) if profile_id else None
        event = self._record_event(
            tx, self.store.next_id("event"), event_type, profile_id, session_id, body["attributes"], [], [], {}, now
        )
        self._commit_unless_dry(tx, query)
        return Response(200, self._integration_state_v1(tx, session, profile, event, now))

    # --- profiles -----------------------------------------------------------

    def update_customer_profile(self, params: Dict[str, str], query: Dict[str, Any], body: Any) -> Response:
        integration_id = params["integrationId"]
        tx = self.store.transaction()
        now = self._clock()
        profile = self._profile(tx, integration_id, now)
        profile["attributes"].update(body.get("attributes", {}))
        event = self._record_profile_event(tx, integration_id, now)
        self._commit_unless_dry(tx, query)
        session = placeholder_session_v1(integration_id, now, self.application_id)
        state = {
            "session": session,
            "profile": profile,
            "event": event,
            "loyalty": self._loyalty(tx, integration_id),
        }
        return Response(200, state)

    def update_customer_profile_v2(self, params: Dict[str, str], query: Dict[str, Any], body: Any) -> Response:
        """Upsert a profile; ``dry`` only counts when ``runRuleEngine`` is true, as the spec says."""
        integration_id = params["integrationId"]
        run_rule_engine = query.get("runRuleEngine", False)
        tx = self.store.transaction()
        now = self._clock()
        profile = self._profile(tx, integration_id, now)
        profile["attributes"].update(body.get("attributes", {}))
        changes = body.get("audiencesChanges")
        if changes is not None:
            for audience_id in changes["adds"]:
                self._set_audience(profile, audience_id, member=True)
            for audience_id in changes["deletes"]:
                self._set_audience(profile, audience_id, member=False)
        event = self._record_profile_event(tx, integration_id, now) if run_rule_engine else None
        if not (run_rule_engine and query.get("dry", False)):
            tx.commit()
        content = set(body.get("responseContent", ()))
        state = integration_state_v2(
            [],
            customerProfile=profile if "customerProfile" in content else None,
            triggeredCampaigns=[] if "triggeredCampaigns" in content else None,
            loyalty=self._loyalty(tx, integration_id) if "loyalty" in content else None,
            event=event if "event" in content else None,
            ruleFailureReasons=[] if "ruleFailureReasons" in content else None,
        )
        return Response(200, state)

    def update_customer_profiles_v2(self, params: Dict[str, str], query: Dict[str, Any], body: Any) -> Response:
        items = body.get("customerProfiles", [])
        if len(items) > MAX_BULK_PROFILES:
            raise bad_request(
                f"at most {MAX_BULK_PROFILES} customer profiles per request, got {len(items)}",
                "/customerProfiles",
                title="Too many items",
            )
        tx = self.store.transaction()
        now = self._clock()
        states = []
        for index, item in enumerate(items):
            integration_id = item["integrationId"]
            self._check_integration_id(integration_id, f"/customerProfiles/{index}/integrationId")
            profile = self._profile(tx, integration_id, now)
            profile["attributes"].update(item.get("attributes", {}))
            states.append(integration_state_v2([], customerProfile=profile))
        tx.commit()
        if query.get("silent") == "yes":
            return Response(204)
        return Response(200, {"integrationStates": states})

    def update_customer_profile_audiences(self, params: Dict[str, str], query: Dict[str, Any], body: Any) -> Response:
        """Apply audience adds/deletes; unknown profiles are created, like every other profile update."""
        tx = self.store.transaction()
        now = self._clock()
        for index, change in enumerate(body.get("data", [])):
            integration_id = change["profileIntegrationId"]
            self._check_integration_id(integration_id, f"/data/{index}/profileIntegrationId")
            profile = self._profile(tx, integration_id, now)
            self._set_audience(profile, change["audienceId"], member=change["action"] == "add")
        tx.commit()
        return Response(204)

    # --- sessions -----------------------------------------------------------

    def update_customer_session(self, params: Dict[str, str], query: Dict[str, Any], body: Any) -> Response:
        tx = self.store.transaction()
        now = self._clock()
        outcome = self._update_session(tx, params["customerSessionId"], SessionChanges.from_v1(body), now)
        self._commit_unless_dry(tx, query)
        state = self._integration_state_v1(tx, outcome.session, outcome.profile, outcome.event, now)
        codes = outcome.session["couponCodes"]
        coupon = tx.peek("coupons", codes[0]) if codes else None
        if coupon is not None:
            state["coupon"] = coupon
        return Response(200, state)

    def update_customer_session_v2(self, params: Dict[str, str], query: Dict[str, Any], body: Any) -> Response:
        tx = self.store.transaction()
        now = self._clock()
        outcome = self._update_session(tx, params["customerSessionId"], SessionChanges.from_v2(body), now)
        self._commit_unless_dry(tx, query)
        content = set(body.get("responseContent", ()))
        return Response(200, self._integration_state_v2(tx, outcome, content))

    def _update_session(
        self, tx: Transaction, session_id: str, changes: SessionChanges, now: datetime
    ) -> SessionOutcome:
        """Create or update a session, evaluate it and apply its state transition.

        Only an open session takes new data; a closed or cancelled one is
        frozen and only its state can still change (closed -> cancelled rolls
        back what closing redeemed).  Resending a close is harmless.
        """
        session = self._session_for_update(tx, session_id, changes.profile_id, now)
        previous = session["state"]
        target = changes.state or previous
        if target not in ALLOWED_TRANSITIONS[previous]:
            raise bad_request(
                f"a {previous} session cannot become {target}",
                f"{changes.pointer}/state",
                title="Invalid state transition",
            )
        profile_id = session["profileId"]
        profile = self._profile(tx, profile_id, now) if profile_id else None
        outcome = SessionOutcome(session, profile, event_id=self.store.next_id("event"))
        if previous == "open":
            self._apply_session_changes(session, changes)
            if target == "cancelled":
                session["discounts"] = {}
            else:
                self._evaluate_open_session(tx, outcome, close=target == "closed", now=now)
        elif previous == "closed" and target == "cancelled":
            self._cancel_closed_session(tx, outcome, now)
        session["state"] = target
        outcome.event = self._record_event(
            tx,
            outcome.event_id,
            SESSION_EVENT_TYPE,
            profile_id,
            session_id,
            {},
            outcome.effects,
            outcome.ledger_entries,
            self._event_meta(tx, outcome.evaluation),
            now,
        )
        return outcome

    def _session_for_update(
        self, tx: Transaction, session_id: str, requested_profile_id: Optional[str], now: datetime
    ) -> Dict[str, Any]:
        """The session as a changeable copy (created when missing), linked to its profile."""
        session = tx.get("sessions", session_id)
        profile_id = self._session_profile_id(session, requested_profile_id, session_id)
        if session is None:
            session = new_session(session_id, profile_id, self._is_first_session(tx, profile_id), now)
            tx.put("sessions", session_id, session)
        session["profileId"] = profile_id
        self._link_session(tx, profile_id, session_id)
        found: Dict[str, Any] = session
        return found

    def _evaluate_open_session(self, tx: Transaction, outcome: SessionOutcome, close: bool, now: datetime) -> None:
        evaluation = self.rules.evaluate(outcome.session, tx, now)
        outcome.evaluation = evaluation
        outcome.session["discounts"] = dict(evaluation.discounts)
        outcome.effects.extend(evaluation.effects)
        if close:
            self._close_session(tx, outcome, now)

    @staticmethod
    def _session_profile_id(session: Optional[Dict[str, Any]], requested: Optional[str], session_id: str) -> str:
        """The profile a session belongs to after the update; an anonymous session may be linked once."""
        if session is None:
            return requested or ""
        current = session["profileId"]
        if requested is None or requested == current:
            found: str = current
            return found
        if current == "":
            return requested
        raise conflict(f"session {session_id!r} belongs to another customer profile")

    @staticmethod
    def _apply_session_changes(session: Dict[str, Any], changes: SessionChanges) -> None:
        if changes.coupon_codes is not None:
            session["couponCodes"] = list(changes.coupon_codes)
        if changes.referral_code is not None:
            session["referralCode"] = changes.referral_code
        if changes.cart_items is not None:
            session["cartItems"] = [dict(item, position=index) for index, item in enumerate(changes.cart_items)]
        if changes.additional_costs is not None:
            session["additionalCosts"] = {name: dict(cost) for name, cost in changes.additional_costs.items()}
        if changes.identifiers is not None:
            session["identifiers"] = list(changes.identifiers)
        if changes.attributes is not None:
            session["attributes"].update(changes.attributes)
        if changes.client_total is not None:
            session["clientTotal"] = changes.client_total

    def _close_session(self, tx: Transaction, outcome: SessionOutcome, now: datetime) -> None:
        """Redeem the accepted codes, update the customer's statistics and loyalty balance."""
        session, profile, evaluation = outcome.session, outcome.profile, outcome.evaluation
        assert evaluation is not None  # a session is closed after its evaluation
        for code in evaluation.accepted_coupons:
            tx.get("coupons", code)["usageCounter"] += 1
        if evaluation.accepted_referral is not None:
            tx.get("referrals", evaluation.accepted_referral)["usageCounter"] += 1
        paid = money(max(0.0, cart_item_total(session) - evaluation.discount_total))
        session["paidTotal"] = paid
        redeemed = [e for e in evaluation.effects if e["effectType"] in REDEEMED_EFFECT_TYPES]
        if profile is not None:
            profile["closedSessions"] += 1
            profile["totalSales"] = money(profile["totalSales"] + paid)
            points_effect = self._award_points(tx, outcome, paid, now)
            if points_effect is not None:
                outcome.effects.append(points_effect)
                redeemed.append(points_effect)
            referral_effect = self._referral_for_new_advocate(tx, outcome, now)
            if referral_effect is not None:
                outcome.effects.append(referral_effect)
        session["redeemedEffects"] = redeemed

    def _cancel_closed_session(self, tx: Transaction, outcome: SessionOutcome, now: datetime) -> None:
        """Give back what closing redeemed, as rollback effects."""
        session, profile = outcome.session, outcome.profile
        for original in session["redeemedEffects"]:
            kind, props = original["effectType"], original["props"]
            if kind == "acceptCoupon":
                self._decrement_usage(tx, "coupons", props["value"])
                outcome.effects.append(_rollback(original, "rollbackCoupon", {"value": props["value"]}))
            elif kind == "setDiscount":
                rollback_props = {"name": props["name"], "value": props["value"]}
                outcome.effects.append(_rollback(original, "rollbackDiscount", rollback_props))
            elif kind == "acceptReferral":
                self._decrement_usage(tx, "referrals", props["value"])
                outcome.effects.append(_rollback(original, "rollbackReferral", {"value": props["value"]}))
            elif kind == "addLoyaltyPoints" and profile is not None:
                outcome.effects.append(self._take_back_points(tx, outcome, original, now))
        if profile is not None:
            profile["closedSessions"] = max(0, profile["closedSessions"] - 1)
            profile["totalSales"] = money(max(0.0, profile["totalSales"] - session["paidTotal"]))
        session["redeemedEffects"] = []
        session["paidTotal"] = 0.0

    @staticmethod
    def _decrement_usage(tx: Transaction, table: str, code: str) -> None:
        entity = tx.get(table, code)
        if entity is not None:
            entity["usageCounter"] = max(0, entity["usageCounter"] - 1)

    # --- loyalty ------------------------------------------------------------

    def _award_points(
        self, tx: Transaction, outcome: SessionOutcome, paid: float, now: datetime
    ) -> Optional[Dict[str, Any]]:
        program = self.promotions.loyalty
        if program is None:
            return None
        points = whole_points(paid * program.points_per_currency_unit)
        if points <= 0:
            return None
        profile = outcome.profile
        assert profile is not None  # points go to an identified customer
        integration_id = profile["integrationId"]
        expiry = iso(now + timedelta(days=program.points_expire_after_days))
        outcome.ledger_entries.append(
            self._add_ledger_entry(tx, integration_id, points, outcome.event_id, POINTS_REASON, expiry, now)
        )
        memberships = profile["loyaltyMemberships"]
        if not any(m["loyaltyProgramId"] == program.program_id for m in memberships):
            memberships.append({"joined": iso(now), "loyaltyProgramId": program.program_id})
        props = {
            "name": POINTS_REASON,
            "programId": program.program_id,
            "subLedgerId": "",
            "value": points,
            "recipientIntegrationId": integration_id,
            "startDate": iso(now),
            "expiryDate": expiry,
            "transactionUUID": str(uuid.uuid4()),
        }
        return effect(program.campaign_id, 0, POINTS_RULE_NAME, "addLoyaltyPoints", props)

    def _take_back_points(
        self, tx: Transaction, outcome: SessionOutcome, original: Dict[str, Any], now: datetime
    ) -> Dict[str, Any]:
        props = original["props"]
        points = props["value"]
        recipient = props["recipientIntegrationId"]
        outcome.ledger_entries.append(
            self._add_ledger_entry(tx, recipient, -points, outcome.event_id, CANCEL_REASON, props["expiryDate"], now)
        )
        reverse_props = {
            "programId": props["programId"],
            "subLedgerId": props["subLedgerId"],
            "value": points,
            "recipientIntegrationId": recipient,
            "transactionUUID": str(uuid.uuid4()),
        }
        return _rollback(original, "rollbackAddedLoyaltyPoints", reverse_props)

    def _add_ledger_entry(
        self, tx: Transaction, integration_id: str, amount: int, event_id: int, reason: str, expiry: str, now: datetime
    ) -> Dict[str, Any]:
        ledger = tx.get("loyalty", integration_id) or {"points": 0, "entries": []}
        assert self.promotions.loyalty is not None  # ledger entries exist only with a loyalty program
        entry = {
            "id": self.store.next_id("ledger_entry"),
            "created": iso(now),
            "profileId": integration_id,
            "accountId": ACCOUNT_ID,
            "loyaltyProgramId": self.promotions.loyalty.program_id,
            "eventId": event_id,
            "amount": amount,
            "reason": reason,
            "expiryDate": expiry,
        }
        ledger["points"] = max(0, ledger["points"] + amount)
        ledger["entries"].append(entry)
        tx.put("loyalty", integration_id, ledger)
        return entry

    def _loyalty(self, tx: Transaction, integration_id: str) -> Dict[str, Any]:
        ledger = tx.peek("loyalty", integration_id)
        return loyalty_shape(self.promotions.loyalty, ledger["points"] if ledger else 0)

    # --- referrals ----------------------------------------------------------

    def _referral_for_new_advocate(
        self, tx: Transaction, outcome: SessionOutcome, now: datetime
    ) -> Optional[Dict[str, Any]]:
        """Create a code for a customer who has none, when the referral program does that on close."""
        program = self.promotions.referral
        assert outcome.profile is not None  # an advocate is an identified customer
        integration_id = outcome.profile["integrationId"]
        if program is None or not program.create_code_on_close:
            return None
        if tx.peek("advocate_referrals", integration_id):
            return None
        referral = self._new_referral(tx, program, integration_id, now)
        outcome.created_referrals.append(referral)
        props = {"value": referral["code"]}
        return effect(program.campaign_id, 1, REFERRAL_CREATION_RULE_NAME, "referralCreated", props)

    def _new_referral(
        self,
        tx: Transaction,
        program: ReferralProgram,
        advocate: str,
        now: datetime,
        friend: Optional[str] = None,
        start_date: Optional[str] = None,
        expiry_date: Optional[str] = None,
    ) -> Dict[str, Any]:
        code = self._unique_referral_code(tx, program.code_pattern)
        referral: Dict[str, Any] = {
            "id": self.store.next_id("referral"),
            "created": iso(now),
            "campaignId": program.campaign_id,
            "advocateProfileIntegrationId": advocate,
            "code": code,
            "usageCounter": 0,
            "usageLimit": program.usage_limit,
        }
        if friend:
            referral["friendProfileIntegrationId"] = friend
        if start_date is not None:
            referral["startDate"] = start_date
        if expiry_date is not None:
            referral["expiryDate"] = expiry_date
        tx.put("referrals", code, referral)
        codes = tx.get("advocate_referrals", advocate) or []
        codes.append(code)
        tx.put("advocate_referrals", advocate, codes)
        return referral

    def _unique_referral_code(self, tx: Transaction, pattern: str) -> str:
        while True:
            code = "".join(self._random.choice(CODE_ALPHABET) if char == "#" else char for char in pattern)
            if not tx.exists("referrals", code):
                return code

    # --- helpers ------------------------------------------------------------

    def _profile(self, tx: Transaction, integration_id: str, now: datetime, touch: bool = True) -> Dict[str, Any]:
        """The customer profile as a changeable copy, created when missing; ``touch`` records activity."""
        profile = tx.get("profiles", integration_id)
        if profile is None:
            profile = new_profile(integration_id, now)
            tx.put("profiles", integration_id, profile)
        if touch:
            profile["lastActivity"] = iso(now)
        found: Dict[str, Any] = profile
        return found

    @staticmethod
    def _existing_profile(tx: Transaction, integration_id: str) -> Dict[str, Any]:
        profile = tx.peek("profiles", integration_id)
        if profile is None:
            raise not_found(f"customer profile {integration_id!r} not found")
        found: Dict[str, Any] = profile
        return found

    @staticmethod
    def _existing_coupon(tx: Transaction, code: str) -> Dict[str, Any]:
        coupon = tx.peek("coupons", code)
        if coupon is None:
            raise not_found(f"coupon {code!r} not found")
        found: Dict[str, Any] = coupon
        return found

    @staticmethod
    def _check_integration_id(integration_id: str, pointer: str) -> None:
        if not integration_id:
            raise bad_request("an integration ID must not be empty", pointer)

    def _set_audience(self, profile: Dict[str, Any], audience_id: int, member: bool) -> None:
        memberships = [m for m in profile["audienceMemberships"] if m["id"] != audience_id]
        if member:
            memberships.append({"id": audience_id, "name": self.promotions.audience_name(audience_id)})
        profile["audienceMemberships"] = memberships

    @staticmethod
    def _is_first_session(tx: Transaction, profile_id: str) -> bool:
        """Anonymous sessions are always first sessions; otherwise: the profile has no session yet."""
        return not profile_id or not tx.peek("profile_sessions", profile_id)

    @staticmethod
    def _link_session(tx: Transaction, profile_id: str, session_id: str) -> None:
        """Remember that the session belongs to the profile (nothing to do for anonymous sessions)."""
        if not profile_id or session_id in (tx.peek("profile_sessions", profile_id) or []):
            return
        session_ids = tx.get("profile_sessions", profile_id) or []
        session_ids.append(session_id)
        tx.put("profile_sessions", profile_id, session_ids)

    def _reserved_coupons(self, tx: Transaction, integration_id: str) -> List[Dict[str, Any]]:
        return [
            tx.peek("coupons", code)
            for code, holders in tx.items("reservations")
            if integration_id in holders and tx.exists("coupons", code)
        ]

    def _customer_coupons(self, tx: Transaction, integration_id: str) -> List[Dict[str, Any]]:
        """Coupons reserved for the customer or issued to them only."""
        coupons = self._reserved_coupons(tx, integration_id)
        for _, coupon in tx.items("coupons"):
            if coupon.get("recipientIntegrationId") == integration_id and coupon not in coupons:
                coupons.append(coupon)
        return coupons

    def _record_event(
        self,
        tx: Transaction,
        event_id: int,
        event_type: str,
        profile_id: str,
        session_id: Optional[str],
        attributes: Dict[str, Any],
        effects: List[Dict[str, Any]],
        ledger_entries: List[Dict[str, Any]],
        meta: Dict[str, Any],
        now: datetime,
    ) -> Dict[str, Any]:
        event: Dict[str, Any] = {
            "id": event_id,
            "created": iso(now),
            "applicationId": self.application_id,
            "profileId": profile_id,
            "type": event_type,
            "attributes": dict(attributes),
            "effects": effects,
            "ledgerEntries": ledger_entries,
            "meta": meta,
        }
        if session_id is not None:
            event["sessionId"] = session_id
        tx.put("events", event_id, event)
        return event

    def _record_profile_event(self, tx: Transaction, integration_id: str, now: datetime) -> Dict[str, Any]:
        return self._record_event(
            tx, self.store.next_id("event"), PROFILE_EVENT_TYPE, integration_id, None, {}, [], [], {}, now
        )

    @staticmethod
    def _event_meta(tx: Transaction, evaluation: Optional[Evaluation]) -> Dict[str, Any]:
        meta: Dict[str, Any] = {}
        if evaluation is None:
            return meta
        if evaluation.accepted_coupons:
            meta["coupons"] = {code: tx.peek("coupons", code)["attributes"] for code in evaluation.accepted_coupons}
        if evaluation.coupon_rejection is not None:
            meta["couponRejectionReason"] = evaluation.coupon_rejection
        if evaluation.referral_rejection is not None:
            meta["referralRejectionReason"] = evaluation.referral_rejection
        return meta

    @staticmethod
    def _commit_unless_dry(tx: Transaction, query: Dict[str, Any]) -> None:
        if not query.get("dry", False):
            tx.commit()

    def _integration_state_v1(
        self,
        tx: Transaction,
        session: Dict[str, Any],
        profile: Optional[Dict[str, Any]],
        event: Dict[str, Any],
        now: datetime,
    ) -> Dict[str, Any]:
        state = {
            "session": session_v1(session, self.application_id),
            "profile": profile if profile is not None else anonymous_profile(now),
            "event": event,
        }
        if profile is not None:
            state["loyalty"] = self._loyalty(tx, profile["integrationId"])
        return state

    def _integration_state_v2(self, tx: Transaction, outcome: SessionOutcome, content: Set[str]) -> Dict[str, Any]:
        """An IntegrationStateV2 holding the parts named in ``responseContent``."""
        session = outcome.session
        profile = outcome.profile
        referral = tx.peek("referrals", session["referralCode"]) if session["referralCode"] else None
        coupons = [tx.peek("coupons", code) for code in session["couponCodes"] if tx.exists("coupons", code)]
        failures = outcome.evaluation.rule_failures if outcome.evaluation is not None else []

        def wanted(part: str, value: Any) -> Any:
            return value if part in content else None

        return integration_state_v2(
            outcome.effects,
            outcome.created_referrals,
            customerSession=wanted("customerSession", session_v2(session, self.application_id)),
            customerProfile=wanted("customerProfile", profile),
            event=wanted("event", outcome.event),
            loyalty=wanted("loyalty", self._loyalty(tx, profile["integrationId"]) if profile else None),
            referral=wanted("referral", referral),
            coupons=wanted("coupons", coupons),
            triggeredCampaigns=wanted("triggeredCampaigns", self._triggered_campaigns(outcome.effects)),
            ruleFailureReasons=wanted("ruleFailureReasons", failures),
        )

    def _triggered_campaigns(self, effects: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        """Campaigns that produced an effect other than a rejection."""
        ids = [e["campaignId"] for e in effects if not e["effectType"].startswith("reject")]
        return [self.campaigns[campaign_id] for campaign_id in dict.fromkeys(ids) if campaign_id in self.campaigns]

    # --- inspection ---------------------------------------------------------

    def snapshot(self, table: str) -> Dict[Any, Any]:
        """A deep copy of one state table."""
        return self.store.snapshot(table)

    def sessions_v2(self) -> Dict[str, Dict[str, Any]]:
        with self.store.lock:
            return {
                str(session_id): copy_json(session_v2(session, self.application_id))
                for session_id, session in self.store.tables["sessions"].items()
            }
