"""The sandbox's state: companies, projects, lazily generated tool data, the clock, and change listeners."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator

from procore_sandbox.bundle import ProjectData, generate_project
from procore_sandbox.clock import SandboxClock
from procore_sandbox.collection import Collection, Entry
from procore_sandbox.data import (
    BASES,
    CREATED_OFFSET,
    STRIDE,
    CompanySeed,
    ProjectSeed,
    seed_companies,
)
from procore_sandbox.data_budget import STANDARD_VIEW, make_view, view_columns
from procore_sandbox.data_projects import seed_projects
from procore_sandbox.options import SandboxOptions, parse_start_time

PROJECT_RESOURCES = ("rfis", "submittals", "change_events", "budget_views", "budget_rows")
RESOURCES = ("projects",) + PROJECT_RESOURCES


class Store:
    """All records the sandbox serves. Handlers run on one event loop; a lock guards cross-thread use."""

    def __init__(self, options: SandboxOptions) -> None:
        self.options = options
        start = parse_start_time(options.start_time).timestamp() if options.start_time else None
        self.clock = SandboxClock(start)
        self.lock = threading.RLock()
        # Called with every change dict (see mutations.py), e.g. to deliver webhooks later.
        self.listeners: list[Callable[[dict], None]] = []
        self.reset()

    def reset(self) -> None:
        """Back to the seeded state (same anchor, clock back to its start offset)."""
        with self.lock:
            self.clock.reset()
            opts = self.options
            self.anchor = self.clock.start
            self.companies: list[CompanySeed] = seed_companies(opts.seed, opts.companies)
            self.company_by_id = {c.id: c for c in self.companies}
            seeds, records = seed_projects(opts.seed, self.companies, opts.projects, self.anchor,
                                           opts.records_per_project)
            self.seed_list: list[ProjectSeed] = seeds
            self.project_seeds: dict[int, ProjectSeed] = {s.id: s for s in seeds}
            self.projects: dict[int, Collection] = {c.id: Collection() for c in self.companies}
            # as seeded: a project's tool data derives from these, whatever mutations did to the project since
            self.seed_records: dict[int, dict] = {}
            for seed, record in zip(seeds, records, strict=True):
                self.projects[seed.company_id].add(record)
                self.seed_records[seed.id] = record
            self._bundles: dict[int, ProjectData] = {}
            self._created: dict[str, int] = {}
            self._created_index: dict[tuple[str, int], tuple[int, int | None]] = {}
            self.mutation_rng = random.Random(f"{opts.seed}:mutations")

    # -- lookups ---------------------------------------------------------------------------------
    def project_data(self, project_id: int) -> ProjectData:
        """The tool data of a project, generated on first use."""
        data = self._bundles.get(project_id)
        if data is None:
            with self.lock:
                data = self._bundles.get(project_id)
                if data is None:
                    seed = self.project_seeds[project_id]
                    company = self.company_by_id[seed.company_id]
                    data = generate_project(self.options.seed, company, seed, self.seed_records[project_id],
                                            self.anchor)
                    self._bundles[project_id] = data
        return data

    def project_entry(self, project_id: int) -> Entry | None:
        """The project's record entry (live or deleted), or None for an unknown id."""
        seed = self.project_seeds.get(project_id)
        return self.projects[seed.company_id].get(project_id) if seed else None

    def access(self, company_id: int, project_id: int) -> str:
        """`ok`, `forbidden` (403), or `missing` (404: unknown, other company, hidden or deleted)."""
        seed = self.project_seeds.get(project_id)
        entry = self.project_entry(project_id)
        if seed is None or seed.company_id != company_id or entry is None or entry.deleted_at:
            return "missing"
        return {"ok": "ok", "forbidden": "forbidden"}.get(seed.access, "missing")

    def unreadable(self, kind: str) -> list[int]:
        """Seeded project ids whose tools answer 403 (`forbidden`) or 404 (`hidden`)."""
        return [s.id for s in self.project_seeds.values() if s.access == kind]

    def locate(self, resource: str, record_id: int) -> tuple[int, int | None] | None:
        """(project_id, budget_view_id) holding a record of `resource` with this id, or None.

        Not for budget views: their ids are company-level and shared by projects (see `CompanySeed`).
        """
        found = self._created_index.get((resource, record_id))
        if found:
            return found
        offset = record_id - BASES.get(resource, -10**18)
        if not 0 <= offset < CREATED_OFFSET:
            return None
        index = offset // STRIDE
        if index >= len(self.seed_list):
            return None
        pid = self.seed_list[index].id
        data = self.project_data(pid)
        if resource == "budget_rows":
            for view_id, rows in data.budget_rows.items():
                if rows.get(record_id):
                    return pid, view_id
            return None
        coll = data.collection(resource)
        return (pid, None) if coll is not None and coll.get(record_id) else None

    def new_id(self, resource: str, project_id: int, view_id: int | None = None) -> int:
        """A fresh id for a created record, beyond every seeded id of that resource."""
        n = self._created[resource] = self._created.get(resource, 0) + 1
        new = BASES[resource] + CREATED_OFFSET + n
        self._created_index[(resource, new)] = (project_id, view_id)
        return new

    def warm(self) -> int:
        """Generate every readable project's data now (instead of on first read); returns how many projects."""
        count = 0
        for seed in list(self.readable_projects()):
            self.project_data(seed.id)
            count += 1
        return count

    def add_project(self, company_id: int, project_id: int) -> ProjectData:
        """Register a created project: readable, with an empty "Procore Standard Budget" view."""
        self.project_seeds[project_id] = ProjectSeed(id=project_id, company_id=company_id, index=-1)
        data = ProjectData()
        company = self.company_by_id[company_id]
        view_id = company.budget_view_id(0)  # the company's standard view, assigned
        now = self.clock.now_iso()
        view = make_view(view_id, STANDARD_VIEW, int(self.clock.now()), random.Random(project_id), project_id,
                         company.users[0])
        data.budget_views.add({**view, "created_at": now, "updated_at": now})
        data.budget_columns[view_id] = view_columns(view_id, STANDARD_VIEW)
        data.budget_rows[view_id] = Collection()
        self._bundles[project_id] = data
        return data

    def readable_projects(self) -> Iterator[ProjectSeed]:
        """Seeded projects whose tools are readable (in seeding order)."""
        return (s for s in self.project_seeds.values() if s.access == "ok")

    def all_entries(self, resource: str) -> Iterator[tuple[int, int | None, int | None, Entry]]:
        """(company_id, project_id, budget_view_id, entry) for every record of `resource`, deleted too."""
        if resource == "projects":
            for cid, coll in self.projects.items():
                for entry in coll.entries.values():
                    yield cid, None, None, entry
            return
        for seed in self.readable_projects():
            data = self.project_data(seed.id)
            if resource == "budget_rows":
                for view_id, rows in data.budget_rows.items():
                    for entry in rows.entries.values():
                        yield seed.company_id, seed.id, view_id, entry
            else:
                coll = data.collection(resource)
                for entry in coll.entries.values() if coll else ():
                    yield seed.company_id, seed.id, None, entry

    def notify(self, change: dict) -> None:
        """Tell every listener about one applied change."""
        for listener in list(self.listeners):
            listener(change)
