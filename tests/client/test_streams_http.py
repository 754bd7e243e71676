"""Stream reads through the catalogue, incremental windows, recycle bins, and per-thread counters."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest

from procore_source.streams import STREAMS

pytestmark = pytest.mark.timeout(60)


def test_every_stream_reads_what_the_sandbox_holds(sandbox, make_client, helpers):
    cid = sandbox.company_ids[0]
    pid = helpers.project_ids(sandbox, cid)[0]
    client = make_client(sandbox)
    projects = list(client.read_stream(STREAMS["projects"], {"company_id": cid}))
    expected = {r["record"]["id"] for r in sandbox.records("projects")
                if r["company_id"] == cid and not r["deleted_at"]}
    assert {p["id"] for p in projects} == expected
    scope = {"company_id": cid, "project_id": pid}
    for name in ("rfis", "submittals", "budget_views"):
        ids = sorted(r["id"] for r in client.read_stream(STREAMS[name], scope))
        assert ids == helpers.live_ids(sandbox, name, pid), name
    views = list(client.read_stream(STREAMS["budget_views"], scope))
    rows = list(client.read_stream(STREAMS["budget_rows"], {**scope, "budget_view_id": views[0]["id"]}))
    held = [r for r in sandbox.records("budget_rows")  # view ids are company-level: shared by projects
            if r["budget_view_id"] == views[0]["id"] and r["project_id"] == pid and not r["deleted_at"]]
    assert len(rows) == len(held) > 0
    assert client.counters.snapshot()["records"] == len(projects) + sum(
        len(helpers.live_ids(sandbox, n, pid)) for n in ("rfis", "submittals", "budget_views")) + len(views) + len(rows)


def test_incremental_window_and_recycle_bin(sandbox, make_client, helpers):
    cid = sandbox.company_ids[0]
    pid = helpers.project_ids(sandbox, cid)[0]
    scope = {"company_id": cid, "project_id": pid}
    client = make_client(sandbox)
    victim = helpers.live_ids(sandbox, "rfis", pid)[0]
    before = datetime.fromisoformat(sandbox.clock()["now"].replace("Z", "+00:00"))
    sandbox.advance_clock(60)
    sandbox.mutate({"resource": "rfis", "action": "delete", "id": victim})
    sandbox.advance_clock(60)
    until = datetime.fromisoformat(sandbox.clock()["now"].replace("Z", "+00:00"))
    deleted = list(client.read_recycle_bin(STREAMS["rfis"], scope, since=before, until=until))
    assert [r["id"] for r in deleted] == [victim]
    assert victim not in {r["id"] for r in client.read_stream(STREAMS["rfis"], scope)}
    assert list(client.read_stream(STREAMS["rfis"], scope, since=before, until=until)) == []
    with pytest.raises(ValueError, match="full re-read"):
        client.read_recycle_bin(STREAMS["budget_views"], scope)


def test_track_counts_only_this_threads_requests(sandbox, make_client, helpers):
    cid = sandbox.company_ids[0]
    pids = helpers.project_ids(sandbox, cid)[:2]
    client = make_client(sandbox)
    seen: dict[int, dict] = {}

    def read(pid: int, per_page: int) -> None:
        with client.track() as mine:
            list(client.iter_records(f"/rest/v1.0/projects/{pid}/rfis", company_id=cid, per_page=per_page))
        seen[pid] = mine.snapshot()

    threads = [threading.Thread(target=read, args=(pids[0], 1000)), threading.Thread(target=read, args=(pids[1], 2))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    second_pages = -(-len(helpers.live_ids(sandbox, "rfis", pids[1])) // 2)
    assert seen[pids[0]]["requests"] == 1
    assert seen[pids[1]]["requests"] == second_pages
    assert client.counters.snapshot()["requests"] == 1 + second_pages
    assert seen[pids[0]]["records"] == len(helpers.live_ids(sandbox, "rfis", pids[0]))
