"""Dagster resources: the Procore source (`ProcoreResource`) and the DuckDB warehouse (`WarehouseResource`).

`ProcoreResource` builds `ProcoreSettings` from its fields plus the `PROCORE_*` environment and one
`ProcoreClient` per run, shared by every asset and thread of the run (one pacer per company).
`WarehouseResource.connect()` opens `warehouse.duckdb` for a short write; when another process
holds DuckDB's file lock (two headless `dagster job execute` runs have no run queue between them),
it waits and retries up to `lock_timeout_seconds` instead of failing.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from orchestration.meta_tables import create_warehouse_tables
from procore_source.client import ProcoreClient
from procore_source.private_files import private_dir, private_file
from procore_source.settings import ProcoreSettings

DEFAULT_OVERLAP_SECONDS = 300
DEFAULT_LOCK_TIMEOUT_SECONDS = 600.0
_initialised: set[str] = set()  # warehouse files whose tables this process already created


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


def _is_lock_conflict(exc: duckdb.Error) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


class WarehouseResource(dg.ConfigurableResource):
    """Where `warehouse.duckdb` and `serving.duckdb` live (`PIPELINES_DATA_DIR`, default `./data`)."""

    data_dir: str | None = None
    lock_timeout_seconds: float = DEFAULT_LOCK_TIMEOUT_SECONDS

    @property
    def directory(self) -> Path:
        """The data directory (created on first connect)."""
        return Path(self.data_dir or default_data_dir())

    @property
    def warehouse_path(self) -> Path:
        """`<data dir>/warehouse.duckdb`."""
        return self.directory / "warehouse.duckdb"

    @property
    def serving_path(self) -> Path:
        """`<data dir>/serving.duckdb`."""
        return self.directory / "serving.duckdb"

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the warehouse with every raw and meta table created; closed on exit."""
        private_dir(self.directory)  # 0700: also covers DuckDB's WAL, which it creates with the umask
        fresh = not self.warehouse_path.exists()  # a file deleted under a long-lived process needs its tables again
        con = open_with_lock_wait(self.warehouse_path, read_only=read_only, timeout=self.lock_timeout_seconds)
        private_file(self.warehouse_path)
        try:
            if not read_only and (fresh or str(self.warehouse_path) not in _initialised):
                create_warehouse_tables(con)
                _initialised.add(str(self.warehouse_path))
            yield con
        finally:
            con.close()


def open_with_lock_wait(path: Path, *, read_only: bool = False, timeout: float) -> duckdb.DuckDBPyConnection:
    """`duckdb.connect(path)`, retrying while another process holds the file lock, up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if not _is_lock_conflict(exc) or time.monotonic() >= deadline:
                if _is_lock_conflict(exc):
                    raise TimeoutError(f"{path} stayed locked by another process for {timeout:.0f} s "
                                       f"(another sync still running?): {exc}") from exc
                if "not a valid duckdb database" in str(exc).lower():
                    raise RuntimeError(f"{path} is not a readable DuckDB database (corrupted or overwritten): "
                                       "rebuild it by a full sync with `make rebuild-warehouse` "
                                       "(docs/operations.md)") from exc
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
