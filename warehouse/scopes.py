"""Which companies and projects a run covers.

Projects in scope are the non-deleted rows of `raw.projects` for the configured companies. A
company with no projects stored yet (an hourly run on a new warehouse, before the first daily or
weekly sync) has its projects read from Procore and stored first, through the same sync as
`raw/projects` (rows, cursor, sync log and drift in one transaction), so the next run finds them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from procore_source.client import ProcoreClient
from procore_source.streams import PROJECTS
from warehouse.connection import Warehouse
from warehouse.scope_read import Scope
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
