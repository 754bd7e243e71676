"""Cached read-only queries of the dashboard against `serving.duckdb`, parameters always bound.

Results are cached briefly (`st.cache_data`) under the snapshot's version (file mtime, size and
inode), so a new publish shows up on the next rerun and no page holds the file open.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.snapshot import SnapshotUnavailable, fetch, fetch_many, snapshot_version

__all__ = ["SnapshotUnavailable", "fetch", "snapshot_version", "cached_fetch", "project_directory",
           "list_projects", "project_bundle", "health_bundle", "CADENCE_SQL"]
CACHE_TTL_SECONDS = 60


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=2048)
def cached_fetch(path: str, version: str, sql: str, params: tuple = ()) -> pd.DataFrame:
    """`fetch`, cached per (snapshot version, query, parameters)."""
    return fetch(path, sql, params)


def project_directory(path: str, version: str) -> dict[int, int]:
    """Every project of the snapshot: project id to company id."""
    df = cached_fetch(path, version, "SELECT project_id, company_id FROM marts.project_metrics")
    return dict(zip(df["project_id"].astype(int), df["company_id"].astype(int), strict=True)) if len(df) else {}


LIST_SQL = """
SELECT project_id, project_name, project_number, stage, rfis_open, rfis_overdue, submittals_open,
       submittals_overdue, projected_over_under, budget_view_name, last_synced_at
FROM marts.project_metrics WHERE list_contains(?::BIGINT[], project_id)
ORDER BY project_name, project_id
"""


def list_projects(path: str, version: str, project_ids: frozenset[int]) -> pd.DataFrame:
    """Key figures of the given projects, one row each."""
    return cached_fetch(path, version, LIST_SQL, (tuple(sorted(project_ids)),))


_PROJECT_QUERIES = {
    "metrics": "SELECT * FROM marts.project_metrics WHERE project_id = ?",
    "rfi_weekly": "SELECT week_start, rfis_opened, rfis_closed FROM marts.rfi_weekly "
                  "WHERE project_id = ? ORDER BY week_start",
    "daily": "SELECT metric_date, rfis_open, rfis_overdue, submittals_open, submittals_overdue "
             "FROM marts.project_metrics_daily WHERE project_id = ? ORDER BY metric_date",
    "submittals": "SELECT status_name, status, submittals FROM marts.submittal_status_counts "
                  "WHERE project_id = ? ORDER BY status, status_name",
    "budget": "SELECT cost_code, revised_budget, committed_costs, projected_costs, variance "
              "FROM marts.budget_by_cost_code WHERE project_id = ? ORDER BY cost_code",
    "overdue": "SELECT item_type, number, title, due_date, days_overdue, ball_in_court, url "
               "FROM marts.overdue_items WHERE project_id = ? ORDER BY days_overdue DESC, number",
}


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=512)
def project_bundle(path: str, version: str, project_id: int) -> dict[str, pd.DataFrame]:
    """Everything one project's dashboard shows, read on one short connection and cached together.

    Keys: `metrics` (0 or 1 row of project_metrics), `rfi_weekly`, `daily`, `submittals`, `budget`,
    `overdue`.
    """
    return fetch_many(path, {name: (sql, (project_id,)) for name, sql in _PROJECT_QUERIES.items()})


_HEALTH_QUERIES = {
    "streams": "SELECT stream, last_success_at, last_attempt_at, last_status, projects_ok, projects_skipped, "
               "projects_failed FROM meta.sync_health WHERE company_id = ? ORDER BY stream",
    # Names come from the company's own projects only (the join repeats the company filter).
    "problems": "SELECT p.project_id, m.project_name, p.stream, p.status, p.error, p.occurred_at "
                "FROM meta.sync_problems p LEFT JOIN marts.project_metrics m "
                "ON m.project_id = p.project_id AND m.company_id = p.company_id "
                "WHERE p.company_id = ? ORDER BY p.status, m.project_name NULLS LAST, p.project_id, p.stream",
    # Every column: an older snapshot's single-window shape still reads (its windows show as not seen).
    "rate_limit": "SELECT * EXCLUDE (company_id) FROM meta.rate_limit WHERE company_id = ?",
}
# How often the pipeline syncs each stream, most frequent first (the same for every company).
CADENCE_SQL = "SELECT stream, cadence_seconds FROM meta.stream_cadence ORDER BY position"


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=128)
def health_bundle(path: str, version: str, company_id: int) -> dict[str, pd.DataFrame]:
    """The pipeline-health view of one company, read on one short connection and cached together.

    Keys: `streams` (meta.sync_health rows), `problems` (meta.sync_problems with project names),
    `rate_limit` (0 or 1 row: requests in the last hour, the hourly and the spike window), `cadence`
    (meta.stream_cadence). A snapshot without these tables gives empty frames.
    """
    queries = {name: (sql, (company_id,)) for name, sql in _HEALTH_QUERIES.items()}
    return fetch_many(path, {**queries, "cadence": (CADENCE_SQL, ())})
