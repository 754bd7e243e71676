"""Where the warehouse lives and the one way to open it: `Warehouse(data_dir).connect()`.

`Warehouse.connect()` opens `<data dir>/warehouse.duckdb` for a short read or write, with every raw
and meta table created on first use. When another process holds DuckDB's file lock (two headless
`dagster job execute` runs have no run queue between them), it waits and retries up to
`lock_timeout_seconds` instead of failing; a file that is not a DuckDB database fails naming the fix.
Every connection to the warehouse is opened here, so another storage can later sit behind the
same object.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from procore_source.private_files import private_dir, private_file
from warehouse.schema import create_warehouse_tables

DEFAULT_LOCK_TIMEOUT_SECONDS = 600.0
_initialised: set[str] = set()  # warehouse files whose tables this process already created


class Warehouse:
    """The DuckDB warehouse in `data_dir` (`warehouse.duckdb`) and the snapshot published beside it."""

    def __init__(self, data_dir: Path | str, *, lock_timeout_seconds: float = DEFAULT_LOCK_TIMEOUT_SECONDS):
        self.directory = Path(data_dir)
        self.lock_timeout_seconds = lock_timeout_seconds

    def __repr__(self) -> str:
        return f"Warehouse({str(self.directory)!r})"

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


def _is_lock_conflict(exc: duckdb.Error) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


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
