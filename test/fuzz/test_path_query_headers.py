"""Path and query parameters arrive exactly as given; nothing can inject a header line.

A raw 127.0.0.1 server records each request byte for byte. Any text (any Unicode,
'/', '..', '.', '%2F', '%', '?', '#', spaces, CR/LF, NUL) given as a path parameter
arrives as ONE path segment that percent-decodes to exactly that text; a query
parameter arrives as exactly one `name=value` pair decoding to it. CR/LF or NUL in
an API key, key prefix, application id or key, host, default header, cookie, user
agent or operation header is refused with a talon_one exception before anything is
sent, and no request ever carries an injected header line.
"""

import re
import urllib.parse
import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st

import talon_one
from talon_one.exceptions import ApiTypeError, ApiValueError, OpenApiException

from . import spec_strategies as spec
from .conftest import API_KEY, bounded

PATH_EXAMPLES = 40
INJECTION_EXAMPLES = 12

_SEGMENT = re.compile(r"(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})+\Z")
_QUERY_PART = re.compile(r"(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*\Z")
_HEADER_LINE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+: [^\r\n\x00]*\Z")

TRICKY = ["/", "..", ".", "%2F", "%", "%%", "%zz", "?", "#", " ", "  ", "\r\n", "\r\nX-Injected: 1", "\n", "\x00",
          "a/../b", "../..", "./", "%00", "+", "&x=1", ";a=b", "\\", "..%2F..", "~", "\U0001f600", "\u202e\u0644",
          "\ufeff", "\u2028", "\x85", "\t", "HTTP/1.1", " HTTP/1.1\r\nX-Injected: 1\r\n\r\n", "a b%20c"]
PARAMETER_TEXT = st.one_of(
    st.text(min_size=1, max_size=20),
    st.sampled_from(TRICKY),
    st.lists(st.sampled_from(TRICKY + ["a", "Z", "0"]), min_size=1, max_size=6).map("".join))

# Operations with exactly one path parameter, by method name: (path template, body schema).
PATH_OPERATIONS = [op for op in spec.OPERATIONS if len(op[3]) == 1]
# Headers a request of this SDK carries: nothing else may appear.
EXPECTED_HEADERS = {"host", "accept-encoding", "content-length", "user-agent", "accept", "content-type",
                    "authorization", "content-signature", "cookie", "x-custom", "connection"}


def assert_no_injected_header(server, extra=()):
    """Every recorded request has a well-formed request line and only well-formed, expected header lines."""
    allowed = EXPECTED_HEADERS | {name.lower() for name in extra}
    for request in server.requests:
        assert request.request_line_parts == 3 and request.version == "HTTP/1.1", request.request_line
        for line in request.header_lines:
            assert _HEADER_LINE.match(line), "malformed header line %r" % line
            assert line.split(":", 1)[0].lower() in allowed, "unexpected header line %r" % line


def _call(api, operation, value):
    """Call `operation` with `value` as its path parameter and the smallest valid body."""
    method_name, _, _, _, body_schema, _, _ = operation
    args = [value] + ([spec.minimal_json(body_schema)] if body_schema else [])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return getattr(api, method_name)(*args)


def test_path_parameters_arrive_as_exactly_one_segment(api, raw_server, figures):
    tried = []

    @bounded(PATH_EXAMPLES * 2)
    @given(operation=st.sampled_from(PATH_OPERATIONS), value=PARAMETER_TEXT)
    def check(operation, value):
        raw_server.reset()
        tried.append(1)
        _call(api, operation, value)
        assert len(raw_server.requests) == 1
        request = raw_server.requests[0]
        template = operation[2].split("/")[1:]
        assert request.method == operation[1]
        assert request.query is None
        assert len(request.segments) == len(template), (request.target, value)
        for raw, literal in zip(request.segments, template):
            if literal.startswith("{"):
                assert _SEGMENT.match(raw), "segment %r is not percent-encoded" % raw
                assert urllib.parse.unquote(raw, errors="strict") == value
            else:
                assert raw == literal
        assert_no_injected_header(raw_server)

    check()
    figures.add("fuzz examples: path parameters (one segment, exact)", len(tried))


@pytest.mark.parametrize("operation", PATH_OPERATIONS, ids=[op[0] for op in PATH_OPERATIONS])
def test_unusable_path_parameters_are_refused_before_sending(operation, api, raw_server):
    for value, error in (("", ApiValueError), (None, ApiValueError), (5, ApiTypeError), (["a"], ApiTypeError),
                         ("\ud800", ApiValueError), ("a\udfffb", ApiValueError)):
        raw_server.reset()
        with pytest.raises(error) as refused:
            _call(api, operation, value)
        assert operation[3][0] in str(refused.value) or spec.snake_case(operation[3][0]) in str(refused.value)
        assert raw_server.requests == []


def test_query_parameters_arrive_exactly(api, raw_server, figures):
    tried = []

    @bounded(PATH_EXAMPLES)
    @given(silent=st.one_of(st.text(max_size=20), st.sampled_from(TRICKY)), dry=st.booleans(),
           run=st.booleans())
    def check(silent, dry, run):
        tried.append(1)
        raw_server.reset()
        api.update_customer_profiles_v2({}, silent=silent)
        api.update_customer_profile_v2("p", {}, dry=dry, run_rule_engine=run)
        first, second = raw_server.requests
        assert first.path == "/v2/customer_profiles" and second.path == "/v2/customer_profiles/p"
        for part in first.query.split("&"):
            name, _, encoded = part.partition("=")
            assert _QUERY_PART.match(name) and _QUERY_PART.match(encoded), part
        assert first.query_pairs() == [("silent", silent)]
        assert sorted(second.query_pairs()) == sorted([("dry", "true" if dry else "false"),
                                                       ("runRuleEngine", "true" if run else "false")])
        assert_no_injected_header(raw_server)

    check()
    figures.add("fuzz examples: query parameters (exact)", len(tried))


def test_unusable_query_parameters_are_refused_before_sending(api, raw_server):
    for call, error in ((lambda: api.update_customer_profiles_v2({}, silent=5), ApiTypeError),
                        (lambda: api.update_customer_profiles_v2({}, silent="\udc80"), ApiValueError),
                        (lambda: api.update_customer_profile_v2("p", {}, dry="true"), ApiTypeError),
                        (lambda: api.update_customer_profile_v2("p", {}, dry=1), ApiTypeError)):
        with pytest.raises(error):
            call()
    assert raw_server.requests == []


# --------------------------------------------------------------------------
# Header injection through configuration and headers
# --------------------------------------------------------------------------

BREAKS = ["\r\n", "\n", "\r", "\x00", "\r\nX-Injected: 1", "\r\n X-Injected: folded", "\n\tX-Injected: tab",
          "\r\n\r\nGET /x HTTP/1.1\r\nX-Injected: 1", "\rX-Injected: 1"]
# Header-safe text around a line break: what an attacker controls, and where the break sits.
INJECTED = st.tuples(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=10),
                     st.sampled_from(BREAKS),
                     st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=10)).map(
    "".join)


def _settings(raw_server, **overrides):
    settings = {"host": raw_server.url, "api_key_v1": API_KEY, "retries": 0, "connect_timeout": 2,
                "read_timeout": 5}
    settings.update(overrides)
    return settings


def _refused_before_sending(raw_server, build_and_call):
    """build_and_call() raises a talon_one exception (at configuration or call time); nothing is sent."""
    raw_server.reset()
    try:
        build_and_call()
    except OpenApiException as error:
        assert not isinstance(error, talon_one.ApiException), "refused by the server, not before sending: %s" % error
        # The refusal is one line: a value echoed in it is escaped (repr), so it cannot forge log lines.
        assert not set(str(error)) & {"\r", "\n", "\x00"}, repr(str(error))
    except Exception as error:
        raise AssertionError("%s escaped instead of a talon_one exception: %s" % (type(error).__name__, error))
    else:
        raise AssertionError("a value with a line break or NUL was accepted and sent: %r" % raw_server.requests)
    assert raw_server.requests == [], "refused, yet sent"


def _inventory(client):
    return talon_one.IntegrationApi(client).get_customer_inventory("customer-1")


def _client(raw_server, **overrides):
    return talon_one.ApiClient(talon_one.Configuration(**_settings(raw_server, **overrides)))


def _closing(client, action):
    try:
        return action(client)
    finally:
        client.close()


# Each entry: (what, function(raw_server, bad) -> None that configures the bad value and makes a call).
def _mutated_key(raw_server, bad):
    client = _client(raw_server)
    client.configuration.api_key["Authorization"] = bad
    _closing(client, _inventory)


def _mutated_default_headers(raw_server, bad):
    client = _client(raw_server)
    client.default_headers["X-Custom"] = bad
    _closing(client, _inventory)


def _mutated_default_header_name(raw_server, bad):
    client = _client(raw_server)
    client.default_headers[bad] = "value"
    _closing(client, _inventory)


def _setter(attribute):
    def configure(raw_server, bad):
        client = _client(raw_server)
        try:
            setattr(client, attribute, bad)
            _inventory(client)
        finally:
            client.close()
    return configure


def _configuration_setter(attribute):
    def configure(raw_server, bad):
        client = _client(raw_server)
        try:
            setattr(client.configuration, attribute, bad)
            _inventory(client)
        finally:
            client.close()
    return configure


def _header_params(raw_server, bad):
    _closing(_client(raw_server), lambda client: client.call_api(
        "/v1/customer_profiles/{integrationId}/inventory", "GET", path_params={"integrationId": "c"},
        header_params={"X-Custom": bad}, response_type="object", auth_settings=["api_key_v1"]))


def _header_param_name(raw_server, bad):
    _closing(_client(raw_server), lambda client: client.call_api(
        "/v1/customer_profiles/{integrationId}/inventory", "GET", path_params={"integrationId": "c"},
        header_params={bad: "value"}, response_type="object", auth_settings=["api_key_v1"]))


def _request_headers(raw_server, bad):
    _closing(_client(raw_server), lambda client: client.request("GET", raw_server.url + "/x",
                                                                headers={"X-Custom": bad}))


INJECTION_POINTS = {
    "api_key_v1": lambda server, bad: _closing(_client(server, api_key_v1=bad), _inventory),
    "api_key dict": lambda server, bad: _closing(_client(server, api_key_v1=None, api_key={"Authorization": bad}),
                                                 _inventory),
    "api_key mutated": _mutated_key,
    "api_key_prefix": lambda server, bad: _closing(
        _client(server, api_key_v1=None, api_key={"Authorization": "k"}, api_key_prefix={"Authorization": bad}),
        _inventory),
    "api_key_v1 set later": _configuration_setter("api_key_v1"),
    "application_id": lambda server, bad: _closing(
        _client(server, api_key_v1=None, application_id=bad, application_key="c0ffee"), _inventory),
    "application_key": lambda server, bad: _closing(
        _client(server, api_key_v1=None, application_id=42, application_key=bad), _inventory),
    "host": lambda server, bad: _closing(_client(server, host=server.url + bad), _inventory),
    "host set later": lambda server, bad: _configuration_setter("host")(server, server.url + "/" + bad),
    "Configuration default_headers value": lambda server, bad: _closing(
        _client(server, default_headers={"X-Custom": bad}), _inventory),
    "Configuration default_headers name": lambda server, bad: _closing(
        _client(server, default_headers={bad: "value"}), _inventory),
    "set_default_header value": lambda server, bad: _closing(
        _client(server), lambda client: (client.set_default_header("X-Custom", bad), _inventory(client))),
    "set_default_header name": lambda server, bad: _closing(
        _client(server), lambda client: (client.set_default_header(bad, "value"), _inventory(client))),
    "ApiClient(header_value=)": lambda server, bad: _closing(
        talon_one.ApiClient(talon_one.Configuration(**_settings(server)), header_name="X-Custom", header_value=bad),
        _inventory),
    "ApiClient(cookie=)": lambda server, bad: _closing(
        talon_one.ApiClient(talon_one.Configuration(**_settings(server)), cookie=bad), _inventory),
    "cookie set later": _setter("cookie"),
    "user_agent": _setter("user_agent"),
    "default_headers mutated (value)": _mutated_default_headers,
    "default_headers mutated (name)": _mutated_default_header_name,
    "header_params value": _header_params,
    "header_params name": _header_param_name,
    "ApiClient.request headers": _request_headers,
}


@pytest.mark.parametrize("point", sorted(INJECTION_POINTS))
def test_line_breaks_in_any_header_source_are_refused_before_sending(point, raw_server, figures):
    tried = []

    @bounded(INJECTION_EXAMPLES)
    @given(bad=INJECTED)
    def check(bad):
        tried.append(1)
        _refused_before_sending(raw_server, lambda: INJECTION_POINTS[point](raw_server, bad))
        assert_no_injected_header(raw_server)

    check()
    figures.add("fuzz examples: header injection attempts refused (%d sources)" % len(INJECTION_POINTS), len(tried))


def test_the_injection_points_do_send_clean_values(raw_server):
    """The control for the test above: each source, given a clean value, does send a request."""
    clean = {"application_id": 42, "application_key": "c0ffee", "host": "", "host set later": "",
             "Configuration default_headers name": "X-Custom", "set_default_header name": "X-Custom",
             "default_headers mutated (name)": "X-Custom", "header_params name": "X-Custom"}
    for point, configure in sorted(INJECTION_POINTS.items()):
        raw_server.reset()
        configure(raw_server, clean.get(point, "clean-value"))
        assert len(raw_server.requests) == 1, point
        assert_no_injected_header(raw_server)
