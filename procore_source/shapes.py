"""Schema drift: what a record's field looked like when it did not have the shape the catalogue expects.

Procore adds fields, turns strings into objects and sends `false` where a name should be. The
flattening (`procore_source.flatten`) never drops a record over a non-key field: it loads the
column as NULL (or an object's display field) and reports each case to a `DriftTally`, which
counts them per (column, observed JSON type) with an example record. The loader writes the tally
to `meta.schema_drift`; `procore-check --shapes` prints it. Both get it from the same flattening,
so they cannot disagree about what counts as drift.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

EXAMPLE_CHARS = 120


_JSON_TYPES = {type(None): "null", bool: "boolean", int: "integer", float: "number", str: "string",
               dict: "object", list: "array"}


def json_type(value: Any) -> str:
    """The JSON type of a decoded value: null, boolean, integer, number, string, object or array."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


def example_text(value: Any) -> str:
    """A short JSON rendering of an offending value, for the drift table's example."""
    text = json.dumps(value, separators=(",", ":"), default=str)
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"


@dataclass
class DriftSeen:
    """Records of one stream whose `column` held a value of JSON type `observed` instead of `expected`."""

    column: str
    path: str
    expected: str  # the column's SQL type, or "object" / "array" where the path needed one
    observed: str
    count: int = 0
    example_id: str | None = None
    example_value: str | None = None

    def describe(self) -> str:
        """One line: `priority (priority.name): expected object, got string in 3 records (e.g. id 7: "high")`."""
        example = f" (e.g. id {self.example_id}: {self.example_value})" if self.example_id is not None else \
            f" (e.g. {self.example_value})"
        return (f"{self.column} ({self.path}): expected {self.expected}, got {self.observed} "
                f"in {self.count} record{'s' if self.count != 1 else ''}{example}")


class DriftTally:
    """Drift of one stream, counted per (column, observed JSON type); cheap when nothing drifts."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], DriftSeen] = {}

    def add(self, column: str, path: str, expected: str, value: Any, record_id: Any) -> None:
        """Count one record whose `column` held `value` where `expected` was wanted."""
        observed = json_type(value)
        seen = self._seen.get((column, observed))
        if seen is None:
            seen = self._seen[(column, observed)] = DriftSeen(column, path, expected, observed)
        seen.count += 1
        seen.expected = expected
        if seen.example_value is None:
            seen.example_id = None if record_id is None else str(record_id)
            seen.example_value = example_text(value)

    def merge(self, other: DriftTally) -> None:
        """Add `other`'s counts to this tally (examples: the first one kept)."""
        for key, theirs in other._seen.items():
            mine = self._seen.get(key)
            if mine is None:
                self._seen[key] = DriftSeen(**vars(theirs))
            else:
                mine.count += theirs.count
                mine.expected = theirs.expected

    def records(self) -> int:
        """How many (record, column) cases were counted."""
        return sum(s.count for s in self._seen.values())

    def __iter__(self) -> Iterator[DriftSeen]:
        return iter(sorted(self._seen.values(), key=lambda s: (s.column, s.observed)))

    def __bool__(self) -> bool:
        return bool(self._seen)

    def __len__(self) -> int:
        return len(self._seen)


def top_level_paths(paths: Iterable[str]) -> set[str]:
    """The record keys a set of column paths reads (`ball_in_courts[].name` reads `ball_in_courts`)."""
    return {path.split(".", 1)[0].removesuffix("[]") for path in paths}


def unmapped_fields(records: Iterable[Any], known: set[str]) -> dict[str, int]:
    """Top-level keys of `records` that no column reads, with how many records carried each."""
    counts: dict[str, int] = {}
    for record in records:
        if isinstance(record, dict):
            for key in record:
                if key not in known:
                    counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))
