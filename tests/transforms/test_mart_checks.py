"""The marts' checks live beside the models as SQL files: each header parses, each names a model, each query runs
on a real warehouse and returns the failing rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from transforms.mart_checks import MartCheckError, failing_rows, mart_checks, parse_check
from transforms.runner import MODELS_BY_NAME, run_all
from transforms.settings import TransformSettings

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def test_every_check_file_names_a_model_and_what_a_failure_weighs():
    checks = {c.name: c for c in mart_checks()}
    assert set(checks) == {"one_row_per_project", "counts_add_up", "statuses_known", "budget_cells_readable",
                           "budget_sums_match_rows"}
    for check in checks.values():
        assert check.table.removeprefix("marts.") in MODELS_BY_NAME, check.name
        assert check.description and check.failing, check.name
    assert {n for n, c in checks.items() if c.blocking} == {"one_row_per_project", "counts_add_up",
                                                             "budget_sums_match_rows"}
    assert {n for n, c in checks.items() if c.severity == "WARN"} == {"statuses_known", "budget_cells_readable"}
    assert checks["budget_sums_match_rows"].reads == ("marts.budget_row_measures", "marts.project_budget_view",
                                                      "raw.budget_rows")


def test_the_checks_pass_on_sound_marts_and_name_the_failing_rows(filled):
    run_all(filled, TransformSettings(now=NOW))
    assert {c.name: failing_rows(filled, c) for c in mart_checks()} == {c.name: [] for c in mart_checks()}
    filled.execute("UPDATE marts.project_metrics SET rfis_overdue = rfis_open + 1 WHERE project_id = 1")
    filled.execute("INSERT INTO marts.project_metrics (project_id) VALUES (3)")  # a second row for project 3
    by_name = {c.name: c for c in mart_checks()}
    assert failing_rows(filled, by_name["counts_add_up"]) == [(1,)]
    assert failing_rows(filled, by_name["one_row_per_project"]) == [(3, 2)]


@pytest.mark.parametrize(("header", "message"), [
    ("-- checks: marts.project_metrics\n-- severity: ERROR\n-- blocking: yes\n-- description: d\n",
     "checks/bad.sql: header lacks -- failing rows:"),
    ("-- checks: raw.rfis\n-- severity: ERROR\n-- blocking: yes\n-- description: d\n-- failing rows: f\n",
     "names a mart"),
    ("-- checks: marts.project_metrics\n-- severity: FATAL\n-- blocking: yes\n-- description: d\n-- failing rows: f\n",
     "one of ERROR, WARN"),
    ("-- checks: marts.project_metrics\n-- severity: WARN\n-- blocking: maybe\n-- description: d\n-- failing rows: f\n",
     "yes or no"),
])
def test_a_malformed_check_header_is_refused_naming_the_file(header, message):
    with pytest.raises(MartCheckError, match=message):
        parse_check("bad", header + "SELECT 1 WHERE false")


def test_a_description_may_run_over_several_lines():
    check = parse_check("long", "-- checks: marts.project_metrics\n-- severity: WARN\n-- blocking: no\n"
                                "-- description: first half\n--   second half\n-- failing rows: rows\nSELECT 1")
    assert check.description == "first half second half" and not check.blocking
