"""Query filters of list endpoints: `filters[updated_at]` ranges, `filters[by_status]`, `filters[include_deleted]`."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from starlette.requests import Request

from procore_sandbox.collection import Entry
from procore_sandbox.responses import ApiError

UPDATED_AT = "filters[updated_at]"


def _bound(text: str, end: bool) -> str:
    """One bound as a `...Z` string; a bare date means the start (or, for an upper bound, the end) of that day."""
    text = text.strip()
    if len(text) == 10:
        moment = datetime.combine(date.fromisoformat(text), time.max if end else time.min, UTC)
    else:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def updated_at_range(request: Request) -> tuple[str | None, str | None] | None:
    """The inclusive (lower, upper) bounds of `filters[updated_at]` (`A...B`, either may be a date), or None."""
    text = request.query_params.get(UPDATED_AT)
    if not text:
        return None
    try:
        if "..." in text:
            low, high = text.split("...", 1)
            return (_bound(low, False) if low.strip() else None, _bound(high, True) if high.strip() else None)
        return _bound(text, False), _bound(text, True)
    except ValueError:
        raise ApiError(400, {UPDATED_AT: [f"is invalid: {text!r} (expected START...END, ISO-8601)"]}) from None


def by_updated_at(request: Request, entries: list[Entry]) -> list[Entry]:
    """Entries whose `updated_at` lies inside the request's `filters[updated_at]` range (all without one)."""
    bounds = updated_at_range(request)
    if bounds is None:
        return entries
    low, high = bounds
    return [e for e in entries if e.updated_at is not None
            and (low is None or e.updated_at >= low) and (high is None or e.updated_at <= high)]


def choice(request: Request, name: str, allowed: tuple[str, ...], default: str) -> str:
    """A filter that takes one of `allowed` values (case-insensitive)."""
    value = request.query_params.get(name) or default
    for option in allowed:
        if value.lower() == option.lower():
            return option
    raise ApiError(400, {name: [f"must be one of {', '.join(allowed)}"]})
