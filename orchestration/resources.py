"""Dagster resources: the Procore source (`ProcoreResource`) and the DuckDB warehouse (`WarehouseResource`).

`ProcoreResource` builds `ProcoreSettings` from its fields plus the `PROCORE_*` environment and one
`ProcoreClient` per run, shared by every asset and thread of the run (one pacer per company).
`WarehouseResource` says where the warehouse lives and hands out the `warehouse.Warehouse` there,
which opens every connection (see `warehouse.connection`).
"""

from __future__ import annotations

import os
import threading

import dagster as dg
from pydantic import PrivateAttr

from procore_source.client import ProcoreClient
from procore_source.settings import ProcoreSettings
from warehouse.connection import DEFAULT_LOCK_TIMEOUT_SECONDS, Warehouse

DEFAULT_OVERLAP_SECONDS = 300


class ProcoreResource(dg.ConfigurableResource):
    """Procore credentials and companies; unset optional fields fall back to the `PROCORE_*` environment."""

    client_id: str
    client_secret: str
    company_ids: str
    api_base_url: str | None = None
    login_base_url: str | None = None
    max_workers: int | None = None
    sync_overlap_seconds: int | None = None

    _client: ProcoreClient | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def settings(self) -> ProcoreSettings:
        """`ProcoreSettings` from these fields over the environment (raises `SettingsError` naming a variable)."""
        env = dict(os.environ)
        overrides = {
            "PROCORE_CLIENT_ID": self.client_id,
            "PROCORE_CLIENT_SECRET": self.client_secret,
            "PROCORE_COMPANY_IDS": self.company_ids,
            "PROCORE_API_BASE_URL": self.api_base_url,
            "PROCORE_LOGIN_BASE_URL": self.login_base_url,
            "PROCORE_MAX_WORKERS": None if self.max_workers is None else str(self.max_workers),
        }
        env.update({k: v for k, v in overrides.items() if v is not None})
        return ProcoreSettings.from_env(env)

    def overlap_seconds(self) -> int:
        """How far each incremental window reaches back before the cursor (`PIPELINES_SYNC_OVERLAP_SECONDS`)."""
        if self.sync_overlap_seconds is not None:
            return self.sync_overlap_seconds
        raw = os.environ.get("PIPELINES_SYNC_OVERLAP_SECONDS", "").strip()
        if not raw:
            return DEFAULT_OVERLAP_SECONDS
        if not raw.isdigit():
            raise ValueError(f"PIPELINES_SYNC_OVERLAP_SECONDS must be a whole number of seconds, got {raw!r}")
        return int(raw)

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


def default_data_dir() -> str:
    """`PIPELINES_DATA_DIR`, else `./data`."""
    return os.environ.get("PIPELINES_DATA_DIR", "").strip() or "./data"


class WarehouseResource(dg.ConfigurableResource):
    """Where `warehouse.duckdb` and `serving.duckdb` live; `get_warehouse()` is the `warehouse.Warehouse` there."""

    data_dir: str | None = None
    lock_timeout_seconds: float = DEFAULT_LOCK_TIMEOUT_SECONDS

    def get_warehouse(self) -> Warehouse:
        """The warehouse in `data_dir` (`PIPELINES_DATA_DIR`, default `./data`)."""
        return Warehouse(self.data_dir or default_data_dir(), lock_timeout_seconds=self.lock_timeout_seconds)
