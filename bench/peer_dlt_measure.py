"""Measures for `bench/peer_dlt.py`: what the sandbox holds, when a process made its requests, what it
loaded, how long its imports take and whether its modules are compiled."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import requests

REPO = Path(__file__).resolve().parents[1]


def expected_records(handle: Any) -> dict[str, int]:
    """Live records a full read can see (readable projects only), and the recycle bins' records
    (`handle`: the sandbox's `SandboxHandle`)."""
    info = handle.info()
    unreadable = set(info["forbidden_project_ids"]) | set(info["hidden_project_ids"])
    live_views = {(v["project_id"], v["record"]["id"]) for v in handle.records("budget_views") if not v["deleted_at"]}
    out = {"projects": sum(1 for p in handle.records("projects") if not p["deleted_at"])}
    for name in ("rfis", "submittals", "budget_views", "budget_rows"):
        items = [i for i in handle.records(name) if i["project_id"] not in unreadable]
        if name == "budget_rows":
            items = [i for i in items if (i["project_id"], i["budget_view_id"]) in live_views]
        out[name] = sum(1 for i in items if not i["deleted_at"])
        if name in ("rfis", "submittals"):
            out[f"{name}_recycle_bin"] = sum(1 for i in items if i["deleted_at"])
    return out


class RequestWatch:
    """Polls `/_sandbox/stats` in a thread: when the first and the last API request were answered."""

    def __init__(self, url: str, started: float, interval: float) -> None:
        self.url, self.started, self.interval = f"{url}/_sandbox/stats", started, interval
        self.first: float | None = None
        self.last: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        seen = 0
        with requests.Session() as session:
            while True:
                stopping = self._stop.is_set()
                total = session.get(self.url, timeout=10).json()["total"]
                now = time.perf_counter() - self.started
                if total != seen:
                    seen, self.last = total, now
                    self.first = now if self.first is None else self.first
                if stopping:
                    return
                self._stop.wait(self.interval)

    def __enter__(self) -> RequestWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def count_tables(path: Path, schema: str) -> dict[str, int]:
    """Rows per table of `schema` (`<table>:deleted` for rows with `_deleted_at`, dlt's `_dlt_*` left out)."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
                             "AND table_name NOT LIKE '\\_dlt\\_%' ESCAPE '\\' ORDER BY 1", [schema]).fetchall()
        out = {}
        for (table,) in tables:
            columns = {c[0] for c in con.execute(f'DESCRIBE "{schema}"."{table}"').fetchall()}
            live = "WHERE _deleted_at IS NULL" if "_deleted_at" in columns else ""
            out[table] = con.execute(f'SELECT count(*) FROM "{schema}"."{table}" {live}').fetchone()[0]
            if live:
                out[f"{table}:deleted"] = con.execute(
                    f'SELECT count(*) FROM "{schema}"."{table}" WHERE _deleted_at IS NOT NULL').fetchone()[0]
    return out


def dagster_steps(dagster_home: Path, started_epoch: float) -> dict:
    """From our run's event log: when its first step started (after spawn) and each step's seconds."""
    try:
        import dagster as dg

        with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
            run = instance.get_runs(limit=1)[0]
            stats = [s for s in instance.get_run_step_stats(run.run_id) if s.start_time and s.end_time]
        return {"first_step_s": round(min(s.start_time for s in stats) - started_epoch, 2),
                "steps_s": {s.step_key: round(s.end_time - s.start_time, 2) for s in stats}}
    except Exception as error:  # the figures are extras; the benchmark stands without them
        return {"steps_error": f"{type(error).__name__}: {error}"[:200]}


def import_seconds(statement: str) -> float:
    """Seconds one fresh interpreter spends on `statement` (an import), measured inside it."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    return round(float(subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                                      check=True).stdout.strip()), 2)


def bytecode_cached(module: str) -> bool:
    """Whether `module` has a compiled `.pyc` (uv installs without them; PYTHONDONTWRITEBYTECODE keeps it so)."""
    spec = importlib.util.find_spec(module)
    return bool(spec and spec.origin and Path(importlib.util.cache_from_source(spec.origin)).exists())
