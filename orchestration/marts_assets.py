"""Dagster assets for the SQL models (`marts/<name>`), their checks, and the `serving/snapshot` asset.

One asset per model of `transforms.runner.MODELS`, depending on the raw assets (`raw/<stream>`)
and models it reads, so the sync jobs (raw assets plus everything downstream) run the transforms
they feed and then publish. Every asset writes DuckDB and so sits in the `duckdb` pool. The daily
history is in `orchestration.history_assets`.
"""


import dagster as dg
import duckdb

from orchestration.resources import ProcoreResource, TransformsResource, WarehouseResource
from transforms.runner import MODELS, Model, ensure_models, run_model
from warehouse.publish import SERVED_MARTS, publish

PROJECT_METRICS = dg.AssetKey(["marts", "project_metrics"])
SNAPSHOT = dg.AssetKey(["serving", "snapshot"])


def model_key(name: str) -> dg.AssetKey:
    """The asset key of the table `schema.name` (`raw.rfis` -> `raw/rfis`), or of a model by its bare name."""
    return dg.AssetKey(name.split(".") if "." in name else ["marts", name])


def _model_asset(model: Model) -> dg.AssetsDefinition:
    deps = [dg.AssetKey(["raw", s]) for s in model.raw_deps] + [dg.AssetKey(["marts", m]) for m in model.model_deps]

    @dg.asset(key=dg.AssetKey(["marts", model.name]), deps=deps, pool="duckdb", kinds={"duckdb", "sql"},
              group_name="marts", description=f"`{model.table}`: {model.grain}. Built by "
              + ("`transforms/runner.py` from PIPELINES_BUDGET_LABELS." if model.name == "budget_label_map"
                 else f"`transforms/{model.name}.sql`."))
    def _asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
               transforms: TransformsResource) -> dg.MaterializeResult:
        settings = transforms.settings()
        with warehouse.get_warehouse().connect() as con:
            rows = run_model(con, model.name, settings)
        context.log.info(f"{model.table}: {rows} rows (today = {settings.today} in {settings.timezone})")
        return dg.MaterializeResult(metadata={"rows": rows, "table": model.table, "today": str(settings.today)})

    return _asset


MODEL_ASSETS = [_model_asset(m) for m in MODELS]


@dg.asset(key=SNAPSHOT, deps=[dg.AssetKey(["marts", m.name]) for m in MODELS], pool="duckdb",
          kinds={"duckdb"}, group_name="serving")
def serving_snapshot(context: dg.AssetExecutionContext, warehouse: WarehouseResource, transforms: TransformsResource,
                     procore: ProcoreResource) -> dg.MaterializeResult:
    """`serving.duckdb`: the marts the dashboard reads, `meta.freshness`, the health tables and `meta.snapshot`
    (one row), written under a temporary name and renamed over the old file, so readers see old or new, whole.
    Error texts are scrubbed of the Procore client secret."""
    store = warehouse.get_warehouse()
    with store.connect() as con:
        built = ensure_models(con, [m for m in SERVED_MARTS if m != "project_metrics_daily"], transforms.settings())
        if built:
            context.log.warning(f"built marts that no run had made yet: {', '.join(built)}")
        result = publish(con, store.serving_path, secrets=(procore.client_secret,))
    context.log.info(f"published snapshot {result.snapshot_id} to {result.path}")
    return dg.MaterializeResult(metadata={"snapshot_id": result.snapshot_id, "path": str(result.path),
                                          **{f"rows {t}": n for t, n in result.row_counts.items()}})


def _failed(description: str, con: duckdb.DuckDBPyConnection, query: str) -> dg.AssetCheckResult:
    """A check result that passes when `query` returns no rows (the rows it returns are the failures)."""
    bad = con.execute(query).fetchall()
    return dg.AssetCheckResult(passed=not bad, description=description,
                               metadata={"failing_rows": len(bad), "examples": str(bad[:5])})


@dg.asset_check(asset=PROJECT_METRICS, blocking=True, pool="duckdb")
def one_row_per_project(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Exactly one row per project in scope (every not-deleted `raw.projects` row), none extra."""
    with warehouse.get_warehouse().connect() as con:
        return _failed("project ids with other than one row", con, """
            WITH live AS (SELECT id AS project_id FROM raw.projects WHERE _deleted_at IS NULL),
                 rows AS (SELECT project_id, count(*) AS n FROM marts.project_metrics GROUP BY project_id)
            SELECT coalesce(l.project_id, r.project_id) AS project_id, coalesce(r.n, 0) AS n
            FROM live AS l FULL OUTER JOIN rows AS r USING (project_id)
            WHERE r.n IS DISTINCT FROM 1 OR l.project_id IS NULL""")


@dg.asset_check(asset=PROJECT_METRICS, blocking=True, pool="duckdb")
def counts_add_up(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Only impossible states block publishing: a negative count, more overdue than open, or a total that is
    not open + closed + draft + other (`*_other` holds NULL or unknown statuses, so odd data never fails it)."""
    with warehouse.get_warehouse().connect() as con:
        return _failed("projects whose counts are negative or do not add up", con, """
            SELECT project_id FROM marts.project_metrics
            WHERE least(rfis_total, rfis_open, rfis_closed, rfis_draft, rfis_other, rfis_overdue, submittals_total,
                        submittals_open, submittals_closed, submittals_draft, submittals_other,
                        submittals_overdue) < 0
               OR rfis_total <> rfis_open + rfis_closed + rfis_draft + rfis_other
               OR submittals_total <> submittals_open + submittals_closed + submittals_draft + submittals_other
               OR rfis_overdue > rfis_open OR submittals_overdue > submittals_open""")


@dg.asset_check(asset=PROJECT_METRICS, blocking=False, pool="duckdb")
def statuses_known(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Warns (never blocks) when RFIs or submittals have a NULL or unknown status (`rfis_other`,
    `submittals_other`): they count in the totals but in no open/closed/draft bucket."""
    with warehouse.get_warehouse().connect() as con:
        result = _failed("projects with RFIs or submittals of an unknown status", con, """
            SELECT project_id, rfis_other, submittals_other FROM marts.project_metrics
            WHERE rfis_other > 0 OR submittals_other > 0""")
    return dg.AssetCheckResult(passed=result.passed, severity=dg.AssetCheckSeverity.WARN,
                               description=result.description, metadata=result.metadata)


@dg.asset_check(asset=PROJECT_METRICS, blocking=False, pool="duckdb",
                additional_deps=[dg.AssetKey(["marts", "budget_row_measures"])])
def budget_cells_readable(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Warns (never blocks) when budget cells of a mapped label are not numbers ("N/A"): they are left
    out of the sums (NULL), so the project's budget measures are incomplete until Procore's data is fixed."""
    with warehouse.get_warehouse().connect() as con:
        result = _failed("budget rows with unreadable amounts (project, view, row, cells)", con, """
            SELECT project_id, budget_view_id, budget_row_id, unreadable_cells
            FROM marts.budget_row_measures WHERE unreadable_cells > 0""")
    return dg.AssetCheckResult(passed=result.passed, severity=dg.AssetCheckSeverity.WARN,
                               description=result.description, metadata=result.metadata)


@dg.asset_check(asset=PROJECT_METRICS, blocking=True, pool="duckdb",
                additional_deps=[dg.AssetKey(["marts", "budget_row_measures"])])
def budget_sums_match_rows(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Budget measures equal the sums of the rows they come from: original budget and modifications
    against the raw rows of the chosen view, every measure against the mapped rows
    (`marts.budget_row_measures`, which `project_metrics` is built from, so every job that builds
    `project_metrics` has it; `budget_by_cost_code` is not in `hourly_sync`)."""
    measures = ("original_budget", "budget_modifications", "approved_changes", "revised_budget", "committed_costs",
                "direct_costs", "pending_changes", "projected_costs", "projected_over_under")
    differs = " OR ".join(f"m.{c} IS DISTINCT FROM c.{c}" for c in measures)
    with warehouse.get_warehouse().connect() as con:
        return _failed("projects whose budget differs from its rows", con, f"""
            WITH raw_sums AS (
                SELECT v.project_id, sum(r.original_budget_amount) AS original_budget,
                       sum(r.budget_modifications) AS budget_modifications
                FROM marts.project_budget_view AS v
                JOIN raw.budget_rows AS r ON r.budget_view_id = v.budget_view_id AND r.project_id = v.project_id
                WHERE r._deleted_at IS NULL GROUP BY v.project_id),
            code_sums AS (
                SELECT project_id, {", ".join(f"sum({c}) AS {c}" for c in measures)}
                FROM marts.budget_row_measures GROUP BY project_id)
            SELECT m.project_id FROM marts.project_metrics AS m
            LEFT JOIN raw_sums AS r USING (project_id)
            LEFT JOIN code_sums AS c USING (project_id)
            WHERE m.original_budget IS DISTINCT FROM r.original_budget
               OR m.budget_modifications IS DISTINCT FROM r.budget_modifications
               OR (c.project_id IS NOT NULL AND ({differs}))""")


MARTS_CHECKS = [one_row_per_project, counts_add_up, statuses_known, budget_cells_readable, budget_sums_match_rows]
MARTS_ASSETS = [*MODEL_ASSETS, serving_snapshot]
