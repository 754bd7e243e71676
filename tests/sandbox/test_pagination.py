"""Pagination as Procore serves it: absolute Link URLs with only page/per_page, Total, Per-Page, caps."""

from __future__ import annotations

import re


def _links(answer) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', answer.headers.get("Link", ""))}


def test_link_total_and_per_page_across_pages(api, sandbox):
    pid = api.readable_project()
    path = f"/rest/v1.0/projects/{pid}/rfis"
    first = api.get(path, params={"per_page": 3, "filters[updated_at]": "2000-01-01...2999-01-01"})
    assert first.headers["Total"] == "10" and first.headers["Per-Page"] == "3"
    links = _links(first)
    assert set(links) == {"first", "last", "next"}
    assert links["next"] == f"{sandbox.url}{path}?page=2&per_page=3"  # absolute, filters not repeated
    assert links["last"].endswith("page=4&per_page=3")
    second = api.get(path, params={"page": 2, "per_page": 3})
    assert set(_links(second)) == {"first", "last", "next"}  # page 2 has no prev
    third = api.get(path, params={"page": 3, "per_page": 3})
    assert _links(third)["prev"].endswith("page=2&per_page=3")
    last = api.get(path, params={"page": 4, "per_page": 3})
    assert "next" not in _links(last) and len(last.json()) == 1
    past = api.get(path, params={"page": 9, "per_page": 3})
    assert past.status_code == 200 and past.json() == []
    ids = [r["id"] for page in (first, second, third, last) for r in page.json()]
    assert len(ids) == len(set(ids)) == 10


def test_one_page_has_no_link_and_per_page_is_capped(api):
    pid = api.readable_project()
    whole = api.get(f"/rest/v1.0/projects/{pid}/rfis", params={"per_page": 5000})
    assert whole.headers["Per-Page"] == "1000" and "Link" not in whole.headers and len(whole.json()) == 10
    v11 = api.get("/rest/v1.1/projects", params={"company_id": api.company_id, "per_page": 1000})
    assert v11.headers["Per-Page"] == "300"
    default = api.get("/rest/v1.0/companies")
    assert default.headers["Per-Page"] == "100" and default.headers["Total"] == "2"
