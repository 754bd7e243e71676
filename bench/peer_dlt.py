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
- dlt: `bench/peer_dlt_pipeline.py` with the same `PROCORE_*` (its docstring lists the dlt options
  used), `--workers` extract threads.

While a process runs, a thread polls `/_sandbox/stats` every `--poll-ms`: when its first and last
requests were answered (the first request's start is that minus one latency). Stats are reset
between runs. Prints one JSON object: per side the median wall time, requests (by path), records
loaded, start-up / API phase / tail, the stage times each process reports, and dlt/ours. The work
directory (DuckDB files, logs, Dagster home) is removed at the end unless `--keep`.

Python's start-up counts: where modules have no compiled `.pyc` (uv installs without them unless
`--compile-bytecode`, and PYTHONDONTWRITEBYTECODE=1 keeps it so) every process compiles its imports
from source; `bytecode_cached` in the output says which case was measured.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer_dlt_measure import (  # noqa: E402
    RequestWatch,
    bytecode_cached,
    count_tables,
    dagster_steps,
    expected_records,
    import_seconds,
)

try:  # the sandbox is moving to its own package; either layout works
    from procore_sandbox.handle import SandboxHandle
    SANDBOX_CLI = "procore_sandbox.cli"
except ImportError:
    from procore_source.sandbox.handle import SandboxHandle
    SANDBOX_CLI = "procore_source.sandbox.cli"

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
INSTALL_HINT = "bench/peer_dlt.py needs dlt: uv pip install -e '.[bench]'"
IMPORTS = {"dagster": "import dagster", "orchestration.definitions": "import orchestration.definitions",
           "dlt + rest_api + duckdb": "import dlt; from dlt.sources.rest_api import rest_api_source; "
                                      "dlt.destinations.duckdb"}


def start_sandbox(args: argparse.Namespace) -> tuple[subprocess.Popen, SandboxHandle]:
    """The sandbox in its own process on any free port, its data generated, then `latency_ms` applied."""
    cmd = [sys.executable, "-m", SANDBOX_CLI, "--port", "0", "--companies", str(args.companies),
           "--projects", str(args.projects // args.companies), "--records-per-project", str(args.records),
           "--rate-limit-hourly", "10000000", "--rate-limit-spike", "1000000"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    banner = proc.stdout.readline()  # it listens before it prints "Procore sandbox on <url> ..."
    if not banner.startswith("Procore sandbox on "):
        proc.kill()
        raise SystemExit(f"the sandbox did not start: {banner!r}")
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep its pipe drained
    handle = SandboxHandle(banner.split()[3])
    handle.warm()
    handle.configure(latency_ms=args.latency_ms)
    return proc, handle


class Side:
    """One contender: its command, environment, target DuckDB and how to read what it did."""

    def __init__(self, name: str, work: Path, handle: SandboxHandle, args: argparse.Namespace) -> None:
        self.name, self.work, self.handle, self.args = name, work, handle, args
        work.mkdir(parents=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PROCORE_", "PIPELINES_", "DAGSTER_"))}
        self.env = {**env, **handle.env()}
        if name == "ours":
            (work / "dagster_home").mkdir()
            self.env.update({"PIPELINES_DATA_DIR": str(work / "data"), "DAGSTER_HOME": str(work / "dagster_home"),
                             "PROCORE_MAX_WORKERS": str(args.workers)})
            self.cmd = [str(BIN / "dagster"), "job", "execute", "-m", "orchestration.definitions",
                        "-j", "weekly_full_sync"]
        else:
            self.cmd = [sys.executable, str(REPO / "bench" / "peer_dlt_pipeline.py"),
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
            raise SystemExit(f"{self.name} failed ({code}); the end of its log:\n{log.read_text()[-3000:]}")
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


def parse_args() -> argparse.Namespace:
    """The command line; exits with one line when dlt is missing or the projects do not split evenly."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=40, help="in total, split evenly over the companies")
    parser.add_argument("--companies", type=int, default=2)
    parser.add_argument("--records", type=int, default=20, help="RFIs of a medium project (the sandbox's default)")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each side")
    parser.add_argument("--workers", type=int, default=8, help="concurrent requests, both sides")
    parser.add_argument("--poll-ms", type=float, default=20.0)
    parser.add_argument("--keep", action="store_true", help="keep the DuckDB files, logs and Dagster home")
    parser.add_argument("--dlt-recycle-bins", action="store_true", help="the dlt side reads recycle bins too")
    parser.add_argument("--dlt-max-table-nesting", type=int, default=None)
    parser.add_argument("--dlt-file-format", default="parquet", choices=("parquet", "insert_values", "jsonl"))
    args = parser.parse_args()
    if importlib.util.find_spec("dlt") is None:
        raise SystemExit(INSTALL_HINT)
    if args.projects < args.companies or args.projects % args.companies:
        raise SystemExit(f"--projects {args.projects} must be a multiple of --companies {args.companies}")
    return args


def main() -> None:
    args = parse_args()
    load_start = os.getloadavg()
    proc, handle = start_sandbox(args)
    work = Path(tempfile.mkdtemp(prefix="peer_dlt_"))
    try:
        sides = {name: Side(name, work / name, handle, args) for name in ("ours", "dlt")}
        expected = expected_records(handle)
        warmup = {name: side.run()["wall_s"] for name, side in sides.items()}
        timed: dict[str, list[dict]] = {"ours": [], "dlt": []}
        for n in range(args.runs):
            for name in (("ours", "dlt") if n % 2 == 0 else ("dlt", "ours")):
                timed[name].append(sides[name].run())
        imports = {name: statistics.median(import_seconds(code) for _ in range(args.runs))
                   for name, code in IMPORTS.items()}
    finally:
        os.killpg(proc.pid, 15)
        proc.wait()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    ours, peer = summarise(timed["ours"]), summarise(timed["dlt"])
    print(json.dumps({
        "projects": args.projects, "companies": args.companies, "records_per_project": args.records,
        "latency_ms": args.latency_ms, "workers": args.workers, "runs": args.runs,
        "load_average_start": [round(x, 2) for x in load_start],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "bytecode_cached": {m: bytecode_cached(m) for m in ("dagster", "dlt", "pandas")},
        "expected_records": expected, "warmup_wall_s": warmup,
        "import_s_median": imports,
        "dlt_options": {"reads_recycle_bins": args.dlt_recycle_bins, "extract_workers": args.workers,
                        "max_parallel_items": max(20, 2 * args.workers), "per_page": 1000,
                        "parallelized": "every resource", "loader_file_format": args.dlt_file_format,
                        "max_table_nesting": args.dlt_max_table_nesting},
        "ours": ours, "dlt": peer,
        "ratio_dlt_to_ours": round(peer["median_wall_s"] / ours["median_wall_s"], 2),
    }, indent=1))


if __name__ == "__main__":
    main()
