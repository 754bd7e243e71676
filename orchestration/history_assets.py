"""The daily metric history asset (`marts/project_metrics_daily`), the budget snapshots it reads, and their jobs.

Daily partitions from `PIPELINES_HISTORY_START` (default 2024-01-01) up to and including today in
`PIPELINES_TIMEZONE` (`history_partitions`, built from the settings read at code-location load); a
backfill of any range is one run (`BackfillPolicy.single_run()`) that rebuilds those days from the raw
timestamps and replaces them (see `transforms.history`).

Budgets cannot be rebuilt later (Procore keeps no budget history), so they are recorded by
`marts/budget_snapshots`, an unpartitioned asset in `daily_sync` and `weekly_full_sync` (and in no
other job, see `orchestration.jobs`): each of those runs replaces today's row per project with the
budget it has just read. This needs no daemon: `dagster job execute -j daily_sync` records the day.
The history partition of a day takes its budget columns from that day's snapshot whenever it is
built (NULL for days without one), so a day whose partition was never run is filled in, budget
included, by any later backfill. A job may not mix partitioned and unpartitioned assets, so the sync
jobs leave the history out; `orchestration.history_sensor` runs it after them.
"""

from datetime import date

import dagster as dg

from orchestration.marts_assets import SNAPSHOT, model_key
from orchestration.resources import TransformsResource, WarehouseResource
from pipeline_settings import PipelineSettings
from transforms.budget_snapshots import record_budget_snapshot
from transforms.history import HISTORY_MODEL, rebuild_history
from transforms.runner import model_sql
from transforms.sql_files import tables_read

HISTORY = model_key("project_metrics_daily")
BUDGET_SNAPSHOTS = model_key("budget_snapshots")


def history_partitions(settings: PipelineSettings) -> dg.DailyPartitionsDefinition:
    """Daily partitions from `PIPELINES_HISTORY_START` through today (end_offset=1) in `PIPELINES_TIMEZONE`."""
    return dg.DailyPartitionsDefinition(start_date=settings.history_start.isoformat(), timezone=settings.timezone,
                                        end_offset=1)


@dg.asset(key=BUDGET_SNAPSHOTS, deps=[model_key("project_metrics")], pool="duckdb", kinds={"duckdb", "sql"},
          group_name="marts")
def budget_snapshots(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                     transforms: TransformsResource) -> dg.MaterializeResult:
    """`marts.budget_snapshots`: one row per (snapshot_date, project), the budget measures of `project_metrics`;
    each run replaces today's rows (`PIPELINES_TIMEZONE`). Runs in `daily_sync` and `weekly_full_sync` only."""
    settings = transforms.settings()
    with warehouse.get_warehouse().connect() as con:
        rows = record_budget_snapshot(con, settings)
    context.log.info(f"budget snapshot of {settings.today}: {rows} projects")
    return dg.MaterializeResult(metadata={"rows": rows, "snapshot_date": str(settings.today)})


def build_project_metrics_daily(partitions: dg.DailyPartitionsDefinition) -> dg.AssetsDefinition:
    """`marts/project_metrics_daily` over `partitions` (see `history_partitions`)."""
    raw = [model_key(t) for t in tables_read(model_sql(HISTORY_MODEL)) if t.startswith("raw.")]

    @dg.asset(key=HISTORY, partitions_def=partitions, backfill_policy=dg.BackfillPolicy.single_run(),
              deps=[*raw, BUDGET_SNAPSHOTS], pool="duckdb", kinds={"duckdb", "sql"}, group_name="marts")
    def project_metrics_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                              transforms: TransformsResource) -> dg.MaterializeResult:
        """`marts.project_metrics_daily`: one row per (day, project), counts as of the end of the day rebuilt
        from raw timestamps; budget columns from that day's `marts.budget_snapshots` row (NULL without one)."""
        keys = context.partition_key_range
        start, end = date.fromisoformat(keys.start), date.fromisoformat(keys.end)
        with warehouse.get_warehouse().connect() as con:
            rows = rebuild_history(con, transforms.settings(), start, end)
            budget_days = con.execute("SELECT count(DISTINCT snapshot_date) FROM marts.budget_snapshots "
                                      "WHERE snapshot_date BETWEEN ? AND ?", [start, end]).fetchone()[0]
        context.log.info(f"history {start}..{end}: {rows} rows; days with a budget snapshot: {budget_days}")
        return dg.MaterializeResult(metadata={"rows": rows, "first_day": str(start), "last_day": str(end),
                                              "days_with_budget": budget_days})

    return project_metrics_daily


project_metrics_daily_job = dg.define_asset_job(
    "project_metrics_daily_job", selection=[HISTORY],
    description="Rebuild days of the metric history; backfills of any range run as one run.")

publish_snapshot_job = dg.define_asset_job(
    "publish_snapshot_job", selection=[SNAPSHOT],
    description="Write serving.duckdb from the current marts (after the history job, or by hand).")

HISTORY_JOBS = [project_metrics_daily_job, publish_snapshot_job]
