"""Seeded budget views of one project, their detail columns and detail rows, in the shapes of real
captures (`tests/fixtures/procore_samples/budget_*`): views with `links` and `created_by`, columns with
string ids, rows with the fixed keys Procore sends (cost code levels, WBS segment items, forecast
object) plus one string money key per column label of the view.
"""

from __future__ import annotations

import random

from procore_sandbox import vocab
from procore_sandbox.clock import iso
from procore_sandbox.data import DAY, CompanySeed, below, between, choice, cost_code_id

STANDARD_VIEW = "Procore Standard Budget"
OWNER_VIEW = "Owner Forecast"
CALCULATED = frozenset({"Revised Budget", "Projected Costs", "Projected over Under", "Projected Budget",
                        "Estimated Cost at Completion"})


def make_view(view_id: int, name: str, anchor: int, rng: random.Random, project_id: int, creator: dict) -> dict:
    """A budget view as `GET /rest/v1.0/budget_views?project_id=` lists it."""
    created = anchor - between(rng, 100, 900) * DAY - below(rng, DAY)
    base = f"https://app.procore.com/rest/v1.0/budget_views/{view_id}"
    return {"id": view_id, "created_at": iso(created),
            "description": "Company standard budget view" if name == STANDARD_VIEW else "Owner-facing forecast",
            "name": name, "updated_at": iso(created + between(rng, 1, 90) * DAY), "role": "budgeting",
            "links": {"detail_rows": f"{base}/detail_rows?project_id={project_id}",
                      "summary_rows": f"{base}/summary_rows?project_id={project_id}"},
            "created_by": creator}


def view_labels(name: str) -> tuple[str, ...]:
    """The column labels of a view (the owner view lacks Direct Costs, Projected over Under and others)."""
    return vocab.STANDARD_LABELS if name == STANDARD_VIEW else vocab.OWNER_LABELS


def view_columns(view_id: int, name: str) -> list[dict]:
    """`GET /rest/v1.0/budget_views/{id}/budget_detail_columns`: a standard column, then one per label."""
    columns = [{"id": "detail_type", "name": "Detail Type", "groupable": True, "aggregatable": False,
                "type": "standard", "filterable": True, "position": -1}]
    columns += [{"id": str(view_id * 100 + n), "name": label, "aggregatable": True, "groupable": False,
                 "position": n, "type": "calculated" if label in CALCULATED else "source", "filterable": False}
                for n, label in enumerate(view_labels(name))]
    return columns


def _money(value: float) -> str:
    return format(value, ".2f")


def amounts(original: float, rng: random.Random, cost_ratio: tuple[float, float]) -> dict[str, float]:
    """Every measure of one line, consistent with each other (revised = original + changes, ...);
    committed costs run at `cost_ratio` of the revised budget (above 1 on an over-budget project)."""
    mods = choice(rng, (0.0, 0.0, round(original * rng.uniform(-0.05, 0.08), 2)))
    approved = choice(rng, (0.0, round(original * rng.uniform(0, 0.12), 2)))
    revised = original + mods + approved
    pending_budget = choice(rng, (0.0, 0.0, round(original * rng.uniform(0, 0.05), 2)))
    committed = round(revised * rng.uniform(*cost_ratio), 2)
    direct = round(revised * rng.uniform(0, 0.08), 2)
    pending_cost = choice(rng, (0.0, round(revised * rng.uniform(0, 0.04), 2)))
    projected_costs = committed + direct + pending_cost
    return {
        "Original Budget Amount": original, "Budget Modifications": mods, "Approved COs": approved,
        "Revised Budget": revised, "Pending Budget Changes": pending_budget,
        "Projected Budget": revised + pending_budget, "Committed Costs": committed, "Direct Costs": direct,
        "Pending Cost Changes": pending_cost, "Projected Costs": projected_costs,
        "Forecast To Complete": max(0.0, revised - projected_costs),
        "Estimated Cost at Completion": max(revised, projected_costs),
        "Projected over Under": revised + pending_budget - projected_costs,
    }


def _unbudgeted(values: dict[str, float], rng: random.Random) -> None:
    values.update({"Original Budget Amount": 0.0, "Revised Budget": 0.0, "Approved COs": 0.0,
                   "Budget Modifications": 0.0, "Pending Budget Changes": 0.0, "Projected Budget": 0.0})
    values["Committed Costs"] = float(between(rng, 4, 200) * 125)
    values["Projected Costs"] = values["Committed Costs"] + values["Direct Costs"] + values["Pending Cost Changes"]
    values["Projected over Under"] = -values["Projected Costs"]
    values["Forecast To Complete"] = 0.0
    values["Estimated Cost at Completion"] = values["Projected Costs"]


def _segments(code_id: int, code: str, name: str, category_id: int, category: tuple[str, str]) -> list[dict]:
    """`wbs_code.segment_items`: the cost code segment and the cost type segment."""
    division = code.split("-")[0]
    return [{"id": code_id, "code": code, "name": name, "path_code": code, "path_ids": [code_id - 1, code_id],
             "path_codes": [f"{division} - Division {division}", f"{code} - {name}"], "is_parent": False,
             "segment": {"id": 22_859, "type": "cost_code", "name": "Cost Code", "structure": "tiered"}},
            {"id": category_id, "code": category[0], "name": category[1], "path_code": category[0],
             "path_ids": [category_id], "path_codes": [category[0]], "is_parent": False,
             "segment": {"id": 22_860, "type": "line_item_type", "name": "Cost Type", "structure": "flat"}}]


_WBS: dict[tuple[int, int], dict] = {}
NO_CURRENCY = {"currency_iso_code": None}


def wbs_code(company_index: int, pair: int) -> dict:
    """The WBS code of a (cost code, category) pair in a company (one shared dict per pair)."""
    key = (company_index, pair)
    if key not in _WBS:
        code_index, category_index = divmod(pair, len(vocab.CATEGORIES))
        (code, code_name), category = vocab.COST_CODES[code_index], vocab.CATEGORIES[category_index]
        code_id = cost_code_id(company_index, code_index)
        _WBS[key] = {"id": 1_752_000_000 + company_index * 10_000 + pair, "description": f"{code_name}.{category[1]}",
                     "flat_code": f"{code}.{category[0]}", "flat_name": f"{code_name}.{category[1]}",
                     "segment_items": _segments(code_id, code, code_name, 832_340 + category_index, category)}
    return _WBS[key]


def _fixed(pair: int, project: dict, company: CompanySeed) -> dict:
    """The keys a row of this (cost code, category) pair in this project always carries."""
    code_index, category_index = divmod(pair, len(vocab.CATEGORIES))
    (code, code_name), category = vocab.COST_CODES[code_index], vocab.CATEGORIES[category_index]
    code_id = cost_code_id(company.index, code_index)
    wbs = wbs_code(company.index, pair)
    division = f"{code.split('-')[0]} - Division {code.split('-')[0]}"
    return {
        "curve": None, "start_date": None, "end_date": None, "budgetable": True, "wbs_code": wbs,
        "wbs_code_id": wbs["id"], "unbudgeted_reason": None, "currency_configuration": NO_CURRENCY,
        "budget_row_id": str(wbs["id"]), "biller_id": project["id"], "root_cost_code_id": code_id - 1,
        "cost_code_id": code_id, "cost_code_level_1_id": code_id - 1, "cost_code_level_2_id": code_id,
        "cost_code_level_3_id": 0, "cost_code_level_4_id": 0, "cost_code_level_5_id": 0,
        "cost_code_level_1": division, "cost_code_level_2": f"{code} - {code_name}", "cost_code_level_3": "None",
        "cost_code_level_4": "None", "cost_code_level_5": "None", "cost_code_origin_id": None,
        "category_id": 832_340 + category_index, "biller": project["name"], "biller_type": "Project",
        "root_cost_code": division, "cost_code": f"{code} - {code_name}", "category": category[1], "uom": "ls",
        "quantity": "1.000000000000", "calculation_strategy": "automatic", "project_id": project["id"],
        "project": project["name"], "company_id": company.id, "company": company.name,
    }


def make_row(rng: random.Random, row_id: int | None, pair: int, labels: tuple[str, ...], project: dict,
             company: CompanySeed, cost_ratio: tuple[float, float] = (0.45, 0.95), fixed: dict | None = None
             ) -> dict:
    """One detail row: fixed keys plus one string money key per view label; `row_id` None = unbudgeted.
    `pair` indexes the (cost code, category) combination, which fixes the row's WBS code (`fixed`: the
    row's fixed keys, when the caller already has them)."""
    original = 0.0 if row_id is None else float(between(rng, 20, 4000) * 250)
    values = amounts(original, rng, cost_ratio)
    if row_id is None:
        _unbudgeted(values, rng)
    forecast = _money(values["Forecast To Complete"])
    row = {
        **(fixed or _fixed(pair, project, company)), "id": row_id, "deletable": row_id is None,
        "budgeted": row_id is not None, "unit_cost": f"{original:.4f}",
        "budget_forecast": {"id": 34_000_000 + company.index * 10_000 + pair, "manual_amount": "0.00",
                            "automatic_amount": forecast, "amount": forecast, "automatically_calculated": True,
                            "calculation_strategy": "automatic", "notes": ""},
        "budget_modifications": _money(values["Budget Modifications"]),
        "original_budget_amount": _money(values["Original Budget Amount"]),
    }
    for label in labels:
        row[label] = _money(values[label])
    return row


def make_rows(rng: random.Random, first_id: int, count: int, name: str, project: dict, company: CompanySeed,
              cost_ratio: tuple[float, float]) -> list[dict]:
    """`count` rows of one view: budgeted lines (ids from `first_id`) then a few unbudgeted ones."""
    labels = view_labels(name)
    unbudgeted = 0 if count < 4 else max(1, count // 10)
    pairs = len(vocab.COST_CODES) * len(vocab.CATEGORIES)
    distinct = sorted(rng.sample(range(pairs), min(count, pairs)))
    unbudgeted = min(unbudgeted, len(distinct))
    reused = [below(rng, pairs) for _ in range(count - len(distinct))]  # more rows than pairs: sub jobs
    # Unbudgeted rows (no id) take distinct pairs: Procore has one unbudgeted row per (code, category).
    budgeted = distinct[: len(distinct) - unbudgeted] + reused
    fixed: dict[int, dict] = {}
    for pair in set(budgeted) | set(distinct):
        fixed[pair] = _fixed(pair, project, company)
    rows = [make_row(rng, first_id + n, pair, labels, project, company, cost_ratio, fixed[pair])
            for n, pair in enumerate(budgeted)]
    rows += [make_row(rng, None, pair, labels, project, company, cost_ratio, fixed[pair])
             for pair in distinct[len(distinct) - unbudgeted:]]
    return rows
