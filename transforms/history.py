"""The daily metric history, `marts.project_metrics_daily`: rebuild a range of days in one transaction.

One row per (metric_date, project). Counts are rebuilt from the raw timestamps for every day of
the range (model `project_metrics_daily.sql`), so any past range can be backfilled. Procore keeps
no budget history, so the budget columns come from `marts.budget_snapshots` (see
`transforms.budget_snapshots`), which every daily and weekly sync writes for its own day: a day is
rebuilt with the budget recorded on that day, whenever it is rebuilt (the same evening or a month
later), and is NULL for days without a snapshot (before the first one, or a day whose sync failed).
A day with no snapshot keeps budget values its old row already had (rows recorded before the
snapshots existed, when today's row copied `marts.project_metrics`).

What reconstruction cannot know (the raw rows hold only each record's current state):
- a reopened RFI or submittal looks open for its whole life, its closed spell is invisible;
- an item closed, reopened and closed again counts as closed on its last close date only;
- a changed due date applies to every past day (so past overdue counts use today's due date);
- an item closed without `time_resolved`/`closed_at` closed when it was last updated (if it has no
  `updated_at` either, on the day it opened: it is never counted open);
- an item that is a draft now is never counted open, and one opened from a draft is open from
  `initiated_at` (RFIs) / `issue_date` (submittals), else from `created_at`;
- deleted records are left out of every day, also the days before they were deleted, and a
  deleted project drops out of the history rebuilt after its deletion.
"""

from __future__ import annotations

from datetime import date

import duckdb

from transforms.budget_snapshots import TABLE as SNAPSHOTS
from transforms.budget_snapshots import ensure_table as ensure_snapshots_table
from transforms.runner import execute_sql, model_sql
from transforms.settings import TransformSettings

TABLE = "marts.project_metrics_daily"
HISTORY_MODEL = "project_metrics_daily"  # transforms/project_metrics_daily.sql: the days' counts (temp table)

DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    metric_date DATE NOT NULL,
    project_id BIGINT NOT NULL,
    company_id BIGINT,
    rfis_open BIGINT,
    rfis_overdue BIGINT,
    rfis_closed_to_date BIGINT,
    submittals_open BIGINT,
    submittals_overdue BIGINT,
    submittals_closed_to_date BIGINT,
    revised_budget DECIMAL(18, 2),
    committed_costs DECIMAL(18, 2),
    projected_over_under DECIMAL(18, 2),
    PRIMARY KEY (metric_date, project_id)
)
"""

# Replace the range: budget columns from the day's snapshot, else what the old row of that day had.
_MERGE = f"""
CREATE OR REPLACE TEMP TABLE history_kept_budget AS
SELECT metric_date, project_id, revised_budget, committed_costs, projected_over_under
FROM {TABLE}
WHERE metric_date BETWEEN $start AND $end;

DELETE FROM {TABLE} WHERE metric_date BETWEEN $start AND $end;

INSERT INTO {TABLE}
SELECT h.*,
       CASE WHEN s.project_id IS NOT NULL THEN s.revised_budget ELSE k.revised_budget END,
       CASE WHEN s.project_id IS NOT NULL THEN s.committed_costs ELSE k.committed_costs END,
       CASE WHEN s.project_id IS NOT NULL THEN s.projected_over_under ELSE k.projected_over_under END
FROM history_days AS h
LEFT JOIN {SNAPSHOTS} AS s ON s.snapshot_date = h.metric_date AND s.project_id = h.project_id
LEFT JOIN history_kept_budget AS k ON k.metric_date = h.metric_date AND k.project_id = h.project_id
"""


class HistoryError(ValueError):
    """A history range is malformed."""


def rebuild_history(con: duckdb.DuckDBPyConnection, settings: TransformSettings, start: date, end: date) -> int:
    """Replace the days `start`..`end` (inclusive) of the history; returns the rows written.

    Budget columns come from each day's row of `marts.budget_snapshots` (created empty if missing);
    a day without one keeps the budget values it had, else NULL.
    """
    if end < start:
        raise HistoryError(f"history range ends ({end}) before it starts ({start})")
    params = settings.parameters() | {"start": start, "end": end}
    ensure_snapshots_table(con)
    con.execute(DDL)
    con.begin()
    try:
        execute_sql(con, model_sql(HISTORY_MODEL), params)
        execute_sql(con, _MERGE, params)
        written = con.execute(
            f"SELECT count(*) FROM {TABLE} WHERE metric_date BETWEEN ? AND ?", [start, end]
        ).fetchone()[0]
        con.execute("DROP TABLE IF EXISTS history_days")
        con.execute("DROP TABLE IF EXISTS history_kept_budget")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return written
