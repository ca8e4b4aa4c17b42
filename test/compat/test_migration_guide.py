"""The README's "Migrating from the official SDK" section: its example runs against the fake, and
each difference it names behaves as it says."""

import datetime
import os
import re
import socket

import pytest

import talon_one
from talon_one.retries import resolve_policy
from talon_one.testing import Fault

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as _handle:
    README = _handle.read()
SECTION = README.split("## Migrating from the official SDK", 1)[1].split("\n## ", 1)[0]


def python_blocks(text):
    """The ```python blocks of `text` not marked `<!-- not run: ... -->` on the line before."""
    blocks = []
    for match in re.finditer(r"(?:^|\n)([^\n]*)\n```python\n(.*?)```", text, re.S):
        if not match.group(1).startswith("<!-- not run:"):
            blocks.append(match.group(2))
    return blocks


def test_the_migration_example_runs_unchanged_against_the_fake(fake, capsys):
    blocks = python_blocks(SECTION)
    assert len(blocks) == 1
    code = blocks[0].replace('"https://mycompany.talon.one"', repr(fake.base_url)).replace(
        '"YOUR_API_KEY"', repr(fake.api_key))
    assert code != blocks[0]
    exec(compile(code, "README.md migration", "exec"), {})
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["Summer sale 10% 4.5", "None", "200"]
    assert fake.sessions["session-1"]["couponCodes"] == ["SUMMER10"]


def test_the_retries_section_blocks_are_marked_or_run():
    retries = README.split("### Retries", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    assert "<!-- not run:" in retries and "Retry(total=None, connect=5, read=2, status=0)" in retries
    from urllib3.util.retry import Retry
    policy = resolve_policy(Retry(total=None, connect=5, read=2, status=0))
    assert policy.counts == {"connect": 5, "read": 2, "status": 0}
    assert resolve_policy(Retry(total=3, status_forcelist=[502, 503], backoff_factor=0.5)).statuses == {502, 503}


def test_naive_datetimes_are_refused():
    with pytest.raises(talon_one.ApiValueError, match="naive datetime"):
        talon_one.NewEvent(profile_id="customer-1", type="viewed", session_id="s",
                           attributes={"when": datetime.datetime(2024, 6, 15, 12, 0)})
    aware = datetime.datetime(2024, 6, 15, 12, 0, tzinfo=datetime.timezone.utc)
    assert talon_one.NewEvent(profile_id="customer-1", type="viewed", session_id="s", attributes={"when": aware})


def test_api_exception_covers_connection_errors_and_timeouts_with_status_none(fake):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    refused = talon_one.Configuration(host="http://127.0.0.1:%d" % closed, api_key_v1="k", retries=0)
    with talon_one.ApiClient(refused) as client:
        with pytest.raises(talon_one.ApiException) as raised:
            talon_one.IntegrationApi(client).get_customer_inventory("customer-1")
    assert isinstance(raised.value, talon_one.ApiConnectionError) and raised.value.status is None
    fake.inject_faults(Fault.slow(2))
    slow = talon_one.Configuration(host=fake.base_url, api_key_v1=fake.api_key, retries=0, read_timeout=0.3)
    with talon_one.ApiClient(slow) as client:
        with pytest.raises(talon_one.ApiException) as raised:
            talon_one.IntegrationApi(client).get_customer_inventory("customer-1")
    assert isinstance(raised.value, talon_one.ApiTimeoutError) and raised.value.status is None


def test_booleans_are_sent_as_true_and_false(fake, api):
    api.update_customer_profile_v2("customer-1", talon_one.CustomerProfileIntegrationRequestV2({"name": "Ada"}),
                                   run_rule_engine=True, dry=False)
    assert fake.requests[-1].query == {"runRuleEngine": "true", "dry": "false"}


def test_validation_applies_to_requests_only(api_client, validation_on):
    with pytest.raises(talon_one.ApiValueError, match="NewCustomerSessionV2.state"):
        talon_one.NewCustomerSessionV2("customer-1", state="paused")
    # The same value in a response decodes: the service may add states this SDK version does not know.
    session = api_client.deserialize(b'{"integrationId": "s", "state": "paused", "futureField": 1}',
                                     "CustomerSessionV2")
    assert session.state == "paused" and session.additional_properties == {"futureField": 1}


def test_retries_and_timeouts_are_on_by_default(fake):
    configuration = talon_one.Configuration(host=fake.base_url, api_key_v1=fake.api_key)
    assert (configuration.connect_timeout, configuration.read_timeout) == (5, 30)
    assert resolve_policy(configuration.retries).max_retries == 2
    fake.inject_faults(Fault.unavailable(retry_after=0))
    with talon_one.ApiClient(configuration) as client:
        api = talon_one.IntegrationApi(client)
        api.update_customer_profile_v2("customer-1", talon_one.CustomerProfileIntegrationRequestV2({}))
    assert fake.faults_served == 1 and "customer-1" in fake.profiles


def test_both_packages_install_the_talon_one_import_package_and_the_guide_says_what_to_do():
    from setuptools import find_packages
    ours = find_packages(where=ROOT, include=["talon_one", "talon_one.*"])
    assert "talon_one" in ours and all(name.split(".")[0] == "talon_one" for name in ours)
    with open(os.path.join(ROOT, "spec", "official-3.3.0-surface.json"), encoding="utf-8") as handle:
        assert "official talon_one 3.3.0" in handle.read()  # the official package's import name
    with open(os.path.join(ROOT, "setup.py"), encoding="utf-8") as handle:
        assert 'name="talon_one"' in handle.read()
    assert "pip uninstall -y talon-one-python-sdk\n" in SECTION
    assert "pip uninstall -y talon-one-python-sdk talon_one\n" in SECTION
    assert SECTION.index("pip uninstall -y talon-one-python-sdk\n") < SECTION.index("pip install -e .")
