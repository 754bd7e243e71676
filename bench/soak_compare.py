"""Is the warehouse an exact copy of the sandbox? Compares `raw.<stream>` with `GET /_sandbox/records/<stream>`.

For every stream: each live sandbox record is in the warehouse, not marked deleted, with a `payload`
equal to the record; each deleted sandbox record is absent or marked deleted; the warehouse holds
nothing the sandbox never had. Keys are computed with the stream catalogue's own flattening, so
budget rows without an id compare by the same key the pipeline stores. Used by the soak benchmark
and the operations tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from procore_source.streams import STREAMS

HOURLY_STREAMS = ("rfis", "submittals")
ALL_STREAMS = ("projects", "rfis", "submittals", "budget_views", "budget_rows")


def _scope(entry: dict[str, Any]) -> dict[str, int]:
    return {k: entry[k] for k in ("company_id", "project_id", "budget_view_id") if entry.get(k) is not None}


def _key(stream_name: str, entry: dict[str, Any]) -> tuple:
    stream = STREAMS[stream_name]
    row = stream.flatten(entry["record"], _scope(entry))
    return tuple(str(row[k]) for k in stream.primary_key)


def differences(db_path: Path, sandbox: Any, streams: Iterable[str] = ALL_STREAMS, limit: int = 5) -> list[str]:
    """Human-readable differences between the warehouse at `db_path` and `sandbox` (empty when equal)."""
    problems: list[str] = []
    with duckdb.connect(str(db_path), read_only=True) as con:
        for name in streams:
            stream = STREAMS[name]
            cols = ", ".join(f'CAST("{k}" AS VARCHAR)' for k in stream.primary_key)
            rows = con.execute(f"SELECT {cols}, CAST(payload AS VARCHAR), _deleted_at IS NOT NULL "
                               f"FROM raw.{name}").fetchall()
            stored = {tuple(r[:-2]): (json.loads(r[-2]), r[-1]) for r in rows}
            source = {_key(name, e): e for e in sandbox.records(name)}
            found: list[str] = []
            for key, entry in source.items():
                have = stored.get(key)
                if entry.get("deleted_at"):
                    if have is not None and not have[1]:
                        found.append(f"{name} {key}: deleted in the sandbox, live in the warehouse")
                elif have is None:
                    found.append(f"{name} {key}: missing from the warehouse")
                elif have[1]:
                    found.append(f"{name} {key}: live in the sandbox, marked deleted in the warehouse")
                elif have[0] != entry["record"]:
                    found.append(f"{name} {key}: payload differs (updated_at {have[0].get('updated_at')} vs "
                                 f"{entry['record'].get('updated_at')})")
            found += [f"{name} {key}: in the warehouse, unknown to the sandbox"
                      for key in stored.keys() - source.keys()]
            if found:
                problems += found[:limit] + ([f"{name}: ... {len(found) - limit} more"] if len(found) > limit else [])
    return problems


def live_counts(sandbox: Any, resource: str) -> dict[int, int]:
    """Live (not deleted) sandbox records of `resource` per project id."""
    counts: dict[int, int] = {}
    for entry in sandbox.records(resource):
        if not entry.get("deleted_at"):
            counts[entry["project_id"]] = counts.get(entry["project_id"], 0) + 1
    return counts
