"""The Dagster code location: `dagster job execute -m orchestration.definitions -j weekly_full_sync`.

The deployment settings are read here, once, at load (`PipelineSettings.from_env()`: a bad one fails
the load with one message naming the variable), and everything that depends on them is built from
that object: the resources' fields, the schedules, the webhook sensor and the history partitions.
Sync jobs are built from the assets, so assets downstream of the raw ones join them automatically.
"""

import dagster as dg

from orchestration.history_assets import (
    HISTORY_JOBS,
    budget_snapshots,
    build_project_metrics_daily,
    history_partitions,
)
from orchestration.history_sensor import history_after_sync
from orchestration.ingestion_assets import INGESTION_ASSETS
from orchestration.jobs import build_sync_jobs
from orchestration.mart_checks import MART_CHECKS
from orchestration.marts_assets import MARTS_ASSETS
from orchestration.raw_checks import RAW_CHECKS
from orchestration.resources import pipeline_resources
from orchestration.schedules import build_schedules
from orchestration.webhook_sensor import build_webhook_job, build_webhook_sensor
from pipeline_settings import PipelineSettings

CHECKS = [*RAW_CHECKS, *MART_CHECKS]


def build_definitions(settings: PipelineSettings) -> dg.Definitions:
    """Every asset, check, job, schedule, sensor and resource of the code location, for `settings`."""
    assets = [*INGESTION_ASSETS, *MARTS_ASSETS, budget_snapshots,
              build_project_metrics_daily(history_partitions(settings))]
    jobs = [*build_sync_jobs(assets), *HISTORY_JOBS, build_webhook_job(assets)]
    return dg.Definitions(assets=assets, asset_checks=CHECKS, jobs=jobs, schedules=build_schedules(jobs, settings),
                          sensors=[history_after_sync, build_webhook_sensor(settings, assets)],
                          resources=pipeline_resources(settings))


defs = build_definitions(PipelineSettings.from_env())
ASSETS, JOBS = list(defs.assets or []), list(defs.jobs or [])
SCHEDULES, SENSORS = list(defs.schedules or []), list(defs.sensors or [])
