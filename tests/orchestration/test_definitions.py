"""The code location loads; jobs, schedules and the example dagster.yaml files are what the docs say."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import dagster as dg
import pytest
from dagster._utils.schedules import is_valid_cron_string

import orchestration.definitions as definitions
from orchestration import jobs, schedules
from pipeline_settings import PipelineSettings

REPO = Path(__file__).resolve().parents[2]


def test_definitions_are_loadable():
    dg.Definitions.validate_loadable(definitions.defs)


def _selected(job_name: str) -> set[str]:
    job = definitions.defs.resolve_job_def(job_name)
    return {key.to_user_string() for key in job.asset_layer.selected_asset_keys}


def test_jobs_hold_their_raw_assets_and_everything_unpartitioned_downstream():
    hourly, daily, weekly = _selected("hourly_sync"), _selected("daily_sync"), _selected("weekly_full_sync")
    assert {k for k in hourly if k.startswith("raw/")} == {"raw/rfis", "raw/submittals"}
    assert {k for k in daily if k.startswith("raw/")} == {"raw/projects", "raw/budget_views", "raw/budget_rows"}
    assert {k for k in weekly if k.startswith("raw/")} == {"raw/projects", "raw/rfis", "raw/submittals",
                                                          "raw/budget_views", "raw/budget_rows"}
    partitioned = {k.to_user_string() for a in definitions.ASSETS
                   if isinstance(a, dg.AssetsDefinition) and a.partitions_def for k in a.keys}
    graph = definitions.defs.resolve_asset_graph()
    downstream_of_rfis = {k.to_user_string() for k in graph.get(dg.AssetKey(["raw", "rfis"])).child_keys}
    for name, selected in (("hourly", hourly), ("weekly", weekly)):
        assert not selected & partitioned, name
        assert downstream_of_rfis - partitioned <= selected, name


def test_weekly_job_defaults_to_full_refresh():
    job = definitions.defs.resolve_job_def("weekly_full_sync")
    ops = job.run_config_schema.config_type.fields["ops"].default_value
    assert ops["raw__rfis"]["config"]["full_refresh"] is True
    assert ops["raw__projects"]["config"]["full_refresh"] is True


def test_schedules_cron_strings_and_timezone(monkeypatch):
    monkeypatch.setenv("PIPELINES_TIMEZONE", "America/Chicago")
    monkeypatch.setenv("PIPELINES_SCHEDULES_RUNNING", "1")
    built = schedules.build_schedules(jobs.build_sync_jobs(definitions.ASSETS), PipelineSettings.from_env())
    by_name = {s.name: s for s in built}
    expected = {"hourly_sync_schedule": "0 * * * *", "daily_sync_schedule": "0 2 * * *",
                "weekly_full_sync_schedule": "0 4 * * 0"}
    assert {n: s.cron_schedule for n, s in by_name.items()} == expected
    for schedule in by_name.values():
        assert is_valid_cron_string(schedule.cron_schedule)
        assert schedule.execution_timezone == "America/Chicago"
        assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING


def test_schedules_stopped_by_default_and_utc(monkeypatch):
    monkeypatch.delenv("PIPELINES_TIMEZONE", raising=False)
    monkeypatch.delenv("PIPELINES_SCHEDULES_RUNNING", raising=False)
    reloaded = importlib.reload(definitions)
    assert {s.name for s in reloaded.SCHEDULES} >= {"hourly_sync_schedule", "daily_sync_schedule",
                                                    "weekly_full_sync_schedule"}
    for schedule in reloaded.SCHEDULES:
        if schedule.name.endswith("sync_schedule"):
            assert schedule.execution_timezone == "UTC"
            assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED


def test_bad_timezone_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("PIPELINES_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValueError, match="PIPELINES_TIMEZONE"):
        PipelineSettings.from_env()


def test_every_duckdb_writer_is_in_the_duckdb_pool():
    from orchestration.ingestion_assets import INGESTION_ASSETS
    for asset in INGESTION_ASSETS:
        assert asset.op.pool == "duckdb", asset.node_def.name


@pytest.mark.parametrize("example", ["dagster.local.yaml", "dagster.postgres.yaml"])
def test_example_instance_configs_load(example, tmp_path, monkeypatch):
    shutil.copy(REPO / "deploy/dagster" / example, tmp_path / "dagster.yaml")
    for var, value in {"DAGSTER_HOME": str(tmp_path), "DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": "5432",
                       "DAGSTER_PG_USER": "postgres", "DAGSTER_PG_PASSWORD": "", "DAGSTER_PG_DB": "test"}.items():
        monkeypatch.setenv(var, value)
    from dagster._core.instance.config import dagster_instance_config
    config, _ = dagster_instance_config(str(tmp_path))
    assert config["concurrency"]["pools"]["default_limit"] == 1
    assert config["concurrency"]["runs"]["max_concurrent_runs"] >= 1
    assert config["telemetry"]["enabled"] is False
    assert config["run_monitoring"]["free_slots_after_run_end_seconds"] > 0
    if example == "dagster.postgres.yaml":
        assert config["storage"]["postgres"]["postgres_db"]["scheme"] == "postgresql+psycopg2"


def test_workspace_loads_the_definitions_module():
    text = (REPO / "workspace.yaml").read_text()
    assert "module_name: orchestration.definitions" in text
