"""Benchmark: our weekly full sync against the same sync as a plain dlt `rest_api` pipeline.

    .venv/bin/python bench/peer_dlt.py                                  # 40 projects, 50 ms, 3 runs each
    .venv/bin/python bench/peer_dlt.py --projects 1000 --latency-ms 100 --runs 1

Needs dlt, which is not a runtime dependency: `uv pip install -e '.[bench]'`.

One sandbox process (rate limits out of the way; `latency_ms` set through its runtime options once
its data is generated) serves both sides. Each side runs as a whole process, timed from spawn to
exit (interpreter start included), one after the other and alternating (an untimed warm-up run of
each first, then ours/dlt, dlt/ours, ...), each merging into its own DuckDB file across its runs:

- ours: `dagster job execute -m orchestration.definitions -j weekly_full_sync` with `PROCORE_*`,
  `PIPELINES_DATA_DIR`, `DAGSTER_HOME` and `PROCORE_MAX_WORKERS=--workers` (ingestion, recycle
  bins, checks, transforms and publish);
- dlt: `bench/peer_dlt_pipeline.py` (its docstring lists the dlt options used), `--workers` threads.

While a process runs, a thread polls `/_sandbox/stats` every `--poll-ms`: when its first and last
requests were answered (the first request's start is that minus one latency). Stats are reset
between runs. Prints one JSON object: per side the median wall time, requests (by path), records
loaded, start-up / API phase / tail, the stage times each process reports, and dlt/ours.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import requests

try:  # the sandbox is moving to its own package; either layout works
    from procore_sandbox.handle import SandboxHandle
    SANDBOX_CLI = "procore_sandbox.cli"
except ImportError:
    from procore_source.sandbox.handle import SandboxHandle
    SANDBOX_CLI = "procore_source.sandbox.cli"

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
INSTALL_HINT = "bench/peer_dlt.py needs dlt: uv pip install -e '.[bench]'"


def start_sandbox(args: argparse.Namespace) -> tuple[subprocess.Popen, SandboxHandle]:
    """The sandbox in its own process, its data generated, then `latency_ms` applied."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", SANDBOX_CLI, "--port", str(port), "--companies", str(args.companies),
           "--projects", str(args.projects // args.companies), "--records-per-project", str(args.records),
           "--rate-limit-hourly", "10000000", "--rate-limit-spike", "1000000"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            requests.get(f"{url}/_sandbox/info", timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    handle = SandboxHandle(url)
    handle.warm()
    handle.configure(latency_ms=args.latency_ms)
    return proc, handle


def expected_records(handle: SandboxHandle) -> dict[str, int]:
    """Live records a full read can see (readable projects only), and the recycle bins' records."""
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


class Side:
    """One contender: its command, environment, target DuckDB and how to read what it did."""

    def __init__(self, name: str, work: Path, handle: SandboxHandle, args: argparse.Namespace) -> None:
        self.name, self.work, self.handle, self.args = name, work, handle, args
        work.mkdir(parents=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PROCORE_", "PIPELINES_", "DAGSTER_"))}
        creds = handle.env()
        if name == "ours":
            (work / "dagster_home").mkdir()
            self.env = {**env, **creds, "PIPELINES_DATA_DIR": str(work / "data"),
                        "DAGSTER_HOME": str(work / "dagster_home"), "PROCORE_MAX_WORKERS": str(args.workers)}
            self.cmd = [str(BIN / "dagster"), "job", "execute", "-m", "orchestration.definitions",
                        "-j", "weekly_full_sync"]
        else:
            self.env = env
            self.cmd = [sys.executable, str(REPO / "bench" / "peer_dlt_pipeline.py"),
                        "--base-url", creds["PROCORE_API_BASE_URL"], "--client-id", creds["PROCORE_CLIENT_ID"],
                        "--client-secret", creds["PROCORE_CLIENT_SECRET"], "--companies", creds["PROCORE_COMPANY_IDS"],
                        "--duckdb", str(work / "peer.duckdb"), "--pipelines-dir", str(work / "dlt"),
                        "--workers", str(args.workers), "--file-format", args.dlt_file_format,
                        *(["--recycle-bins"] if args.dlt_recycle_bins else []),
                        *([] if args.dlt_max_table_nesting is None else
                          ["--max-table-nesting", str(args.dlt_max_table_nesting)])]

    def run(self) -> dict:
        """One whole process: wall time, when requests came, the sandbox's counts and the rows loaded."""
        self.handle.clear_stats()
        log = self.work / "last.log"
        epoch, started = time.time(), time.perf_counter()
        with RequestWatch(self.handle.url, started, self.args.poll_ms / 1000) as watch, open(log, "w") as out:
            code = subprocess.run(self.cmd, env=self.env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT).returncode
            wall = time.perf_counter() - started
        if code != 0:
            raise SystemExit(f"{self.name} failed ({code}); the end of {log}:\n{log.read_text()[-3000:]}")
        stats = self.handle.stats()
        latency = self.args.latency_ms / 1000
        result = {"wall_s": round(wall, 2), "requests": stats["total"], "by_path": stats["by_path"],
                  "by_status": stats["by_status"],
                  "first_request_s": None if watch.first is None else round(watch.first - latency, 2),
                  "last_response_s": None if watch.last is None else round(watch.last, 2),
                  "after_last_response_s": None if watch.last is None else round(wall - watch.last, 2)}
        if self.name == "ours":
            result["records"] = count_tables(self.work / "data" / "warehouse.duckdb", "raw")
            result.update(dagster_steps(self.work / "dagster_home", epoch))
        else:
            result["records"] = count_tables(self.work / "peer.duckdb", "procore")
            result["stages_s"] = json.loads(log.read_text().strip().splitlines()[-1])
        return result


def import_seconds(statement: str) -> float:
    """Seconds one fresh interpreter spends on `statement` (an import), measured inside it."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    return round(float(subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                                      check=True).stdout.strip()), 2)


def bytecode_cached(module: str) -> bool:
    """Whether `module` has a compiled `.pyc` (uv installs without them; PYTHONDONTWRITEBYTECODE keeps it so)."""
    spec = importlib.util.find_spec(module)
    return bool(spec and spec.origin and Path(importlib.util.cache_from_source(spec.origin)).exists())


def summarise(runs: list[dict]) -> dict:
    """Medians over the timed runs, the last run's counts, every run's wall time."""
    def median(key: str):
        values = [r[key] for r in runs if r.get(key) is not None]
        return round(statistics.median(values), 2) if values else None

    last = runs[-1]
    out = {"median_wall_s": median("wall_s"), "wall_s": [r["wall_s"] for r in runs],
           "median_first_request_s": median("first_request_s"), "median_last_response_s": median("last_response_s"),
           "median_after_last_response_s": median("after_last_response_s"),
           "requests": last["requests"], "requests_by_path": last["by_path"], "requests_by_status": last["by_status"],
           "records": last["records"], "records_total": sum(v for k, v in last["records"].items() if "__" not in k)}
    if "first_step_s" in last:
        out["median_first_step_s"] = median("first_step_s")
    for key in ("stages_s", "steps_s"):
        if key in last:
            out[f"median_{key}"] = {k: round(statistics.median(r[key][k] for r in runs if k in r.get(key, {})), 2)
                                    for k in last[key]}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=40, help="in total, split evenly over the companies")
    parser.add_argument("--companies", type=int, default=2)
    parser.add_argument("--records", type=int, default=20, help="RFIs of a medium project (the sandbox's default)")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each side")
    parser.add_argument("--workers", type=int, default=8, help="concurrent requests, both sides")
    parser.add_argument("--poll-ms", type=float, default=20.0)
    parser.add_argument("--dlt-recycle-bins", action="store_true", help="the dlt side reads recycle bins too")
    parser.add_argument("--dlt-max-table-nesting", type=int, default=None)
    parser.add_argument("--dlt-file-format", default="parquet", choices=("parquet", "insert_values", "jsonl"))
    args = parser.parse_args()
    if importlib.util.find_spec("dlt") is None:
        raise SystemExit(INSTALL_HINT)
    if args.projects < args.companies or args.projects % args.companies:
        raise SystemExit(f"--projects {args.projects} must be a multiple of --companies {args.companies}")
    load_start = os.getloadavg()
    proc, handle = start_sandbox(args)
    try:
        work = Path(tempfile.mkdtemp(prefix="peer_dlt_"))
        sides = {name: Side(name, work / name, handle, args) for name in ("ours", "dlt")}
        expected = expected_records(handle)
        warmup = {name: side.run()["wall_s"] for name, side in sides.items()}
        timed: dict[str, list[dict]] = {"ours": [], "dlt": []}
        for n in range(args.runs):
            for name in (("ours", "dlt") if n % 2 == 0 else ("dlt", "ours")):
                timed[name].append(sides[name].run())
        imports = {"dagster": [], "orchestration.definitions": [], "dlt + rest_api + duckdb": []}
        for _ in range(args.runs):
            imports["dagster"].append(import_seconds("import dagster"))
            imports["orchestration.definitions"].append(import_seconds("import orchestration.definitions"))
            imports["dlt + rest_api + duckdb"].append(import_seconds(
                "import dlt; from dlt.sources.rest_api import rest_api_source; dlt.destinations.duckdb"))
    finally:
        os.killpg(proc.pid, 15)
        proc.wait()
    ours, peer = summarise(timed["ours"]), summarise(timed["dlt"])
    print(json.dumps({
        "projects": args.projects, "companies": args.companies, "records_per_project": args.records,
        "latency_ms": args.latency_ms, "workers": args.workers, "runs": args.runs,
        "load_average_start": [round(x, 2) for x in load_start],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "bytecode_cached": {m: bytecode_cached(m) for m in ("dagster", "dlt", "pandas")},
        "expected_records": expected, "warmup_wall_s": warmup,
        "import_s_median": {k: statistics.median(v) for k, v in imports.items()},
        "dlt_options": {"reads_recycle_bins": args.dlt_recycle_bins, "extract_workers": args.workers,
                        "max_parallel_items": max(20, 2 * args.workers), "per_page": 1000,
                        "parallelized": "every resource", "loader_file_format": args.dlt_file_format,
                        "max_table_nesting": args.dlt_max_table_nesting},
        "ours": ours, "dlt": peer,
        "ratio_dlt_to_ours": round(peer["median_wall_s"] / ours["median_wall_s"], 2),
    }, indent=1))


if __name__ == "__main__":
    main()
