"""Benchmark: a full sync of a thousand-project sandbox, and DuckDB upsert throughput.

    .venv/bin/python bench/ingest_full_sync.py                 # defaults below, ~3-4 minutes
    .venv/bin/python bench/ingest_full_sync.py --runs 1 --projects 100 --upsert-rows 50000   # quick

1. Upserts: a synthetic batch of RFI rows into a fresh DuckDB file (insert, the same batch again =
   all unchanged, then every row changed), rows per second of the DuckDB upsert (`upsert_frame`
   on the staged Arrow table) and including the Python-to-Arrow staging (`arrow_frame`); flatten
   (record to typed row, pure Python) is reported on its own.
2. End to end: `procore-sandbox` in its own process (companies x projects, `--latency-ms` per call,
   rate limits raised so latency is the bound), then the ingestion part of `weekly_full_sync`
   (projects, RFIs, submittals, budget views and rows, checks) in process on an ephemeral instance.
   Reports the median wall time of `--runs` runs, records per second, requests served against the
   minimum (one request per list page, recycle bin and unreadable project, plus one token), and the
   ratio of wall time to the latency bound (minimum requests x latency / workers).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from orchestration.ingestion_assets import INGESTION_ASSETS  # noqa: E402
from orchestration.jobs import build_sync_jobs  # noqa: E402
from orchestration.raw_checks import RAW_CHECKS  # noqa: E402
from orchestration.resources import ProcoreResource, WarehouseResource  # noqa: E402
from procore_sandbox.handle import SandboxHandle  # noqa: E402
from procore_source.streams import RFIS, STREAMS  # noqa: E402
from warehouse.connection import Warehouse  # noqa: E402
from warehouse.upsert import arrow_frame, upsert_frame  # noqa: E402


def bench_upserts(rows_n: int) -> dict:
    """Rows per second of `upsert_rows` for inserts, unchanged re-upserts and updates."""
    records = [{"id": i, "number": str(i), "subject": f"RFI {i} about door hardware", "status": "open",
                "due_date": "2026-03-01", "created_at": "2026-01-01T08:00:00Z", "updated_at": "2026-01-02T08:00:00Z",
                "assignee": {"name": "Pat Lee"}, "cost_impact": {"status": "yes_known", "value": "1250.00"},
                "schedule_impact": {"status": "no_impact", "value": None}, "questions": [{"body": "x" * 200}]}
               for i in range(rows_n)]
    t = time.perf_counter()
    rows = [{**RFIS.flatten(r, {"company_id": 1, "project_id": 1 + r["id"] % 1000}), "_deleted_at": None}
            for r in records]
    flatten_s = time.perf_counter() - t
    changed = [{**row, "subject": row["subject"] + " (rev)", "payload": row["payload"].replace("door", "window")}
               for row in rows]
    out = {"rows": rows_n, "flatten_rows_per_s": round(rows_n / flatten_s)}
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Warehouse(tmp)
        with warehouse.connect() as con:
            for label, batch in (("insert", rows), ("unchanged", rows), ("update", changed)):
                t = time.perf_counter()
                frame = arrow_frame(RFIS, batch)
                staged = time.perf_counter()
                con.execute("BEGIN")
                upsert_frame(con, RFIS, frame, synced_at=datetime.now(UTC))
                con.execute("COMMIT")
                done = time.perf_counter()
                out[f"{label}_duckdb_rows_per_s"] = round(rows_n / (done - staged))
                out[f"{label}_with_arrow_staging_rows_per_s"] = round(rows_n / (done - t))
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sandbox(args: argparse.Namespace) -> tuple[subprocess.Popen, SandboxHandle]:
    port = _free_port()
    cmd = [str(Path(sys.executable).with_name("procore-sandbox")), "--port", str(port),
           "--companies", str(args.companies), "--projects", str(args.projects),
           "--records-per-project", str(args.records), "--latency-ms", str(args.latency_ms),
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
    return proc, handle


def minimum_requests(handle: SandboxHandle) -> int:
    """One request per list page (at least one), per recycle bin and per unreadable project and stream."""
    info = handle.info()
    unreadable = set(info["forbidden_project_ids"]) | set(info["hidden_project_ids"])
    counts: dict[tuple, int] = {}
    for resource in ("rfis", "submittals", "budget_rows"):
        for item in handle.records(resource):
            # budget view ids are company-level: a list of detail rows is one (project, view) pair
            scope = (item["project_id"], item["budget_view_id"]) if resource == "budget_rows" else item["project_id"]
            key = (resource, scope, bool(item["deleted_at"]))
            counts[key] = counts.get(key, 0) + 1
    views = [item for item in handle.records("budget_views") if not item["deleted_at"]]
    projects = [item["record"]["id"] for item in handle.records("projects") if not item["deleted_at"]]

    def pages(name: str, n: int) -> int:
        return max(1, math.ceil(n / STREAMS[name].max_per_page))

    total = 1 + len(info["companies"])  # the token, and one projects page per company (< 1000 each)
    for pid in projects:
        if pid in unreadable:
            total += 3  # rfis, submittals and budget views each answer 403/404 once
            continue
        for name in ("rfis", "submittals"):
            total += pages(name, counts.get((name, pid, False), 0)) + pages(name, counts.get((name, pid, True), 0))
        total += 1  # budget views
    for view in views:
        if view["project_id"] not in unreadable:
            scope = (view["project_id"], view["record"]["id"])
            total += pages("budget_rows", counts.get(("budget_rows", scope, False), 0))
    return total


def run_full_sync(handle: SandboxHandle, workers: int) -> dict:
    env = handle.env()
    data = tempfile.mkdtemp(prefix="ingest_bench_")
    resources = {
        "procore": ProcoreResource(client_id=env["PROCORE_CLIENT_ID"], client_secret=env["PROCORE_CLIENT_SECRET"],
                                   company_ids=env["PROCORE_COMPANY_IDS"], api_base_url=env["PROCORE_API_BASE_URL"],
                                   login_base_url=env["PROCORE_LOGIN_BASE_URL"], max_workers=workers),
        "warehouse": WarehouseResource(data_dir=data),
    }
    defs = dg.Definitions(assets=INGESTION_ASSETS, asset_checks=RAW_CHECKS,
                          jobs=build_sync_jobs(INGESTION_ASSETS), resources=resources)
    job = defs.resolve_job_def("weekly_full_sync")
    handle.clear_stats()
    t = time.perf_counter()
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance)
        wall = time.perf_counter() - t
    assert result.success
    with duckdb.connect(str(Path(data) / "warehouse.duckdb")) as con:
        records = sum(con.execute(f"SELECT count(*) FROM raw.{s}").fetchone()[0] for s in STREAMS)
        dupes = con.execute("SELECT count(*) - count(DISTINCT (project_id, id)) FROM raw.rfis").fetchone()[0]
    return {"wall_s": round(wall, 2), "records": records, "requests": handle.stats()["total"], "dupes": dupes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--companies", type=int, default=2)
    parser.add_argument("--projects", type=int, default=500, help="per company")
    parser.add_argument("--records", type=int, default=5, help="RFIs per project (the rest scale with it)")
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--upsert-rows", type=int, default=200_000)
    args = parser.parse_args()

    upserts = bench_upserts(args.upsert_rows)
    print("upserts:", json.dumps(upserts))
    proc, handle = start_sandbox(args)
    try:
        minimum = minimum_requests(handle)
        runs = [run_full_sync(handle, args.workers) for _ in range(args.runs)]
    finally:
        os.killpg(proc.pid, 15)
        proc.wait()
    wall = statistics.median(r["wall_s"] for r in runs)
    records = runs[0]["records"]
    bound = minimum * args.latency_ms / 1000 / args.workers
    summary = {
        "projects": args.companies * args.projects, "latency_ms": args.latency_ms, "workers": args.workers,
        "runs": runs, "median_wall_s": wall, "records": records, "records_per_s": round(records / wall),
        "requests": runs[0]["requests"], "minimum_requests": minimum,
        "latency_bound_s": round(bound, 2), "wall_to_bound_ratio": round(wall / bound, 2),
    }
    print("full sync:", json.dumps(summary))


if __name__ == "__main__":
    main()
