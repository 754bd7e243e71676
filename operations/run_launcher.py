"""A single-host Dagster run launcher whose run workers run monitoring can check.

Dagster's `DefaultRunLauncher` starts each run worker as a process of the code server, but it
cannot say whether that worker is still alive, so a run whose worker was killed (daemon stopped
with SIGKILL, machine rebooted, OOM) stays STARTED and keeps its `duckdb` pool slot until
`max_runtime_seconds`. `LocalPidRunLauncher` adds the health check: the run worker records its
pid in the run's "Started process for run" engine event; the worker is alive when that pid is a
live, non-zombie process that started before the event (so a recycled pid is not mistaken for it).
Runs launched on another host are reported RUNNING (this launcher cannot see them).

Dagster exports no public name for a launcher's health answer (`CheckRunHealthResult`, `WorkerStatus`) or
its launch context (`LaunchRunContext`); its own Docker and Kubernetes launchers import them from
`dagster._core.launcher` too. They are imported here alone, the Dagster minor version is pinned in
`pyproject.toml`, and `tests/ops/test_dagster_private_names.py` fails naming this file when they move.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from dagster import DagsterEventType, DagsterRun, DefaultRunLauncher
from dagster._core.launcher import CheckRunHealthResult, LaunchRunContext, WorkerStatus  # private: see above

PRIVATE_DAGSTER_NAMES = {"dagster._core.launcher": ("CheckRunHealthResult", "LaunchRunContext", "WorkerStatus")}

HOST_TAG = "procore/run_host"
_STARTED_PREFIX = "Started process for run"
# /proc start times are in clock ticks; allow for rounding and clock granularity.
_START_SLACK_SECONDS = 5.0


def _boot_time() -> float:
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("btime "):
            return float(line.split()[1])
    raise OSError("no btime in /proc/stat")


def process_state(pid: int) -> tuple[str, float] | None:
    """(state letter, start time as a Unix timestamp) of `pid`, or None when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name (field 2) may contain spaces and parentheses: split after its last ")".
    fields = stat[stat.rindex(")") + 2:].split()
    state, start_ticks = fields[0], int(fields[19])
    return state, _boot_time() + start_ticks / os.sysconf("SC_CLK_TCK")


def worker_pid(instance, run_id: str) -> tuple[int, float] | None:
    """(pid, event timestamp) of the run worker from its "Started process" event, or None."""
    records = instance.all_logs(run_id, of_type=DagsterEventType.ENGINE_EVENT)
    for entry in reversed(records):
        event = entry.dagster_event
        message = (event.message if event is not None else None) or entry.user_message or ""
        if event is None or not message.startswith(_STARTED_PREFIX):
            continue
        pid = event.engine_event_data.metadata.get("pid")
        if pid is not None:
            return int(pid.value), entry.timestamp
    return None


class LocalPidRunLauncher(DefaultRunLauncher):
    """`DefaultRunLauncher` plus a run-worker health check by process id (same host only)."""

    def launch_run(self, context: LaunchRunContext) -> None:
        """Tag the run with this host, then launch it as the default launcher does."""
        self._instance.add_run_tags(context.dagster_run.run_id, {HOST_TAG: socket.gethostname()})
        super().launch_run(context)

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: DagsterRun) -> CheckRunHealthResult:
        """RUNNING while the worker process lives; FAILED once it is gone."""
        host = run.tags.get(HOST_TAG)
        if host is not None and host != socket.gethostname():
            return CheckRunHealthResult(WorkerStatus.RUNNING, f"run worker is on {host}; not checked here")
        found = worker_pid(self._instance, run.run_id)
        if found is None:  # not started yet, or it logged no pid: nothing to judge by
            return CheckRunHealthResult(WorkerStatus.RUNNING, "run worker pid not recorded yet")
        pid, started_at = found
        state = process_state(pid)
        if state is None or state[0] in ("Z", "X"):
            return CheckRunHealthResult(WorkerStatus.FAILED, f"run worker process {pid} is gone")
        if state[1] > started_at + _START_SLACK_SECONDS:
            return CheckRunHealthResult(
                WorkerStatus.FAILED, f"run worker process {pid} is gone (pid reused by a newer process)"
            )
        return CheckRunHealthResult(WorkerStatus.RUNNING, f"run worker process {pid} is alive")
