"""Procore webhook resource names and the warehouse streams they dirty.

A delivery for "RFIs" in project P means `raw.rfis` of P may be stale; the sensor re-reads that
(project, stream) pair incrementally. Budget events re-read the project's budget views and rows
(budgets have no `updated_at` filter, so the whole project budget is re-read anyway).

Names are Procore's trigger `resource_name`s (see docs/procore-facts.md). Which budget resources
a company offers depends on its budget features (companies on Budget Changes no longer have Budget
Modifications), so the budget triggers `register` creates are a setting
(`PROCORE_WEBHOOK_BUDGET_RESOURCES`); an event for any "Budget ..." resource dirties the budget.
"""

from __future__ import annotations

from collections.abc import Sequence

EVENT_TYPES = ("create", "update", "delete")
BUDGET_STREAMS = ("budget_views", "budget_rows")
DEFAULT_BUDGET_RESOURCES = ("Budget Line Items", "Budget Modifications")

# resource name -> (streams to re-read, event types Procore offers triggers for); budgets are below
RESOURCES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Projects": (("projects",), ("create", "update")),
    "RFIs": (("rfis",), EVENT_TYPES),
    "Submittals": (("submittals",), EVENT_TYPES),
}

COMPANY_SCOPED_STREAMS = frozenset({"projects"})

_BY_LOWER = {name.lower(): name for name in RESOURCES}


def is_budget_resource(name: str) -> bool:
    """True for Procore's budget resources ("Budget Line Items", "Budget Changes", ...)."""
    return name.strip().lower().startswith("budget ")


def canonical_resource_name(name: str) -> str | None:
    """The catalogue spelling of a resource name (case-insensitive), or None when we do not sync it."""
    if is_budget_resource(name):
        return name.strip()
    return _BY_LOWER.get(name.strip().lower())


def streams_for(resource_name: str) -> tuple[str, ...]:
    """The streams a change to `resource_name` dirties; empty for resources the pipeline does not sync."""
    if is_budget_resource(resource_name):
        return BUDGET_STREAMS
    canonical = canonical_resource_name(resource_name)
    return RESOURCES[canonical][0] if canonical else ()


def wanted_triggers(budget_resources: Sequence[str] = DEFAULT_BUDGET_RESOURCES) -> list[tuple[str, str]]:
    """Every (resource_name, event_type) trigger `register` sets up, in a stable order."""
    pairs = [(name, event) for name, (_streams, events) in RESOURCES.items() for event in events]
    return pairs + [(name, event) for name in budget_resources for event in EVENT_TYPES]
