"""Release runs whose process died: `python -m orchestration.recovery` (on the machine that ran them).

A headless `dagster job execute` run that is killed (SIGKILL, OOM, reboot) stays STARTED in the
instance and keeps its `duckdb` pool slot, so the next run waits for that slot forever; the
daemon's run monitoring cannot tell, because no run launcher started that process. This finds
STARTED/STARTING runs whose worker pid (from the run's own "Executing steps in process" event) is no
longer alive on this host, marks them failed and frees their pool slots; it also frees slots still
held by runs that already finished. The warehouse needs nothing: every cursor moved in the same
transaction as its rows, so the next sync carries on from the last commit.
"""

from __future__ import annotations

import os
import sys

import dagster as dg

ACTIVE = [dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING]
FINISHED = [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_worker_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    """The pid that executed the run's steps, from its event log (None if it never got that far)."""
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        event = entry.dagster_event
        if event is not None and event.pid and entry.message.startswith("Executing steps"):
            return int(event.pid)
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_START):
        if entry.dagster_event is not None and entry.dagster_event.pid:
            return int(entry.dagster_event.pid)
    return None


def release_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Fail active runs whose worker process is gone and free their pool slots; returns their run ids."""
    released = []
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=ACTIVE)):
        run = record.dagster_run
        pid = run_worker_pid(instance, run.run_id)
        if pid is None or _alive(pid):
            continue
        instance.report_run_failed(run, f"run worker process {pid} is gone (killed?); released by "
                                        "orchestration.recovery")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        released.append(run.run_id)
    holders = instance.event_log_storage.get_concurrency_run_ids()
    if holders:
        for record in instance.get_run_records(filters=dg.RunsFilter(run_ids=list(holders), statuses=FINISHED)):
            instance.event_log_storage.free_concurrency_slots_for_run(record.dagster_run.run_id)
    return released


def main() -> int:
    """CLI: release dead runs of the instance in `DAGSTER_HOME` and print them."""
    with dg.DagsterInstance.get() as instance:
        released = release_dead_runs(instance)
    for run_id in released:
        print(f"released dead run {run_id}")
    if not released:
        print("no dead runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
