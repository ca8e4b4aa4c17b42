"""An example shop checkout that gets its discounts from Talon.One, as a plain WSGI application.

No web framework: ``make_app(api)`` returns a standard WSGI callable (serve it with
``wsgiref``, gunicorn, or mount it in any framework), and ``checkout_view(request, api)`` is
the framework-free view it routes ``POST /checkout`` to. In Flask or Django the view body
would be the same: read the cart, call ``checkout(...)``, return JSON.

What the checkout does with the SDK:

1. ``update_customer_session_v2`` with the cart and the coupon code (the session stays open);
2. applies the ``setDiscount`` effects to the price, and turns a ``rejectCoupon`` effect into
   a message for the customer;
3. takes the payment (a stub here);
4. closes the session (``state="closed"``), which redeems the coupon and earns loyalty points.

When Talon.One cannot be reached or answers with an error, the checkout does not fail:
the customer pays the full price and is told that discounts are unavailable right now.

Request (JSON body of ``POST /checkout``)::

    {"customer_id": "c-1", "cart_id": "cart-1", "coupon": "SUMMER10",
     "items": [{"sku": "SHOE-42", "name": "Running shoes", "price": 60.0, "quantity": 1}]}

Run it against a local fake of the API: ``python examples/shop/checkout.py``.
Its tests, which show how to test such code with the ``talon_one_fake`` pytest fixture,
are in ``examples/test_checkout_view.py``.
"""

import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

import talon_one
from talon_one import (ApiException, CartItem, IntegrationApi, IntegrationRequest, IntegrationStateV2,
                       NewCustomerSessionV2, RetryPolicy)

log = logging.getLogger("shop.checkout")

# The customer is waiting: give Talon.One a few seconds at most, and retry a failure once.
TALON_ONE_TIMEOUT = (2, 5)  # (connect, read) seconds, per attempt
TALON_ONE_RETRIES = RetryPolicy(max_retries=1, backoff_base=0.1, max_total_time=8)

REJECTION_MESSAGES = {
    "CouponNotFound": "this coupon code does not exist",
    "CouponExpired": "this coupon has expired",
    "CouponStartDateInFuture": "this coupon is not valid yet",
    "CouponLimitReached": "this coupon has already been used",
    "CouponRecipientDoesNotMatch": "this coupon belongs to another customer",
}
UNAVAILABLE_MESSAGE = "Discounts are unavailable right now; you paid the full price."


class BadCheckoutRequest(ValueError):
    """The shop's own input check failed; the message is shown to the customer (400)."""


@dataclass
class Request:
    """The little a view needs from an HTTP request (a framework's request object would do)."""

    method: str
    path: str
    body: bytes = b""

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8"))
        except ValueError:
            raise BadCheckoutRequest("the request body is not JSON") from None


@dataclass
class Response:
    status: int
    data: Dict[str, Any]


@dataclass
class CartPromotions:
    """What Talon.One decided for a cart."""

    available: bool = True
    discounts: List[Dict[str, Any]] = field(default_factory=list)  # {"name": ..., "amount": ...}
    messages: List[str] = field(default_factory=list)

    @property
    def total_discount(self) -> float:
        return round(sum(float(d["amount"]) for d in self.discounts), 2)


# --- the checkout ----------------------------------------------------------------------------

def checkout(api: IntegrationApi, customer_id: str, cart_id: str, items: List[Dict[str, Any]],
             coupon: Optional[str] = None) -> Dict[str, Any]:
    """Price the cart with Talon.One's discounts, take the payment, close the session; returns the order."""
    promotions = evaluate_cart(api, customer_id, cart_id, cart_items(items), coupon)
    subtotal, total = prices(items, promotions)
    order_id = take_payment(customer_id, total)
    points = close_session(api, cart_id) if promotions.available else None
    return order_summary(order_id, subtotal, total, promotions, points)


def evaluate_cart(api: IntegrationApi, customer_id: str, cart_id: str, cart: List[CartItem],
                  coupon: Optional[str]) -> CartPromotions:
    """Open (or update) the customer session and read its effects; never raises for an API failure."""
    try:
        state = api.update_customer_session_v2(
            cart_id, session_request(customer_id, cart, coupon),
            _request_timeout=TALON_ONE_TIMEOUT, _retries=TALON_ONE_RETRIES,
        )
    except ApiException as error:
        return unavailable(cart_id, error)
    return promotions_from(state)


def close_session(api: IntegrationApi, cart_id: str) -> Optional[float]:
    """Close the session after payment (redeems the codes); returns the loyalty points earned, if known."""
    try:
        state = api.update_customer_session_v2(
            cart_id, CLOSE_SESSION, _request_timeout=TALON_ONE_TIMEOUT, _retries=TALON_ONE_RETRIES,
        )
    except ApiException as error:
        not_closed(cart_id, error)
        return None
    return points_earned(state)


# --- what the synchronous and the asyncio checkouts share (examples/fastapi_checkout.py) ----------

CLOSE_SESSION = IntegrationRequest(customer_session=NewCustomerSessionV2(state="closed"))


def cart_items(items: List[Dict[str, Any]]) -> List[CartItem]:
    return [CartItem(name=i["name"], sku=i["sku"], quantity=i["quantity"], price=i["price"]) for i in items]


def session_request(customer_id: str, cart: List[CartItem], coupon: Optional[str]) -> IntegrationRequest:
    session = NewCustomerSessionV2(profile_id=customer_id, cart_items=cart, coupon_codes=[coupon] if coupon else [])
    return IntegrationRequest(customer_session=session)


def promotions_from(state: IntegrationStateV2) -> CartPromotions:
    """The discounts and coupon messages in a session's effects."""
    promotions = CartPromotions()
    for effect in state.effects or []:
        props = effect.typed_props
        if effect.effect_type == "setDiscount":
            promotions.discounts.append({"name": props.name, "amount": round(props.value, 2)})
        elif effect.effect_type == "rejectCoupon":
            reason = REJECTION_MESSAGES.get(props.rejection_reason, "this coupon cannot be used")
            promotions.messages.append("Coupon %s was not applied: %s." % (props.value, reason))
    return promotions


def unavailable(cart_id: str, error: ApiException) -> CartPromotions:
    # Unreachable, timed out, 5xx, or refused: sell without discounts rather than not sell.
    log.warning("Talon.One unavailable for cart %s, checking out without discounts: %s",
                cart_id, str(error).replace("\n", "; "))
    return CartPromotions(available=False, messages=[UNAVAILABLE_MESSAGE])


def points_earned(state: IntegrationStateV2) -> float:
    points: float = sum(e.typed_props.value for e in state.effects or [] if e.effect_type == "addLoyaltyPoints")
    return points


def not_closed(cart_id: str, error: ApiException) -> None:
    # The customer has paid: do not fail the order. A real shop would queue the close for later.
    log.error("could not close the Talon.One session of cart %s: %s", cart_id, str(error).replace("\n", "; "))


def prices(items: List[Dict[str, Any]], promotions: CartPromotions) -> Tuple[float, float]:
    """(subtotal, total after the discounts)."""
    subtotal = round(sum(i["price"] * i["quantity"] for i in items), 2)
    return subtotal, round(max(0.0, subtotal - promotions.total_discount), 2)


def order_summary(order_id: str, subtotal: float, total: float, promotions: CartPromotions,
                  points: Optional[float]) -> Dict[str, Any]:
    return {
        "order_id": order_id,
        "subtotal": subtotal,
        "discounts": promotions.discounts,
        "total": total,
        "messages": promotions.messages,
        "promotions": "applied" if promotions.available else "unavailable",
        "loyalty_points_earned": points,
    }


def take_payment(customer_id: str, amount: float) -> str:
    """Stand-in for the payment provider: returns an order ID."""
    return "order-" + uuid.uuid4().hex[:12]


# --- the view and the WSGI application -------------------------------------------------------

def checkout_view(request: Request, api: IntegrationApi) -> Response:
    """POST /checkout: check the input, run the checkout, answer JSON."""
    if request.method != "POST":
        return Response(405, {"error": "use POST"})
    try:
        data = parse_checkout(request.json())
    except BadCheckoutRequest as error:
        return Response(400, {"error": str(error)})
    return Response(200, checkout(api, **data))


def parse_checkout(data: Any) -> Dict[str, Any]:
    """The shop's own checks, so that bad input is a 400 for the customer, not an SDK error."""
    if not isinstance(data, dict):
        raise BadCheckoutRequest("expected a JSON object")
    for name in ("customer_id", "cart_id"):
        if not isinstance(data.get(name), str) or not data[name]:
            raise BadCheckoutRequest("%s is required" % name)
    items = data.get("items")
    if not isinstance(items, list) or not items:
        raise BadCheckoutRequest("the cart is empty")
    for index, item in enumerate(items):
        ok = (isinstance(item, dict) and isinstance(item.get("sku"), str) and item["sku"]
              and isinstance(item.get("name"), str) and item["name"]
              and type(item.get("quantity")) is int and item["quantity"] >= 1
              and isinstance(item.get("price"), (int, float)) and item["price"] >= 0)
        if not ok:
            raise BadCheckoutRequest("item %d needs a sku, a name, a quantity >= 1 and a price >= 0" % index)
    coupon = data.get("coupon") or None
    if coupon is not None and not isinstance(coupon, str):
        raise BadCheckoutRequest("coupon must be a string")
    items = [dict(item, price=float(item["price"])) for item in items]
    return {"customer_id": data["customer_id"], "cart_id": data["cart_id"], "items": items, "coupon": coupon}


# A WSGI application: environ, start_response -> the body's chunks (PEP 3333).
WSGIApp = Callable[[Dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def make_app(api: IntegrationApi) -> WSGIApp:
    """A WSGI application serving POST /checkout with the given talon_one.IntegrationApi."""
    routes = {"/checkout": checkout_view}

    def app(environ: Dict[str, Any], start_response: Callable[..., Any]) -> List[bytes]:
        view = routes.get(environ.get("PATH_INFO", ""))
        if view is None:
            response = Response(404, {"error": "not found"})
        else:
            response = view(Request(environ["REQUEST_METHOD"], environ["PATH_INFO"], read_body(environ)), api)
        payload = json.dumps(response.data).encode("utf-8")
        status = "%d %s" % (response.status, {200: "OK", 400: "Bad Request", 404: "Not Found",
                                               405: "Method Not Allowed"}[response.status])
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
        return [payload]

    return app


def read_body(environ: Dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body: bytes = environ["wsgi.input"].read(length) if length > 0 else b""
    return body


def main() -> None:  # pragma: no cover - a manual demo
    """Serve the shop on http://127.0.0.1:8000 against a local FakeTalonOne."""
    from wsgiref.simple_server import make_server

    from talon_one.testing import FakeTalonOne

    logging.basicConfig(level=logging.INFO)
    with FakeTalonOne() as fake, talon_one.ApiClient(fake.configuration()) as api_client:
        app = make_app(talon_one.IntegrationApi(api_client))
        with make_server("127.0.0.1", 8000, app) as server:
            order = {"customer_id": "c-1", "cart_id": "cart-1", "coupon": "SUMMER10",
                     "items": [{"sku": "S1", "name": "Shoes", "price": 60, "quantity": 1}]}
            print("Shop on http://127.0.0.1:8000 (Talon.One fake at %s). Try:" % fake.base_url)
            print("  curl -s -X POST http://127.0.0.1:8000/checkout -d '%s'" % json.dumps(order))
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                pass


if __name__ == "__main__":
    main()
