"""Seeded data is uneven like a real company: sizes, overruns, late items on some projects, quiet closed ones."""

from __future__ import annotations

from collections import Counter, defaultdict


def _by_project(records: list[dict]) -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = defaultdict(list)
    for row in records:
        grouped[row["project_id"]].append(row["record"])
    return grouped


def test_projects_differ_in_size_budget_lateness_and_activity(start_sandbox_server):
    box = start_sandbox_server(seed=5, projects=40, records_per_project=20)
    today = box.clock()["now"][:10]
    info = box.info()
    unreadable = set(info["forbidden_project_ids"]) | set(info["hidden_project_ids"])
    projects = {r["record"]["id"]: r["record"] for r in box.records("projects") if r["record"]["id"] not in unreadable}
    rfis = _by_project(box.records("rfis"))
    sizes = sorted(len(rfis.get(pid, [])) for pid in projects)
    assert sizes[0] == 0 and sizes[-1] >= 40 and 14 <= sizes[len(sizes) // 2] <= 26, sizes  # tiny .. busy
    assert sum(1 for s in sizes if s == 0) >= 2

    overdue = Counter({pid: sum(r["status"] == "open" and r["due_date"] < today for r in rfis.get(pid, []))
                       for pid in projects})
    busiest = sum(count for _, count in overdue.most_common(len(projects) // 5))
    assert busiest > 0.5 * sum(overdue.values())  # late items concentrate on a fifth of the projects
    with_open = [pid for pid in projects if any(r["status"] == "open" for r in rfis.get(pid, []))]
    assert sum(overdue[pid] == 0 for pid in with_open) >= 3  # ... and some open work is all on time

    rows = defaultdict(lambda: [0.0, 0.0])
    for row in box.records("budget_rows"):
        record = row["record"]
        if "Projected over Under" in record:  # the standard view
            rows[row["project_id"]][0] += float(record["Revised Budget"])
            rows[row["project_id"]][1] += float(record["Projected Costs"])
    over = [pid for pid, (revised, projected) in rows.items() if projected > revised]
    under = [pid for pid, (revised, projected) in rows.items() if projected <= revised and revised > 0]
    assert len(over) >= 5 and len(under) >= 10, (len(over), len(under))
    assert sum(pid not in rows for pid in projects) >= 2  # tiny projects with no budget yet

    quiet = [pid for pid, p in projects.items() if p["stage"] in ("Warranty", "Post-Construction")]  # closed out
    assert len(quiet) >= 4
    for pid in quiet:
        assert all(r["status"].startswith("closed") for r in rfis.get(pid, [])), pid
        assert all(r["updated_at"][:10] < today for r in rfis.get(pid, []))
    assert Counter(p["stage"] for p in projects.values())["Course of Construction"] > len(projects) / 3
    assert any(not p["active"] for p in projects.values())


def test_small_sandboxes_still_have_a_busy_and_a_steady_project(start_sandbox_server):
    box = start_sandbox_server(seed=9, companies=1, projects=2, records_per_project=6)
    counts = Counter(r["project_id"] for r in box.records("rfis"))
    assert len(counts) == 2
    busy, steady = (counts[r["record"]["id"]] for r in box.records("projects"))
    assert 12 <= busy <= 18 and 4 <= steady <= 8
