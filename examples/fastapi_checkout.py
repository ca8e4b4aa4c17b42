"""The example shop's checkout as a FastAPI endpoint, on the asyncio client (talon_one.aio).

One AsyncApiClient for the application, opened and closed by the lifespan (so it lives in
the server's event loop), handed to the endpoint by dependency injection. The checkout is
the shop's, with each Talon.One call awaited (examples/shop/async_checkout.py): while one
customer's session update is on the wire, the same worker serves other requests.

    uvicorn fastapi_checkout:app     # with TALON_ONE_BASE_URL and TALON_ONE_API_KEY set

Its tests, against the in-memory fake, are in examples/test_fastapi_checkout.py.
"""

from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Dict, List, Optional

from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel, Field

from talon_one import Configuration
from talon_one.aio import AsyncApiClient, AsyncIntegrationApi

from shop.async_checkout import checkout


class Item(BaseModel):
    sku: str = Field(min_length=1)
    name: str = Field(min_length=1)
    price: float = Field(ge=0)
    quantity: int = Field(ge=1)


class CheckoutRequest(BaseModel):
    customer_id: str = Field(min_length=1)
    cart_id: str = Field(min_length=1)
    items: List[Item] = Field(min_length=1)
    coupon: Optional[str] = None


def create_app(configuration: Optional[Configuration] = None) -> FastAPI:
    """The application; `configuration` defaults to the environment's (TALON_ONE_BASE_URL, TALON_ONE_API_KEY)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncApiClient(configuration or Configuration()) as client:
            app.state.talon_one = AsyncIntegrationApi(client)
            yield

    app = FastAPI(lifespan=lifespan)
    app.post("/checkout")(checkout_endpoint)
    return app


def talon_one_api(request: Request) -> AsyncIntegrationApi:
    """The dependency: the application's AsyncIntegrationApi (override it in tests if you like)."""
    api: AsyncIntegrationApi = request.app.state.talon_one
    return api


async def checkout_endpoint(order: CheckoutRequest,
                            api: AsyncIntegrationApi = Depends(talon_one_api)) -> Dict[str, Any]:
    """POST /checkout: price the cart with Talon.One, take the payment, close the session."""
    if order.coupon is not None and not order.coupon.strip():
        raise HTTPException(400, "coupon must not be blank")
    items = [item.model_dump() for item in order.items]
    return await checkout(api, order.customer_id, order.cart_id, items, order.coupon)
