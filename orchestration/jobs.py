"""The sync jobs, declared once in `SYNC_JOBS`: the streams each reads, its cron, how often it runs.

Each job is the ingestion assets of its streams plus everything downstream of them that is not
partitioned, so the marts and the serving snapshot join the jobs as soon as they are defined. Jobs run
in process (one shared Procore client and pacer per run; the `duckdb` pool serialises writers anyway).
A stream's cadence (`STREAM_CADENCE`, what the freshness checks and the dashboard's health page hold it
to) is how often the most frequent job that reads it runs.

| job | streams | cron (PIPELINES_TIMEZONE, default UTC) |
|---|---|---|
| hourly_sync | rfis, submittals | `0 * * * *` |
| daily_sync | projects, budget_views, budget_rows | `0 2 * * *` |
| weekly_full_sync | all five, `full_refresh: true` | `0 4 * * 0` (Sunday) |

`marts/budget_snapshots` (today's budget, kept for good) is downstream of every raw asset but runs only
in the jobs that re-read budgets (`records_budget`): an hourly (or webhook) run before the day's daily
sync would otherwise record yesterday's budget read as today's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import dagster as dg

from orchestration.ingestion_assets import INGESTION_ASSETS
from procore_source.streams import STREAMS

# Assets that only the jobs re-reading budgets run (orchestration.history_assets.BUDGET_SNAPSHOTS)
BUDGET_DAY_ASSETS = (dg.AssetKey(["marts", "budget_snapshots"]),)


@dataclass(frozen=True)
class SyncJob:
    """One sync job: the streams it reads, its cron, how often that fires, and what else it does."""

    name: str
    streams: tuple[str, ...]
    cron: str
    every: timedelta
    description: str
    full_refresh: bool = False
    records_budget: bool = False

    @property
    def raw_assets(self) -> list[dg.AssetsDefinition]:
        """The ingestion assets that write this job's streams."""
        return [a for a in INGESTION_ASSETS if {k.path[-1] for k in a.keys} & set(self.streams)]


SYNC_JOBS: tuple[SyncJob, ...] = (
    SyncJob("hourly_sync", ("rfis", "submittals"), "0 * * * *", timedelta(hours=1),
            "RFIs and submittals, incremental by updated_at, then the transforms and publish."),
    SyncJob("daily_sync", ("projects", "budget_views", "budget_rows"), "0 2 * * *", timedelta(days=1),
            "Projects (incremental) and budgets (re-read whole), then the transforms and publish.",
            records_budget=True),
    SyncJob("weekly_full_sync", tuple(STREAMS), "0 4 * * 0", timedelta(weeks=1),
            "Full re-read of every stream (deletions reconciled), then the transforms and publish.",
            full_refresh=True, records_budget=True),
)

# stream -> how often it is synced, most frequent first (then in catalogue order)
STREAM_CADENCE: dict[str, timedelta] = dict(sorted(
    ((name, min(job.every for job in SYNC_JOBS if name in job.streams)) for name in STREAMS),
    key=lambda item: item[1]))


def sync_selection(raw: Sequence[dg.AssetsDefinition], all_assets: Sequence[object], *,
                   budget_day: bool = False) -> dg.AssetSelection:
    """`raw` and everything downstream of it, minus other jobs' raw assets and partitioned assets, and minus
    `BUDGET_DAY_ASSETS` unless `budget_day` (the daily and weekly syncs)."""
    defined = [a for a in all_assets if isinstance(a, dg.AssetsDefinition)]
    partitioned = [key for a in defined if a.partitions_def for key in a.keys]
    excluded = partitioned + ([] if budget_day else [k for a in defined for k in a.keys if k in BUDGET_DAY_ASSETS])
    other_raw = [a for a in INGESTION_ASSETS if a not in raw]
    selection = dg.AssetSelection.assets(*raw).downstream()
    if other_raw:
        selection = selection - dg.AssetSelection.assets(*other_raw)
    if excluded:
        selection = selection - dg.AssetSelection.assets(*excluded)
    return selection


def build_sync_jobs(all_assets: Sequence[object]) -> list[dg.UnresolvedAssetJobDefinition]:
    """One job per row of `SYNC_JOBS` over `all_assets` (every asset of the code location)."""
    jobs = []
    for job in SYNC_JOBS:
        raw = job.raw_assets
        config = None
        if job.full_refresh:
            config = {"ops": {a.node_def.name: {"config": {"full_refresh": True}} for a in raw}}
        selection = sync_selection(raw, all_assets, budget_day=job.records_budget)
        jobs.append(dg.define_asset_job(job.name, selection=selection, config=config,
                                        executor_def=dg.in_process_executor, description=job.description,
                                        tags={"procore/sync": job.name}))
    return jobs
