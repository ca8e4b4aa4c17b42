"""Tests of the FastAPI checkout (examples/fastapi_checkout.py) against the local fake of Talon.One.

FastAPI's TestClient (httpx) runs the application's lifespan, so the AsyncApiClient is opened
and closed as in production, in the application's event loop; the endpoint gets it by
dependency injection and talks to the ``talon_one_fake`` fixture over HTTP.
"""

import logging
import warnings
from typing import Any, Dict, Iterator, Optional

import pytest

with warnings.catch_warnings():
    # Recent Starlette prefers the httpx2 package for its TestClient and warns when it finds httpx,
    # which older Starlette (the versions Python 3.9 gets) requires.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from talon_one.testing import FakeTalonOne, Fault

from fastapi_checkout import create_app
from shop.checkout import UNAVAILABLE_MESSAGE

CART = [{"sku": "SHOE-42", "name": "Running shoes", "price": 60.0, "quantity": 1},
        {"sku": "SOCK-3", "name": "Sport socks", "price": 5.0, "quantity": 3}]  # 75.00


@pytest.fixture
def client(talon_one_fake: FakeTalonOne) -> Iterator[TestClient]:
    with TestClient(create_app(talon_one_fake.configuration())) as test_client:  # runs the lifespan
        yield test_client


def order(coupon: Optional[str] = None, cart_id: str = "cart-1") -> Dict[str, Any]:
    return {"customer_id": "customer-1", "cart_id": cart_id, "coupon": coupon, "items": CART}


def test_a_valid_coupon_lowers_the_price_and_is_redeemed(client: TestClient, talon_one_fake: FakeTalonOne) -> None:
    response = client.post("/checkout", json=order(coupon="SUMMER10"))

    assert response.status_code == 200
    body = response.json()
    assert body["discounts"] == [{"name": "Summer sale 10%", "amount": 7.5}]
    assert (body["subtotal"], body["total"], body["loyalty_points_earned"]) == (75.0, 67.5, 67)
    assert talon_one_fake.sessions["cart-1"]["state"] == "closed"
    assert talon_one_fake.coupons["SUMMER10"]["usageCounter"] == 1


def test_a_rejected_coupon_is_explained(client: TestClient) -> None:
    body = client.post("/checkout", json=order(coupon="EXPIRED20")).json()

    assert body["messages"] == ["Coupon EXPIRED20 was not applied: this coupon has expired."]
    assert body["total"] == 75.0


def test_when_talon_one_is_unavailable_the_checkout_completes_without_discount(
    client: TestClient, talon_one_fake: FakeTalonOne, caplog: pytest.LogCaptureFixture
) -> None:
    talon_one_fake.inject_faults(Fault.unavailable(), times=2)  # the first attempt and its one retry

    with caplog.at_level(logging.WARNING, logger="shop.checkout"):
        body = client.post("/checkout", json=order(coupon="SUMMER10")).json()

    assert (body["total"], body["promotions"], body["messages"]) == (75.0, "unavailable", [UNAVAILABLE_MESSAGE])
    assert "Talon.One unavailable for cart cart-1" in caplog.text
    assert "cart-1" not in talon_one_fake.sessions  # both attempts were refused: no session opened


def test_bad_input_is_refused_by_the_shop_before_talon_one_is_called(
    client: TestClient, talon_one_fake: FakeTalonOne
) -> None:
    response = client.post("/checkout", json={"customer_id": "c", "cart_id": "k", "items": []})

    assert response.status_code == 422
    assert talon_one_fake.requests == []


def test_successive_checkouts_share_the_one_client(client: TestClient, talon_one_fake: FakeTalonOne) -> None:
    for number in range(5):
        assert client.post("/checkout", json=order(cart_id="cart-%d" % number)).status_code == 200

    assert len(talon_one_fake.requests) == 10  # an update and a close per checkout
    assert {talon_one_fake.sessions["cart-%d" % n]["state"] for n in range(5)} == {"closed"}


def test_the_lifespan_closes_the_client(talon_one_fake: FakeTalonOne) -> None:
    app = create_app(talon_one_fake.configuration())
    with TestClient(app) as test_client:
        test_client.post("/checkout", json=order())
        transport = app.state.talon_one.api_client.transport
        assert not transport.closed
    assert transport.closed
