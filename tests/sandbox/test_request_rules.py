"""The company header rule (by grant type), unreadable projects, error body shapes and request stats."""

from __future__ import annotations

import requests

from procore_sandbox.tokens import SANDBOX_USER, SERVICE_ACCOUNT


def test_missing_company_header_is_404_with_procores_message(api):  # a client-credentials token
    for path in ("/rest/v1.0/me", "/rest/v1.0/companies", "/rest/v1.0/projects"):
        answer = api.get(path, params={"company_id": api.company_id},
                         headers={"Authorization": f"Bearer {api.token}"})
        assert answer.status_code == 404
        assert answer.json() == {"errors": "Missing Procore-Company-Id header!"}
        assert "X-Rate-Limit-Remaining" in answer.headers


def test_company_header_must_match_a_known_company_and_the_project(api, sandbox):
    assert api.get("/rest/v1.0/me", company_id=123).status_code == 403
    other = sandbox.company_ids[1]
    pid = api.readable_project(company_id=other)
    assert api.get(f"/rest/v1.0/projects/{pid}/rfis", company_id=other).status_code == 200
    assert api.get(f"/rest/v1.0/projects/{pid}/rfis").status_code == 404  # header names the wrong company
    answer = api.get("/rest/v1.0/projects", params={"company_id": other})
    assert answer.status_code == 403


def test_forbidden_projects_are_403_and_hidden_ones_404_on_every_tool(api, sandbox):
    info = sandbox.info()
    assert info["forbidden_project_ids"] and info["hidden_project_ids"]
    owner = {r["record"]["id"]: r["company_id"] for r in sandbox.records("projects")}
    for kind, status in (("forbidden_project_ids", 403), ("hidden_project_ids", 404)):
        for pid in info[kind]:
            cid = owner[pid]
            for path, params in ((f"/rest/v1.0/projects/{pid}/rfis", None),
                                 (f"/rest/v1.0/projects/{pid}/submittals/recycle_bin", None),
                                 ("/rest/v1.0/budget_views", {"project_id": pid}),
                                 ("/rest/v1.0/change_events", {"project_id": pid})):
                answer = api.get(path, params=params, company_id=cid)
                assert answer.status_code == status, (path, answer.text)
                assert set(answer.json()) <= {"errors", "error"}
    listed = api.get("/rest/v1.0/projects", params={"company_id": api.company_id, "filters[by_status]": "All"})
    listed_ids = {p["id"] for p in listed.json()}
    mine = {p for p, c in owner.items() if c == api.company_id}
    assert listed_ids == mine  # unreadable projects still appear in the company's list


def test_v2_errors_are_nested_and_v1_bad_params_name_the_field(api):
    v2 = api.get(f"/rest/v2.0/companies/{api.company_id}/projects/1/nothing")
    assert v2.status_code == 404
    assert set(v2.json()["error"]) == {"code", "message", "details"} and v2.json()["error"]["code"] == "NOT_FOUND"
    missing = api.get("/rest/v1.0/budget_views")
    assert missing.status_code == 400 and "project_id" in missing.json()["errors"]
    bad = api.get("/rest/v1.0/projects", params={"company_id": api.company_id, "filters[updated_at]": "yesterday"})
    assert bad.status_code == 400 and "filters[updated_at]" in bad.json()["errors"]


def test_stats_count_procore_calls_by_template_not_admin_calls(api, sandbox):
    sandbox.clear_stats()
    pid = api.readable_project()
    api.get(f"/rest/v1.0/projects/{pid}/rfis")
    api.get(f"/rest/v1.0/projects/{pid}/rfis")
    api.get("/rest/v1.0/me", headers={"Authorization": f"Bearer {api.token}"})
    sandbox.records("rfis")
    stats = sandbox.stats()
    assert stats["by_path"] == {"/rest/v1.0/projects/{project_id}/rfis": 2, "/rest/v1.0/me": 1}
    assert stats["by_status"] == {"200": 2, "404": 1} and stats["total"] == 3


def test_a_users_token_lists_its_companies_and_itself_without_the_header(api, sandbox):
    tokens = api.user_tokens()
    refreshed = api.refresh(tokens["refresh_token"]).json()
    for token in (tokens["access_token"], refreshed["access_token"]):
        bare = {"Authorization": f"Bearer {token}"}
        companies = api.get("/rest/v1.0/companies", headers=bare)
        assert companies.status_code == 200 and [c["id"] for c in companies.json()] == sandbox.company_ids
        assert [c["my_company"] for c in companies.json()] == [True] + [False] * (len(sandbox.company_ids) - 1)
        me = api.get("/rest/v1.0/me", headers=bare)
        assert me.status_code == 200 and me.json() == SANDBOX_USER
        # every other call still needs the header, whoever the token belongs to
        projects = api.get("/rest/v1.0/projects", params={"company_id": api.company_id}, headers=bare)
        assert projects.status_code == 404 and projects.json() == {"errors": "Missing Procore-Company-Id header!"}
        assert api.get("/rest/v1.0/me", token=token).json() == SANDBOX_USER  # with the header too
    info = requests.get(f"{sandbox.url}/oauth/token/info", timeout=10,
                        headers={"Authorization": f"Bearer {tokens['access_token']}"}).json()
    assert info["resource_owner_id"] == SANDBOX_USER["id"]


def test_a_service_accounts_token_needs_the_header_on_companies_and_me_too(api, sandbox):
    bare = {"Authorization": f"Bearer {api.token}"}
    for path in ("/rest/v1.0/companies", "/rest/v1.0/me", "/rest/v1.0/me/"):
        answer = api.get(path, headers=bare)
        assert answer.status_code == 404 and answer.json() == {"errors": "Missing Procore-Company-Id header!"}
    me = api.get("/rest/v1.0/me")
    assert me.status_code == 200 and me.json() == SERVICE_ACCOUNT
    other = sandbox.company_ids[1]
    listed = api.get("/rest/v1.0/companies", company_id=other).json()
    assert {c["id"]: c["my_company"] for c in listed} == {cid: cid == other for cid in sandbox.company_ids}
    info = requests.get(f"{sandbox.url}/oauth/token/info", timeout=10, headers=bare).json()
    assert info["resource_owner_id"] == SERVICE_ACCOUNT["id"]
