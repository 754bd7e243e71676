"""Asset checks: the raw-table checks run in pool `duckdb` and `unique_ids` catches a global id in two projects."""

from __future__ import annotations

from orchestration.raw_checks import SPECS, raw_table_checks
from tests.orchestration.conftest import query


def test_raw_table_checks_are_in_the_duckdb_pool():
    assert raw_table_checks.node_def.pool == "duckdb"  # it opens a read-write warehouse connection


def test_unique_ids_only_where_the_key_cannot_guarantee_it():
    streams = {spec.asset_key.path[-1] for spec in SPECS if spec.name == "unique_ids"}
    assert streams == {"rfis", "submittals", "budget_rows"}


def test_an_rfi_id_in_two_projects_fails_unique_ids(sandbox, run_job, synced):
    rid, pid = query(synced, "SELECT id, project_id FROM raw.rfis WHERE _deleted_at IS NULL LIMIT 1")[0]
    other = query(synced, "SELECT id FROM raw.projects WHERE id <> ? LIMIT 1", [pid])[0][0]
    query(synced, "INSERT INTO raw.rfis SELECT * REPLACE (? AS project_id) FROM raw.rfis WHERE id = ?", [other, rid])
    result = run_job("hourly_sync")
    checks = {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}
    failed = checks[("raw/rfis", "unique_ids")]
    assert failed.passed is False and str(rid) in failed.metadata["examples"].value
    assert checks[("raw/submittals", "unique_ids")].passed is True
