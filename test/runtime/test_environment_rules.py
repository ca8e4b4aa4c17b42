"""The environment rules on their own: NO_PROXY matching (the standard library's, plus CIDR
ranges), the proxy for a URL, the CA bundle's precedence, and the README's table of every
environment variable the SDK reads. (With real proxies and origins: test/security/test_environment.py.)"""

import pathlib

import pytest

import talon_one
from talon_one.configuration import _ENVIRONMENT
from talon_one.environment import (ENVIRONMENT_VARIABLES, ProxiesByOrigin, bypasses_proxy,
                                   ca_bundle_from_environment, environment_proxies, proxy_for_url)


@pytest.mark.parametrize("host, no_proxy, bypassed", [
    ("api.example.com", "example.com", True),            # a domain covers its subdomains
    ("api.example.com", ".example.com", True),
    ("example.com", ".example.com", True),
    ("badexample.com", "example.com", False),            # but not names that merely end alike
    ("api.example.com:8443", "api.example.com:8443", True),
    ("api.example.com:443", "api.example.com:8443", False),
    ("API.Example.COM", "example.com", True),
    ("10.1.2.3", "10.0.0.0/8", True),                     # CIDR ranges: not in the standard library
    ("10.1.2.3:8080", "10.0.0.0/8", True),
    ("11.1.2.3", "10.0.0.0/8", False),
    ("[fd00::1]:443", "fd00::/8", True),
    ("fd00::1", "fe80::/10", False),
    ("anything.example", "*", True),
    ("anything.example", "", False),
    ("10.1.2.3", "not-a-network/99, 10.1.2.3", True),
])
def test_no_proxy_matching(host, no_proxy, bypassed):
    assert bypasses_proxy(host, no_proxy) is bypassed


class Settings:
    proxy = None
    trust_env = True
    no_proxy = None
    ssl_ca_cert = None
    ssl_ca_cert_dir = None


@pytest.mark.parametrize("environ, url, expected", [
    ({"HTTPS_PROXY": "http://p:1"}, "https://h.example/v2", "http://p:1"),
    ({"HTTPS_PROXY": "http://p:1"}, "http://h.example/v2", None),
    ({"HTTP_PROXY": "http://p:2", "ALL_PROXY": "http://p:3"}, "https://h.example/v2", "http://p:3"),
    ({"https_proxy": "http://lower:1", "HTTPS_PROXY": "http://upper:1"}, "https://h.example/", "http://lower:1"),
    ({"HTTPS_PROXY": "p:3128"}, "https://h.example/", "http://p:3128"),
    ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "h.example"}, "https://h.example/", None),
    ({"HTTPS_PROXY": ""}, "https://h.example/", None),
])
def test_proxy_for_url(environ, url, expected):
    assert proxy_for_url(url, environment_proxies(Settings(), environ)) == expected


def test_proxies_by_origin_answers_as_proxy_for_url_and_keeps_one_answer_per_origin():
    proxies = environment_proxies(Settings(), {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "direct.example"})
    chooser = ProxiesByOrigin(proxies, limit=2)
    assert chooser.for_url("https://api.example/v2/a?x=1") == "http://p:1"
    assert chooser.for_url("https://direct.example/v2/a") is None
    assert chooser.for_url("http://api.example/v2/a") is None          # another origin: another scheme
    assert chooser.for_url("https://api.example") == "http://p:1"      # no path
    proxies["https"] = "http://changed:2"  # answers kept for the first `limit` origins; past it, asked anew
    assert chooser.for_url("https://api.example/v1/b") == "http://p:1"
    assert chooser.for_url("https://other.example/v1/b") == "http://changed:2"


def test_ca_bundle_precedence(tmp_path):
    environ = {"REQUESTS_CA_BUNDLE": "/r.pem", "CURL_CA_BUNDLE": "/c.pem", "SSL_CERT_FILE": "/s.pem",
               "SSL_CERT_DIR": "/dir"}
    assert ca_bundle_from_environment(Settings(), environ) == ("/r.pem", "/dir")
    del environ["REQUESTS_CA_BUNDLE"]
    assert ca_bundle_from_environment(Settings(), environ) == ("/c.pem", "/dir")
    del environ["CURL_CA_BUNDLE"]
    assert ca_bundle_from_environment(Settings(), environ) == ("/s.pem", "/dir")
    assert ca_bundle_from_environment(Settings(), {"REQUESTS_CA_BUNDLE": str(tmp_path)}) == (None, str(tmp_path))
    explicit = Settings()
    explicit.ssl_ca_cert = "/mine.pem"
    assert ca_bundle_from_environment(explicit, environ) == ("/mine.pem", None)
    untrusting = Settings()
    untrusting.trust_env = False
    assert ca_bundle_from_environment(untrusting, environ) == (None, None)


def test_no_proxy_setting_must_be_text_or_a_list():
    with pytest.raises(talon_one.ApiTypeError) as raised:
        environment_proxies(type("S", (Settings,), {"no_proxy": 3})(), {"HTTP_PROXY": "http://p:1"})
    assert "no_proxy" in str(raised.value)


def test_every_variable_read_is_in_the_readme_table():
    from_env = {name for _, names in _ENVIRONMENT for name in names}
    assert from_env <= set(ENVIRONMENT_VARIABLES)
    readme = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = readme.split("### Environment variables", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip().strip("`") for line in table.splitlines() if line.startswith("| `")}
    assert rows == set(ENVIRONMENT_VARIABLES)
