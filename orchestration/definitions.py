"""The Dagster code location: `dagster job execute -m orchestration.definitions -j weekly_full_sync`.

Add assets, checks, jobs, schedules and sensors to the lists below; sync jobs are built from
ASSETS, so assets downstream of the raw ones join them automatically.
"""

import dagster as dg

from orchestration.history_assets import HISTORY_ASSETS, HISTORY_JOBS, HISTORY_SENSORS
from orchestration.ingestion_assets import INGESTION_ASSETS
from orchestration.jobs import build_schedules, build_sync_jobs
from orchestration.marts_assets import MARTS_ASSETS, MARTS_CHECKS
from orchestration.raw_checks import INGESTION_CHECKS
from orchestration.resources import ProcoreResource, WarehouseResource
from orchestration.webhook_sensor import build_webhook_job, build_webhook_sensor

ASSETS = [*INGESTION_ASSETS, *MARTS_ASSETS, *HISTORY_ASSETS]
CHECKS = [*INGESTION_CHECKS, *MARTS_CHECKS]
JOBS = [*build_sync_jobs(ASSETS), *HISTORY_JOBS, build_webhook_job(ASSETS)]
SCHEDULES = [*build_schedules(JOBS)]
SENSORS: list[dg.SensorDefinition] = [*HISTORY_SENSORS, build_webhook_sensor(ASSETS)]

RESOURCES = {
    "procore": ProcoreResource(
        client_id=dg.EnvVar("PROCORE_CLIENT_ID"),
        client_secret=dg.EnvVar("PROCORE_CLIENT_SECRET"),
        company_ids=dg.EnvVar("PROCORE_COMPANY_IDS"),
    ),
    "warehouse": WarehouseResource(),
}

defs = dg.Definitions(assets=ASSETS, asset_checks=CHECKS, jobs=JOBS, schedules=SCHEDULES, sensors=SENSORS,
                      resources=RESOURCES)
