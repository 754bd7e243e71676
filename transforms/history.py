"""The daily metric history, `marts.project_metrics_daily`: rebuild a range of days in one transaction.

One row per (metric_date, project). Counts are rebuilt from the raw timestamps for every day of
the range (model `project_metrics_daily.sql`), so any past range can be backfilled. Procore keeps
no budget history, so the budget columns are taken from `marts.project_metrics` only for today's
date (in the configured timezone); re-running an older day keeps the budget values it already had,
and days before the first run that covered "today" stay NULL.

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

from transforms.runner import execute_sql, model_sql
from transforms.settings import TransformSettings

TABLE = "marts.project_metrics_daily"

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

# Replace the range, carrying over budget values the old rows of those days recorded.
_MERGE = f"""
CREATE OR REPLACE TEMP TABLE history_kept_budget AS
SELECT metric_date, project_id, revised_budget, committed_costs, projected_over_under
FROM {TABLE}
WHERE metric_date BETWEEN $start AND $end;

DELETE FROM {TABLE} WHERE metric_date BETWEEN $start AND $end;

INSERT INTO {TABLE}
SELECT h.*, k.revised_budget, k.committed_costs, k.projected_over_under
FROM history_days AS h
LEFT JOIN history_kept_budget AS k USING (metric_date, project_id)
"""

_TODAY_BUDGET = f"""
UPDATE {TABLE} AS d
SET revised_budget = m.revised_budget,
    committed_costs = m.committed_costs,
    projected_over_under = m.projected_over_under
FROM marts.project_metrics AS m
WHERE d.project_id = m.project_id AND d.metric_date = $today
"""


class HistoryError(ValueError):
    """A history range is malformed, or today's row needs `marts.project_metrics` first."""


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    query = "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?"
    return con.execute(query, [schema, name]).fetchone()[0] > 0


def rebuild_history(con: duckdb.DuckDBPyConnection, settings: TransformSettings, start: date, end: date) -> int:
    """Replace the days `start`..`end` (inclusive) of the history; returns the rows written.

    The budget columns of today's row (when today is in the range) come from `marts.project_metrics`,
    which must exist then; other days keep whatever budget values they had.
    """
    if end < start:
        raise HistoryError(f"history range ends ({end}) before it starts ({start})")
    today = settings.today
    with_today = start <= today <= end
    if with_today and not _table_exists(con, "marts", "project_metrics"):
        raise HistoryError("today's history row needs marts.project_metrics: run the marts first")
    params = settings.parameters() | {"start": start, "end": end}
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute(DDL)
    con.begin()
    try:
        execute_sql(con, model_sql("project_metrics_daily"), params)
        execute_sql(con, _MERGE, params)
        if with_today:
            execute_sql(con, _TODAY_BUDGET, params)
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
