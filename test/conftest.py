"""Suite-wide fixtures and hooks: client-side validation switched on, and the figures the
reliability suites report.

A test that measures something (calls made, faults injected, examples tried)
records it with the `figures` fixture; the numbers are printed in one table at
the end of the run, which is where the README's Reliability section comes from.
"""

import collections
import os
import threading

import pytest

import talon_one

# The suite's servers listen on 127.0.0.1 and its TLS tests name their CA: a proxy or a CA bundle
# from the machine's environment (read by the client when trust_env is on) must not reach them.
# Tests of the environment's role set these variables themselves (monkeypatch).
for _name in list(os.environ):
    if _name.lower().endswith("_proxy") or _name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        del os.environ[_name]

_figures = collections.OrderedDict()
_figures_lock = threading.Lock()


class Figures:
    """Records named numbers; `add` accumulates, `set` replaces."""

    def add(self, name, amount=1):
        with _figures_lock:
            _figures[name] = _figures.get(name, 0) + amount

    def set(self, name, value):
        with _figures_lock:
            _figures[name] = value


@pytest.fixture
def validation_on():
    """Client-side validation on in the default configuration (the models' default), restored afterwards."""
    configuration = talon_one.Configuration.get_default()
    before = configuration.client_side_validation
    configuration.client_side_validation = True
    yield configuration
    configuration.client_side_validation = before


TRANSPORTS = ["urllib3", "requests"]


@pytest.fixture(params=TRANSPORTS)
def each_transport(request, monkeypatch):
    """Runs the test once per real transport: every ApiClient the test makes (without a transport
    of its own) sends with the default Urllib3Transport, then with a RequestsTransport."""
    if request.param == "requests":
        from talon_one import rest
        from talon_one.transport_requests import RequestsTransport

        def make_requests_transport(configuration, pools_size=4, maxsize=None):
            return RequestsTransport(configuration=configuration)

        monkeypatch.setattr(rest, "make_transport", make_requests_transport)
    return request.param


@pytest.fixture(scope="session")
def figures():
    return Figures()


def pytest_terminal_summary(terminalreporter):
    if not _figures:
        return
    terminalreporter.section("talon_one reliability figures")
    width = max(len(name) for name in _figures)
    for name, value in _figures.items():
        shown = "%.3g" % value if isinstance(value, float) else str(value)
        terminalreporter.write_line("%s  %s" % (name.ljust(width), shown))


def pytest_collection_modifyitems(items):
    """each_transport picks the synchronous client's transport; a test that also runs with the asyncio
    client (client_kind) would run it once per synchronous transport, the same run twice: the
    asyncio run under the requests transport is left out."""
    def repeated(item):
        params = getattr(getattr(item, "callspec", None), "params", {})
        return params.get("client_kind") == "asyncio" and params.get("each_transport") == "requests"
    items[:] = [item for item in items if not repeated(item)]
