"""Real Procore records (tests/fixtures/procore_samples) and drifted ones through the real loader: each stream's
flatten, then the batch writer's upsert and drift rows into a real DuckDB file, in one transaction."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from procore_source.streams import STREAMS, Stream
from warehouse.connection import Warehouse
from warehouse.scope_read import Scope, ScopeRead, _collect
from warehouse.sync import StreamReport, SyncReport, _write_batch

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "procore_samples"
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
CID, PID, VIEW = 8089, 2783683, 406809
AT = datetime(2025, 3, 6, 18, 25, 41, tzinfo=UTC)
HAGEN = "Hagen Fritz (Rogers-O'Brien Construction Company)"


def sample(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text())


def load(data_dir: Path, stream: Stream, records: list[dict], run_id: str = "run-1") -> tuple[ScopeRead, SyncReport]:
    """What a sync does with one page of `records`: `_collect` (flatten) then `_write_batch` (one transaction)."""
    scope = Scope(CID, 0 if stream.scope == "company" else PID)
    ids = {"company_id": CID, **({"project_id": PID} if scope.project_id else {}),
           **({"budget_view_id": VIEW} if stream.scope == "budget_view" else {})}
    read = ScopeRead(scope=scope, full=False, window_end=NOW, started_at=NOW, finished_at=NOW)
    _collect(read, stream, records, ids, False)
    report = SyncReport(streams={stream.name: StreamReport()}, scopes=1)
    _write_batch(Warehouse(data_dir), (stream,), [read], report, run_id)
    return read, report


def rows(data_dir: Path, stream: Stream) -> dict:
    """`raw.<stream>` keyed by the record's id, typed columns and the decoded payload."""
    with Warehouse(data_dir).connect() as con:
        cur = con.execute(f"SELECT * FROM raw.{stream.name}")
        names = [d[0] for d in cur.description]
        found = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return {r[stream.primary_key[-1]]: {**r, "payload": json.loads(r["payload"])} for r in found}


def drift_table(data_dir: Path) -> list[tuple]:
    with Warehouse(data_dir).connect() as con:
        return con.execute("SELECT stream, column_name, expected_type, observed_type, count, example_record_id "
                           "FROM meta.schema_drift ORDER BY ALL").fetchall()


EXPECTED = {
    "rfis": ("rfi_v1_0_show.json", 22564874, {
        "number": "RD-001", "full_number": "RD-001", "subject": "R&D Test RFI", "status": "open",
        "due_date": date(2025, 3, 10), "initiated_at": AT, "time_resolved": None, "created_at": AT, "updated_at": AT,
        "assignee_name": HAGEN, "ball_in_court_name": HAGEN, "rfi_manager_name": "Hagen Fritz",
        "responsible_contractor_name": "Rogers-O'Brien Construction Company", "cost_impact_status": "yes_unknown",
        "cost_impact_value": None, "schedule_impact_status": "tbd", "schedule_impact_days": None,
        "priority": None,  # {"name": false, "value": null}: no priority set
        "link": "https://app.procore.com/2783683/project/rfi/show/22564874", "project_id": PID}),
    "submittals": ("submittal_v1_0_list_item.json", 63403248, {
        "number": "1", "formatted_number": "03 30 00-1", "title": "Cast-in-Place Concrete - Product Data",
        "revision": "0", "status_id": 115339, "status_name": "Approved / No Exceptions Taken", "status": "Closed",
        "type_name": "Product Data", "spec_section": "03 30 00", "due_date": None, "received_date": None,
        "ball_in_court_name": None, "responsible_contractor_name": None, "submittal_manager_name": "Christopher Ortiz",
        "approvers": "[]", "updated_at": datetime(2025, 6, 18, 14, 24, 5, tzinfo=UTC)}),
    "projects": ("project_v1_0_list_item.json", 123456, {
        "company_id": 1234, "name": "Demo Account Project", "project_number": None,
        "stage": "Course of Construction",  # the older `stage` text: there is no project_stage object here
        "active": True, "city": "Anytown", "state_code": "CA", "total_value": None,
        "updated_at": datetime(2017, 10, 23, 21, 19, 34, tzinfo=UTC)}),
    "budget_views": ("budget_view_v1_0.json", 406809, {
        "name": "Detailed Budget View", "description": "Detailed Budget View to be used for Forecasting"}),
    "budget_rows": ("budget_detail_row_v1_0.json", "34827797", {
        "id": 34827797, "cost_code": "00-.30.14- - Project Manager", "root_cost_code": "00 - General Conditions",
        "category": "Labor", "wbs_code": "00-.30.14-.L", "wbs_description": "Project Manager.Labor",
        "original_budget_amount": Decimal("30000.00"), "budget_modifications": Decimal("0.00"),
        "budget_forecast_amount": Decimal("30000.00"), "project_id": PID, "budget_view_id": VIEW}),
}
SAMPLE_LABELS = {"Commtiment Subcontracts": "0.00", "Commitment Purchase Orders": "0.00", "Commitment COs": "0.00",
                 "Cost to Date": "0.00", "Current Budget": "30000.00", "Total Variance (Over) / Under $": "0.00",
                 "% Complete": "0.00"}


@pytest.mark.parametrize("stream_name", list(EXPECTED))
def test_every_real_sample_loads_with_its_intended_values(tmp_path, stream_name):
    stream = STREAMS[stream_name]
    file, key, values = EXPECTED[stream_name]
    record = sample(file)
    read, report = load(tmp_path, stream, [record])
    assert read.bad_records.get(stream_name, []) == [] and report.streams[stream_name].inserted == 1
    loaded = rows(tmp_path, stream)
    assert list(loaded) == [key]
    assert {k: loaded[key][k] for k in values} == values
    assert loaded[key]["payload"] == record  # every field Procore sent, nested objects included
    assert drift_table(tmp_path) == []  # the catalogue expects exactly these shapes
    if stream_name == "budget_rows":
        assert json.loads(loaded[key]["label_amounts"]) == SAMPLE_LABELS


@pytest.mark.parametrize("changes, column, value", [
    ({"priority": {"name": "High", "value": 3}}, "priority", "High"),  # a set priority: label and number
    ({"priority": "high"}, "priority", "high"),  # older responses: plain text
    ({"cost_impact": {"status": "yes_known", "value": 1250.5}}, "cost_impact_value", Decimal("1250.50")),
    ({"cost_impact": {"status": "yes_known", "value": "1,250.50"}}, "cost_impact_value", Decimal("1250.50")),
    ({"schedule_impact": {"status": "yes_known", "value": "12"}}, "schedule_impact_days", 12),
    ({"ball_in_courts": []}, "ball_in_court_name", None),  # nobody: not the object's name either
])
def test_real_variants_of_rfi_fields_load_without_drift(tmp_path, changes, column, value):
    record = {**sample("rfi_v1_0_show.json"), **changes}
    load(tmp_path, STREAMS["rfis"], [record])
    assert rows(tmp_path, STREAMS["rfis"])[record["id"]][column] == value
    assert drift_table(tmp_path) == []


def _drifted_rfi() -> dict:
    record = copy.deepcopy(sample("rfi_v1_0_show.json"))
    record.update({
        "rfi_manager": "Hagen Fritz",                       # a string where an object is expected
        "subject": {"text": "R&D Test RFI"},                # an object where a string is expected
        "assignee": {"id": 8780450, "name": False},         # false where a name should be
        "due_date": "next tuesday",                         # a date that does not parse
        "schedule_impact": {"status": "yes_known", "value": "two weeks"},  # a number that does not convert
        "ball_in_courts": {"id": 8780450, "name": "Hagen Fritz"},          # an object where a list is expected
        "brand_new_field": {"added": ["by", "Procore"]},    # a field the catalogue does not know
    })
    return record


def test_drifted_record_loads_with_null_columns_and_every_case_is_counted(tmp_path):
    record = _drifted_rfi()
    read, report = load(tmp_path, STREAMS["rfis"], [record])
    assert read.bad_records.get("rfis", []) == [] and read.stream_status("rfis") == ("ok", None)
    row = rows(tmp_path, STREAMS["rfis"])[record["id"]]
    assert row["payload"] == record  # the whole record, drifted fields and the new one included
    assert {k: row[k] for k in ("rfi_manager_name", "subject", "assignee_name", "due_date", "schedule_impact_days")} \
        == dict.fromkeys(("rfi_manager_name", "subject", "assignee_name", "due_date", "schedule_impact_days"))
    assert row["ball_in_court_name"] == HAGEN  # `ball_in_court{}` is the known alternative to the list
    assert (row["number"], row["status"], row["schedule_impact_status"], row["updated_at"]) == \
        ("RD-001", "open", "yes_known", AT)
    expected = [
        ("rfis", "assignee_name", "VARCHAR", "boolean", 1, str(record["id"])),
        ("rfis", "due_date", "DATE", "string", 1, str(record["id"])),
        ("rfis", "rfi_manager_name", "object", "string", 1, str(record["id"])),
        ("rfis", "schedule_impact_days", "INTEGER", "string", 1, str(record["id"])),
        ("rfis", "subject", "VARCHAR", "object", 1, str(record["id"])),
    ]
    assert drift_table(tmp_path) == expected
    assert report.streams["rfis"].drift.records() == 5
    # read again in a later run: counted again, first_seen kept, last_seen and the run moved on
    load(tmp_path, STREAMS["rfis"], [record], run_id="run-2")
    assert [r[4] for r in drift_table(tmp_path)] == [2] * 5
    with Warehouse(tmp_path).connect() as con:
        assert con.execute("SELECT DISTINCT last_run_id FROM meta.schema_drift").fetchall() == [("run-2",)]
        assert con.execute("SELECT count(*) FROM raw.rfis").fetchone() == (1,)


def test_object_where_text_is_expected_gives_the_display_field(tmp_path):
    row_record = {**sample("budget_detail_row_v1_0.json"), "category": {"id": 832342, "name": "Labor"},
                  "original_budget_amount": "n/a"}
    load(tmp_path, STREAMS["budget_rows"], [row_record])
    row = rows(tmp_path, STREAMS["budget_rows"])["34827797"]
    assert (row["category"], row["original_budget_amount"], row["cost_code"]) == \
        ("Labor", None, "00-.30.14- - Project Manager")
    assert drift_table(tmp_path) == [
        ("budget_rows", "category", "VARCHAR", "object", 1, "34827797"),
        ("budget_rows", "original_budget_amount", "DECIMAL(18,2)", "string", 1, "34827797"),
    ]


def test_project_stage_as_an_object_or_as_text_both_give_the_name(tmp_path):
    base = sample("project_v1_0_list_item.json")
    records = [{**base, "id": 1, "project_stage": {"id": 3, "name": "Bidding"}},
               {**base, "id": 2, "stage": {"id": 3, "name": "Warranty"}}]  # `stage` turned into an object
    load(tmp_path, STREAMS["projects"], records)
    loaded = rows(tmp_path, STREAMS["projects"])
    assert (loaded[1]["stage"], loaded[2]["stage"]) == ("Bidding", "Warranty")
    assert drift_table(tmp_path) == [("projects", "stage", "VARCHAR", "object", 1, "2")]
