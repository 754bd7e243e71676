"""Webhook-driven sync: a sensor turns inbox events into one targeted `webhook_sync` run.

Built from the settings the code location read at load (`build_webhook_sensor(settings, ...)`: the
companies, the interval, the default status). Each tick (every `WEBHOOK_SENSOR_INTERVAL_SECONDS`,
default 15):
1. settle earlier batches: the events a batch claimed are marked consumed when its run succeeded,
   released for the next batch when it failed or was canceled, or when no run appeared within
   `CLAIM_GRACE_SECONDS` (the tick that claimed them died before its run was created);
2. while a batch's run is still queued or running, wait: new events pile up and coalesce into the
   next run, so a burst of a thousand events on one project makes one sync of that project;
3. events of companies outside `PROCORE_COMPANY_IDS` are marked ignored (no run would sync them);
4. otherwise claim every pending event and request ONE run that syncs only the (project, stream)
   pairs they name (incrementally, recycle bins for deletes), then the transforms and publish.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import dagster as dg

from orchestration.ingestion_assets import INGESTION_ASSETS
from orchestration.jobs import sync_selection
from pipeline_settings import PipelineSettings
from webhooks.inbox import Inbox, PendingGroup
from webhooks.settings import WebhookSettings

JOB_NAME = "webhook_sync"
BATCH_TAG = "procore/webhook_batch"
CLAIM_GRACE_SECONDS = 300
DONE = {dg.DagsterRunStatus.SUCCESS}
FAILED = {dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}


def build_webhook_job(all_assets: Sequence[object]) -> dg.UnresolvedAssetJobDefinition:
    """`webhook_sync`: every raw asset and everything downstream (transforms, publish); run config narrows it."""
    raw = list(INGESTION_ASSETS)
    return dg.define_asset_job(
        JOB_NAME, selection=sync_selection(raw, all_assets), executor_def=dg.in_process_executor,
        tags={"procore/sync": JOB_NAME},
        description="Targeted sync of the (project, stream) pairs named by Procore webhooks, then transforms "
                    "and publish. Launched by the webhook_sensor.")


def _op_streams() -> dict[str, tuple[str, ...]]:
    """Op name of each ingestion asset -> the stream names it writes (`raw__budgets` -> views and rows)."""
    return {asset.node_def.name: tuple(key.path[-1] for key in asset.keys) for asset in INGESTION_ASSETS}


def _dirty_ops(groups: Sequence[PendingGroup]) -> dict[str, tuple[str, ...]]:
    """The ingestion ops (name -> streams) that write a stream some group names."""
    dirty = {g.stream for g in groups}
    return {op: streams for op, streams in _op_streams().items() if dirty & set(streams)}


def run_config_for(groups: Sequence[PendingGroup], *, only_dirty: bool = True) -> dict:
    """Run config syncing only the streams and projects the groups name.

    `only_dirty`: config for the dirty ingestion ops alone (the run selects just those assets); else for
    every ingestion op, the clean ones getting a stream list without theirs so that they read nothing.
    """
    streams = sorted({g.stream for g in groups})
    ops = {}
    for op_name, op_streams in (_dirty_ops(groups) if only_dirty else _op_streams()).items():
        project_ids = sorted({g.project_id for g in groups if g.stream in op_streams and g.project_id is not None})
        ops[op_name] = {"config": {"streams": streams, "project_ids": project_ids, "full_refresh": False}}
    return {"ops": ops}


def asset_selection_for(groups: Sequence[PendingGroup], all_assets: Sequence[object]) -> list[dg.AssetKey]:
    """The dirty raw assets and everything downstream of them (transforms, publish), nothing else."""
    dirty = set(_dirty_ops(groups))
    raw = [a for a in INGESTION_ASSETS if a.node_def.name in dirty]
    assets = [a for a in all_assets if isinstance(a, dg.AssetsDefinition)]
    return sorted(sync_selection(raw, assets).resolve(assets), key=lambda k: k.to_user_string())


def _settle(context: dg.SensorEvaluationContext, inbox: Inbox) -> list[str]:
    """Consume or release finished batches; return the batches whose run is still pending or running."""
    waiting, now = [], datetime.now(UTC)
    for batch, claimed_at in inbox.open_batches().items():
        runs = context.instance.get_runs(filters=dg.RunsFilter(tags={BATCH_TAG: batch}), limit=1)
        if runs and runs[0].status in DONE:
            count = inbox.mark_consumed(batch, runs[0].run_id)
            context.log.info(f"batch {batch}: run {runs[0].run_id} succeeded, {count} events consumed")
        elif runs and runs[0].status in FAILED:
            count = inbox.release(batch)
            context.log.warning(f"batch {batch}: run {runs[0].run_id} {runs[0].status.value}, "
                                f"{count} events released for the next run")
        elif not runs and claimed_at is not None and (now - claimed_at).total_seconds() > CLAIM_GRACE_SECONDS:
            count = inbox.release(batch)
            context.log.warning(f"batch {batch}: no run appeared, {count} events released")
        else:
            waiting.append(batch)
    return waiting


def evaluate(context: dg.SensorEvaluationContext, inbox: Inbox, companies: Sequence[int],
             all_assets: Sequence[object] | None = None) -> dg.SensorResult | dg.SkipReason:
    """One tick against `inbox` (see the module docstring) for the synced `companies` (none: no filter);
    `all_assets` narrows each run to what is dirty."""
    waiting = _settle(context, inbox)
    companies = list(companies)
    if companies and inbox.ignore_other_companies(companies):
        context.log.warning(f"ignored webhook events of companies outside PROCORE_COMPANY_IDS {companies}")
    if waiting:
        return dg.SkipReason(f"waiting for the run of batch {waiting[0]}; new events will join the next run")
    batch = f"wh-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    groups = inbox.claim_pending(batch)
    if not groups:
        return dg.SkipReason("no new webhook events")
    events = sum(g.events for g in groups)
    pairs = ", ".join(f"{g.stream}@{g.project_id or g.company_id}" for g in groups[:10])
    context.log.info(f"batch {batch}: {events} events -> {len(groups)} (project, stream) pairs: {pairs}")
    return dg.SensorResult(run_requests=[dg.RunRequest(
        run_key=batch, run_config=run_config_for(groups, only_dirty=all_assets is not None),
        asset_selection=asset_selection_for(groups, all_assets) if all_assets is not None else None,
        tags={BATCH_TAG: batch, "procore/webhook_events": str(events), "procore/webhook_pairs": str(len(groups))},
    )])


def build_webhook_sensor(settings: PipelineSettings, all_assets: Sequence[object] | None = None,
                         interval: int | None = None) -> dg.SensorDefinition:
    """The `webhook_sensor` for `settings.company_ids`, ticking every `interval` seconds (default
    `settings.webhook_sensor_interval`), RUNNING by default when `settings.schedules_running`, like the schedules.

    With `all_assets` (the code location's assets) each run materializes only the dirty raw assets and
    what is downstream of them; without, the whole `webhook_sync` job (untouched raw assets do nothing).
    """
    running = settings.schedules_running
    companies = settings.company_ids

    @dg.sensor(name="webhook_sensor", job_name=JOB_NAME,
               minimum_interval_seconds=interval or settings.webhook_sensor_interval,
               default_status=dg.DefaultSensorStatus.RUNNING if running else dg.DefaultSensorStatus.STOPPED,
               description="Syncs the projects and streams named by Procore webhook events (WEBHOOK_INBOX_URL).")
    def webhook_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
        """Claim new inbox events and request one targeted sync run; settle finished batches."""
        inbox = Inbox(WebhookSettings.from_env().inbox_url)
        try:
            return evaluate(context, inbox, companies, all_assets)
        finally:
            inbox.close()

    return webhook_sensor
