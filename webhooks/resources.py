"""Procore webhook resource names and the warehouse streams they dirty.

A delivery for "RFIs" in project P means `raw.rfis` of P may be stale; the sensor re-reads that
(project, stream) pair incrementally. Budget events re-read the project's budget views and rows
(budgets have no `updated_at` filter, so the whole project budget is re-read anyway).
"""

from __future__ import annotations

EVENT_TYPES = ("create", "update", "delete")

# resource name -> (streams to re-read, event types Procore offers triggers for)
RESOURCES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Projects": (("projects",), ("create", "update")),
    "RFIs": (("rfis",), EVENT_TYPES),
    "Submittals": (("submittals",), EVENT_TYPES),
    "Budget Line Items": (("budget_views", "budget_rows"), EVENT_TYPES),
    "Budget Modifications": (("budget_views", "budget_rows"), EVENT_TYPES),
}

COMPANY_SCOPED_STREAMS = frozenset({"projects"})

_BY_LOWER = {name.lower(): name for name in RESOURCES}


def canonical_resource_name(name: str) -> str | None:
    """The catalogue spelling of a resource name (case-insensitive), or None when we do not sync it."""
    return _BY_LOWER.get(name.strip().lower())


def streams_for(resource_name: str) -> tuple[str, ...]:
    """The streams a change to `resource_name` dirties; empty for resources the pipeline does not sync."""
    canonical = canonical_resource_name(resource_name)
    return RESOURCES[canonical][0] if canonical else ()


def resource_name_for_stream(stream: str) -> str | None:
    """The Procore resource name whose events announce changes to `stream` (first match)."""
    for name, (streams, _events) in RESOURCES.items():
        if stream in streams:
            return name
    return None


def wanted_triggers() -> list[tuple[str, str]]:
    """Every (resource_name, event_type) trigger `register` sets up, in a stable order."""
    return [(name, event) for name, (_streams, events) in RESOURCES.items() for event in events]
