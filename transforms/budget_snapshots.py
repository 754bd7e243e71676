"""`marts.budget_snapshots`: the budget as each day's daily or weekly sync read it, kept for good.

One row per (snapshot_date, project): the budget measures of `marts.project_metrics` (its chosen
view, NULL where the view lacks a measure or there is none), recorded for "today" in the
configured timezone. Recording a day again replaces that day's rows, never other days'.

Procore keeps no budget history, so this table is the only record of past budgets: the daily
metric history (`transforms.history`) takes its budget columns from here, for any day it rebuilds.
Only the jobs that re-read budgets record it (daily and weekly syncs), so a day's row is always a
budget read that same day, never yesterday's read carried past midnight.
"""

from __future__ import annotations

import duckdb

from transforms.runner import execute_sql
from transforms.settings import TransformSettings
from transforms.tables import table_exists

TABLE = "marts.budget_snapshots"
MEASURES = ("original_budget", "budget_modifications", "approved_changes", "revised_budget", "committed_costs",
            "direct_costs", "pending_changes", "projected_costs", "projected_over_under")

DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    snapshot_date DATE NOT NULL,
    project_id BIGINT NOT NULL,
    company_id BIGINT,
    budget_view_name VARCHAR,
    {", ".join(f"{m} DECIMAL(18, 2)" for m in MEASURES)},
    pct_committed DOUBLE,
    recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (snapshot_date, project_id)
)
"""

_REPLACE_TODAY = f"""
DELETE FROM {TABLE} WHERE snapshot_date = $today;

INSERT INTO {TABLE}
SELECT $today::DATE, project_id, company_id, budget_view_name, {", ".join(MEASURES)}, pct_committed,
       $as_of::TIMESTAMPTZ
FROM marts.project_metrics
"""


class BudgetSnapshotError(RuntimeError):
    """The snapshot cannot be recorded yet (no `marts.project_metrics`)."""


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create `marts.budget_snapshots` (empty) if it does not exist."""
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute(DDL)


def record_budget_snapshot(con: duckdb.DuckDBPyConnection, settings: TransformSettings) -> int:
    """Replace today's rows (`settings.today`) with the budget of every project in `marts.project_metrics`,
    in one transaction; returns the rows written."""
    if not table_exists(con, "marts.project_metrics"):
        raise BudgetSnapshotError("the budget snapshot needs marts.project_metrics: run the marts first")
    ensure_table(con)
    con.begin()
    try:
        execute_sql(con, _REPLACE_TODAY, settings.parameters())
        written = con.execute(f"SELECT count(*) FROM {TABLE} WHERE snapshot_date = ?", [settings.today]).fetchone()[0]
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return written
