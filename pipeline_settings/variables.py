"""One parser per deployment setting that several packages share, each with its one error message.

Each function reads its variable from `env` (any mapping; `os.environ` in production) and returns the
typed value, or raises `SettingsError` saying what is wrong and how to fix it. Unset or blank means
the default. Nothing else in the project reads these variables: the packages call these functions
(or `PipelineSettings.from_env`, which calls them all).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DATA_DIR = "./data"
DEFAULT_TIMEZONE = "UTC"
DEFAULT_HISTORY_START = "2024-01-01"
DEFAULT_SYNC_OVERLAP_SECONDS = 300
DEFAULT_WEBHOOK_SENSOR_INTERVAL = 15
WEBHOOK_SENSOR_INTERVAL_RANGE = (5, 3600)
DEFAULT_WEB_BASE_URL = "https://app.procore.com"


class SettingsError(ValueError):
    """Settings are missing or invalid; `problems` holds one line per variable saying how to fix it, and the
    message joins them."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


def _raw(env: Mapping[str, str], name: str) -> str:
    return (env.get(name) or "").strip()


def company_ids(env: Mapping[str, str], *, required: bool = True) -> tuple[int, ...]:
    """`PROCORE_COMPANY_IDS`: the comma-separated companies to sync, in order, without repeats.

    Unset is an error when `required` (the client needs it), else no company.
    """
    raw = _raw(env, "PROCORE_COMPANY_IDS")
    if not raw:
        if not required:
            return ()
        raise SettingsError("PROCORE_COMPANY_IDS is not set: export PROCORE_COMPANY_IDS=<company id>[,<id>...] "
                            "(the companies to sync)")
    ids = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) <= 0:
            raise SettingsError(f"PROCORE_COMPANY_IDS is invalid: {part!r} is not a positive integer company id")
        ids.append(int(part))
    if not ids:
        raise SettingsError("PROCORE_COMPANY_IDS is invalid: no company id in it")
    return tuple(dict.fromkeys(ids))


def data_dir(env: Mapping[str, str]) -> Path:
    """`PIPELINES_DATA_DIR`: the folder of `warehouse.duckdb`, `serving.duckdb`, `dashboard.db`, `webhooks.db`."""
    return Path(_raw(env, "PIPELINES_DATA_DIR") or DEFAULT_DATA_DIR)


def timezone(env: Mapping[str, str]) -> str:
    """`PIPELINES_TIMEZONE`: the IANA zone of the schedules, "today", day and week boundaries (default UTC)."""
    name = _raw(env, "PIPELINES_TIMEZONE") or DEFAULT_TIMEZONE
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"PIPELINES_TIMEZONE: unknown timezone {name!r} (an IANA name such as UTC or "
                            "Europe/Paris)") from None
    return name


def schedules_running(env: Mapping[str, str]) -> bool:
    """`PIPELINES_SCHEDULES_RUNNING`: `1` starts every schedule and sensor running; anything else: stopped."""
    return _raw(env, "PIPELINES_SCHEDULES_RUNNING") == "1"


def history_start(env: Mapping[str, str]) -> date:
    """`PIPELINES_HISTORY_START` (YYYY-MM-DD): the first day of the daily metric history (default 2024-01-01)."""
    raw = _raw(env, "PIPELINES_HISTORY_START") or DEFAULT_HISTORY_START
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise SettingsError(f"PIPELINES_HISTORY_START={raw!r} is not a date (YYYY-MM-DD)") from None


def sync_overlap_seconds(env: Mapping[str, str]) -> int:
    """`PIPELINES_SYNC_OVERLAP_SECONDS`: how far each incremental window reaches back before the cursor (300)."""
    raw = _raw(env, "PIPELINES_SYNC_OVERLAP_SECONDS")
    if not raw:
        return DEFAULT_SYNC_OVERLAP_SECONDS
    if not raw.isdigit():
        raise SettingsError(f"PIPELINES_SYNC_OVERLAP_SECONDS must be a whole number of seconds, got {raw!r}")
    return int(raw)


def webhook_sensor_interval(env: Mapping[str, str]) -> int:
    """`WEBHOOK_SENSOR_INTERVAL_SECONDS`: how often the webhook sensor ticks (5 to 3600 seconds, default 15)."""
    raw = _raw(env, "WEBHOOK_SENSOR_INTERVAL_SECONDS") or str(DEFAULT_WEBHOOK_SENSOR_INTERVAL)
    low, high = WEBHOOK_SENSOR_INTERVAL_RANGE
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise SettingsError(f"WEBHOOK_SENSOR_INTERVAL_SECONDS must be {low}..{high} seconds, got {raw!r}")
    return int(raw)


def web_base_url(env: Mapping[str, str]) -> str:
    """`PROCORE_WEB_BASE_URL`: the base of the links into Procore, without a trailing slash."""
    raw = _raw(env, "PROCORE_WEB_BASE_URL") or DEFAULT_WEB_BASE_URL
    if not raw.startswith(("http://", "https://")):
        raise SettingsError(f"PROCORE_WEB_BASE_URL must be an http(s) URL such as {DEFAULT_WEB_BASE_URL}, "
                            f"got {raw!r}")
    return raw.rstrip("/")


def budget_view(env: Mapping[str, str]) -> str | None:
    """`PIPELINES_BUDGET_VIEW`: the budget view name to use per project; None: each project's lowest view id."""
    return _raw(env, "PIPELINES_BUDGET_VIEW") or None


def budget_labels(env: Mapping[str, str]) -> str | None:
    """`PIPELINES_BUDGET_LABELS`: the JSON `{measure: [labels]}` text (the transforms parse it against their
    measures, `transforms.settings.parse_budget_labels`); None when unset."""
    return _raw(env, "PIPELINES_BUDGET_LABELS") or None


def as_of(env: Mapping[str, str]) -> datetime | None:
    """`PIPELINES_AS_OF`: an ISO-8601 moment with a UTC offset that pins "today" (tests, replays); None: now."""
    raw = _raw(env, "PIPELINES_AS_OF")
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise SettingsError(f"PIPELINES_AS_OF is not an ISO-8601 timestamp: {raw!r}") from None
    if moment.tzinfo is None:
        raise SettingsError(f"PIPELINES_AS_OF needs a UTC offset (e.g. 2025-03-10T12:00:00Z): {raw!r}")
    return moment
