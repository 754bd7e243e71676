"""Mutations: bookkeeping against `/_sandbox/records`, recycle bins, planted values, budgets, reset."""

from __future__ import annotations

import pytest

from procore_sandbox.handle import SandboxError


def _by_id(records: list[dict]) -> dict:
    return {r["record"]["id"]: r for r in records}


def test_random_mutations_match_records_and_the_api(api, sandbox):
    before = {res: _by_id(sandbox.records(res)) for res in ("rfis", "submittals")}
    changes = sandbox.mutate({"random": 40})["changes"]
    assert len(changes) == 40 and {c["action"] for c in changes} >= {"create", "update", "delete"}
    now = sandbox.clock()["now"]
    for res in ("rfis", "submittals"):
        after = _by_id(sandbox.records(res))
        for change in (c for c in changes if c["resource"] == res):
            row = after[change["id"]]
            assert row["record"]["updated_at"] <= now
            if change["action"] == "delete":  # deleted RFIs say when; Procore's deleted submittals do not
                assert row["deleted_at"] and row["record"].get("deleted_at") == (row["deleted_at"] if res == "rfis"
                                                                                  else None)
            elif change["action"] == "create":
                deleted_later = any(c["action"] == "delete" and c["id"] == change["id"] for c in changes)
                assert change["id"] not in before[res] and (row["deleted_at"] is None) != deleted_later
            assert row["record"]["updated_at"] >= before[res].get(change["id"], row)["record"]["updated_at"]
    # The API serves exactly the live records of each project.
    change = next(c for c in changes if c["resource"] == "rfis")
    pid = change["project_id"]
    live = {r["record"]["id"] for r in sandbox.records("rfis") if r["project_id"] == pid and not r["deleted_at"]}
    served = api.get(f"/rest/v1.0/projects/{pid}/rfis", company_id=change["company_id"]).json()
    assert {r["id"] for r in served} == live


def test_delete_moves_to_the_recycle_bin_with_a_fresh_updated_at(api, sandbox):
    pid = api.readable_project()
    rfi = api.get(f"/rest/v1.0/projects/{pid}/rfis").json()[0]
    sandbox.advance_clock(3600)
    change = sandbox.mutate({"resource": "rfis", "action": "delete", "id": rfi["id"]})["changes"][0]
    assert change["deleted_at"] == sandbox.clock()["now"] or change["deleted_at"] <= sandbox.clock()["now"]
    assert rfi["id"] not in {r["id"] for r in api.get(f"/rest/v1.0/projects/{pid}/rfis").json()}
    assert api.get(f"/rest/v1.0/projects/{pid}/rfis/{rfi['id']}").status_code == 404
    binned = api.get(f"/rest/v1.0/projects/{pid}/rfis/recycle_bin",
                     params={"filters[updated_at]": f"{change['deleted_at']}...2999-01-01"}).json()
    assert [r["id"] for r in binned] == [rfi["id"]] and binned[0]["deleted_at"] == change["deleted_at"]
    with pytest.raises(SandboxError, match="already deleted"):
        sandbox.mutate({"resource": "rfis", "action": "delete", "id": rfi["id"]})


def test_explicit_changes_are_applied_verbatim(api, sandbox):
    pid = api.readable_project()
    sub = api.get(f"/rest/v1.0/projects/{pid}/submittals").json()[0]
    sandbox.mutate({"resource": "submittals", "action": "update", "id": sub["id"],
                    "changes": {"due_date": "not-a-date", "approvers": "oops"}})
    served = api.get(f"/rest/v1.0/projects/{pid}/submittals/{sub['id']}").json()
    assert served["due_date"] == "not-a-date" and served["approvers"] == "oops"
    assert served["updated_at"] > sub["updated_at"]
    created = sandbox.mutate({"resource": "rfis", "action": "create", "project_id": pid,
                              "changes": {"subject": "Planted"}})["changes"][0]
    listed = api.get(f"/rest/v1.0/projects/{pid}/rfis").json()
    assert listed[-1]["id"] == created["id"] and listed[-1]["subject"] == "Planted"
    with pytest.raises(SandboxError, match="resource must be one of"):
        sandbox.mutate({"resource": "widgets", "action": "update", "id": 1})
    with pytest.raises(SandboxError, match="no rfis record"):
        sandbox.mutate({"resource": "rfis", "action": "update", "id": 12, "changes": {}})


def test_budget_row_changes_and_reset(api, sandbox):
    pid = api.readable_project()
    view = api.get("/rest/v1.0/budget_views", params={"project_id": pid}).json()[0]
    path = f"/rest/v1.0/budget_views/{view['id']}/detail_rows"
    row = api.get(path, params={"project_id": pid}).json()[0]
    sandbox.mutate({"resource": "budget_rows", "action": "update", "id": row["id"],
                    "changes": {"Committed Costs": "123.45"}})
    assert api.get(path, params={"project_id": pid}).json()[0]["Committed Costs"] == "123.45"
    sandbox.mutate({"resource": "budget_rows", "action": "delete", "id": row["id"]})
    assert row["id"] not in {r["id"] for r in api.get(path, params={"project_id": pid}).json()}
    deleted = [r for r in sandbox.records("budget_rows") if r["record"]["id"] == row["id"]]
    assert deleted[0]["deleted_at"] and deleted[0]["budget_view_id"] == view["id"]
    sandbox.reset()
    assert api.get(path, params={"project_id": pid}).json()[0] == row


def test_listeners_see_every_change(sandbox):
    seen: list[dict] = []
    sandbox.state.store.listeners.append(seen.append)
    try:
        sandbox.mutate({"random": 5})
    finally:
        sandbox.state.store.listeners.remove(seen.append)
    assert len(seen) == 5 and all({"resource", "action", "id", "project_id"} <= set(c) for c in seen)


def test_created_projects_are_listed_and_their_tools_readable(api, sandbox):
    created = sandbox.mutate({"resource": "projects", "action": "create", "company_id": api.company_id})["changes"][0]
    pid = created["id"]
    listed = api.get("/rest/v1.0/projects", params={"company_id": api.company_id}).json()
    assert pid in {p["id"] for p in listed}
    assert api.get(f"/rest/v1.0/projects/{pid}/rfis").json() == []
    views = api.get("/rest/v1.0/budget_views", params={"project_id": pid}).json()
    assert [v["name"] for v in views] == ["Procore Standard Budget"]
    rfi = sandbox.mutate({"resource": "rfis", "action": "create", "project_id": pid})["changes"][0]
    sandbox.mutate({"resource": "rfis", "action": "update", "id": rfi["id"], "changes": {"subject": "Moved"}})
    assert [r["subject"] for r in api.get(f"/rest/v1.0/projects/{pid}/rfis").json()] == ["Moved"]
    sandbox.mutate({"resource": "projects", "action": "delete", "id": pid})
    assert api.get(f"/rest/v1.0/projects/{pid}/rfis").status_code == 404
    assert pid not in {p["id"] for p in api.get("/rest/v1.0/projects", params={
        "company_id": api.company_id, "filters[by_status]": "All"}).json()}
