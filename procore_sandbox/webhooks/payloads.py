"""Procore-shaped webhook event bodies for a sandbox change, in payload formats v2, v3 and v4."""

from __future__ import annotations

import os
import random
import time

# Sandbox resource -> the Procore webhook resource name announcing it.
RESOURCE_NAMES = {
    "projects": "Projects",
    "rfis": "RFIs",
    "submittals": "Submittals",
    "budget_rows": "Budget Line Items",
    "change_events": "Change Events",
}
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ulid(now: float | None = None) -> str:
    """A ULID: 48-bit millisecond time then 80 random bits, in Crockford base32 (26 characters)."""
    value = (int((time.time() if now is None else now) * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def new_event_id(rng: random.Random) -> int:
    """Procore's numeric event ids exceed 2^53 (JavaScript-unsafe): draw them from 2^62 .. 2^63."""
    return rng.randrange(2**62, 2**63)


def event_body(change: dict, *, version: str, event_id: int, ulid: str, timestamp: str) -> dict | None:
    """The delivery body for one sandbox change (see mutations.py) in `version`; None if not webhook-able."""
    name = RESOURCE_NAMES.get(change.get("resource"))
    if name is None or change.get("id") is None:
        return None
    project_id = change.get("project_id")
    if change["resource"] == "projects":
        project_id = change["id"]
    if version == "v4":
        return {"id": ulid, "timestamp": timestamp, "reason": change["action"],
                "company_id": str(change["company_id"]), "project_id": None if project_id is None else str(project_id),
                "user_id": "1000001", "resource_type": name, "resource_id": str(change["id"])}
    body = {
        "id": event_id, "ulid": ulid, "timestamp": timestamp,
        "metadata": {"source_user_id": 1000001, "source_project_id": project_id, "source_operation_id": None,
                     "source_company_id": change["company_id"], "source_application_id": None},
        "user_id": 1000001, "company_id": change["company_id"], "project_id": project_id,
        "api_version": f"{version}.0", "event_type": change["action"], "resource_name": name,
        "resource_id": change["id"],
    }
    if version == "v3":
        body["related_resources"] = []
    return body
