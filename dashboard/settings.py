"""Dashboard settings, read from the environment (one frozen dataclass, no globals).

`PIPELINES_DATA_DIR` and `PROCORE_WEB_BASE_URL`, which the pipeline reads too, are parsed by
`pipeline_settings.variables`; the `DASHBOARD_*` variables here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline_settings import SettingsError, variables

BASE_URL_PATH = "integrations/procore/iframe"
DEFAULT_PUBLIC_URL = f"http://localhost:8501/{BASE_URL_PATH}/"
# Procore's browser hosts: production, the developer sandbox, and the monthly sandbox's web host.
PROCORE_FRAME_ANCESTORS = (
    "https://app.procore.com",
    "https://sandbox.procore.com",
    "https://api-sandbox-monthly.procore.com",
)


class DashboardSettingsError(SettingsError):
    """A dashboard setting has a value that cannot be used."""


@dataclass(frozen=True)
class DashboardSettings:
    """Where the dashboard reads its data and access store, and how it may be embedded."""

    data_dir: Path
    database_url: str
    public_url: str
    extra_frame_ancestors: tuple[str, ...]
    procore_web_base_url: str

    @property
    def serving_path(self) -> Path:
        """The read-only serving snapshot published by the pipelines."""
        return self.data_dir / "serving.duckdb"

    @property
    def frame_ancestors(self) -> tuple[str, ...]:
        """Every origin allowed to embed the dashboard (Procore's hosts first)."""
        extra = tuple(o for o in self.extra_frame_ancestors if o not in PROCORE_FRAME_ANCESTORS)
        return PROCORE_FRAME_ANCESTORS + extra

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DashboardSettings:
        """Build settings from `environ` (default `os.environ`); raises a `SettingsError` naming the variable."""
        env = os.environ if environ is None else environ
        data_dir = variables.data_dir(env)
        database_url = env.get("DASHBOARD_DATABASE_URL") or f"sqlite:///{data_dir / 'dashboard.db'}"
        public_url = env.get("DASHBOARD_PUBLIC_URL") or DEFAULT_PUBLIC_URL
        if not public_url.startswith(("http://", "https://")):
            raise DashboardSettingsError(f"DASHBOARD_PUBLIC_URL must be an http(s) URL, got {public_url!r}")
        if not public_url.endswith("/"):
            public_url += "/"
        extra = tuple(_origins(env.get("DASHBOARD_FRAME_ANCESTORS", "")))
        web = variables.web_base_url(env)
        return cls(data_dir, database_url, public_url, extra, web)


def _origins(raw: str) -> list[str]:
    """Parse a comma- or space-separated list of origins, rejecting anything that is not one."""
    origins = []
    for item in raw.replace(",", " ").split():
        item = item.rstrip("/")
        if not item.startswith(("http://", "https://")) or any(c in item for c in ";'\"<>"):
            raise DashboardSettingsError(f"DASHBOARD_FRAME_ANCESTORS: {item!r} is not an http(s) origin")
        origins.append(item)
    return origins
