"""Budget views are company-level: projects share view ids; unbudgeted rows are unique per (code, category)."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from procore_sandbox.handle import SandboxError


def test_projects_of_a_company_share_budget_view_ids(sandbox):
    views = [r for r in sandbox.records("budget_views") if not r["deleted_at"]]
    projects_per_view: dict[int, set[int]] = defaultdict(set)
    for item in views:
        projects_per_view[item["record"]["id"]].add(item["project_id"])
    standard = {item["record"]["id"] for item in views if item["record"]["name"] == "Procore Standard Budget"}
    assert len(standard) == len(sandbox.company_ids)  # one company-level standard view id per company
    assert all(len(projects_per_view[v]) > 1 for v in standard)
    owner = {item["record"]["id"] for item in views if item["record"]["name"] != "Procore Standard Budget"}
    assert owner and any(len(projects_per_view[v]) > 1 for v in owner)
    rows = sandbox.records("budget_rows")
    assert all(r["project_id"] and r["budget_view_id"] for r in rows)
    shared = next(iter(standard))
    assert len({r["project_id"] for r in rows if r["budget_view_id"] == shared}) > 1


def test_unbudgeted_rows_are_unique_per_code_and_category(start_sandbox_server):
    big = start_sandbox_server(records_per_project=400, projects=2, companies=1)  # more rows than code pairs
    rows = [r for r in big.records("budget_rows") if r["record"]["id"] is None]
    assert rows
    seen = Counter((r["project_id"], r["budget_view_id"], r["record"]["cost_code"], r["record"]["category"])
                   for r in rows)
    assert max(seen.values()) == 1


def test_budget_view_mutations_name_the_project(sandbox):
    item = next(r for r in sandbox.records("budget_views") if not r["deleted_at"])
    view_id, pid = item["record"]["id"], item["project_id"]
    with pytest.raises(SandboxError, match="needs its project_id"):
        sandbox.mutate({"resource": "budget_views", "action": "update", "id": view_id, "changes": {"name": "X"}})
    sandbox.mutate({"resource": "budget_views", "action": "update", "id": view_id, "project_id": pid,
                    "changes": {"description": "Renamed here only"}})
    after = [r for r in sandbox.records("budget_views") if r["record"]["id"] == view_id]
    changed = {r["project_id"] for r in after if r["record"]["description"] == "Renamed here only"}
    assert changed == {pid} and len(after) > 1
