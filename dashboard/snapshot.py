"""The serving snapshot file: its version key and short read-only DuckDB connections (no Streamlit)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd


class SnapshotUnavailable(RuntimeError):
    """The serving snapshot is missing or cannot be read."""


def snapshot_version(path: Path) -> str | None:
    """A version key of the snapshot file (changes on every publish), or None when there is none yet."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return f"{stat.st_mtime_ns}-{stat.st_size}-{stat.st_ino}"


def fetch(path: str, sql: str, params: tuple = ()) -> pd.DataFrame:
    """Run one read-only query on a fresh connection, parameters bound (not cached)."""
    try:
        con = duckdb.connect(path, read_only=True)
    except (duckdb.IOException, duckdb.InvalidInputException) as exc:
        raise SnapshotUnavailable("serving snapshot cannot be opened") from exc
    try:
        return con.execute(sql, list(params)).df()
    except duckdb.CatalogException:
        return pd.DataFrame()  # a mart this snapshot lacks reads as "no data"
    finally:
        con.close()


def fetch_many(path: str, queries: dict[str, tuple[str, tuple]]) -> dict[str, pd.DataFrame]:
    """Run several read-only queries on one short connection: name -> (sql, params) to DataFrames."""
    try:
        con = duckdb.connect(path, read_only=True)
    except (duckdb.IOException, duckdb.InvalidInputException) as exc:
        raise SnapshotUnavailable("serving snapshot cannot be opened") from exc
    results = {}
    try:
        for name, (sql, params) in queries.items():
            try:
                results[name] = con.execute(sql, list(params)).df()
            except duckdb.CatalogException:
                results[name] = pd.DataFrame()
    finally:
        con.close()
    return results
