"""Data files are readable by their owner only, whatever the umask of the process that creates them.

A real weekly sync writes `warehouse.duckdb` and publishes `serving.duckdb`; the real access store,
webhook inbox, token store and launcher logs create their files; every one ends 0600 inside a 0700
data directory, also when an older install left them 0644 in a 0755 directory.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.access_store import AccessStore
from operations.processes import ProcessGroups
from procore_source.token_store import FileTokenStore, StoredTokens
from warehouse.connection import Warehouse
from webhooks.events import parse_event
from webhooks.inbox import Inbox

pytestmark = pytest.mark.slow


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def lax_umask() -> Iterator[None]:
    """The common default umask (022), under which a plain open() makes 0644 files and 0755 directories."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


EVENT = {"id": 5982324300946918154, "ulid": "01EDPD2J6SBY1163N77H95GW09", "event_type": "update",
         "resource_name": "RFIs", "resource_id": 245510722, "project_id": 219542, "company_id": 6452}


def test_every_data_file_is_owner_only_under_a_lax_umask(lax_umask, run_pipeline_job, tmp_path):
    data = tmp_path / "data"
    result = run_pipeline_job("weekly_full_sync", data)
    assert result.success
    store = AccessStore(f"sqlite:///{data / 'dashboard.db'}")
    store.create_all()
    store.create_group("Owner only", 1, [])
    inbox = Inbox(f"sqlite:///{data / 'webhooks.db'}")
    inbox.store(parse_event(json.dumps(EVENT).encode()))
    side_files = sorted(p.name for p in data.iterdir() if p.name.endswith(("-wal", "-shm")))
    FileTokenStore(data / "secrets" / "procore-token.json").save(StoredTokens(access_token="a", refresh_token="r",
                                                                              expires_at=0))
    groups = ProcessGroups(data / "logs")
    groups.start("echo", [sys.executable, "-c", "print('logged')"], dict(os.environ), tmp_path).proc.wait(30)
    try:
        assert mode(data) == 0o700
        files = [data / name for name in ("warehouse.duckdb", "serving.duckdb", "dashboard.db", "webhooks.db")]
        files += [data / name for name in side_files] + [data / "secrets" / "procore-token.json",
                                                          data / "logs" / "echo.log"]
        assert side_files, "SQLite in WAL mode keeps -wal/-shm files open; they must be checked too"
        assert {str(f.relative_to(data)): oct(mode(f)) for f in files} == {
            str(f.relative_to(data)): "0o600" for f in files}
        assert mode(data / "logs") == 0o700
    finally:
        inbox.close()
        store.engine.dispose()


def test_files_an_older_install_left_readable_are_tightened(lax_umask, tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    warehouse = Warehouse(data)
    with warehouse.connect() as con:
        con.execute("CREATE TABLE IF NOT EXISTS main.t AS SELECT 1 AS a")
    warehouse.warehouse_path.chmod(0o644)
    data.chmod(0o755)
    with warehouse.connect() as con:
        assert con.execute("SELECT a FROM main.t").fetchone() == (1,)
    assert mode(data) == 0o700 and mode(warehouse.warehouse_path) == 0o600
    sqlite_file = tmp_path / "elsewhere" / "webhooks.db"
    sqlite_file.parent.mkdir(mode=0o755)
    sqlite_file.write_bytes(b"")
    sqlite_file.chmod(0o644)
    Inbox(f"sqlite:///{sqlite_file}").close()
    assert mode(sqlite_file) == 0o600
    assert mode(sqlite_file.parent) == 0o755, "a directory that is not ours to own (like /tmp) is left alone"

