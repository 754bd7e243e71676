"""Pacing against the sandbox's real rate limiter: zero 429s under a tight spike limit, the hourly budget,
and one `Procore-Company-Id` per call (each company has its own window)."""

from __future__ import annotations

import threading

import pytest

from procore_source.errors import RateLimitedError

pytestmark = pytest.mark.timeout(90)


def test_tight_spike_limit_long_read_gets_zero_429s(sandbox, make_client, helpers):
    sandbox.configure(rate_limit_spike=10)
    cid = sandbox.company_ids[0]
    projects = helpers.project_ids(sandbox, cid)[:3]
    client = make_client(sandbox)
    results: dict[int, list[int]] = {}
    errors: list[BaseException] = []

    def read(pid: int) -> None:
        try:
            results[pid] = [r["id"] for r in client.iter_records(f"/rest/v1.0/projects/{pid}/rfis",
                                                                 company_id=cid, per_page=2)]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=read, args=(pid,)) for pid in projects]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for pid in projects:
        assert sorted(results[pid]) == helpers.live_ids(sandbox, "rfis", pid)
    stats = sandbox.stats()
    assert stats["total"] > 10  # more than one spike window's worth
    assert "429" not in stats["by_status"], stats["by_status"]
    counts = client.counters.snapshot()
    assert counts["rate_limited"] == 0 and counts["pacing_waits"] > 0


def test_hourly_budget_is_respected(sandbox, make_client):
    cid = sandbox.company_ids[0]
    client = make_client(sandbox, hourly_request_budget=3, max_rate_limit_wait=1)
    for _ in range(3):
        client.get_json("/rest/v1.0/me", company_id=cid)
    with pytest.raises(RateLimitedError, match="PROCORE_HOURLY_REQUEST_BUDGET"):
        client.get_json("/rest/v1.0/me", company_id=cid)
    assert sandbox.stats()["by_path"]["/rest/v1.0/me"] == 3
    # The budget is per company: another company still has its own.
    assert client.get_json("/rest/v1.0/me", company_id=sandbox.company_ids[1])


def test_company_header_on_every_call_in_a_multi_company_run(sandbox, make_client):
    first, second = sandbox.company_ids[:2]
    client = make_client(sandbox)
    spike = sandbox.info()["runtime"]["rate_limit_spike"]
    # /me and /companies answer 404 without the header: these succeed only because it is sent.
    assert client.get_json("/rest/v1.0/me", company_id=first)
    assert client.get_json("/rest/v1.0/companies", company_id=second)
    for cid in (first, second):
        params = {"company_id": cid, "filters[by_status]": "All"}
        rows = list(client.iter_records("/rest/v1.0/projects", company_id=cid, params=params))
        assert rows and {r["company"]["id"] for r in rows} == {cid}
    client.get_json("/rest/v1.0/me", company_id=first)
    # The sandbox keys its rate windows by the header: each company's window saw exactly its own calls.
    assert client.pacer(first).state().remaining == spike - 3
    assert client.pacer(second).state().remaining == spike - 2
    assert "404" not in sandbox.stats()["by_status"]
