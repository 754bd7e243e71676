"""Values that do not fit their column: a non-key column loads NULL and counts drift; a key field rejects
the record, which is logged by id while the rest of the scope loads."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from procore_source.flatten import FlattenError
from procore_source.shapes import DriftTally
from procore_source.streams import BUDGET_ROWS, PROJECTS, RFIS
from tests.orchestration.conftest import assert_equal, query
from warehouse.connection import Warehouse
from warehouse.scope_read import Scope, ScopeRead, _collect
from warehouse.upsert import upsert_rows

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
SCOPE = {"company_id": 1, "project_id": 2}


def _live_rfi(sandbox) -> int:
    info = sandbox.info()
    unreadable = set(info["forbidden_project_ids"] + info["hidden_project_ids"])
    return next(r["record"]["id"] for r in sandbox.records("rfis")
                if not r["deleted_at"] and r["project_id"] not in unreadable)


@pytest.mark.parametrize("changes, column, observed", [
    ({"schedule_impact": {"status": "yes_known", "value": 99999999999}}, "schedule_impact_days", "integer"),
    ({"cost_impact": {"status": "yes_known", "value": "12345678901234567.00"}}, "cost_impact_value", "string"),
])
def test_out_of_range_number_loads_null_and_is_counted(sandbox, run_job, data_dir, synced, changes, column, observed):
    bad_id = _live_rfi(sandbox)
    sandbox.mutate({"resource": "rfis", "action": "update", "id": bad_id, "changes": changes})
    result = run_job("hourly_sync")
    assert result.success
    assert query(data_dir, f"SELECT {column} IS NULL, payload FROM raw.rfis WHERE id = ?", [bad_id])[0][0] is True
    payload = json.loads(query(data_dir, "SELECT payload FROM raw.rfis WHERE id = ?", [bad_id])[0][0])
    assert payload[next(iter(changes))] == next(iter(changes.values()))  # the value Procore sent, kept whole
    assert query(data_dir, "SELECT count(*) FROM meta.sync_log WHERE run_id = ? AND status = 'failed'",
                 [result.run_id]) == [(0,)]
    drift = query(data_dir, "SELECT expected_type, count, example_record_id, last_run_id FROM meta.schema_drift "
                            "WHERE stream = 'rfis' AND column_name = ? AND observed_type = ?", [column, observed])
    assert drift == [({c.name: c.sql_type for c in RFIS.columns}[column], 1, str(bad_id), result.run_id)]
    checks = {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}
    assert checks[("raw/rfis", "schema_drift")].passed is False
    assert checks[("raw/rfis", "no_sync_failures")].passed is True
    assert_equal(sandbox, data_dir, "rfis")


@pytest.mark.parametrize("value, ok", [(2**31 - 1, True), (2**31, False), (-(2**31), True), (-(2**31) - 1, False)])
def test_integer_columns_are_range_checked(value, ok):
    record = {"id": 1, "schedule_impact": {"status": "yes_known", "value": value}}
    drift = DriftTally()
    row = RFIS.flatten(record, SCOPE, drift)
    assert row["schedule_impact_days"] == (value if ok else None)
    assert row["schedule_impact_status"] == "yes_known"  # the rest of the record is there either way
    assert [(s.column, s.expected, s.observed, s.example_id) for s in drift] == \
        ([] if ok else [("schedule_impact_days", "INTEGER", "integer", "1")])


def test_key_columns_reject_and_other_columns_drift_at_their_limits():
    with pytest.raises(FlattenError, match="column id.*BIGINT"):
        PROJECTS.flatten({"id": 2**63, "company": {"id": 1}}, {"company_id": 1})
    with pytest.raises(FlattenError, match="column updated_at.*TIMESTAMPTZ"):  # the cursor's field
        RFIS.flatten({"id": 5, "updated_at": "yesterday"}, SCOPE)
    drift = DriftTally()
    assert PROJECTS.flatten({"id": 1, "total_value": "1e16"}, {"company_id": 1}, drift)["total_value"] is None
    assert [(s.column, s.expected, s.example_value) for s in drift] == [("total_value", "DECIMAL(18,2)", '"1e16"')]
    assert str(PROJECTS.flatten({"id": 1, "total_value": "9999999999999999.99"}, {"company_id": 1})["total_value"]) \
        == "9999999999999999.99"


def test_record_without_id_is_named_by_position_and_the_rest_upserts(tmp_path):
    read = ScopeRead(scope=Scope(1, 7), full=True, window_end=NOW, started_at=NOW)
    records = [{"id": 10, "number": "1", "updated_at": "2026-01-05T10:00:00Z"},
               {"number": "2", "subject": "No id", "updated_at": "2026-01-05T10:00:00Z"},
               {"id": 11, "number": "3", "updated_at": "2026-01-05T10:00:00Z"}]
    _collect(read, RFIS, records, {"company_id": 1, "project_id": 7}, False)
    assert read.bad_records["rfis"] == ["record without id at position 2 (number '2'): primary key column(s) id "
                                        "missing from the record"]
    status, error = read.stream_status("rfis")
    assert status == "failed" and "position 2" in error
    with Warehouse(tmp_path).connect() as con:
        result = upsert_rows(con, RFIS, read.rows["rfis"], synced_at=NOW)
        assert result.inserted == 2
        assert con.execute("SELECT id FROM raw.rfis ORDER BY id").fetchall() == [(10,), (11,)]


def test_budget_rows_without_id_still_have_a_key():
    row = BUDGET_ROWS.flatten({"id": None, "cost_code": "01", "category": "Labor"},
                              {"company_id": 1, "project_id": 2, "budget_view_id": 3})
    assert row["budget_row_id"] == "unbudgeted:01:Labor"


def test_budget_row_with_an_id_of_another_shape_is_rejected_not_misfiled():
    with pytest.raises(FlattenError, match="budget_row_id"):
        BUDGET_ROWS.flatten({"id": {"value": 7}, "cost_code": "01"}, {"company_id": 1, "project_id": 2,
                                                                        "budget_view_id": 3})
