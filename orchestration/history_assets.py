"""The daily metric history asset (`marts/project_metrics_daily`), the budget snapshots it reads, and their jobs.

Daily partitions from `PIPELINES_HISTORY_START` (default 2024-01-01) up to and including today in
`PIPELINES_TIMEZONE`; a backfill of any range is one run (`BackfillPolicy.single_run()`) that
rebuilds those days from the raw timestamps and replaces them (see `transforms.history`).

Budgets cannot be rebuilt later (Procore keeps no budget history), so they are recorded by
`marts/budget_snapshots`, an unpartitioned asset in `daily_sync` and `weekly_full_sync` (and in no
other job, see `orchestration.jobs`): each of those runs replaces today's row per project with the
budget it has just read. This needs no daemon: `dagster job execute -j daily_sync` records the day.
The history partition of a day takes its budget columns from that day's snapshot whenever it is
built (NULL for days without one), so a day whose partition was never run is filled in, budget
included, by any later backfill.

A job may not mix partitioned and unpartitioned assets, so the sync jobs leave the history out.
Instead `history_after_sync` (a run-status sensor, RUNNING by default) reacts to successful runs:
when `daily_sync` (or `weekly_full_sync`) succeeds it requests today's partition of
`project_metrics_daily_job`; when that succeeds it requests `publish_snapshot_job` so the new day
reaches `serving.duckdb`. Each request is keyed by the finished run's id, so it fires once per run.
Without the daemon the counts of missed days are simply rebuilt by the next backfill.
"""

import os
from datetime import date

import dagster as dg

from orchestration.marts_assets import PROJECT_METRICS, SNAPSHOT, transform_settings
from orchestration.resources import WarehouseResource
from transforms.budget_snapshots import record_budget_snapshot
from transforms.history import rebuild_history

HISTORY = dg.AssetKey(["marts", "project_metrics_daily"])
BUDGET_SNAPSHOTS = dg.AssetKey(["marts", "budget_snapshots"])
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


@dg.asset(key=BUDGET_SNAPSHOTS, deps=[PROJECT_METRICS], pool="duckdb", kinds={"duckdb", "sql"}, group_name="marts")
def budget_snapshots(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """`marts.budget_snapshots`: one row per (snapshot_date, project), the budget measures of `project_metrics`;
    each run replaces today's rows (`PIPELINES_TIMEZONE`). Runs in `daily_sync` and `weekly_full_sync` only."""
    settings = transform_settings()
    with warehouse.get_warehouse().connect() as con:
        rows = record_budget_snapshot(con, settings)
    context.log.info(f"budget snapshot of {settings.today}: {rows} projects")
    return dg.MaterializeResult(metadata={"rows": rows, "snapshot_date": str(settings.today)})


@dg.asset(key=HISTORY, partitions_def=HISTORY_PARTITIONS, backfill_policy=dg.BackfillPolicy.single_run(),
          deps=[dg.AssetKey(["raw", "projects"]), dg.AssetKey(["raw", "rfis"]), dg.AssetKey(["raw", "submittals"]),
                BUDGET_SNAPSHOTS],
          pool="duckdb", kinds={"duckdb", "sql"}, group_name="marts")
def project_metrics_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """`marts.project_metrics_daily`: one row per (day, project), counts as of the end of the day rebuilt
    from raw timestamps; budget columns from that day's `marts.budget_snapshots` row (NULL without one)."""
    keys = context.partition_key_range
    start, end = date.fromisoformat(keys.start), date.fromisoformat(keys.end)
    settings = transform_settings()
    with warehouse.get_warehouse().connect() as con:
        rows = rebuild_history(con, settings, start, end)
        budget_days = con.execute("SELECT count(DISTINCT snapshot_date) FROM marts.budget_snapshots "
                                  "WHERE snapshot_date BETWEEN ? AND ?", [start, end]).fetchone()[0]
    context.log.info(f"history {start}..{end}: {rows} rows; days with a budget snapshot: {budget_days}")
    return dg.MaterializeResult(metadata={"rows": rows, "first_day": str(start), "last_day": str(end),
                                          "days_with_budget": budget_days})


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


HISTORY_ASSETS = [project_metrics_daily, budget_snapshots]
HISTORY_JOBS = [project_metrics_daily_job, publish_snapshot_job]
HISTORY_SENSORS = [history_after_sync]
