"""The list of models, in dependency order, and the code that runs them on a DuckDB connection.

Each model is one SQL file in `transforms/` that replaces one `marts.<name>` table; the
runner binds the named parameters the file uses (`$today`, `$tz`, ...) from `TransformSettings`
and runs it in its own transaction, so a failing model leaves the previous table in place.
`budget_label_map` is the one model rendered in Python: the configured label -> measure map.
`project_metrics` first gets the temp view `project_sync_times` (`project_sync_times.sql` from
`meta.sync_state`, or `project_sync_times_raw.sql` when the warehouse has no `meta.sync_state`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from transforms.settings import TransformSettings


@dataclass(frozen=True)
class Model:
    """One `marts.<name>` table: the raw streams and models it reads, and what one row is."""

    name: str
    raw_deps: tuple[str, ...]
    model_deps: tuple[str, ...]
    grain: str

    @property
    def table(self) -> str:
        """The qualified table name: `marts.<name>`."""
        return f"marts.{self.name}"


MODELS: tuple[Model, ...] = (
    # the label map is rebuilt with the budget rows it maps (so the daily and weekly syncs pick up config changes)
    Model("budget_label_map", ("budget_rows",), (), "one row per (measure, budget column label), priority 1 preferred"),
    Model("project_budget_view", ("projects", "budget_views"), (), "one row per project with a budget view: the chosen view"),
    Model("budget_row_measures", ("budget_rows",), ("project_budget_view", "budget_label_map"),
          "one row per budget detail row of the chosen view, with every measure"),
    Model("budget_by_cost_code", (), ("budget_row_measures",), "one row per (project, cost code)"),
    Model("project_metrics", ("projects", "rfis", "submittals"), ("project_budget_view", "budget_row_measures"),
          "one row per project"),
    Model("rfi_weekly", ("projects", "rfis"), (), "one row per (project, week) with RFI activity"),
    Model("submittal_status_counts", ("projects", "submittals"), (),
          "one row per (project, status label, coarse status)"),
    Model("overdue_items", ("projects", "rfis", "submittals"), (), "one row per overdue open RFI or submittal"),
)
MODELS_BY_NAME: dict[str, Model] = {m.name: m for m in MODELS}

MODELS_DIR = Path(__file__).parent
_PARAMETER = re.compile(r"\$([a-z_]+)")
_COMMENT = re.compile(r"--[^\n]*")


def model_sql(name: str) -> str:
    """The SQL text of model `name` (`transforms/<name>.sql`)."""
    return (MODELS_DIR / f"{name}.sql").read_text(encoding="utf-8")


def bind(sql: str, parameters: dict[str, object]) -> dict[str, object]:
    """The subset of `parameters` that `sql` names (DuckDB rejects unused named parameters)."""
    used = set(_PARAMETER.findall(sql))
    missing = used - set(parameters)
    if missing:
        raise KeyError(f"SQL uses parameters that are not set: {sorted(missing)}")
    return {k: parameters[k] for k in used}


def execute_sql(con: duckdb.DuckDBPyConnection, sql: str, parameters: dict[str, object]) -> None:
    """Run the `;`-separated statements of `sql`, binding the parameters each one uses.

    `--` comments are dropped first (the model files keep `--` and `;` out of string literals).
    """
    for statement in (s.strip() for s in _COMMENT.sub("", sql).split(";")):
        if statement:
            con.execute(statement, bind(statement, parameters))


def _write_label_map(con: duckdb.DuckDBPyConnection, settings: TransformSettings) -> None:
    con.execute(
        "CREATE OR REPLACE TABLE marts.budget_label_map (measure VARCHAR, label VARCHAR, priority INTEGER)"
    )
    rows = settings.label_rows()
    if rows:
        con.executemany("INSERT INTO marts.budget_label_map VALUES (?, ?, ?)", rows)


def _create_sync_times(con: duckdb.DuckDBPyConnection) -> None:
    """The temp view `project_sync_times` that `project_metrics.sql` reads `last_synced_at` from:
    `meta.sync_state` (last successful sync per stream) when the warehouse has it, else the raw rows'
    `_synced_at` (hand-written or generated warehouses, which never ran the ingestion)."""
    source = "project_sync_times" if table_exists(con, "meta.sync_state") else "project_sync_times_raw"
    execute_sql(con, model_sql(source), {})


def row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Rows in `table` (a name from this module's fixed lists, never user input)."""
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def run_model(con: duckdb.DuckDBPyConnection, name: str, settings: TransformSettings) -> int:
    """Rebuild `marts.<name>` in one transaction and return its row count."""
    model = MODELS_BY_NAME[name]
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    missing = [dep for dep in model.model_deps if not table_exists(con, MODELS_BY_NAME[dep].table)]
    if missing:
        ensure_models(con, missing, settings)
    con.begin()
    try:
        if name == "budget_label_map":
            _write_label_map(con, settings)
        else:
            if name == "project_metrics":
                _create_sync_times(con)
            execute_sql(con, model_sql(name), settings.parameters())
        count = row_count(con, model.table)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return count


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether `schema.name` exists on this connection."""
    schema, name = table.split(".")
    query = "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?"
    return con.execute(query, [schema, name]).fetchone()[0] > 0


def ensure_models(con: duckdb.DuckDBPyConnection, names: list[str] | tuple[str, ...],
                  settings: TransformSettings) -> list[str]:
    """Build those of `names` (and their model dependencies) whose tables do not exist yet.

    Lets a job that runs only some models (the hourly sync does not touch budgets) work on a
    fresh warehouse. Returns the models it built, in order.
    """
    built: list[str] = []

    def visit(name: str) -> None:
        model = MODELS_BY_NAME[name]
        for dep in model.model_deps:
            visit(dep)
        if name not in built and not table_exists(con, model.table):
            run_model(con, name, settings)
            built.append(name)

    for name in names:
        visit(name)
    return built


def run_all(con: duckdb.DuckDBPyConnection, settings: TransformSettings) -> dict[str, int]:
    """Rebuild every model in order; returns {model name: row count}."""
    return {model.name: run_model(con, model.name, settings) for model in MODELS}
