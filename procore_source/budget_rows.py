"""Budget detail rows: their stable key and their label-named money columns.

Procore sends a row's fixed keys (ids, cost code, category, WBS code, the original budget, ...)
and, beside them, one key per column of the budget view, named after the column's label
(`"Current Budget": "30000.00"`). The labels go to `label_amounts`; the transforms map them to
measures. Unbudgeted rows have no id, so the key falls back to the WBS code id, else the flat
code, category and sub job.
"""

from __future__ import annotations

from typing import Any

from procore_source.convert import encode_json
from procore_source.flatten import FlattenError

# Keys Procore sends on a budget detail row that are not view columns (from the real capture in
# tests/fixtures/procore_samples/budget_detail_row_v1_0.json and Procore's documented keys).
BUDGET_ROW_FIXED_KEYS = frozenset(
    {
        "id", "cost_code", "root_cost_code", "category", "wbs_code", "original_budget_amount",
        "budget_modifications", "budget_forecast", "description", "budget_row_type", "project_id",
        "cost_code_id", "category_id", "sub_job", "calculation_strategy", "unit_qty", "unit_of_measure",
        "unit_cost", "uom", "has_children", "is_parent", "parent_id", "line_item_id",
        "curve", "start_date", "end_date", "deletable", "budgeted", "budgetable", "wbs_code_id",
        "unbudgeted_reason", "currency_configuration", "budget_row_id", "biller_id", "biller", "biller_type",
        "root_cost_code_id", "cost_code_origin_id", "quantity", "project", "company_id", "company",
    }
)
_FIXED_PREFIXES = ("cost_code_level_",)  # cost_code_level_1, cost_code_level_1_id, ... one per code level


def is_label(key: str, value: Any) -> bool:
    """Whether a row key is one of the view's label-named columns (a scalar under a non-fixed key)."""
    return (key not in BUDGET_ROW_FIXED_KEYS and not key.startswith(_FIXED_PREFIXES)
            and not isinstance(value, (dict, list, bool)))


def budget_row_extras(record: dict) -> dict[str, Any]:
    """A stable key (unbudgeted rows have no id) and the label-named money columns as JSON."""
    row_id = record.get("id")
    if row_id is None:
        row_key = unbudgeted_key(record)
    elif type(row_id) is int or (type(row_id) is str and row_id.isdigit()):
        row_key = str(row_id)
    else:  # the id is the key: a row whose id is an object or a word cannot be placed
        raise FlattenError(f"column budget_row_id (id): expected BIGINT, got {type(row_id).__name__} {row_id!r:.60}")
    labels = {k: v for k, v in record.items() if is_label(k, v)}
    return {"budget_row_id": row_key, "label_amounts": encode_json(labels)}


def unbudgeted_key(record: dict) -> str:
    """The key of a row without an id: its WBS code id when present, else flat code + category (+ sub job)."""
    wbs = record.get("wbs_code")
    wbs = wbs if isinstance(wbs, dict) else {}
    if wbs.get("id") is not None:
        return f"unbudgeted:wbs:{wbs['id']}"
    key = f"unbudgeted:{wbs.get('flat_code') or record.get('cost_code') or ''}:{record.get('category') or ''}"
    sub_job = record.get("sub_job")
    sub_job_id = sub_job.get("id") if isinstance(sub_job, dict) else sub_job
    return key if sub_job_id is None else f"{key}:sub_job:{sub_job_id}"
