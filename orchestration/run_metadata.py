"""Metadata an ingestion asset shows in the Dagster UI: counts, request figures, a change preview and drift."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import dagster as dg

from procore_source.shapes import DriftTally
from warehouse.sync import StreamReport

DRIFT_COLUMNS = ("column", "path", "expected", "observed", "records", "example_id", "example_value")


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.isoformat(timespec="seconds")
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")[:60]


def preview_markdown(rows: list[dict[str, Any]]) -> str:
    """A markdown table of changed rows (action first), or a line saying nothing changed."""
    if not rows:
        return "_No rows changed._"
    columns = list(dict.fromkeys(k for row in rows for k in row))
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(row.get(c)) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def drift_markdown(rows: list[dict[str, Any]]) -> str:
    """A markdown table of drift rows (keys of `DRIFT_COLUMNS`, plus any others such as last_seen)."""
    if not rows:
        return "_No schema drift._"
    columns = list(dict.fromkeys([*DRIFT_COLUMNS, *(k for row in rows for k in row)]))
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(row.get(c)) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def tally_rows(tally: DriftTally) -> list[dict[str, Any]]:
    """The rows of `drift_markdown` for a run's drift."""
    return [{"column": s.column, "path": s.path, "expected": s.expected, "observed": s.observed,
             "records": s.count, "example_id": s.example_id, "example_value": s.example_value} for s in tally]


def counter_delta(before: Mapping[str, float], after: Mapping[str, float]) -> dict[str, float]:
    """What the client did between two `counters.snapshot()`s."""
    return {k: round(after[k] - before.get(k, 0), 3) for k in after}


def stream_metadata(report: StreamReport, counters: Mapping[str, float], *, scope_label: str,
                    full_refresh: bool, window_end: datetime) -> dict[str, Any]:
    """The metadata of one raw asset's materialization."""
    md: dict[str, Any] = {
        "records_fetched": report.records,
        "inserted": report.inserted,
        "updated": report.updated,
        "deleted": report.deleted,
        "unchanged": report.unchanged,
        "requests": int(counters.get("requests", 0)),
        "retries": int(counters.get("retries", 0)),
        "pacing_waits": int(counters.get("pacing_waits", 0)),
        "pacing_wait_seconds": float(counters.get("pacing_wait_seconds", 0.0)),
        "rate_limited_429": int(counters.get("rate_limited", 0)),
        "server_errors_5xx": int(counters.get("server_errors", 0)),
        f"{scope_label}_ok": report.ok,
        f"{scope_label}_skipped": report.skipped,
        f"{scope_label}_failed": report.failed,
        "full_refresh": full_refresh,
        "window_end": window_end.isoformat(timespec="seconds"),
        "preview": dg.MetadataValue.md(preview_markdown(report.preview)),
    }
    md["schema_drift_records"] = report.drift.records()
    if report.drift:
        md["schema_drift"] = dg.MetadataValue.md(drift_markdown(tally_rows(report.drift)))
    if report.errors:
        md["errors"] = dg.MetadataValue.md("\n".join(f"- {e}" for e in report.errors))
    return md
