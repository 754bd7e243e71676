"""`history_after_sync`: the run-status sensor that keeps the daily history and its snapshot current.

When `daily_sync` (or `weekly_full_sync`) succeeds it requests today's partition (in the transforms'
timezone, `TransformsResource`) of `project_metrics_daily_job`; when that succeeds it requests
`publish_snapshot_job` so the new day reaches `serving.duckdb`. Each request is keyed by the finished
run's id, so it fires once per run. RUNNING by default. Without the daemon the counts of missed days are
simply rebuilt by the next backfill.
"""

import dagster as dg

from orchestration.history_assets import project_metrics_daily_job, publish_snapshot_job
from orchestration.jobs import SYNC_JOBS
from orchestration.resources import TransformsResource

# jobs whose success re-runs today's partition: those that read budgets (the weekly one reconciles deletions too)
TRIGGER_JOBS = tuple(job.name for job in SYNC_JOBS if job.records_budget)
DAILY_SYNC_JOB = next(job.name for job in SYNC_JOBS if job.records_budget and not job.full_refresh)


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS,
                      request_jobs=[project_metrics_daily_job, publish_snapshot_job],
                      default_status=dg.DefaultSensorStatus.RUNNING)
def history_after_sync(context: dg.RunStatusSensorContext, transforms: TransformsResource):
    """After `daily_sync` (or `weekly_full_sync`) succeeds: today's history partition; after that: a snapshot."""
    run = context.dagster_run
    if run.job_name in TRIGGER_JOBS:
        today = transforms.settings().today.isoformat()
        return dg.RunRequest(run_key=f"history-{run.run_id}", job_name=project_metrics_daily_job.name,
                             partition_key=today)
    if run.job_name == project_metrics_daily_job.name:
        return dg.RunRequest(run_key=f"publish-{run.run_id}", job_name=publish_snapshot_job.name)
    return dg.SkipReason(f"{run.job_name} is not one of {', '.join(TRIGGER_JOBS)} nor the history job")
