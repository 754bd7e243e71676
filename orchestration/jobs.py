"""Sync jobs and their schedules.

Each job is its raw assets plus everything downstream of them that is not partitioned, so the
marts and the serving snapshot join the jobs as soon as they are defined. Jobs run in process
(one shared Procore client and pacer per run; the `duckdb` pool serialises writers anyway).

| job | raw assets | schedule (PIPELINES_TIMEZONE, default UTC) |
|---|---|---|
| hourly_sync | rfis, submittals | `0 * * * *` |
| daily_sync | projects, budget_views, budget_rows | `0 2 * * *` |
| weekly_full_sync | all five, `full_refresh: true` | `0 4 * * 0` (Sunday) |

`marts/budget_snapshots` (today's budget, kept for good) is downstream of every raw asset but runs only
in `daily_sync` and `weekly_full_sync`, the jobs that re-read budgets: an hourly (or webhook) run before
the day's daily sync would otherwise record yesterday's budget read as today's.

Schedules start RUNNING when `PIPELINES_SCHEDULES_RUNNING=1` (the demo sets it), else STOPPED.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dagster as dg

from orchestration.ingestion_assets import raw_budgets, raw_projects, raw_rfis, raw_submittals

HOURLY_CRON = "0 * * * *"
DAILY_CRON = "0 2 * * *"
WEEKLY_CRON = "0 4 * * 0"

ALL_RAW = [raw_projects, raw_rfis, raw_submittals, raw_budgets]
_RAW_BY_JOB = {
    "hourly_sync": [raw_rfis, raw_submittals],
    "daily_sync": [raw_projects, raw_budgets],
    "weekly_full_sync": [raw_projects, raw_rfis, raw_submittals, raw_budgets],
}
# Assets that only the jobs re-reading budgets run (orchestration.history_assets.BUDGET_SNAPSHOTS)
BUDGET_DAY_ASSETS = (dg.AssetKey(["marts", "budget_snapshots"]),)
BUDGET_DAY_JOBS = ("daily_sync", "weekly_full_sync")
_DESCRIPTIONS = {
    "hourly_sync": "RFIs and submittals, incremental by updated_at, then the transforms and publish.",
    "daily_sync": "Projects (incremental) and budgets (re-read whole), then the transforms and publish.",
    "weekly_full_sync": "Full re-read of every stream (deletions reconciled), then the transforms and publish.",
}


def _op_name(asset: dg.AssetsDefinition) -> str:
    return asset.node_def.name


def sync_selection(raw: Sequence[dg.AssetsDefinition], all_assets: Sequence[object], *,
                   budget_day: bool = False) -> dg.AssetSelection:
    """`raw` and everything downstream of it, minus other jobs' raw assets and partitioned assets, and minus
    `BUDGET_DAY_ASSETS` unless `budget_day` (the daily and weekly syncs)."""
    defined = [a for a in all_assets if isinstance(a, dg.AssetsDefinition)]
    partitioned = [key for a in defined if a.partitions_def for key in a.keys]
    excluded = partitioned + ([] if budget_day else [k for a in defined for k in a.keys if k in BUDGET_DAY_ASSETS])
    other_raw = [a for a in ALL_RAW if a not in raw]
    selection = dg.AssetSelection.assets(*raw).downstream()
    if other_raw:
        selection = selection - dg.AssetSelection.assets(*other_raw)
    if excluded:
        selection = selection - dg.AssetSelection.assets(*excluded)
    return selection


def build_sync_jobs(all_assets: Sequence[object]) -> list[dg.UnresolvedAssetJobDefinition]:
    """`hourly_sync`, `daily_sync` and `weekly_full_sync` over `all_assets` (every asset of the code location)."""
    jobs = []
    for name, raw in _RAW_BY_JOB.items():
        config = None
        if name == "weekly_full_sync":
            config = {"ops": {_op_name(a): {"config": {"full_refresh": True}} for a in raw}}
        selection = sync_selection(raw, all_assets, budget_day=name in BUDGET_DAY_JOBS)
        jobs.append(dg.define_asset_job(name, selection=selection, config=config,
                                        executor_def=dg.in_process_executor, description=_DESCRIPTIONS[name],
                                        tags={"procore/sync": name}))
    return jobs


def schedule_timezone() -> str:
    """`PIPELINES_TIMEZONE` (an IANA name such as `America/Chicago`), default UTC."""
    tz = os.environ.get("PIPELINES_TIMEZONE", "").strip() or "UTC"
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"PIPELINES_TIMEZONE={tz!r} is not an IANA time zone name (e.g. UTC, Europe/Paris)") from None
    return tz


def default_schedule_status() -> dg.DefaultScheduleStatus:
    """RUNNING when `PIPELINES_SCHEDULES_RUNNING=1`, else STOPPED."""
    running = os.environ.get("PIPELINES_SCHEDULES_RUNNING", "").strip() == "1"
    return dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED


def build_schedules(jobs: Sequence[dg.UnresolvedAssetJobDefinition]) -> list[dg.ScheduleDefinition]:
    """One schedule per sync job, in `PIPELINES_TIMEZONE`."""
    crons = {"hourly_sync": HOURLY_CRON, "daily_sync": DAILY_CRON, "weekly_full_sync": WEEKLY_CRON}
    tz, status = schedule_timezone(), default_schedule_status()
    return [dg.ScheduleDefinition(name=f"{job.name}_schedule", job=job, cron_schedule=crons[job.name],
                                  execution_timezone=tz, default_status=status)
            for job in jobs if job.name in crons]
