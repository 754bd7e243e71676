"""Seeded budget views of one project, their detail columns and detail rows (label-named string money)."""

from __future__ import annotations

import random

from procore_source.sandbox import vocab
from procore_source.sandbox.clock import iso
from procore_source.sandbox.data import DAY, below, between, choice

STANDARD_VIEW = "Procore Standard Budget"
OWNER_VIEW = "Owner Forecast"


def make_view(view_id: int, name: str, anchor: int, rng: random.Random) -> dict:
    """A budget view as `GET /rest/v1.0/budget_views` lists it."""
    created = anchor - between(rng, 100, 900) * DAY - below(rng, DAY)
    return {"id": view_id, "name": name,
            "description": "Company standard budget view" if name == STANDARD_VIEW else "Owner-facing forecast",
            "created_at": iso(created), "updated_at": iso(created + between(rng, 1, 90) * DAY)}


def view_labels(name: str) -> tuple[str, ...]:
    """The column labels of a view (the owner view lacks Direct Costs, Projected over Under and others)."""
    return vocab.STANDARD_LABELS if name == STANDARD_VIEW else vocab.OWNER_LABELS


def view_columns(view_id: int, name: str) -> list[dict]:
    """`GET /rest/v1.0/budget_views/{id}/budget_detail_columns`: one entry per column label."""
    return [{"id": view_id * 100 + n, "name": label, "position": n,
             "type": "calculated" if label in ("Revised Budget", "Projected Costs", "Projected over Under",
                                               "Projected Budget", "Estimated Cost at Completion") else "source"}
            for n, label in enumerate(view_labels(name))]


def _money(value: float) -> str:
    return f"{value:.2f}"


def amounts(original: float, rng: random.Random) -> dict[str, float]:
    """Every measure of one line, consistent with each other (revised = original + changes, ...)."""
    mods = choice(rng, (0.0, 0.0, round(original * rng.uniform(-0.05, 0.08), 2)))
    approved = choice(rng, (0.0, round(original * rng.uniform(0, 0.12), 2)))
    revised = original + mods + approved
    pending_budget = choice(rng, (0.0, 0.0, round(original * rng.uniform(0, 0.05), 2)))
    committed = round(revised * rng.uniform(0.4, 1.08), 2)
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


def make_row(rng: random.Random, row_id: int | None, code: tuple[str, str], category: tuple[str, str],
             labels: tuple[str, ...], project_id: int) -> dict:
    """One detail row: fixed keys plus one string money key per view label; `row_id` None = unbudgeted."""
    (full_code, code_name), (cat_code, cat_name) = code, category
    original = 0.0 if row_id is None else float(between(rng, 20, 4000) * 250)
    values = amounts(original, rng)
    if row_id is None:
        values.update({"Original Budget Amount": 0.0, "Revised Budget": 0.0, "Approved COs": 0.0,
                       "Budget Modifications": 0.0, "Pending Budget Changes": 0.0, "Projected Budget": 0.0})
        values["Committed Costs"] = float(between(rng, 4, 200) * 125)
        values["Projected Costs"] = values["Committed Costs"] + values["Direct Costs"] + values["Pending Cost Changes"]
        values["Projected over Under"] = -values["Projected Costs"]
        values["Forecast To Complete"] = 0.0
        values["Estimated Cost at Completion"] = values["Projected Costs"]
    flat = f"{full_code}.{cat_code}"
    row = {
        "id": row_id, "project_id": project_id, "cost_code": full_code, "root_cost_code": full_code.split("-")[0],
        "category": cat_name, "description": f"{code_name}.{cat_name}",
        "wbs_code": {"id": None if row_id is None else row_id + 7, "flat_code": flat,
                     "description": f"{code_name}.{cat_name}"},
        "budget_row_type": "unbudgeted" if row_id is None else "budgeted",
        "original_budget_amount": _money(values["Original Budget Amount"]),
        "budget_modifications": _money(values["Budget Modifications"]),
        "budget_forecast": {"amount": _money(values["Forecast To Complete"]), "forecast_type": "automatic"},
    }
    for label in labels:
        row[label] = _money(values[label])
    return row


def make_rows(rng: random.Random, first_id: int, count: int, name: str, project_id: int) -> list[dict]:
    """`count` rows of one view: budgeted lines (ids from `first_id`) then a few unbudgeted ones."""
    labels = view_labels(name)
    unbudgeted = 0 if count < 4 else max(1, count // 10)
    pairs = [(c, k) for c in vocab.COST_CODES for k in vocab.CATEGORIES]
    distinct = sorted(rng.sample(range(len(pairs)), min(count, len(pairs))))
    unbudgeted = min(unbudgeted, len(distinct))
    reused = [below(rng, len(pairs)) for _ in range(count - len(distinct))]  # more rows than pairs: sub jobs
    # Unbudgeted rows (no id) take distinct pairs: Procore has one unbudgeted row per (code, category).
    budgeted = distinct[: len(distinct) - unbudgeted] + reused
    rows = [make_row(rng, first_id + n, *pairs[index], labels, project_id) for n, index in enumerate(budgeted)]
    rows += [make_row(rng, None, *pairs[index], labels, project_id) for index in distinct[len(distinct) - unbudgeted:]]
    return rows
