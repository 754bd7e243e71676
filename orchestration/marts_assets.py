"""Dagster assets for the SQL models (`marts/<name>`) and the `serving/snapshot` asset.

One asset per model of `transforms.runner.MODELS`, depending on the raw assets (`raw/<stream>`)
and models its SQL reads, so the sync jobs (raw assets plus everything downstream) run the transforms
they feed and then publish. Every asset writes DuckDB and so sits in the `duckdb` pool. Their checks
are in `orchestration.mart_checks`; the daily history in `orchestration.history_assets`.
"""

import dagster as dg

from orchestration.jobs import STREAM_CADENCE
from orchestration.resources import ProcoreResource, TransformsResource, WarehouseResource
from transforms.runner import BUDGET_LABEL_MAP, MODELS, Model, ensure_models, run_model
from warehouse.publish import SERVED_MARTS, publish

SNAPSHOT = dg.AssetKey(["serving", "snapshot"])


def model_key(name: str) -> dg.AssetKey:
    """The asset key of the model (or raw table) `schema.name`, or of a model by its bare name."""
    return dg.AssetKey(name.split(".") if "." in name else ["marts", name])


def _model_asset(model: Model) -> dg.AssetsDefinition:
    deps = [dg.AssetKey(["raw", s]) for s in model.raw_deps] + [model_key(m) for m in model.model_deps]
    built_by = ("`transforms/runner.py` from PIPELINES_BUDGET_LABELS." if model is BUDGET_LABEL_MAP
                else f"`transforms/{model.name}.sql`.")

    @dg.asset(key=model_key(model.name), deps=deps, pool="duckdb", kinds={"duckdb", "sql"}, group_name="marts",
              description=f"`{model.table}`: {model.grain}. Built by {built_by}")
    def _asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
               transforms: TransformsResource) -> dg.MaterializeResult:
        settings = transforms.settings()
        with warehouse.get_warehouse().connect() as con:
            rows = run_model(con, model.name, settings)
        context.log.info(f"{model.table}: {rows} rows (today = {settings.today} in {settings.timezone})")
        return dg.MaterializeResult(metadata={"rows": rows, "table": model.table, "today": str(settings.today)})

    return _asset


MODEL_ASSETS = [_model_asset(m) for m in MODELS]


@dg.asset(key=SNAPSHOT, deps=[model_key(m.name) for m in MODELS], pool="duckdb", kinds={"duckdb"},
          group_name="serving")
def serving_snapshot(context: dg.AssetExecutionContext, warehouse: WarehouseResource, transforms: TransformsResource,
                     procore: ProcoreResource) -> dg.MaterializeResult:
    """`serving.duckdb`: the marts the dashboard reads, `meta.freshness`, the health tables, each stream's
    cadence and `meta.snapshot` (one row), written under a temporary name and renamed over the old file, so
    readers see old or new, whole. Error texts are scrubbed of the Procore client secret."""
    store = warehouse.get_warehouse()
    with store.connect() as con:
        built = ensure_models(con, [m for m in SERVED_MARTS if m != "project_metrics_daily"], transforms.settings())
        if built:
            context.log.warning(f"built marts that no run had made yet: {', '.join(built)}")
        result = publish(con, store.serving_path, secrets=(procore.client_secret,), stream_cadence=STREAM_CADENCE)
    context.log.info(f"published snapshot {result.snapshot_id} to {result.path}")
    return dg.MaterializeResult(metadata={"snapshot_id": result.snapshot_id, "path": str(result.path),
                                          **{f"rows {t}": n for t, n in result.row_counts.items()}})


MARTS_ASSETS = [*MODEL_ASSETS, serving_snapshot]
