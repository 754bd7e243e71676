"""Pages that shift while a list is read: an incomplete read marks no deletions and keeps the cursor back.

Procore's `Total` is the count when page 1 was served. A record deleted between page fetches moves
every later record up a page, so one of them is never returned; a `Link: next` chain that ends
early loses records too. Both are detected (distinct ids read < Total) and handled.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from procore_source.client import PagedRead, ProcoreClient
from procore_source.settings import ProcoreSettings
from procore_source.streams import RFIS
from tests.orchestration.conftest import assert_equal, query
from warehouse.connection import Warehouse
from warehouse.scope_read import Scope
from warehouse.sync import sync_scopes

PAGE = 3


class _DeleteAfterFirstPage:
    """Wraps a `PagedRead`: once page 1's records are consumed (before page 2 is asked for), runs `action`."""

    def __init__(self, paged: PagedRead, action: Any) -> None:
        self.paged, self.action = paged, action

    def __iter__(self):
        for n, record in enumerate(self.paged, 1):
            yield record
            if n == PAGE:
                self.action()

    @property
    def total(self) -> int | None:
        return self.paged.total

    def missing(self, distinct: int) -> int:
        return self.paged.missing(distinct)


class _DeletingClient(ProcoreClient):
    action: Any = None

    def read_stream(self, stream, scope_ids, since=None, until=None):  # type: ignore[override]
        paged = super().read_stream(stream, scope_ids, since=since, until=until)
        action, self.action = self.action, None
        return paged if action is None or stream.name != "rfis" else _DeleteAfterFirstPage(paged, action)


def _settings(sandbox: Any) -> ProcoreSettings:
    return ProcoreSettings.from_env({**sandbox.env(), "PROCORE_PAGE_SIZE": str(PAGE)})


def _project(sandbox: Any) -> tuple[int, int, list[int]]:
    info = sandbox.info()
    unreadable = set(info["forbidden_project_ids"] + info["hidden_project_ids"])
    live: dict[tuple[int, int], list[int]] = {}
    for r in sandbox.records("rfis"):
        if not r["deleted_at"] and r["project_id"] not in unreadable:
            live.setdefault((r["company_id"], r["project_id"]), []).append(r["record"]["id"])
    (cid, pid), ids = next(item for item in live.items() if len(item[1]) > 2 * PAGE)
    return cid, pid, sorted(ids)


def _sync(client: ProcoreClient, data_dir, cid: int, pid: int, run_id: str):
    return sync_scopes(client=client, warehouse=Warehouse(data_dir), streams=(RFIS,),
                       scopes=[(Scope(cid, pid), None)], window_end=datetime.now(UTC), run_id=run_id,
                       max_workers=1, log=logging.getLogger("test"))


def _cursor(data_dir, pid: int) -> list[tuple]:
    return query(data_dir, "SELECT \"cursor\" FROM meta.sync_state WHERE project_id = ? AND stream = 'rfis'", [pid])


def test_record_deleted_between_pages_does_not_mark_a_live_one_deleted(sandbox, data_dir, synced):
    cid, pid, ids = _project(sandbox)
    victim, shifted = ids[0], ids[PAGE]  # deleting the first moves the first of page 2 onto page 1
    before = _cursor(data_dir, pid)
    client = _DeletingClient(_settings(sandbox))
    client.action = lambda: sandbox.mutate({"resource": "rfis", "action": "delete", "id": victim})
    with client:
        _sync(client, data_dir, cid, pid, "shifted")
    assert query(data_dir, "SELECT _deleted_at IS NULL FROM raw.rfis WHERE id = ?", [shifted]) == [(True,)]
    assert query(data_dir, "SELECT _deleted_at IS NULL FROM raw.rfis WHERE id = ?", [victim]) == [(False,)]  # bin
    log = query(data_dir, "SELECT status, error FROM meta.sync_log WHERE run_id = 'shifted'")
    assert log[0][0] == "ok" and "incomplete read" in log[0][1] and f"Total {len(ids)}" in log[0][1]
    assert _cursor(data_dir, pid) == before
    with ProcoreClient(_settings(sandbox)) as plain:  # the next run reads it whole
        _sync(plain, data_dir, cid, pid, "next")
    assert query(data_dir, "SELECT status, error FROM meta.sync_log WHERE run_id = 'next'") == [("ok", None)]
    assert _cursor(data_dir, pid) != before
    assert_equal(sandbox, data_dir, "rfis")


def test_link_chain_ending_before_total_is_incomplete_and_the_first_cursor_waits(sandbox, data_dir):
    cid, pid, ids = _project(sandbox)
    # page 1 passes; page 2 is an empty page without a Link header
    sandbox.inject(path=f"/rest/v1.0/projects/{pid}/rfis", status=200, body="[]", skip=1, times=1,
                   headers={"Content-Type": "application/json"})
    with ProcoreClient(_settings(sandbox)) as client:
        paged = client.read_stream(RFIS, {"company_id": cid, "project_id": pid})
        assert paged.total is None
        got = list(paged)
        assert len(got) == PAGE and paged.total == len(ids) and paged.missing(len(got)) == len(ids) - PAGE
        sandbox.inject(path=f"/rest/v1.0/projects/{pid}/rfis", status=200, body="[]", skip=1, times=1,
                       headers={"Content-Type": "application/json"})
        _sync(client, data_dir, cid, pid, "first")
    assert query(data_dir, "SELECT count(*) FROM raw.rfis WHERE _deleted_at IS NULL") == [(PAGE,)]
    assert _cursor(data_dir, pid) == [(None,)]  # a first full read that missed records does not set a cursor
    with ProcoreClient(_settings(sandbox)) as client:
        _sync(client, data_dir, cid, pid, "second")
    assert query(data_dir, "SELECT count(*) FROM raw.rfis WHERE _deleted_at IS NULL") == [(len(ids),)]
    assert _cursor(data_dir, pid) != [(None,)]
