"""marts.project_metrics on the hand-written warehouse; every expected number is worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from transforms.runner import run_all
from transforms.settings import TransformSettings
from warehouse.meta import SYNC_STATE_DDL

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)  # today = 2025-03-10 in UTC
DELETED = datetime(2025, 3, 9, tzinfo=UTC)
SYNCED = datetime(2025, 3, 10, 6, 0, tzinfo=UTC)  # the fixture rows' _synced_at (tests/transforms/conftest.py)


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def metrics(con, project_id: int) -> dict:
    cur = con.execute("SELECT * FROM marts.project_metrics WHERE project_id = ?", [project_id])
    cols = [d[0] for d in cur.description]
    rows = cur.fetchall()
    assert len(rows) == 1
    return dict(zip(cols, rows[0], strict=True))


def test_one_row_per_live_project_and_identity(filled):
    run_all(filled, TransformSettings(now=NOW))
    ids = [r[0] for r in filled.execute("SELECT project_id FROM marts.project_metrics ORDER BY 1").fetchall()]
    assert ids == [1, 2, 3]  # 4 is deleted
    p1 = metrics(filled, 1)
    assert p1["project_name"] == "Tower A"  # display name wins
    assert (p1["company_id"], p1["project_number"], p1["stage"], p1["active"]) == (10, "T-1", "Construction", True)
    assert (p1["start_date"], p1["completion_date"]) == (date(2024, 6, 1), date(2026, 1, 31))
    assert p1["procore_url"] == "https://app.procore.com/1/project/home"
    assert p1["last_synced_at"] is not None


def test_rfi_counts_and_timings(filled):
    run_all(filled, TransformSettings(now=NOW))
    p1 = metrics(filled, 1)
    # 101..108 and 110 (109 deleted); open 101 102 103 110; closed 104 105 106; draft 107 108
    assert (p1["rfis_total"], p1["rfis_open"], p1["rfis_closed"], p1["rfis_draft"]) == (9, 4, 3, 2)
    # overdue: 101 (due 03-05) and 110 (03-08); 102 is due today, 103 has no due date, 107 is a draft
    assert p1["rfis_overdue"] == 2
    # 104: 2.5 days, 105: 1 day (from created_at); 106 has no time_resolved
    assert p1["rfi_avg_days_to_close"] == pytest.approx(1.75)
    # ages at 03-10 12:00: 101 9.5, 102 2.0, 103 1.0, 110 4.0
    assert p1["rfi_open_avg_age_days"] == pytest.approx(4.125)
    assert p1["rfi_cost_impact_total"] == Decimal("1250.50")  # yes_known only: 1000.00 + 250.50
    assert p1["rfi_schedule_impact_days"] == 5


def test_no_rfis_and_all_closed(filled):
    run_all(filled, TransformSettings(now=NOW))
    p2 = metrics(filled, 2)
    assert [p2[k] for k in ("rfis_total", "rfis_open", "rfis_closed", "rfis_draft", "rfis_overdue")] == [0] * 5
    assert p2["rfi_avg_days_to_close"] is None and p2["rfi_open_avg_age_days"] is None
    assert p2["rfi_cost_impact_total"] == Decimal("0.00") and p2["rfi_schedule_impact_days"] == 0
    assert p2["submittals_total"] == 0 and p2["submittal_avg_review_days"] is None
    p3 = metrics(filled, 3)
    assert (p3["rfis_total"], p3["rfis_open"], p3["rfis_closed"], p3["rfis_overdue"]) == (2, 0, 2, 0)
    assert p3["rfi_avg_days_to_close"] == pytest.approx((10 + 1.25) / 2)
    assert p3["rfi_open_avg_age_days"] is None


def test_submittal_counts(filled):
    run_all(filled, TransformSettings(now=NOW))
    p1 = metrics(filled, 1)
    # 201 202 open, 203 closed, 204 draft; 205 deleted
    assert [p1[k] for k in ("submittals_total", "submittals_open", "submittals_closed", "submittals_draft")] == [
        4, 2, 1, 1]
    assert p1["submittals_overdue"] == 1  # 201 due 03-09; 202 due today; 204 is a draft
    # approvers: 201 03-01 -> 03-05 = 4 days (second approver has not returned), 202 03-03 -> 03-05 = 2
    assert p1["submittal_avg_review_days"] == pytest.approx(3.0)


def test_today_follows_the_timezone(filled):
    # 05:00 UTC on 03-10 is 22:00 on 03-09 in Los Angeles: 110 (due 03-08) is overdue, 101 too,
    # and submittal 201 (due 03-09) is due "today" there, so not overdue.
    settings = TransformSettings(now=NOW.replace(hour=5), timezone="America/Los_Angeles")
    assert settings.today == date(2025, 3, 9)
    run_all(filled, settings)
    p1 = metrics(filled, 1)
    assert (p1["rfis_overdue"], p1["submittals_overdue"]) == (2, 0)


def test_web_base_url_setting(filled):
    run_all(filled, TransformSettings(now=NOW, web_base_url="https://sandbox.procore.com/"))
    assert metrics(filled, 2)["procore_url"] == "https://sandbox.procore.com/2/project/home"


def test_contract_column_types(filled):
    run_all(filled, TransformSettings(now=NOW))
    types = dict(filled.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'marts' AND table_name = 'project_metrics'").fetchall())
    expected = {
        "project_id": "BIGINT", "company_id": "BIGINT", "project_name": "VARCHAR", "stage": "VARCHAR",
        "active": "BOOLEAN", "start_date": "DATE", "last_synced_at": "TIMESTAMP WITH TIME ZONE",
        "rfis_total": "BIGINT", "rfis_overdue": "BIGINT", "rfi_avg_days_to_close": "DOUBLE",
        "rfi_cost_impact_total": "DECIMAL(18,2)", "rfi_schedule_impact_days": "BIGINT",
        "submittals_draft": "BIGINT", "submittal_avg_review_days": "DOUBLE",
        "original_budget": "DECIMAL(18,2)", "projected_over_under": "DECIMAL(18,2)",
        "pct_committed": "DOUBLE", "budget_view_name": "VARCHAR", "procore_url": "VARCHAR",
    }
    assert {k: types.get(k) for k in expected} == expected


def test_unknown_and_null_statuses_count_as_other(filled, insert):
    rfi = {"project_id": 2, "company_id": 10, "created_at": NOW}
    insert("raw.rfis", [rfi | {"id": 201, "status": "void", "due_date": "2025-01-01"},
                        rfi | {"id": 202, "status": None},
                        rfi | {"id": 203, "status": "Open"},  # statuses compare case-blind
                        rfi | {"id": 204, "status": "void", "_deleted_at": DELETED}])
    sub = {"project_id": 2, "company_id": 10}
    insert("raw.submittals", [sub | {"id": 301, "status": "Pending"}, sub | {"id": 302, "status": None},
                              sub | {"id": 303, "status": "Closed"}])
    run_all(filled, TransformSettings(now=NOW))
    p2 = metrics(filled, 2)
    # 201 void and 202 NULL are other; the void one is never overdue (only open RFIs are); 204 is deleted
    assert [p2[k] for k in ("rfis_total", "rfis_open", "rfis_closed", "rfis_draft", "rfis_other",
                            "rfis_overdue")] == [3, 1, 0, 0, 2, 0]
    assert [p2[k] for k in ("submittals_total", "submittals_open", "submittals_closed", "submittals_draft",
                            "submittals_other")] == [3, 0, 1, 0, 2]
    p1 = metrics(filled, 1)
    assert (p1["rfis_other"], p1["submittals_other"]) == (0, 0)  # every status known: 9 = 4 + 3 + 2


def test_last_synced_at_is_the_last_successful_sync_not_the_last_change(filled):
    # Every raw row was last written (changed) at 06:00; the syncs since then found nothing new.
    filled.execute("CREATE SCHEMA meta")
    filled.execute(SYNC_STATE_DDL)
    state = [  # company, project, stream, last_synced_at, last_status, last_attempt_at
        (10, 1, "rfis", ts("2025-03-10 11:00"), "ok", ts("2025-03-10 11:00")),
        (10, 1, "submittals", ts("2025-03-10 09:00"), "failed", ts("2025-03-10 11:50")),  # last success 09:00
        (10, 1, "budget_rows", ts("2025-03-10 02:00"), "ok", ts("2025-03-10 02:00")),
        (10, 0, "projects", ts("2025-03-10 02:00"), "ok", ts("2025-03-10 02:00")),
        (10, 2, "rfis", ts("2025-03-10 11:45"), "ok", ts("2025-03-10 11:45")),  # project 2's, not 1's
        (20, 0, "projects", ts("2025-03-10 11:30"), "ok", ts("2025-03-10 11:30")),  # company 20's project list
        (20, 3, "rfis", None, "skipped", ts("2025-03-10 11:59")),  # never synced successfully
        (20, 0, "rfis", ts("2025-03-10 11:58"), "ok", ts("2025-03-10 11:58")),  # not the projects stream
    ]
    filled.executemany("INSERT INTO meta.sync_state (company_id, project_id, stream, last_synced_at, last_status,"
                       " last_attempt_at) VALUES (?, ?, ?, ?, ?, ?)", state)
    run_all(filled, TransformSettings(now=NOW))
    synced = dict(filled.execute("SELECT project_id, last_synced_at FROM marts.project_metrics").fetchall())
    assert synced == {1: ts("2025-03-10 11:00"), 2: ts("2025-03-10 11:45"), 3: ts("2025-03-10 11:30")}


def test_last_synced_at_falls_back_to_synced_at_without_sync_state(filled, insert):
    # no meta.sync_state (a hand-written warehouse): the newest _synced_at of the project's rows
    insert("raw.rfis", [{"project_id": 2, "company_id": 10, "id": 250, "status": "open",
                         "_synced_at": ts("2025-03-10 07:30")}])
    run_all(filled, TransformSettings(now=NOW))
    synced = dict(filled.execute("SELECT project_id, last_synced_at FROM marts.project_metrics").fetchall())
    assert synced == {1: SYNCED, 2: ts("2025-03-10 07:30"), 3: SYNCED}
