"""The 15 operations as the reliability tests call them, each carrying a unique request id.

`OPS` lists, per operation, its HTTP method, the model a success decodes to
(None for the three 204 operations) and a function `call(api, uid)` that makes
the call through the generated `_with_http_info` method, with `uid` (``rq`` +
8 digits) in the path or the body, where the chaos server finds it.
"""

import collections
import os
import time
import warnings

import talon_one
from talon_one.api import integration_api
from talon_one.api._operation import Operation

# TALON_ONE_SOAK=1: the long versions (more chaos calls, 16 x 500 thread calls).
SOAK = os.environ.get("TALON_ONE_SOAK") == "1"

Op = collections.namedtuple("Op", "name method model call")

IDEMPOTENT = frozenset(("GET", "PUT", "DELETE"))


def _item(sku):
    return {"name": "Shoe", "sku": sku, "price": 10.0, "quantity": 1}


def _calls():
    """name -> function(api, uid, **options) calling `<name>_with_http_info`."""
    return {
        "update_customer_session_v2": lambda api, uid, **kw: api.update_customer_session_v2_with_http_info(
            uid, {"customerSession": {"profileId": "p-" + uid, "cartItems": [_item("SKU-1")],
                                      "couponCodes": ["SUMMER10"]},
                  "responseContent": ["customerSession", "customerProfile"]}, **kw),
        "update_customer_session": lambda api, uid, **kw: api.update_customer_session_with_http_info(
            uid, {"profileId": "p-" + uid, "total": 10.0}, **kw),
        "update_customer_profile_v2": lambda api, uid, **kw: api.update_customer_profile_v2_with_http_info(
            uid, {"attributes": {"tier": "gold"}, "responseContent": ["customerProfile"]}, **kw),
        "update_customer_profile": lambda api, uid, **kw: api.update_customer_profile_with_http_info(
            uid, {"attributes": {"tier": "gold"}}, **kw),
        "update_customer_profiles_v2": lambda api, uid, **kw: api.update_customer_profiles_v2_with_http_info(
            {"customerProfiles": [{"integrationId": uid, "attributes": {"tier": "gold"}}]}, **kw),
        "update_customer_profile_audiences":
            lambda api, uid, **kw: api.update_customer_profile_audiences_with_http_info(
                {"data": [{"action": "add", "profileIntegrationId": uid, "audienceId": 1}]}, **kw),
        "track_event": lambda api, uid, **kw: api.track_event_with_http_info(
            {"profileId": uid, "sessionId": "s-" + uid, "type": "viewed", "attributes": {}}, **kw),
        "create_referral": lambda api, uid, **kw: api.create_referral_with_http_info(
            {"campaignId": 2, "advocateProfileIntegrationId": uid}, **kw),
        "create_coupon_reservation": lambda api, uid, **kw: api.create_coupon_reservation_with_http_info(
            uid, {"integrationIDs": ["p1"]}, **kw),
        "get_reserved_customers": lambda api, uid, **kw: api.get_reserved_customers_with_http_info(uid, **kw),
        "get_reserved_coupons": lambda api, uid, **kw: api.get_reserved_coupons_with_http_info(uid, **kw),
        "delete_coupon_reservation": lambda api, uid, **kw: api.delete_coupon_reservation_with_http_info(
            uid, {"integrationIDs": ["p1"]}, **kw),
        "get_customer_inventory": lambda api, uid, **kw: api.get_customer_inventory_with_http_info(
            uid, profile=True, coupons=True, referrals=True, loyalty=True, **kw),
        "get_customer_profiles_by_attributes":
            lambda api, uid, **kw: api.get_customer_profiles_by_attributes_with_http_info(
                {"attributes": {"key": uid}}, **kw),
        "delete_customer_data": lambda api, uid, **kw: api.delete_customer_data_with_http_info(uid, **kw),
    }


def operations():
    """The generated Operation of each of the 15 operations, by name."""
    return {value.name: value for value in vars(integration_api).values() if isinstance(value, Operation)}


def _build():
    specs = operations()
    calls = _calls()
    assert set(specs) == set(calls), set(specs) ^ set(calls)
    ops = []
    for name in sorted(specs):
        spec = specs[name]
        model = getattr(talon_one, spec.response_type) if spec.response_type else None
        ops.append(Op(name, spec.method, model, calls[name]))
    return ops


OPS = _build()


def path_pattern(template):
    """A regex for a path template such as /v1/customer_profiles/{integrationId}/inventory."""
    import re
    return "^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)) + "$"


def record_canned_answers(fake):
    """Each operation's answer from FakeTalonOne, as the chaos server's routes (shapes of the spec)."""
    configuration = fake.configuration()
    routes = []
    with talon_one.ApiClient(configuration) as client, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the two deprecated v1 operations
        api = talon_one.IntegrationApi(client)
        specs = operations()
        order = ["update_customer_session_v2", "update_customer_session", "update_customer_profile_v2",
                 "update_customer_profile", "update_customer_profiles_v2", "update_customer_profile_audiences",
                 "track_event", "create_referral", "create_coupon_reservation", "get_reserved_customers",
                 "get_reserved_coupons", "get_customer_inventory", "get_customer_profiles_by_attributes",
                 "delete_coupon_reservation", "delete_customer_data"]
        calls = _calls()
        for name in order:
            uid = {"create_coupon_reservation": "SUMMER10", "get_reserved_customers": "SUMMER10",
                   "delete_coupon_reservation": "SUMMER10", "get_reserved_coupons": "p1",
                   "get_customer_inventory": "p1"}.get(name, "rq00000000")
            response = calls[name](api, uid, _preload_content=False)[0]
            try:
                body = response.data
            finally:
                response.release_conn()
            assert response.status in (200, 204), (name, response.status, body)
            spec = specs[name]
            routes.append({"method": spec.method, "pattern": path_pattern(spec.path),
                           "status": response.status, "body": body.decode()})
    return routes


def wait_for_child(pid, seconds):
    """A forked child's exit code, or None if it had not exited after `seconds` (it is then killed,
    so that a hung child fails the test instead of hanging it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
        time.sleep(0.005)
    os.kill(pid, 9)  # our own child, stuck
    os.waitpid(pid, 0)
    return None
