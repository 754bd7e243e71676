"""Budget views are company-level: two projects sharing a view id (and an unbudgeted row key) keep their own figures."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

from transforms.runner import run_all
from transforms.settings import TransformSettings

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def test_projects_sharing_a_view_id_keep_their_own_measures(raw_con, insert):
    insert("raw.projects", [{"id": p, "company_id": 10, "name": f"P{p}", "active": True} for p in (1, 2)])
    insert("raw.budget_views", [{"project_id": p, "company_id": 10, "id": 5, "name": "Procore Standard Budget"}
                                for p in (1, 2)])
    key = "unbudgeted:01-100.L:Labor"
    insert("raw.budget_rows", [
        {"project_id": p, "company_id": 10, "budget_view_id": 5, "budget_row_id": key, "id": None,
         "cost_code": "01-100", "category": "Labor", "original_budget_amount": "0.00",
         "label_amounts": {"Committed Costs": amount, "Revised Budget": "0.00"}}
        for p, amount in ((1, "100.00"), (2, "900.00"))
    ])
    run_all(raw_con, TransformSettings(now=NOW))
    rows = raw_con.execute("SELECT project_id, committed_costs FROM marts.budget_row_measures ORDER BY 1").fetchall()
    assert rows == [(1, D("100.00")), (2, D("900.00"))]
    metrics = raw_con.execute("SELECT project_id, committed_costs FROM marts.project_metrics ORDER BY 1").fetchall()
    assert metrics == [(1, D("100.00")), (2, D("900.00"))]
