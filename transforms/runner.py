"""The SQL models, found in their files, and the code that runs them in order on a DuckDB connection.

A model is a SQL file in `transforms/` with a `-- grain:` header line (what one row is) that replaces
the table `marts.<file name>`; what it reads (`raw.*` and `marts.*`) comes from the SQL itself, so the
order the models run in and the assets' dependencies follow the queries. The runner binds the named
parameters a file uses (`$today`, `$tz`, ...) from `TransformSettings` and runs it in its own
transaction, so a failing model leaves the previous table in place. `budget_label_map` is the one model
rendered in Python: the configured label -> measure map. `project_metrics` first gets the temp view
`project_sync_times` (`project_sync_times.sql` from `meta.sync_state`, or `project_sync_times_raw.sql`
when the warehouse has no `meta.sync_state`). Other SQL files here (those temp views, the history's
`project_metrics_daily.sql`) have no grain line and are no models.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from transforms.settings import TransformSettings
from transforms.sql_files import header, strip_comments, tables_read
from transforms.tables import table_exists

MODELS_DIR = Path(__file__).parent
_PARAMETER = re.compile(r"\$([a-z_]+)")


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


# rendered in Python; rebuilt with the budget rows it maps (so the daily and weekly syncs pick up config changes)
BUDGET_LABEL_MAP = Model("budget_label_map", ("budget_rows",), (),
                         "one row per (measure, budget column label), priority 1 preferred")


def model_sql(name: str) -> str:
    """The SQL text of `transforms/<name>.sql` (a model, or one of the other SQL files here)."""
    return (MODELS_DIR / f"{name}.sql").read_text(encoding="utf-8")


def model_from_sql(name: str, sql: str) -> Model | None:
    """The model `transforms/<name>.sql` declares, or None when the file has no `-- grain:` line."""
    grain = header(sql, ("grain",)).get("grain")
    if grain is None:
        return None
    read = [t for t in tables_read(sql) if t != f"marts.{name}"]
    return Model(name, tuple(t.split(".", 1)[1] for t in read if t.startswith("raw.")),
                 tuple(t.split(".", 1)[1] for t in read if t.startswith("marts.")), grain)


def _in_dependency_order(models: dict[str, Model]) -> tuple[Model, ...]:
    ordered: list[Model] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in path:
            raise ValueError(f"SQL models read each other in a circle: {' -> '.join((*path, name))}")
        if any(m.name == name for m in ordered):
            return
        if name not in models:
            raise ValueError(f"{path[-1]}.sql reads marts.{name}, which no model builds")
        for dep in models[name].model_deps:
            visit(dep, (*path, name))
        ordered.append(models[name])

    for name in sorted(models):
        visit(name, ())
    return tuple(ordered)


def discover_models() -> tuple[Model, ...]:
    """Every model of `transforms/`, each after the models it reads."""
    found = {BUDGET_LABEL_MAP.name: BUDGET_LABEL_MAP}
    for path in sorted(MODELS_DIR.glob("*.sql")):
        model = model_from_sql(path.stem, path.read_text(encoding="utf-8"))
        if model is not None:
            found[model.name] = model
    return _in_dependency_order(found)


MODELS: tuple[Model, ...] = discover_models()
MODELS_BY_NAME: dict[str, Model] = {m.name: m for m in MODELS}


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
    for statement in (s.strip() for s in strip_comments(sql).split(";")):
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
        if name == BUDGET_LABEL_MAP.name:
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
