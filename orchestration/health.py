"""The serving snapshot's pipeline-health tables, built from the warehouse's `meta` tables.

- `meta.sync_health`: one row per (company, stream): last successful sync, last attempt, and the
  latest run's status and project counts.
- `meta.sync_problems`: one row per (company, stream, project) skipped or failed in the latest run
  of that stream, with its error text scrubbed of anything that looks like a secret.
- `meta.rate_limit`: one row per company: the last rate-limit window the client saw, and the
  requests `meta.sync_log` counts in the hour before the snapshot.

A warehouse without these `meta` tables (or with an older `meta.sync_log`) publishes them empty.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta

import duckdb
import pandas as pd

ERROR_CHARS = 500
SYNC_LOG_COLUMNS = ("run_id", "stream", "company_id", "project_id", "started_at", "finished_at", "requests",
                    "status", "error")
RATE_LIMIT_COLUMNS = ("company_id", "observed_at", "rate_limit", "remaining", "reset_at")

SERVING_DDL = {
    "sync_health": """(company_id BIGINT, stream VARCHAR, last_success_at TIMESTAMPTZ, last_attempt_at TIMESTAMPTZ,
        last_run_id VARCHAR, last_status VARCHAR, projects_ok BIGINT, projects_skipped BIGINT,
        projects_failed BIGINT)""",
    "sync_problems": """(company_id BIGINT, stream VARCHAR, project_id BIGINT, status VARCHAR, error VARCHAR,
        occurred_at TIMESTAMPTZ, run_id VARCHAR)""",
    "rate_limit": """(company_id BIGINT, rate_limit BIGINT, remaining BIGINT, reset_at TIMESTAMPTZ,
        requests_last_hour BIGINT, observed_at TIMESTAMPTZ)""",
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

LATEST_RATE_LIMIT_SQL = """
SELECT company_id, rate_limit, remaining, reset_at, observed_at FROM meta.rate_limit
QUALIFY row_number() OVER (PARTITION BY company_id ORDER BY observed_at DESC) = 1"""

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


def known_secrets() -> tuple[str, ...]:
    """Secret values of this process's environment that must never be published."""
    return tuple(v for k in ("PROCORE_CLIENT_SECRET",) if (v := os.environ.get(k, "").strip()))


def _has_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str, columns: tuple[str, ...]) -> bool:
    found = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
        "AND table_catalog = current_database()", [schema, table]).fetchall()}
    return set(columns) <= found


def write_health_tables(con: duckdb.DuckDBPyConnection, catalog: str, published_at: datetime) -> dict[str, int]:
    """Create `<catalog>.meta.sync_health`, `sync_problems` and `rate_limit` from the warehouse on `con`.

    `catalog` is the attached serving snapshot (a trusted identifier, not user input); returns row counts.
    """
    for name, columns in SERVING_DDL.items():
        con.execute(f"CREATE TABLE {catalog}.meta.{name} {columns}")
    has_log = _has_columns(con, "meta", "sync_log", SYNC_LOG_COLUMNS)
    has_limits = _has_columns(con, "meta", "rate_limit", RATE_LIMIT_COLUMNS)
    if has_log:
        con.execute(f"INSERT INTO {catalog}.meta.sync_health {SYNC_HEALTH_SQL}")
        problems = con.execute(SYNC_PROBLEMS_SQL).df()
        if len(problems):
            secrets = known_secrets()
            problems["error"] = [redact_error(None if pd.isna(e) else str(e), secrets) for e in problems["error"]]
            con.register("health_problems", problems)
            try:
                con.execute(f"INSERT INTO {catalog}.meta.sync_problems SELECT * FROM health_problems")
            finally:
                con.unregister("health_problems")
    limits = LATEST_RATE_LIMIT_SQL if has_limits else (
        "SELECT NULL::BIGINT AS company_id, NULL::BIGINT AS rate_limit, NULL::BIGINT AS remaining, "
        "NULL::TIMESTAMPTZ AS reset_at, NULL::TIMESTAMPTZ AS observed_at LIMIT 0")
    used = REQUESTS_SQL if has_log else \
        "SELECT NULL::BIGINT AS company_id, NULL::BIGINT AS requests_last_hour WHERE ? IS NULL LIMIT 0"
    con.execute(f"""
        INSERT INTO {catalog}.meta.rate_limit
        SELECT company_id, l.rate_limit, l.remaining, l.reset_at, coalesce(u.requests_last_hour, 0), l.observed_at
        FROM ({limits}) AS l FULL OUTER JOIN ({used}) AS u USING (company_id)
        ORDER BY company_id""", [published_at - timedelta(hours=1)])
    return {f"meta.{name}": con.execute(f"SELECT count(*) FROM {catalog}.meta.{name}").fetchone()[0]
            for name in SERVING_DDL}
