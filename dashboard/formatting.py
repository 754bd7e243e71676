"""Small text formatters shared by the views (money, relative times, safe links)."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pandas as pd


def text_or_blank(value) -> str:
    """`value` as text, or "" where it is missing (None or NaN: Procore sends null project numbers)."""
    return "" if is_missing(value) else str(value)


def is_missing(value) -> bool:
    """True for None, NaN and pandas' NA/NaT."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def money(value, signed: bool = False) -> str:
    """`$1,234,567` (or `+$1,234` / `-$1,234` when signed); an en dash when missing."""
    if is_missing(value):
        return "–"
    number = float(value)
    text = f"${abs(number):,.0f}"
    if number < 0:
        return "-" + text
    return ("+" + text) if signed and number > 0 else text


def compact_money(value, signed: bool = False) -> str:
    """`$1.55M`, `+$50.3K`, `-$812`: short enough for a KPI card; an en dash when missing."""
    if is_missing(value):
        return "–"
    number = float(value)
    size = abs(number)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if size >= limit:
            text = f"${size / limit:.3g}{suffix}"
            break
    else:
        text = f"${size:,.0f}"
    if number < 0:
        return "-" + text
    return ("+" + text) if signed and number > 0 else text


def percent(value) -> str:
    """A percentage stored as 0–100 (the marts' unit, e.g. `pct_committed`): `75%`; an en dash when missing."""
    return "–" if is_missing(value) else f"{float(value):.0f}%"


def count(value) -> str:
    """An integer count, or an en dash when missing."""
    return "–" if is_missing(value) else f"{int(value):,}"


def days(value) -> str:
    """`6.5 days`, or an en dash when missing."""
    return "–" if is_missing(value) or math.isnan(float(value)) else f"{float(value):.1f} days"


def ago(moment, now: datetime | None = None) -> str:
    """`14 minutes ago`, `3 hours ago`, `2 days ago`; `never` when missing."""
    if is_missing(moment):
        return "never"
    moment = pd.Timestamp(moment)
    if moment.tzinfo is None:
        moment = moment.tz_localize(UTC)
    seconds = max(0, int(((now or datetime.now(UTC)) - moment.to_pydatetime()).total_seconds()))
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


def safe_url(value) -> str | None:
    """The value when it is an http(s) URL, else None (no `javascript:` links reach the page)."""
    if isinstance(value, str) and value.startswith(("https://", "http://")):
        return value
    return None


_MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>:~$")


def md(text) -> str:
    """Escape Markdown so text from Procore users (project names, numbers) renders as plain text."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in str(text))
