"""Idempotent writes of flattened records into `raw.<stream>`, counting what changed.

Rows are staged as an Arrow table registered on the connection (deduplicated in SQL when a key
repeats), classified against the table (inserted, updated, deleted, unchanged), and only the rows
that differ are written, with one `INSERT ... ON CONFLICT DO UPDATE`. On a full re-read the rows
of the re-read scopes that were not seen are marked deleted. Call `upsert_rows` inside a
transaction: the caller commits the rows together with the cursor that covers them.
(`ON CONFLICT` was measured against `MERGE INTO` on 200,000 rows: similar on inserts, about 6x
faster on updates, so it is the one used.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count
from typing import Any

import duckdb
import pyarrow as pa

from procore_source.streams import Stream
from warehouse.schema import raw_table, raw_table_columns

_ARROW_TYPES: dict[str, pa.DataType] = {
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "DECIMAL(18,2)": pa.decimal128(18, 2),
    "DATE": pa.date32(),
    "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
    "BOOLEAN": pa.bool_(),
    "VARCHAR": pa.string(),
    "JSON": pa.string(),
}
_PREVIEW_COLUMNS = ("name", "number", "subject", "title", "status", "cost_code", "updated_at")
_view_names = count()


@dataclass
class UpsertResult:
    """What one upsert did: row counts by action and a few changed rows for the run's preview."""

    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    preview: list[dict[str, Any]] = field(default_factory=list)
    per_scope: dict[int, dict[str, int]] = field(default_factory=dict)

    def _add(self, scope: int, action: str, n: int) -> None:
        setattr(self, action, getattr(self, action) + n)
        counts = self.per_scope.setdefault(scope, {"inserted": 0, "updated": 0, "deleted": 0, "unchanged": 0})
        counts[action] += n


def scope_column(stream: Stream) -> str:
    """The column a full re-read covers whole: company_id for company streams, else project_id."""
    return "company_id" if stream.scope == "company" else "project_id"


def data_columns(stream: Stream) -> list[tuple[str, str]]:
    """(name, type) of the columns the caller supplies: typed columns, payload and `_deleted_at`."""
    return [(n, t) for n, t in raw_table_columns(stream) if n != "_synced_at"]


def arrow_frame(stream: Stream, rows: Sequence[dict[str, Any]]) -> pa.Table:
    """An Arrow table of `rows` typed like `raw.<stream>` (without `_synced_at`), plus `_ord` (read order)."""
    arrays = [pa.array([row.get(n) for row in rows], type=_ARROW_TYPES[t]) for n, t in data_columns(stream)]
    arrays.append(pa.array(range(len(rows)), type=pa.int64()))
    return pa.Table.from_arrays(arrays, names=[n for n, _ in data_columns(stream)] + ["_ord"])


def _q(name: str) -> str:
    return f'"{name}"'


def upsert_rows(con: duckdb.DuckDBPyConnection, stream: Stream, rows: Sequence[dict[str, Any]], *,
                synced_at: datetime, full_scopes: Sequence[int] = (), preview_limit: int = 5) -> UpsertResult:
    """Upsert `rows` (flattened records with `_deleted_at`) into `raw.<stream>` and count the changes.

    `full_scopes`: scope ids (company ids or project ids, see `scope_column`) that were re-read
    whole; their rows that are absent from `rows` and not yet deleted get `_deleted_at = synced_at`.
    """
    return upsert_frame(con, stream, arrow_frame(stream, rows), synced_at=synced_at, full_scopes=full_scopes,
                        preview_limit=preview_limit)


def upsert_frame(con: duckdb.DuckDBPyConnection, stream: Stream, frame_table: pa.Table, *, synced_at: datetime,
                 full_scopes: Sequence[int] = (), preview_limit: int = 5) -> UpsertResult:
    """`upsert_rows` for rows already staged by `arrow_frame`."""
    table = raw_table(stream)
    suffix = f"{stream.name}_{next(_view_names)}"
    frame, view = f"_frame_{suffix}", f"_stage_{suffix}"
    keys = ", ".join(_q(k) for k in stream.primary_key)
    con.register(frame, frame_table)
    try:
        total, distinct = con.execute(f"SELECT count(*), count(DISTINCT ({keys})) FROM {frame}").fetchone()
        if total == distinct:
            view = frame
        else:  # one row per key, the last one read winning (pages may shift while they are read)
            con.execute(f"CREATE TEMP TABLE {view} AS SELECT * FROM {frame} "
                        f"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY _ord DESC) = 1")
        return _upsert_staged(con, stream, table, view, synced_at, full_scopes, preview_limit)
    finally:
        con.unregister(frame)
        con.execute(f"DROP TABLE IF EXISTS {view if view != frame else '_no_stage'}")


def _upsert_staged(con: duckdb.DuckDBPyConnection, stream: Stream, table: str, view: str,
                   synced_at: datetime, full_scopes: Sequence[int], preview_limit: int) -> UpsertResult:
    cols = [n for n, _ in data_columns(stream)]
    keys = list(stream.primary_key)
    on = " AND ".join(f"t.{_q(k)} = s.{_q(k)}" for k in keys)
    shown = [c for c in ("id", *keys, *_PREVIEW_COLUMNS) if c in cols]
    shown = list(dict.fromkeys(shown))
    action = (
        f"CASE WHEN t.{_q(keys[-1])} IS NULL THEN 'inserted' "
        "WHEN s._deleted_at IS NOT NULL AND t._deleted_at IS NULL THEN 'deleted' "
        "WHEN s._deleted_at IS NULL AND t._deleted_at IS NOT NULL THEN 'updated' "
        "WHEN t.payload::VARCHAR IS DISTINCT FROM s.payload THEN 'updated' ELSE 'unchanged' END"
    )
    scope = scope_column(stream)
    changes = f"_changes_{view}"
    # Only rows that differ are written: re-reads (overlap windows, full refreshes) are mostly unchanged.
    con.execute(f"CREATE TEMP TABLE {changes} AS SELECT * FROM (SELECT {action} AS action, s.{_q(scope)} AS _scope, "
                f"{', '.join('s.' + _q(c) for c in shown)} FROM {view} s LEFT JOIN {table} t ON {on}) "
                "WHERE action <> 'unchanged'")
    try:
        result = UpsertResult()
        for scope_id, n in con.execute(f"SELECT {_q(scope)}, count(*) FROM {view} GROUP BY ALL").fetchall():
            result._add(scope_id, "unchanged", n)
        for act, scope_id, n in con.execute(f"SELECT action, _scope, count(*) FROM {changes} GROUP BY ALL").fetchall():
            result._add(scope_id, act, n)
            result._add(scope_id, "unchanged", -n)
        if preview_limit:
            cur = con.execute(f"SELECT * EXCLUDE (_scope) FROM {changes} LIMIT {int(preview_limit)}")
            names = [d[0] for d in cur.description]
            result.preview = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        non_keys = [c for c in cols if c not in keys]
        sets = ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in non_keys if c != "_deleted_at")
        changed = " AND ".join(f"c.{_q(k)} = s.{_q(k)}" for k in keys)
        n_changed = result.inserted + result.updated + result.deleted
        staged = sum(sum(c.values()) for c in result.per_scope.values())
        only_changed = "" if n_changed == staged else f"WHERE EXISTS (SELECT 1 FROM {changes} c WHERE {changed})"
        if n_changed:
            con.execute(
                f"""
                INSERT INTO {table} AS t ({', '.join(_q(c) for c in cols)}, _synced_at)
                SELECT {', '.join('s.' + _q(c) for c in cols)}, ?::TIMESTAMPTZ FROM {view} s {only_changed}
                ON CONFLICT ({', '.join(_q(k) for k in keys)}) DO UPDATE SET {sets},
                    _synced_at = excluded._synced_at,
                    _deleted_at = CASE WHEN excluded._deleted_at IS NULL THEN NULL
                                       ELSE coalesce(t._deleted_at, excluded._deleted_at) END
                """,
                [synced_at],
            )
    finally:
        con.execute(f"DROP TABLE IF EXISTS {changes}")
    if full_scopes:
        gone = con.execute(
            f"""
            UPDATE {table} AS t SET _deleted_at = ?::TIMESTAMPTZ
            WHERE t._deleted_at IS NULL AND t.{_q(scope)} IN (SELECT unnest(?::BIGINT[]))
              AND NOT EXISTS (SELECT 1 FROM {view} s WHERE {on})
            RETURNING t.{_q(scope)}, {', '.join('t.' + _q(c) for c in shown)}
            """,
            [synced_at, list(full_scopes)],
        ).fetchall()
        for row in gone:
            result._add(row[0], "deleted", 1)
        room = max(0, preview_limit - len(result.preview))
        result.preview += [{"action": "deleted", **dict(zip(shown, r[1:], strict=True))} for r in gone[:room]]
    return result
