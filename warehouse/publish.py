"""Publish `serving.duckdb`: the read-only snapshot the dashboard reads, swapped in atomically.

The snapshot is written under a temporary name in the same directory (so the rename never crosses
a file system), checkpointed, fsynced, and `os.replace`d over the old file. A reader that opens
the file at any moment gets either the old or the new snapshot, whole; a reader that already has
the old file open keeps reading the old one until it closes it.

Contents: the marts the dashboard needs (`SERVED_MARTS`), `meta.freshness` (per company and
stream, when it last synced successfully), the pipeline-health tables `meta.sync_health`,
`meta.sync_problems` and `meta.rate_limit` (see `warehouse.health_tables`; empty for warehouses
without the `meta` tables), `meta.stream_cadence` (how often the orchestration syncs each stream,
most frequent first: the dashboard judges freshness by it) and `meta.snapshot` (one row:
snapshot_id, published_at).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from procore_source.private_files import private_dir, private_file
from procore_source.streams import STREAMS
from transforms.history import DDL as HISTORY_DDL
from transforms.tables import table_exists
from warehouse.health_tables import SERVING_DDL as HEALTH_TABLES
from warehouse.health_tables import write_health_tables

SERVED_META = ("freshness", "stream_cadence", "snapshot", *HEALTH_TABLES)
SERVED_MARTS = (
    "project_metrics",
    "rfi_weekly",
    "submittal_status_counts",
    "budget_by_cost_code",
    "overdue_items",
    "project_metrics_daily",
)

FRESHNESS_FROM_SYNC_LOG = """
SELECT company_id, stream, max(finished_at) AS last_synced_at
FROM meta.sync_log WHERE status = 'ok' GROUP BY ALL"""

FRESHNESS_FROM_SYNC_STATE = """
SELECT company_id, stream, max(last_synced_at) AS last_synced_at
FROM meta.sync_state WHERE last_synced_at IS NOT NULL GROUP BY ALL"""


class PublishError(RuntimeError):
    """The warehouse lacks what a snapshot needs (run the marts first)."""


@dataclass(frozen=True)
class PublishResult:
    """What one publish wrote."""

    snapshot_id: str
    published_at: datetime
    path: Path
    row_counts: dict[str, int]


def _has_rows(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return table_exists(con, table) and con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0


def freshness_query(con: duckdb.DuckDBPyConnection) -> str:
    """SQL for (company_id, stream, last_synced_at): from `meta.sync_log` ok rows, else
    `meta.sync_state`, else the newest `_synced_at` of each raw table."""
    if _has_rows(con, "meta.sync_log"):
        return FRESHNESS_FROM_SYNC_LOG
    if _has_rows(con, "meta.sync_state"):
        return FRESHNESS_FROM_SYNC_STATE
    parts = [
        f"SELECT company_id, '{name}' AS stream, max(_synced_at) AS last_synced_at FROM raw.{name}"
        " WHERE company_id IS NOT NULL GROUP BY company_id"
        for name in STREAMS
        if table_exists(con, f"raw.{name}")
    ]
    if not parts:
        return "SELECT NULL::BIGINT AS company_id, NULL::VARCHAR AS stream, NULL::TIMESTAMPTZ AS last_synced_at LIMIT 0"
    return "\nUNION ALL\n".join(parts)


def _remove_quietly(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_cadence(con: duckdb.DuckDBPyConnection, cadence: Mapping[str, timedelta]) -> int:
    """`meta.stream_cadence` of the attached snapshot: (stream, cadence_seconds, position), in `cadence`'s order."""
    con.execute("CREATE TABLE serving_snapshot.meta.stream_cadence (stream VARCHAR, cadence_seconds BIGINT, "
                "position INTEGER)")
    rows = [(stream, int(every.total_seconds()), i) for i, (stream, every) in enumerate(cadence.items(), start=1)]
    if rows:
        con.executemany("INSERT INTO serving_snapshot.meta.stream_cadence VALUES (?, ?, ?)", rows)
    return len(rows)


def _write_snapshot(con: duckdb.DuckDBPyConnection, tmp: Path, snapshot_id: str, published_at: datetime,
                    secrets: tuple[str, ...], cadence: Mapping[str, timedelta]) -> dict:
    """Copy the served tables into the database file `tmp` through the warehouse connection."""
    counts: dict[str, int] = {}
    con.execute("ATTACH ? AS serving_snapshot", [str(tmp)])
    try:
        con.execute("CREATE SCHEMA serving_snapshot.marts")
        con.execute("CREATE SCHEMA serving_snapshot.meta")
        for name in SERVED_MARTS:
            con.execute(f"CREATE TABLE serving_snapshot.marts.{name} AS SELECT * FROM marts.{name}")
            counts[f"marts.{name}"] = con.execute(f"SELECT count(*) FROM serving_snapshot.marts.{name}").fetchone()[0]
        con.execute(f"CREATE TABLE serving_snapshot.meta.freshness AS "
                    f"SELECT company_id::BIGINT AS company_id, stream::VARCHAR AS stream, "
                    f"last_synced_at::TIMESTAMPTZ AS last_synced_at FROM ({freshness_query(con)}) "
                    f"ORDER BY company_id, stream")
        counts["meta.freshness"] = con.execute("SELECT count(*) FROM serving_snapshot.meta.freshness").fetchone()[0]
        counts["meta.stream_cadence"] = _write_cadence(con, cadence)
        counts.update(write_health_tables(con, "serving_snapshot", published_at, secrets))
        con.execute("CREATE TABLE serving_snapshot.meta.snapshot (snapshot_id VARCHAR, published_at TIMESTAMPTZ)")
        con.execute("INSERT INTO serving_snapshot.meta.snapshot VALUES (?, ?)", [snapshot_id, published_at])
        con.execute("CHECKPOINT serving_snapshot")
    finally:
        con.execute("DETACH serving_snapshot")
    return counts


def publish(con: duckdb.DuckDBPyConnection, serving_path: Path | str, *, snapshot_id: str | None = None,
            secrets: tuple[str, ...] = (), stream_cadence: Mapping[str, timedelta] | None = None) -> PublishResult:
    """Write a new `serving.duckdb` at `serving_path` from the warehouse connection `con`, atomically.

    `secrets`: values (the Procore client secret) that must not reach the snapshot's error texts;
    `stream_cadence`: how often each stream is synced (none given: the table is served empty). Raises
    `PublishError` (and leaves the old snapshot in place) when a served mart is missing.
    """
    serving_path = Path(serving_path)
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute(HISTORY_DDL)  # the history may not have run yet: serve it empty
    missing = [name for name in SERVED_MARTS if not table_exists(con, f"marts.{name}")]
    if missing:
        raise PublishError(f"cannot publish, missing marts: {', '.join(missing)} (run the marts first)")
    snapshot_id = snapshot_id or uuid.uuid4().hex
    published_at = datetime.now(UTC)
    private_dir(serving_path.parent)
    tmp = serving_path.with_name(f".{serving_path.name}.{snapshot_id}.tmp")
    wal = tmp.with_name(tmp.name + ".wal")
    _remove_quietly(tmp, wal)
    try:
        counts = _write_snapshot(con, tmp, snapshot_id, published_at, tuple(secrets), stream_cadence or {})
        if wal.exists():  # DETACH checkpoints; a leftover WAL would mean the file alone is incomplete
            raise PublishError(f"snapshot {tmp} still has a write-ahead log after DETACH")
        _fsync(private_file(tmp))
        # a stray WAL next to the target (someone opened it read-write) must not be replayed into ours
        _remove_quietly(serving_path.with_name(serving_path.name + ".wal"))
        os.replace(tmp, serving_path)
        _fsync(serving_path.parent)
    except BaseException:
        _remove_quietly(tmp, wal)
        raise
    return PublishResult(snapshot_id, published_at, serving_path, counts)
