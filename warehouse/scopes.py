"""Which companies and projects a run covers, and from when: the plan `sync.sync_scopes` then reads.

Projects in scope are the non-deleted rows of `raw.projects` for the configured companies. A
company with no projects stored yet (an hourly run on a new warehouse, before the first daily or
weekly sync) has its projects read from Procore and stored first, through the same sync as
`raw/projects` (rows, cursor, sync log and drift in one transaction), so the next run finds them.
Each scope's window starts at its stored cursor minus the overlap; a scope without one, a stream
without `updated_at` filtering, or a full refresh reads everything.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from procore_source.client import ProcoreClient
from procore_source.streams import PROJECTS, Stream
from warehouse.connection import Warehouse
from warehouse.meta import read_cursors
from warehouse.scope_read import Scope, since_for
from warehouse.sync import sync_scopes


class SyncFailed(Exception):
    """Reading the projects of a company with none stored failed the run (credentials refused, say);
    the message says what to fix."""


def _stored_projects(warehouse: Warehouse, company_ids: Sequence[int]) -> set[tuple[int, int]]:
    with warehouse.connect() as con:
        rows = con.execute(
            "SELECT company_id, id FROM raw.projects WHERE _deleted_at IS NULL AND company_id IN "
            "(SELECT unnest(?::BIGINT[]))",
            [list(company_ids)],
        ).fetchall()
    return {(c, p) for c, p in rows}


def project_scopes(warehouse: Warehouse, client: ProcoreClient, company_ids: Sequence[int],
                   only: Sequence[int] = (), *, run_id: str, log: logging.Logger | Any) -> list[Scope]:
    """Every non-deleted project of `company_ids` (optionally only the ids in `only`), sorted.

    Companies with no stored project are synced into `raw.projects` first; raises `SyncFailed` when
    that read fails (bad credentials, say).
    """
    stored = _stored_projects(warehouse, company_ids)
    unknown = [c for c in company_ids if c not in {c for c, _ in stored}]
    if unknown:
        report = sync_scopes(client=client, warehouse=warehouse, streams=(PROJECTS,),
                             scopes=[(Scope(c), None) for c in unknown], window_end=datetime.now(UTC),
                             run_id=run_id, max_workers=client.settings.max_workers, log=log)
        if report.failure:
            raise SyncFailed(report.failure)
        stored = _stored_projects(warehouse, company_ids)
        log.info(f"no projects stored yet for companies {unknown}: read and stored "
                 f"{report.streams['projects'].records} projects in raw.projects")
    scopes = [Scope(c, p) for c, p in sorted(stored)]
    if only:
        wanted = set(only)
        scopes = [s for s in scopes if s.project_id in wanted]
    return scopes


def plan_scopes(warehouse: Warehouse, client: ProcoreClient, streams: tuple[Stream, ...], *,
                only: Sequence[int] = (), full_refresh: bool = False, overlap_seconds: int, run_id: str,
                log: logging.Logger | Any) -> list[tuple[Scope, datetime | None]]:
    """The (scope, since) pairs a sync of `streams` reads for the client's companies: every company of a
    company-scoped stream, else every project in scope (`project_scopes`, narrowed to `only`); `since` is
    None for a full read. Raises `SyncFailed` like `project_scopes`."""
    company_ids = client.settings.company_ids
    if streams[0].scope == "company":
        scopes = [Scope(c) for c in company_ids]
    else:
        scopes = project_scopes(warehouse, client, company_ids, only, run_id=run_id, log=log)
    with warehouse.connect() as con:
        cursors = read_cursors(con, streams[0].name)
    full = full_refresh or not streams[0].supports_updated_at
    planned = []
    for scope in scopes:
        stored = cursors.get((scope.company_id, scope.project_id))
        planned.append((scope, since_for(stored.cursor if stored else None, full=full,
                                         overlap_seconds=overlap_seconds)))
    return planned
