"""The shared deployment settings: one parser per variable, one message each, every problem reported at once,
the same default everywhere, and a bad setting failing the Dagster code location's load."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from dashboard.settings import DashboardSettings
from pipeline_settings import PipelineSettings, SettingsError, variables
from procore_source.settings import ProcoreSettings
from webhooks.settings import WebhookSettings

REPO = Path(__file__).resolve().parents[2]


def test_defaults():
    s = PipelineSettings.from_env({})
    assert s == PipelineSettings()
    assert (s.company_ids, s.data_dir, s.timezone, s.schedules_running) == ((), Path("data"), "UTC", False)
    assert (s.history_start, s.sync_overlap_seconds, s.webhook_sensor_interval) == (date(2024, 1, 1), 300, 15)
    assert (s.web_base_url, s.budget_view, s.budget_labels, s.as_of) == ("https://app.procore.com", None, None, None)


def test_values_are_parsed():
    s = PipelineSettings.from_env({
        "PROCORE_COMPANY_IDS": " 7, 562949953442334,7 ", "PIPELINES_DATA_DIR": " /srv/pp ",
        "PIPELINES_TIMEZONE": "America/Chicago", "PIPELINES_SCHEDULES_RUNNING": "1",
        "PIPELINES_HISTORY_START": "2025-02-01", "PIPELINES_SYNC_OVERLAP_SECONDS": "60",
        "WEBHOOK_SENSOR_INTERVAL_SECONDS": "30", "PROCORE_WEB_BASE_URL": "https://sandbox.procore.com/",
        "PIPELINES_BUDGET_VIEW": " Forecast ", "PIPELINES_BUDGET_LABELS": '{"direct_costs": "JTD"}',
        "PIPELINES_AS_OF": "2025-03-10T12:00:00Z"})
    assert s.company_ids == (7, 562949953442334) and s.data_dir == Path("/srv/pp")
    assert (s.timezone, s.schedules_running, s.history_start) == ("America/Chicago", True, date(2025, 2, 1))
    assert (s.sync_overlap_seconds, s.webhook_sensor_interval) == (60, 30)
    assert (s.web_base_url, s.budget_view, s.budget_labels) == ("https://sandbox.procore.com", "Forecast",
                                                                '{"direct_costs": "JTD"}')
    assert s.as_of == datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


# variable, bad value, and the message after the variable's name
BAD_VALUES = [
    ("PROCORE_COMPANY_IDS", "12,abc", " is invalid: 'abc' is not a positive integer company id"),
    ("PROCORE_COMPANY_IDS", ",", " is invalid: no company id in it"),
    ("PIPELINES_TIMEZONE", "Mars", ": unknown timezone 'Mars' (an IANA name such as UTC or Europe/Paris)"),
    ("PIPELINES_HISTORY_START", "2025-13-01", "='2025-13-01' is not a date (YYYY-MM-DD)"),
    ("PIPELINES_SYNC_OVERLAP_SECONDS", "5m", " must be a whole number of seconds, got '5m'"),
    ("WEBHOOK_SENSOR_INTERVAL_SECONDS", "2", " must be 5..3600 seconds, got '2'"),
    ("PROCORE_WEB_BASE_URL", "x.test", " must be an http(s) URL such as https://app.procore.com, got 'x.test'"),
    ("PIPELINES_AS_OF", "yesterday", " is not an ISO-8601 timestamp: 'yesterday'"),
    ("PIPELINES_AS_OF", "2025-03-10T12:00", " needs a UTC offset (e.g. 2025-03-10T12:00:00Z): '2025-03-10T12:00'"),
]


@pytest.mark.parametrize(("var", "value", "rest"), BAD_VALUES)
def test_a_bad_value_is_one_line_naming_the_variable(var, value, rest):
    with pytest.raises(SettingsError) as failure:
        PipelineSettings.from_env({var: value})
    assert failure.value.problems == [var + rest] and str(failure.value) == var + rest


def test_every_problem_is_reported_at_once():
    with pytest.raises(SettingsError) as failure:
        PipelineSettings.from_env({"PROCORE_COMPANY_IDS": "x", "PIPELINES_TIMEZONE": "Nowhere",
                                   "PIPELINES_HISTORY_START": "soon"})
    assert [p.split(" ", 1)[0].split(":")[0].split("=")[0] for p in failure.value.problems] == [
        "PROCORE_COMPANY_IDS", "PIPELINES_TIMEZONE", "PIPELINES_HISTORY_START"]
    assert str(failure.value) == "; ".join(failure.value.problems)


def test_company_ids_are_optional_at_load_but_required_by_the_client():
    assert PipelineSettings.from_env({}).company_ids == ()
    with pytest.raises(SettingsError, match="PROCORE_COMPANY_IDS is not set"):
        variables.company_ids({})
    base = {"PROCORE_CLIENT_ID": "id", "PROCORE_CLIENT_SECRET": "secret-value"}
    with pytest.raises(SettingsError, match="PROCORE_COMPANY_IDS is not set"):
        ProcoreSettings.from_env(base)
    assert ProcoreSettings.from_env({**base, "PROCORE_COMPANY_IDS": "3,3,4"}).company_ids == (3, 4)


def test_one_data_dir_default_for_every_package(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pipeline = PipelineSettings.from_env({})
    dashboard = DashboardSettings.from_env({})
    webhooks = WebhookSettings.from_env({})
    assert pipeline.data_dir == dashboard.data_dir == Path("data")
    assert webhooks.inbox_url == f"sqlite:///{(tmp_path / 'data' / 'webhooks.db').resolve()}"
    env = {"PIPELINES_DATA_DIR": str(tmp_path / "elsewhere"), "PROCORE_WEB_BASE_URL": "https://x.example/"}
    assert DashboardSettings.from_env(env).serving_path == tmp_path / "elsewhere" / "serving.duckdb"
    assert DashboardSettings.from_env(env).procore_web_base_url == PipelineSettings.from_env(env).web_base_url


def test_a_bad_setting_fails_the_code_location_load_naming_the_variable():
    result = subprocess.run([sys.executable, "-c", "import orchestration.definitions"], cwd=REPO,
                            env={"PATH": "/usr/bin:/bin", "PIPELINES_TIMEZONE": "Mars/Olympus",
                                 "PIPELINES_BUDGET_LABELS": "{}"}, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "SettingsError: PIPELINES_TIMEZONE: unknown timezone 'Mars/Olympus'" in result.stderr


def test_a_bad_label_map_fails_the_code_location_load_naming_the_variable():
    result = subprocess.run([sys.executable, "-c", "import orchestration.definitions"], cwd=REPO,
                            env={"PATH": "/usr/bin:/bin", "PIPELINES_BUDGET_LABELS": '{"profit": ["P"]}'},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "PIPELINES_BUDGET_LABELS: unknown measure 'profit'" in result.stderr
