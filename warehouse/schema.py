"""DDL of the warehouse: the raw tables, derived from the stream catalogue, and (from `warehouse.meta`)
the meta tables.

`raw.<stream>` holds one row per Procore record: the typed columns the catalogue declares, the
whole record as `payload` JSON, `_synced_at` (when this copy was written) and `_deleted_at`
(set when the recycle bin or a full re-read shows the record gone; rows are never dropped).

DuckDB cannot alter a primary key, so a table created by an older release with another key (budget
rows were once keyed without `project_id`) is migrated when the tables are created: a new table
with the catalogue's key is filled from the old one and swapped in, all in one transaction.
"""

from __future__ import annotations

import duckdb

from procore_source.streams import STREAMS, Stream
from transforms.tables import table_columns, table_exists
from warehouse.meta import create_meta_tables

BOOKKEEPING_COLUMNS = (
    ("payload", "JSON"),
    ("_synced_at", "TIMESTAMPTZ"),
    ("_deleted_at", "TIMESTAMPTZ"),
)


def raw_table(stream: Stream) -> str:
    """The qualified table name of a stream: `raw.<name>`."""
    return f"raw.{stream.name}"


def raw_table_columns(stream: Stream) -> list[tuple[str, str]]:
    """(name, DuckDB type) of every column of `raw.<stream>`, in table order."""
    return [(c.name, c.sql_type) for c in stream.all_columns] + list(BOOKKEEPING_COLUMNS)


def raw_table_ddl(stream: Stream, table: str | None = None) -> str:
    """`CREATE TABLE IF NOT EXISTS` for `raw.<stream>` (or `table`), keyed by the stream's primary key."""
    cols = ",\n    ".join(f'"{name}" {sql_type}' for name, sql_type in raw_table_columns(stream))
    key = ", ".join(f'"{k}"' for k in stream.primary_key)
    return f"CREATE TABLE IF NOT EXISTS {table or raw_table(stream)} (\n    {cols},\n    PRIMARY KEY ({key})\n)"


def existing_primary_key(con: duckdb.DuckDBPyConnection, stream: Stream) -> tuple[str, ...] | None:
    """The primary key columns of the existing `raw.<stream>`, or None when the table does not exist."""
    found = con.execute("SELECT constraint_column_names FROM duckdb_constraints() WHERE schema_name = 'raw' "
                        "AND table_name = ? AND constraint_type = 'PRIMARY KEY'", [stream.name]).fetchone()
    if found is not None:
        return tuple(found[0])
    return () if table_exists(con, raw_table(stream)) else None


def migrate_primary_key(con: duckdb.DuckDBPyConnection, stream: Stream) -> int:
    """Rebuild `raw.<stream>` with the catalogue's key in one transaction (create, copy, swap); rows copied.

    Columns the old table lacks are left NULL; a key column the old table lacks (or a copy that would
    duplicate a key) raises, and the transaction is rolled back so the old table stays as it was.
    """
    old_cols = table_columns(con, raw_table(stream))
    missing = [k for k in stream.primary_key if k not in old_cols]
    if missing:
        raise RuntimeError(f"raw.{stream.name} lacks key column(s) {missing}; run weekly_full_sync into a fresh "
                           "warehouse (an empty PIPELINES_DATA_DIR)")
    common = ", ".join(f'"{n}"' for n, _ in raw_table_columns(stream) if n in old_cols)
    new = f"raw._{stream.name}_rekeyed"
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DROP TABLE IF EXISTS {new}")
        con.execute(raw_table_ddl(stream, new))
        con.execute(f"INSERT INTO {new} ({common}) SELECT {common} FROM {raw_table(stream)}")
        copied = con.execute(f"SELECT count(*) FROM {new}").fetchone()[0]
        con.execute(f"DROP TABLE {raw_table(stream)}")
        con.execute(f"ALTER TABLE {new} RENAME TO {stream.name}")
        con.execute("COMMIT")
    except duckdb.Error as exc:
        con.execute("ROLLBACK")
        raise RuntimeError(f"could not re-key raw.{stream.name} to ({', '.join(stream.primary_key)}): {exc}. "
                           "The old table is unchanged; run weekly_full_sync into a fresh warehouse "
                           "(an empty PIPELINES_DATA_DIR)") from exc
    return copied


def create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the `raw` schema and every catalogued raw table that does not exist yet; re-key old tables."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for stream in STREAMS.values():
        key = existing_primary_key(con, stream)
        if key is not None and key != tuple(stream.primary_key):
            migrate_primary_key(con, stream)
        con.execute(raw_table_ddl(stream))


def create_warehouse_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the `raw` tables (from the catalogue) and the `meta` tables if they do not exist."""
    create_raw_tables(con)
    create_meta_tables(con)
