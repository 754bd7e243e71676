"""Records without a primary key or with out-of-range numbers are logged and left out; the rest loads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from orchestration.reads import Scope, ScopeRead, _collect
from orchestration.resources import WarehouseResource
from orchestration.upsert import upsert_rows
from procore_source.flatten import FlattenError
from procore_source.streams import BUDGET_ROWS, PROJECTS, RFIS
from tests.orchestration.conftest import assert_equal, query

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def _live_rfi(sandbox) -> int:
    info = sandbox.info()
    unreadable = set(info["forbidden_project_ids"] + info["hidden_project_ids"])
    return next(r["record"]["id"] for r in sandbox.records("rfis")
                if not r["deleted_at"] and r["project_id"] not in unreadable)


@pytest.mark.parametrize("changes, column", [
    ({"schedule_impact": {"status": "yes_known", "value": 99999999999}}, "schedule_impact_days"),
    ({"cost_impact": {"status": "yes_known", "value": "12345678901234567.00"}}, "cost_impact_value"),
])
def test_out_of_range_number_is_logged_and_the_stream_goes_on(sandbox, run_job, data_dir, synced, changes, column):
    bad_id = _live_rfi(sandbox)
    sandbox.mutate({"resource": "rfis", "action": "update", "id": bad_id, "changes": changes})
    other = sandbox.mutate({"resource": "rfis", "action": "create",
                            "project_id": query(data_dir, "SELECT project_id FROM raw.rfis WHERE id = ?",
                                                [bad_id])[0][0]})["changes"][0]["id"]
    result = run_job("hourly_sync")
    assert result.success
    errors = query(data_dir, "SELECT error FROM meta.sync_log WHERE run_id = ? AND stream = 'rfis' "
                             "AND status = 'failed'", [result.run_id])
    assert len(errors) == 1 and f"record id {bad_id}" in errors[0][0] and column in errors[0][0]
    assert query(data_dir, "SELECT count(*) FROM raw.rfis WHERE id = ?", [other]) == [(1,)]  # the rest loaded
    # the cursor stayed back: once the record is fixed, the next run loads it
    sandbox.mutate({"resource": "rfis", "action": "update", "id": bad_id,
                    "changes": {k: {"status": "yes_known", "value": 3} for k in changes}})
    assert run_job("hourly_sync").success
    assert_equal(sandbox, data_dir, "rfis")


@pytest.mark.parametrize("value, ok", [(2**31 - 1, True), (2**31, False), (-(2**31), True), (-(2**31) - 1, False)])
def test_integer_columns_are_range_checked(value, ok):
    record = {"id": 1, "schedule_impact": {"status": "yes_known", "value": value}}
    if ok:
        assert RFIS.flatten(record, {"company_id": 1, "project_id": 2})["schedule_impact_days"] == value
    else:
        with pytest.raises(FlattenError, match="schedule_impact_days.*INTEGER"):
            RFIS.flatten(record, {"company_id": 1, "project_id": 2})


def test_bigint_and_decimal_limits():
    with pytest.raises(FlattenError, match="column id.*BIGINT"):
        PROJECTS.flatten({"id": 2**63, "company": {"id": 1}}, {"company_id": 1})
    with pytest.raises(FlattenError, match="total_value.*DECIMAL"):
        PROJECTS.flatten({"id": 1, "total_value": "1e16"}, {"company_id": 1})
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
    with WarehouseResource(data_dir=str(tmp_path)).connect() as con:
        result = upsert_rows(con, RFIS, read.rows["rfis"], synced_at=NOW)
        assert result.inserted == 2
        assert con.execute("SELECT id FROM raw.rfis ORDER BY id").fetchall() == [(10,), (11,)]


def test_budget_rows_without_id_still_have_a_key():
    row = BUDGET_ROWS.flatten({"id": None, "cost_code": "01", "category": "Labor"},
                              {"company_id": 1, "project_id": 2, "budget_view_id": 3})
    assert row["budget_row_id"] == "unbudgeted:01:Labor"
