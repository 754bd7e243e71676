"""`filters[updated_at]` (inclusive, `...`, dates alone), `filters[by_status]`, `filters[include_deleted]`."""

from __future__ import annotations


def test_updated_at_range_is_inclusive_and_accepts_dates(api, sandbox):
    pid = api.readable_project()
    path = f"/rest/v1.0/projects/{pid}/rfis"
    rfis = api.get(path).json()
    stamps = sorted(r["updated_at"] for r in rfis)
    low, high = stamps[2], stamps[6]
    inside = api.get(path, params={"filters[updated_at]": f"{low}...{high}"}).json()
    assert sorted(r["updated_at"] for r in inside) == [s for s in stamps if low <= s <= high]
    day = stamps[0][:10]
    by_day = api.get(path, params={"filters[updated_at]": f"{day}...{day}"}).json()
    assert {r["id"] for r in by_day} == {r["id"] for r in rfis if r["updated_at"][:10] == day}
    open_ended = api.get(path, params={"filters[updated_at]": f"{high}..."}).json()
    assert {r["id"] for r in open_ended} == {r["id"] for r in rfis if r["updated_at"] >= high}


def test_projects_by_status(api, sandbox):
    records = [r["record"] for r in sandbox.records("projects") if r["company_id"] == api.company_id]
    params = {"company_id": api.company_id}
    active = api.get("/rest/v1.0/projects", params=params).json()
    assert {p["id"] for p in active} == {p["id"] for p in records if p["active"]}
    everything = api.get("/rest/v1.0/projects", params={**params, "filters[by_status]": "All"}).json()
    assert len(everything) == len(records)
    inactive = api.get("/rest/v1.0/projects", params={**params, "filters[by_status]": "Inactive"}).json()
    assert {p["id"] for p in inactive} == {p["id"] for p in records if not p["active"]}
    assert api.get("/rest/v1.0/projects", params={**params, "filters[by_status]": "Maybe"}).status_code == 400


def test_change_events_include_deleted(api, sandbox):
    pid = api.readable_project()
    live = api.get("/rest/v1.0/change_events", params={"project_id": pid}).json()
    seeded = [r["record"]["id"] for r in sandbox.records("change_events") if r["project_id"] == pid]
    assert [e["id"] for e in live] == seeded and len(live) >= 2  # the first project is a busy one
    assert all("deleted_at" not in e for e in live)  # only deleted records carry it
    sandbox.mutate({"resource": "change_events", "action": "delete", "id": live[0]["id"]})
    params = {"project_id": pid}
    assert [e["id"] for e in api.get("/rest/v1.0/change_events", params=params).json()] == seeded[1:]
    only = api.get("/rest/v1.0/change_events", params={**params, "filters[include_deleted]": "only"}).json()
    assert [e["id"] for e in only] == [live[0]["id"]] and only[0]["deleted_at"]
    both = api.get("/rest/v1.0/change_events", params={**params, "filters[include_deleted]": "with"}).json()
    assert [e["id"] for e in both] == seeded
