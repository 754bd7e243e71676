"""DDL of the raw warehouse tables, derived from the stream catalogue.

`raw.<stream>` holds one row per Procore record: the typed columns the catalogue declares, the
whole record as `payload` JSON, `_synced_at` (when this copy was written) and `_deleted_at`
(set when the recycle bin or a full re-read shows the record gone; rows are never dropped).
"""

from __future__ import annotations

import duckdb

from procore_source.streams import STREAMS, Stream

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


def raw_table_ddl(stream: Stream) -> str:
    """`CREATE TABLE IF NOT EXISTS` for `raw.<stream>`, keyed by the stream's primary key."""
    cols = ",\n    ".join(f'"{name}" {sql_type}' for name, sql_type in raw_table_columns(stream))
    key = ", ".join(f'"{k}"' for k in stream.primary_key)
    return f"CREATE TABLE IF NOT EXISTS {raw_table(stream)} (\n    {cols},\n    PRIMARY KEY ({key})\n)"


def create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the `raw` schema and every catalogued raw table that does not exist yet."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for stream in STREAMS.values():
        con.execute(raw_table_ddl(stream))
