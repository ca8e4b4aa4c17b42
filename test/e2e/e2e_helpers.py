"""Shared data and small helpers for the end-to-end tests."""

import json
from pathlib import Path

from talon_one import CartItem, IntegrationRequest, NewCustomerSessionV2

SPEC = Path(__file__).resolve().parents[2] / "spec" / "integration-api.json"

# 60.00 + 3 x 5.00 = 75.00: SUMMER10 takes 7.50 off, FIVEOFF 5.00, a referral 5.00.
CART = [
    CartItem(name="Running shoes", sku="SHOE-42", quantity=1, price=60.0),
    CartItem(name="Sport socks", sku="SOCK-3", quantity=3, price=5.0),
]
CART_TOTAL = 75.0

SESSION_CONTENT = ["customerSession", "customerProfile", "coupons", "triggeredCampaigns",
                   "referral", "loyalty", "event", "ruleFailureReasons"]


def session_request(content=SESSION_CONTENT, **session):
    """An IntegrationRequest for update_customer_session_v2; keywords go to NewCustomerSessionV2."""
    return IntegrationRequest(customer_session=NewCustomerSessionV2(**session), response_content=list(content))


def effect_types(state):
    return [effect.effect_type for effect in state.effects]


def effects_of(state, effect_type):
    return [effect for effect in state.effects if effect.effect_type == effect_type]


def points(loyalty, program="1"):
    """The current balance of a loyalty program in a Loyalty model."""
    return loyalty.programs[program].ledger.current_balance


def spec_operation_ids():
    """operationId of every operation in spec/integration-api.json."""
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    return {op["operationId"] for methods in spec["paths"].values() for op in methods.values() if "operationId" in op}


def snake_case(name):
    """updateCustomerSessionV2 -> update_customer_session_v2 (the SDK's method names)."""
    return "".join("_" + c.lower() if c.isupper() else c for c in name)
