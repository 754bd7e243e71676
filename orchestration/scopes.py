"""Which companies and projects a run covers, and the run config that narrows them.

Projects in scope are the non-deleted rows of `raw.projects` for the configured companies; a
company with no projects stored yet (before the first daily sync) is listed live from Procore
instead, without writing anything.
"""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from orchestration.reads import Scope
from orchestration.resources import WarehouseResource
from procore_source.client import ProcoreClient
from procore_source.streams import PROJECTS


class SyncConfig(dg.Config):
    """Run config of every ingestion asset (Launchpad: `ops: raw__<stream>: config:`)."""

    streams: list[str] = []
    """Only these streams (e.g. ["rfis"]); empty = every stream of the job. Assets left out do nothing."""
    project_ids: list[int] = []
    """Only these projects; empty = every project in scope."""
    full_refresh: bool = False
    """Re-read everything (no `updated_at` window) and mark rows no longer served as deleted."""


def wants(config: SyncConfig, stream_names: Sequence[str]) -> bool:
    """Whether the run config selects any of `stream_names`."""
    return not config.streams or any(name in config.streams for name in stream_names)


def project_scopes(warehouse: WarehouseResource, client: ProcoreClient, company_ids: Sequence[int],
                   only: Sequence[int] = ()) -> list[Scope]:
    """Every non-deleted project of `company_ids` (optionally only the ids in `only`), sorted."""
    with warehouse.connect() as con:
        rows = con.execute(
            "SELECT company_id, id FROM raw.projects WHERE _deleted_at IS NULL AND company_id IN "
            "(SELECT unnest(?::BIGINT[]))",
            [list(company_ids)],
        ).fetchall()
    stored = {(c, p) for c, p in rows}
    known = {c for c, _ in stored}
    for company_id in company_ids:
        if company_id not in known:
            for record in client.read_stream(PROJECTS, {"company_id": company_id}):
                stored.add((company_id, int(record["id"])))
    scopes = [Scope(c, p) for c, p in sorted(stored)]
    if only:
        wanted = set(only)
        scopes = [s for s in scopes if s.project_id in wanted]
    return scopes
