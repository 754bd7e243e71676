"""The serving snapshot's pipeline-health tables, built from the warehouse's `meta` tables.

- `meta.sync_health`: one row per (company, stream): last successful sync, last attempt, and the
  latest run's status and project counts.
- `meta.sync_problems`: one row per (company, stream, project) skipped or failed in the latest run
  of that stream, with its error text scrubbed of anything that looks like a secret.
- `meta.rate_limit`: one row per company: the requests `meta.sync_log` counts in the hour before the
  snapshot, and the last observation of each of Procore's two windows (hourly and 10-second spike):
  limit, remaining, reset and when it was seen. Procore's headers describe whichever window is closest
  to running out, so a window the client has not seen yet is NULL.

A warehouse without these `meta` tables (or with an older `meta.sync_log`) publishes them empty.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import duckdb
import pandas as pd

from transforms.tables import table_columns
from warehouse.meta import SPIKE_RESET_SECONDS

ERROR_CHARS = 500
SYNC_LOG_COLUMNS = ("run_id", "stream", "company_id", "project_id", "started_at", "finished_at", "requests",
                    "status", "error")
RATE_LIMIT_COLUMNS = ("company_id", "observed_at", "rate_limit", "remaining", "reset_at")
WINDOWS = ("hourly", "spike")

SERVING_DDL = {
    "sync_health": """(company_id BIGINT, stream VARCHAR, last_success_at TIMESTAMPTZ, last_attempt_at TIMESTAMPTZ,
        last_run_id VARCHAR, last_status VARCHAR, projects_ok BIGINT, projects_skipped BIGINT,
        projects_failed BIGINT)""",
    "sync_problems": """(company_id BIGINT, stream VARCHAR, project_id BIGINT, status VARCHAR, error VARCHAR,
        occurred_at TIMESTAMPTZ, run_id VARCHAR)""",
    "rate_limit": """(company_id BIGINT, requests_last_hour BIGINT,
        hourly_limit BIGINT, hourly_remaining BIGINT, hourly_reset_at TIMESTAMPTZ, hourly_observed_at TIMESTAMPTZ,
        spike_limit BIGINT, spike_remaining BIGINT, spike_reset_at TIMESTAMPTZ, spike_observed_at TIMESTAMPTZ)""",
}

# The latest run of each (company, stream): the one whose reads finished last.
_LATEST = """latest AS (SELECT company_id, stream, arg_max(run_id, finished_at) AS run_id
                        FROM meta.sync_log GROUP BY company_id, stream)"""

SYNC_HEALTH_SQL = f"""
WITH {_LATEST},
totals AS (
    SELECT company_id, stream, max(finished_at) FILTER (WHERE status = 'ok') AS last_success_at,
           max(finished_at) AS last_attempt_at
    FROM meta.sync_log GROUP BY company_id, stream),
last_run AS (
    SELECT company_id, stream, run_id, count(*) FILTER (WHERE status = 'ok') AS projects_ok,
           count(*) FILTER (WHERE status = 'skipped') AS projects_skipped,
           count(*) FILTER (WHERE status = 'failed') AS projects_failed
    FROM meta.sync_log JOIN latest USING (company_id, stream, run_id) GROUP BY company_id, stream, run_id)
SELECT company_id, stream, last_success_at, last_attempt_at, run_id,
       CASE WHEN projects_failed > 0 THEN 'failed' WHEN projects_ok > 0 THEN 'ok' ELSE 'skipped' END,
       projects_ok, projects_skipped, projects_failed
FROM totals JOIN last_run USING (company_id, stream)
ORDER BY company_id, stream"""

SYNC_PROBLEMS_SQL = f"""
WITH {_LATEST}
SELECT company_id, stream, project_id, status, error, finished_at, run_id
FROM meta.sync_log JOIN latest USING (company_id, stream, run_id)
WHERE status IN ('skipped', 'failed')
ORDER BY company_id, stream, project_id"""

# A budget read logs one row per stream (views and rows) carrying the same request count: count each
# read (run, company, project, start) once.
REQUESTS_SQL = """
SELECT company_id, sum(requests) AS requests_last_hour FROM (
    SELECT company_id, run_id, project_id, started_at, max(requests) AS requests
    FROM meta.sync_log WHERE finished_at >= ? GROUP BY ALL)
GROUP BY company_id"""

# Rows written before `rate_window` existed are classified by the same rule as `meta_tables.rate_window`.
_WINDOW_SQL = f"""coalesce(rate_window, CASE WHEN reset_at IS NULL THEN NULL
    WHEN reset_at - observed_at <= INTERVAL {SPIKE_RESET_SECONDS} SECOND THEN 'spike' ELSE 'hourly' END)"""


def _latest_window_sql(has_window_column: bool) -> str:
    """The latest observation of each (company, window) as one wide row per company."""
    window = _WINDOW_SQL if has_window_column else _WINDOW_SQL.replace("rate_window", "NULL::VARCHAR", 1)
    picks = ",\n    ".join(
        f"arg_max({col}, observed_at) FILTER (WHERE w = '{name}') AS {name}_{alias}"
        for name in WINDOWS
        for col, alias in (("rate_limit", "limit"), ("remaining", "remaining"), ("reset_at", "reset_at"),
                           ("observed_at", "observed_at")))
    return f"""
SELECT company_id,
    {picks}
FROM (SELECT *, {window} AS w FROM meta.rate_limit) WHERE w IS NOT NULL
GROUP BY company_id"""

# Query or form parameters (`?access_token=`, `&code=`, `client_secret=`) and JSON fields naming a secret.
_SECRET_PARAM = re.compile(r"(?i)(?<![A-Za-z0-9])([A-Za-z_]*(?:token|secret)|code|password)=[^&\s#\"')]+")
_SECRET_JSON = re.compile(r"(?i)\"([A-Za-z_]*(?:token|secret)|password)\"\s*:\s*\"[^\"]*\"")
_BEARER = re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+")
_DASHBOARD_TOKEN = re.compile(r"\bppd_[A-Za-z0-9_-]{6,}")


def redact_error(text: str | None, secrets: tuple[str, ...] = ()) -> str | None:
    """`text` with secret `key=value` parameters and JSON fields (`*token`, `*secret`, `code`, `password`),
    bearer tokens, dashboard tokens and the given secret values replaced by `***`, cut to `ERROR_CHARS`.

    The client already redacts its URLs; this is the second line of defence before text reaches a page.
    """
    if text is None:
        return None
    text = _SECRET_PARAM.sub(lambda m: f"{m.group(1)}=***", text)
    text = _SECRET_JSON.sub(lambda m: f'"{m.group(1)}": "***"', text)
    text = _BEARER.sub("Bearer ***", text)
    text = _DASHBOARD_TOKEN.sub("ppd_***", text)
    for secret in secrets:
        if len(secret) >= 6:
            text = text.replace(secret, "***")
    return text if len(text) <= ERROR_CHARS else text[:ERROR_CHARS] + "…"


def _has_columns(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...]) -> bool:
    return set(columns) <= table_columns(con, table)


def write_health_tables(con: duckdb.DuckDBPyConnection, catalog: str, published_at: datetime,
                        secrets: tuple[str, ...] = ()) -> dict[str, int]:
    """Create `<catalog>.meta.sync_health`, `sync_problems` and `rate_limit` from the warehouse on `con`.

    `catalog` is the attached serving snapshot (a trusted identifier, not user input); `secrets` are values
    (the Procore client secret) scrubbed from error texts besides what `redact_error` finds; returns row counts.
    """
    for name, columns in SERVING_DDL.items():
        con.execute(f"CREATE TABLE {catalog}.meta.{name} {columns}")
    has_log = _has_columns(con, "meta.sync_log", SYNC_LOG_COLUMNS)
    has_limits = _has_columns(con, "meta.rate_limit", RATE_LIMIT_COLUMNS)
    if has_log:
        con.execute(f"INSERT INTO {catalog}.meta.sync_health {SYNC_HEALTH_SQL}")
        problems = con.execute(SYNC_PROBLEMS_SQL).df()
        if len(problems):
            problems["error"] = [redact_error(None if pd.isna(e) else str(e), secrets) for e in problems["error"]]
            con.register("health_problems", problems)
            try:
                con.execute(f"INSERT INTO {catalog}.meta.sync_problems SELECT * FROM health_problems")
            finally:
                con.unregister("health_problems")
    window_columns = [f"{w}_{c}" for w in WINDOWS for c in ("limit", "remaining", "reset_at", "observed_at")]
    limits = _latest_window_sql(_has_columns(con, "meta.rate_limit", ("rate_window",))) if has_limits else (
        "SELECT NULL::BIGINT AS company_id, " + ", ".join(f"NULL AS {c}" for c in window_columns) + " LIMIT 0")
    used = REQUESTS_SQL if has_log else \
        "SELECT NULL::BIGINT AS company_id, NULL::BIGINT AS requests_last_hour WHERE ? IS NULL LIMIT 0"
    con.execute(f"""
        INSERT INTO {catalog}.meta.rate_limit
        SELECT company_id, coalesce(u.requests_last_hour, 0), {", ".join("l." + c for c in window_columns)}
        FROM ({limits}) AS l FULL OUTER JOIN ({used}) AS u USING (company_id)
        ORDER BY company_id""", [published_at - timedelta(hours=1)])
    return {f"meta.{name}": con.execute(f"SELECT count(*) FROM {catalog}.meta.{name}").fetchone()[0]
            for name in SERVING_DDL}
