"""Warehouse I/O on real DuckDB files: counted upserts, deletion marks, cursors in the same
transaction as their rows, and waiting for another process's file lock."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from procore_source.streams import PROJECTS, RFIS
from warehouse.connection import Warehouse, open_with_lock_wait
from warehouse.meta import StateUpdate, read_cursors, write_state
from warehouse.scope_read import since_for
from warehouse.upsert import upsert_rows

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def _rfi(i: int, subject: str = "Door hardware", deleted: datetime | None = None, project: int = 7) -> dict:
    record = {"id": i, "number": str(i), "subject": subject, "status": "open", "due_date": "2026-02-01",
              "updated_at": "2026-01-05T10:00:00Z", "cost_impact": {"status": "yes_known", "value": "125.50"}}
    row = RFIS.flatten(record, {"company_id": 1, "project_id": project})
    row["_deleted_at"] = deleted
    return row


@pytest.fixture
def con(tmp_path):
    warehouse = Warehouse(tmp_path)
    with warehouse.connect() as connection:
        yield connection


def test_upsert_counts_inserted_updated_unchanged_and_is_idempotent(con):
    first = upsert_rows(con, RFIS, [_rfi(1), _rfi(2), _rfi(3)], synced_at=NOW)
    assert (first.inserted, first.updated, first.unchanged) == (3, 0, 0)
    again = upsert_rows(con, RFIS, [_rfi(1), _rfi(2), _rfi(3)], synced_at=NOW)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    changed = upsert_rows(con, RFIS, [_rfi(1, "Revised"), _rfi(4)], synced_at=NOW)
    assert (changed.inserted, changed.updated, changed.unchanged) == (1, 1, 0)
    assert changed.per_scope[7] == {"inserted": 1, "updated": 1, "deleted": 0, "unchanged": 0}
    assert con.execute("SELECT count(*), sum(cost_impact_value) FROM raw.rfis").fetchone() == (4, 502)
    assert {r["action"] for r in changed.preview} == {"inserted", "updated"}


def test_duplicate_keys_in_one_batch_keep_the_last(con):
    result = upsert_rows(con, RFIS, [_rfi(1, "old"), _rfi(1, "new")], synced_at=NOW)
    assert result.inserted == 1
    assert con.execute("SELECT subject FROM raw.rfis").fetchall() == [("new",)]


def test_recycle_bin_and_full_reread_mark_deletions_and_comebacks_clear_them(con):
    upsert_rows(con, RFIS, [_rfi(1), _rfi(2), _rfi(3), _rfi(9, project=8)], synced_at=NOW)
    binned = upsert_rows(con, RFIS, [_rfi(2, deleted=NOW)], synced_at=NOW)
    assert binned.deleted == 1
    full = upsert_rows(con, RFIS, [_rfi(1)], synced_at=NOW, full_scopes=[7])
    assert full.deleted == 1  # RFI 3 is gone; 2 was already deleted; project 8 was not re-read
    marks = dict(con.execute("SELECT id, _deleted_at IS NOT NULL FROM raw.rfis").fetchall())
    assert marks == {1: False, 2: True, 3: True, 9: False}
    back = upsert_rows(con, RFIS, [_rfi(1), _rfi(3)], synced_at=NOW, full_scopes=[7])
    assert back.updated == 1
    assert con.execute("SELECT _deleted_at FROM raw.rfis WHERE id = 3").fetchone() == (None,)


def test_company_scoped_full_reread_marks_by_company(con):
    def project(i: int, company: int) -> dict:
        row = PROJECTS.flatten({"id": i, "name": f"P{i}", "company": {"id": company}}, {"company_id": company})
        return {**row, "_deleted_at": None}
    upsert_rows(con, PROJECTS, [project(1, 10), project(2, 10), project(3, 20)], synced_at=NOW)
    result = upsert_rows(con, PROJECTS, [project(1, 10)], synced_at=NOW, full_scopes=[10])
    assert result.per_scope[10]["deleted"] == 1
    assert con.execute("SELECT id FROM raw.projects WHERE _deleted_at IS NULL ORDER BY id").fetchall() == [(1,), (3,)]


def test_cursor_commits_or_rolls_back_with_its_rows(con):
    con.execute("BEGIN")
    upsert_rows(con, RFIS, [_rfi(1)], synced_at=NOW)
    write_state(con, [StateUpdate(1, 7, "rfis", "ok", NOW, cursor=NOW, full=True)])
    con.execute("ROLLBACK")
    assert read_cursors(con, "rfis") == {}
    assert con.execute("SELECT count(*) FROM raw.rfis").fetchone() == (0,)
    con.execute("BEGIN")
    upsert_rows(con, RFIS, [_rfi(1)], synced_at=NOW)
    write_state(con, [StateUpdate(1, 7, "rfis", "ok", NOW, cursor=NOW, full=True)])
    con.execute("COMMIT")
    write_state(con, [StateUpdate(1, 7, "rfis", "failed", NOW + timedelta(hours=1))])  # failure keeps the cursor
    stored = read_cursors(con, "rfis")[(1, 7)]
    assert stored.cursor == NOW and stored.last_full_sync_at == NOW


def test_window_reaches_back_by_the_overlap():
    assert since_for(NOW, full=False, overlap_seconds=300) == NOW - timedelta(minutes=5)
    assert since_for(NOW, full=True, overlap_seconds=300) is None
    assert since_for(None, full=False, overlap_seconds=300) is None


def test_connect_waits_for_another_process_lock_then_times_out_clearly(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(path)).close()
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(path)!r}); "
                                                     "print('locked', flush=True); time.sleep(2)"],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    with pytest.raises(TimeoutError, match="locked by another process"):
        open_with_lock_wait(path, timeout=0.3)
    started = time.monotonic()
    con = open_with_lock_wait(path, timeout=30)
    con.close()
    holder.wait()
    assert time.monotonic() - started > 0.5  # it waited for the holder instead of failing
