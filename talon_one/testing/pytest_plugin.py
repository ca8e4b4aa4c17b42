"""pytest fixtures for testing code against FakeTalonOne.

Enable with ``pytest_plugins = ["talon_one.testing.pytest_plugin"]`` in the
root conftest.py (or through the package's ``pytest11`` entry point).
Importing this module only defines fixtures; the server starts when a test
first asks for one.

* ``talon_one_fake``: a running FakeTalonOne, reset before each test (fresh
  state, no recorded requests, no pending faults);
* ``talon_one_promotions``: the promotion setup ``talon_one_fake`` is reset
  with; override this fixture to test against your own coupons;
* ``talon_one_fake_server``: the session-wide server behind it; override it
  to change the API key or application credentials.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

import pytest

if TYPE_CHECKING:
    from talon_one.testing import FakeTalonOne, Promotions


@pytest.fixture(scope="session")
def talon_one_fake_server() -> Iterator[FakeTalonOne]:
    """One FakeTalonOne for the whole test session, stopped at the end."""
    from talon_one.testing import FakeTalonOne

    fake = FakeTalonOne()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def talon_one_promotions() -> Promotions:
    """The promotions each test starts with: ``Promotions.default()``."""
    from talon_one.testing import Promotions

    return Promotions.default()


@pytest.fixture
def talon_one_fake(talon_one_fake_server: FakeTalonOne, talon_one_promotions: Promotions) -> FakeTalonOne:
    """A running FakeTalonOne with fresh state for this test."""
    talon_one_fake_server.reset(promotions=talon_one_promotions)
    return talon_one_fake_server
