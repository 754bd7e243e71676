"""Soak: ≥ 48 hourly cycles against the sandbox, its clock an hour ahead each cycle, data checked every time.

    .venv/bin/python bench/soak.py [--cycles 48] [--projects 10] [--records 20] [--seed 1]

Each cycle moves the sandbox clock forward an hour, applies random creates, updates and deletes,
injects faults (503s, 429s, token expiries mid-run), and runs what the schedules would run at
that sandbox hour: `hourly_sync` always, `daily_sync` at 02:00, `weekly_full_sync` on Sunday at
04:00 (jobs run in process, on one SQLite-backed Dagster instance). After every cycle the raw
tables of the streams synced so far equal `GET /_sandbox/records/...` (hourly streams every cycle,
every stream after a daily or weekly run), and `marts.project_metrics` in `serving.duckdb`
equals counts taken from the sandbox. Prints requests per cycle against the minimum, RSS of the
long-lived processes (this driver, the sandbox) at start and end, and the warehouse size.
Exit code 1 if any check failed.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT, ROOT / "bench"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from soak_checks import Cycle, SoakReport, jobs_due, metric_differences  # noqa: E402
from soak_compare import ALL_STREAMS, HOURLY_STREAMS, differences  # noqa: E402

from operations.processes import group_rss_bytes, wait_for_http  # noqa: E402

HOURLY_PATHS = ("/rest/v1.0/projects/*/rfis", "/rest/v1.0/projects/*/submittals",
                "/rest/v1.0/projects/*/rfis/recycle_bin", "/rest/v1.0/projects/*/submittals/recycle_bin")
RATE_LIMIT_BODY = "You have surpassed the max number of requests for an hour. Please wait until your limit resets."


def start_time_for(cycles: int, weekday: int = 5, hour: int = 12, now: datetime | None = None) -> str:
    """The latest `weekday` (Monday 0) at `hour`:00 UTC from which `cycles` hours still end in the past.

    The default, a Saturday at noon, puts daily runs (02:00) and the weekly run (Sunday 04:00) in a
    48-cycle soak; the sandbox clock must stay behind the real one (see `overlap_seconds`).
    """
    latest = (now or datetime.now(UTC)) - timedelta(hours=cycles + 1)
    start = latest.replace(hour=hour, minute=0, second=0, microsecond=0)
    while start > latest or start.weekday() != weekday:
        start -= timedelta(days=1)
    return start.strftime("%Y-%m-%dT%H:%M:%SZ")


def overlap_seconds(sandbox) -> int:
    """An incremental-window overlap that reaches back to the sandbox's clock.

    The pipeline ends each incremental window at its own wall clock and starts the next one there
    (minus `PIPELINES_SYNC_OVERLAP_SECONDS`); the sandbox stamps changes with its own clock, which
    the soak keeps behind the real one. The overlap covers that gap (it changes which records a
    window returns, not how many requests it takes: every window still fits one page).
    """
    behind = time.time() - float(sandbox.clock()["epoch"])
    return max(300, int(behind) + 3600)


def inject_faults(rng: random.Random, sandbox) -> list[str]:
    """Script 0-2 faults for the coming cycle (503s, a 429, or 1-second tokens); what was injected."""
    sandbox.configure(token_ttl=5400)
    injected = []
    for kind in rng.sample(["503", "429", "token"], k=rng.choice([0, 1, 1, 2])):
        path = rng.choice(HOURLY_PATHS)
        if kind == "503":
            sandbox.inject(path=path, status=503, headers={"Retry-After": "0"}, times=rng.randint(1, 2),
                           skip=rng.randint(0, 3))
        elif kind == "429":
            sandbox.inject(path=path, status=429, headers={"Retry-After": "1"}, body=RATE_LIMIT_BODY, times=1,
                           skip=rng.randint(0, 3))
        elif kind == "token":  # tokens issued this cycle die 1 s after issue: every run meets an expiry
            sandbox.configure(token_ttl=1)
        injected.append(kind)
    return injected


def run_job(defs, name: str, instance) -> bool:
    """Run one sync job in process; True on success."""
    result = defs.resolve_job_def(name).execute_in_process(instance=instance, raise_on_error=False)
    return result.success


def run_soak(sandbox, data_dir: Path, cycles: int, seed: int = 1, max_mutations: int = 15,
             sandbox_pid: int | None = None, log=print) -> SoakReport:
    """Run the soak against `sandbox` (a SandboxHandle) with the warehouse in `data_dir`."""
    import dagster as dg

    from orchestration.definitions import build_definitions
    from pipeline_settings import PipelineSettings

    os.environ.update({**sandbox.env(), "PIPELINES_DATA_DIR": str(data_dir), "PROCORE_RETRY_BACKOFF": "0.05",
                       "PIPELINES_SYNC_OVERLAP_SECONDS": str(overlap_seconds(sandbox))})
    defs = build_definitions(PipelineSettings.from_env())  # the settings just set, read as a code location would
    home = Path(tempfile.mkdtemp(prefix="soak-dagster-home-"))
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    rng = random.Random(seed)
    report = SoakReport()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        if not run_job(defs, "weekly_full_sync", instance):
            raise RuntimeError("the initial weekly_full_sync failed")
        report.rss_start = {"soak driver": _rss_self()}
        if sandbox_pid:
            report.rss_start["sandbox"] = group_rss_bytes(sandbox_pid)
        for index in range(1, cycles + 1):
            clock = sandbox.advance_clock(3600)
            now = datetime.fromisoformat(clock["now"].replace("Z", "+00:00"))
            mutations = rng.randint(0, max_mutations)
            if mutations:
                sandbox.mutate({"random": mutations})
            faults = inject_faults(rng, sandbox)
            jobs = jobs_due(now)
            before = sandbox.stats()["total"]
            started = time.monotonic()
            ok = all(run_job(defs, job, instance) for job in jobs)
            seconds = time.monotonic() - started
            requests = sandbox.stats()["total"] - before
            sandbox.clear_faults()
            sandbox.configure(token_ttl=5400)
            streams = ALL_STREAMS if jobs != ["hourly_sync"] else HOURLY_STREAMS
            problems = ([] if ok else ["a job failed"]) + differences(data_dir / "warehouse.duckdb", sandbox, streams)
            problems += metric_differences(data_dir / "serving.duckdb", sandbox,
                                           check_project_set=streams == ALL_STREAMS)
            cycle = Cycle(index, now.strftime("%a %H:%M"), jobs, mutations, faults, requests, seconds, problems)
            report.cycles.append(cycle)
            log(cycle.line())
        report.minimum_hourly = minimum_hourly_requests(metric_project_ids(data_dir), sandbox.info())
        report.rss_end = {"soak driver": _rss_self()}
        if sandbox_pid:
            report.rss_end["sandbox"] = group_rss_bytes(sandbox_pid)
    report.warehouse_bytes = (data_dir / "warehouse.duckdb").stat().st_size
    report.serving_bytes = (data_dir / "serving.duckdb").stat().st_size
    return report


def minimum_hourly_requests(project_ids: list[int], info: dict) -> int:
    """Fewest requests an hourly sync can make: per readable project the RFI and submittal lists and their
    recycle bins (4), per project whose tools answer 403/404 the two lists only (2), plus one token."""
    unreadable = set(info.get("forbidden_project_ids", [])) | set(info.get("hidden_project_ids", []))
    blocked = sum(1 for p in project_ids if p in unreadable)
    return 4 * (len(project_ids) - blocked) + 2 * blocked + 1


def metric_project_ids(data_dir: Path) -> list[int]:
    """Projects the hourly sync reads (live rows of raw.projects)."""
    import duckdb

    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        return [r[0] for r in con.execute("SELECT id FROM raw.projects WHERE _deleted_at IS NULL").fetchall()]


def _rss_self() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=48)
    parser.add_argument("--companies", type=int, default=2)
    parser.add_argument("--projects", type=int, default=10, help="projects per company")
    parser.add_argument("--records", type=int, default=20, help="RFIs per project")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from operations.processes import ProcessGroups
    from procore_sandbox.handle import SandboxHandle

    work = Path(tempfile.mkdtemp(prefix="procore-soak-"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    procs = ProcessGroups(work / "logs")
    sandbox_proc = procs.start("sandbox", [str(Path(sys.executable).parent / "procore-sandbox"), "--port", str(port),
                                           "--companies", str(args.companies), "--projects", str(args.projects),
                                           "--records-per-project", str(args.records), "--seed", str(args.seed),
                                           "--rate-limit-hourly", "100000", "--rate-limit-spike", "10000",
                                           "--start-time", start_time_for(args.cycles)], dict(os.environ), ROOT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_http(f"{url}/_sandbox/info", "the sandbox", child=sandbox_proc)
        (work / "data").mkdir()
        report = run_soak(SandboxHandle(url), work / "data", args.cycles, args.seed, sandbox_pid=sandbox_proc.proc.pid)
    finally:
        procs.stop_all(timeout=5)
    print(report.summary())
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
