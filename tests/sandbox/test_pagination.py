"""Pagination as Procore serves it: absolute Link URLs with only page/per_page, Total, Per-Page, caps."""

from __future__ import annotations

import re


def _links(answer) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', answer.headers.get("Link", ""))}


def _live_rfis(sandbox, pid: int) -> int:
    return sum(1 for r in sandbox.records("rfis") if r["project_id"] == pid and not r["deleted_at"])


def test_link_total_and_per_page_across_pages(api, sandbox):
    pid = api.readable_project()
    path = f"/rest/v1.0/projects/{pid}/rfis"
    total = _live_rfis(sandbox, pid)
    pages = -(-total // 7)
    assert pages >= 3  # the first project is a busy one
    first = api.get(path, params={"per_page": 7, "filters[updated_at]": "2000-01-01...2999-01-01"})
    assert first.headers["Total"] == str(total) and first.headers["Per-Page"] == "7"
    links = _links(first)
    assert set(links) == {"last", "next"}  # as Procore's pagination guide lists page 1
    assert links["next"] == f"{sandbox.url}{path}?page=2&per_page=7"  # absolute, filters not repeated
    assert links["last"].endswith(f"page={pages}&per_page=7")
    second = api.get(path, params={"page": 2, "per_page": 7})
    assert set(_links(second)) == {"first", "last", "next"}  # page 2 has no prev
    third = api.get(path, params={"page": 3, "per_page": 7})
    assert _links(third)["prev"].endswith("page=2&per_page=7")
    last = api.get(path, params={"page": pages, "per_page": 7})
    assert set(_links(last)) == {"first", "prev", "last"} and len(last.json()) == total - 7 * (pages - 1)
    past = api.get(path, params={"page": pages + 5, "per_page": 7})
    assert past.status_code == 200 and past.json() == []
    ids = [r["id"] for page in range(1, pages + 1)
           for r in api.get(path, params={"page": page, "per_page": 7}).json()]
    assert len(ids) == len(set(ids)) == total


def test_one_page_has_no_link_and_per_page_is_capped(api):
    pid = api.readable_project()
    whole = api.get(f"/rest/v1.0/projects/{pid}/rfis", params={"per_page": 5000})
    assert whole.headers["Per-Page"] == "1000" and "Link" not in whole.headers
    assert len(whole.json()) == _live_rfis(api.sandbox, pid) > 10
    v11 = api.get("/rest/v1.1/projects", params={"company_id": api.company_id, "per_page": 1000})
    assert v11.headers["Per-Page"] == "300"
    default = api.get("/rest/v1.0/companies")
    assert default.headers["Per-Page"] == "100" and default.headers["Total"] == "2"
