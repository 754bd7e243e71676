"""The SQL models declare themselves: each file's `-- grain:` line and the tables its SQL reads make the list
of models, their order and their dependencies; no list is kept by hand."""

from __future__ import annotations

import re

import pytest

from transforms.runner import (
    MODELS,
    MODELS_BY_NAME,
    MODELS_DIR,
    _in_dependency_order,
    model_from_sql,
    model_sql,
)
from transforms.sql_files import header, tables_read

CREATES_MART = re.compile(r"CREATE OR REPLACE TABLE marts\.([a-z_]+)")


def test_every_file_that_builds_a_mart_is_a_model_named_after_it():
    for path in sorted(MODELS_DIR.glob("*.sql")):
        built = CREATES_MART.findall(path.read_text())
        if built:
            assert built == [path.stem], f"{path.name} must build marts.{path.stem} and nothing else"
            assert header(path.read_text(), ("grain",)).get("grain", "").startswith("one row per"), \
                f"{path.name}: add a '-- grain: one row per ...' line to its header"
            assert path.stem in MODELS_BY_NAME
        else:
            assert path.stem not in MODELS_BY_NAME, f"{path.name} builds no mart but is taken for a model"


def test_the_dependencies_are_the_tables_each_model_reads():
    assert {m.name: (m.raw_deps, m.model_deps) for m in MODELS} == {
        "budget_label_map": (("budget_rows",), ()),
        "project_budget_view": (("budget_views", "projects"), ()),
        "budget_row_measures": (("budget_rows",), ("budget_label_map", "project_budget_view")),
        "budget_by_cost_code": ((), ("budget_row_measures",)),
        "project_metrics": (("projects", "rfis", "submittals"), ("budget_row_measures", "project_budget_view")),
        "rfi_weekly": (("projects", "rfis"), ()),
        "submittal_status_counts": (("projects", "submittals"), ()),
        "overdue_items": (("projects", "rfis", "submittals"), ()),
    }
    for model in MODELS[1:]:  # the label map is rendered in Python
        read = set(tables_read(model_sql(model.name))) - {model.table}
        assert read == {f"raw.{s}" for s in model.raw_deps} | {f"marts.{m}" for m in model.model_deps}


def test_each_model_runs_after_the_models_it_reads():
    position = {m.name: i for i, m in enumerate(MODELS)}
    for model in MODELS:
        assert all(position[dep] < position[model.name] for dep in model.model_deps), model.name


def test_comments_and_other_schemas_are_not_reads():
    sql = ("-- grain: one row per thing\n-- reads marts.nothing, says this comment\n"
           "CREATE OR REPLACE TABLE marts.things AS SELECT * FROM raw.rfis JOIN meta.sync_state USING (x)\n"
           "JOIN marts.project_metrics USING (project_id) -- not marts.hidden either")
    model = model_from_sql("things", sql)
    assert (model.raw_deps, model.model_deps, model.grain) == (("rfis",), ("project_metrics",), "one row per thing")
    assert model_from_sql("helper", "-- a temp view, no grain\nCREATE TEMP VIEW v AS SELECT 1") is None


def test_a_circle_or_an_unknown_mart_is_refused_by_name():
    a = model_from_sql("a", "-- grain: one row per a\nCREATE OR REPLACE TABLE marts.a AS SELECT * FROM marts.b")
    b = model_from_sql("b", "-- grain: one row per b\nCREATE OR REPLACE TABLE marts.b AS SELECT * FROM marts.a")
    with pytest.raises(ValueError, match="circle: a -> b -> a"):
        _in_dependency_order({"a": a, "b": b})
    with pytest.raises(ValueError, match="a.sql reads marts.b, which no model builds"):
        _in_dependency_order({"a": a})
