"""`PagedRead`: the iterator `read_stream`/`iter_records` return carries page 1's `Total` header."""

from __future__ import annotations

from procore_source.streams import STREAMS


def test_total_of_page_one_is_known_after_the_first_page(sandbox, make_client, helpers):
    cid = sandbox.company_ids[0]
    pid = helpers.project_ids(sandbox, cid)[0]
    client = make_client(sandbox, page_size=3)
    paged = client.read_stream(STREAMS["rfis"], {"company_id": cid, "project_id": pid})
    assert paged.total is None and paged.pages == 0  # nothing fetched until iterated
    first = next(paged)
    live = helpers.live_ids(sandbox, "rfis", pid)
    assert first["id"] in live and paged.total == len(live) and paged.pages == 1
    rest = list(paged)
    assert len(rest) + 1 == len(live) == paged.records and paged.missing(len(live)) == 0
    assert paged.pages == -(-len(live) // 3)
    assert len(list(client.iter_records(f"/rest/v1.0/projects/{pid}/rfis", company_id=cid))) == len(live)
