"""End to end: a full sync of a sandbox whose records carry drifted shapes (written with `/_sandbox/mutations`)
loses no record, equals `/_sandbox/records`, publishes, and reports the drift in a WARN check, the
materialization metadata, the run's log and `meta.schema_drift`."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.orchestration.conftest import assert_equal, query

pytestmark = pytest.mark.slow
STREAMS = ("projects", "rfis", "submittals", "budget_views", "budget_rows")


def _readable(sandbox, resource: str) -> list[dict]:
    info = sandbox.info()
    unreadable = set(info["forbidden_project_ids"]) | set(info["hidden_project_ids"])
    return [r for r in sandbox.records(resource) if r["deleted_at"] is None and r["project_id"] not in unreadable
            and r["record"].get("id") is not None]


def _plant_drift(sandbox) -> dict[str, list[int]]:
    """Drifted shapes on two RFIs, a submittal, a budget row, a budget view and a project; their ids by stream."""
    rfis, submittal = _readable(sandbox, "rfis")[:2], _readable(sandbox, "submittals")[0]
    row, view = _readable(sandbox, "budget_rows")[0], _readable(sandbox, "budget_views")[0]
    project = next(r for r in sandbox.records("projects") if r["deleted_at"] is None)
    changes = [
        {"resource": "rfis", "action": "update", "id": rfis[0]["record"]["id"], "changes": {
            "due_date": "next tuesday", "rfi_manager": "Pat Lee", "assignee": {"id": 1, "name": False},
            "brand_new_field": {"added": "by Procore"}}},
        {"resource": "rfis", "action": "update", "id": rfis[1]["record"]["id"], "changes": {
            "priority": {"name": {"en": "High"}, "value": 3}, "cost_impact": "unknown", "due_date": "2031-02-30"}},
        {"resource": "submittals", "action": "update", "id": submittal["record"]["id"], "changes": {
            "type": ["Product Data"], "received_date": 20250101}},
        {"resource": "budget_rows", "action": "update", "id": row["record"]["id"], "changes": {
            "category": {"id": 7, "name": "Labor"}, "original_budget_amount": "n/a"}},
        {"resource": "budget_views", "action": "update", "id": view["record"]["id"], "project_id": view["project_id"],
         "changes": {"description": ["two", "lines"]}},
        {"resource": "projects", "action": "update", "id": project["record"]["id"], "changes": {
            "city": {"name": "Austin"}}},
    ]
    sandbox.mutate({"mutations": changes})
    return {"rfis": [r["record"]["id"] for r in rfis], "submittals": [submittal["record"]["id"]],
            "budget_rows": [row["record"]["id"]], "budget_views": [view["record"]["id"]],
            "projects": [project["record"]["id"]]}


def test_full_sync_of_drifted_records_loses_nothing_publishes_and_warns(sandbox, run_pipeline_job,
                                                                        tmp_path: Path, capfd):
    planted = _plant_drift(sandbox)
    data_dir = tmp_path / "data"
    result = run_pipeline_job("weekly_full_sync", data_dir)
    log = capfd.readouterr().err  # the run's console log
    assert result.success
    for resource in STREAMS:
        assert_equal(sandbox, data_dir, resource)  # every record, payload exactly as served
    assert query(data_dir, "SELECT count(*) FROM meta.sync_log WHERE status = 'failed'") == [(0,)]

    first, second = planted["rfis"]
    assert query(data_dir, "SELECT due_date, rfi_manager_name, assignee_name, subject IS NOT NULL, "
                           "payload->>'$.brand_new_field.added' FROM raw.rfis WHERE id = ?", [first]) == \
        [(None, None, None, True, "by Procore")]
    assert query(data_dir, "SELECT priority, cost_impact_status, due_date FROM raw.rfis WHERE id = ?", [second]) == \
        [(None, None, None)]
    assert query(data_dir, "SELECT category FROM raw.budget_rows WHERE id = ?", planted["budget_rows"]) == [("Labor",)]

    drift = {(s, c, o) for s, c, o in query(data_dir, "SELECT stream, column_name, observed_type "
                                                      "FROM meta.schema_drift")}
    assert drift == {
        ("rfis", "due_date", "string"), ("rfis", "rfi_manager_name", "string"), ("rfis", "assignee_name", "boolean"),
        ("rfis", "priority", "object"), ("rfis", "cost_impact_status", "string"),
        ("rfis", "cost_impact_value", "string"), ("submittals", "type_name", "array"),
        ("submittals", "received_date", "integer"), ("budget_rows", "category", "object"),
        ("budget_rows", "original_budget_amount", "string"), ("budget_views", "description", "array"),
        ("projects", "city", "object"),
    }
    [(count, example)] = query(data_dir, "SELECT count, example_record_id FROM meta.schema_drift "
                                         "WHERE stream = 'rfis' AND column_name = 'due_date'")
    assert count == 2 and example in (str(first), str(second))

    checks = {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}
    for stream in STREAMS:
        warning = checks[(f"raw/{stream}", "schema_drift")]
        assert warning.passed is False and warning.severity == dg.AssetCheckSeverity.WARN
    rfi_check = checks[("raw/rfis", "schema_drift")].metadata
    assert rfi_check["drifted_columns_latest_run"].value == 6
    assert "due_date (string)" in rfi_check["columns"].value and str(first) in rfi_check["drift"].value
    blocking = [key for key, e in checks.items() if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR]
    assert blocking == []

    meta = {m.asset_key.to_user_string(): m.metadata
            for m in (e.materialization for e in result.get_asset_materialization_events())}
    assert meta["raw/rfis"]["schema_drift_records"].value == 7
    assert "rfi_manager_name" in meta["raw/rfis"]["schema_drift"].value
    assert meta["raw/submittals"]["schema_drift_records"].value == 2
    warned = [line for line in log.splitlines() if " - WARNING - " in line and "rfis: schema drift" in line]
    assert len(warned) == 1 and "rfi_manager_name (rfi_manager.name): expected object, got string" in warned[0]

    # published: the snapshot holds every project's RFIs, drifted ones included
    with duckdb.connect(str(data_dir / "serving.duckdb"), read_only=True) as served:
        assert served.execute("SELECT count(*) FROM meta.snapshot").fetchone()[0] == 1
        served_total = served.execute("SELECT sum(rfis_total) FROM marts.project_metrics").fetchone()[0]
    assert served_total == query(data_dir, "SELECT count(*) FROM raw.rfis WHERE _deleted_at IS NULL")[0][0]

    # Procore sends the expected shapes again: the next run's check passes, the table keeps what was seen
    person = {"id": 1, "name": "Pat Lee"}
    sandbox.mutate({"mutations": [
        {"resource": "rfis", "action": "update", "id": first, "changes": {
            "due_date": "2031-01-01", "rfi_manager": person, "assignee": person}},
        {"resource": "rfis", "action": "update", "id": second, "changes": {
            "priority": {"name": "High", "value": 3}, "cost_impact": {"status": "no_impact", "value": None},
            "due_date": "2031-02-28"}}]})
    again = run_pipeline_job("hourly_sync", data_dir)
    assert again.success
    checks = {(e.asset_key.to_user_string(), e.check_name): e for e in again.get_asset_check_evaluations()}
    assert checks[("raw/rfis", "schema_drift")].passed is True
    assert checks[("raw/rfis", "schema_drift")].metadata["drifted_columns_ever"].value == 6
    assert query(data_dir, "SELECT priority, due_date::VARCHAR FROM raw.rfis WHERE id = ?", [second]) == \
        [("High", "2031-02-28")]
