"""Turn a Procore record into typed column values, keeping the whole record as the payload.

Columns are declared as data (`Column`): a warehouse type and a path into the record. A path is
dot-separated keys (`status.status`); one `[]` segment maps over a list and joins the results
with ", " (`ball_in_courts[].name`). `Flattener` compiles the columns once into small readers, so
a record costs one dictionary walk per column plus the payload encoding.

Drift never costs a record. A value of an unexpected shape (an object where a scalar is expected,
a string where an object is expected, `true` where a name is, a date that does not parse, a
number out of the column's range) loads the column as NULL, or as the object's display field when
the column names one, and is reported to the caller as drift (`procore_source.shapes`). Only the
stream's key columns reject a record: then `FlattenError` names the column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from procore_source.convert import CONVERTERS, NotConvertible
from procore_source.shapes import example_text, json_type

_MISSING: Any = object()  # a key absent from the record (not the same as an explicit null)
_STRUCTURE = ("object", "array")  # what a path expects on the way to its value


class FlattenError(ValueError):
    """A key field of a record is missing or could not be converted: the record cannot be loaded."""


@dataclass(frozen=True)
class Column:
    """One typed warehouse column and where its value sits in the Procore record.

    `fallback`: another path, read when `path` is absent or leads through another shape (an older
    shape Procore still sends, e.g. a project's `stage` text instead of `project_stage.name`); either
    is expected, so neither counts as drift. A value of the wrong type at the end of `path` is drift.
    `display`: the key whose value stands for an object that arrives where a scalar is expected
    (counted as drift). `false_is_null`: Procore sends `false` here for "no value" (RFI `priority.name`).
    """

    name: str
    sql_type: str
    path: str | None = None  # defaults to the column name
    fallback: str | None = None
    display: str | None = None
    false_is_null: bool = False

    @property
    def source(self) -> str:
        """The path the value is read from."""
        return self.path or self.name

    @property
    def paths(self) -> tuple[str, ...]:
        """Every path this column reads (`source`, then `fallback`)."""
        return (self.source, self.fallback) if self.fallback else (self.source,)


class _Mismatch(Exception):
    """A value of another shape than the column expects (`expected`: the SQL type, "object" or "array")."""

    def __init__(self, expected: str, value: Any, path: str) -> None:
        self.expected, self.value, self.path = expected, value, path


def _walk(value: Any, keys: tuple[str, ...], path: str) -> Any:
    for key in keys:
        if value is None:
            return None
        if type(value) is not dict:
            raise _Mismatch("object", value, path)
        value = value.get(key, _MISSING)
        if value is _MISSING:
            return _MISSING
    return value


def _getter(path: str, column: Column, absent: Any) -> Callable[[dict], Any]:
    """Read `path` and convert it: the value, None, `absent` (the key is missing), or `_Mismatch` raised."""
    convert, sql_type, false_is_null = CONVERTERS[column.sql_type], column.sql_type, column.false_is_null
    head_text, sep, tail_text = path.partition("[].")
    if not sep and path.endswith("[]"):
        head_text, sep, tail_text = path[:-2], "[]", ""
    head, tail = tuple(head_text.split(".")), tuple(tail_text.split(".")) if tail_text else ()
    if "[]" in tail_text:
        raise ValueError(f"column {column.name}: only one [] segment is supported in {path!r}")

    def leaf(value: Any) -> Any:
        if value is None or (false_is_null and value is False):
            return None
        try:
            return convert(value)
        except NotConvertible:
            raise _Mismatch(sql_type, value, path) from None

    if not sep and len(head) == 1:  # the common case, kept to one call per column
        key = head[0]

        def get(record: dict) -> Any:
            value = record.get(key, _MISSING)
            if value is None:
                return None
            if value is _MISSING:
                return absent
            if false_is_null and value is False:
                return None
            try:
                return convert(value)
            except NotConvertible:
                raise _Mismatch(sql_type, value, path) from None

        return get
    if not sep:
        return lambda record: absent if (v := _walk(record, head, path)) is _MISSING else leaf(v)

    def joined(record: dict) -> Any:
        items = _walk(record, head, path)
        if items is _MISSING:
            return absent
        if items is None:
            return None
        if type(items) is not list:
            raise _Mismatch("array", items, path)
        parts = [leaf(None if (v := _walk(item, tail, path)) is _MISSING else v) for item in items]
        return ", ".join(str(p) for p in parts if p not in (None, "")) or None

    return joined


def _reader(column: Column) -> Callable[[dict], Any]:
    if column.fallback is None:
        return _getter(column.source, column, None)
    primary, alternative = _getter(column.source, column, _MISSING), _getter(column.fallback, column, _MISSING)

    def read(record: dict) -> Any:
        try:
            value = primary(record)
        except _Mismatch as first:
            if first.expected not in _STRUCTURE:  # the path is there but its value is wrong: that is drift
                raise
            try:
                value = alternative(record)
            except _Mismatch:
                raise first from None
            if value is _MISSING:  # nothing to fall back on: the drift of the primary path stands
                raise first from None
            return value
        if value is _MISSING:
            value = alternative(record)
        return None if value is _MISSING else value

    return read


def _salvage(column: Column, mismatch: _Mismatch) -> Any:
    """What a drifted column loads: the object's display field when the column names one, else None."""
    value = mismatch.value
    if column.display and mismatch.expected == column.sql_type and type(value) is dict:
        shown = value.get(column.display)
        if shown is not None and not (column.false_is_null and shown is False):
            try:
                return CONVERTERS[column.sql_type](shown)
            except NotConvertible:
                return None
    return None


class Flattener:
    """The compiled readers of a stream's columns; `key_columns` reject a record instead of drifting."""

    def __init__(self, columns: Sequence[Column], key_columns: Sequence[str] = ()) -> None:
        keys = set(key_columns)
        self._readers = [(c.name, _reader(c), c, c.name in keys) for c in columns]

    def row(self, record: dict) -> tuple[dict[str, Any], list[tuple[Column, Any, str, str]]]:
        """Typed values of every column, and the drift found: (column, value, expected, path) per case."""
        if not isinstance(record, dict):
            raise FlattenError(f"expected a JSON object, got {type(record).__name__}")
        row: dict[str, Any] = {}
        drifted: list[tuple[Column, Any, str, str]] = []  # stays empty for almost every record
        for name, read, column, is_key in self._readers:
            try:
                row[name] = read(record)
            except _Mismatch as m:
                if is_key:
                    raise FlattenError(f"column {name} ({m.path}): expected {m.expected}, "
                                       f"got {json_type(m.value)} {example_text(m.value)}") from None
                row[name] = _salvage(column, m)
                drifted.append((column, m.value, m.expected, m.path))
        return row, drifted
