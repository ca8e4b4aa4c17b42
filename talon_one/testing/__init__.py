"""A local fake of the Talon.One Integration API, for tests and demos.

``FakeTalonOne`` is a real HTTP server on 127.0.0.1 that speaks the JSON of
the Integration API (all 15 operations of the bundled spec), keeps its state
in memory, and evaluates a small configurable promotion setup (coupons, a
referral campaign, a loyalty program)::

    from talon_one.testing import FakeTalonOne

    with FakeTalonOne(api_key="k") as fake:
        print(fake.base_url)          # http://127.0.0.1:<port>

From a shell: ``python -m talon_one.testing --port 9000``.  In pytest: add
``pytest_plugins = ["talon_one.testing.pytest_plugin"]`` to your root
conftest.py and use the ``talon_one_fake`` fixture.

``MockTransport`` (with ``MockResponse``) is an in-memory transport for unit tests:
``ApiClient(configuration, transport=MockTransport(handler))``; no server, no sockets.

The fake uses the standard library only; importing this package starts nothing.
"""

from typing import TYPE_CHECKING, Any

from .auth import content_signature
from .faults import Fault
from .promotions import CouponRule, LoyaltyProgram, Promotions, ReferralProgram
from .server import (
    DEFAULT_API_KEY,
    DEFAULT_APPLICATION_ID,
    DEFAULT_APPLICATION_KEY,
    FakeTalonOne,
    RecordedRequest,
)

if TYPE_CHECKING:  # what checkers and editors see; at run time they are imported on first use
    from .mock_transport import MockResponse, MockTransport

__all__ = [
    "CouponRule",
    "DEFAULT_API_KEY",
    "DEFAULT_APPLICATION_ID",
    "DEFAULT_APPLICATION_KEY",
    "FakeTalonOne",
    "Fault",
    "LoyaltyProgram",
    "MockResponse",
    "MockTransport",
    "Promotions",
    "RecordedRequest",
    "ReferralProgram",
    "content_signature",
]


def __getattr__(name: str) -> Any:
    # MockTransport needs the SDK's runtime; imported when first asked for.
    if name in ("MockTransport", "MockResponse"):
        from . import mock_transport
        return getattr(mock_transport, name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
