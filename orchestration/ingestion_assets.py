"""Ingestion assets: `raw/projects`, `raw/rfis`, `raw/submittals`, `raw/budget_views`, `raw/budget_rows`.

Each asset covers every company in `PROCORE_COMPANY_IDS` and every project in scope in one run,
through the run's shared client and a pool of `PROCORE_MAX_WORKERS` threads, and writes DuckDB in
short transactions (pool `duckdb`). RFIs, submittals and projects are read incrementally by
`updated_at` from the stored cursor minus an overlap (a project's first sync is a full read);
budgets are always re-read whole; `full_refresh` (the weekly job) re-reads everything and marks
rows Procore no longer serves as deleted.
"""


from collections.abc import Iterator
from datetime import UTC, datetime

import dagster as dg

from orchestration.resources import ProcoreResource, WarehouseResource
from orchestration.run_config import SyncConfig
from orchestration.run_metadata import counter_delta, stream_metadata
from procore_source.streams import BUDGET_ROWS, BUDGET_VIEWS, PROJECTS, RFIS, STREAMS, SUBMITTALS, Stream
from warehouse.scopes import SyncFailed, plan_scopes
from warehouse.sync import SyncReport, sync_scopes

RAW_KEYS = {name: dg.AssetKey(["raw", name]) for name in STREAMS}  # `raw/<stream>` is `raw.<stream>`
PROJECTS_KEY = RAW_KEYS[PROJECTS.name]


def _sync(context: dg.AssetExecutionContext, config: SyncConfig, procore: ProcoreResource,
          warehouse: WarehouseResource, streams: tuple[Stream, ...]) -> tuple[SyncReport, dict, datetime]:
    """Plan the scopes and windows of `streams`, run the sync, and return its report and counters."""
    client = procore.client()
    settings = client.settings
    store = warehouse.get_warehouse()
    window_end = datetime.now(UTC)
    try:
        planned = plan_scopes(store, client, streams, only=config.project_ids, full_refresh=config.full_refresh,
                              overlap_seconds=procore.sync_overlap_seconds, run_id=context.run.run_id,
                              log=context.log)
    except SyncFailed as exc:
        raise dg.Failure(description=str(exc)) from None
    full_reads = sum(1 for _, since in planned if since is None)
    context.log.info(f"{'+'.join(s.name for s in streams)}: {len(planned)} scopes in companies "
                     f"{list(settings.company_ids)} ({full_reads} full reads), "
                     f"window end {window_end:%Y-%m-%dT%H:%M:%SZ}, {settings.max_workers} workers")
    before = client.counters.snapshot()
    report = sync_scopes(client=client, warehouse=store, streams=streams, scopes=planned,
                         window_end=window_end, run_id=context.run.run_id, max_workers=settings.max_workers,
                         log=context.log)
    return report, counter_delta(before, client.counters.snapshot()), window_end


def _result(context: dg.AssetExecutionContext, config: SyncConfig, procore: ProcoreResource,
            warehouse: WarehouseResource, streams: tuple[Stream, ...]) -> Iterator[dg.MaterializeResult]:
    if not config.wants([s.name for s in streams]):
        context.log.info(f"run config streams={config.streams} leaves out {[s.name for s in streams]}: nothing read")
        for stream in streams:
            yield dg.MaterializeResult(asset_key=RAW_KEYS[stream.name], metadata={"skipped_by_config": True})
        return
    report, counters, window_end = _sync(context, config, procore, warehouse, streams)
    label = "companies" if streams[0].scope == "company" else "projects"
    metadata = {s.name: stream_metadata(report.streams[s.name], counters, scope_label=label,
                                        full_refresh=config.full_refresh, window_end=window_end)
                for s in streams}
    for stream in streams:
        rep = report.streams[stream.name]
        context.log.info(f"{stream.name}: {rep.records} records fetched, {rep.inserted} inserted, "
                         f"{rep.updated} updated, {rep.deleted} deleted; {label} ok {rep.ok}, "
                         f"skipped {rep.skipped}, failed {rep.failed}; {int(counters['requests'])} requests")
        for error in rep.errors[:5]:
            context.log.warning(f"{stream.name}: {error}")
        if rep.drift:
            shown = "; ".join(seen.describe() for seen in rep.drift)  # at most a few per column
            context.log.warning(f"{stream.name}: schema drift, {rep.drift.records()} value(s) of an unexpected shape "
                                f"loaded as NULL or their display field, every record kept whole in payload "
                                f"(meta.schema_drift): {shown}")
    if report.failure:
        raise dg.Failure(description=report.failure, metadata=metadata[streams[0].name])
    for stream in streams:
        yield dg.MaterializeResult(asset_key=RAW_KEYS[stream.name], metadata=metadata[stream.name])


@dg.asset(key=PROJECTS_KEY, pool="duckdb", kinds={"duckdb", "python"}, group_name="raw")
def raw_projects(context: dg.AssetExecutionContext, config: SyncConfig, procore: ProcoreResource,
                 warehouse: WarehouseResource) -> Iterator[dg.MaterializeResult]:
    """`raw.projects`: one row per Procore project (all statuses) of every configured company.

    Incremental by `updated_at`; a full refresh marks projects Procore no longer lists as deleted.
    """
    yield from _result(context, config, procore, warehouse, (PROJECTS,))


@dg.asset(key=RAW_KEYS["rfis"], deps=[PROJECTS_KEY], pool="duckdb", kinds={"duckdb", "python"}, group_name="raw")
def raw_rfis(context: dg.AssetExecutionContext, config: SyncConfig, procore: ProcoreResource,
             warehouse: WarehouseResource) -> Iterator[dg.MaterializeResult]:
    """`raw.rfis`: one row per RFI per project; deletions from the RFI recycle bin (or a full re-read)."""
    yield from _result(context, config, procore, warehouse, (RFIS,))


@dg.asset(key=RAW_KEYS["submittals"], deps=[PROJECTS_KEY], pool="duckdb", kinds={"duckdb", "python"},
          group_name="raw")
def raw_submittals(context: dg.AssetExecutionContext, config: SyncConfig, procore: ProcoreResource,
                   warehouse: WarehouseResource) -> Iterator[dg.MaterializeResult]:
    """`raw.submittals`: one row per submittal per project; deletions from the recycle bin (or a full re-read)."""
    yield from _result(context, config, procore, warehouse, (SUBMITTALS,))


@dg.multi_asset(
    name="raw__budgets",
    specs=[
        dg.AssetSpec(RAW_KEYS["budget_views"], deps=[PROJECTS_KEY], kinds={"duckdb", "python"}, group_name="raw",
                     description="`raw.budget_views`: one row per budget view per project (re-read whole)."),
        dg.AssetSpec(RAW_KEYS["budget_rows"], deps=[RAW_KEYS["budget_views"]], kinds={"duckdb", "python"},
                     group_name="raw",
                     description="`raw.budget_rows`: one row per budget detail row per view (re-read whole; "
                                 "label-named money columns in `label_amounts`)."),
    ],
    pool="duckdb",
)
def raw_budgets(context: dg.AssetExecutionContext, config: SyncConfig, procore: ProcoreResource,
                warehouse: WarehouseResource) -> Iterator[dg.MaterializeResult]:
    """Budget views, then the detail rows of every view, for every project: always a full re-read."""
    yield from _result(context, config, procore, warehouse, (BUDGET_VIEWS, BUDGET_ROWS))


INGESTION_ASSETS = [raw_projects, raw_rfis, raw_submittals, raw_budgets]
