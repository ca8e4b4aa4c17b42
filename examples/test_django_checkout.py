"""Tests of the Django async checkout view (examples/django_checkout.py) against the local fake.

Django's AsyncClient calls the view in the test's own event loop (a fresh one per test, from
asyncio.run), where the view's AsyncApiClient is made on first use and closed at the end.
"""

import asyncio
import json
from typing import Any, Dict, Iterator, Optional, Tuple

import pytest

from talon_one.testing import FakeTalonOne, Fault

from django_checkout import close_talon_one_clients, configure_django
from shop.checkout import UNAVAILABLE_MESSAGE

configure_django()

from django.test import AsyncClient, override_settings  # noqa: E402  (needs the settings above)

CART = [{"sku": "SHOE-42", "name": "Running shoes", "price": 60.0, "quantity": 1},
        {"sku": "SOCK-3", "name": "Sport socks", "price": 5.0, "quantity": 3}]  # 75.00


@pytest.fixture(autouse=True)
def talon_one_settings(talon_one_fake: FakeTalonOne) -> Iterator[None]:
    with override_settings(TALON_ONE_CONFIGURATION=talon_one_fake.configuration()):
        yield


def post(*bodies: Any) -> Tuple[Tuple[int, Dict[str, Any]], ...]:
    """POST each body to /checkout in one event loop (as a server would); (status, JSON) of each."""

    async def calls() -> Tuple[Tuple[int, Dict[str, Any]], ...]:
        client = AsyncClient()
        try:
            answers = []
            for body in bodies:
                response = await client.post("/checkout", data=json.dumps(body), content_type="application/json")
                answers.append((response.status_code, json.loads(response.content)))
            return tuple(answers)
        finally:
            await close_talon_one_clients()

    return asyncio.run(calls())


def order(coupon: Optional[str] = None, cart_id: str = "cart-1") -> Dict[str, Any]:
    return {"customer_id": "customer-1", "cart_id": cart_id, "coupon": coupon, "items": CART}


def test_a_valid_coupon_lowers_the_price_and_is_redeemed(talon_one_fake: FakeTalonOne) -> None:
    ((status, body),) = post(order(coupon="SUMMER10"))

    assert status == 200
    assert body["discounts"] == [{"name": "Summer sale 10%", "amount": 7.5}]
    assert (body["total"], body["loyalty_points_earned"]) == (67.5, 67)
    assert talon_one_fake.sessions["cart-1"]["state"] == "closed"


def test_when_talon_one_is_unavailable_the_checkout_completes_without_discount(talon_one_fake: FakeTalonOne) -> None:
    talon_one_fake.inject_faults(Fault.unavailable(), times=2)

    ((status, body),) = post(order(coupon="SUMMER10"))

    assert status == 200
    assert (body["total"], body["messages"]) == (75.0, [UNAVAILABLE_MESSAGE])


def test_bad_input_is_a_400_and_talon_one_is_not_called(talon_one_fake: FakeTalonOne) -> None:
    ((status, body),) = post({"customer_id": "c", "cart_id": "k", "items": []})

    assert (status, body) == (400, {"error": "the cart is empty"})
    assert talon_one_fake.requests == []


def test_one_client_per_event_loop_serves_every_request_of_that_loop(talon_one_fake: FakeTalonOne) -> None:
    answers = post(order(cart_id="cart-a"), order(cart_id="cart-b"))
    answers += post(order(cart_id="cart-c"))  # another loop: its own client

    assert [status for status, _ in answers] == [200, 200, 200]
    assert {talon_one_fake.sessions[cart]["state"] for cart in ("cart-a", "cart-b", "cart-c")} == {"closed"}
