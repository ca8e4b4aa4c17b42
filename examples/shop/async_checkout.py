"""The shop's checkout with each Talon.One call awaited: examples/shop/checkout.py on talon_one.aio.

Used by the FastAPI endpoint (examples/fastapi_checkout.py) and the Django async view
(examples/django_checkout.py); the steps around the calls are the synchronous checkout's.
"""

from typing import Any, Dict, List, Optional

from talon_one import ApiException
from talon_one.aio import AsyncIntegrationApi

from shop.checkout import (CLOSE_SESSION, TALON_ONE_RETRIES, TALON_ONE_TIMEOUT, CartPromotions, cart_items,
                           not_closed, order_summary, points_earned, prices, promotions_from, session_request,
                           take_payment, unavailable)


async def checkout(api: AsyncIntegrationApi, customer_id: str, cart_id: str, items: List[Dict[str, Any]],
                   coupon: Optional[str] = None) -> Dict[str, Any]:
    """Price the cart with Talon.One's discounts, take the payment, close the session; returns the order."""
    promotions = await evaluate_cart(api, customer_id, cart_id, items, coupon)
    subtotal, total = prices(items, promotions)
    order_id = take_payment(customer_id, total)
    points = await close_session(api, cart_id) if promotions.available else None
    return order_summary(order_id, subtotal, total, promotions, points)


async def evaluate_cart(api: AsyncIntegrationApi, customer_id: str, cart_id: str, items: List[Dict[str, Any]],
                        coupon: Optional[str]) -> CartPromotions:
    """Open (or update) the customer session and read its effects; never raises for an API failure."""
    try:
        state = await api.update_customer_session_v2(
            cart_id, session_request(customer_id, cart_items(items), coupon),
            _request_timeout=TALON_ONE_TIMEOUT, _retries=TALON_ONE_RETRIES,
        )
    except ApiException as error:
        return unavailable(cart_id, error)
    return promotions_from(state)


async def close_session(api: AsyncIntegrationApi, cart_id: str) -> Optional[float]:
    """Close the session after payment; the loyalty points earned, or None when it could not be closed."""
    try:
        state = await api.update_customer_session_v2(
            cart_id, CLOSE_SESSION, _request_timeout=TALON_ONE_TIMEOUT, _retries=TALON_ONE_RETRIES,
        )
    except ApiException as error:
        not_closed(cart_id, error)
        return None
    return points_earned(state)
