"""Deterministic seeding of companies and projects, and the id layout every resource follows.

Everything comes from `random.Random` instances keyed by the seed (never the global generator),
so the same seed gives the same ids and fields. Timestamps are laid out backwards from the
sandbox clock's start (`anchor`, Unix seconds). Project-level records (RFIs, submittals, budgets,
change events) are generated lazily per project by `data_records`, each from its own generator,
so the order in which projects are first read does not change what they hold. Projects themselves
are seeded by `data_projects`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from procore_sandbox import vocab
from procore_sandbox.profiles import Profile

# Seeded ids of project-level resources are BASES + project_index * STRIDE + n; created ones start
# at BASES + CREATED_OFFSET, beyond every seeded range, so ids stay unique across the sandbox. Record
# ids exceed 2^31 (as Procore's do: attachments 5283309550, wbs codes 1752071628), so 32-bit ids fail.
STRIDE = 10_000
CREATED_OFFSET = 900_000_000
BASES = {
    "rfis": 3_000_000_000, "submittals": 4_000_000_000, "budget_views": 900_000,
    "budget_rows": 5_000_000_000, "change_events": 6_000_000_000, "projects": 100_000,
}
DAY = 86_400
T = TypeVar("T")


def cost_code_id(company_index: int, code_index: int) -> int:
    """The id of a company's cost code (`vocab.COST_CODES[code_index]`); its division's is one less.
    RFIs, change events and budget rows name the same cost code by the same id."""
    return 971_232_000 + company_index * 1000 + code_index * 2 + 1



@dataclass
class CompanySeed:
    """One company and the people, vendors and vocabulary its projects draw from, in Procore's shapes.

    People come in the shapes Procore nests them in: `users` as `{id, login, name}` (rfi_manager,
    created_by, received_from), `contacts` as `{id, name, locale, login}` with the person's company in
    the name (assignee, ball_in_court, approver users), `assignees` adding `response_required`.
    """

    id: int
    name: str
    users: list[dict] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    assignees: list[dict] = field(default_factory=list)
    vendors: list[dict] = field(default_factory=list)
    regions: list[dict] = field(default_factory=list)
    submittal_statuses: list[dict] = field(default_factory=list)
    submittal_types: list[dict] = field(default_factory=list)
    custom_field_ids: list[int] = field(default_factory=list)
    statuses_by_state: dict[str, list[dict]] = field(default_factory=dict)  # coarse state -> statuses
    index: int = 0  # position in seeding order: its company-level budget view ids derive from it

    def budget_view_id(self, n: int) -> int:
        """The id of the company's `n`-th budget view (0: "Procore Standard Budget"); views are configured
        at company level and assigned to projects, so every project of the company shares these ids."""
        return BASES["budget_views"] + self.index * 10 + n

    def reference(self) -> dict:
        """The company as records nest it: `{id, name}`."""
        return {"id": self.id, "name": self.name}

    def public(self, my_company: bool = False) -> dict:
        """The company as `GET /rest/v1.0/companies` lists it (Procore's Company: id, name, is_active,
        logo_url, pcn_business_experience, my_company)."""
        return {"id": self.id, "name": self.name, "is_active": True,
                "logo_url": f"https://storage.procore.com/companies/{self.id}/logo.png",
                "pcn_business_experience": False, "my_company": my_company}


@dataclass
class ProjectSeed:
    """Where a project sits: its company, its index in the id layout, whether it is readable, its profile."""

    id: int
    company_id: int
    index: int
    access: str = "ok"  # "ok", "forbidden" (403 on its tools) or "hidden" (404)
    profile: Profile | None = None  # None for projects created by mutations (they start empty)


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
        companies.append(_company(seed, cid, name, i))
    return companies


def _company(seed: int, cid: int, name: str, i: int) -> CompanySeed:
    company = CompanySeed(id=cid, name=name, index=i)
    crng = random.Random(f"{seed}:company:{cid}")
    company.vendors = [{"id": crng.randrange(10_000_000, 29_999_999), "name": v} for v in vocab.VENDOR_NAMES]
    for n in range(30):
        first, last = crng.choice(vocab.FIRST_NAMES), crng.choice(vocab.LAST_NAMES)
        login = f"{first}.{last}".lower().replace("'", "") + f"{n}@example.com"
        person_id = crng.randrange(1_000_000, 13_999_999)
        employer = name if n < 20 else crng.choice(vocab.VENDOR_NAMES)  # a third work for subcontractors
        locale = crng.choice(("", "", None, "en"))
        company.users.append({"id": person_id, "login": login, "name": f"{first} {last}"})
        company.contacts.append({"id": person_id, "name": f"{first} {last} ({employer})", "locale": locale,
                                 "login": login})
        company.assignees.append({**company.contacts[-1], "response_required": n % 3 == 0})
    company.regions = [{"id": 72_000 + 100 * i + n, "name": r} for n, r in enumerate(vocab.REGIONS)]
    company.submittal_statuses = [
        {"id": 115_000 + 10 * i + n, "name": status_name, "status": coarse}
        for n, (status_name, coarse) in enumerate(vocab.SUBMITTAL_STATUSES)
    ]
    company.statuses_by_state = {coarse: [s for s in company.submittal_statuses if s["status"] == coarse]
                                 for coarse in ("Draft", "Open", "Closed")}
    company.submittal_types = [
        {"id": 48_000 + 10 * i + n, "name": t, "translated_name": t} for n, t in enumerate(vocab.SUBMITTAL_TYPES)
    ]
    company.custom_field_ids = [76_000 + 1000 * i + n for n in range(4)]
    return company


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
