"""Benchmark: a full read of every stream of a scaled sandbox through `ProcoreClient`.

Prints the requests made against the minimum (the sum over lists of ceil(records / largest
per_page), at least one request per list, computed from `/_sandbox/records`), client-side records
per second with zero latency, and the client's overhead: CPU seconds of this process per request
(the sandbox runs in its own process, so this is only the client: requests, JSON decoding and our
code) and the share of wall time spent outside the HTTP round trip. Medians over `--repeat` runs.

    .venv/bin/python bench/client_read.py [--projects 200 --records 200 --repeat 3]
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import time
from collections import Counter
from typing import Any

import requests

from procore_sandbox.handle import SandboxHandle
from procore_source.client import ProcoreClient
from procore_source.settings import ProcoreSettings
from procore_source.streams import STREAMS


def start_sandbox_process(args: argparse.Namespace) -> tuple[subprocess.Popen, str]:
    """`procore-sandbox` on a free port in its own process; returns it and its URL once it serves."""
    command = [sys.executable, "-m", "procore_sandbox.cli", "--port", "0", "--companies", "1",
               "--projects", str(args.projects), "--records-per-project", str(args.records),
               "--rate-limit-hourly", "10000000", "--rate-limit-spike", "10000000", "--latency-ms", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("Procore sandbox on "):
            return process, line.split()[3]
    raise RuntimeError("the sandbox did not start")


def minimum_requests(sandbox: SandboxHandle, cid: int, readable: set[int]) -> tuple[int, int]:
    """(fewest requests a full read can take, records it returns), from the sandbox's own records."""
    per_list: Counter[tuple[str, Any]] = Counter()
    for name in ("projects", "rfis", "submittals", "budget_views", "budget_rows"):
        for row in sandbox.records(name):
            if row["deleted_at"] or row["company_id"] != cid:
                continue
            if name != "projects" and row["project_id"] not in readable:
                continue
            # budget view ids are company-level: a list of detail rows is one (project, view) pair
            key = (cid if name == "projects" else (row["project_id"], row["budget_view_id"])
                   if name == "budget_rows" else row["project_id"])
            per_list[(name, key)] += 1
    lists = {("projects", cid)} | {(n, p) for n in ("rfis", "submittals", "budget_views") for p in readable}
    lists |= {("budget_rows", (v["project_id"], v["record"]["id"])) for v in sandbox.records("budget_views")
              if not v["deleted_at"] and v["company_id"] == cid and v["project_id"] in readable}
    fewest = sum(max(1, math.ceil(per_list[key] / STREAMS[key[0]].max_per_page)) for key in lists)
    return fewest, sum(per_list.values())


def full_read(client: ProcoreClient, cid: int, readable: set[int]) -> int:
    """Read every stream of the company (projects, then each readable project's lists); returns records."""
    records = 0
    for _ in client.read_stream(STREAMS["projects"], {"company_id": cid}):
        records += 1
    for pid in sorted(readable):
        scope = {"company_id": cid, "project_id": pid}
        for name in ("rfis", "submittals"):
            records += sum(1 for _ in client.read_stream(STREAMS[name], scope))
        views = list(client.read_stream(STREAMS["budget_views"], scope))
        records += len(views)
        for view in views:
            rows = client.read_stream(STREAMS["budget_rows"], {**scope, "budget_view_id": view["id"]})
            records += sum(1 for _ in rows)
    return records


class TimedSession(requests.Session):
    """A session that adds up the wall time spent inside HTTP calls (network, server and `requests`)."""

    http_seconds = 0.0

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        started = time.perf_counter()
        try:
            return super().request(*args, **kwargs)
        finally:
            TimedSession.http_seconds += time.perf_counter() - started


def one_run(settings: ProcoreSettings, cid: int, readable: set[int]) -> dict[str, float]:
    """One full read with a fresh client; wall, CPU and in-HTTP seconds, requests and records."""
    client = ProcoreClient(settings)
    transport = client._transport
    session = TimedSession()
    session.headers.update({"User-Agent": settings.user_agent, "Accept": "application/json"})
    transport._local.session = session  # this (only) thread's session, timed
    client.tokens.access_token()  # the token grant is not part of the read
    TimedSession.http_seconds = 0.0
    cpu, wall = time.process_time(), time.perf_counter()
    records = full_read(client, cid, readable)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    requests_made = client.counters.snapshot()["requests"]
    client.close()
    return {"wall": wall, "cpu": cpu, "http": TimedSession.http_seconds, "requests": requests_made,
            "records": records}


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--records", type=int, default=200, help="RFIs per project")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    process, url = start_sandbox_process(args)
    try:
        sandbox = SandboxHandle(url)
        requests.post(f"{url}/_sandbox/warm", timeout=600).raise_for_status()
        info = sandbox.info()
        cid = sandbox.company_ids[0]
        blocked = set(info["forbidden_project_ids"]) | set(info["hidden_project_ids"])
        readable = {r["record"]["id"] for r in sandbox.records("projects")
                    if r["company_id"] == cid and not r["deleted_at"] and r["record"]["id"] not in blocked}
        fewest, expected_records = minimum_requests(sandbox, cid, readable)
        settings = ProcoreSettings.from_env(sandbox.env())
        runs = [one_run(settings, cid, readable) for _ in range(args.repeat)]
    finally:
        process.terminate()
        process.wait(timeout=10)
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"sandbox: 1 company x {args.projects} projects x {args.records} RFIs ({len(readable)} readable), "
          f"latency 0, {args.repeat} runs, medians")
    print(f"requests made      {med['requests']:.0f}  (minimum {fewest}; ratio {med['requests'] / fewest:.3f})")
    print(f"records read       {med['records']:.0f}  (sandbox holds {expected_records})")
    print(f"wall time          {med['wall']:.2f} s   -> {med['records'] / med['wall']:,.0f} records/s, "
          f"{med['requests'] / med['wall']:,.0f} requests/s")
    print(f"client CPU         {med['cpu']:.2f} s   -> {1000 * med['cpu'] / med['requests']:.2f} ms CPU/request, "
          f"{med['cpu'] / med['wall']:.0%} of wall time")
    outside = med["wall"] - med["http"]
    print(f"outside HTTP calls {outside:.2f} s   -> {outside / med['wall']:.0%} of wall time "
          f"({1000 * outside / med['requests']:.2f} ms/request: pacing, pagination, JSON decoding, iteration)")
    ok = med["requests"] == fewest and med["records"] == expected_records
    print("GOAL MET: requests == minimum" if ok else "GOAL MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
