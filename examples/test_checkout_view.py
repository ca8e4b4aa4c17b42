"""How to test your own checkout code against a fake Talon.One: the example shop's tests.

The ``talon_one_fake`` fixture comes with the talon_one package (a pytest plugin, enabled
when the package is installed): a local FakeTalonOne on 127.0.0.1, with fresh state for
every test and the demo promotions (SUMMER10: 10 % off, FIVEOFF: 5 off, EXPIRED20: expired,
ONCEONLY: single use; 1 loyalty point per currency unit spent).

The shop (examples/shop/checkout.py) gets a real ``talon_one.IntegrationApi`` pointing at the
fake, so these tests go through the SDK and HTTP exactly as production does. They call the
WSGI application directly (no server needed) and check both what the customer sees and what
Talon.One recorded (``talon_one_fake.sessions``, ``.coupons``, ``loyalty_points(...)``).

Run them with ``python -m pytest examples -q``.
"""

import io
import json
import logging
from typing import Any, Dict, Iterator, List, Optional, Tuple
from wsgiref.util import setup_testing_defaults

import pytest

import talon_one
from talon_one.testing import Fault, FakeTalonOne

from shop import checkout as shop_checkout
from shop.checkout import UNAVAILABLE_MESSAGE, WSGIApp, make_app

CART: List[Dict[str, Any]] = [
    {"sku": "SHOE-42", "name": "Running shoes", "price": 60.0, "quantity": 1},
    {"sku": "SOCK-3", "name": "Sport socks", "price": 5.0, "quantity": 3},
]  # 75.00


class WsgiClient:
    """Calls a WSGI application in-process, like the test clients of Flask or Django."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def post(self, path: str, data: Any) -> Tuple[int, Any]:
        return self.request("POST", path, json.dumps(data).encode("utf-8"))

    def request(self, method: str, path: str, body: bytes = b"") -> Tuple[int, Any]:
        environ: Dict[str, Any] = {"REQUEST_METHOD": method, "PATH_INFO": path, "CONTENT_LENGTH": str(len(body)),
                   "CONTENT_TYPE": "application/json", "wsgi.input": io.BytesIO(body)}
        setup_testing_defaults(environ)
        started: Dict[str, int] = {}

        def start_response(status: str, headers: List[Tuple[str, str]]) -> None:
            started["status"] = int(status.split()[0])

        payload = b"".join(self.app(environ, start_response))
        return started["status"], json.loads(payload)


@pytest.fixture
def api(talon_one_fake: FakeTalonOne) -> Iterator[talon_one.IntegrationApi]:
    """A real IntegrationApi talking to the fake over HTTP."""
    configuration = talon_one.Configuration(host=talon_one_fake.base_url, api_key_v1=talon_one_fake.api_key)
    with talon_one.ApiClient(configuration) as api_client:
        yield talon_one.IntegrationApi(api_client)


@pytest.fixture
def client(api: talon_one.IntegrationApi) -> WsgiClient:
    return WsgiClient(make_app(api))


def order(coupon: Optional[str] = None, customer_id: str = "customer-1", cart_id: str = "cart-1",
          items: List[Dict[str, Any]] = CART) -> Dict[str, Any]:
    return {"customer_id": customer_id, "cart_id": cart_id, "coupon": coupon, "items": items}


def test_a_valid_coupon_lowers_the_price_and_is_redeemed(client: WsgiClient, talon_one_fake: FakeTalonOne) -> None:
    status, body = client.post("/checkout", order(coupon="SUMMER10"))

    assert status == 200
    assert body["subtotal"] == 75.0
    assert body["discounts"] == [{"name": "Summer sale 10%", "amount": 7.5}]
    assert body["total"] == 67.5
    assert body["messages"] == []
    assert body["promotions"] == "applied"
    assert body["loyalty_points_earned"] == 67  # 1 point per unit paid, rounded down
    # What Talon.One recorded: the session is closed, the coupon redeemed, the points booked.
    session = talon_one_fake.sessions["cart-1"]
    assert (session["state"], session["profileId"], session["couponCodes"]) == ("closed", "customer-1", ["SUMMER10"])
    assert talon_one_fake.coupons["SUMMER10"]["usageCounter"] == 1
    assert talon_one_fake.loyalty_points("customer-1") == 67


def test_without_a_coupon_the_full_price_is_paid_and_points_are_earned(
    client: WsgiClient, talon_one_fake: FakeTalonOne
) -> None:
    status, body = client.post("/checkout", order())

    assert status == 200
    assert (body["discounts"], body["total"], body["messages"]) == ([], 75.0, [])
    assert body["loyalty_points_earned"] == 75
    assert talon_one_fake.sessions["cart-1"]["state"] == "closed"


@pytest.mark.parametrize(
    "coupon, message",
    [
        ("EXPIRED20", "Coupon EXPIRED20 was not applied: this coupon has expired."),
        ("NOSUCHCODE", "Coupon NOSUCHCODE was not applied: this coupon code does not exist."),
    ],
)
def test_a_rejected_coupon_is_explained_to_the_customer(
    client: WsgiClient, talon_one_fake: FakeTalonOne, coupon: str, message: str
) -> None:
    status, body = client.post("/checkout", order(coupon=coupon))

    assert status == 200
    assert body["messages"] == [message]
    assert (body["discounts"], body["total"]) == ([], 75.0)
    assert body["promotions"] == "applied"  # Talon.One answered; it just said no
    assert talon_one_fake.sessions["cart-1"]["state"] == "closed"


def test_a_single_use_coupon_works_once(client: WsgiClient) -> None:
    first = client.post("/checkout", order(coupon="ONCEONLY", customer_id="ada", cart_id="cart-a"))
    second = client.post("/checkout", order(coupon="ONCEONLY", customer_id="bob", cart_id="cart-b"))

    assert first[1]["total"] == 63.75  # 15 % off
    assert second[1]["total"] == 75.0
    assert second[1]["messages"] == ["Coupon ONCEONLY was not applied: this coupon has already been used."]


def test_when_talon_one_is_unavailable_the_checkout_completes_without_discount(
    client: WsgiClient, talon_one_fake: FakeTalonOne, caplog: pytest.LogCaptureFixture
) -> None:
    # Every attempt of the session update (the shop retries once) gets a 503.
    talon_one_fake.inject_faults(Fault.unavailable(), times=2)

    with caplog.at_level(logging.WARNING, logger="shop.checkout"):
        status, body = client.post("/checkout", order(coupon="SUMMER10"))

    assert status == 200
    assert body["order_id"].startswith("order-")
    assert (body["discounts"], body["total"]) == ([], 75.0)
    assert body["promotions"] == "unavailable"
    assert body["messages"] == [UNAVAILABLE_MESSAGE]
    assert body["loyalty_points_earned"] is None
    assert "Talon.One unavailable for cart cart-1" in caplog.text
    # Both attempts were made and failed; nothing was evaluated or redeemed.
    assert [r.status for r in talon_one_fake.requests] == [503, 503]
    assert talon_one_fake.sessions == {}
    assert talon_one_fake.coupons["SUMMER10"]["usageCounter"] == 0


def test_a_single_503_is_retried_and_the_discount_still_applies(
    client: WsgiClient, talon_one_fake: FakeTalonOne
) -> None:
    talon_one_fake.inject_faults(503)

    status, body = client.post("/checkout", order(coupon="SUMMER10"))

    assert (status, body["total"], body["promotions"]) == (200, 67.5, "applied")
    assert [r.status for r in talon_one_fake.requests] == [503, 200, 200]  # retry, then the close


def test_a_slow_talon_one_does_not_hold_the_checkout(
    client: WsgiClient, talon_one_fake: FakeTalonOne, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shop_checkout, "TALON_ONE_TIMEOUT", (1, 0.1))  # (connect, read) seconds
    talon_one_fake.inject_faults(Fault.slow(0.5), times=2)  # both attempts answer too late

    status, body = client.post("/checkout", order(coupon="SUMMER10"))

    assert (status, body["total"], body["promotions"]) == (200, 75.0, "unavailable")


@pytest.mark.parametrize(
    "data, error",
    [
        ({"customer_id": "c", "cart_id": "k", "items": []}, "the cart is empty"),
        (order(items=[{"sku": "S", "name": "Shoes", "price": 10, "quantity": 0}]),
         "item 0 needs a sku, a name, a quantity >= 1 and a price >= 0"),
        ({"cart_id": "k", "items": CART}, "customer_id is required"),
    ],
)
def test_bad_input_is_a_400_and_never_reaches_talon_one(
    client: WsgiClient, talon_one_fake: FakeTalonOne, data: Dict[str, Any], error: str
) -> None:
    status, body = client.post("/checkout", data)

    assert (status, body) == (400, {"error": error})
    assert talon_one_fake.requests == []


def test_only_post_checkout_is_served(client: WsgiClient) -> None:
    assert client.request("GET", "/checkout") == (405, {"error": "use POST"})
    assert client.request("POST", "/elsewhere") == (404, {"error": "not found"})
