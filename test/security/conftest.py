"""Fixtures for the security tests: a throwaway CA, the fake behind HTTP and HTTPS origins, a forward
proxy, distinctive secrets, and a capture of every log record and warning."""

import logging
import ssl
import warnings

import pytest
import trustme

from talon_one.retries import RetryPolicy
from talon_one.testing import FakeTalonOne

from clients import Clients
from security_servers import ForwardProxy, Origin
from security_support import SECRETS, Capture, Records, Scan


@pytest.fixture(scope="session")
def creds():
    return SECRETS


# -- TLS material ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def ca():
    return trustme.CA()


@pytest.fixture(scope="session")
def tls_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("tls")


@pytest.fixture(scope="session")
def ca_file(ca, tls_dir):
    path = tls_dir / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def server_context(certificate, client_ca=None, maximum_version=None):
    """An SSLContext serving `certificate`; with `client_ca`, a client certificate is required."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    certificate.configure_cert(context)
    if client_ca is not None:
        client_ca.configure_trust(context)
        context.verify_mode = ssl.CERT_REQUIRED
    if maximum_version is not None:
        context.maximum_version = maximum_version
    return context


@pytest.fixture(scope="session")
def client_certificate(ca, tls_dir):
    """(cert_file, key_file, combined_file) of a client certificate the CA issued."""
    issued = ca.issue_cert("client@talon-one.test")
    cert_file, key_file, combined = tls_dir / "client.pem", tls_dir / "client.key", tls_dir / "client-both.pem"
    issued.cert_chain_pems[0].write_to_path(str(cert_file))
    issued.private_key_pem.write_to_path(str(key_file))
    issued.private_key_and_cert_chain_pem.write_to_path(str(combined))
    lines = [line for line in issued.private_key_pem.bytes().decode().splitlines() if "-----" not in line]
    SECRETS.client_key_line = max(lines, key=len)
    return str(cert_file), str(key_file), str(combined)


# -- servers -------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def fake_server():
    fake = FakeTalonOne(api_key=SECRETS.api_key, application_id=SECRETS.application_id,
                        application_key=SECRETS.application_key)
    with fake:
        yield fake


@pytest.fixture
def fake(fake_server):
    fake_server.reset()
    yield fake_server
    fake_server.reset()


@pytest.fixture(scope="session")
def _http_origin(fake_server):
    origin = Origin(fake_server.base_url)
    yield origin
    origin.close()


@pytest.fixture(scope="session")
def _https_origin(fake_server, ca):
    origin = Origin(fake_server.base_url, server_context(ca.issue_cert("127.0.0.1", "localhost")))
    yield origin
    origin.close()


@pytest.fixture
def http_origin(_http_origin, fake):
    _http_origin.clear()
    yield _http_origin
    _http_origin.clear()


@pytest.fixture
def https_origin(_https_origin, fake):
    _https_origin.clear()
    yield _https_origin
    _https_origin.clear()


@pytest.fixture
def make_origin(fake):
    """Start an extra HTTPS origin with its own certificate / client-certificate policy."""
    started = []

    def make(certificate, client_ca=None, maximum_version=None):
        origin = Origin(fake.base_url, server_context(certificate, client_ca, maximum_version))
        started.append(origin)
        return origin

    yield make
    for origin in started:
        origin.close()


@pytest.fixture(scope="session")
def _proxy():
    proxy = ForwardProxy(SECRETS.proxy_user, SECRETS.proxy_password)
    yield proxy
    proxy.close()


@pytest.fixture
def proxy(_proxy):
    _proxy.clear()
    yield _proxy
    _proxy.clear()


# -- clients ---------------------------------------------------------------------------------------

@pytest.fixture
def client_kind():
    """Which client make_api builds: "sync" here; test_tls.py and test_proxy.py run with both
    ("sync" and "asyncio", the AsyncIntegrationApi behind clients.AsyncApiBridge)."""
    return "sync"


@pytest.fixture
def make_api(client_kind):
    """Build an IntegrationApi; keyword arguments go to Configuration (no waiting between retries)."""
    clients = Clients(retries=RetryPolicy(sleep=lambda seconds: None), connect_timeout=2, read_timeout=5,
                      asynchronous=client_kind == "asyncio")
    yield clients.api
    clients.close()


# -- capture -----------------------------------------------------------------------------------------

@pytest.fixture
def capture():
    """Every log record and warning of the test; 'talon_one' and urllib3 log at DEBUG meanwhile
    (_restore_loggers puts their levels back)."""
    handler = Records()
    root = logging.getLogger()
    root.addHandler(handler)
    for name in ("talon_one", "urllib3"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # Recorded, but aiohttp's deprecations (what aiohttp 4.0 removes) still fail the test,
            # as the suite's configuration (tox.ini) makes them fail elsewhere.
            warnings.filterwarnings("error", category=DeprecationWarning, module=r"aiohttp\.")
            warnings.filterwarnings("error", message=r".*aiohttp 4\.0", category=DeprecationWarning)
            yield Capture(handler, caught)
    finally:
        root.removeHandler(handler)


@pytest.fixture
def scan(figures):
    return Scan(figures)


# -- figures: a test using one of these fixtures is counted when it passes ----------------------------

_COUNTED = {"tls_case": "TLS cases passed", "proxy_case": "proxy cases passed"}


@pytest.fixture
def tls_case(figures):
    """Counts the test in 'TLS cases passed' (when it passes)."""


@pytest.fixture
def proxy_case(figures):
    """Counts the test in 'proxy cases passed' (when it passes)."""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.passed:
        for fixture, figure in _COUNTED.items():
            if fixture in item.fixturenames:
                item.funcargs["figures"].add(figure)


@pytest.fixture(autouse=True)
def _restore_loggers():
    """debug=True changes the 'talon_one' logger; put it back after each test."""
    names = ("talon_one", "urllib3")
    saved = {name: (logging.getLogger(name).level, list(logging.getLogger(name).handlers)) for name in names}
    yield
    for name, (level, handlers) in saved.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.handlers[:] = handlers
