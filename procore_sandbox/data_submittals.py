"""Seeded submittals in the shape of real captured Procore submittals (a v1.0 list item and a v1.1 show,
`tests/fixtures/procore_samples/`): `status` an object whose `status` is the coarse state, `ball_in_court`
a list, approvers with responses and review dates, and the nulls Procore sends for unset dates, sub
jobs, locations and cost codes. Open submittals are overdue in the share the project's profile says.
"""

from __future__ import annotations

import random

from procore_sandbox import vocab
from procore_sandbox.clock import day, iso
from procore_sandbox.data import DAY, below, between, choice
from procore_sandbox.data_context import ProjectContext
from procore_sandbox.data_records import pick, weighted

SUBMITTAL_STATES = weighted(("Draft", "Open", "Closed"), (10, 35, 55))


def _approver(rng: random.Random, ctx: ProjectContext, approver_id: int, n: int, coarse: str,
              issued: int | None, due: int) -> tuple[dict, int | None]:
    """One approver and when it returned the submittal (None while pending)."""
    company = ctx.company
    user = choice(rng, company.contacts)
    returned = None
    if coarse == "Closed" or (coarse == "Open" and n == 0 and rng.random() < 0.3):
        start = issued or (due - 14 * DAY)
        review = min(rng.uniform(2, 25), (ctx.anchor - start) / DAY - 0.1)
        returned = int(start + max(0.05, review) * DAY)
    if returned:
        name, considered = choice(rng, vocab.APPROVER_RESPONSES)
        response_id = 15_343_000 + vocab.APPROVER_RESPONSES.index((name, considered))
    else:
        name, considered, response_id = "Pending", "pending", 15_343_999
    return {
        "id": approver_id, "approver_type": "Approver" if n == 0 else "Reviewer",
        "response": _response(response_id, name, considered),
        "returned_date": day(returned) if returned else None, "days_to_respond": 14,
        "sent_date": day(issued) if issued else None, "user": user, "workflow_group_number": n,
        "response_required": True, "comment": "See markups." if returned and rng.random() < 0.5 else "",
        "distributed": coarse == "Closed", "submittal_associated_attachment_ids": [], "due_date": day(due),
        "attachments": [],
    }, returned


def _dates(rng: random.Random, coarse: str, ctx: ProjectContext) -> tuple[int, int | None, int]:
    """(created, issued, due) Unix times."""
    anchor, profile = ctx.anchor, ctx.profile
    if coarse == "Closed":
        created = int(anchor - rng.uniform(60 if profile.closed else 20, 900 if profile.closed else 540) * DAY)
        issued = min(created + below(rng, 3 * DAY), anchor - 600)
        return created, issued, issued + between(rng, 10, 30) * DAY
    late = coarse == "Open" and rng.random() < profile.late_share
    due = anchor - between(rng, 1, 40) * DAY if late else anchor + between(rng, 1, 30) * DAY
    issued = min(due - between(rng, 10, 30) * DAY, anchor - 3600 - below(rng, DAY))
    created = issued - below(rng, 3 * DAY)
    return created, (None if coarse == "Draft" else issued), due


def make_submittal(rng: random.Random, ctx: ProjectContext, submittal_id: int, number: int) -> dict:
    """One submittal as `GET /rest/v1.0/projects/{id}/submittals` lists it."""
    company, anchor, draw = ctx.company, ctx.anchor, rng.random
    coarse = "Closed" if ctx.profile.closed else pick(rng, SUBMITTAL_STATES)
    status = choice(rng, company.statuses_by_state[coarse])
    created, issued, due = _dates(rng, coarse, ctx)
    approvers, ball, returned_last = [], [], None
    for n in range(1 if draw() < 0.67 else 2):
        approver, returned = _approver(rng, ctx, submittal_id * 10 + n, n, coarse, issued, due)
        approvers.append(approver)
        if returned:
            returned_last = max(returned_last or 0, returned)
        elif coarse == "Open":
            ball.append(approver["user"])
    manager = choice(rng, company.contacts)
    if coarse == "Draft":
        ball = [manager]
    distributed = min(returned_last + below(rng, 2 * DAY), anchor - 120) if coarse == "Closed" and returned_last \
        else None
    last = max(t for t in (created, issued, returned_last, distributed) if t is not None)
    updated = max(created, min(anchor - 60, last + below(rng, DAY)))
    section_index = below(rng, len(ctx.submittal_sections))
    section = ctx.submittal_sections[section_index]
    kind = choice(rng, company.submittal_types)
    location = choice(rng, ctx.locations) if draw() < 0.4 else None
    return {
        "id": submittal_id, "actual_delivery_date": None, "approvers": approvers, "associated_attachments": [],
        "ball_in_court": ball, "cost_code_id": choice(rng, ctx.cost_codes)["id"] if draw() < 0.3 else None,
        "created_at": iso(created), "created_by": manager, "current_revision": True,
        "custom_fields": _delivery_field(company), "description": f"{section['description']}: {kind['name'].lower()}",
        "distributed_at": iso(distributed) if distributed else None,
        "distribution_members": [manager] if distributed else [], "drawing_ids": [], "due_date": day(due),
        "formatted_number": f"{section['number'].replace(' ', '')}-{number}",
        "issue_date": day(issued) if issued else None, "last_distributed_submittal": None,
        "lead_time": None, "linked_drawing_ids": [],
        "location_id": location["id"] if location else None, "number": str(number), "private": False,
        "received_date": day(min(created + DAY, anchor)) if issued else None,
        "received_from": choice(rng, company.users) if issued and draw() < 0.5 else None,
        "required_on_site_date": day(due + between(rng, 20, 90) * DAY) if draw() < 0.5 else None,
        "responsible_contractor": choice(rng, company.vendors) if draw() < 0.8 else None,
        "revision": "0", "specification_section": section, "status": status, "sub_job_id": None,
        "submit_by": day(created + 7 * DAY) if draw() < 0.6 else None, "submittal_manager": manager,
        "submittal_package": _package(ctx, section_index, section, manager, updated),
        "submittal_workflow_template": None, "submittal_workflow_template_applied_at": None,
        "title": f"{section['description']} - {kind['name']}", "type": kind, "updated_at": iso(updated),
    }


_RESPONSES: dict[int, dict] = {}
_DELIVERY: dict[int, dict] = {}


def _response(response_id: int, name: str, considered: str) -> dict:
    if response_id not in _RESPONSES:
        _RESPONSES[response_id] = {"id": response_id, "name": name, "considered": considered}
    return _RESPONSES[response_id]


def _delivery_field(company) -> dict:
    """The submittal custom fields of a company: one datetime field, unset."""
    field_id = company.custom_field_ids[3]
    if field_id not in _DELIVERY:
        _DELIVERY[field_id] = {f"custom_field_{field_id}": {"data_type": "datetime", "value": None}}
    return _DELIVERY[field_id]


def _package(ctx: ProjectContext, n: int, section: dict, manager: dict, updated: int) -> dict:
    """The submittal package (one per spec section of the project)."""
    return {"id": 2_900_000 + ctx.project_id % 100_000 * 20 + n, "attachments": [], "attachments_count": 0,
            "created_by": manager, "description": "", "number": str(n + 1), "specification_section_id": None,
            "submittal_ids": [], "title": f"{section['description']} - Action Items", "updated_at": iso(updated)}
