"""Every public name of the official SDK (spec/official-3.3.0-surface.json) exists here and accepts
the official SDK's arguments."""

import types

import pytest

import talon_one
from surface import load_surface, name_problems, signature_problems, surface_problems

SURFACE = load_surface()


def test_the_facts_file_lists_the_official_runtime():
    assert set(SURFACE["modules"]) == {"talon_one.rest", "talon_one.exceptions", "talon_one.api_client",
                                       "talon_one.configuration"}
    assert "deserialize_model" in SURFACE["modules"]["talon_one.api_client"]["ApiClient"]["members"]


@pytest.mark.parametrize("module_name", sorted(SURFACE["modules"]))
def test_every_listed_name_exists_with_a_compatible_signature(module_name):
    problems = []
    for name, fact in SURFACE["modules"][module_name].items():
        problems += name_problems(__import__(module_name, fromlist=["_"]), name, fact)
    assert problems == []


def test_the_whole_surface_at_once():
    assert surface_problems(SURFACE) == []


def test_every_official_configuration_attribute_exists():
    configuration = talon_one.Configuration()
    missing = [name for name in SURFACE["Configuration instance attributes"] if not hasattr(configuration, name)]
    assert missing == []


def test_every_official_api_client_attribute_exists():
    client = talon_one.ApiClient(talon_one.Configuration(host="http://127.0.0.1:9"))
    try:
        missing = [name for name in SURFACE["ApiClient instance attributes"] if not hasattr(client, name)]
    finally:
        client.close()
    assert missing == []


def test_every_official_top_level_name_exists():
    missing = [name for name in SURFACE["talon_one top-level names (non-model)"] if not hasattr(talon_one, name)]
    assert missing == []


# -- the checker itself finds what it should ------------------------------------------------------

def test_the_checker_reports_a_missing_name_and_a_missing_member():
    module = types.ModuleType("talon_one_fake_module")

    class RESTResponse:
        def getheaders(self):
            return {}

    module.RESTResponse = RESTResponse
    fact = {"kind": "class", "bases": ["IOBase"],
            "members": {"getheader": {"kind": "method", "signature": "(self, name, default=None)"}}}
    problems = name_problems(module, "RESTResponse", fact) + name_problems(module, "RESTClientObject", fact)
    assert any("does not derive from IOBase" in p for p in problems)
    assert any("getheader: missing method" in p for p in problems)
    assert any("RESTClientObject is missing" in p for p in problems)


def test_the_checker_reports_signatures_that_refuse_official_arguments():
    def reordered(self, method, url, headers=None, query_params=None):
        pass

    def narrower(self, method, url):
        pass

    def required_extra(self, method, url, query_params=None, headers=None, timeout_s=None, extra=0, *, x):
        pass

    official = "(self, method, url, query_params=None, headers=None)"
    assert any("positional order" in p for p in signature_problems(reordered, official, False))
    assert signature_problems(narrower, official, False)
    assert signature_problems(required_extra, official, False)

    def compatible(self, method, url, query_params=None, headers=None, retries=None):
        pass
    assert signature_problems(compatible, official, False) == []
