"""Benchmark: Procore requests per hour with webhooks against hourly polling, and change-to-serving latency.

Run: `.venv/bin/python bench/webhooks_requests.py [--projects 1000] [--change-rate 0.03] [--latency-samples 8]`

A sandbox with `--projects` projects (one company) where `--change-rate` of the projects change per
hour (one RFI or submittal update each). Requests are counted by the sandbox (`/_sandbox/stats`,
OAuth token calls included):
- polling: one `hourly_sync` run (RFIs and submittals of every project, incremental, recycle bins);
- webhooks, coalesced: every change delivered, then one sensor tick and its one targeted run;
- webhooks, spread: each change in its own sensor tick and run (the worst case for an hour), measured
  over `--spread-runs` changes and scaled to the hour.
Latency (when the transforms and publish are in the code location): a daemon-like loop ticks the
sensor every `--interval` seconds and runs what it requests; each sample closes an open RFI and
times until `serving.duckdb` shows the project's closed count go up.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import dagster as dg
import duckdb
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from orchestration.definitions import build_definitions  # noqa: E402
from pipeline_settings import PipelineSettings  # noqa: E402
from procore_sandbox.options import SandboxOptions  # noqa: E402
from procore_sandbox.server import start_sandbox  # noqa: E402
from procore_source.client import ProcoreClient  # noqa: E402
from procore_source.settings import ProcoreSettings  # noqa: E402
from webhooks.procore_api import HooksApi  # noqa: E402
from webhooks.register import register  # noqa: E402
from webhooks.server import RunningReceiver  # noqa: E402
from webhooks.settings import WebhookSettings  # noqa: E402

SECRET = "bench-webhook-secret-0123456789"
QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


class Pipeline:
    """Runs jobs and sensor ticks in process against one Dagster instance."""

    def __init__(self, defs: dg.Definitions, instance: dg.DagsterInstance):
        self.defs, self.instance, self.lock = defs, instance, threading.Lock()

    def run(self, job: str, request: dg.RunRequest | None = None) -> bool:
        with self.lock:
            result = self.defs.resolve_job_def(job).execute_in_process(
                run_config={**(request.run_config if request else {}), **QUIET}, instance=self.instance,
                tags=request.tags if request else {}, asset_selection=request.asset_selection if request else None,
                raise_on_error=False)
        return result.success

    def tick(self) -> int:
        """One sensor evaluation; run whatever it requests; returns the number of runs."""
        context = dg.build_sensor_context(instance=self.instance, definitions=self.defs)
        result = self.defs.resolve_sensor_def("webhook_sensor")(context)
        requests_ = getattr(result, "run_requests", None) or []
        for request in requests_:
            self.run("webhook_sync", request)
        return len(requests_)


def drain(sandbox) -> None:
    requests.post(f"{sandbox.url}/_sandbox/webhooks/drain", json={"timeout": 60}, timeout=70).raise_for_status()


def change(sandbox, rng: random.Random, projects: list[int], by_project: dict) -> None:
    """Update one RFI (or submittal) in each of `projects`."""
    mutations = []
    for pid in projects:
        resource = rng.choice(("rfis", "submittals"))
        row = rng.choice(by_project[resource][pid])
        field = "subject" if resource == "rfis" else "title"
        mutations.append({"resource": resource, "action": "update", "id": row["record"]["id"],
                          "changes": {field: f"bench change {rng.random():.6f}"}})
    sandbox.mutate({"mutations": mutations})


def measure(sandbox, action) -> int:
    sandbox.clear_stats()
    action()
    return int(sandbox.stats()["total"])


def latency(sandbox, pipe: Pipeline, serving: Path, samples: int, interval: float, rng: random.Random) -> list[float]:
    """Seconds from closing an open RFI to `serving.duckdb` counting it, with a ticking loop as the daemon."""
    stop = threading.Event()

    def daemon() -> None:
        while not stop.is_set():
            started = time.monotonic()
            pipe.tick()
            stop.wait(max(0.0, interval - (time.monotonic() - started)))

    def closed(pid: int) -> int:
        try:
            with duckdb.connect(str(serving), read_only=True) as con:
                row = con.execute("SELECT rfis_closed FROM marts.project_metrics WHERE project_id = ?",
                                  [pid]).fetchone()
        except duckdb.Error:
            return -1
        return row[0] if row else -1

    thread = threading.Thread(target=daemon, daemon=True)
    thread.start()
    found = []
    try:
        open_rfis = [r for r in sandbox.records("rfis") if r["record"]["status"] == "open" and not r["deleted_at"]]
        for sample in rng.sample(open_rfis, samples):
            pid = sample["project_id"]
            before = closed(pid)
            time.sleep(rng.uniform(0, interval))
            t0 = time.monotonic()
            sandbox.mutate({"resource": "rfis", "action": "update", "id": sample["record"]["id"],
                            "changes": {"status": "closed"}})
            while closed(pid) <= before and time.monotonic() - t0 < 300:
                time.sleep(0.1)
            found.append(time.monotonic() - t0)
            print(f"  sample {len(found)}: {found[-1]:.1f} s", flush=True)
    finally:
        stop.set()
        thread.join(timeout=120)
    return found


def main() -> None:
    """Set up sandbox, receiver and warehouse; count requests each way; time freshness."""
    p = argparse.ArgumentParser()
    p.add_argument("--projects", type=int, default=1000)
    p.add_argument("--records", type=int, default=5, help="RFIs per project")
    p.add_argument("--change-rate", type=float, default=0.03, help="share of projects changing per hour")
    p.add_argument("--latency-samples", type=int, default=8, help="0 to skip the latency part")
    p.add_argument("--interval", type=float, default=15.0, help="sensor interval (seconds)")
    p.add_argument("--spread-runs", type=int, default=5, help="changes timed one run each (then scaled to the hour)")
    args = p.parse_args()
    rng = random.Random(7)
    tmp = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    sandbox = start_sandbox(SandboxOptions(companies=1, projects=args.projects, records_per_project=args.records,
                                           rate_limit_hourly=10**9, rate_limit_spike=10**9))
    os.environ.update({**sandbox.env(), "PIPELINES_DATA_DIR": str(tmp / "data"), "DAGSTER_HOME": str(tmp / "dg"),
                       "WEBHOOK_INBOX_URL": f"sqlite:///{tmp / 'webhooks.db'}", "PROCORE_MAX_WORKERS": "4"})
    (tmp / "dg").mkdir()
    receiver = RunningReceiver(WebhookSettings(secret=SECRET, inbox_url=os.environ["WEBHOOK_INBOX_URL"]))
    company = sandbox.company_ids[0]
    with ProcoreClient(ProcoreSettings.from_env(sandbox.env())) as client:
        register(HooksApi(client), company_id=company, url=receiver.delivery_url, secret=SECRET,
                 namespace="procore-pipelines")
    with dg.instance_for_test(temp_dir=str(tmp / "dg")) as instance:
        pipe = Pipeline(build_definitions(PipelineSettings.from_env()), instance)
        started = time.perf_counter()
        assert pipe.run("daily_sync") and pipe.run("hourly_sync")
        print(f"initial load of {args.projects} projects: {time.perf_counter() - started:.1f} s")
        by_project: dict = {"rfis": {}, "submittals": {}}
        for resource in by_project:
            for row in sandbox.records(resource):
                if not row["deleted_at"]:
                    by_project[resource].setdefault(row["project_id"], []).append(row)
        pids = sorted(set(by_project["rfis"]) & set(by_project["submittals"]))
        per_hour = max(1, round(args.projects * args.change_rate))

        change(sandbox, rng, rng.sample(pids, per_hour), by_project)
        drain(sandbox)
        receiver.inbox.clear()  # these changes are the polling run's to find
        polling = measure(sandbox, lambda: pipe.run("hourly_sync"))

        change(sandbox, rng, rng.sample(pids, per_hour), by_project)
        drain(sandbox)
        coalesced = measure(sandbox, pipe.tick)
        pipe.tick()  # settle the batch

        spread_runs = min(per_hour, args.spread_runs)

        def spread() -> None:
            for pid in rng.sample(pids, spread_runs):
                change(sandbox, rng, [pid], by_project)
                drain(sandbox)
                pipe.tick()
                pipe.tick()
        started = time.perf_counter()
        spread_total = measure(sandbox, spread)
        print(f"{args.projects} projects, {per_hour} changing per hour ({args.change_rate:.0%}):")
        print(f"  hourly polling:              {polling:6d} requests/hour")
        print(f"  webhooks, one coalesced run: {coalesced:6d} requests/hour ({polling / max(coalesced, 1):.0f}x fewer)")
        hourly_spread = round(spread_total / spread_runs * per_hour)
        fewer = polling / max(hourly_spread, 1)
        print(f"  webhooks, one run per change:{hourly_spread:6d} requests/hour ({fewer:.0f}x fewer; "
              f" {spread_total} requests in {spread_runs} runs, {time.perf_counter() - started:.0f} s)")
        serving = tmp / "data" / "serving.duckdb"
        if args.latency_samples and serving.exists():
            print(f"latency, sensor every {args.interval:.0f} s, {args.latency_samples} samples:")
            found = latency(sandbox, pipe, serving, args.latency_samples, args.interval, rng)
            q = statistics.quantiles(found, n=20, method="inclusive") if len(found) > 1 else found * 19
            print(f"  change -> serving.duckdb: median {statistics.median(found):.1f} s, p95 {q[18]:.1f} s, "
                  f"max {max(found):.1f} s")
        elif args.latency_samples:
            print("latency: skipped (no serving.duckdb: transforms/publish are not in the code location yet)")
    receiver.stop()
    sandbox.stop()


if __name__ == "__main__":
    main()
