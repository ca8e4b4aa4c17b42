"""Customer profiles end to end: v2 update, bulk update, audiences and search by attributes."""

import pytest

from talon_one import (
    AudienceMembership,
    BadRequestException,
    CustomerProfile,
    CustomerProfileAudienceRequest,
    CustomerProfileAudienceRequestItem,
    CustomerProfileIntegrationRequestV2,
    CustomerProfileSearch,
    InlineResponse200,
    IntegrationStateV2,
    LoyaltyProgramBalance,
    MultipleCustomerProfileIntegrationRequest,
    MultipleCustomerProfileIntegrationRequestItem,
    MultipleCustomerProfileIntegrationResponseV2,
    ProfileAudiencesChanges,
)

from e2e_helpers import points


def profile_request(attributes=None, adds=None, deletes=None, content=("customerProfile",)):
    changes = ProfileAudiencesChanges(adds=adds or [], deletes=deletes or []) if adds or deletes else None
    return CustomerProfileIntegrationRequestV2(attributes=attributes, audiences_changes=changes,
                                               response_content=list(content))


def bulk(*items):
    return MultipleCustomerProfileIntegrationRequest(customer_profiles=[
        MultipleCustomerProfileIntegrationRequestItem(integration_id=integration_id, attributes=attributes)
        for integration_id, attributes in items
    ])


# --- update_customer_profile_v2 ------------------------------------------------------------------

def test_update_profile_v2_creates_the_profile_and_returns_what_was_asked(api, fake):
    state = api.update_customer_profile_v2("grace", profile_request(
        {"Name": "Grace", "tier": "gold"}, adds=[1, 2], content=("customerProfile", "loyalty", "triggeredCampaigns")))

    assert isinstance(state, IntegrationStateV2)
    profile = state.customer_profile
    assert isinstance(profile, CustomerProfile)
    assert (profile.integration_id, profile.attributes) == ("grace", {"Name": "Grace", "tier": "gold"})
    assert (profile.closed_sessions, profile.total_sales) == (0, 0.0)
    assert profile.audience_memberships == [
        AudienceMembership(id=1, name="VIP"), AudienceMembership(id=2, name="Newsletter")]
    assert isinstance(state.loyalty.programs["1"].ledger, LoyaltyProgramBalance)
    assert points(state.loyalty) == 0
    assert (state.triggered_campaigns, state.effects, state.event) == ([], [], None)
    assert fake.profiles["grace"]["attributes"] == {"Name": "Grace", "tier": "gold"}


def test_update_profile_v2_merges_attributes_and_applies_audience_deletes(api):
    api.update_customer_profile_v2("grace", profile_request({"Name": "Grace", "tier": "gold"}, adds=[1, 2]))

    state = api.update_customer_profile_v2("grace", profile_request({"tier": "silver"}, deletes=[1]))

    assert state.customer_profile.attributes == {"Name": "Grace", "tier": "silver"}
    assert [(a.id, a.name) for a in state.customer_profile.audience_memberships] == [(2, "Newsletter")]


def test_update_profile_v2_without_response_content_returns_no_profile(api, fake):
    state = api.update_customer_profile_v2("grace", profile_request({"Name": "Grace"}, content=()))

    assert (state.customer_profile, state.loyalty, state.effects) == (None, None, [])
    assert "grace" in fake.profiles


def test_update_profile_v2_with_the_rule_engine_records_an_event(api):
    state = api.update_customer_profile_v2("grace", profile_request({"Name": "Grace"}, content=("event",)),
                                           run_rule_engine=True)

    assert (state.event.type, state.event.profile_id) == ("talon_profile_updated", "grace")


def test_update_profile_v2_dry_run_does_not_persist(api, fake):
    state = api.update_customer_profile_v2("grace", profile_request({"Name": "Grace"}), run_rule_engine=True,
                                           dry=True)

    assert state.customer_profile.attributes == {"Name": "Grace"}
    assert fake.requests[0].query == {"runRuleEngine": "true", "dry": "true"}
    assert fake.profiles == {}


def test_update_profile_v2_bad_response_content_is_a_400_from_the_service(lenient_api, fake):
    with pytest.raises(BadRequestException) as caught:
        lenient_api.update_customer_profile_v2("grace", {"responseContent": ["everything"]})

    assert caught.value.message.startswith("Invalid request: /responseContent/0 must be one of: customerProfile")
    assert caught.value.errors[0]["source"] == {"pointer": "/responseContent/0"}
    assert fake.profiles == {}


# --- update_customer_profiles_v2 -----------------------------------------------------------------

def test_bulk_update_returns_one_state_per_profile(api, fake):
    response = api.update_customer_profiles_v2(bulk(("ada", {"tier": "gold"}), ("bob", {"tier": "silver"})))

    assert isinstance(response, MultipleCustomerProfileIntegrationResponseV2)
    assert all(isinstance(state, IntegrationStateV2) for state in response.integration_states)
    profiles = [state.customer_profile for state in response.integration_states]
    assert [(p.integration_id, p.attributes) for p in profiles] == [("ada", {"tier": "gold"}), ("bob", {"tier": "silver"})]
    assert sorted(fake.profiles) == ["ada", "bob"]


def test_bulk_update_silent_yes_answers_204_and_returns_none(api, fake):
    assert api.update_customer_profiles_v2(bulk(("ada", {"tier": "gold"})), silent="yes") is None

    data, status, _ = api.update_customer_profiles_v2_with_http_info(bulk(("bob", {})), silent="yes")
    assert (data, status) == (None, 204)
    assert fake.requests[0].query == {"silent": "yes"}
    assert fake.profiles["ada"]["attributes"] == {"tier": "gold"}
    assert "bob" in fake.profiles


def test_bulk_update_with_an_empty_integration_id_is_refused_as_a_whole(api, fake):
    with pytest.raises(BadRequestException) as caught:
        api.update_customer_profiles_v2(bulk(("ada", {}), ("", {})))

    assert caught.value.errors[0]["source"]["pointer"] == "/customerProfiles/1/integrationId"
    assert fake.profiles == {}  # nothing of the batch was applied


# --- update_customer_profile_audiences -----------------------------------------------------------

def test_audience_changes_answer_204_and_show_on_the_profiles(api):
    def change(action, integration_id, audience_id):
        return CustomerProfileAudienceRequestItem(action=action, profile_integration_id=integration_id,
                                                  audience_id=audience_id)

    assert api.update_customer_profile_audiences(CustomerProfileAudienceRequest(
        data=[change("add", "ada", 1), change("add", "bob", 1), change("add", "bob", 2)])) is None
    api.update_customer_profile_audiences(CustomerProfileAudienceRequest(data=[change("delete", "bob", 1)]))

    ada = api.get_customer_inventory("ada", profile=True).profile
    bob = api.get_customer_inventory("bob", profile=True).profile
    assert [(a.id, a.name) for a in ada.audience_memberships] == [(1, "VIP")]
    assert [(a.id, a.name) for a in bob.audience_memberships] == [(2, "Newsletter")]


def test_an_unknown_audience_action_is_a_400_from_the_service(lenient_api, fake):
    with pytest.raises(BadRequestException) as caught:
        lenient_api.update_customer_profile_audiences(
            {"data": [{"action": "move", "profileIntegrationId": "ada", "audienceId": 1}]})

    assert caught.value.message == "Invalid request: /data/0/action must be one of: add, delete"
    assert caught.value.errors[0]["source"]["pointer"] == "/data/0/action"
    assert fake.profiles == {}


# --- get_customer_profiles_by_attributes ---------------------------------------------------------

@pytest.fixture
def customers(api):
    api.update_customer_profiles_v2(bulk(
        ("ada", {"tier": "gold", "city": "Berlin", "vip": True}),
        ("bob", {"tier": "gold", "city": "Paris", "vip": 1}),
        ("cleo", {"tier": "silver", "city": "Berlin"}),
    ), silent="yes")


@pytest.mark.parametrize(
    "attributes, expected",
    [
        ({"tier": "gold"}, ["ada", "bob"]),
        ({"tier": "gold", "city": "Berlin"}, ["ada"]),
        ({"vip": True}, ["ada"]),  # JSON true is not 1
        ({"tier": "bronze"}, []),
    ],
)
def test_search_returns_the_profiles_having_all_the_attributes(api, customers, attributes, expected):
    result = api.get_customer_profiles_by_attributes(CustomerProfileSearch(attributes=attributes))

    assert isinstance(result, InlineResponse200)
    assert result.total_result_size == len(expected)
    assert sorted(p.integration_id for p in result.data) == expected
    assert all(isinstance(p, CustomerProfile) for p in result.data)
