"""One schedule per sync job (`jobs.SYNC_JOBS`), in `PIPELINES_TIMEZONE`.

Schedules start RUNNING when `PIPELINES_SCHEDULES_RUNNING=1` (the demo sets it), else STOPPED.
"""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from orchestration.jobs import SYNC_JOBS
from pipeline_settings import PipelineSettings


def build_schedules(jobs: Sequence[dg.UnresolvedAssetJobDefinition],
                    settings: PipelineSettings) -> list[dg.ScheduleDefinition]:
    """A `<job>_schedule` for each of `jobs` that `SYNC_JOBS` gives a cron."""
    crons = {job.name: job.cron for job in SYNC_JOBS}
    status = dg.DefaultScheduleStatus.RUNNING if settings.schedules_running else dg.DefaultScheduleStatus.STOPPED
    return [dg.ScheduleDefinition(name=f"{job.name}_schedule", job=job, cron_schedule=crons[job.name],
                                  execution_timezone=settings.timezone, default_status=status)
            for job in jobs if job.name in crons]
