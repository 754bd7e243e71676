"""Today's budget is recorded by the daily and weekly syncs themselves (no daemon, no sensor), never by the
hourly one; a history day built later takes that day's snapshot. Real sandbox over HTTP, real DuckDB."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration import definitions
from orchestration.history_assets import build_project_metrics_daily, history_partitions
from pipeline_settings import PipelineSettings
from tests.conftest import sandbox_resources
from warehouse.settings import transform_settings

SNAPSHOTS = "marts/budget_snapshots"


def _selected(job_name: str) -> set[str]:
    job = definitions.defs.resolve_job_def(job_name)
    return {key.to_user_string() for key in job.asset_layer.selected_asset_keys}


def test_budget_snapshots_run_in_daily_and_weekly_syncs_only():
    assert SNAPSHOTS in _selected("daily_sync") and SNAPSHOTS in _selected("weekly_full_sync")
    # an hourly (or webhook) run before the day's daily sync would record yesterday's budget read as today's
    assert SNAPSHOTS not in _selected("hourly_sync") and SNAPSHOTS not in _selected("webhook_sync")
    assert "marts/project_metrics" in _selected("hourly_sync")


def _run(sandbox, data_dir: Path, job: str, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    defs = dg.Definitions(assets=definitions.ASSETS, asset_checks=definitions.CHECKS, jobs=definitions.JOBS,
                          resources=sandbox_resources(sandbox.env(), data_dir))
    return defs.resolve_job_def(job).execute_in_process(instance=instance, raise_on_error=False)


def _query(data_dir: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.slow
def test_headless_daily_sync_records_todays_budget_and_history_takes_it_later(sandbox, tmp_path: Path,
                                                                               monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    for name in ("PIPELINES_AS_OF", "PIPELINES_TIMEZONE", "PIPELINES_BUDGET_VIEW", "PIPELINES_BUDGET_LABELS"):
        monkeypatch.delenv(name, raising=False)
    data_dir = tmp_path / "data"
    settings = PipelineSettings.from_env()
    today = transform_settings(settings).today
    with dg.DagsterInstance.ephemeral() as instance:
        daily = _run(sandbox, data_dir, "daily_sync", instance)
        assert daily.success
        assert dg.AssetKey(["marts", "budget_snapshots"]) in {e.asset_key for e in
                                                              daily.get_asset_materialization_events()}
        snapshot = _query(data_dir, "SELECT project_id, snapshot_date, revised_budget, committed_costs,"
                                    " projected_over_under FROM marts.budget_snapshots ORDER BY 1")
        metrics = _query(data_dir, "SELECT project_id, revised_budget, committed_costs, projected_over_under"
                                   " FROM marts.project_metrics ORDER BY 1")
        assert [(r[0], *r[2:]) for r in snapshot] == metrics and {r[1] for r in snapshot} == {today}
        assert any(r[2] is not None for r in snapshot)  # the sandbox has budgets to record

        # no history partition ran (no daemon). Hourly syncs (the first loads RFIs, the second finds no
        # change) record no snapshot...
        recorded = _query(data_dir, "SELECT project_id, recorded_at FROM marts.budget_snapshots ORDER BY 1")
        assert _run(sandbox, data_dir, "hourly_sync", instance).success
        synced_before = dict(_query(data_dir, "SELECT project_id, last_synced_at FROM marts.project_metrics"))
        changed_before = _query(data_dir, "SELECT max(_synced_at) FROM raw.rfis")
        hourly = _run(sandbox, data_dir, "hourly_sync", instance)
        assert hourly.success
        assert dg.AssetKey(["marts", "budget_snapshots"]) not in {e.asset_key for e in
                                                                  hourly.get_asset_materialization_events()}
        assert _query(data_dir, "SELECT project_id, recorded_at FROM marts.budget_snapshots ORDER BY 1") == recorded
        # ...but "synced N minutes ago" moves on, although no RFI row changed
        assert _query(data_dir, "SELECT max(_synced_at) FROM raw.rfis") == changed_before != [(None,)]
        synced_after = dict(_query(data_dir, "SELECT project_id, last_synced_at FROM marts.project_metrics"))
        readable = [pid for pid, at in synced_after.items() if at != synced_before[pid]]
        assert readable and all(synced_after[pid] > synced_before[pid] for pid in readable)

        # ...and a backfill of today, whenever it runs, takes the budget of today's snapshot
        project_metrics_daily = build_project_metrics_daily(history_partitions(settings))
        result = dg.materialize([project_metrics_daily], partition_key=today.isoformat(), instance=instance,
                                resources=sandbox_resources(sandbox.env(), data_dir))
        assert result.success
    history = _query(data_dir, "SELECT project_id, metric_date, revised_budget, committed_costs,"
                               " projected_over_under FROM marts.project_metrics_daily ORDER BY 1")
    assert history == snapshot
