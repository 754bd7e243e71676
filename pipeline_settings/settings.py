"""`PipelineSettings`: every shared deployment setting, parsed once (`PipelineSettings.from_env()`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from pipeline_settings import variables
from pipeline_settings.variables import SettingsError


@dataclass(frozen=True, kw_only=True)
class PipelineSettings:
    """The settings the orchestration, the warehouse, the webhooks and the dashboard share (see `variables`)."""

    company_ids: tuple[int, ...] = ()
    data_dir: Path = Path(variables.DEFAULT_DATA_DIR)
    timezone: str = variables.DEFAULT_TIMEZONE
    schedules_running: bool = False
    history_start: date = date.fromisoformat(variables.DEFAULT_HISTORY_START)
    sync_overlap_seconds: int = variables.DEFAULT_SYNC_OVERLAP_SECONDS
    webhook_sensor_interval: int = variables.DEFAULT_WEBHOOK_SENSOR_INTERVAL
    web_base_url: str = variables.DEFAULT_WEB_BASE_URL
    budget_view: str | None = None
    budget_labels: str | None = None
    as_of: datetime | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> PipelineSettings:
        """Settings from `environ` (default `os.environ`); raises one `SettingsError` naming every bad variable.

        `PROCORE_COMPANY_IDS` may be unset here (the code location loads without it; the Procore client
        refuses to run without it), but a malformed one is an error.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        problems: list[str] = []
        for name, parse in _PARSERS:
            try:
                values[name] = parse(env)
            except SettingsError as exc:
                problems.append(str(exc))
        if problems:
            raise SettingsError("; ".join(problems), problems)
        return cls(**values)


_PARSERS: tuple[tuple[str, Callable[[Mapping[str, str]], Any]], ...] = (
    ("company_ids", partial(variables.company_ids, required=False)),
    ("data_dir", variables.data_dir),
    ("timezone", variables.timezone),
    ("schedules_running", variables.schedules_running),
    ("history_start", variables.history_start),
    ("sync_overlap_seconds", variables.sync_overlap_seconds),
    ("webhook_sensor_interval", variables.webhook_sensor_interval),
    ("web_base_url", variables.web_base_url),
    ("budget_view", variables.budget_view),
    ("budget_labels", variables.budget_labels),
    ("as_of", variables.as_of),
)
