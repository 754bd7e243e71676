"""`meta.schema_drift`: every field Procore sent in a shape the catalogue did not expect.

One row per (stream, column, observed JSON type): the type the column expected (its SQL type, or
`object`/`array` where its path needed one), the path, when it was first and last seen, how many
records carried it (a record read again counts again), an example record id and value, and the
run that saw it last. The records themselves loaded (the column NULL or the object's display
field, the whole record in `payload`); the rows are written in the same transaction as those
records, so the table and the raw tables always agree.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from procore_source.shapes import DriftTally

SCHEMA_DRIFT_DDL = """
CREATE TABLE IF NOT EXISTS meta.schema_drift (
    stream VARCHAR NOT NULL,
    column_name VARCHAR NOT NULL,
    observed_type VARCHAR NOT NULL,
    expected_type VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    first_seen TIMESTAMPTZ NOT NULL,
    last_seen TIMESTAMPTZ NOT NULL,
    count BIGINT NOT NULL,
    example_record_id VARCHAR,
    example_value VARCHAR,
    last_run_id VARCHAR,
    PRIMARY KEY (stream, column_name, observed_type)
)"""


def write_drift(con: duckdb.DuckDBPyConnection, stream: str, tally: DriftTally, *, seen_at: datetime,
                run_id: str) -> None:
    """Add `tally` to `meta.schema_drift`; call inside the transaction that writes the records it counts."""
    params = [(stream, s.column, s.observed, s.expected, s.path, seen_at, seen_at, s.count, s.example_id,
               s.example_value, run_id) for s in tally]
    if not params:
        return
    con.executemany(
        """
        INSERT INTO meta.schema_drift AS d (stream, column_name, observed_type, expected_type, path, first_seen,
            last_seen, count, example_record_id, example_value, last_run_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (stream, column_name, observed_type) DO UPDATE SET
            expected_type = excluded.expected_type, path = excluded.path, last_seen = excluded.last_seen,
            count = d.count + excluded.count, example_record_id = excluded.example_record_id,
            example_value = excluded.example_value, last_run_id = excluded.last_run_id
        """,
        params,
    )


def drift_rows(con: duckdb.DuckDBPyConnection, stream: str) -> list[dict]:
    """Every `meta.schema_drift` row of `stream`, most recently seen first."""
    cur = con.execute("SELECT * FROM meta.schema_drift WHERE stream = ? ORDER BY last_seen DESC, column_name, "
                      "observed_type", [stream])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
