"""In-memory state of the fake and the transactions that make dry runs possible."""

import threading
from typing import Any, Dict, Hashable, Iterator, Tuple

# profiles:          integrationId -> CustomerProfile JSON
# profile_sessions:  integrationId -> [session ids], in creation order
# sessions:          session id -> internal session record (see engine.new_session)
# events:            event id -> Event JSON
# coupons:           code -> Coupon JSON
# reservations:      code -> [integration ids]
# referrals:         code -> Referral JSON
# advocate_referrals: integrationId -> [referral codes the customer is the advocate of]
# loyalty:           integrationId -> {"points": float, "entries": [LedgerEntry JSON]}
TABLES = (
    "profiles",
    "profile_sessions",
    "sessions",
    "events",
    "coupons",
    "reservations",
    "referrals",
    "advocate_referrals",
    "loyalty",
)

_DELETED = object()


def copy_json(value: Any) -> Any:
    """Deep copy of a JSON-like value (dicts, lists, scalars); much faster than copy.deepcopy."""
    if isinstance(value, dict):
        return {key: copy_json(member) for key, member in value.items()}
    if isinstance(value, list):
        return [copy_json(item) for item in value]
    return value


class Store:
    """All mutable state, guarded by one re-entrant lock (``store.lock``)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.tables: Dict[str, Dict[Hashable, Any]] = {}
        self._last_ids: Dict[str, int] = {}
        self.clear()

    def clear(self) -> None:
        with self.lock:
            self.tables = {name: {} for name in TABLES}
            self._last_ids = {}

    def next_id(self, kind: str) -> int:
        """A new positive id for ``kind``; ids used by dry runs are simply skipped."""
        with self.lock:
            value = self._last_ids.get(kind, 0) + 1
            self._last_ids[kind] = value
            return value

    def snapshot(self, table: str) -> Dict[Hashable, Any]:
        """A deep copy of one table."""
        with self.lock:
            copied: Dict[Hashable, Any] = copy_json(self.tables[table])
            return copied

    def transaction(self) -> "Transaction":
        return Transaction(self)


class Transaction:
    """A private working copy of the entities an operation touches.

    ``get`` returns a deep copy that the caller may change; ``put`` and
    ``delete`` record changes.  Nothing reaches the store before ``commit``,
    so a dry run just never commits.  ``peek`` and ``items`` are for reading
    only: never change what they return.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._changes: Dict[str, Dict[Hashable, Any]] = {name: {} for name in TABLES}

    def get(self, table: str, key: Hashable) -> Any:
        """The entity (a JSON value) as a changeable copy (kept in this transaction), or None."""
        changes = self._changes[table]
        if key in changes:
            value = changes[key]
            return None if value is _DELETED else value
        stored = self._store.tables[table].get(key)
        if stored is None:
            return None
        value = copy_json(stored)
        changes[key] = value
        return value

    def peek(self, table: str, key: Hashable) -> Any:
        """The entity (a JSON value) as currently seen by this transaction, read-only; None if absent."""
        changes = self._changes[table]
        if key in changes:
            value = changes[key]
            return None if value is _DELETED else value
        return self._store.tables[table].get(key)

    def exists(self, table: str, key: Hashable) -> bool:
        return self.peek(table, key) is not None

    def items(self, table: str) -> Iterator[Tuple[Hashable, Any]]:
        """All entities of a table as seen by this transaction, read-only."""
        changes = self._changes[table]
        for key, value in self._store.tables[table].items():
            if key not in changes:
                yield key, value
        for key, value in changes.items():
            if value is not _DELETED:
                yield key, value

    def put(self, table: str, key: Hashable, value: Any) -> None:
        self._changes[table][key] = value

    def delete(self, table: str, key: Hashable) -> None:
        self._changes[table][key] = _DELETED

    def commit(self) -> None:
        """Write every entity read with ``get`` or written with ``put``/``delete`` back to the store."""
        for table, changes in self._changes.items():
            target = self._store.tables[table]
            for key, value in changes.items():
                if value is _DELETED:
                    target.pop(key, None)
                else:
                    target[key] = value
        self._changes = {name: {} for name in TABLES}
