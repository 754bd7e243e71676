"""Dagster resources: the Procore source, the DuckDB warehouse, and how the SQL models are rendered.

`pipeline_resources(settings)` builds all three from the settings the code location read at load:
their fields hold the parsed values (the Dagster UI shows them), and the credentials stay `dg.EnvVar`s
(the UI shows their names only).

- `ProcoreResource` builds `ProcoreSettings` from its fields plus the other `PROCORE_*` variables and
  one `ProcoreClient` per run, shared by every asset and thread of the run (one pacer per company).
- `WarehouseResource` says where the warehouse lives and hands out the `warehouse.Warehouse` there,
  which opens every connection (see `warehouse.connection`).
- `TransformsResource` holds the timezone of "today", the links into Procore, the budget view and
  labels, and the pinned "today" of tests and replays; `settings()` is the models' `TransformSettings`.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime

import dagster as dg
from pydantic import PrivateAttr

from pipeline_settings import PipelineSettings, variables
from procore_source.client import ProcoreClient
from procore_source.settings import ProcoreSettings
from transforms.settings import DEFAULT_WEB_BASE_URL, TransformSettings
from warehouse.connection import DEFAULT_LOCK_TIMEOUT_SECONDS, Warehouse


class ProcoreResource(dg.ConfigurableResource):
    """Procore credentials, companies and the incremental overlap; unset optional fields fall back to the
    `PROCORE_*` environment, and no companies to `PROCORE_COMPANY_IDS` (which the client then requires)."""

    client_id: str
    client_secret: str
    company_ids: list[int] = []
    api_base_url: str | None = None
    login_base_url: str | None = None
    max_workers: int | None = None
    sync_overlap_seconds: int = variables.DEFAULT_SYNC_OVERLAP_SECONDS

    _client: ProcoreClient | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def settings(self) -> ProcoreSettings:
        """`ProcoreSettings` from these fields over the environment (raises `SettingsError` naming a variable)."""
        env = dict(os.environ)
        overrides = {
            "PROCORE_CLIENT_ID": self.client_id,
            "PROCORE_CLIENT_SECRET": self.client_secret,
            "PROCORE_COMPANY_IDS": ",".join(map(str, self.company_ids)) or None,
            "PROCORE_API_BASE_URL": self.api_base_url,
            "PROCORE_LOGIN_BASE_URL": self.login_base_url,
            "PROCORE_MAX_WORKERS": None if self.max_workers is None else str(self.max_workers),
        }
        env.update({k: v for k, v in overrides.items() if v is not None})
        return ProcoreSettings.from_env(env)

    def client(self) -> ProcoreClient:
        """The run's shared client, created on first use."""
        with self._lock:
            if self._client is None:
                self._client = ProcoreClient(self.settings())
            return self._client

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


class WarehouseResource(dg.ConfigurableResource):
    """Where `warehouse.duckdb` and `serving.duckdb` live; `get_warehouse()` is the `warehouse.Warehouse` there."""

    data_dir: str = variables.DEFAULT_DATA_DIR
    lock_timeout_seconds: float = DEFAULT_LOCK_TIMEOUT_SECONDS

    def get_warehouse(self) -> Warehouse:
        """The warehouse in `data_dir`."""
        return Warehouse(self.data_dir, lock_timeout_seconds=self.lock_timeout_seconds)


class TransformsResource(dg.ConfigurableResource):
    """How the SQL models are rendered: `PIPELINES_TIMEZONE`, `PROCORE_WEB_BASE_URL`, `PIPELINES_BUDGET_VIEW`,
    `PIPELINES_BUDGET_LABELS` (JSON text) and `PIPELINES_AS_OF` (ISO-8601, pins "today")."""

    timezone: str = variables.DEFAULT_TIMEZONE
    web_base_url: str = DEFAULT_WEB_BASE_URL
    budget_view: str | None = None
    budget_labels: str | None = None
    as_of: str | None = None

    @classmethod
    def from_settings(cls, settings: PipelineSettings) -> TransformsResource:
        """The resource of the deployment's settings; a bad label map fails here, at code-location load."""
        resource = cls(timezone=settings.timezone, web_base_url=settings.web_base_url,
                       budget_view=settings.budget_view, budget_labels=settings.budget_labels,
                       as_of=settings.as_of.isoformat() if settings.as_of else None)
        resource.settings()
        return resource

    def settings(self) -> TransformSettings:
        """The `TransformSettings` the models run with."""
        return TransformSettings.from_values(timezone=self.timezone, web_base_url=self.web_base_url,
                                             budget_view=self.budget_view, budget_labels=self.budget_labels,
                                             as_of=datetime.fromisoformat(self.as_of) if self.as_of else None)


def pipeline_resources(settings: PipelineSettings) -> dict[str, dg.ConfigurableResource]:
    """The code location's resources, from the settings read at load (credentials as `dg.EnvVar`)."""
    return {
        "procore": ProcoreResource(client_id=dg.EnvVar("PROCORE_CLIENT_ID"),
                                   client_secret=dg.EnvVar("PROCORE_CLIENT_SECRET"),
                                   company_ids=list(settings.company_ids),
                                   sync_overlap_seconds=settings.sync_overlap_seconds),
        "warehouse": WarehouseResource(data_dir=str(settings.data_dir)),
        "transforms": TransformsResource.from_settings(settings),
    }
