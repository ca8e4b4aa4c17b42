"""Realistic payloads for the benchmark, as plain JSON values built without the SDK.

`integration_state(scale)` is the answer of updateCustomerSessionV2 for a busy
checkout: at scale 1 about 30 KB of compact JSON with 50 effects of mixed types, 20 cart
items, 5 triggered campaigns, coupons, referrals and loyalty ledgers. Larger
scales repeat the repeated parts (effects, items, campaigns, coupons) to reach
about 1 MB at scale 35. Everything is deterministic.
"""

import json
import os

_EFFECT_PROPS = [
    ("setDiscount", lambda i: {"name": "10%% off shoes #%d" % i, "value": 12.5 + i, "scope": "cartItems"}),
    ("setDiscountPerItem", lambda i: {"name": "Item discount %d" % i, "value": 3.25, "position": i % 20,
                                      "subPosition": 0}),
    ("acceptCoupon", lambda i: {"value": "SUMMER-%04d" % i}),
    ("rejectCoupon", lambda i: {"value": "EXPIRED-%04d" % i, "rejectionReason": "CouponExpired",
                                "conditionIndex": 0, "effectIndex": 1, "details": "Coupon expired on 2024-05-31"}),
    ("addLoyaltyPoints", lambda i: {"name": "Points for order", "programId": 7, "subLedgerId": "",
                                    "value": 42.0, "recipientIntegrationId": "customer-4711",
                                    "startDate": "2024-06-01T00:00:00Z", "expiryDate": "2025-06-01T00:00:00Z",
                                    "transactionUUID": "5f1c7a2e-9b0d-4c3e-8a71-%012d" % i}),
    ("deductLoyaltyPoints", lambda i: {"ruleTitle": "Redeem points", "programId": 7, "subLedgerId": "shoes",
                                       "value": 100.0, "transactionUUID": "8e2d6b1f-3c4a-4f5e-9b82-%012d" % i}),
    ("addFreeItem", lambda i: {"sku": "SOCKS-%03d" % i, "name": "Free socks"}),
    ("showNotification", lambda i: {"notificationType": "info", "title": "You saved!",
                                    "body": "You saved 12.50 EUR on this order (rule %d)." % i}),
    ("updateAttribute", lambda i: {"path": "session.attributes.lastPromo", "value": "promo-%d" % i}),
    ("triggerWebhook", lambda i: {"webhookId": 31, "webhookName": "crm-sync"}),
]


def _cart_item(i):
    return {
        "name": "Running shoe model %d" % i,
        "sku": "SKU-%05d" % (1000 + i),
        "quantity": 1 + i % 3,
        "price": 89.95 + i,
        "category": ["shoes", "apparel", "accessories"][i % 3],
        "weight": 850.0,
        "height": 120.0,
        "width": 110.0,
        "length": 310.0,
        "position": i,
        "attributes": {"color": ["black", "white", "red"][i % 3], "size": 42 + i % 5, "material": "mesh",
                       "brand": "Acme Running", "collection": "Summer 2024", "gtin": "40123456%05d" % i},
    }


def _effect(i):
    effect_type, props = _EFFECT_PROPS[i % len(_EFFECT_PROPS)]
    effect = {
        "campaignId": 100 + i % 5,
        "rulesetId": 2000 + i % 5,
        "ruleIndex": i % 4,
        "ruleName": "Summer sale rule %d: %s for running gear" % (i, effect_type),
        "effectType": effect_type,
        "props": props(i),
    }
    if effect_type in ("acceptCoupon", "rejectCoupon", "setDiscount"):
        effect["triggeredByCoupon"] = 5000 + i
    return effect


def _coupon(i):
    return {
        "id": 5000 + i,
        "created": "2024-05-%02dT08:15:30.123456Z" % (1 + i % 28),
        "campaignId": 100 + i % 5,
        "value": "SUMMER-%04d" % i,
        "usageLimit": 1,
        "discountLimit": 50.0,
        "startDate": "2024-06-01T00:00:00Z",
        "expiryDate": "2024-09-01T00:00:00Z",
        "usageCounter": 0,
        "discountCounter": 0.0,
        "discountRemainder": 50.0,
        "attributes": {"channel": "newsletter"},
        "recipientIntegrationId": "customer-4711",
        "reservation": True,
        "batchId": "batch-%03d" % (i % 7),
    }


def _limit(action, limit, entities):
    return {"action": action, "limit": limit, "entities": entities}


def _campaign(i):
    return {
        "id": 100 + i,
        "created": "2024-01-%02dT09:00:00Z" % (1 + i % 28),
        "applicationId": 12,
        "userId": 3,
        "name": "Summer sale %d" % i,
        "description": ("Discounts on running gear during the summer sale, wave %d: shoes, apparel and "
                        "accessories, for members and newsletter subscribers in the EU shops." % i),
        "startTime": "2024-06-01T00:00:00Z",
        "endTime": "2024-08-31T23:59:59Z",
        "attributes": {"region": "EU", "priority": i},
        "state": "enabled",
        "activeRulesetId": 2000 + i,
        "tags": ["summer", "shoes"],
        "features": ["coupons", "loyalty"],
        "couponSettings": {"validCharacters": list("ABCDEFGHJKLMNPQRSTUVWXYZ23456789"),
                           "couponPattern": "SUMMER-####"},
        "referralSettings": {"validCharacters": list("ABCDEFGHJKLMNPQRSTUVWXYZ"), "couponPattern": "FRIEND-####"},
        "limits": [_limit("redeemCoupon", 1000, ["Coupon"]), _limit("setDiscount", 25000.0, ["Profile"])],
        "campaignGroups": [1, 4],
        "couponRedemptionCount": 812 + i,
        "referralRedemptionCount": 0,
        "discountCount": 10234.5,
        "discountEffectCount": 1543,
        "couponCreationCount": 0,
        "referralCreationCount": 0,
        "createdLoyaltyPointsCount": 5400.0,
        "createdLoyaltyPointsEffectCount": 120,
        "redeemedLoyaltyPointsCount": 1200.0,
        "redeemedLoyaltyPointsEffectCount": 12,
        "lastActivity": "2024-06-15T18:22:11.5Z",
        "updated": "2024-06-10T07:00:00Z",
        "createdBy": "marketing@example.com",
        "updatedBy": "campaign-manager@example.com",
    }


def _balance(current):
    return {"currentBalance": current, "pendingBalance": 20.0, "expiredBalance": 0.0,
            "spentBalance": 100.0, "tentativeCurrentBalance": current + 42.0}


def _ledger_entry(i):
    return {"id": 900 + i, "created": "2024-06-15T18:22:%02dZ" % (i % 60), "profileId": "customer-4711",
            "accountId": 1, "loyaltyProgramId": 7, "eventId": 77001, "amount": 42 - i,
            "reason": "Order points", "expiryDate": "2025-06-15T18:22:11Z"}


def integration_state(scale=1):
    """The parsed JSON of a realistic IntegrationStateV2 (about 30 KB at scale 1)."""
    n_items = 20 * scale
    return {
        "customerSession": {
            "integrationId": "session-2024-06-15-4711",
            "created": "2024-06-15T18:20:01.204Z",
            "applicationId": 12,
            "profileId": "customer-4711",
            "couponCodes": ["SUMMER-0002", "EXPIRED-0003"],
            "referralCode": "FRIEND-ABCD",
            "state": "open",
            "cartItems": [_cart_item(i) for i in range(n_items)],
            "additionalCosts": {"shipping": {"price": 4.95}, "giftWrap": {"price": 2.5}},
            "identifiers": ["device-8f3a", "ip-203.0.113.7"],
            "attributes": {"ShippingCity": "Berlin", "PaymentMethod": "card", "lastPromo": "promo-3"},
            "firstSession": False,
            "total": 2345.6,
            "cartItemTotal": 2338.15,
            "additionalCostTotal": 7.45,
        },
        "customerProfile": {
            "integrationId": "customer-4711",
            "created": "2023-02-11T10:00:00Z",
            "attributes": {"Name": "Ada Example", "Email": "ada@example.com", "BirthDate": "1990-04-01",
                           "Segment": "gold"},
            "accountId": 1,
            "closedSessions": 17,
            "totalSales": 1805.4,
            "loyaltyMemberships": [{"joined": "2023-02-11T10:00:00Z", "loyaltyProgramId": 7}],
            "audienceMemberships": [{"id": 3, "name": "Runners"}, {"id": 9, "name": "Newsletter"}],
            "lastActivity": "2024-06-15T18:20:01Z",
        },
        "event": {
            "id": 77001,
            "created": "2024-06-15T18:22:11.5Z",
            "applicationId": 12,
            "profileId": "customer-4711",
            "type": "talon_session_updated",
            "attributes": {},
            "sessionId": "session-2024-06-15-4711",
            "effects": [],
            "ledgerEntries": [_ledger_entry(i) for i in range(3 * scale)],
            "meta": {
                "campaigns": {"100": {"region": "EU"}},
                "coupons": {"SUMMER-0002": {"channel": "newsletter"}},
                "couponRejectionReason": {"campaignId": 101, "couponId": 5003, "reason": "CouponExpired"},
                "warnings": {},
            },
        },
        "loyalty": {
            "programs": {
                "7": {"id": 7, "title": "Sneaker Club", "name": "sneaker_club", "ledger": _balance(1230.0),
                      "subLedgers": {"shoes": _balance(300.0), "apparel": _balance(55.0)}},
                "8": {"id": 8, "title": "Partner points", "name": "partner", "ledger": _balance(80.0)},
            },
        },
        "referral": {
            "id": 321, "created": "2024-04-01T12:00:00Z", "campaignId": 104,
            "advocateProfileIntegrationId": "customer-0042", "friendProfileIntegrationId": "customer-4711",
            "startDate": "2024-04-01T00:00:00Z", "expiryDate": "2024-12-31T23:59:59Z",
            "code": "FRIEND-ABCD", "usageCounter": 1, "usageLimit": 5,
        },
        "coupons": [_coupon(i) for i in range(3 * scale)],
        "triggeredCampaigns": [_campaign(i) for i in range(5 * scale)],
        "effects": [_effect(i) for i in range(50 * scale)],
        "ruleFailureReasons": [
            {"campaignID": 102, "campaignName": "Summer sale 2", "rulesetID": 2002, "couponID": 5003,
             "couponValue": "EXPIRED-0003", "ruleIndex": 1, "ruleName": "Coupon rule",
             "conditionIndex": 0, "details": "Coupon expired"},
        ],
        "createdCoupons": [_coupon(100 + i) for i in range(2 * scale)],
        "createdReferrals": [],
    }


def session_request(n_items=20):
    """The parsed JSON of an IntegrationRequest with `n_items` cart items."""
    return {
        "customerSession": {
            "profileId": "customer-4711",
            "couponCodes": ["SUMMER-0002"],
            "referralCode": "FRIEND-ABCD",
            "state": "open",
            "cartItems": [_cart_item(i) for i in range(n_items)],
            "additionalCosts": {"shipping": {"price": 4.95}},
            "identifiers": ["device-8f3a"],
            "attributes": {"ShippingCity": "Berlin", "PaymentMethod": "card"},
        },
        "responseContent": ["customerSession", "customerProfile", "triggeredCampaigns", "loyalty", "event",
                            "coupons", "referral", "ruleFailureReasons"],
    }


def encoded_size(value):
    return len(json.dumps(value, separators=(",", ":")).encode("utf-8"))


# --------------------------------------------------------------------------
# Fields the spec does not know (a service newer than the SDK)
# --------------------------------------------------------------------------

_SPEC_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "spec", "integration-api.json")


def with_unknown_fields(state, n_fields=3):
    """`state` (an IntegrationStateV2 as JSON) with `n_fields` keys the spec does not know added to every
    object of a schema (effect props included, by their effectType), as a newer service sends them.

    Read from spec/integration-api.json: free-form values (attributes) and maps are left as they are.
    """
    with open(_SPEC_PATH, encoding="utf-8") as handle:
        spec = json.load(handle)
    schemas = spec["components"]["schemas"]
    effect_types = spec.get("x-effect-types", {})
    unknown = [("newField%d" % index, ["flag", 17, {"since": "2025-01"}][index % 3]) for index in range(n_fields)]

    def resolve(schema):
        while "$ref" in schema or "allOf" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[-1]] if "$ref" in schema else schema["allOf"][0]
        return schema

    def add(value, schema):
        schema = resolve(schema)
        if isinstance(value, dict) and "properties" in schema:
            out = {}
            for key, item in value.items():
                item_schema = schema["properties"].get(key, {})
                if key == "props" and value.get("effectType") in effect_types:
                    item_schema = {"$ref": "#/components/schemas/" + effect_types[value["effectType"]]}
                out[key] = add(item, item_schema)
            out.update(unknown)
            return out
        if isinstance(value, dict) and isinstance(schema.get("additionalProperties"), dict):
            return {key: add(item, schema["additionalProperties"]) for key, item in value.items()}
        if isinstance(value, list) and "items" in schema:
            return [add(item, schema["items"]) for item in value]
        return value

    return add(state, {"$ref": "#/components/schemas/IntegrationStateV2"})
