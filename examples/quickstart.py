"""Quickstart: a whole checkout flow through the talon_one SDK.

What it shows, step by step, using only the public SDK (talon_one.Configuration,
ApiClient, IntegrationApi and the models):

  1. create or update a customer profile (v2), with an audience;
  2. get a referral code for an advocate who referred this customer;
  3. open a customer session (v2) with cart items and a coupon, and read the effects;
  4. apply the referral code to the session;
  5. close the session: the discounts are redeemed and loyalty points earned;
  6. read the loyalty balance;
  7. reserve a coupon for the customer, list it both ways;
  8. read the customer inventory;
  9. track a custom event;
 10. delete the customer's personal data;
 11. see what bad requests look like (caught before sending, and answered by the service).

With no configuration it starts talon_one.testing.FakeTalonOne, a local fake of the
Integration API on 127.0.0.1, so it needs no account. With TALON_ONE_BASE_URL and
TALON_ONE_API_KEY set it runs the same flow against that deployment (it then needs a
coupon called COUPON and a referral campaign REFERRAL_CAMPAIGN_ID there; see below).

    python examples/quickstart.py
"""

import os
import sys
import uuid
from typing import Any, Callable, Iterable, List, Optional, Sequence, Tuple

import talon_one
from talon_one import (
    ApiConnectionError,
    ApiException,
    ApiValueError,
    CartItem,
    Configuration,
    CouponReservations,
    CustomerProfileIntegrationRequestV2,
    Effect,
    IntegrationApi,
    IntegrationRequest,
    IntegrationStateV2,
    LoyaltyProgramLedgers,
    NewCustomerSessionV2,
    NewEvent,
    NewReferral,
    ProfileAudiencesChanges,
    UnauthorizedException,
)

# The promotions the flow uses. FakeTalonOne has these by default; against your own
# deployment, change them to a coupon code, a second coupon to reserve, a referral
# campaign and an audience of yours.
COUPON = "SUMMER10"
RESERVED_COUPON = "FIVEOFF"
REFERRAL_CAMPAIGN_ID = 2
AUDIENCE_ID = 1

CART = [
    CartItem(name="Running shoes", sku="SHOE-42", quantity=1, price=60.0),
    CartItem(name="Sport socks", sku="SOCK-3", quantity=3, price=5.0),
]

# Everything a session update should send back besides the effects.
SESSION_CONTENT = ["customerSession", "triggeredCampaigns"]


# --- output ----------------------------------------------------------------------------------

def heading(number: int, title: str) -> None:
    print()
    print("%d. %s" % (number, title))


def say(text: str) -> None:
    print("   " + text)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], right: Sequence[int] = ()) -> None:
    """Print rows as an aligned plain-text table under the step; columns in `right` are right-aligned."""
    rows = list(rows)
    if not rows:
        say("(none)")
        return
    cells = [[str(cell) for cell in row] for row in [tuple(headers)] + rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        padded = [cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))]
        say("  ".join(padded).rstrip())


def money(amount: Optional[float]) -> str:
    return "%.2f" % (amount or 0)


def balance(program: LoyaltyProgramLedgers) -> float:
    """The current points balance of a loyalty program (0 when the answer has none)."""
    return (program.ledger.current_balance if program.ledger else None) or 0.0


# --- effects ---------------------------------------------------------------------------------

def explain(effect: Effect) -> str:
    """What one effect means for the shop, in a few words (props decoded by effect.typed_props)."""
    props = effect.typed_props
    kind = effect.effect_type
    if kind == "acceptCoupon":
        return "coupon %s accepted" % props.value
    if kind == "rejectCoupon":
        return "coupon %s rejected: %s" % (props.value, props.rejection_reason)
    if kind == "setDiscount":
        return "%s: -%s" % (props.name, money(props.value))
    if kind == "acceptReferral":
        return "referral code %s accepted" % props.value
    if kind == "rejectReferral":
        return "referral code %s rejected: %s" % (props.value, props.rejection_reason)
    if kind == "addLoyaltyPoints":
        return "+%g loyalty points (%s)" % (props.value, props.name)
    if kind == "referralCreated":
        return "new referral code %s for this customer" % props.value
    return str(effect.props)


def show_effects(state: IntegrationStateV2) -> None:
    """The effects of an IntegrationStateV2 as a table, then the cart's totals."""
    campaigns = {campaign.id: campaign.name for campaign in state.triggered_campaigns or []}
    campaigns[0] = "-"  # an effect of no campaign, such as the rejection of an unknown coupon
    effects = state.effects or []
    rows = [
        (effect.effect_type, campaigns.get(effect.campaign_id, "#%s" % effect.campaign_id), explain(effect))
        for effect in effects
    ]
    table(("Effect", "Campaign", "Meaning"), rows)
    discounts: float = sum(e.typed_props.value for e in effects if e.effect_type == "setDiscount")
    subtotal = state.customer_session.cart_item_total if state.customer_session else 0.0
    shown = "-" + money(discounts) if discounts else money(0)
    say("Cart %s, discounts %s, to pay %s" % (money(subtotal), shown, money((subtotal or 0.0) - discounts)))


# --- the flow --------------------------------------------------------------------------------

class Checkout:
    """The quickstart's steps; each one makes one or two calls and prints what came back."""

    def __init__(self, api: IntegrationApi, run_id: str) -> None:
        self.api = api
        self.customer = "qs-grace-" + run_id
        self.advocate = "qs-ada-" + run_id
        self.session = "qs-session-" + run_id
        self.referral_code: Optional[str] = None

    def update_profile(self) -> None:
        body = CustomerProfileIntegrationRequestV2(
            attributes={"Name": "Grace"},
            audiences_changes=ProfileAudiencesChanges(adds=[AUDIENCE_ID], deletes=[]),
            response_content=["customerProfile"],
        )
        profile = self.api.update_customer_profile_v2(self.customer, body).customer_profile
        assert profile is not None  # asked for with response_content
        audiences = ", ".join(a.name or "" for a in profile.audience_memberships or []) or "none"
        say("%s: attributes %s, audiences: %s" % (profile.integration_id, profile.attributes, audiences))

    def create_referral(self) -> None:
        body = NewReferral(campaign_id=REFERRAL_CAMPAIGN_ID, advocate_profile_integration_id=self.advocate)
        referral = self.api.create_referral(body)
        self.referral_code = referral.code
        say("%s refers friends with code %s (usable %s time(s))"
            % (referral.advocate_profile_integration_id, referral.code, referral.usage_limit))

    def open_session(self) -> None:
        session = NewCustomerSessionV2(profile_id=self.customer, coupon_codes=[COUPON], cart_items=CART)
        state = self.api.update_customer_session_v2(
            self.session, IntegrationRequest(customer_session=session, response_content=SESSION_CONTENT)
        )
        table(("Item", "Qty", "Price"), [(i.name, i.quantity, money(i.price)) for i in CART], right=(1, 2))
        show_effects(state)

    def apply_referral(self) -> None:
        if self.referral_code is None:
            say("skipped: no referral code (step 2 failed)")
            return
        session = NewCustomerSessionV2(referral_code=self.referral_code)
        state = self.api.update_customer_session_v2(
            self.session, IntegrationRequest(customer_session=session, response_content=SESSION_CONTENT)
        )
        show_effects(state)

    def close_session(self) -> None:
        session = NewCustomerSessionV2(state="closed")
        state = self.api.update_customer_session_v2(
            self.session, IntegrationRequest(customer_session=session, response_content=SESSION_CONTENT)
        )
        show_effects(state)
        say("Session %s is now %s" % (self.session, state.customer_session and state.customer_session.state))

    def show_loyalty(self) -> None:
        inventory = self.api.get_customer_inventory(self.customer, loyalty=True)
        programs = (inventory.loyalty.programs if inventory.loyalty else None) or {}
        rows = [(p.title, "%g points" % balance(p)) for p in programs.values()]
        table(("Program", "Balance"), rows)

    def reserve_coupon(self) -> None:
        self.api.create_coupon_reservation(RESERVED_COUPON, CouponReservations(integration_ids=[self.customer]))
        coupons = self.api.get_reserved_coupons(self.customer)
        say("Coupons reserved for %s (get_reserved_coupons):" % self.customer)
        rows = [(c.value, c.usage_counter, c.usage_limit or "none") for c in coupons.data or []]
        table(("Code", "Used", "Limit"), rows, right=(1, 2))
        customers = self.api.get_reserved_customers(RESERVED_COUPON)
        names = ", ".join(p.integration_id or "" for p in customers.data or [])
        say("Customers holding %s (get_reserved_customers): %s" % (RESERVED_COUPON, names))

    def show_inventory(self) -> None:
        inventory = self.api.get_customer_inventory(
            self.customer, profile=True, referrals=True, coupons=True, loyalty=True
        )
        profile = inventory.profile
        assert profile is not None  # asked for with profile=True
        programs = (inventory.loyalty.programs if inventory.loyalty else None) or {}
        balances = ["%g points" % balance(p) for p in programs.values()]
        table(("Part", "Content"), [
            ("profile", "%s closed session(s), total sales %s" % (profile.closed_sessions, money(profile.total_sales))),
            ("referrals", ", ".join(r.code or "" for r in inventory.referrals or []) or "none"),
            ("coupons", ", ".join(c.value or "" for c in inventory.coupons or []) or "none"),
            ("loyalty", ", ".join(balances) or "none"),
        ])

    def track_event(self) -> None:
        event = NewEvent(profile_id=self.customer, type="viewed_newsletter", attributes={},
                         session_id=self.session + "-browse")
        state = self.api.track_event(event)
        event_state = state.event
        assert event_state is not None  # track_event answers with the event
        say("Event #%s %r recorded for %s" % (event_state.id, event_state.type, event_state.profile_id))

    def delete_data(self) -> None:
        deleted = [self.customer] + ([self.advocate] if self.referral_code else [])
        for integration_id in deleted:
            self.api.delete_customer_data(integration_id)
        say("Deleted the personal data of %s" % " and ".join(deleted))
        try:
            self.api.get_customer_inventory(self.customer, profile=True)
        except ApiException as error:
            say("get_customer_inventory now answers %s: %s" % (error.status, error.message))

    def show_errors(self) -> None:
        rows: List[Tuple[str, str, Any]] = []
        try:
            CartItem(name="Running shoes", sku="SHOE-42", quantity=0, price=60.0)
        except ApiValueError as error:
            rows.append(("before sending", type(error).__name__, error))
        try:
            self.api.get_reserved_customers("NO-SUCH-COUPON")
        except ApiException as error:
            rows.append(("by the service", "%s (%s)" % (type(error).__name__, error.status), error.message))
        table(("Caught", "Exception", "Message"), rows)

    def steps(self) -> List[Tuple[str, Callable[[], None]]]:
        return [
            ("Create or update the customer profile (update_customer_profile_v2)", self.update_profile),
            ("An advocate's referral code (create_referral)", self.create_referral),
            ("Open a session with a cart and coupon %s (update_customer_session_v2)" % COUPON, self.open_session),
            ("Apply the advocate's referral code (update_customer_session_v2)", self.apply_referral),
            ("Close the session (state=closed): codes redeemed, points earned", self.close_session),
            ("Loyalty points (get_customer_inventory, loyalty=True)", self.show_loyalty),
            ("Reserve coupon %s for the customer (create_coupon_reservation)" % RESERVED_COUPON, self.reserve_coupon),
            ("Customer inventory (get_customer_inventory)", self.show_inventory),
            ("Track an event (track_event)", self.track_event),
            ("Delete the customer's personal data (delete_customer_data)", self.delete_data),
            ("Bad requests give clear errors", self.show_errors),
        ]


def run(configuration: Configuration, run_id: str) -> int:
    """Run every step; a step the service refuses is reported and the flow goes on. Returns the failures."""
    failures = 0
    with talon_one.ApiClient(configuration) as api_client:
        checkout = Checkout(talon_one.IntegrationApi(api_client), run_id)
        for number, (title, step) in enumerate(checkout.steps(), start=1):
            heading(number, title)
            try:
                step()
            except (ApiConnectionError, UnauthorizedException):
                raise  # nothing else can work either
            except ApiException as error:
                failures += 1
                say("FAILED: %s %s" % (error.status, error.message or error.reason))
    return failures


def main() -> int:
    print("talon_one quickstart: a checkout flow through the Talon.One Integration API")
    try:
        if os.environ.get("TALON_ONE_BASE_URL") or os.environ.get("TALONONE_ENDPOINT"):
            failures = run_against_deployment()
        else:
            failures = run_against_fake()
    except (ApiConnectionError, UnauthorizedException, ApiValueError) as error:
        print()
        print("Stopped: %s" % str(error).replace("\n", "; "))
        return 1
    print()
    print("Done: every step worked." if not failures else "Done, with %d failed step(s)." % failures)
    return 1 if failures else 0


def run_against_fake() -> int:
    from talon_one.testing import FakeTalonOne

    with FakeTalonOne() as fake:
        print("Using a local fake of the API at %s" % fake.base_url)
        print("(set TALON_ONE_BASE_URL and TALON_ONE_API_KEY to use your deployment instead)")
        configuration = talon_one.Configuration(host=fake.base_url, api_key_v1=fake.api_key)
        return run(configuration, run_id="demo")


def run_against_deployment() -> int:
    configuration = talon_one.Configuration.from_env()
    if not configuration.api_key_v1:
        raise ApiValueError("TALON_ONE_BASE_URL is set but TALON_ONE_API_KEY is not: the session "
                            "operations need an API key")
    print("Using %s (API key from TALON_ONE_API_KEY)" % configuration.host)
    # Unique IDs, so that repeated runs do not meet each other's customers and sessions.
    return run(configuration, run_id=uuid.uuid4().hex[:8])


if __name__ == "__main__":
    sys.exit(main())
