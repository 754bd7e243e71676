"""Deterministic seeding of companies and projects, and the id layout every resource follows.

Everything comes from `random.Random` instances keyed by the seed (never the global generator),
so the same seed gives the same ids and fields. Timestamps are laid out backwards from the
sandbox clock's start (`anchor`, Unix seconds). Project-level records (RFIs, submittals, budgets,
change events) are generated lazily per project by `data_records`, each from its own generator,
so the order in which projects are first read does not change what they hold.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from procore_source.sandbox import vocab
from procore_source.sandbox.clock import day, iso

# Seeded ids of project-level resources are BASE + project_index * STRIDE + n; created ones start
# at BASE + CREATED_OFFSET, beyond every seeded range, so ids stay unique across the sandbox.
STRIDE = 10_000
CREATED_OFFSET = 900_000_000
BASES = {
    "rfis": 1_000_000_000, "submittals": 2_000_000_000, "budget_views": 3_000_000_000,
    "budget_rows": 4_000_000_000, "change_events": 5_000_000_000, "projects": 100_000,
}
DAY = 86_400
T = TypeVar("T")


@dataclass
class CompanySeed:
    """One company and the people, vendors and submittal vocabulary its projects draw from."""

    id: int
    name: str
    people: list[dict] = field(default_factory=list)
    vendors: list[dict] = field(default_factory=list)
    submittal_statuses: list[dict] = field(default_factory=list)
    submittal_types: list[dict] = field(default_factory=list)
    index: int = 0  # position in seeding order: its company-level budget view ids derive from it

    def budget_view_id(self, n: int) -> int:
        """The id of the company's `n`-th budget view (0: "Procore Standard Budget"); views are configured
        at company level and assigned to projects, so every project of the company shares these ids."""
        return BASES["budget_views"] + self.index * 10 + n

    def public(self) -> dict:
        """The company as `GET /rest/v1.0/companies` lists it."""
        return {"id": self.id, "name": self.name, "is_active": True, "logo_url": None}


@dataclass
class ProjectSeed:
    """Where a project sits: its company, its index in the id layout, and whether it is readable."""

    id: int
    company_id: int
    index: int
    access: str = "ok"  # "ok", "forbidden" (403 on its tools) or "hidden" (404)


def seed_companies(seed: int, count: int) -> list[CompanySeed]:
    """`count` companies; the first has a 562949953xxxxxx-style id, as large real ones do."""
    rng = random.Random(f"{seed}:companies")
    companies, used = [], set()
    for i in range(count):
        cid = 562_949_953_000_000 + rng.randrange(1_000_000) if i == 0 else rng.randrange(4_000_000, 9_000_000)
        while cid in used:
            cid += 1
        used.add(cid)
        name = vocab.COMPANY_NAMES[i % len(vocab.COMPANY_NAMES)] + ("" if i < len(vocab.COMPANY_NAMES) else f" {i}")
        company = CompanySeed(id=cid, name=name, index=i)
        crng = random.Random(f"{seed}:company:{cid}")
        logins = set()
        for n in range(30):
            first, last = crng.choice(vocab.FIRST_NAMES), crng.choice(vocab.LAST_NAMES)
            login = f"{first}.{last}".lower().replace("'", "") + f"{n}@example.com"
            logins.add(login)
            company.people.append({"id": crng.randrange(1_000_000, 9_999_999), "login": login,
                                   "name": f"{first} {last}"})
        company.vendors = [{"id": crng.randrange(100_000, 999_999), "name": v} for v in vocab.VENDOR_NAMES]
        company.submittal_statuses = [
            {"id": 115_000 + 10 * i + n, "name": name, "status": coarse}
            for n, (name, coarse) in enumerate(vocab.SUBMITTAL_STATUSES)
        ]
        company.submittal_types = [
            {"id": 48_000 + 10 * i + n, "name": t} for n, t in enumerate(vocab.SUBMITTAL_TYPES)
        ]
        companies.append(company)
    return companies


def seed_projects(seed: int, companies: list[CompanySeed], per_company: int, anchor: int
                  ) -> tuple[list[ProjectSeed], list[dict]]:
    """Every project (seed placement and the record Procore serves), company by company."""
    rng = random.Random(f"{seed}:projects")
    seeds, records = [], []
    next_id = BASES["projects"]
    for company in companies:
        for n in range(per_company):
            next_id += rng.randint(1, 97)
            seeds.append(ProjectSeed(id=next_id, company_id=company.id, index=len(seeds)))
            records.append(_project_record(rng, company, next_id, n, anchor))
        _mark_unreadable(seed, company, seeds[-per_company:] if per_company else [])
    return seeds, records


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


def _project_record(rng: random.Random, company: CompanySeed, pid: int, n: int, anchor: int) -> dict:
    city, state, zipcode, lat, lon = rng.choice(vocab.CITIES)
    name = f"{rng.choice(vocab.PROJECT_PLACES)} {rng.choice(vocab.PROJECT_KINDS)}"
    number = f"{rng.choice((22, 23, 24, 25))}-{1000 + n:04d}"
    stage_id, stage = rng.choices(vocab.STAGES, weights=(1, 2, 6, 2, 1))[0]
    created = anchor - rng.randint(60, 1500) * DAY - rng.randrange(DAY)
    start = created + rng.randint(10, 120) * DAY
    completion = start + rng.randint(180, 900) * DAY
    active = stage not in ("Warranty",) and rng.random() > 0.05
    updated = min(anchor - rng.randrange(3600, 40 * DAY), max(created + DAY, anchor - rng.randrange(DAY, 200 * DAY)))
    return {
        "id": pid, "name": name, "display_name": f"{number} - {name}", "project_number": number,
        "address": f"{rng.randint(100, 9999)} {rng.choice(vocab.STREETS)}", "city": city,
        "state_code": state, "country_code": "US", "zip": zipcode,
        "latitude": round(lat + rng.uniform(-0.1, 0.1), 6), "longitude": round(lon + rng.uniform(-0.1, 0.1), 6),
        "stage": stage, "project_stage": {"id": stage_id, "name": stage}, "active": active,
        "start_date": day(start), "completion_date": day(completion),
        "total_value": f"{rng.randint(2_000, 250_000) * 1000:.2f}",
        "created_at": iso(created), "updated_at": iso(max(updated, created)),
        "company": {"id": company.id, "name": company.name}, "custom_fields": {},
        "time_zone": "US/Central", "phone": None, "public_notes": None, "origin_id": None,
    }


# Single draws from `rng.random()`: several times faster than `choice`/`randrange`/`randint`,
# which matters when a thousand projects are generated.
def choice(rng: random.Random, seq: Sequence[T]) -> T:
    """A uniform pick from a non-empty sequence."""
    return seq[int(rng.random() * len(seq))]


def below(rng: random.Random, n: int) -> int:
    """A uniform integer in [0, n)."""
    return int(rng.random() * n)


def between(rng: random.Random, low: int, high: int) -> int:
    """A uniform integer in [low, high]."""
    return low + int(rng.random() * (high - low + 1))
