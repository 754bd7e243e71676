"""The daily metric history asset (`marts/project_metrics_daily`), its job, and how today's day runs.

Daily partitions from `PIPELINES_HISTORY_START` (default 2024-01-01) up to and including today in
`PIPELINES_TIMEZONE`; a backfill of any range is one run (`BackfillPolicy.single_run()`) that
rebuilds those days from the raw timestamps and replaces them (see `transforms.history`).

A job may not mix partitioned and unpartitioned assets, so the sync jobs leave the history out.
Instead `history_after_sync` (a run-status sensor, RUNNING by default) reacts to successful runs:
when `daily_sync` (or `weekly_full_sync`) succeeds it requests today's partition of `project_metrics_daily_job` (which
also records today's budget measures); when that succeeds it requests `publish_snapshot_job` so
the new day reaches `serving.duckdb`. Each request is keyed by the finished run's id, so it
fires once per run.
"""


import os
from datetime import date

import dagster as dg

from orchestration.marts_assets import PROJECT_METRICS, SNAPSHOT, transform_settings
from orchestration.resources import WarehouseResource
from transforms.history import rebuild_history

HISTORY = dg.AssetKey(["marts", "project_metrics_daily"])
DEFAULT_HISTORY_START = "2024-01-01"
DAILY_SYNC_JOB = "daily_sync"
# jobs whose success re-runs today's partition (the weekly full re-read reconciles deletions too)
TRIGGER_JOBS = (DAILY_SYNC_JOB, "weekly_full_sync")


def history_start() -> str:
    """`PIPELINES_HISTORY_START` (YYYY-MM-DD), default 2024-01-01; a malformed date is refused clearly."""
    raw = os.environ.get("PIPELINES_HISTORY_START", "").strip() or DEFAULT_HISTORY_START
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        raise ValueError(f"PIPELINES_HISTORY_START={raw!r} is not a date (YYYY-MM-DD)") from None


def history_partitions() -> dg.DailyPartitionsDefinition:
    """Daily partitions from `history_start()` through today (end_offset=1) in `PIPELINES_TIMEZONE`."""
    tz = os.environ.get("PIPELINES_TIMEZONE", "").strip() or "UTC"
    return dg.DailyPartitionsDefinition(start_date=history_start(), timezone=tz, end_offset=1)


HISTORY_PARTITIONS = history_partitions()


@dg.asset(key=HISTORY, partitions_def=HISTORY_PARTITIONS, backfill_policy=dg.BackfillPolicy.single_run(),
          deps=[dg.AssetKey(["raw", "projects"]), dg.AssetKey(["raw", "rfis"]), dg.AssetKey(["raw", "submittals"]),
                PROJECT_METRICS],
          pool="duckdb", kinds={"duckdb", "sql"}, group_name="marts")
def project_metrics_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """`marts.project_metrics_daily`: one row per (day, project), counts as of the end of the day rebuilt
    from raw timestamps; budget columns recorded only on the day's own run (NULL before the first)."""
    keys = context.partition_key_range
    start, end = date.fromisoformat(keys.start), date.fromisoformat(keys.end)
    settings = transform_settings()
    with warehouse.connect() as con:
        rows = rebuild_history(con, settings, start, end)
    today_included = start <= settings.today <= end
    context.log.info(f"history {start}..{end}: {rows} rows; budget recorded for today: {today_included}")
    return dg.MaterializeResult(metadata={"rows": rows, "first_day": str(start), "last_day": str(end),
                                          "budget_recorded_for": str(settings.today) if today_included else "none"})


project_metrics_daily_job = dg.define_asset_job(
    "project_metrics_daily_job", selection=[HISTORY],
    description="Rebuild days of the metric history; backfills of any range run as one run.")

publish_snapshot_job = dg.define_asset_job(
    "publish_snapshot_job", selection=[SNAPSHOT],
    description="Write serving.duckdb from the current marts (after the history job, or by hand).")


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS,
                      request_jobs=[project_metrics_daily_job, publish_snapshot_job],
                      default_status=dg.DefaultSensorStatus.RUNNING)
def history_after_sync(context: dg.RunStatusSensorContext):
    """After `daily_sync` (or `weekly_full_sync`) succeeds: today's history partition; after that: a snapshot."""
    run = context.dagster_run
    if run.job_name in TRIGGER_JOBS:
        today = transform_settings().today.isoformat()
        return dg.RunRequest(run_key=f"history-{run.run_id}", job_name=project_metrics_daily_job.name,
                             partition_key=today)
    if run.job_name == project_metrics_daily_job.name:
        return dg.RunRequest(run_key=f"publish-{run.run_id}", job_name=publish_snapshot_job.name)
    return dg.SkipReason(f"{run.job_name} is not one of {', '.join(TRIGGER_JOBS)} nor the history job")


HISTORY_ASSETS = [project_metrics_daily]
HISTORY_JOBS = [project_metrics_daily_job, publish_snapshot_job]
HISTORY_SENSORS = [history_after_sync]
