"""Converters from decoded JSON values to the Python values of the warehouse's column types.

Each converter takes a non-null value and returns the typed value (None for an empty string where
the type has no empty form), or raises `NotConvertible`: the caller decides whether that rejects
the record (a key column) or loads NULL and counts drift. Ranges are the columns' own: INTEGER
32-bit, BIGINT 64-bit, DECIMAL(18,2) below 10^16.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_DECIMAL = Decimal(10) ** 16  # DECIMAL(18,2) holds |x| < 10^16
_CENT = Decimal("0.01")
encode_json = json.JSONEncoder(separators=(",", ":"), default=str).encode


class NotConvertible(Exception):
    """A value that does not convert to the column's type."""


def _text(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return value
    if kind is int or kind is float:  # a number where text is expected keeps its digits
        return str(value)
    raise NotConvertible


def _integer(bits: int) -> Callable[[Any], int | None]:
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1

    def convert(value: Any) -> int | None:
        kind = type(value)
        if kind is int:
            number = value
        elif kind is str or kind is float:
            if kind is str and not value:
                return None
            try:
                exact = Decimal(value)
                number = int(exact)
            except (InvalidOperation, ValueError, OverflowError):
                raise NotConvertible from None
            if exact != number:
                raise NotConvertible
        else:  # booleans, objects, arrays
            raise NotConvertible
        if low <= number <= high:
            return number
        raise NotConvertible

    return convert


def _decimal(value: Any) -> Decimal | None:
    kind = type(value)
    if kind is str:
        if not value:
            return None
        text = value.replace(",", "") if "," in value else value
    elif kind is int or kind is float:
        text = str(value)
    else:
        raise NotConvertible
    try:
        number = Decimal(text).quantize(_CENT)
    except InvalidOperation:
        raise NotConvertible from None
    if not number.is_finite() or abs(number) >= MAX_DECIMAL:
        raise NotConvertible
    return number


def _date(value: Any) -> date | None:
    if type(value) is not str:
        raise NotConvertible
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise NotConvertible from None


def _timestamp(value: Any) -> datetime | None:
    if type(value) is not str:
        raise NotConvertible
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise NotConvertible from None
    if parsed.tzinfo is None:  # Procore sends UTC with `Z`; a bare local time cannot be placed
        raise NotConvertible
    return parsed


def _boolean(value: Any) -> bool | None:
    if type(value) is bool:
        return value
    if type(value) is str and value.lower() in ("true", "false", ""):
        return None if not value else value.lower() == "true"
    raise NotConvertible


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "BIGINT": _integer(64),
    "INTEGER": _integer(32),
    "DECIMAL(18,2)": _decimal,
    "DATE": _date,
    "TIMESTAMPTZ": _timestamp,
    "BOOLEAN": _boolean,
    "VARCHAR": _text,
    "JSON": encode_json,
}
