"""Records of one resource in one scope (a project, a company, a budget view), kept as encoded JSON.

Each record is stored once as compact JSON bytes, so list pages are served by joining bytes and a
thousand-project sandbox stays small in memory. Deleted records stay (the recycle bin) with `deleted_at`.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from typing import Any

_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False)


def encode(record: dict) -> bytes:
    """Compact JSON bytes of one record."""
    return _ENCODER.encode(record).encode()


class Entry:
    """One stored record: its key, id, `updated_at`, `deleted_at` and encoded body."""

    __slots__ = ("key", "id", "updated_at", "deleted_at", "raw")

    def __init__(self, key: Hashable, record: dict, deleted_at: str | None = None) -> None:
        self.key = key
        self.deleted_at = deleted_at
        self.set(record)

    def set(self, record: dict) -> None:
        """Replace the stored body with `record`."""
        self.id = record.get("id")
        updated = record.get("updated_at")
        self.updated_at = updated if isinstance(updated, str) else None
        self.raw = encode(record)

    def record(self) -> dict:
        """A fresh, decoded copy of the record."""
        return json.loads(self.raw)


class Collection:
    """Ordered records of one scope; the order is the order Procore lists them (by creation)."""

    def __init__(self) -> None:
        self.entries: dict[Hashable, Entry] = {}
        self._live: list[Entry] | None = None
        self._deleted: list[Entry] | None = None

    def add(self, record: dict, key: Hashable | None = None) -> Entry:
        """Store a new record under `key` (default: its id)."""
        key = record["id"] if key is None else key
        entry = Entry(key, record)
        self.entries[key] = entry
        self._changed()
        return entry

    def get(self, key: Any) -> Entry | None:
        """The entry under `key`, live or deleted."""
        return self.entries.get(key)

    def update(self, key: Any, record: dict) -> Entry:
        """Replace a record's body."""
        entry = self.entries[key]
        entry.set(record)
        self._changed()
        return entry

    def delete(self, key: Any, when: str) -> Entry:
        """Move a record to the recycle bin at `when`."""
        entry = self.entries[key]
        entry.deleted_at = when
        self._changed()
        return entry

    def live(self) -> list[Entry]:
        """Entries not deleted, in list order (cached until the next change)."""
        if self._live is None:
            self._live = [e for e in self.entries.values() if e.deleted_at is None]
        return self._live

    def deleted(self) -> list[Entry]:
        """Entries in the recycle bin, in list order."""
        if self._deleted is None:
            self._deleted = [e for e in self.entries.values() if e.deleted_at is not None]
        return self._deleted

    def _changed(self) -> None:
        self._live = None
        self._deleted = None
