"""Seeded RFIs in the shape of a real captured Procore RFI (`tests/fixtures/procore_samples/rfi_v1_0_show.json`).

The harsh cases a real company sends are spread realistically: a share of RFIs with no priority
(`{"name": false, "value": null}`), with `cost_code`, `received_from`, `responsible_contractor` or
`location` null, `sub_job` always null. Open RFIs are past due in the
share the project's profile says (late items concentrate on busy projects); a closed project's RFIs
are all closed.
"""

from __future__ import annotations

import math
import random

from procore_sandbox import vocab
from procore_sandbox.clock import day, iso
from procore_sandbox.data import DAY, below, between, choice
from procore_sandbox.data_context import ProjectContext
from procore_sandbox.data_records import pick, weighted

IMPACT_STATUSES = ("yes_known", "yes_unknown", "no_impact", "tbd", "n_a")
RFI_STATUSES = weighted(("open", "closed", "draft", "closed_with_revision", "closed_draft"), (35, 45, 10, 7, 3))
CLOSED_STATUSES = weighted(("closed", "closed_with_revision"), (9, 1))
COST_IMPACT = weighted(IMPACT_STATUSES, (15, 10, 45, 20, 10))
SCHEDULE_IMPACT = weighted(IMPACT_STATUSES, (10, 10, 55, 15, 10))
TRANSLATED = {"open": "Open", "closed": "Closed", "draft": "Draft", "closed_with_revision": "Closed with Revision",
              "closed_draft": "Closed Draft"}
NO_PRIORITY = {"name": False, "value": None}
NO_TEXT = {"label": None, "value": ""}
PRIORITIES = [{"name": name, "value": value} for name, value in vocab.RFI_PRIORITIES]


def _timeline(rng: random.Random, status: str, ctx: ProjectContext) -> tuple[int, int, int, int | None]:
    """(created, initiated, due, resolved) Unix times for an RFI of `status`."""
    anchor, profile = ctx.anchor, ctx.profile
    if status.startswith("closed"):
        oldest = 900 if profile.closed else 540
        created = int(anchor - rng.uniform(60 if profile.closed else 20, oldest) * DAY - below(rng, 3600))
        initiated = min(created + below(rng, 2 * DAY), anchor - 600)
        start = initiated
        due = start + between(rng, 7, 28) * DAY
        response_days = min(math.exp(rng.gauss(2.0, 0.7)), (anchor - start) / DAY - 0.1)
        return created, initiated, due, int(start + max(0.05, response_days) * DAY)
    if rng.random() < profile.late_share:
        due = anchor - between(rng, 1, 45) * DAY  # overdue
    else:
        due = anchor + between(rng, 0, 21) * DAY
    start = min(due - between(rng, 7, 28) * DAY, anchor - 3600 - below(rng, 2 * DAY))
    created = start - below(rng, DAY)
    return created, start, due, None


def make_rfi(rng: random.Random, ctx: ProjectContext, rfi_id: int, number: int) -> dict:
    """One RFI as `GET /rest/v1.0/projects/{id}/rfis` lists it."""
    company, draw = ctx.company, rng.random
    status = pick(rng, CLOSED_STATUSES) if ctx.profile.closed else pick(rng, RFI_STATUSES)
    closed = status.startswith("closed")
    draft = status in ("draft", "closed_draft")
    created, initiated, due, resolved = _timeline(rng, status, ctx)
    last = max(initiated, resolved or created)
    updated = max(created, min(ctx.anchor - 60, last + below(rng, 3 * DAY)))
    people = len(company.users)
    first = below(rng, people)
    picks = (first,) if draw() < 0.75 else (first, below(rng, people))
    manager = below(rng, people)
    assignees = [company.assignees[i] for i in picks]
    holder_index = manager if draft else first
    holder = company.contacts[holder_index]
    cost_status, schedule_status = pick(rng, COST_IMPACT), pick(rng, SCHEDULE_IMPACT)
    topic = choice(rng, vocab.RFI_TOPICS)
    location = choice(rng, ctx.locations) if draw() < 0.85 else None
    subject = f"{topic} at {location['name'] if location else 'site'}"
    author = company.users[manager]
    text = f"{topic}. Please advise."
    question = {
        "id": rfi_id + 500_000_000, "created_by": author["name"], "plain_text_body": text, "body": f"<p>{text}</p>",
        "rich_text_body": f"<p>{text}</p>", "attachments": _attachments(rng, rfi_id), "answers": [],
        "question_date": iso(initiated),
    }
    return {
        "id": rfi_id, "link": f"https://app.procore.com/{ctx.project_id}/project/rfi/show/{rfi_id}",
        "project_stage": ctx.stage, "assignees": assignees, "initiated_at": iso(initiated),
        "ball_in_courts": [] if closed else ([company.assignees[holder_index]] if draft else assignees),
        "cost_impact": {"status": cost_status,
                        "value": round(rng.uniform(500, 80_000), 2) if cost_status == "yes_known" else None},
        "custom_fields": _flag(company, draw() < 0.2), "due_date": day(due), "full_number": f"RFI-{number:03d}",
        "number": str(number), "prefix": None,
        "priority": NO_PRIORITY if draw() < 0.3 else choice(rng, PRIORITIES),
        "proposed_solution": None, "private": draw() < 0.05,
        "received_from": choice(rng, company.users) if draw() < 0.85 else None, "rfi_manager": author,
        "schedule_impact": {"status": schedule_status,
                            "value": between(rng, 1, 30) if schedule_status == "yes_known" else None},
        "status": status, "subject": subject, "time_resolved": iso(resolved) if resolved else None,
        "translated_status": TRANSLATED[status], "created_at": iso(created), "updated_at": iso(updated),
        "revision": "1" if status == "closed_with_revision" else "0", "current_revision": True,
        "assignee": company.contacts[first], "ball_in_court": holder, "reference": "",
        "location_id": location["id"] if location else None, "questions": [question], "accepted": closed,
        "ball_in_court_role": "rfi_manager" if draft or closed else "assignees", "change_events": [],
        "coordination_issues": [], "custom_textfield_1": NO_TEXT, "title": subject, "draft": draft,
        "drawing_ids": [], "drawing_number": "", "source_rfi_header_id": rfi_id,
        "has_revisions": status == "closed_with_revision", "distribution_list": [],
        "cost_code": choice(rng, ctx.cost_codes) if draw() < 0.6 else None,
        "specification_section": choice(rng, ctx.spec_sections), "location": location,
        "sub_job": None, "responsible_contractor": choice(rng, company.vendors) if draw() < 0.9 else None,
        "created_by": author,
    }


_FLAGS: dict[tuple[int, bool], dict] = {}


def _flag(company, value: bool) -> dict:
    """The RFI custom fields of a company: one boolean field (one shared dict per value)."""
    key = (company.custom_field_ids[2], value)
    if key not in _FLAGS:
        _FLAGS[key] = {f"custom_field_{key[0]}": {"data_type": "boolean", "value": value}}
    return _FLAGS[key]


def _attachments(rng: random.Random, rfi_id: int) -> list[dict]:
    if rng.random() >= 0.3:
        return []
    name = f"RFI-{rfi_id % 10_000}-sketch.pdf"
    return [{"id": 5_000_000_000 + rfi_id, "can_be_viewed": True, "filename": name, "name": name,
             "url": f"https://storage.procore.com/api/v5/files/{rfi_id}", "viewable": True}]
