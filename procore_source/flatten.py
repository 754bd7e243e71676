"""Turn a Procore record into typed column values, keeping the whole record as the payload.

Columns are declared as data (`Column`): a warehouse type and a path into the record. A path is
dot-separated keys (`status.status`); a `[]` segment maps over a list and joins the results with
", " (`ball_in_courts[].name`). Values that cannot be converted, or that do not fit the column
(INTEGER 32-bit, BIGINT 64-bit, DECIMAL(18,2) below 10^16), raise `FlattenError` naming the column,
so one malformed record is reported instead of silently loading a wrong value (or failing the batch).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any


class FlattenError(ValueError):
    """A record field could not be converted to its column's type."""


@dataclass(frozen=True)
class Column:
    """One typed warehouse column and where its value sits in the Procore record."""

    name: str
    sql_type: str
    path: str | None = None  # defaults to the column name

    @property
    def source(self) -> str:
        return self.path or self.name


def _walk(value: Any, segments: list[str]) -> Any:
    for i, segment in enumerate(segments):
        if value is None:
            return None
        if segment.endswith("[]"):
            items = value.get(segment[:-2]) if isinstance(value, dict) else None
            if items is None:
                return None
            if not isinstance(items, list):
                raise FlattenError(f"expected a list at {segment[:-2]!r}")
            rest = segments[i + 1 :]
            parts = [_walk(item, rest) for item in items]
            return ", ".join(str(p) for p in parts if p not in (None, "")) or None
        if not isinstance(value, dict):
            raise FlattenError(f"expected an object before {segment!r}")
        value = value.get(segment)
    return value


def extract(record: dict, path: str) -> Any:
    """The raw value at `path` in `record` (None where any step is missing)."""
    return _walk(record, path.split("."))


def _to_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise FlattenError("boolean where a number was expected")
    try:
        return Decimal(str(value).replace(",", "")).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise FlattenError(f"not a number: {value!r}") from exc


MAX_DECIMAL = Decimal(10) ** 16  # DECIMAL(18,2) holds |x| < 10^16


def _to_decimal_checked(value: Any) -> Decimal | None:
    number = _to_decimal(value)
    if number is not None and not number.is_finite():
        raise FlattenError(f"not a finite number: {value!r}")
    if number is not None and abs(number) >= MAX_DECIMAL:
        raise FlattenError(f"out of range for DECIMAL(18,2) (|x| < 10^16): {value!r}")
    return number


def _to_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise FlattenError("boolean where an integer was expected")
    try:
        return int(Decimal(str(value)))
    except (InvalidOperation, ValueError, OverflowError) as exc:
        raise FlattenError(f"not an integer: {value!r}") from exc


def _int_of(bits: int, sql_type: str):
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1

    def convert_int(value: Any) -> int | None:
        number = _to_int(value)
        if number is not None and not low <= number <= high:
            raise FlattenError(f"out of range for {sql_type} ({bits}-bit): {value!r}")
        return number

    return convert_int


def _to_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise FlattenError(f"not a date: {value!r}") from exc


def _to_timestamp(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise FlattenError(f"not a timestamp: {value!r}") from exc
    if parsed.tzinfo is None:
        raise FlattenError(f"timestamp without a time zone: {value!r}")
    return parsed


def _to_bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise FlattenError(f"not a boolean: {value!r}")


def _to_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise FlattenError("object where text was expected")
    return str(value)


def _to_json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, separators=(",", ":"))


_CONVERTERS = {
    "BIGINT": _int_of(64, "BIGINT"),
    "INTEGER": _int_of(32, "INTEGER"),
    "DECIMAL(18,2)": _to_decimal_checked,
    "DATE": _to_date,
    "TIMESTAMPTZ": _to_timestamp,
    "BOOLEAN": _to_bool,
    "VARCHAR": _to_text,
    "JSON": _to_json,
}


def convert(column: Column, value: Any) -> Any:
    """Convert one raw value to the Python value of `column.sql_type`."""
    try:
        return _CONVERTERS[column.sql_type](value)
    except FlattenError as exc:
        raise FlattenError(f"column {column.name} ({column.source}): {exc}") from None


def flatten(record: dict, columns: tuple[Column, ...]) -> dict[str, Any]:
    """Typed values for `columns` from `record`, plus `payload`: the whole record as JSON text."""
    if not isinstance(record, dict):
        raise FlattenError(f"expected a JSON object, got {type(record).__name__}")
    row = {column.name: convert(column, extract(record, column.source)) for column in columns}
    row["payload"] = json.dumps(record, separators=(",", ":"), default=str)
    return row
