"""marts.project_metrics_daily rebuilt from raw timestamps over a few hand-written days, with budgets from
marts.budget_snapshots (recorded by the day's daily sync)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest

from transforms.budget_snapshots import BudgetSnapshotError, record_budget_snapshot
from transforms.history import HistoryError, rebuild_history
from transforms.runner import run_all
from transforms.settings import TransformSettings


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def history_con(raw_con, insert):
    """Project 1 with RFIs A B E (C deleted, D draft) and submittals S1 S2; project 2 empty."""
    insert("raw.projects", [{"id": 1, "company_id": 10, "name": "One"}, {"id": 2, "company_id": 10, "name": "Two"}])
    p = {"project_id": 1, "company_id": 10}
    insert("raw.rfis", [
        p | {"id": 1, "number": "A", "status": "open", "initiated_at": ts("2025-03-02 10:00"),
             "due_date": "2025-03-03"},
        p | {"id": 2, "number": "B", "status": "closed", "initiated_at": ts("2025-03-01 09:00"),
             "time_resolved": ts("2025-03-03 15:00"), "due_date": "2025-03-02"},
        p | {"id": 3, "number": "C", "status": "open", "initiated_at": ts("2025-03-01 00:00"),
             "_deleted_at": ts("2025-03-06 00:00")},
        p | {"id": 4, "number": "D", "status": "draft", "created_at": ts("2025-03-01 00:00")},
        p | {"id": 5, "number": "E", "status": "closed", "created_at": ts("2025-03-04 23:30"),
             "updated_at": ts("2025-03-05 01:00")},  # no time_resolved: closed when last updated
    ])
    insert("raw.submittals", [
        p | {"id": 1, "number": "S1", "status": "Open", "issue_date": "2025-03-02",
             "created_at": ts("2025-03-01 12:00"), "due_date": "2025-03-02"},
        p | {"id": 2, "number": "S2", "status": "Closed", "created_at": ts("2025-03-01 08:00"),
             "closed_at": ts("2025-03-04 10:00")},
    ])
    insert("raw.budget_views", [p | {"id": 7, "name": "Main"}])
    insert("raw.budget_rows", [p | {"budget_view_id": 7, "budget_row_id": "70", "id": 70, "cost_code": "1",
                                    "original_budget_amount": "90.00",
                                    "label_amounts": {"Revised Budget": "100.00", "Committed Costs": "40.00"}}])
    return raw_con


def day_rows(con, project_id: int) -> list[tuple]:
    return con.execute(
        "SELECT metric_date, rfis_open, rfis_overdue, rfis_closed_to_date, submittals_open, submittals_overdue,"
        " submittals_closed_to_date, revised_budget, committed_costs, projected_over_under"
        " FROM marts.project_metrics_daily WHERE project_id = ? ORDER BY metric_date", [project_id]).fetchall()


def settle(con, now: datetime, snapshot: bool = True) -> TransformSettings:
    """Run the marts at `now` and, like that day's daily sync, record its budget snapshot."""
    settings = TransformSettings(now=now)
    run_all(con, settings)
    if snapshot:
        record_budget_snapshot(con, settings)
    return settings


def test_counts_as_of_each_day_and_budget_from_the_days_snapshot(history_con):
    con = history_con
    settings = settle(con, ts("2025-03-05 12:00"))
    assert rebuild_history(con, settings, date(2025, 3, 1), date(2025, 3, 5)) == 10
    assert day_rows(con, 1) == [
        # day        open od closed  sub open od closed  budget (only 03-05 has a snapshot)
        (date(2025, 3, 1), 1, 0, 0, 1, 0, 0, None, None, None),  # B opened; S2 created
        (date(2025, 3, 2), 2, 0, 0, 2, 0, 0, None, None, None),  # A opened; S1 issued; B due 03-02 = today
        (date(2025, 3, 3), 1, 0, 1, 2, 1, 0, None, None, None),  # B closed; S1 overdue
        (date(2025, 3, 4), 2, 1, 1, 1, 1, 1, None, None, None),  # E opened 23:30; A overdue; S2 closed
        (date(2025, 3, 5), 1, 1, 2, 1, 1, 1, D("100.00"), D("40.00"), None),  # E closed; no over/under column
    ]
    assert day_rows(con, 2) == [(date(2025, 3, d), 0, 0, 0, 0, 0, 0, None, None, None) for d in range(1, 6)]


def test_rerun_replaces_counts_and_takes_each_days_snapshot(history_con):
    con = history_con
    rebuild_history(con, settle(con, ts("2025-03-04 12:00")), date(2025, 3, 1), date(2025, 3, 4))
    assert day_rows(con, 1)[3][7:] == (D("100.00"), D("40.00"), None)  # 03-04 had its snapshot
    # next day: the budget changed, A was deleted; 03-05 runs, then 03-03..03-04 are re-run
    con.execute("UPDATE raw.budget_rows SET label_amounts = "
                """'{"Revised Budget": "150.00", "Committed Costs": "45.00"}'""")
    con.execute("UPDATE raw.rfis SET _deleted_at = ? WHERE id = 1", [ts("2025-03-05 06:00")])
    settings = settle(con, ts("2025-03-05 12:00"))
    rebuild_history(con, settings, date(2025, 3, 5), date(2025, 3, 5))
    assert rebuild_history(con, settings, date(2025, 3, 3), date(2025, 3, 4)) == 4
    rows = day_rows(con, 1)
    assert len(rows) == 5  # re-running replaced the days, no duplicates
    assert rows[2] == (date(2025, 3, 3), 0, 0, 1, 2, 1, 0, None, None, None)  # A gone; still no budget
    assert rows[3] == (date(2025, 3, 4), 1, 0, 1, 1, 1, 1, D("100.00"), D("40.00"), None)  # its own day's, not 150
    assert rows[4] == (date(2025, 3, 5), 0, 0, 2, 1, 1, 1, D("150.00"), D("45.00"), None)


def test_a_day_built_later_gets_its_own_budget_snapshot(history_con):
    # Headless daily syncs on 03-04 and 03-05 recorded snapshots, but no history partition ran (no daemon).
    con = history_con
    settle(con, ts("2025-03-04 12:00"))
    con.execute("UPDATE raw.budget_rows SET label_amounts = "
                """'{"Revised Budget": "150.00", "Committed Costs": "45.00"}'""")
    settle(con, ts("2025-03-05 12:00"))
    con.execute("UPDATE raw.budget_rows SET label_amounts = "
                """'{"Revised Budget": "170.00", "Committed Costs": "50.00"}'""")
    # 03-07: only the marts ran today (an hourly sync), no snapshot yet; a backfill of the week runs now
    settings = settle(con, ts("2025-03-07 12:00"), snapshot=False)
    assert rebuild_history(con, settings, date(2025, 3, 3), date(2025, 3, 7)) == 10
    assert [r[7:9] for r in day_rows(con, 1)] == [
        (None, None), (D("100.00"), D("40.00")), (D("150.00"), D("45.00")), (None, None), (None, None)]
    # the day's own sync then records 03-07; re-running the day picks it up (as the history sensor does)
    record_budget_snapshot(con, settings)
    rebuild_history(con, settings, date(2025, 3, 7), date(2025, 3, 7))
    assert day_rows(con, 1)[-1][7:9] == (D("170.00"), D("50.00"))


def test_snapshot_replaces_only_its_own_day(history_con):
    con = history_con
    settle(con, ts("2025-03-04 08:00"))
    con.execute("UPDATE raw.budget_rows SET label_amounts = "
                """'{"Revised Budget": "150.00", "Committed Costs": "45.00"}'""")
    settle(con, ts("2025-03-04 20:00"))  # the weekly sync re-records the same day
    assert record_budget_snapshot(con, TransformSettings(now=ts("2025-03-05 09:00"))) == 2
    rows = con.execute("SELECT snapshot_date, project_id, revised_budget, committed_costs, original_budget,"
                       " projected_over_under, budget_view_name, recorded_at FROM marts.budget_snapshots"
                       " ORDER BY 1, 2").fetchall()
    assert rows == [
        (date(2025, 3, 4), 1, D("150.00"), D("45.00"), D("90.00"), None, "Main", ts("2025-03-04 20:00")),
        (date(2025, 3, 4), 2, None, None, None, None, None, ts("2025-03-04 20:00")),  # no budget view
        (date(2025, 3, 5), 1, D("150.00"), D("45.00"), D("90.00"), None, "Main", ts("2025-03-05 09:00")),
        (date(2025, 3, 5), 2, None, None, None, None, None, ts("2025-03-05 09:00")),
    ]


def test_rows_recorded_before_snapshots_existed_keep_their_budget(history_con):
    con = history_con
    settings = settle(con, ts("2025-03-05 12:00"), snapshot=False)
    rebuild_history(con, settings, date(2025, 3, 4), date(2025, 3, 5))
    # what the old mechanism wrote for 03-04 (copied from project_metrics on that day's run)
    con.execute("UPDATE marts.project_metrics_daily SET revised_budget = 80, committed_costs = 30 "
                "WHERE metric_date = '2025-03-04' AND project_id = 1")
    rebuild_history(con, settings, date(2025, 3, 4), date(2025, 3, 5))
    assert [r[7:9] for r in day_rows(con, 1)] == [(D("80.00"), D("30.00")), (None, None)]


def test_days_follow_the_timezone(history_con):
    # in Tokyo (UTC+9) E was created 03-05 08:30 and closed 03-05 10:00: never open at a day's end
    settings = TransformSettings(now=ts("2025-03-10 00:00"), timezone="Asia/Tokyo")
    run_all(history_con, settings)
    rebuild_history(history_con, settings, date(2025, 3, 4), date(2025, 3, 5))
    assert [r[1] for r in day_rows(history_con, 1)] == [1, 1]


def test_bad_ranges_and_early_snapshots_are_refused(history_con):
    settings = TransformSettings(now=ts("2025-03-05 12:00"))
    with pytest.raises(HistoryError, match="ends"):
        rebuild_history(history_con, settings, date(2025, 3, 5), date(2025, 3, 1))
    with pytest.raises(BudgetSnapshotError, match="run the marts first"):
        record_budget_snapshot(history_con, settings)  # no marts yet
    # the history itself needs no marts: counts come from raw rows, budget NULL without snapshots
    assert rebuild_history(history_con, settings, date(2025, 3, 5), date(2025, 3, 5)) == 2
