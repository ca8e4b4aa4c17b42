"""Python source for realistic example values, used by the generated docs.

A request model's example sets its required fields and the optional fields a
typical integration sets (those with a value below); values come from the
table by JSON name, else from the field's type.
"""

from codegen.text import py_literal

# Example values are data that talon_one.testing.FakeTalonOne has by default (Promotions.default():
# coupon SUMMER10, referral campaign 2), so that every example in the docs runs against it as it
# stands (test/test_doc_examples.py).

# JSON name -> example value (plain JSON; nested models are built from their schema).
EXAMPLE_VALUES = {
    "profileId": "customer-4711",
    "integrationId": "customer-4711",
    "profileIntegrationId": "customer-4711",
    "advocateProfileIntegrationId": "customer-4711",
    "friendProfileIntegrationId": "customer-0815",
    "sessionId": "session-2024-0001",
    "couponCodes": ["SUMMER10"],
    "referralCode": "FRIEND-ABCD",
    "coupon": "SUMMER10",
    "referral": "FRIEND-ABCD",
    "integrationIDs": ["customer-4711", "customer-0815"],
    "identifiers": ["device-8f3a"],
    "name": "Running shoes",
    "sku": "SKU-1001",
    "quantity": 2,
    "price": 89.9,
    "category": "shoes",
    "campaignId": 2,
    "audienceId": 3,
    "adds": [3],
    "deletes": [9],
    "type": "payment_updated",
    "total": 179.8,
}

# (schema, JSON name) -> example value, where the general one above does not fit.
EXAMPLE_VALUES_BY_SCHEMA = {
    ("AdditionalCost", "price"): 4.95,
    ("NewEvent", "profileId"): "customer-4711",
}

# JSON name -> example attributes, by the schema holding them.
EXAMPLE_ATTRIBUTES = {
    "CartItem": {"color": "black", "size": 42},
    "NewEvent": {"paymentMethod": "card"},
    "CustomerProfileSearch": {"Segment": "gold"},
}
DEFAULT_ATTRIBUTES = {"ShippingCity": "Berlin"}

# operationId -> lines run before the call (inside the `with` block), for operations that need
# something to exist first.
_PROFILE_MUST_EXIST = [
    "# The profile must exist (else NotFoundException): create or update it first.",
    "api.update_customer_profile_v2(integration_id, talon_one.CustomerProfileIntegrationRequestV2())",
]
EXAMPLE_PRECONDITIONS = {
    "getCustomerInventory": _PROFILE_MUST_EXIST,
    "deleteCustomerData": _PROFILE_MUST_EXIST,
}

# Optional fields left out of examples even though a value is known.
_SKIP = {("NewReferral", "friendProfileIntegrationId")}


def parameter_example(param):
    """An example value for an operation parameter."""
    if param.type_ref == "bool":
        return "False" if param.name == "dry" else "True"
    if param.type_ref == "str":
        if param.spec_name == "couponValue":
            return '"SUMMER10"'
        if param.spec_name == "customerSessionId":
            return '"session-2024-0001"'
        if param.spec_name == "silent":
            return '"no"'
        return '"customer-4711"'
    return "1"


def model_example(api, name, indent="    ", prefix="talon_one."):
    """Lines of Python building an example `name` model, first line unindented."""
    schema = api.schema(name)
    arguments = []
    for item in schema.fields:
        wanted = item.required or item.json_name in EXAMPLE_VALUES or item.json_name in (
            "attributes", "cartItems", "additionalCosts", "responseContent", "audiencesChanges", "data",
            "customerProfiles", "customerSession", "state")
        if not wanted or (schema.name, item.json_name) in _SKIP:
            continue
        arguments.append((item.name, _value_lines(api, schema, item, indent + "    ", prefix)))
    if not arguments:
        return ["%s%s()" % (prefix, name)]
    lines = ["%s%s(" % (prefix, name)]
    for field_name, value in arguments:
        lines.append("%s    %s=%s" % (indent, field_name, value[0]))
        lines += value[1:]
        lines[-1] += ","
    lines.append("%s)" % indent)
    return lines


def _value_lines(api, schema, item, indent, prefix):
    type_ref = item.type_ref
    if item.json_name == "attributes":
        return [py_literal(EXAMPLE_ATTRIBUTES.get(schema.name, DEFAULT_ATTRIBUTES))]
    if (schema.name, item.json_name) in EXAMPLE_VALUES_BY_SCHEMA:
        return [py_literal(EXAMPLE_VALUES_BY_SCHEMA[schema.name, item.json_name])]
    if item.json_name in EXAMPLE_VALUES and _fits(EXAMPLE_VALUES[item.json_name], type_ref):
        return [py_literal(EXAMPLE_VALUES[item.json_name])]
    enum = item.constraints.get("enum")
    if enum:
        chosen = enum[0] if not type_ref.startswith("list[") else list(enum[:2])
        return [py_literal(chosen)]
    if type_ref.startswith("list[") and type_ref[5:-1] in _model_names(api):
        inner = model_example(api, type_ref[5:-1], indent + "    ", prefix)
        return ["["] + ["%s    %s" % (indent, inner[0])] + inner[1:-1] + [inner[-1] + ","] + ["%s]" % indent]
    if type_ref.startswith("dict(str, ") and type_ref[10:-1] in _model_names(api):
        inner = model_example(api, type_ref[10:-1], indent + "    ", prefix)
        return ["{"] + ['%s    "shipping": %s' % (indent, inner[0])] + inner[1:-1] + [inner[-1] + ","] + \
            ["%s}" % indent]
    if type_ref in _model_names(api):
        return model_example(api, type_ref, indent, prefix)
    return [_scalar(type_ref)]


def _scalar(type_ref):
    if type_ref.startswith("list["):
        return "[%s]" % _scalar(type_ref[5:-1])
    if type_ref.startswith("dict(str, "):
        return '{"main": %s}' % _scalar(type_ref[10:-1])
    return {
        "str": '"example"',
        "int": "1",
        "float": "4.95",
        "bool": "True",
        "object": "{}",
        "datetime": "datetime.datetime(2024, 6, 1, tzinfo=datetime.timezone.utc)",
    }.get(type_ref, "None")


def _fits(value, type_ref):
    """Whether a table value has the field's type (the same JSON name can mean different things)."""
    if type_ref.startswith("list["):
        return isinstance(value, list)
    if isinstance(value, bool) or type_ref == "bool":
        return isinstance(value, bool) and type_ref == "bool"
    expected = {"str": str, "int": int, "float": (int, float)}.get(type_ref)
    return expected is not None and isinstance(value, expected)


def _model_names(api):
    return {schema.name for schema in api.schemas}
