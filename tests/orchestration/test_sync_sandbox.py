"""Ingestion against the sandbox over real HTTP, into a real DuckDB file: equality, increments, faults."""

from __future__ import annotations

import pytest

from tests.orchestration.conftest import assert_equal, execute, make_resources, query

STREAMS = ("projects", "rfis", "submittals", "budget_views", "budget_rows")


def test_weekly_full_sync_equals_the_sandbox(sandbox, run_job, data_dir):
    result = run_job("weekly_full_sync")
    assert result.success
    for resource in STREAMS:
        assert_equal(sandbox, data_dir, resource)
    info = sandbox.info()
    unreadable = set(info["forbidden_project_ids"]) | set(info["hidden_project_ids"])
    skipped = query(data_dir, "SELECT DISTINCT project_id FROM meta.sync_log WHERE status = 'skipped'")
    assert {r[0] for r in skipped} == unreadable
    meta = {m.asset_key.to_user_string(): m.metadata for m in
            (e.materialization for e in result.get_asset_materialization_events())}
    assert meta["raw/rfis"]["inserted"].value == len([r for r in sandbox.records("rfis")
                                                     if r["project_id"] not in unreadable])
    assert meta["raw/rfis"]["projects_skipped"].value == len(unreadable)
    assert "| action |" in meta["raw/rfis"]["preview"].value
    assert all(e.passed for e in result.get_asset_check_evaluations())


def test_mutations_then_hourly_and_daily_restore_equality(sandbox, run_job, data_dir, synced):
    sandbox.mutate({"random": 60})
    info = sandbox.info()
    unreadable = set(info["forbidden_project_ids"] + info["hidden_project_ids"])
    deleted = sandbox.mutate({"resource": "rfis", "action": "delete",
                              "id": next(r["record"]["id"] for r in sandbox.records("rfis")
                                         if r["deleted_at"] is None and r["project_id"] not in unreadable)})
    assert run_job("hourly_sync").success
    assert run_job("daily_sync").success
    for resource in STREAMS:
        assert_equal(sandbox, data_dir, resource)
    rid = deleted["changes"][0]["id"]
    assert query(data_dir, "SELECT _deleted_at IS NOT NULL FROM raw.rfis WHERE id = ?", [rid]) == [(True,)]
    # a second hourly run with nothing new changes nothing
    result = run_job("hourly_sync")
    meta = {m.asset_key.to_user_string(): m.metadata for m in
            (e.materialization for e in result.get_asset_materialization_events())}
    assert meta["raw/rfis"]["inserted"].value == meta["raw/rfis"]["updated"].value == 0


def _assert_request_minimum(sandbox, data_dir) -> int:
    """The stats of an unchanged hourly sync are the minimum; returns the token grants among them."""
    readable = query(data_dir, "SELECT count(*) FROM raw.projects WHERE _deleted_at IS NULL")[0][0]
    info = sandbox.info()
    unreadable = len(info["forbidden_project_ids"]) + len(info["hidden_project_ids"])
    stats = sandbox.stats()
    by_path = stats["by_path"]
    ok_projects = readable - unreadable
    # 2 incremental streams x (list + recycle bin) per readable project; 1 list call per unreadable
    # project and stream (403/404 ends it); the token requests.
    assert by_path["/rest/v1.0/projects/{project_id}/rfis"] == readable
    assert by_path["/rest/v1.0/projects/{project_id}/rfis/recycle_bin"] == ok_projects
    assert by_path["/rest/v1.0/projects/{project_id}/submittals"] == readable
    assert by_path["/rest/v1.0/projects/{project_id}/submittals/recycle_bin"] == ok_projects
    assert stats["total"] == 2 * readable + 2 * ok_projects + by_path.get("/oauth/token", 0)
    return by_path.get("/oauth/token", 0)


def test_hourly_sync_without_changes_costs_one_request_per_project_stream_and_bin(sandbox, run_job, data_dir, synced):
    sandbox.clear_stats()
    assert run_job("hourly_sync").success
    assert _assert_request_minimum(sandbox, data_dir) <= 1


def test_hourly_sync_with_20_second_tokens_stays_at_the_minimum_with_few_grants(sandbox, run_job, data_dir, synced):
    # The default 60 s refresh margin is three times such a token's life: uncapped, every request took a token.
    sandbox.configure(token_ttl=20)
    sandbox.clear_stats()
    assert run_job("hourly_sync").success
    grants = _assert_request_minimum(sandbox, data_dir)
    assert 1 <= grants <= 3
    assert "401" not in sandbox.stats()["by_status"]


def test_faults_spike_limit_and_short_tokens_still_end_equal(start_sandbox_server, tmp_path, monkeypatch):
    # token_ttl stays above the 10 s spike window: the client takes its token before waiting for the
    # pacer (reported), so a token shorter than a pacing wait can die in between.
    sandbox = start_sandbox_server(companies=1, projects=5, rate_limit_spike=20, token_ttl=12, error_rate=0.05)
    sandbox.inject(path="/rest/v1.0/projects/*/rfis", status=503, headers={"Retry-After": "0"}, times=3)
    sandbox.inject(path="/rest/v1.0/budget_views", status=500, times=2)
    monkeypatch.setenv("PROCORE_RETRY_BACKOFF", "0.05")
    monkeypatch.setenv("PROCORE_TOKEN_REFRESH_MARGIN", "1")
    result = execute(make_resources(sandbox, tmp_path), "weekly_full_sync")
    assert result.success
    for resource in STREAMS:
        assert_equal(sandbox, tmp_path, resource)
    stats = sandbox.stats()
    assert int(stats["by_status"].get("503", 0)) >= 3 and int(stats["by_status"].get("500", 0)) >= 2
    assert stats["by_path"].get("/oauth/token", 0) >= 2  # tokens expired and were renewed mid-run


def test_record_with_an_invalid_key_field_is_logged_with_its_id_and_the_rest_loads(sandbox, run_job, data_dir,
                                                                                      synced):
    unreadable = set(sandbox.info()["forbidden_project_ids"] + sandbox.info()["hidden_project_ids"])
    rfi = next(r for r in sandbox.records("rfis") if r["deleted_at"] is None and r["project_id"] not in unreadable)
    bad_id, project_id = rfi["record"]["id"], rfi["project_id"]
    # `updated_at` is a key field of an incremental stream: a value that is no timestamp rejects the record
    sandbox.mutate({"resource": "rfis", "action": "update", "id": bad_id, "changes": {"updated_at": "next tuesday"}})
    other = sandbox.mutate({"resource": "rfis", "action": "create", "project_id": project_id})["changes"][0]["id"]
    cursor = query(data_dir, "SELECT \"cursor\" FROM meta.sync_state WHERE stream = 'rfis' AND project_id = ?",
                   [project_id])
    config = {"ops": {"raw__rfis": {"config": {"project_ids": [project_id], "full_refresh": True}}}}
    result = run_job("hourly_sync", config)
    assert result.success  # one rejected record never fails the stream
    log = query(data_dir, "SELECT status, error FROM meta.sync_log WHERE stream = 'rfis' AND project_id = ? "
                          "AND run_id = ?", [project_id, result.run_id])
    assert log[0][0] == "failed" and f"record id {bad_id}" in log[0][1] and "updated_at" in log[0][1]
    assert query(data_dir, "SELECT count(*) FROM raw.rfis WHERE id = ?", [other]) == [(1,)]
    assert query(data_dir, "SELECT \"cursor\" FROM meta.sync_state WHERE stream = 'rfis' AND project_id = ?",
                 [project_id]) == cursor  # kept back: the next run reads the window again
    checks = {(e.asset_key.to_user_string(), e.check_name): e.passed for e in result.get_asset_check_evaluations()}
    assert checks[("raw/rfis", "no_sync_failures")] is False
    # once Procore sends a timestamp again, the next hourly run loads the record
    sandbox.mutate({"resource": "rfis", "action": "update", "id": bad_id, "changes": {"subject": "Fixed"}})
    assert run_job("hourly_sync").success
    assert query(data_dir, "SELECT subject FROM raw.rfis WHERE id = ?", [bad_id]) == [("Fixed",)]
    assert_equal(sandbox, data_dir, "rfis")


def test_run_config_resyncs_one_project(sandbox, run_job, data_dir, synced):
    project_id = query(data_dir, "SELECT project_id FROM raw.rfis WHERE _deleted_at IS NULL LIMIT 1")[0][0]
    query(data_dir, "DELETE FROM raw.rfis WHERE project_id = ?", [project_id])
    config = {"project_ids": [project_id], "full_refresh": True, "streams": ["rfis"]}
    result = run_job("hourly_sync", {"ops": {"raw__rfis": {"config": config}, "raw__submittals": {"config": config}}})
    assert result.success
    runs = query(data_dir, "SELECT stream, project_id FROM meta.sync_log WHERE run_id = ?", [result.run_id])
    assert runs == [("rfis", project_id)]
    assert_equal(sandbox, data_dir, "rfis")


def test_bad_credentials_fail_the_run_saying_what_to_fix(sandbox, data_dir):
    sandbox.client_secret = "not-the-secret"
    try:
        resources = make_resources(sandbox, data_dir)
    finally:
        sandbox.client_secret = "sandbox-client-secret"
    result = execute(resources, "daily_sync", raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    text = str(failure.step_failure_data.error)
    assert "PROCORE_CLIENT_SECRET" in text and "not-the-secret" not in text
    assert query(data_dir, "SELECT count(*) FROM raw.projects") == [(0,)]


def test_most_projects_failing_fails_the_run_after_loading_the_rest(sandbox, run_job, data_dir, synced):
    sandbox.inject(path="/rest/v1.0/projects/*/submittals", status=400, body="bad request", times=1000)
    result = run_job("hourly_sync", raise_on_error=False)
    assert not result.success
    failed = query(data_dir, "SELECT count(*) FROM meta.sync_log WHERE run_id = ? AND stream = 'submittals' "
                             "AND status = 'failed'", [result.run_id])[0][0]
    assert failed > 0
    # RFIs ran first in the same run and were committed
    assert query(data_dir, "SELECT count(*) FROM meta.sync_log WHERE run_id = ? AND stream = 'rfis' "
                           "AND status = 'ok'", [result.run_id])[0][0] > 0


@pytest.mark.parametrize("job", ["hourly_sync", "daily_sync"])
def test_every_job_runs_before_any_project_is_stored(sandbox, run_job, data_dir, job):
    assert run_job(job).success
    assert query(data_dir, "SELECT count(*) FROM meta.sync_log WHERE status = 'ok'")[0][0] > 0


def test_bad_credentials_before_any_project_is_stored_fail_with_the_same_advice(sandbox, data_dir):
    sandbox.client_secret = "not-the-secret"
    try:
        resources = make_resources(sandbox, data_dir)
    finally:
        sandbox.client_secret = "sandbox-client-secret"
    result = execute(resources, "hourly_sync", raise_on_error=False)
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "PROCORE_CLIENT_SECRET" in str(failure.step_failure_data.error)
