"""A serving snapshot made by the real pipeline: a small sandbox, shaped by mutations, synced by the code
location's own jobs (weekly_full_sync, a month of daily history, publish, then a daily_sync).

Nothing here writes a serving table: every figure the dashboard tests see went through the sandbox's API,
the client, the warehouse, `transforms/*.sql` and publish, so a unit mismatch between a mart and a view
shows up in the tests. The edge cases the tests need are made in the sandbox before the sync:
- `empty`: a project created before the sync (no RFIs, no submittals), named with Markdown and HTML;
- `no_budget`: a project whose budget views were deleted;
- `main`: two RFIs and a submittal made overdue (so its tables and downloads are never empty);
- `csv`: overdue RFIs and submittals whose titles and courts a spreadsheet would run as formulas;
- `failing`: a project whose submittals answer 500 during the sync (a failed read on the health page);
- 40 projects created in the other company, so its list needs pages;
- `fresh`: a project created after the first publish and synced by `daily_sync` (`first` is the
  snapshot from before it).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from procore_sandbox.handle import SandboxHandle
from tests.conftest import execute_pipeline_job

MARKDOWN_NAME = "Tower **bold** [click](javascript:alert(1)) <b>x</b> 東京"
FRESH_NAME = "Fresh Project"
FORMULA_RFIS = [('=HYPERLINK("http://evil.example","click")', "Architect"),
                ("@SUM(1+1)", "+44 20 7946 0000"), ("-2+3", "Ann = architect")]
FORMULA_SUBMITTALS = ["\tcmd|' /C calc'!A0", "\rline"]
PAGED_PROJECTS = 40
HISTORY_DAYS = 30


@dataclass(frozen=True)
class RealSnapshot:
    """The published snapshot (`template`, with `first` from before `fresh`) and the projects chosen."""

    sandbox: SandboxHandle
    template: Path
    first: Path
    warehouse_dir: Path
    company: int
    other_company: int
    main: int
    second: int
    no_budget: int
    empty: int
    csv: int
    failing: int
    other: int
    fresh: int
    unreadable: frozenset[int]

    def names(self) -> dict[int, str]:
        """Project id to the name the snapshot holds, for every project."""
        with duckdb.connect(str(self.template), read_only=True) as con:
            return dict(con.execute("SELECT project_id, project_name FROM marts.project_metrics").fetchall())

    def metrics(self, project_id: int) -> dict:
        """The `marts.project_metrics` row of one project."""
        with duckdb.connect(str(self.template), read_only=True) as con:
            df = con.execute("SELECT * FROM marts.project_metrics WHERE project_id = ?", [project_id]).df()
        return df.iloc[0].to_dict()

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Rows of a read-only query on the published snapshot."""
        with duckdb.connect(str(self.template), read_only=True) as con:
            return con.execute(sql, list(params)).fetchall()


def _readable(sandbox: SandboxHandle, company_id: int, unreadable: set[int]) -> list[int]:
    return sorted(r["record"]["id"] for r in sandbox.records("projects")
                  if r["company_id"] == company_id and r["deleted_at"] is None and r["record"]["id"] not in unreadable)


def _items(sandbox: SandboxHandle, resource: str, project_id: int) -> list[dict]:
    return sorted((r["record"] for r in sandbox.records(resource)
                   if r["project_id"] == project_id and r["deleted_at"] is None), key=lambda rec: rec["id"])


def _overdue_rfi(record: dict, days: int, subject: str | None = None, court: str | None = None) -> dict:
    changes: dict = {"status": "open", "due_date": (date.today() - timedelta(days=days)).isoformat()}
    if subject is not None:
        changes["subject"] = subject
    if court is not None:
        changes["ball_in_courts"] = [{"id": 1, "login": "court@example.com", "name": court}]
    return {"resource": "rfis", "action": "update", "id": record["id"], "changes": changes}


def _overdue_submittal(record: dict, days: int, title: str | None = None) -> dict:
    changes: dict = {"status": {"id": 115001, "name": "Open", "status": "Open"},
                     "due_date": (date.today() - timedelta(days=days)).isoformat()}
    if title is not None:
        changes["title"] = title
    return {"resource": "submittals", "action": "update", "id": record["id"], "changes": changes}


def _shape(sandbox: SandboxHandle, company: int, other_company: int, unreadable: set[int]) -> dict[str, int]:
    """Apply the mutations the tests rely on; returns the chosen project ids."""
    ours = _readable(sandbox, company, unreadable)
    theirs = _readable(sandbox, other_company, unreadable)
    if len(ours) < 5 or not theirs:
        raise RuntimeError(f"the dashboard sandbox needs 5 readable projects in company {company}, has {len(ours)}")
    chosen = {"main": ours[0], "second": ours[1], "no_budget": ours[2], "csv": ours[3], "failing": ours[4],
              "other": theirs[0]}
    changes: list[dict] = []
    rfis, subs = _items(sandbox, "rfis", chosen["main"]), _items(sandbox, "submittals", chosen["main"])
    changes += [_overdue_rfi(rfis[0], 4), _overdue_rfi(rfis[1], 9), _overdue_submittal(subs[0], 6)]
    rfis, subs = _items(sandbox, "rfis", chosen["csv"]), _items(sandbox, "submittals", chosen["csv"])
    changes += [_overdue_rfi(rfi, 3 + i, subject, court)
                for i, (rfi, (subject, court)) in enumerate(zip(rfis, FORMULA_RFIS, strict=False))]
    changes += [_overdue_submittal(sub, 5 + i, title)
                for i, (sub, title) in enumerate(zip(subs, FORMULA_SUBMITTALS, strict=False))]
    changes += [{"resource": "budget_views", "action": "delete", "id": view["id"], "project_id": chosen["no_budget"]}
                for view in _items(sandbox, "budget_views", chosen["no_budget"])]
    changes.append({"resource": "projects", "action": "create", "company_id": company,
                    "changes": {"name": MARKDOWN_NAME, "display_name": MARKDOWN_NAME, "project_number": "MD-1"}})
    changes += [{"resource": "projects", "action": "create", "company_id": other_company,
                 "changes": {"name": f"Paged Project {i:02d}", "display_name": f"Paged Project {i:02d}",
                             "project_number": f"PG-{i:02d}"}} for i in range(PAGED_PROJECTS)]
    applied = sandbox.mutate({"mutations": changes})["changes"]
    chosen["empty"] = next(c["id"] for c in applied if c["resource"] == "projects" and c["company_id"] == company)
    sandbox.inject(path=f"/rest/v1.0/projects/{chosen['failing']}/submittals*", method="GET", status=500,
                   times=1000, body="Internal Server Error")
    return chosen


def _run(sandbox: SandboxHandle, job: str, data_dir: Path, tags: dict[str, str] | None = None) -> None:
    result = execute_pipeline_job(sandbox.env(), job, data_dir, tags)
    if not result.success:
        raise RuntimeError(f"{job} failed while building the dashboard's snapshot")


def build_real_snapshot(sandbox: SandboxHandle, work_dir: Path) -> RealSnapshot:
    """Shape `sandbox`, sync it with the real jobs into `work_dir/data`, and return what was published."""
    info = sandbox.info()
    unreadable = set(info["forbidden_project_ids"]) | set(info["hidden_project_ids"])
    company, other_company = sandbox.company_ids[0], sandbox.company_ids[1]
    data_dir = work_dir / "data"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DAGSTER_HOME", str(work_dir))
        env.setenv("PROCORE_RETRY_BACKOFF", "0")  # the failing project's retries cost no time
        chosen = _shape(sandbox, company, other_company, unreadable)
        _run(sandbox, "weekly_full_sync", data_dir)
        sandbox.clear_faults()
        today = date.today()
        _run(sandbox, "project_metrics_daily_job", data_dir,
             {"dagster/asset_partition_range_start": (today - timedelta(days=HISTORY_DAYS - 1)).isoformat(),
              "dagster/asset_partition_range_end": today.isoformat()})
        _run(sandbox, "publish_snapshot_job", data_dir)
        first = work_dir / "first-serving.duckdb"
        shutil.copyfile(data_dir / "serving.duckdb", first)
        created = sandbox.mutate({"resource": "projects", "action": "create", "company_id": company,
                                  "changes": {"name": FRESH_NAME, "display_name": FRESH_NAME,
                                              "project_number": "FP-5"}})["changes"][0]
        _run(sandbox, "daily_sync", data_dir)
    template = work_dir / "serving.duckdb"
    shutil.copyfile(data_dir / "serving.duckdb", template)
    return RealSnapshot(sandbox=sandbox, template=template, first=first, warehouse_dir=data_dir, company=company,
                        other_company=other_company, fresh=created["id"], unreadable=frozenset(unreadable),
                        **chosen)
