"""Seeded projects: placement in the id layout, a profile each, and the record Procore lists.

The record carries the keys of both real project samples (`tests/fixtures/procore_samples/`): the
v1.0 list item of Procore's docs (`stage` as a string) and a captured v1.1 list item (`project_stage`
object, `created_by`, `custom_fields`, `project_region_id`, nulls for unset fields). The sandbox serves
the same record on `/rest/v1.0/projects` and `/rest/v1.1/projects`.
"""

from __future__ import annotations

import random

from procore_sandbox import vocab
from procore_sandbox.clock import day, iso
from procore_sandbox.data import BASES, DAY, CompanySeed, ProjectSeed
from procore_sandbox.profiles import Profile, draw_profile, stage_weights

# Keys Procore sends as null on projects that never set them (both samples agree).
_UNSET = ("accounting_project_number", "delivery_method", "designated_market_area", "fax", "origin_code",
          "origin_data", "origin_id", "owners_project_id", "parent_job_id", "project_bid_type_id",
          "project_owner_type_id", "project_type", "sector", "square_feet", "store_number", "work_scope")


def seed_projects(seed: int, companies: list[CompanySeed], per_company: int, anchor: int, records: int = 0
                  ) -> tuple[list[ProjectSeed], list[dict]]:
    """Every project (seed placement, profile, and the record Procore serves), company by company."""
    rng = random.Random(f"{seed}:projects")
    seeds, records_out = [], []
    next_id = BASES["projects"]
    for company in companies:
        for n in range(per_company):
            next_id += rng.randint(1, 97)
            profile = draw_profile(rng, n, records)
            seeds.append(ProjectSeed(id=next_id, company_id=company.id, index=len(seeds), profile=profile))
            records_out.append(make_project(rng, company, next_id, n, anchor, profile))
        _mark_unreadable(seed, company, seeds[-per_company:] if per_company else [])
    return seeds, records_out


def _mark_unreadable(seed: int, company: CompanySeed, projects: list[ProjectSeed]) -> None:
    """A few projects per company (at least one of each when it has 5 or more) are forbidden or hidden."""
    if len(projects) < 5:
        return
    rng = random.Random(f"{seed}:access:{company.id}")
    each = max(1, len(projects) // 50)
    chosen = rng.sample(range(1, len(projects)), 2 * each)
    for i in chosen[:each]:
        projects[i].access = "forbidden"
    for i in chosen[each:]:
        projects[i].access = "hidden"


def make_project(rng: random.Random, company: CompanySeed, pid: int, n: int, anchor: int, profile: Profile) -> dict:
    """One project as `GET /rest/v1.0/projects` lists it; its stage and dates follow its profile."""
    city, state, zipcode, lat, lon, county, time_zone = rng.choice(vocab.CITIES)
    name = f"{rng.choice(vocab.PROJECT_PLACES)} {rng.choice(vocab.PROJECT_KINDS)}"
    number = f"{rng.choice((22, 23, 24, 25))}-{1000 + n:04d}" if rng.random() > 0.05 else None
    stage_id, stage = rng.choices(vocab.STAGES, weights=stage_weights(profile.kind))[0]
    if profile.closed:
        created = anchor - rng.randint(800, 1500) * DAY - rng.randrange(DAY)
        start = created + rng.randint(10, 60) * DAY
        completion = min(anchor - rng.randint(30, 200) * DAY, start + rng.randint(300, 700) * DAY)
    else:
        created = anchor - rng.randint(60, 900) * DAY - rng.randrange(DAY)
        start = created + rng.randint(10, 120) * DAY
        completion = max(start, anchor) + rng.randint(90, 700) * DAY
    active = not (stage == "Warranty" and rng.random() < 0.5) and rng.random() > 0.03
    updated = min(anchor - rng.randrange(3600, 40 * DAY), max(created + DAY, anchor - rng.randrange(DAY, 200 * DAY)))
    value = f"{rng.randint(2_000, 250_000) * 1000:.2f}"
    creator = rng.choice(company.users)
    record = {
        "id": pid, "name": name, "display_name": f"{number} - {name}" if number else name, "project_number": number,
        "address": f"{rng.randint(100, 9999)} {rng.choice(vocab.STREETS)}", "city": city, "county": county,
        "state_code": state, "country_code": "US", "zip": zipcode,
        "latitude": round(lat + rng.uniform(-0.1, 0.1), 7), "longitude": round(lon + rng.uniform(-0.1, 0.1), 7),
        "stage": stage, "project_stage": {"id": stage_id, "name": stage}, "active": active,
        "start_date": day(start), "actual_start_date": day(start), "completion_date": day(completion),
        "projected_finish_date": day(completion), "total_value": value, "estimated_value": value,
        "created_at": iso(created), "updated_at": iso(max(updated, created)), "created_by": creator,
        "company": company.reference(), "custom_fields": _custom_fields(rng, company),
        "description": f"{name} for {company.name}.", "code": "", "erp_integrated": rng.random() < 0.3,
        "is_demo": False, "phone": f"(555) 01{n % 100:02d}-{rng.randint(1000, 9999)}" if rng.random() < 0.6 else None,
        "photo_id": 800_000_000 + pid, "project_region_id": rng.choice(company.regions)["id"], "time_zone": time_zone,
    }
    record.update(dict.fromkeys(_UNSET))
    return record


def _custom_fields(rng: random.Random, company: CompanySeed) -> dict:
    """A company's project custom fields: Procore keys them `custom_field_<id>` with `data_type` and `value`."""
    delivery, flag = company.custom_field_ids[:2]
    return {f"custom_field_{delivery}": {"data_type": "lov_entry",
                                         "value": rng.choice(({"id": 137_972, "label": "Standard"},
                                                              {"id": 254_970, "label": "Lump Sum"}, None))},
            f"custom_field_{flag}": {"data_type": "boolean", "value": rng.random() < 0.5}}


def created_project(company: CompanySeed, project_id: int, now: float) -> dict:
    """A project made by a mutation: the same keys, fresh values, created now."""
    record = make_project(random.Random(project_id), company, project_id, 0, int(now),
                          draw_profile(random.Random(0), 1, 0))
    record.update({"name": f"New project {project_id}", "display_name": f"New project {project_id}",
                   "project_number": f"N-{project_id}", "active": True, "created_at": iso(now), "updated_at": iso(now)})
    return record
