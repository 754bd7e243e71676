"""rfi_weekly, submittal_status_counts and overdue_items on the hand-written warehouse."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from pipeline_settings import PipelineSettings, SettingsError
from transforms.runner import run_all, run_model
from transforms.settings import TransformSettings
from warehouse.settings import transform_settings

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def test_rfi_weekly(filled):
    run_all(filled, TransformSettings(now=NOW))
    rows = filled.execute("SELECT * FROM marts.rfi_weekly ORDER BY project_id, week_start").fetchall()
    # opened (not drafts) by initiated_at else created_at; closed by time_resolved; weeks start Monday
    assert rows == [
        (1, date(2025, 1, 27), 1, 0),  # 104 opened Sat 02-01
        (1, date(2025, 2, 3), 0, 1),   # 104 resolved Mon 02-03
        (1, date(2025, 2, 10), 2, 1),  # 105 (created Mon 02-10), 106 (Wed 02-12); 105 resolved Tue 02-11
        (1, date(2025, 2, 24), 1, 0),  # 101 initiated Sat 03-01
        (1, date(2025, 3, 3), 3, 0),   # 102 Sat 03-08, 103 Sun 03-09, 110 Thu 03-06; 109 deleted
        (3, date(2024, 12, 30), 2, 0),  # 301 Wed 01-01, 302 Sun 01-05
        (3, date(2025, 1, 6), 0, 2),   # 301 resolved Sat 01-11, 302 Mon 01-06 06:00 UTC
    ]


def test_rfi_weekly_in_another_timezone(filled):
    run_all(filled, TransformSettings(now=NOW, timezone="America/Los_Angeles"))
    rows = filled.execute("SELECT * FROM marts.rfi_weekly WHERE project_id = 3 ORDER BY week_start").fetchall()
    # Los Angeles: 302 resolved Sun 01-05 22:00, in the week of 12-30; 301 opened Tue 12-31 16:00
    assert rows == [(3, date(2024, 12, 30), 2, 1), (3, date(2025, 1, 6), 0, 1)]


def test_submittal_status_counts(filled):
    run_all(filled, TransformSettings(now=NOW))
    rows = filled.execute("SELECT * FROM marts.submittal_status_counts ORDER BY project_id, status_name").fetchall()
    assert rows == [
        (1, "Approved", "Closed", 1),
        (1, "Draft", "Draft", 1),
        (1, "Open", "Open", 1),  # 205 is deleted
        (1, "Revise and Resubmit", "Open", 1),
    ]


def test_overdue_items(filled):
    run_all(filled, TransformSettings(now=NOW))
    rows = filled.execute("SELECT * FROM marts.overdue_items ORDER BY project_id, item_type, item_id").fetchall()
    assert rows == [
        (1, "rfi", 101, "RFI-1", "Door", date(2025, 3, 5), 5, "Ann",
         "https://app.procore.com/1/project/rfi/show/101?x=1"),  # Procore's own link
        (1, "rfi", 110, "RFI-10", "Slab", date(2025, 3, 8), 2, None, "https://app.procore.com/1/project/rfi/show/110"),
        (1, "submittal", 201, "03-1", "Rebar", date(2025, 3, 9), 1, "Bob",
         "https://app.procore.com/1/project/submittal_logs/201"),
    ]  # not: 102 and 202 (due today), 103 (no due date), 107 204 (drafts), 109 205 (deleted), 401 (deleted project)


def test_empty_warehouse_builds_empty_marts(raw_con):
    counts = run_all(raw_con, TransformSettings(now=NOW))
    assert counts == {"budget_label_map": 15, "project_budget_view": 0, "budget_row_measures": 0,
                      "budget_by_cost_code": 0, "project_metrics": 0, "rfi_weekly": 0,
                      "submittal_status_counts": 0, "overdue_items": 0}


def test_settings_from_env():
    env = {"PIPELINES_TIMEZONE": "Asia/Tokyo", "PIPELINES_BUDGET_VIEW": " Forecast ",
           "PROCORE_WEB_BASE_URL": "https://example.test/", "PIPELINES_BUDGET_LABELS": '{"direct_costs": "JTD"}'}
    s = replace(transform_settings(PipelineSettings.from_env(env)), now=datetime(2025, 3, 10, 20, 0, tzinfo=UTC))
    assert (s.timezone, s.budget_view, s.web_base, s.today) == ("Asia/Tokyo", "Forecast", "https://example.test",
                                                               date(2025, 3, 11))
    assert s.budget_labels["direct_costs"] == ("JTD",)
    assert transform_settings(PipelineSettings.from_env({})).budget_view is None
    assert transform_settings(PipelineSettings.from_env({"PIPELINES_AS_OF": "2025-03-10T23:30:00Z"})).today == \
        date(2025, 3, 10)
    with pytest.raises(SettingsError, match="needs a UTC offset"):
        PipelineSettings.from_env({"PIPELINES_AS_OF": "2025-03-10T23:30:00"})
    with pytest.raises(SettingsError, match="unknown timezone 'Mars/Base'"):
        PipelineSettings.from_env({"PIPELINES_TIMEZONE": "Mars/Base"})


def test_a_model_builds_missing_upstream_models_first(filled):
    # the hourly sync runs project_metrics without the budget models: on a fresh warehouse they are built first
    assert run_model(filled, "project_metrics", TransformSettings(now=NOW)) == 3
    built = {r[0] for r in filled.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'").fetchall()}
    assert built == {"project_metrics", "project_budget_view", "budget_row_measures", "budget_label_map"}
