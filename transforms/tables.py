"""What a DuckDB connection holds: whether a table exists, which columns it has.

The one place the project asks DuckDB's catalog: the runner, the budget snapshots and the warehouse
(schema migrations, publish, health tables) all use it.
"""

from __future__ import annotations

import duckdb


def table_exists(con: duckdb.DuckDBPyConnection, table: str, *, catalog: str | None = None) -> bool:
    """Whether `schema.name` exists on this connection (in `catalog` when given, else in any attached one)."""
    schema, name = table.split(".")
    query = ("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ? "
             "AND (? IS NULL OR table_catalog = ?)")
    return con.execute(query, [schema, name, catalog, catalog]).fetchone()[0] > 0


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """The column names of `schema.name` in the connection's own database (empty when there is no such table)."""
    schema, name = table.split(".")
    rows = con.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = ? "
                       "AND table_name = ? AND table_catalog = current_database()", [schema, name]).fetchall()
    return {r[0] for r in rows}
