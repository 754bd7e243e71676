"""The marts, checks, snapshot and history assets through `dg.materialize` on a warehouse in tmp_path."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.history_assets import (
    budget_snapshots,
    build_project_metrics_daily,
    history_partitions,
    project_metrics_daily_job,
    publish_snapshot_job,
)
from orchestration.history_sensor import DAILY_SYNC_JOB, history_after_sync
from orchestration.mart_checks import MART_CHECKS, mart_check
from orchestration.marts_assets import MARTS_ASSETS
from orchestration.resources import ProcoreResource, TransformsResource, WarehouseResource
from pipeline_settings import PipelineSettings
from warehouse.schema import create_raw_tables

NOW = "2025-03-10T12:00:00+00:00"


@pytest.fixture
def instance(tmp_path: Path, monkeypatch) -> dg.DagsterInstance:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("PIPELINES_AS_OF", NOW)  # "today" is 2025-03-10
    for name in ("PIPELINES_TIMEZONE", "PIPELINES_BUDGET_VIEW", "PIPELINES_BUDGET_LABELS"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "dagster_home").mkdir()
    with dg.DagsterInstance.ephemeral() as inst:
        yield inst


def fill(path: Path, other_rfi_statuses: tuple[str | None, ...] = ("closed",)) -> None:
    """Projects 1 and 2; project 1 has open RFI 1 (overdue) and RFIs 2, 3, ... of `other_rfi_statuses`."""
    con = duckdb.connect(str(path))
    create_raw_tables(con)
    con.execute("INSERT INTO raw.projects (id, company_id, name) VALUES (1, 10, 'One'), (2, 10, 'Two')")
    con.execute("""INSERT INTO raw.rfis (project_id, company_id, id, status, due_date, created_at) VALUES
                   (1, 10, 1, 'open', DATE '2025-03-01', TIMESTAMPTZ '2025-02-01 00:00:00+00')""")
    for rfi_id, status in enumerate(other_rfi_statuses, start=2):
        con.execute("""INSERT INTO raw.rfis (project_id, company_id, id, status, created_at)
                       VALUES (1, 10, ?, ?, TIMESTAMPTZ '2025-02-01 00:00:00+00')""", [rfi_id, status])
    con.execute("INSERT INTO raw.budget_views (project_id, company_id, id, name) VALUES (1, 10, 5, 'Main')")
    con.execute("""INSERT INTO raw.budget_rows (project_id, company_id, budget_view_id, budget_row_id, id,
                   cost_code, original_budget_amount, label_amounts) VALUES
                   (1, 10, 5, '50', 50, 'A', 100.00, '{"Revised Budget": "120.00"}')""")
    con.close()


def resources(tmp_path: Path) -> dict:
    return {"warehouse": WarehouseResource(data_dir=str(tmp_path)),
            "transforms": TransformsResource.from_settings(PipelineSettings.from_env()),  # PIPELINES_AS_OF: NOW
            "procore": ProcoreResource(client_id="client-id", client_secret="client-secret-value")}


def test_marts_checks_and_snapshot(tmp_path: Path, instance):
    fill(tmp_path / "warehouse.duckdb")
    result = dg.materialize([*MARTS_ASSETS, *MART_CHECKS], resources=resources(tmp_path), instance=instance)
    assert result.success
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {"one_row_per_project": True, "counts_add_up": True, "statuses_known": True,
                      "budget_cells_readable": True, "budget_sums_match_rows": True}
    pm = [e for e in result.get_asset_materialization_events()
          if e.asset_key == dg.AssetKey(["marts", "project_metrics"])]
    assert pm[0].materialization.metadata["rows"].value == 2
    served = duckdb.connect(str(tmp_path / "serving.duckdb"), read_only=True)
    assert served.execute("SELECT project_id, rfis_total, rfis_overdue, revised_budget FROM marts.project_metrics"
                          " ORDER BY 1").fetchall() == [(1, 2, 1, 120), (2, 0, 0, None)]
    served.close()


def test_unknown_and_null_rfi_statuses_warn_but_still_publish(tmp_path: Path, instance):
    fill(tmp_path / "warehouse.duckdb", other_rfi_statuses=("void", None))
    result = dg.materialize([*MARTS_ASSETS, *MART_CHECKS], resources=resources(tmp_path), instance=instance,
                            raise_on_error=False)
    assert result.success
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert evaluations["counts_add_up"].passed  # 3 = 1 open + 0 closed + 0 draft + 2 other
    assert not evaluations["statuses_known"].passed
    assert evaluations["statuses_known"].severity == dg.AssetCheckSeverity.WARN
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert dg.AssetKey(["serving", "snapshot"]) in materialized  # one odd RFI blocks nobody
    served = duckdb.connect(str(tmp_path / "serving.duckdb"), read_only=True)
    assert served.execute("SELECT project_id, rfis_total, rfis_open, rfis_closed, rfis_draft, rfis_other,"
                          " submittals_other FROM marts.project_metrics ORDER BY 1").fetchall() == [
        (1, 3, 1, 0, 0, 2, 0), (2, 0, 0, 0, 0, 0, 0)]
    served.close()


def test_an_unreadable_budget_cell_warns_but_still_publishes(tmp_path: Path, instance):
    fill(tmp_path / "warehouse.duckdb")
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("""UPDATE raw.budget_rows SET label_amounts = '{"Revised Budget": "N/A"}' WHERE budget_row_id = '50'""")
    con.close()
    result = dg.materialize([*MARTS_ASSETS, *MART_CHECKS], resources=resources(tmp_path), instance=instance,
                            raise_on_error=False)
    assert result.success
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not evaluations["budget_cells_readable"].passed
    assert evaluations["budget_cells_readable"].severity == dg.AssetCheckSeverity.WARN
    assert evaluations["budget_sums_match_rows"].passed
    served = duckdb.connect(str(tmp_path / "serving.duckdb"), read_only=True)
    assert served.execute("SELECT project_id, original_budget, revised_budget FROM marts.project_metrics"
                          " ORDER BY 1").fetchall() == [(1, 100, None), (2, None, None)]
    served.close()


def test_counts_add_up_blocks_only_impossible_states(tmp_path: Path):
    counts_add_up, statuses_known = mart_check("counts_add_up"), mart_check("statuses_known")
    assert all(s.blocking for s in counts_add_up.check_specs)
    assert not any(s.blocking for s in statuses_known.check_specs)
    warehouse = WarehouseResource(data_dir=str(tmp_path))
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("CREATE SCHEMA marts")
    # project 1 fine with one unknown-status RFI; 2 more overdue than open; 3 a negative count;
    # 4 a total that is not open + closed + draft + other
    con.execute("""CREATE TABLE marts.project_metrics AS SELECT * FROM (VALUES
        (1, 4, 2, 1, 0, 1, 1, 2, 1, 1, 0, 0, 0),
        (2, 2, 1, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0),
        (3, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, -1, 0),
        (4, 5, 2, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0)) AS t(project_id, rfis_total, rfis_open, rfis_closed, rfis_draft,
        rfis_other, rfis_overdue, submittals_total, submittals_open, submittals_closed, submittals_draft,
        submittals_other, submittals_overdue)""")
    con.close()
    result = counts_add_up(warehouse=warehouse)
    assert not result.passed and result.metadata["examples"].text == "[(2,), (3,), (4,)]"
    warned = statuses_known(warehouse=warehouse)
    assert not warned.passed and warned.severity == dg.AssetCheckSeverity.WARN


def test_history_partition_and_sensor(tmp_path: Path, instance):
    fill(tmp_path / "warehouse.duckdb")
    res = resources(tmp_path)
    project_metrics_daily = build_project_metrics_daily(history_partitions(PipelineSettings.from_env()))
    assert dg.materialize([*MARTS_ASSETS[:-1], budget_snapshots], resources=res, instance=instance).success
    result = dg.materialize([project_metrics_daily], partition_key="2025-03-10", resources=res, instance=instance)
    assert result.success
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    assert con.execute("SELECT metric_date, project_id, rfis_open, rfis_overdue, revised_budget"
                       " FROM marts.project_metrics_daily ORDER BY 2").fetchall() == [
        (date(2025, 3, 10), 1, 1, 1, 120), (date(2025, 3, 10), 2, 0, 0, None)]
    con.close()

    @dg.op
    def noop() -> None:
        pass

    @dg.job(name=DAILY_SYNC_JOB)
    def fake_daily_sync() -> None:
        noop()

    run = fake_daily_sync.execute_in_process(instance=instance)
    context = dg.build_run_status_sensor_context(sensor_name=history_after_sync.name, dagster_instance=instance,
                                                 dagster_run=run.dagster_run, dagster_event=run.get_run_success_event(),
                                                 resources={"transforms": res["transforms"]})
    request = history_after_sync(context)
    assert isinstance(request, dg.RunRequest)
    assert request.job_name == project_metrics_daily_job.name
    assert request.partition_key == "2025-03-10"  # today's partition (PIPELINES_AS_OF)
    assert request.run_key == f"history-{run.run_id}"

    @dg.job(name="hourly_sync")
    def fake_hourly_sync() -> None:
        noop()

    other = fake_hourly_sync.execute_in_process(instance=instance)
    context = dg.build_run_status_sensor_context(sensor_name=history_after_sync.name, dagster_instance=instance,
                                                 dagster_run=other.dagster_run,
                                                 dagster_event=other.get_run_success_event(),
                                                 resources={"transforms": res["transforms"]})
    assert isinstance(history_after_sync(context), dg.SkipReason)  # hourly runs leave the history alone
    assert publish_snapshot_job.name == "publish_snapshot_job"
