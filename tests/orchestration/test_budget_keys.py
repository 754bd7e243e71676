"""Budget rows are keyed by (project, view, row): views are company-level, so projects share view ids."""

from __future__ import annotations

import duckdb
import pytest

from procore_source.budget_rows import budget_row_extras as _budget_row_extras
from procore_source.streams import BUDGET_ROWS
from tests.orchestration.conftest import query
from warehouse.connection import Warehouse
from warehouse.schema import existing_primary_key


def test_rows_of_projects_sharing_a_view_id_are_all_kept(sandbox, run_job, data_dir):
    assert run_job("daily_sync").success
    info = sandbox.info()
    unreadable = set(info["forbidden_project_ids"]) | set(info["hidden_project_ids"])
    live = [r for r in sandbox.records("budget_rows") if not r["deleted_at"] and r["project_id"] not in unreadable]
    view = live[0]["budget_view_id"]
    assert len({r["project_id"] for r in live if r["budget_view_id"] == view}) > 1  # a shared view id
    stored = query(data_dir, "SELECT project_id, budget_view_id, count(*) FROM raw.budget_rows "
                             "WHERE _deleted_at IS NULL GROUP BY ALL")
    expected: dict[tuple, int] = {}
    for r in live:
        expected[(r["project_id"], r["budget_view_id"])] = expected.get((r["project_id"], r["budget_view_id"]), 0) + 1
    assert {(p, v): n for p, v, n in stored} == expected


def test_unbudgeted_keys_use_the_wbs_id_then_code_category_and_sub_job():
    base = {"id": None, "cost_code": "01-100", "category": "Labor", "wbs_code": {"id": None, "flat_code": "01-100.L"}}
    assert _budget_row_extras(base)["budget_row_id"] == "unbudgeted:01-100.L:Labor"
    assert _budget_row_extras({**base, "sub_job": {"id": 9}})["budget_row_id"] == "unbudgeted:01-100.L:Labor:sub_job:9"
    wbs = {**base, "wbs_code": {"id": 55, "flat_code": "x"}}
    assert _budget_row_extras(wbs)["budget_row_id"] == "unbudgeted:wbs:55"
    assert _budget_row_extras({**base, "id": 12})["budget_row_id"] == "12"


def test_an_old_key_table_is_migrated_in_place(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute("CREATE TABLE raw.budget_rows (project_id BIGINT, company_id BIGINT, budget_view_id BIGINT, "
                    "budget_row_id VARCHAR, id BIGINT, cost_code VARCHAR, payload JSON, _synced_at TIMESTAMPTZ, "
                    "_deleted_at TIMESTAMPTZ, PRIMARY KEY (budget_view_id, budget_row_id))")
        con.execute("INSERT INTO raw.budget_rows VALUES (1, 10, 3, '77', 77, '01-100', '{\"id\":77}', now(), NULL)")
    warehouse = Warehouse(tmp_path)
    with warehouse.connect() as con:
        assert existing_primary_key(con, BUDGET_ROWS) == ("project_id", "budget_view_id", "budget_row_id")
        assert con.execute("SELECT project_id, budget_row_id, cost_code FROM raw.budget_rows").fetchall() == [
            (1, "77", "01-100")]
        # the same view and row id in another project is now a row of its own
        con.execute("INSERT INTO raw.budget_rows (project_id, company_id, budget_view_id, budget_row_id, payload) "
                    "VALUES (2, 10, 3, '77', '{}')")
        assert con.execute("SELECT count(*) FROM raw.budget_rows").fetchone()[0] == 2


def test_a_failed_migration_leaves_the_old_table_and_says_what_to_do(tmp_path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute("CREATE TABLE raw.budget_rows (project_id BIGINT, budget_view_id BIGINT, budget_row_id VARCHAR, "
                    "payload JSON, PRIMARY KEY (budget_view_id, budget_row_id))")
        con.execute("INSERT INTO raw.budget_rows VALUES (NULL, 3, '77', '{}')")  # no project: cannot be re-keyed
    with pytest.raises(RuntimeError, match="weekly_full_sync into a fresh warehouse"), \
            Warehouse(tmp_path).connect():
        pass
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        assert con.execute("SELECT count(*) FROM raw.budget_rows").fetchone()[0] == 1
        assert existing_primary_key(con, BUDGET_ROWS) == ("budget_view_id", "budget_row_id")
