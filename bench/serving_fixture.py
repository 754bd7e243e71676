"""Builds a large synthetic `serving.duckdb` for `bench/dashboard_render.py` (a thousand projects in seconds).

Benchmarks only: the dashboard tests run on a snapshot the real pipeline publishes from the sandbox
(`tests/dashboard/real_snapshot.py`), so a unit mismatch between a mart and a view cannot pass there. The
shapes and units here follow the marts (`pct_committed` is 0-100, `meta.rate_limit` has both windows).
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

MONEY = "DECIMAL(18,2)"
BUDGET = ["original_budget", "budget_modifications", "approved_changes", "revised_budget",
          "committed_costs", "direct_costs", "pending_changes", "projected_costs"]
DDL = f"""
CREATE SCHEMA marts; CREATE SCHEMA meta;
CREATE TABLE marts.project_metrics (project_id BIGINT, company_id BIGINT, project_name VARCHAR,
  project_number VARCHAR, stage VARCHAR, active BOOLEAN, start_date DATE, completion_date DATE,
  last_synced_at TIMESTAMPTZ, rfis_total BIGINT, rfis_open BIGINT, rfis_closed BIGINT, rfis_draft BIGINT,
  rfis_overdue BIGINT, rfi_avg_days_to_close DOUBLE, rfi_open_avg_age_days DOUBLE,
  rfi_cost_impact_total {MONEY}, rfi_schedule_impact_days BIGINT, submittals_total BIGINT,
  submittals_open BIGINT, submittals_closed BIGINT, submittals_draft BIGINT, submittals_overdue BIGINT,
  submittal_avg_review_days DOUBLE, {", ".join(f"{c} {MONEY}" for c in BUDGET)},
  projected_over_under {MONEY}, pct_committed DOUBLE, budget_view_name VARCHAR, procore_url VARCHAR);
CREATE TABLE marts.rfi_weekly (project_id BIGINT, week_start DATE, rfis_opened BIGINT, rfis_closed BIGINT);
CREATE TABLE marts.submittal_status_counts (project_id BIGINT, status_name VARCHAR, status VARCHAR,
  submittals BIGINT);
CREATE TABLE marts.budget_by_cost_code (project_id BIGINT, cost_code VARCHAR,
  {", ".join(f"{c} {MONEY}" for c in BUDGET)}, projected_over_under {MONEY}, variance {MONEY});
CREATE TABLE marts.overdue_items (project_id BIGINT, item_type VARCHAR, item_id BIGINT, number VARCHAR,
  title VARCHAR, due_date DATE, days_overdue INTEGER, ball_in_court VARCHAR, url VARCHAR);
CREATE TABLE marts.project_metrics_daily (metric_date DATE, project_id BIGINT, company_id BIGINT,
  rfis_open BIGINT, rfis_overdue BIGINT, rfis_closed_to_date BIGINT, submittals_open BIGINT,
  submittals_overdue BIGINT, submittals_closed_to_date BIGINT, revised_budget {MONEY},
  committed_costs {MONEY}, projected_over_under {MONEY});
CREATE TABLE meta.freshness (company_id BIGINT, stream VARCHAR, last_synced_at TIMESTAMPTZ);
CREATE TABLE meta.snapshot (snapshot_id VARCHAR, published_at TIMESTAMPTZ);
CREATE TABLE meta.stream_cadence (stream VARCHAR, cadence_seconds BIGINT, position INTEGER);
INSERT INTO meta.stream_cadence VALUES ('rfis', 3600, 1), ('submittals', 3600, 2), ('projects', 86400, 3),
  ('budget_views', 86400, 4), ('budget_rows', 86400, 5);
CREATE TABLE meta.sync_health (company_id BIGINT, stream VARCHAR, last_success_at TIMESTAMPTZ,
  last_attempt_at TIMESTAMPTZ, last_run_id VARCHAR, last_status VARCHAR, projects_ok BIGINT,
  projects_skipped BIGINT, projects_failed BIGINT);
CREATE TABLE meta.sync_problems (company_id BIGINT, stream VARCHAR, project_id BIGINT, status VARCHAR,
  error VARCHAR, occurred_at TIMESTAMPTZ, run_id VARCHAR);
CREATE TABLE meta.rate_limit (company_id BIGINT, requests_last_hour BIGINT, hourly_limit BIGINT,
  hourly_remaining BIGINT, hourly_reset_at TIMESTAMPTZ, hourly_observed_at TIMESTAMPTZ, spike_limit BIGINT,
  spike_remaining BIGINT, spike_reset_at TIMESTAMPTZ, spike_observed_at TIMESTAMPTZ);
"""

# Pipeline health, per company: minutes since each stream's last successful sync (company 1's budget
# rows and company 2's RFIs are older than twice their cadence), problem projects of the latest runs,
# and (limit, remaining, minutes to reset, requests in the last hour).
HEALTH_AGES = {
    1: {"rfis": 14, "submittals": 14, "projects": 180, "budget_views": 180, "budget_rows": 3 * 24 * 60},
    2: {"rfis": 200, "submittals": 14, "projects": 180, "budget_views": 180, "budget_rows": 180},
}
HEALTH_PROBLEMS = [
    (1, "rfis", 103, "skipped", "Forbidden (HTTP 403, https://api.procore.com/rest/v1.0/projects/103/rfis): "
                                "the RFIs tool is disabled"),
    (1, "submittals", 104, "failed", "Server error (HTTP 500) after 5 retries"),
    (2, "rfis", 201, "failed", "Stadium-only failure (HTTP 502)"),
]
HEALTH_RATE_LIMITS = {1: (3600, 2900, 20, 700), 2: (3600, 100, 5, 3500)}


@dataclass
class FixtureProject:
    """One project of the fixture; `rfis=0` gives a project with no RFIs, `budget=False` no budget view."""

    project_id: int
    company_id: int
    name: str
    number: str
    rfis: int = 12
    submittals: int = 8
    budget: bool = True
    cost_codes: int = 6
    weeks: int = 12
    days: int = 30


def default_projects() -> list[FixtureProject]:
    """Two companies: 101-104 in company 1 (103 has no RFIs, 104 no budget view), 201-202 in company 2."""
    return [
        FixtureProject(101, 1, "Harbor Tower", "HT-001"),
        FixtureProject(102, 1, "Riverside Clinic", "RC-002"),
        FixtureProject(103, 1, "Elm Street Lofts", "ES-003", rfis=0, submittals=0),
        FixtureProject(104, 1, "North Depot", "ND-004", budget=False),
        FixtureProject(201, 2, "Secret Stadium", "SS-201"),
        FixtureProject(202, 2, "Hidden Hangar", "HH-202"),
    ]


def many_projects(n: int, companies: int = 1, **kwargs) -> list[FixtureProject]:
    """`n` projects spread over `companies`, ids 1000.. (for the benchmark)."""
    return [FixtureProject(1000 + i, 1 + i % companies, f"Project {i:04d}", f"P-{i:04d}", **kwargs)
            for i in range(n)]


def build_serving(path: Path, projects: list[FixtureProject] | None = None, seed: int = 7,
                  snapshot_id: str = "snap-1", web: str = "https://app.procore.com") -> Path:
    """Write a serving snapshot at `path` (atomically, like publish) and return it."""
    projects = default_projects() if projects is None else projects
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    today = now.date()
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    con.execute(DDL)
    rows = {k: [] for k in ("pm", "weekly", "subs", "budget", "overdue", "daily")}
    for p in projects:
        _project_rows(p, rng, now, today, web, rows)
    _insert(con, "marts.project_metrics", rows["pm"])
    _insert(con, "marts.rfi_weekly", rows["weekly"])
    _insert(con, "marts.submittal_status_counts", rows["subs"])
    _insert(con, "marts.budget_by_cost_code", rows["budget"])
    _insert(con, "marts.overdue_items", rows["overdue"])
    _insert(con, "marts.project_metrics_daily", rows["daily"])
    for cid in sorted({p.company_id for p in projects}):
        for stream in ("projects", "rfis", "submittals", "budget_rows"):
            con.execute("INSERT INTO meta.freshness VALUES (?, ?, ?)", [cid, stream, now - timedelta(minutes=14)])
    _health_rows(con, {p.company_id for p in projects}, {p.project_id for p in projects}, now)
    con.execute("INSERT INTO meta.snapshot VALUES (?, ?)", [snapshot_id, now])
    con.close()
    os.replace(tmp, path)
    return path


def _health_rows(con, companies: set[int], project_ids: set[int], now: datetime) -> None:
    """The pipeline-health tables for the fixture's companies (see HEALTH_*)."""
    for cid in sorted(companies & HEALTH_AGES.keys()):
        for stream, minutes in HEALTH_AGES[cid].items():
            failed = sum(1 for p in HEALTH_PROBLEMS if p[:2] == (cid, stream) and p[3] == "failed")
            skipped = sum(1 for p in HEALTH_PROBLEMS if p[:2] == (cid, stream) and p[3] == "skipped")
            con.execute("INSERT INTO meta.sync_health VALUES (?, ?, ?, ?, 'run-1', ?, ?, ?, ?)",
                        [cid, stream, now - timedelta(minutes=minutes), now - timedelta(minutes=14),
                         "failed" if failed else "ok", 3, skipped, failed])
        limit, remaining, reset_minutes, used = HEALTH_RATE_LIMITS[cid]
        seen = now - timedelta(minutes=14)
        con.execute("INSERT INTO meta.rate_limit VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL)",
                    [cid, used, limit, remaining, now + timedelta(minutes=reset_minutes), seen])
    for cid, stream, pid, status, error in HEALTH_PROBLEMS:
        if cid in companies and pid in project_ids:
            con.execute("INSERT INTO meta.sync_problems VALUES (?, ?, ?, ?, ?, ?, 'run-1')",
                        [cid, stream, pid, status, error, now - timedelta(minutes=14)])


def _insert(con, table: str, rows: list[tuple]) -> None:
    # Through a DataFrame: executemany takes minutes for the benchmark's hundreds of thousands of rows.
    if rows:
        frame = pd.DataFrame.from_records(rows)
        con.register("fixture_rows", frame)
        con.execute(f"INSERT INTO {table} SELECT * FROM fixture_rows")
        con.unregister("fixture_rows")


def _project_rows(p: FixtureProject, rng: random.Random, now: datetime, today: date, web: str,
                  rows: dict[str, list]) -> None:
    rfis_open = rng.randint(1, p.rfis) if p.rfis else 0
    rfis_overdue = min(rfis_open, 3) if p.rfis else 0
    subs_open = rng.randint(1, p.submittals) if p.submittals else 0
    subs_overdue = min(subs_open, 2) if p.submittals else 0
    codes = []
    for i in range(p.cost_codes if p.budget else 0):
        original = rng.randint(50, 500) * 1000
        mods = rng.randint(-5, 20) * 1000
        revised = original + mods
        committed = int(revised * rng.uniform(0.4, 1.0))
        projected = int(revised * rng.uniform(0.85, 1.15))
        codes.append((f"{i + 1:02d}-{100 + i}", original, mods, mods, revised, committed,
                      rng.randint(0, 20) * 1000, rng.randint(0, 10) * 1000, projected))
    budget = [sum(c[k] for c in codes) for k in range(1, 9)] if codes else [None] * 8
    over_under = (budget[3] - budget[7]) if codes else None
    pct = (100.0 * budget[4] / budget[3]) if codes and budget[3] else None  # 0-100, as the mart stores it
    rows["pm"].append((
        p.project_id, p.company_id, p.name, p.number, "Course of Construction", True,
        today - timedelta(days=300), today + timedelta(days=200), now - timedelta(minutes=14),
        p.rfis, rfis_open, p.rfis - rfis_open, 0, rfis_overdue, 6.5 if p.rfis else None,
        9.0 if rfis_open else None, 12500, 4, p.submittals, subs_open, p.submittals - subs_open, 0,
        subs_overdue, 11.0 if p.submittals else None, *budget, over_under, pct,
        "Standard Budget" if codes else None, f"{web}/{p.project_id}/project/home"))
    for w in range(p.weeks if p.rfis else 0):
        week = today - timedelta(days=today.weekday()) - timedelta(weeks=p.weeks - 1 - w)
        rows["weekly"].append((p.project_id, week, rng.randint(0, 5), rng.randint(0, 4)))
    if p.submittals:
        for name, status, n in (("Draft", "Draft", 1), ("Open", "Open", subs_open),
                                ("Approved", "Closed", p.submittals - subs_open - 1)):
            rows["subs"].append((p.project_id, name, status, max(n, 0)))
    for c in codes:
        rows["budget"].append((p.project_id, *c, c[4] - c[8], c[4] - c[8]))
    for i in range(rfis_overdue):
        rows["overdue"].append((p.project_id, "rfi", p.project_id * 100 + i, str(i + 1),
                                f"RFI {i + 1}: clarify detail", today - timedelta(days=3 + i), 3 + i,
                                "Architect", f"{web}/{p.project_id}/project/rfi/show/{p.project_id * 100 + i}"))
    for i in range(subs_overdue):
        rows["overdue"].append((p.project_id, "submittal", p.project_id * 1000 + i, f"05 12 00-{i + 1}",
                                f"Shop drawings {i + 1}", today - timedelta(days=5 + i), 5 + i, "Engineer",
                                f"{web}/{p.project_id}/project/submittal_logs/{p.project_id * 1000 + i}"))
    for d in range(p.days):
        day = today - timedelta(days=p.days - 1 - d)
        rows["daily"].append((day, p.project_id, p.company_id, max(rfis_open - (p.days - 1 - d) // 7, 0),
                              rfis_overdue, d // 3, subs_open, subs_overdue, d // 4,
                              budget[3], budget[4], over_under))
