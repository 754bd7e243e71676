"""Bookkeeping tables of the warehouse: `meta.sync_state` (cursors), `meta.sync_log` (one row per
run, stream and project) and `meta.rate_limit` (per run and company, the last rate-limit window seen);
`meta.schema_drift` lives in `warehouse.schema_drift`.

`meta.sync_state` holds one row per (company, project, stream); company-scoped streams use
project_id 0. `cursor` is the upper bound of the last successful `filters[updated_at]` window;
it is written in the same transaction as the rows that window produced, so a crash can neither
skip nor duplicate data. `last_status` / `last_attempt_at` record the latest attempt, successful
or not, so checks can tell a project that was skipped (403/404) from one that went stale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import duckdb

from warehouse.schema_drift import SCHEMA_DRIFT_DDL

SYNC_STATE_DDL = """
CREATE TABLE IF NOT EXISTS meta.sync_state (
    company_id BIGINT NOT NULL,
    project_id BIGINT NOT NULL,
    stream VARCHAR NOT NULL,
    "cursor" TIMESTAMPTZ,
    last_full_sync_at TIMESTAMPTZ,
    last_synced_at TIMESTAMPTZ,
    last_status VARCHAR,
    last_attempt_at TIMESTAMPTZ,
    PRIMARY KEY (company_id, project_id, stream)
)"""

SYNC_LOG_DDL = """
CREATE TABLE IF NOT EXISTS meta.sync_log (
    run_id VARCHAR NOT NULL,
    stream VARCHAR NOT NULL,
    company_id BIGINT NOT NULL,
    project_id BIGINT NOT NULL,
    started_at TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    requests BIGINT,
    records BIGINT,
    inserted BIGINT,
    updated BIGINT,
    deleted BIGINT,
    status VARCHAR NOT NULL CHECK (status IN ('ok', 'skipped', 'failed')),
    error VARCHAR
)"""


# The window is the one the last responses said is closest to running out (what the pacer holds);
# `rate_window` says which of Procore's two windows that was ('hourly' or 'spike', see `rate_window`).
RATE_LIMIT_DDL = """
CREATE TABLE IF NOT EXISTS meta.rate_limit (
    run_id VARCHAR NOT NULL,
    company_id BIGINT NOT NULL,
    observed_at TIMESTAMPTZ NOT NULL,
    rate_limit BIGINT,
    remaining BIGINT,
    reset_at TIMESTAMPTZ,
    rate_window VARCHAR,
    PRIMARY KEY (run_id, company_id)
)"""
# Warehouses created before `rate_window` existed get the column (NULL: classified when published).
RATE_LIMIT_MIGRATION = "ALTER TABLE meta.rate_limit ADD COLUMN IF NOT EXISTS rate_window VARCHAR"
# Procore's headers do not name their window; a reset at most 10 s after the response is the spike
# window's (docs/procore-facts.md). Observations are taken on our clock after a run's last response, so
# allow a minute of skew: a later reset is the hourly window's (one in its last minute reads as spike).
SPIKE_RESET_SECONDS = 60


def rate_window(reset_at: datetime | None, observed_at: datetime) -> str | None:
    """'spike' when the window resets within `SPIKE_RESET_SECONDS` of `observed_at`, else 'hourly';
    None when the reset is unknown."""
    if reset_at is None:
        return None
    return "spike" if (reset_at - observed_at).total_seconds() <= SPIKE_RESET_SECONDS else "hourly"


def create_meta_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the `meta` schema and its tables if they do not exist (older `meta.rate_limit` gains a column)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(SYNC_STATE_DDL)
    con.execute(SYNC_LOG_DDL)
    con.execute(RATE_LIMIT_DDL)
    con.execute(RATE_LIMIT_MIGRATION)
    con.execute(SCHEMA_DRIFT_DDL)


@dataclass(frozen=True)
class Cursor:
    """The stored sync state of one (company, project, stream)."""

    cursor: datetime | None
    last_full_sync_at: datetime | None
    last_synced_at: datetime | None


def read_cursors(con: duckdb.DuckDBPyConnection, stream: str) -> dict[tuple[int, int], Cursor]:
    """Every stored cursor of `stream`, keyed by (company_id, project_id)."""
    rows = con.execute(
        'SELECT company_id, project_id, "cursor", last_full_sync_at, last_synced_at '
        "FROM meta.sync_state WHERE stream = ?",
        [stream],
    ).fetchall()
    return {(r[0], r[1]): Cursor(r[2], r[3], r[4]) for r in rows}


@dataclass(frozen=True)
class StateUpdate:
    """What one finished (company, project, stream) read does to `meta.sync_state`.

    `cursor` None keeps the stored cursor (a failed or partial read must not move it).
    """

    company_id: int
    project_id: int
    stream: str
    status: str
    attempted_at: datetime
    cursor: datetime | None = None
    full: bool = False


def write_state(con: duckdb.DuckDBPyConnection, updates: Iterable[StateUpdate]) -> None:
    """Upsert sync state rows; call inside the transaction that wrote the rows they cover."""
    params = [
        (u.company_id, u.project_id, u.stream, u.cursor, u.attempted_at if (u.full and u.cursor) else None,
         u.attempted_at if u.cursor else None, u.status, u.attempted_at)
        for u in updates
    ]
    if not params:
        return
    con.executemany(
        """
        INSERT INTO meta.sync_state AS s
            (company_id, project_id, stream, "cursor", last_full_sync_at, last_synced_at, last_status,
             last_attempt_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (company_id, project_id, stream) DO UPDATE SET
            "cursor" = coalesce(excluded."cursor", s."cursor"),
            last_full_sync_at = coalesce(excluded.last_full_sync_at, s.last_full_sync_at),
            last_synced_at = coalesce(excluded.last_synced_at, s.last_synced_at),
            last_status = excluded.last_status,
            last_attempt_at = excluded.last_attempt_at
        """,
        params,
    )


@dataclass
class LogEntry:
    """One `meta.sync_log` row: a (run, stream, company, project) read and what it did."""

    run_id: str
    stream: str
    company_id: int
    project_id: int
    started_at: datetime
    finished_at: datetime
    requests: int
    records: int
    inserted: int
    updated: int
    deleted: int
    status: str
    error: str | None = None


def write_log(con: duckdb.DuckDBPyConnection, entries: Iterable[LogEntry]) -> None:
    """Append rows to `meta.sync_log`."""
    params = [
        (e.run_id, e.stream, e.company_id, e.project_id, e.started_at, e.finished_at, e.requests, e.records,
         e.inserted, e.updated, e.deleted, e.status, e.error)
        for e in entries
    ]
    if params:
        con.executemany("INSERT INTO meta.sync_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", params)


@dataclass(frozen=True)
class RateLimitObservation:
    """The `X-Rate-Limit-*` window one company's pacer last saw during a run (`reset_at` None: unknown)."""

    run_id: str
    company_id: int
    observed_at: datetime
    rate_limit: int
    remaining: int | None
    reset_at: datetime | None

    @property
    def window(self) -> str | None:
        """Which window this is: 'hourly', 'spike', or None (reset unknown)."""
        return rate_window(self.reset_at, self.observed_at)


def write_rate_limits(con: duckdb.DuckDBPyConnection, observations: Iterable[RateLimitObservation]) -> None:
    """Upsert `meta.rate_limit` rows: one per (run, company), the latest observation of the run wins."""
    params = [(o.run_id, o.company_id, o.observed_at, o.rate_limit, o.remaining, o.reset_at, o.window)
              for o in observations]
    if not params:
        return
    con.execute(RATE_LIMIT_DDL)  # a warehouse opened by a process that initialised it before this table existed
    con.execute(RATE_LIMIT_MIGRATION)
    con.executemany(
        """
        INSERT INTO meta.rate_limit AS r (run_id, company_id, observed_at, rate_limit, remaining, reset_at,
                                          rate_window)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (run_id, company_id) DO UPDATE SET
            observed_at = excluded.observed_at, rate_limit = excluded.rate_limit,
            remaining = excluded.remaining, reset_at = excluded.reset_at, rate_window = excluded.rate_window
        """,
        params,
    )
