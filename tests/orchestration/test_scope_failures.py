"""When a stream fails: only when most *readable* projects could not be read at all. 403/404 projects are
skipped and never count; a company of 5 projects, 2 of them unreadable, is the issue's own case.
Also: `hourly_sync` on a new warehouse stores the projects it reads its scopes from."""

from __future__ import annotations

import dagster as dg

from tests.orchestration.conftest import assert_equal, execute, make_resources, query


def _company_of_five(start_sandbox_server):
    sandbox = start_sandbox_server(companies=1, projects=5)
    info = sandbox.info()
    unreadable = set(info["forbidden_project_ids"]) | set(info["hidden_project_ids"])
    projects = sorted(r["record"]["id"] for r in sandbox.records("projects"))
    assert len(projects) == 5 and len(unreadable) == 2  # one 403, one 404
    return sandbox, [p for p in projects if p not in unreadable], unreadable


def _break_rfis(sandbox, project_ids) -> None:
    for pid in project_ids:  # a 400 is not retried: the project's RFIs cannot be read at all
        sandbox.inject(path=f"/rest/v1.0/projects/{pid}/rfis", status=400, body="bad request", times=1000)


def _statuses(data_dir, run_id: str, stream: str) -> dict[str, int]:
    return dict(query(data_dir, "SELECT status, count(*) FROM meta.sync_log WHERE run_id = ? AND stream = ? "
                                "GROUP BY status", [run_id, stream]))


def test_two_skipped_and_one_failed_of_five_does_not_fail_the_stream(start_sandbox_server, tmp_path):
    sandbox, readable, _ = _company_of_five(start_sandbox_server)
    _break_rfis(sandbox, readable[:1])
    result = execute(make_resources(sandbox, tmp_path), "hourly_sync")
    assert result.success
    assert _statuses(tmp_path, result.run_id, "rfis") == {"ok": 2, "skipped": 2, "failed": 1}
    loaded = {r[0] for r in query(tmp_path, "SELECT DISTINCT project_id FROM raw.rfis")}
    assert loaded == set(readable[1:])
    checks = {(e.asset_key.to_user_string(), e.check_name): e.passed for e in result.get_asset_check_evaluations()}
    assert checks[("raw/rfis", "no_sync_failures")] is False  # surfaced as a warning, not a failed run


def test_most_readable_projects_failing_fails_the_stream_after_loading_the_rest(start_sandbox_server, tmp_path):
    sandbox, readable, _ = _company_of_five(start_sandbox_server)
    _break_rfis(sandbox, readable[:2])
    result = execute(make_resources(sandbox, tmp_path), "hourly_sync", raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert failure.step_key == "raw__rfis"
    text = str(failure.step_failure_data.error)
    assert "2 of 3 readable scopes could not be read for rfis" in text and "2 more skipped (403/404)" in text
    assert _statuses(tmp_path, result.run_id, "rfis") == {"ok": 1, "skipped": 2, "failed": 2}
    assert {r[0] for r in query(tmp_path, "SELECT DISTINCT project_id FROM raw.rfis")} == {readable[2]}


def test_projects_that_were_read_but_had_a_record_rejected_do_not_fail_the_stream(start_sandbox_server, tmp_path):
    """The issue's run: every readable project had a record the loader rejected. The projects were read."""
    sandbox, readable, _ = _company_of_five(start_sandbox_server)
    for pid in readable:
        rfi = next(r for r in sandbox.records("rfis") if r["project_id"] == pid and r["deleted_at"] is None)
        sandbox.mutate({"resource": "rfis", "action": "update", "id": rfi["record"]["id"],
                        "changes": {"updated_at": "not a timestamp"}})  # a key field of an incremental stream
    result = execute(make_resources(sandbox, tmp_path), "weekly_full_sync")
    assert result.success
    assert _statuses(tmp_path, result.run_id, "rfis") == {"skipped": 2, "failed": 3}
    live = [r for r in sandbox.records("rfis") if r["project_id"] in readable and r["deleted_at"] is None]
    assert query(tmp_path, "SELECT count(*) FROM raw.rfis")[0][0] == len(live) - 3  # only the 3 rejected are missing


def test_hourly_sync_on_a_new_warehouse_stores_its_projects(start_sandbox_server, tmp_path):
    sandbox, _, _ = _company_of_five(start_sandbox_server)
    resources = make_resources(sandbox, tmp_path)
    first = execute(resources, "hourly_sync")
    assert first.success
    assert_equal(sandbox, tmp_path, "projects")  # every project, as Procore lists it
    state = query(tmp_path, "SELECT last_status, \"cursor\" IS NOT NULL FROM meta.sync_state WHERE stream = 'projects'")
    assert state == [("ok", True)]
    checks = {(e.asset_key.to_user_string(), e.check_name): e.passed for e in first.get_asset_check_evaluations()}
    assert checks[("raw/rfis", "has_project")] is True  # no RFI without its project, before any daily sync
    sandbox.clear_stats()
    assert execute(resources, "hourly_sync").success
    assert "/rest/v1.0/projects" not in sandbox.stats()["by_path"]  # the next run reads them from the warehouse
    daily = execute(resources, "daily_sync")  # and the first daily sync goes on from the stored cursor
    assert daily.success
    assert_equal(sandbox, tmp_path, "projects")
    meta = {m.asset_key.to_user_string(): m.metadata for m in
            (e.materialization for e in daily.get_asset_materialization_events())}
    assert meta["raw/projects"]["inserted"] == dg.MetadataValue.int(0)
