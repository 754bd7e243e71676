"""One project's tool data (RFIs, submittals, change events, budget views and rows), generated on first use."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from procore_sandbox.collection import Collection
from procore_sandbox.data import BASES, STRIDE, CompanySeed, ProjectSeed
from procore_sandbox.data_budget import OWNER_VIEW, STANDARD_VIEW, make_rows, make_view, view_columns
from procore_sandbox.data_context import project_context
from procore_sandbox.data_records import make_change_event
from procore_sandbox.data_rfis import make_rfi
from procore_sandbox.data_submittals import make_submittal


@dataclass
class ProjectData:
    """Every tool resource of one project."""

    rfis: Collection = field(default_factory=Collection)
    submittals: Collection = field(default_factory=Collection)
    change_events: Collection = field(default_factory=Collection)
    budget_views: Collection = field(default_factory=Collection)
    budget_rows: dict[int, Collection] = field(default_factory=dict)
    budget_columns: dict[int, list[dict]] = field(default_factory=dict)
    next_number: dict[str, int] = field(default_factory=dict)

    def collection(self, resource: str, view_id: int | None = None) -> Collection | None:
        """The collection holding `resource` (for budget rows, the rows of `view_id`)."""
        if resource == "budget_rows":
            return self.budget_rows.get(view_id) if view_id is not None else None
        return getattr(self, resource, None) if resource in ("rfis", "submittals", "change_events",
                                                              "budget_views") else None


def generate_project(seed: int, company: CompanySeed, project: ProjectSeed, project_record: dict, anchor: int
                     ) -> ProjectData:
    """The seeded data of one project, sized by its profile; forbidden and hidden projects hold none."""
    data = ProjectData()
    if project.access != "ok" or project.profile is None:
        return data
    profile = project.profile
    rng = random.Random(f"{seed}:project:{project.id}")
    ctx = project_context(company, project, project_record, anchor)
    base = project.index * STRIDE
    for n in range(profile.rfis):
        data.rfis.add(make_rfi(rng, ctx, BASES["rfis"] + base + n, n + 1))
    for n in range(profile.submittals):
        data.submittals.add(make_submittal(rng, ctx, BASES["submittals"] + base + n, n + 1))
    for n in range(profile.change_events):
        data.change_events.add(make_change_event(rng, company, project.id, BASES["change_events"] + base + n, n + 1,
                                                 anchor))
    # Both views are company-level (ids shared by the company's projects); every other project also has the owner view.
    names = [STANDARD_VIEW] + ([OWNER_VIEW] if project.index % 2 == 1 else [])
    next_row = BASES["budget_rows"] + base
    creator = project_record.get("created_by") or company.users[0]
    for n, name in enumerate(names):
        view_id = company.budget_view_id(n)
        data.budget_views.add(make_view(view_id, name, anchor, rng, project.id, creator))
        data.budget_columns[view_id] = view_columns(view_id, name)
        rows = Collection()
        for i, row in enumerate(make_rows(rng, next_row, profile.budget_rows, name, project_record, company,
                                          profile.cost_ratio)):
            rows.add(row, key=row["id"] if row["id"] is not None else f"unbudgeted-{i}")
        next_row += profile.budget_rows
        data.budget_rows[view_id] = rows
    data.next_number = {"rfis": profile.rfis + 1, "submittals": profile.submittals + 1,
                        "change_events": profile.change_events + 1}
    return data
