"""mypy --strict on talon_one, on the examples, and on a user's module with planted mistakes.

The user's module is checked the way a project that installed talon_one checks
it: talon_one comes from site-packages and is typed because it ships py.typed.
Each planted mistake is its own copy of the module, changed on one line, and
must be reported on that line; the unchanged module must pass.
"""

import os
import re
import subprocess
import sys

from .conftest import ROOT

# What a user writes: build a request with models, call the API, read the answer.
USER_MODULE = '''\
from typing import List, Optional, Tuple

import talon_one
from talon_one import CartItem, Effect, IntegrationApi, IntegrationStateV2
from talon_one.testing import MockResponse, MockTransport
from talon_one.transport import TransportRequest


def cart_items(lines: List[Tuple[str, int, float]]) -> List[CartItem]:
    items = [CartItem(name=sku, sku=sku, quantity=quantity, price=price) for sku, quantity, price in lines]
    items[0].quantity = 2                                                          # FIELD
    return items


def make_api(base_url: str, api_key: str) -> IntegrationApi:
    return IntegrationApi(talon_one.ApiClient(talon_one.Configuration(host=base_url, api_key_v1=api_key)))  # HOST


def settings(base_url: str) -> talon_one.Configuration:
    configuration = talon_one.Configuration.from_env(host=base_url)
    configuration.transport = "urllib3"                                            # TRANSPORT
    configuration.read_timeout = 10.0                                              # SETTING
    configuration.retries = 3                                                      # RETRIES
    configuration.proxy_headers = {"Proxy-Authorization": "Basic abc"}
    return configuration


def ping(client: talon_one.ApiClient, url: str) -> int:
    response = client.request("GET", url, _request_timeout=(1.0, 5.0))             # TIMEOUT
    body: bytes = response.data                                                    # RAW
    header: Optional[str] = response.getheader("Content-Type")
    status: int = response.status
    listing: bytes = client.rest_client.GET(url, query_params={"page": 1}).data    # REST
    return len(body) + status + len(header or "") + len(listing)


def price_cart(api: IntegrationApi, session_id: str) -> float:
    session = talon_one.NewCustomerSessionV2(profile_id="customer-1", cart_items=cart_items([("SKU-1", 1, 9.5)]))
    request = talon_one.IntegrationRequest(customer_session=session)
    state = api.update_customer_session_v2(session_id, request, dry=True)        # KEYWORD
    effects: List[Effect] = state.effects or []                                    # RETURN
    later: IntegrationStateV2 = api.update_customer_session_v2(session_id, request, async_req=True).get(5)
    data, status, headers = api.get_reserved_coupons_with_http_info("customer-1")
    raw = api.get_reserved_coupons("customer-1", _preload_content=False)  # the unread urllib3 response
    raw.release_conn()
    data_only = api.get_reserved_coupons_with_http_info("customer-1", _return_http_data_only=True)
    pending = api.get_reserved_coupons("customer-1", async_req=bool(session_id))  # either, as asked
    codes = [coupon.value for coupon in data.data or []]
    code: int = status
    total: Optional[float] = state.customer_session.cart_item_total if state.customer_session else None
    inventory = api.get_customer_inventory("customer-1", loyalty=True)            # ARGUMENT
    return (total or 0.0) - len(effects) + len(codes) + code + len(later.effects or []) + len(headers) + (
        1 if inventory.loyalty else 0) + (1 if data_only and pending else 0)


def unit_test_api() -> IntegrationApi:
    def handler(request: TransportRequest) -> MockResponse:
        return MockResponse(200, json={"effects": []})                             # MOCK
    configuration = talon_one.Configuration(host="https://mycompany.talon.one", api_key_v1="k")
    return IntegrationApi(talon_one.ApiClient(configuration, transport=MockTransport(handler)))


def seconds_to_wait(error: talon_one.TooManyRequestsException) -> float:
    message: str = error.message or ""
    return (error.retry_after or 1.0) + len(message) + (error.status or 0)    # EXCEPTION
'''

# Marker -> (the line as changed, the error mypy must report there).
MISTAKES = {
    "FIELD": ("    items[0].quantty = 2", r'"CartItem" has no attribute "quantty"'),
    "KEYWORD": ("    state = api.update_customer_session_v2(session_id, request, dyr=True)",
                r'No overload variant of "update_customer_session_v2"|Unexpected keyword argument "dyr"'),
    "RETURN": ("    effects: List[Effect] = api.update_customer_session_v2(session_id, request)",
               r"Incompatible types in assignment"),
    "ARGUMENT": ('    inventory = api.get_customer_inventory("customer-1", loyalty="yes")',
                 r'No overload variant of "get_customer_inventory"|Argument "loyalty" .* incompatible type'),
    "ASYNC": (None, r"Incompatible types in assignment"),  # the async result taken for the model
    "EXCEPTION": ("    return error.message or error.retry_after or 1.0",
                  r"Incompatible return value type"),  # the service's message taken for a number
    # The runtime's own annotations: Configuration, ApiClient, and the official SDK's request helpers.
    "HOST": ("    return IntegrationApi(talon_one.ApiClient(talon_one.Configuration(host=len(base_url), "
             "api_key_v1=api_key)))",
             r'Argument "host" to "Configuration" has incompatible type "int"'),
    "TRANSPORT": ('    configuration.transport = "request"',
                  r'Incompatible types in assignment \(expression has type "Literal\[.request.\]"'),
    "SETTING": ("    configuration.read_timout = 10.0", r'"Configuration" has no attribute "read_timout"'),
    "RETRIES": ('    configuration.retries = "3"', r'Incompatible types in assignment \(expression has type "str"'),
    "TIMEOUT": ('    response = client.request("GET", url, _request_timeout="5")',
                r'No overload variant of "request" of "ApiClient"|Argument "_request_timeout"'),
    "RAW": ("    body: str = response.data", r'Incompatible types in assignment \(expression has type "bytes"'),
    # talon_one.testing, imported lazily at run time, is typed for checkers too.
    "MOCK": ('        return MockResponse("200", json={"effects": []})',
             r'Argument 1 to "MockResponse" has incompatible type "str"'),
    "REST": ('    listing: str = client.rest_client.GET(url, query_params={"page": 1}).data',
             r'Incompatible types in assignment \(expression has type "bytes"'),
}
ASYNC_LINE = ("    later: IntegrationStateV2 = api.update_customer_session_v2(session_id, request, async_req=True).get(5)",
              "    later: IntegrationStateV2 = api.update_customer_session_v2(session_id, request, async_req=True)")


def _variant(marker):
    """The user module with the mistake of `marker` (None: the correct module), and the changed line's number."""
    lines = USER_MODULE.split("\n")
    for number, line in enumerate(lines, 1):
        if marker == "ASYNC" and line == ASYNC_LINE[0]:
            lines[number - 1] = ASYNC_LINE[1]
            return "\n".join(lines), number
        if marker is not None and line.endswith("# " + marker):
            lines[number - 1] = MISTAKES[marker][0]
            return "\n".join(lines), number
    assert marker is None, marker
    return "\n".join(re.sub(r"\s+# [A-Z]+$", "", line) for line in lines), None


def _mypy(args, cwd, cache):
    return subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", cache, "--no-error-summary",
                           "--hide-error-context", "--show-error-codes"] + args,
                          cwd=cwd, capture_output=True, text=True, timeout=600)


def test_talon_one_and_the_examples_pass_mypy_strict(mypy_cache):
    """The project's configuration (mypy.ini): strict, on talon_one/ and examples/."""
    result = _mypy([], ROOT, mypy_cache)
    assert result.returncode == 0, result.stdout + result.stderr
    with open(os.path.join(ROOT, "mypy.ini"), encoding="utf-8") as handle:
        config = handle.read()
    assert re.search(r"^strict = True$", config, re.M) and re.search(r"^files = talon_one, examples$", config, re.M)


def test_mypy_strict_reports_each_planted_mistake_in_a_users_module(tmp_path, installed_python, mypy_cache):
    files = {}
    for marker in [None] + list(MISTAKES):
        text, line = _variant(marker)
        name = "user_%s.py" % (marker or "correct").lower()
        (tmp_path / name).write_text(text, encoding="utf-8")
        files[name] = (marker, line)
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        readme = handle.read().split("## Type checking and editors", 1)[1]
    (tmp_path / "user_readme.py").write_text(readme.split("```python", 1)[1].split("```", 1)[0], encoding="utf-8")
    files["user_readme.py"] = (None, None)
    options = ["--strict", "--python-executable", installed_python]
    result = _mypy(options + sorted(files), str(tmp_path), mypy_cache)
    errors = {}
    for output in result.stdout.splitlines():
        match = re.match(r"(user_\w+\.py):(\d+): error: (.*)", output)
        if match:
            errors.setdefault(match.group(1), []).append((int(match.group(2)), match.group(3)))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "user_correct.py" not in errors and "user_readme.py" not in errors, errors
    for name, (marker, line) in files.items():
        if marker is None:
            continue
        reported = errors.get(name, [])
        assert reported and all(number == line for number, _ in reported), (marker, reported, result.stdout)
        assert any(re.search(MISTAKES[marker][1], message) for _, message in reported), (marker, reported)
