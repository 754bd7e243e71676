"""The sandbox serves Procore's core reads over real HTTP with a client-credentials token."""

from __future__ import annotations

import requests


def _token(sandbox) -> str:
    response = requests.post(f"{sandbox.url}/oauth/token", data={
        "grant_type": "client_credentials", "client_id": sandbox.client_id, "client_secret": sandbox.client_secret})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def test_core_reads_answer_like_procore(sandbox):
    headers = {"Authorization": f"Bearer {_token(sandbox)}", "Procore-Company-Id": str(sandbox.company_ids[0])}
    companies = requests.get(f"{sandbox.url}/rest/v1.0/companies", headers=headers).json()
    assert [c["id"] for c in companies] == sandbox.company_ids
    projects = requests.get(f"{sandbox.url}/rest/v1.0/projects", headers=headers,
                            params={"company_id": sandbox.company_ids[0], "filters[by_status]": "All"}).json()
    info = sandbox.info()
    readable = [p for p in projects if p["id"] not in info["forbidden_project_ids"] + info["hidden_project_ids"]]
    pid = readable[0]["id"]
    rfis = requests.get(f"{sandbox.url}/rest/v1.0/projects/{pid}/rfis", headers=headers).json()
    expected = {r["record"]["id"] for r in sandbox.records("rfis") if r["project_id"] == pid}
    # a company's first project is a busy one: 2 to 3 times the medium size (records_per_project=10)
    assert {r["id"] for r in rfis} == expected and 20 <= len(rfis) <= 30
    views = requests.get(f"{sandbox.url}/rest/v1.0/budget_views", headers=headers, params={"project_id": pid}).json()
    assert views[0]["name"] == "Procore Standard Budget"
    rows = requests.get(f"{sandbox.url}/rest/v1.0/budget_views/{views[0]['id']}/detail_rows", headers=headers,
                        params={"project_id": pid, "budget_row_type": "all"}).json()
    assert any(r["id"] is None for r in rows) and all(isinstance(r["Revised Budget"], str) for r in rows)
    assert sandbox.stats()["by_path"]["/rest/v1.0/projects/{project_id}/rfis"] == 1
