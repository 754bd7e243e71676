"""Pagination against the sandbox: one page, empty lists, many pages, caller filters kept, per_page caps."""

from __future__ import annotations

import pytest

from procore_source.streams import STREAMS

pytestmark = pytest.mark.timeout(60)
RFIS = "/rest/v1.0/projects/{project_id}/rfis"


def test_one_page_uses_one_request(sandbox, make_client, helpers):
    cid = sandbox.company_ids[0]
    pid = helpers.project_ids(sandbox, cid)[0]
    client = make_client(sandbox)
    ids = [r["id"] for r in client.iter_records(f"/rest/v1.0/projects/{pid}/rfis", company_id=cid)]
    assert sorted(ids) == helpers.live_ids(sandbox, "rfis", pid)
    assert helpers.rest_requests(sandbox.stats(), RFIS) == 1
    assert client.counters.snapshot()["records"] == len(ids)


def test_empty_list(sandbox, make_client, helpers):
    cid = sandbox.company_ids[0]
    pid = helpers.project_ids(sandbox, cid)[0]
    client = make_client(sandbox)
    assert list(client.iter_records(f"/rest/v1.0/projects/{pid}/rfis/recycle_bin", company_id=cid)) == []


def test_many_pages_without_prev_on_page_two_and_no_next_on_the_last(sandbox, make_client, helpers):
    cid = sandbox.company_ids[0]
    pid = helpers.project_ids(sandbox, cid)[0]
    expected = helpers.live_ids(sandbox, "rfis", pid)
    client = make_client(sandbox)
    ids = [r["id"] for r in client.iter_records(f"/rest/v1.0/projects/{pid}/rfis", company_id=cid, per_page=3)]
    assert len(ids) == len(set(ids))  # no duplicates
    assert sorted(ids) == expected
    pages = -(-len(expected) // 3)
    assert helpers.rest_requests(sandbox.stats(), RFIS) == pages  # stops on the last page's missing next


def test_caller_filters_survive_links_that_drop_them(sandbox, make_client, helpers):
    cid = sandbox.company_ids[0]
    pid = helpers.project_ids(sandbox, cid)[0]
    records = sorted((r["record"] for r in sandbox.records("rfis") if r["project_id"] == pid and not r["deleted_at"]),
                     key=lambda rec: rec["updated_at"])
    lower, upper = records[2]["updated_at"], records[-3]["updated_at"]
    params = {"filters[updated_at]": f"{lower}...{upper}"}
    client = make_client(sandbox)
    path = f"/rest/v1.0/projects/{pid}/rfis"
    whole = sorted(r["id"] for r in client.iter_records(path, company_id=cid, params=params))
    paged = [r["id"] for r in client.iter_records(path, company_id=cid, params=params, per_page=2)]
    assert 0 < len(whole) < len(records)
    assert sorted(paged) == whole and len(paged) == len(set(paged))


def test_per_page_above_the_endpoint_limit_is_capped_and_followed(start_sandbox_server, make_client):
    server = start_sandbox_server(companies=1, projects=305, records_per_project=0)
    cid = server.company_ids[0]
    client = make_client(server)
    params = {"company_id": cid, "filters[by_status]": "All"}
    ids = [p["id"] for p in client.iter_records("/rest/v1.1/projects", company_id=cid, params=params, per_page=1000)]
    assert len(ids) == len(set(ids)) == 305
    assert server.stats()["by_path"]["/rest/v1.1/projects"] == 2  # 300 + 5


def test_page_size_setting_lowers_the_page(sandbox, make_client, helpers):
    cid = sandbox.company_ids[0]
    pid = helpers.project_ids(sandbox, cid)[0]
    client = make_client(sandbox, page_size=5)
    rows = list(client.read_stream(STREAMS["rfis"], {"company_id": cid, "project_id": pid}))
    assert sorted(r["id"] for r in rows) == helpers.live_ids(sandbox, "rfis", pid)
    assert helpers.rest_requests(sandbox.stats(), RFIS) == -(-len(rows) // 5)
