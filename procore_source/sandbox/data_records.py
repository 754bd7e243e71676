"""Seeded RFIs, submittals and change events of one project, shaped as Procore's list endpoints serve them."""

from __future__ import annotations

import bisect
import itertools
import math
import random
from typing import Any

from procore_source.sandbox import vocab
from procore_source.sandbox.clock import day, iso
from procore_source.sandbox.data import DAY, CompanySeed, below, between, choice

IMPACT_STATUSES = ("yes_known", "yes_unknown", "no_impact", "tbd", "n_a")


def weighted(values: tuple, weights: tuple[int, ...]) -> tuple[tuple, list[int]]:
    """A table for `pick`: the values and their cumulative weights."""
    return values, list(itertools.accumulate(weights))


def pick(rng: random.Random, table: tuple[tuple, list[int]]) -> Any:
    """One value of a `weighted` table (faster than `rng.choices` for single draws)."""
    values, cumulative = table
    return values[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


RFI_STATUSES = weighted(("open", "closed", "draft", "closed_with_revision", "closed_draft"), (35, 45, 10, 7, 3))
COST_IMPACT = weighted(IMPACT_STATUSES, (15, 10, 45, 20, 10))
SCHEDULE_IMPACT = weighted(IMPACT_STATUSES, (10, 10, 55, 15, 10))
PRIORITIES = weighted(("low", "normal", "high"), (2, 6, 2))
SUBMITTAL_STATES = weighted(("Draft", "Open", "Closed"), (10, 35, 55))
CHANGE_EVENT_STATUSES = weighted(("open", "pending", "closed", "void"), (4, 2, 3, 1))


def _person(rng: random.Random, company: CompanySeed) -> dict:
    # Shared dicts are safe: records are encoded to JSON as soon as they are made.
    return choice(rng, company.people)


def make_rfi(rng: random.Random, company: CompanySeed, project_id: int, rfi_id: int, number: int,
             anchor: int) -> dict:
    """One RFI: status mix, overdue share, response times and impacts as a busy project has them."""
    status = pick(rng, RFI_STATUSES)
    closed = status.startswith("closed")
    age_days = rng.uniform(1, 30) if status in ("open", "draft") else rng.uniform(20, 540)
    created = int(anchor - age_days * DAY - below(rng, 3600))
    initiated = None if status in ("draft", "closed_draft") else min(created + below(rng, 2 * DAY), anchor - 600)
    due = (initiated or created) + between(rng, 7, 28) * DAY
    resolved = None
    if closed:
        start = initiated or created
        response_days = min(math.exp(rng.gauss(2.0, 0.7)), (anchor - start) / DAY - 0.1)
        resolved = int(start + max(0.05, response_days) * DAY)
    last = max(t for t in (created, initiated, resolved) if t is not None)
    updated = min(anchor - 60, last + below(rng, 3 * DAY))
    assignees = [_person(rng, company) for _ in range(choice(rng, (1, 1, 1, 2)))]
    ball = [] if closed else ([_person(rng, company)] if status == "draft" else assignees)
    cost_status = pick(rng, COST_IMPACT)
    schedule_status = pick(rng, SCHEDULE_IMPACT)
    manager = _person(rng, company)
    topic = choice(rng, vocab.RFI_TOPICS)
    location = choice(rng, vocab.LOCATIONS)
    code, code_name = choice(rng, vocab.COST_CODES)
    return {
        "id": rfi_id, "number": str(number), "full_number": f"RFI-{number}", "subject": f"{topic} at {location}",
        "status": status, "due_date": day(due), "initiated_at": iso(initiated) if initiated else None,
        "created_at": iso(created), "updated_at": iso(max(updated, created)),
        "time_resolved": iso(resolved) if resolved else None,
        "assignee": assignees[0], "assignees": assignees,
        "ball_in_court": ball[0] if ball else None, "ball_in_courts": ball,
        "responsible_contractor": choice(rng, company.vendors), "rfi_manager": manager,
        "received_from": _person(rng, company), "created_by": manager,
        "cost_impact": {"status": cost_status,
                        "value": round(rng.uniform(500, 80_000), 2) if cost_status == "yes_known" else None},
        "schedule_impact": {"status": schedule_status,
                            "value": between(rng, 1, 30) if schedule_status == "yes_known" else None},
        "priority": pick(rng, PRIORITIES),
        "location": {"id": 7_000 + vocab.LOCATIONS.index(location), "name": location},
        "cost_code": {"id": 90_000 + vocab.COST_CODES.index((code, code_name)), "name": code_name,
                      "full_code": code},
        "questions": [{"id": rfi_id * 10 + 1, "body": f"<p>{topic}. Please advise.</p>",
                       "plain_text_body": f"{topic}. Please advise.", "created_at": iso(created)}],
        "private": rng.random() < 0.05, "deleted_at": None, "custom_fields": {},
        "link": f"https://app.procore.com/{project_id}/project/rfi/show/{rfi_id}",
    }


def make_submittal(rng: random.Random, company: CompanySeed, submittal_id: int, number: int, anchor: int) -> dict:
    """One submittal: status object, approvers with responses and review times, ball in court."""
    coarse = pick(rng, SUBMITTAL_STATES)
    status = dict(choice(rng, [s for s in company.submittal_statuses if s["status"] == coarse]))
    age_days = rng.uniform(1, 40) if coarse != "Closed" else rng.uniform(20, 540)
    created = int(anchor - age_days * DAY - below(rng, 3600))
    issued = None if coarse == "Draft" else min(created + below(rng, 3 * DAY), anchor - 600)
    due = (issued or created) + between(rng, 10, 30) * DAY
    section_no, section_name = choice(rng, vocab.SPEC_SECTIONS)
    approvers, ball, returned_last = [], [], None
    for n in range(choice(rng, (1, 1, 2))):
        user = _person(rng, company)
        returned = None
        if coarse == "Closed" or (coarse == "Open" and n == 0 and rng.random() < 0.3):
            start = issued or created
            review = min(rng.uniform(2, 25), (anchor - start) / DAY - 0.1)
            returned = int(start + max(0.05, review) * DAY)
            returned_last = max(returned_last or 0, returned)
        if returned:
            name, considered = choice(rng, vocab.APPROVER_RESPONSES)
        else:
            name, considered = "Pending", "pending"
            if coarse == "Open":
                ball.append(user)
        approvers.append({
            "id": submittal_id * 10 + n, "user": user,
            "response": {"id": 500 + vocab.APPROVER_RESPONSES.index((name, considered)) if returned else 599,
                         "name": name, "considered": considered},
            "sent_date": day(issued) if issued else None, "returned_date": day(returned) if returned else None,
            "due_date": day(due), "days_to_respond": 10,
        })
    manager = _person(rng, company)
    if coarse == "Draft":
        ball = [manager]
    closed_at = returned_last + below(rng, 2 * DAY) if coarse == "Closed" and returned_last else None
    if closed_at:
        closed_at = min(closed_at, anchor - 120)
    last = max(t for t in (created, issued, returned_last, closed_at) if t is not None)
    updated = min(anchor - 60, last + below(rng, DAY))
    spec_id = 30_000 + vocab.SPEC_SECTIONS.index((section_no, section_name))
    return {
        "id": submittal_id, "number": str(number), "formatted_number": f"{section_no.replace(' ', '')}-{number}",
        "title": f"{section_name} {choice(rng, vocab.SUBMITTAL_TYPES).lower()}", "revision": "0",
        "status": status, "type": choice(rng, company.submittal_types),
        "specification_section": {"id": spec_id, "number": section_no, "description": section_name,
                                  "label": f"{section_no} - {section_name}"},
        "due_date": day(due), "received_date": day(min(created + DAY, anchor)) if issued else None,
        "issue_date": day(issued) if issued else None, "submit_by": day(created + 7 * DAY),
        "distributed_at": iso(closed_at) if closed_at else None, "closed_at": iso(closed_at) if closed_at else None,
        "ball_in_court": ball, "approvers": approvers,
        "responsible_contractor": choice(rng, company.vendors), "submittal_manager": manager,
        "created_at": iso(created), "updated_at": iso(max(updated, created)), "current_revision": True,
        "private": False, "custom_fields": {}, "deleted_at": None,
    }


def make_change_event(rng: random.Random, change_event_id: int, number: int, anchor: int) -> dict:
    """One change event, as `GET /rest/v1.0/change_events` lists it."""
    created = anchor - between(rng, 1, 400) * DAY - below(rng, DAY)
    status = pick(rng, CHANGE_EVENT_STATUSES)
    updated = min(anchor - 60, created + below(rng, 30 * DAY))
    return {
        "id": change_event_id, "number": f"{number:03d}", "title": choice(rng, vocab.CHANGE_EVENT_TITLES),
        "description": None, "status": status,
        "event_scope": choice(rng, ("in_scope", "out_of_scope", "tbd")),
        "event_type": choice(rng, ("owner_change", "allowance", "contingency", "transfer")),
        "change_reason": choice(rng, ("Client Request", "Design Development", "Existing Condition")),
        "estimated_amount": f"{between(rng, 1, 400) * 250:.2f}",
        "created_at": iso(created), "updated_at": iso(max(updated, created)), "deleted_at": None,
    }
