"""Weighted draws shared by the record generators, and seeded change events.

Change events follow a real captured `GET /rest/v1.0/change_events` item
(`tests/fixtures/procore_samples/change_event_v1_0_list_item.json`): an integer `number` beside the
string `alphanumeric_number`, `event_type` as the company's label, status and change reason as
objects, line items with string money.
"""

from __future__ import annotations

import bisect
import itertools
import random
from typing import Any

from procore_sandbox import vocab
from procore_sandbox.clock import iso
from procore_sandbox.data import DAY, below, between, choice, cost_code_id


def weighted(values: tuple, weights: tuple[int, ...]) -> tuple[tuple, list[int]]:
    """A table for `pick`: the values and their cumulative weights."""
    return values, list(itertools.accumulate(weights))


def pick(rng: random.Random, table: tuple[tuple, list[int]]) -> Any:
    """One value of a `weighted` table (faster than `rng.choices` for single draws)."""
    values, cumulative = table
    return values[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


CHANGE_EVENT_STATUSES = weighted(("open", "pending", "closed", "void"), (4, 2, 3, 1))
_STATUS_IDS = {"open": 31_807, "closed": 31_808, "void": 31_809, "pending": 31_810}
_EVENT_TYPES = ("Owner Change", "Allowance", "Contingency", "Transfer")
_REASONS = ("Client Request", "Design Development", "Existing Condition")


def make_change_event(rng: random.Random, company: Any, project_id: int, change_event_id: int, number: int,
                      anchor: int) -> dict:
    """One change event, as `GET /rest/v1.0/change_events?project_id=` lists it."""
    created = anchor - between(rng, 1, 400) * DAY - below(rng, DAY)
    status = pick(rng, CHANGE_EVENT_STATUSES)
    updated = max(created, min(anchor - 60, created + below(rng, 30 * DAY)))
    title = choice(rng, vocab.CHANGE_EVENT_TITLES)
    reason = below(rng, len(_REASONS))
    event = {
        "created_at": iso(created), "description": f"<p>{title}</p>",
        "event_scope": choice(rng, ("in_scope", "out_of_scope", "tbd")),
        "event_type": choice(rng, _EVENT_TYPES), "id": change_event_id, "number": number,
        "alphanumeric_number": f"{number:03d}", "project_id": project_id, "status": status, "title": title,
        "updated_at": iso(updated), "change_event_line_items": [],
        "change_order_change_reason": {"id": 41_540 + reason, "company_id": company.id,
                                       "change_reason": _REASONS[reason]},
        "change_event_status": {"id": _STATUS_IDS[status], "name": status.title(), "mapped_to_status": status,
                                "show_in_select": True, "default_status": status == "open"},
        "created_by": choice(rng, company.users), "attachments": [], "rfqs": [],
    }
    for n in range(choice(rng, (0, 1, 1, 2))):
        event["change_event_line_items"].append(_line_item(rng, company, project_id, event, n))
    return event


def _money(value: float) -> str:
    return f"{value:.1f}"


def _line_item(rng: random.Random, company: Any, project_id: int, event: dict, n: int) -> dict:
    """One change event line item (keys as in the real capture; amounts as strings)."""
    code_index = below(rng, len(vocab.COST_CODES))
    full_code, code_name = vocab.COST_CODES[code_index]
    vendor = choice(rng, company.vendors)
    cost, revenue = between(rng, 4, 400) * 125.0, between(rng, 4, 400) * 125.0
    item_id = event["id"] * 10 + n
    project_url = f"https://app.procore.com/{project_id}/project"
    base = f"{project_url}/change_events/events/{event['id']}"
    contract_id, rfq_id = 9_300_000 + vendor["id"] % 100_000, 1_800_000 + item_id % 100_000
    title = f"CE #{event['alphanumeric_number']} - {event['title']}"
    line_type = {"id": 832_346, "name": "Subcontract", "code": "S", "base_type": "commitment"}
    money = {key: _money(value) for key, value in (
        ("estimated_cost_amount", cost), ("rfq_amount", cost), ("rfq_amount_project_currency", cost), ("rom", cost),
        ("prime_pco_cost", revenue), ("prime_pco_cost_project_currency", revenue),
        ("latest_revenue_amount", revenue), ("latest_revenue_amount_project_currency", revenue),
        ("over_under_amount", revenue - cost), ("over_under_amount_project_currency", revenue - cost),
        ("revenue_rom_amount", revenue), ("revenue_rom_amount_project_currency", revenue),
        ("revenue_rom_quantity", 0.0), ("revenue_rom_unit_cost", 0.0), ("latest_cost_quantity", 0.0),
        ("latest_cost_unit_cost", 0.0), ("latest_cost_amount", cost), ("latest_cost_amount_project_currency", cost))}
    return {
        "id": item_id,
        "biller": {"id": project_id, "name": "Project", "model_name": "Project", "guid": f"P{project_id}"},
        "biller_guid": f"P{project_id}",
        "contract": {"id": contract_id, "number": f"C-{n + 1:03d}", "title": vendor["name"], "name": vendor["name"]},
        "cost_code": _cost_code(company, project_id, code_index),
        "cost_type": {"id": 832_346, "provider_id": company.id, "provider_type": "Company", "name": "Subcontract",
                      "csv_import_code": "S", "base_type": "commitment", "position": 20, "deleted_at": None,
                      "created_at": "2020-04-24T20:25:23Z", "updated_at": "2020-04-24T20:25:23Z",
                      "timesheet_type": True, "company_id": company.id, "equipment_timecard_entry_type": False},
        "cost_code_biller_name": "Project", "cost_code_id": cost_code_id(company.index, code_index),
        "cost_code_is_budgeted": True, "deletable": False, "description": event["title"].lower(), "editable": False,
        "event_id": event["id"], "line_item_type": line_type, "line_item_type_id": 832_346,
        "links": {"edit": f"{base}/edit?celi_id={item_id}", "view": f"{base}?celi_id={item_id}",
                  "parent": f"{base}?celi_id={item_id}", "contract": f"{project_url}/commitments/{contract_id}",
                  "rfq_amount": f"{project_url}/commitments/{contract_id}/request_for_quotes/{rfq_id}",
                  "rom": f"{base}?celi_id={item_id}", "prime_pco_cost": f"{project_url}/prime_contracts"},
        "number": event["alphanumeric_number"], "permission_to_edit": None,
        "proposed_contract_id": contract_id, "proposed_vendor_id": vendor["id"],
        "request_for_quote_id": rfq_id, "sortable_code": f"{full_code} - {code_name}",
        "status": event["status"].title(),
        "statuses": {"contract": "Approved", "rfq_amount": "Pending Final Approval", "rfq_tooltip": f"RFQ: {title}",
                     "prime_pco_cost": "Draft", "prime_pco_tooltip": f"PCO: {title}"},
        "title": event["title"], "vendor": vendor,
        "event_title_and_number": title, "is_markup_summary": False,
        "estimated_cost_calculation_strategy": "manual", "estimated_cost_quantity": None,
        "estimated_cost_unit_cost": None, "uom": None,
        "wbs_code": {"description": f"{code_name}.Subcontract", "flat_code": f"{full_code}.S",
                     "id": 488_000_000 + company.index * 1000 + code_index},
        "revenue_rom_display": "auto", "revenue_rom_calculation_strategy": "manual", "revenue_rom_uom": "ls",
        "latest_cost_calculation_strategy": "manual", "latest_cost_uom": "ls", "non_committed_cost": None,
        "manual_latest_cost_amount": None, **money,
    }


_LINE_ITEM_TYPES = [{"id": 832_340 + n, "name": name, "code": code, "base_type": base, "origin_id": str(3590 + n)}
                    for n, (code, name, base) in enumerate((("L", "Labor", "labor"), ("M", "Materials", "materials"),
                                                            ("S", "Subcontract", "commitment"),
                                                            ("E", "Equipment", "equipment"), ("O", "Other", "other")))]


def _cost_code(company: Any, project_id: int, code_index: int) -> dict:
    """A project's cost code as change event line items nest it."""
    full_code, name = vocab.COST_CODES[code_index]
    code_id = cost_code_id(company.index, code_index)
    return {"id": code_id, "name": name, "full_code": full_code, "origin_id": None, "origin_data": None,
            "standard_cost_code_id": 11_790_000 + code_index, "biller": "Project", "biller_id": project_id,
            "biller_type": "Project", "biller_origin_id": None, "budgeted": True, "code": full_code.split("-")[1],
            "parent": {"id": code_id - 1}, "sortable_code": full_code, "created_at": "2022-10-07T15:31:55Z",
            "deleted_at": None, "line_item_types": _LINE_ITEM_TYPES, "position": None,
            "updated_at": "2022-10-07T15:31:55Z"}
