"""Each of the 15 operations over raw HTTP: happy paths and the 400/401/404/409 cases that apply."""

import pytest

from talon_one.testing import CouponRule, Promotions


def item(sku="SKU-1", price=10.0, quantity=1):
    return {"name": f"Product {sku}", "sku": sku, "price": price, "quantity": quantity}


def pointers(reply):
    return [error["source"].get("pointer") for error in reply.json["errors"]]


# --- updateCustomerSessionV2 ----------------------------------------------


def test_session_v2_creates_session_with_totals_from_items_and_costs(api, fake):
    reply = api.session_v2(
        "s1",
        ["customerSession", "customerProfile"],
        profileId="alice",
        cartItems=[item("A", 19.99, 2), item("B", 5.5)],
        additionalCosts={"shipping": {"price": 4.95}},
        attributes={"channel": "web"},
    )
    assert reply.status == 200
    session = reply.json["customerSession"]
    assert session["cartItemTotal"] == 45.48
    assert session["additionalCostTotal"] == 4.95
    assert session["total"] == 50.43
    assert session["state"] == "open"
    assert session["firstSession"] is True
    assert [i["position"] for i in session["cartItems"]] == [0, 1]
    assert reply.json["customerProfile"]["integrationId"] == "alice"
    assert reply.json["effects"] == [] and reply.json["createdCoupons"] == []
    assert fake.sessions["s1"]["attributes"] == {"channel": "web"}
    assert "alice" in fake.profiles


def test_session_v2_without_response_content_returns_only_the_required_parts(api):
    reply = api.session_v2("s1", profileId="alice", cartItems=[item()])
    assert set(reply.json) == {"effects", "createdCoupons", "createdReferrals"}


def test_session_v2_second_session_of_a_profile_is_not_first(api):
    api.session_v2("s1", profileId="alice")
    reply = api.session_v2("s2", ["customerSession"], profileId="alice")
    assert reply.json["customerSession"]["firstSession"] is False


def test_session_v2_updates_keep_fields_not_sent(api):
    api.session_v2("s1", profileId="alice", cartItems=[item(price=30)], couponCodes=["SUMMER10"])
    reply = api.session_v2("s1", ["customerSession"], attributes={"note": "x"})
    session = reply.json["customerSession"]
    assert session["profileId"] == "alice"
    assert session["couponCodes"] == ["SUMMER10"]
    assert session["cartItemTotal"] == 30


def test_session_v2_anonymous_session_can_be_linked_to_a_profile(api, fake):
    api.session_v2("s1", profileId="")
    reply = api.session_v2("s1", ["customerSession"], profileId="alice")
    assert reply.status == 200
    assert fake.sessions["s1"]["profileId"] == "alice"


def test_session_v2_of_another_profile_is_a_conflict(api):
    api.session_v2("s1", profileId="alice")
    reply = api.session_v2("s1", profileId="bob")
    assert reply.status == 409
    assert "another customer profile" in reply.json["message"]


@pytest.mark.parametrize(
    "session, pointer",
    [
        (
            {"cartItems": [{"name": "x", "sku": "A", "price": 1, "quantity": 0}]},
            "/customerSession/cartItems/0/quantity",
        ),
        ({"cartItems": [{"name": "x", "sku": "A", "quantity": 1}]}, "/customerSession/cartItems/0/price"),
        ({"cartItems": [{"name": "x", "sku": "", "price": 1, "quantity": 1}]}, "/customerSession/cartItems/0/sku"),
        ({"state": "paid"}, "/customerSession/state"),
        ({"referralCode": "R" * 101}, "/customerSession/referralCode"),
        ({"additionalCosts": {"ship/ping": {"price": "4"}}}, "/customerSession/additionalCosts/ship~1ping/price"),
        ({"couponCodes": "SUMMER10"}, "/customerSession/couponCodes"),
    ],
)
def test_session_v2_invalid_body_points_at_the_problem(api, session, pointer):
    reply = api.put("/v2/customer_sessions/s1", {"customerSession": session})
    assert reply.status == 400
    assert pointer in pointers(reply)


def test_session_v2_requires_customer_session(api):
    reply = api.put("/v2/customer_sessions/s1", {"responseContent": []})
    assert reply.status == 400
    assert pointers(reply) == ["/customerSession"]


def test_session_v2_rejects_unknown_response_content(api):
    reply = api.put("/v2/customer_sessions/s1", {"customerSession": {}, "responseContent": ["everything"]})
    assert reply.status == 400
    assert pointers(reply) == ["/responseContent/0"]


def test_session_v2_state_transitions(api, fake):
    assert api.session_v2("s1", profileId="alice", state="closed").status == 200
    assert api.session_v2("s1", state="closed").status == 200  # resending a close is harmless
    reply = api.session_v2("s1", state="open")
    assert reply.status == 400
    assert pointers(reply) == ["/customerSession/state"]
    assert api.session_v2("s1", state="cancelled").status == 200
    assert fake.sessions["s1"]["state"] == "cancelled"
    assert api.session_v2("s1", state="closed").status == 400
    assert api.session_v2("s2", state="cancelled").status == 200


def test_session_v2_closed_session_ignores_new_cart_data(api, fake):
    api.session_v2("s1", profileId="alice", cartItems=[item(price=10)], state="closed")
    api.session_v2("s1", cartItems=[item(price=99)], state="closed")
    assert fake.sessions["s1"]["cartItemTotal"] == 10


def test_session_v2_rejects_signed_requests(api):
    reply = api.put("/v2/customer_sessions/s1", {"customerSession": {}}, auth="signature")
    assert reply.status == 401


# --- updateCustomerSession (v1) ----------------------------------------------


def test_session_v1_returns_integration_state(api, fake):
    body = {"profileId": "alice", "coupon": "SUMMER10", "cartItems": [item(price=40)], "attributes": {"a": 1}}
    reply = api.put("/v1/customer_sessions/s1", body)
    assert reply.status == 200
    state = reply.json
    assert state["session"]["coupon"] == "SUMMER10"
    assert state["session"]["referral"] == ""
    assert state["session"]["total"] == 40
    assert state["session"]["discounts"] == {"Summer sale 10%": 4.0}
    assert state["profile"]["integrationId"] == "alice"
    assert state["event"]["type"] == "talon_session_updated"
    assert [e["effectType"] for e in state["event"]["effects"]] == ["acceptCoupon", "setDiscount"]
    assert state["coupon"]["value"] == "SUMMER10"
    assert fake.sessions["s1"]["couponCodes"] == ["SUMMER10"]


def test_session_v1_total_without_items_is_the_clients(api):
    reply = api.put("/v1/customer_sessions/s1", {"profileId": "alice", "total": 12.5})
    assert reply.json["session"]["total"] == 12.5


def test_session_v1_anonymous_session_has_an_empty_profile(api, fake):
    reply = api.put("/v1/customer_sessions/s1", {"profileId": ""})
    assert reply.json["profile"]["integrationId"] == ""
    assert fake.profiles == {}


def test_session_v1_accepts_signed_requests(api):
    reply = api.put("/v1/customer_sessions/s1", {"profileId": "alice"}, auth="signature")
    assert reply.status == 200


def test_session_v1_invalid_transition_and_long_coupon(api):
    api.put("/v1/customer_sessions/s1", {"profileId": "alice", "state": "cancelled"})
    reply = api.put("/v1/customer_sessions/s1", {"state": "open"})
    assert reply.status == 400 and pointers(reply) == ["/state"]
    reply = api.put("/v1/customer_sessions/s2", {"coupon": "C" * 101})
    assert reply.status == 400 and pointers(reply) == ["/coupon"]


def test_session_v1_of_another_profile_is_a_conflict(api):
    api.put("/v1/customer_sessions/s1", {"profileId": "alice"})
    assert api.put("/v1/customer_sessions/s1", {"profileId": "bob"}).status == 409


# --- trackEvent ------------------------------------------------------------


def test_track_event_creates_session_profile_and_event(api, fake):
    body = {"profileId": "alice", "type": "viewed_product", "attributes": {"sku": "A"}, "sessionId": "s1"}
    reply = api.post("/v1/events", body)
    assert reply.status == 200
    event = reply.json["event"]
    assert (event["type"], event["sessionId"], event["attributes"]) == ("viewed_product", "s1", {"sku": "A"})
    assert reply.json["session"]["integrationId"] == "s1"
    assert fake.sessions["s1"]["profileId"] == "alice"
    assert [e["type"] for e in fake.events] == ["viewed_product"]


def test_track_event_on_another_profiles_session_is_a_conflict(api, fake):
    api.session_v2("s1", profileId="alice")
    body = {"profileId": "bob", "type": "viewed_product", "attributes": {}, "sessionId": "s1"}
    reply = api.post("/v1/events", body)
    assert reply.status == 409
    assert "bob" not in fake.profiles


def test_track_event_validation(api):
    reply = api.post("/v1/events", {"profileId": "alice", "type": "x", "attributes": {}})
    assert reply.status == 400 and pointers(reply) == ["/sessionId"]
    reply = api.post("/v1/events", {"type": "", "attributes": {}, "sessionId": "s1"})
    assert reply.status == 400 and pointers(reply) == ["/type"]
    reply = api.post("/v1/events", {"type": "talon_session_created", "attributes": {}, "sessionId": "s1"})
    assert reply.status == 400 and pointers(reply) == ["/type"]


def test_track_event_dry_run_persists_nothing(api, fake):
    body = {"profileId": "alice", "type": "viewed_product", "attributes": {}, "sessionId": "s1"}
    reply = api.post("/v1/events", body, fields={"dry": "true"})
    assert reply.status == 200 and reply.json["event"]["type"] == "viewed_product"
    assert fake.events == [] and fake.sessions == {} and fake.profiles == {}


def test_track_event_signed(api):
    body = {"profileId": "", "type": "ping", "attributes": {}, "sessionId": "s1"}
    assert api.post("/v1/events", body, auth="signature").status == 200


# --- updateCustomerProfile (v1) -------------------------------------------


def test_profile_v1_merges_attributes(api, fake):
    api.put("/v1/customer_profiles/alice", {"attributes": {"name": "Alice", "tier": "gold"}})
    reply = api.put("/v1/customer_profiles/alice", {"attributes": {"tier": "silver"}})
    assert reply.status == 200
    assert reply.json["profile"]["attributes"] == {"name": "Alice", "tier": "silver"}
    assert reply.json["event"]["type"] == "talon_profile_updated"
    assert fake.profiles["alice"]["attributes"] == {"name": "Alice", "tier": "silver"}


def test_profile_v1_dry_run_and_type_errors(api, fake):
    reply = api.put("/v1/customer_profiles/alice", {"attributes": {"x": 1}}, fields={"dry": "true"})
    assert reply.json["profile"]["attributes"] == {"x": 1}
    assert fake.profiles == {}
    reply = api.put("/v1/customer_profiles/alice", {"attributes": ["x"]})
    assert reply.status == 400 and pointers(reply) == ["/attributes"]


# --- updateCustomerProfileV2 ------------------------------------------------


def test_profile_v2_attributes_audiences_and_response_content(api, fake):
    body = {
        "attributes": {"email": "a@example.com"},
        "audiencesChanges": {"adds": [1, 7], "deletes": []},
        "responseContent": ["customerProfile", "loyalty", "triggeredCampaigns"],
    }
    reply = api.put("/v2/customer_profiles/alice", body)
    assert reply.status == 200
    profile = reply.json["customerProfile"]
    assert profile["attributes"] == {"email": "a@example.com"}
    assert profile["audienceMemberships"] == [{"id": 1, "name": "VIP"}, {"id": 7, "name": "Audience 7"}]
    assert reply.json["loyalty"]["programs"]["1"]["ledger"]["currentBalance"] == 0
    assert reply.json["triggeredCampaigns"] == []
    api.put("/v2/customer_profiles/alice", {"audiencesChanges": {"adds": [], "deletes": [1]}})
    assert fake.profiles["alice"]["audienceMemberships"] == [{"id": 7, "name": "Audience 7"}]


def test_profile_v2_dry_only_counts_with_rule_engine(api, fake):
    body = {"attributes": {"a": 1}, "responseContent": ["customerProfile", "event"]}
    reply = api.put("/v2/customer_profiles/alice", body, fields={"runRuleEngine": "true", "dry": "true"})
    assert reply.json["customerProfile"]["attributes"] == {"a": 1}
    assert reply.json["event"]["type"] == "talon_profile_updated"
    assert fake.profiles == {}
    api.put("/v2/customer_profiles/alice", body, fields={"dry": "true"})
    assert fake.profiles["alice"]["attributes"] == {"a": 1}


def test_profile_v2_errors(api):
    reply = api.put("/v2/customer_profiles/alice", {"audiencesChanges": {"adds": [1]}})
    assert reply.status == 400 and pointers(reply) == ["/audiencesChanges/deletes"]
    reply = api.put("/v2/customer_profiles/alice", {}, fields={"runRuleEngine": "maybe"})
    assert reply.status == 400
    assert reply.json["errors"][0]["source"] == {"parameter": "runRuleEngine"}
    assert api.put("/v2/customer_profiles/alice", {}, auth="signature").status == 401


# --- updateCustomerProfilesV2 ----------------------------------------------


def test_bulk_profiles_returns_one_state_per_profile(api, fake):
    body = {"customerProfiles": [{"integrationId": "a", "attributes": {"n": 1}}, {"integrationId": "b"}]}
    reply = api.put("/v2/customer_profiles", body)
    assert reply.status == 200
    states = reply.json["integrationStates"]
    assert [s["customerProfile"]["integrationId"] for s in states] == ["a", "b"]
    assert fake.profiles["a"]["attributes"] == {"n": 1}


def test_bulk_profiles_silent_answers_204(api, fake):
    body = {"customerProfiles": [{"integrationId": "a"}]}
    reply = api.put("/v2/customer_profiles", body, fields={"silent": "yes"})
    assert reply.status == 204 and reply.data == b""
    assert "Content-Type" not in reply.headers
    assert "a" in fake.profiles


def test_bulk_profiles_limit_is_1000(api, fake):
    profiles = [{"integrationId": f"p{i}"} for i in range(1000)]
    assert api.put("/v2/customer_profiles", {"customerProfiles": profiles}, fields={"silent": "yes"}).status == 204
    assert len(fake.profiles) == 1000
    profiles.append({"integrationId": "one-too-many"})
    reply = api.put("/v2/customer_profiles", {"customerProfiles": profiles})
    assert reply.status == 400 and pointers(reply) == ["/customerProfiles"]
    assert "one-too-many" not in fake.profiles


def test_bulk_profiles_errors(api):
    reply = api.put("/v2/customer_profiles", {"customerProfiles": [{"attributes": {}}]})
    assert reply.status == 400 and pointers(reply) == ["/customerProfiles/0/integrationId"]
    reply = api.put("/v2/customer_profiles", {"customerProfiles": [{"integrationId": ""}]})
    assert reply.status == 400 and pointers(reply) == ["/customerProfiles/0/integrationId"]
    assert api.put("/v2/customer_profiles", {"customerProfiles": []}, auth="signature").status == 401


# --- updateCustomerProfileAudiences -----------------------------------------


def test_audiences_add_and_delete(api, fake):
    api.put("/v2/customer_profiles/alice", {})
    body = {
        "data": [
            {"action": "add", "profileIntegrationId": "alice", "audienceId": 2},
            {"action": "add", "profileIntegrationId": "bob", "audienceId": 1},
            {"action": "delete", "profileIntegrationId": "bob", "audienceId": 1},
        ]
    }
    reply = api.post("/v2/customer_audiences", body)
    assert reply.status == 204 and reply.data == b""
    assert fake.profiles["alice"]["audienceMemberships"] == [{"id": 2, "name": "Newsletter"}]
    assert fake.profiles["bob"]["audienceMemberships"] == []


def test_audiences_errors(api):
    body = {"data": [{"action": "join", "profileIntegrationId": "alice", "audienceId": 2}]}
    reply = api.post("/v2/customer_audiences", body)
    assert reply.status == 400 and pointers(reply) == ["/data/0/action"]
    body = {"data": [{"action": "add", "profileIntegrationId": "alice", "audienceId": "2"}]}
    assert pointers(api.post("/v2/customer_audiences", body)) == ["/data/0/audienceId"]
    assert api.post("/v2/customer_audiences", {"data": []}, auth="signature").status == 401


# --- createReferral -----------------------------------------------------------


def test_create_referral(api, fake):
    body = {"campaignId": 2, "advocateProfileIntegrationId": "alice", "expiryDate": "2099-01-01T00:00:00Z"}
    reply = api.post("/v1/referrals", body)
    assert reply.status == 200
    referral = reply.json
    assert referral["code"].startswith("REF-") and len(referral["code"]) == 10
    assert (referral["usageCounter"], referral["usageLimit"]) == (0, 1)
    assert referral["expiryDate"] == "2099-01-01T00:00:00Z"
    assert fake.referrals[referral["code"]]["advocateProfileIntegrationId"] == "alice"
    second = api.post("/v1/referrals", body).json
    assert second["code"] != referral["code"]


def test_create_referral_errors(api):
    assert api.post("/v1/referrals", {"campaignId": 99, "advocateProfileIntegrationId": "a"}).status == 404
    reply = api.post("/v1/referrals", {"campaignId": 2})
    assert reply.status == 400 and pointers(reply) == ["/advocateProfileIntegrationId"]
    reply = api.post("/v1/referrals", {"campaignId": 2, "advocateProfileIntegrationId": "a", "startDate": "tomorrow"})
    assert reply.status == 400 and pointers(reply) == ["/startDate"]
    reply = api.post("/v1/referrals", {"campaignId": "2", "advocateProfileIntegrationId": "a"})
    assert reply.status == 400 and pointers(reply) == ["/campaignId"]


def test_create_referral_signed(api):
    body = {"campaignId": 2, "advocateProfileIntegrationId": "alice"}
    assert api.post("/v1/referrals", body, auth="signature").status == 200


# --- coupon reservations ------------------------------------------------------


def test_reserve_list_and_unreserve_a_coupon(api, fake):
    reply = api.post("/v1/coupon_reservations/SUMMER10", {"integrationIDs": ["alice", "bob"]})
    assert reply.status == 200 and reply.json["value"] == "SUMMER10"
    assert fake.reservations["SUMMER10"] == ["alice", "bob"]

    customers = api.get("/v1/coupon_reservations/customerprofiles/SUMMER10").json
    assert customers["totalResultSize"] == 2
    assert [p["integrationId"] for p in customers["data"]] == ["alice", "bob"]

    coupons = api.get("/v1/coupon_reservations/coupons/alice").json
    assert [c["value"] for c in coupons["data"]] == ["SUMMER10"]

    reply = api.delete("/v1/coupon_reservations/SUMMER10", {"integrationIDs": ["alice"]})
    assert reply.status == 204 and reply.data == b""
    assert fake.reservations["SUMMER10"] == ["bob"]
    assert api.get("/v1/coupon_reservations/coupons/alice").json == {"totalResultSize": 0, "data": []}


def test_reserved_coupons_lists_only_usable_ones(api):
    api.post("/v1/coupon_reservations/EXPIRED20", {"integrationIDs": ["alice"]})
    api.post("/v1/coupon_reservations/FIVEOFF", {"integrationIDs": ["alice"]})
    coupons = api.get("/v1/coupon_reservations/coupons/alice").json
    assert [c["value"] for c in coupons["data"]] == ["FIVEOFF"]


def test_reserved_coupons_of_unknown_customer_is_empty(api):
    assert api.get("/v1/coupon_reservations/coupons/nobody").json == {"totalResultSize": 0, "data": []}


def test_reservations_of_unknown_coupons_are_404(api):
    assert api.post("/v1/coupon_reservations/NOPE", {"integrationIDs": ["a"]}).status == 404
    assert api.delete("/v1/coupon_reservations/NOPE", {"integrationIDs": ["a"]}).status == 404
    assert api.get("/v1/coupon_reservations/customerprofiles/NOPE").status == 404


def test_reservation_errors_and_signatures(api):
    reply = api.post("/v1/coupon_reservations/SUMMER10", {})
    assert reply.status == 400 and pointers(reply) == ["/integrationIDs"]
    reply = api.post("/v1/coupon_reservations/SUMMER10", {"integrationIDs": [1]})
    assert reply.status == 400 and pointers(reply) == ["/integrationIDs/0"]
    assert api.post("/v1/coupon_reservations/SUMMER10", {"integrationIDs": ["a"]}, auth="signature").status == 200
    assert api.get("/v1/coupon_reservations/customerprofiles/SUMMER10", auth="signature").status == 200
    assert api.delete("/v1/coupon_reservations/SUMMER10", {"integrationIDs": ["a"]}, auth="signature").status == 204


def test_coupon_value_in_path_is_url_decoded(api, fake):
    fake.reset(promotions=Promotions(coupons=[CouponRule("WITH SPACE", percent_off=5)]))
    reply = api.post("/v1/coupon_reservations/WITH%20SPACE", {"integrationIDs": ["a"]})
    assert reply.status == 200 and reply.json["value"] == "WITH SPACE"


# --- getCustomerInventory -------------------------------------------------------


def test_inventory_includes_only_what_is_asked(api):
    api.put("/v2/customer_profiles/alice", {"attributes": {"name": "Alice"}})
    api.post("/v1/coupon_reservations/FIVEOFF", {"integrationIDs": ["alice"]})
    api.post("/v1/referrals", {"campaignId": 2, "advocateProfileIntegrationId": "alice"})
    assert api.get("/v1/customer_profiles/alice/inventory").json == {}
    everything = {"profile": "true", "referrals": "true", "coupons": "true", "loyalty": "true"}
    inventory = api.get("/v1/customer_profiles/alice/inventory", fields=everything).json
    assert inventory["profile"]["attributes"] == {"name": "Alice"}
    assert [c["value"] for c in inventory["coupons"]] == ["FIVEOFF"]
    assert len(inventory["referrals"]) == 1
    assert inventory["loyalty"]["programs"]["1"]["ledger"]["currentBalance"] == 0
    only_coupons = api.get("/v1/customer_profiles/alice/inventory", fields={"coupons": "true", "profile": "false"})
    assert set(only_coupons.json) == {"coupons"}


def test_inventory_errors(api):
    assert api.get("/v1/customer_profiles/nobody/inventory").status == 404
    api.put("/v2/customer_profiles/alice", {})
    reply = api.get("/v1/customer_profiles/alice/inventory", fields={"loyalty": "yes"})
    assert reply.status == 400
    assert reply.json["errors"][0]["source"] == {"parameter": "loyalty"}
    assert api.get("/v1/customer_profiles/alice/inventory", auth="signature").status == 200


# --- getCustomerProfilesByAttributes ----------------------------------------------


def test_search_profiles_by_attributes(api):
    api.put("/v2/customer_profiles/a", {"attributes": {"city": "Berlin", "vip": True, "age": 30}})
    api.put("/v2/customer_profiles/b", {"attributes": {"city": "Berlin", "vip": 1}})
    api.put("/v2/customer_profiles/c", {"attributes": {"city": "Paris"}})
    found = api.post("/v1/customer_profiles_search", {"attributes": {"city": "Berlin"}}).json
    assert found["totalResultSize"] == 2
    assert sorted(p["integrationId"] for p in found["data"]) == ["a", "b"]
    found = api.post("/v1/customer_profiles_search", {"attributes": {"vip": True}}).json
    assert [p["integrationId"] for p in found["data"]] == ["a"]
    found = api.post("/v1/customer_profiles_search", {"attributes": {"age": 30.0}}, auth="signature").json
    assert [p["integrationId"] for p in found["data"]] == ["a"]
    assert api.post("/v1/customer_profiles_search", {"attributes": {"city": "Rome"}}).json["data"] == []


def test_search_profiles_errors(api):
    reply = api.post("/v1/customer_profiles_search", {"attributes": "Berlin"})
    assert reply.status == 400 and pointers(reply) == ["/attributes"]
    reply = api.post("/v1/customer_profiles_search", [])
    assert reply.status == 400 and pointers(reply) == [""]


# --- deleteCustomerData --------------------------------------------------------------


def test_delete_customer_data_removes_personal_data_everywhere(api, fake):
    api.put("/v2/customer_profiles/alice", {"attributes": {"email": "alice@example.com"}})
    api.session_v2(
        "s1",
        profileId="alice",
        attributes={"address": "Main St 1"},
        identifiers=["device-1"],
        cartItems=[item(price=20)],
        state="closed",
    )
    api.post("/v1/events", {"profileId": "alice", "type": "wish", "attributes": {"gift": "x"}, "sessionId": "s2"})
    api.post("/v1/coupon_reservations/SUMMER10", {"integrationIDs": ["alice", "bob"]})
    code = api.post(
        "/v1/referrals",
        {"campaignId": 2, "advocateProfileIntegrationId": "carol", "friendProfileIntegrationId": "alice"},
    ).json["code"]
    assert fake.loyalty_points("alice") == 20

    reply = api.delete("/v1/customer_data/alice")
    assert reply.status == 204 and reply.data == b""

    assert "alice" not in fake.profiles
    for session_id in ("s1", "s2"):
        session = fake.sessions[session_id]
        assert (session["profileId"], session["attributes"], session["identifiers"]) == ("", {}, [])
    assert all(event["profileId"] == "" and event["attributes"] == {} for event in fake.events)
    assert fake.reservations["SUMMER10"] == ["bob"]
    assert not any(r["advocateProfileIntegrationId"] == "alice" for r in fake.referrals.values())
    assert "friendProfileIntegrationId" not in fake.referrals[code]
    assert fake.loyalty_points("alice") == 0
    assert "alice@example.com" not in repr(fake.profiles) + repr(fake.sessions) + repr(fake.events)
    assert api.get("/v1/customer_profiles/alice/inventory").status == 404


def test_delete_customer_data_of_unknown_customer_is_404(api):
    assert api.delete("/v1/customer_data/nobody").status == 404


def test_delete_customer_data_signed(api):
    api.put("/v2/customer_profiles/alice", {})
    assert api.delete("/v1/customer_data/alice", auth="signature").status == 204
