"""Realistic JSON examples built from spec/integration-api.json alone (not from the models).

`example(name)` is a dict with every property of schema `name` set to a value
that satisfies its constraints, chosen by JSON name where a realistic value is
known. Effects get props matching their effectType (the spec's x-effect-types),
and a list of effects holds one effect of every type. Timestamps are written
the way Python writes them back (isoformat with +00:00), so a decode/encode
round trip gives the same JSON.
"""

import copy
import json
import os

SPEC_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "spec", "integration-api.json")

with open(SPEC_PATH, encoding="utf-8") as _handle:
    SPEC = json.load(_handle)

SCHEMAS = SPEC["components"]["schemas"]
EFFECT_TYPES = SPEC.get("x-effect-types", {})

_BY_NAME = {
    "integrationId": "customer-4711",
    "profileId": "customer-4711",
    "profileIntegrationId": "customer-4711",
    "recipientIntegrationId": "customer-4711",
    "advocateProfileIntegrationId": "customer-0042",
    "friendProfileIntegrationId": "customer-4711",
    "sessionId": "session-2024-06-15-4711",
    "couponValue": "SUMMER-0002",
    "referralValue": "FRIEND-ABCD",
    "code": "FRIEND-ABCD",
    "referralCode": "FRIEND-ABCD",
    "coupon": "SUMMER-0002",
    "referral": "FRIEND-ABCD",
    "sku": "SKU-01001",
    "name": "Summer sale",
    "title": "Sneaker Club",
    "description": "Discounts on running gear during the summer sale.",
    "ruleName": "10% off shoes",
    "ruleTitle": "Redeem points",
    "campaignName": "Summer sale",
    "category": "shoes",
    "reason": "Order points",
    "message": "Invalid request",
    "details": "Coupon expired on 2024-05-31",
    "transactionUUID": "5f1c7a2e-9b0d-4c3e-8a71-000000000001",
    "subLedgerId": "shoes",
    "batchId": "batch-007",
    "couponPattern": "SUMMER-####",
    "webhookName": "crm-sync",
    "notificationType": "info",
    "body": "You saved 12.50 EUR on this order.",
    "path": "session.attributes.lastPromo",
    "scope": "cartItems",
    "rejectionReason": "CouponExpired",
    "action": "redeemCoupon",
    "type": "talon_session_updated",
    "createdBy": "marketing@example.com",
    "updatedBy": "marketing@example.com",
    "pointer": "/customerSession/cartItems/0/quantity",
    "parameter": "dry",
    "line": "N/A",
    "resource": "customer_sessions/session-1",
    "attributes": {"ShippingCity": "Berlin", "Segment": "gold"},
    "validCharacters": ["A", "B", "C", "D", "E", "F", "2", "3", "4"],
    "integrationIDs": ["customer-4711", "customer-0815"],
    "couponCodes": ["SUMMER-0002", "EXPIRED-0003"],
    "identifiers": ["device-8f3a", "ip-203.0.113.7"],
    "tags": ["summer", "shoes"],
    "bundleAttributes": ["color", "size"],
    "quantity": 2,
    "price": 89.5,
    "total": 183.95,
}

_BY_SCHEMA_AND_NAME = {
    ("Effect", "props"): None,  # filled from effectType
    # `type: object` in the spec: building refuses anything but an object (dict) there.
    ("UpdateAttributeEffectProps", "value"): {"lastPromo": "promo-3"},
    ("AcceptCouponEffectProps", "value"): "SUMMER-0002",
    ("RejectCouponEffectProps", "value"): "EXPIRED-0003",
    ("AddFreeItemEffectProps", "name"): "Free socks",
    ("CustomerProfileAudienceRequestItem", "action"): "add",
    ("Coupon", "value"): "SUMMER-0002",
    ("LimitConfig", "action"): "redeemCoupon",
    ("Event", "effects"): [{"effectType": "setDiscount", "props": {"name": "10% off", "value": 5.0}}],
}


def _resolve(prop):
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[1]
    if "allOf" in prop:
        return _resolve(prop["allOf"][0])
    return None


def _string(name, prop):
    if "enum" in prop:
        return prop["enum"][0]
    if prop.get("format") == "date-time":
        return "2024-06-15T18:22:11+00:00"
    value = "example-%s" % name
    if "maxLength" in prop:
        value = value[:prop["maxLength"]]
    if "minLength" in prop and len(value) < prop["minLength"]:
        value = value.ljust(prop["minLength"], "x")
    return value


def _number(prop, integer):
    low = prop.get("minimum", 1)
    high = prop.get("maximum", low + 100)
    value = min(max(low, 7 if integer else 12.5), high)
    return int(value) if integer else float(value)


def _value(schema_name, name, prop, depth):
    if (schema_name, name) in _BY_SCHEMA_AND_NAME:
        return copy.deepcopy(_BY_SCHEMA_AND_NAME[schema_name, name])
    ref = _resolve(prop)
    if ref is not None:
        return example(ref, depth + 1)
    kind = prop.get("type")
    if "enum" in prop:
        return prop["enum"][0]
    if name in _BY_NAME and kind != "object" or name == "attributes":
        return copy.deepcopy(_BY_NAME[name])
    if kind == "string":
        return _string(name, prop)
    if kind == "integer":
        return _number(prop, True)
    if kind == "number":
        return _number(prop, False)
    if kind == "boolean":
        return True
    if kind == "array":
        items = prop["items"]
        if "enum" in items:
            return list(items["enum"][:2])
        if _resolve(items) == "Effect":
            return effects()
        return [_value(schema_name, name, items, depth), _value(schema_name, name, items, depth)]
    if kind == "object":
        extra = prop.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            return {"main": _value(schema_name, name, extra, depth), "second": _value(schema_name, name, extra, depth)}
        return {"key": "value", "nested": {"number": 1.5, "list": [1, "two"]}}
    raise AssertionError("no example for %s.%s" % (schema_name, name))


def example(schema_name, depth=0):
    """A dict with JSON keys for `schema_name`, every property set."""
    schema = SCHEMAS[schema_name]
    out = {}
    for name, prop in schema.get("properties", {}).items():
        out[name] = _value(schema_name, name, prop, depth)
    if schema_name == "Effect":
        out["effectType"] = "setDiscount"
        out["props"] = example(EFFECT_TYPES["setDiscount"], depth + 1)
    return out


def minimal(schema_name):
    """A dict with only the required properties of `schema_name`."""
    full = example(schema_name)
    return {key: value for key, value in full.items() if key in SCHEMAS[schema_name].get("required", [])}


def effects():
    """One effect of every type in x-effect-types, props included."""
    out = []
    for index, (effect_type, props_schema) in enumerate(sorted(EFFECT_TYPES.items())):
        effect = example("Effect")
        effect["effectType"] = effect_type
        effect["ruleIndex"] = index
        effect["props"] = example(props_schema)
        out.append(effect)
    return out


def schema_of(prop):
    """The referenced schema name of a property, or None."""
    return _resolve(prop)


def constrained_fields():
    """[(schema, JSON name, constraint keyword, spec value)] for every constraint in the spec.

    Includes enums of list items ('items.enum') and the description-stated bulk
    limit (maxItems 1000 on MultipleCustomerProfileIntegrationRequest.customerProfiles).
    """
    found = []
    for schema_name, schema in sorted(SCHEMAS.items()):
        for name, prop in schema.get("properties", {}).items():
            for keyword in ("enum", "minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems"):
                if keyword in prop:
                    found.append((schema_name, name, keyword, prop[keyword]))
            items = prop.get("items", {})
            if "enum" in items:
                found.append((schema_name, name, "items.enum", items["enum"]))
    found.append(("MultipleCustomerProfileIntegrationRequest", "customerProfiles", "maxItems", 1000))
    return found


def required_fields():
    return [(schema_name, name) for schema_name, schema in sorted(SCHEMAS.items())
            for name in schema.get("required", [])]


def operations():
    """[(operationId, method, path, operation dict)] in the spec's order."""
    found = []
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            found.append((operation["operationId"], method.upper(), path, operation))
    return found
