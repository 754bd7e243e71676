"""What every record of one project draws from: its company, profile, stage, locations and sections."""

from __future__ import annotations

import random
from dataclasses import dataclass

from procore_sandbox import vocab
from procore_sandbox.clock import iso
from procore_sandbox.data import DAY, CompanySeed, ProjectSeed, cost_code_id
from procore_sandbox.profiles import Profile, draw_profile


@dataclass
class ProjectContext:
    """One project's shared shapes (built once per project; records nest these dicts)."""

    company: CompanySeed
    project_id: int
    anchor: int
    profile: Profile
    stage: dict  # the RFI form of project_stage
    locations: list[dict]
    spec_sections: list[dict]  # the RFI form
    submittal_sections: list[dict]  # the submittal form: with the specification area
    cost_codes: list[dict]


def project_context(company: CompanySeed, project: ProjectSeed, project_record: dict, anchor: int) -> ProjectContext:
    """The context of a seeded (or created) project."""
    stage = project_record.get("project_stage") or {"id": 3, "name": "Course of Construction"}
    base = max(project.index, 0) * 100 + company.index * 10_000_000
    locations = [{"id": 29_000_000 + base + n, "name": name, "node_name": name, "parent_id": None,
                  "created_at": iso(anchor - (400 - n) * DAY), "updated_at": iso(anchor - (400 - n) * DAY)}
                 for n, name in enumerate(vocab.LOCATIONS)]
    sections = [{"id": 35_000_000 + base + n, "description": desc, "label": f"{number} - {desc}", "number": number,
                 "current_revision_id": 43_000_000 + base + n, "viewable_document_id": 780_000_000 + base + n}
                for n, (number, desc) in enumerate(vocab.SPEC_SECTIONS)]
    codes = [{"id": cost_code_id(company.index, n), "name": name, "full_code": code}
             for n, (code, name) in enumerate(vocab.COST_CODES)]
    return ProjectContext(
        company=company, project_id=project.id, anchor=anchor,
        profile=project.profile or draw_profile_default(),
        stage={"id": stage["id"], "default_stage": True, "dependent_projects": 0, "formatted_name": stage["name"],
               "formatted_parent_name": None, "name": stage["name"], "parent_id": None, "procore_category": False},
        locations=locations, spec_sections=sections, cost_codes=codes,
        submittal_sections=[{**s, "specification_area_id": 790, "specification_area_name": "Area 01"}
                            for s in sections])


def draw_profile_default() -> Profile:
    """The profile of a project created by a mutation (a steady one; it starts empty anyway)."""
    return draw_profile(random.Random(0), 1, 0)
