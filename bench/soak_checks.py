"""Soak bookkeeping: which jobs a sandbox hour triggers, metric checks against the sandbox, the report.

`jobs_due` mirrors the product's schedules (hourly at :00, daily at 02:00, weekly on Sunday at
04:00, UTC). `metric_differences` recomputes, from `GET /_sandbox/records/...`, the counts the
dashboard shows per project (RFIs total/open/closed/draft, submittals total/open/closed/draft) and
compares them with `marts.project_metrics` in `serving.duckdb`.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

RFI_STATES = {"open": ("open",), "closed": ("closed", "closed_with_revision"), "draft": ("draft", "closed_draft")}


def jobs_due(now: datetime) -> list[str]:
    """The sync jobs the schedules launch at sandbox time `now` (on the hour, UTC)."""
    jobs = ["hourly_sync"]
    if now.hour == 2:
        jobs.append("daily_sync")
    if now.hour == 4 and now.weekday() == 6:
        jobs.append("weekly_full_sync")
    return jobs


def sandbox_metrics(sandbox: Any) -> dict[int, dict[str, int]]:
    """Per live project: the RFI and submittal counts computed from the sandbox's records."""
    projects = {e["record"]["id"]: {} for e in sandbox.records("projects") if not e.get("deleted_at")}
    for counts in projects.values():
        counts.update({f"rfis_{k}": 0 for k in ("total", *RFI_STATES)})
        counts.update({f"submittals_{k}": 0 for k in ("total", "open", "closed", "draft")})
    for entry in sandbox.records("rfis"):
        counts = projects.get(entry["project_id"])
        if counts is None or entry.get("deleted_at"):
            continue
        counts["rfis_total"] += 1
        status = str(entry["record"].get("status") or "").lower()
        for name, states in RFI_STATES.items():
            counts[f"rfis_{name}"] += status in states
    for entry in sandbox.records("submittals"):
        counts = projects.get(entry["project_id"])
        if counts is None or entry.get("deleted_at"):
            continue
        counts["submittals_total"] += 1
        status = entry["record"].get("status")
        coarse = str(status.get("status") if isinstance(status, dict) else status or "").lower()
        if coarse in ("open", "closed", "draft"):
            counts[f"submittals_{coarse}"] += 1
    return projects


def metric_differences(serving: Path, sandbox: Any, check_project_set: bool, limit: int = 5) -> list[str]:
    """Differences between `marts.project_metrics` and the sandbox's counts (empty when equal)."""
    expected = sandbox_metrics(sandbox)
    columns = list(next(iter(expected.values())).keys()) if expected else []
    with duckdb.connect(str(serving), read_only=True) as con:
        rows = con.execute(f"SELECT project_id, {', '.join(columns)} FROM marts.project_metrics").fetchall()
    actual = {r[0]: dict(zip(columns, r[1:], strict=True)) for r in rows}
    problems = []
    if check_project_set and set(actual) != set(expected):
        problems.append(f"projects differ: extra {sorted(set(actual) - set(expected))[:5]}, "
                        f"missing {sorted(set(expected) - set(actual))[:5]}")
    for project_id in sorted(set(actual) & set(expected)):
        for column in columns:
            if actual[project_id][column] != expected[project_id][column]:
                problems.append(f"project {project_id} {column}: dashboard {actual[project_id][column]}, "
                                f"sandbox {expected[project_id][column]}")
    return problems[:limit]


@dataclass
class Cycle:
    """One soak cycle: sandbox time, jobs run, changes and faults, requests, duration, problems found."""

    index: int
    sandbox_time: str
    jobs: list[str]
    mutations: int
    faults: list[str]
    requests: int
    seconds: float
    problems: list[str]

    def line(self) -> str:
        """One printable line."""
        state = "ok" if not self.problems else "FAIL " + "; ".join(self.problems[:3])
        return (f"cycle {self.index:3d} {self.sandbox_time} {'+'.join(self.jobs):38s} mutations {self.mutations:2d} "
                f"faults {','.join(self.faults) or '-':10s} requests {self.requests:4d} {self.seconds:5.1f} s  {state}")


@dataclass
class SoakReport:
    """Every cycle plus the memory and size figures."""

    cycles: list[Cycle] = field(default_factory=list)
    minimum_hourly: int = 0
    rss_start: dict[str, int] = field(default_factory=dict)
    rss_end: dict[str, int] = field(default_factory=dict)
    warehouse_bytes: int = 0
    serving_bytes: int = 0

    @property
    def ok(self) -> bool:
        """True when every cycle's checks passed."""
        return all(not c.problems for c in self.cycles)

    def summary(self) -> str:
        """The figures, for the terminal and bench/BENCHMARKS.md."""
        hourly = [c for c in self.cycles if c.jobs == ["hourly_sync"]]
        clean = [c.requests for c in hourly if not c.faults]
        faulty = [c.requests for c in hourly if c.faults]
        mib = 1024 * 1024
        rss = ", ".join(f"{name} {self.rss_start[name] / mib:.0f} -> {self.rss_end.get(name, 0) / mib:.0f} MiB"
                        for name in self.rss_start)
        lines = [
            f"soak: {len(self.cycles)} cycles, {sum(1 for c in self.cycles if c.problems)} with problems; "
            f"jobs run: {sum(len(c.jobs) for c in self.cycles)} "
            f"(daily {sum('daily_sync' in c.jobs for c in self.cycles)}, "
            f"weekly {sum('weekly_full_sync' in c.jobs for c in self.cycles)})",
            f"requests per hourly cycle: minimum {self.minimum_hourly} (4 per readable project, 2 per 403/404 "
            f"project, 1 token); "
            f"without faults median {statistics.median(clean) if clean else 'n/a'} (max {max(clean, default=0)}), "
            f"with faults median {statistics.median(faulty) if faulty else 'n/a'} (max {max(faulty, default=0)})",
            f"cycle time: median {statistics.median(c.seconds for c in self.cycles):.1f} s" if self.cycles else "",
            f"RSS: {rss}",
            f"warehouse.duckdb {self.warehouse_bytes / mib:.1f} MiB, serving.duckdb {self.serving_bytes / mib:.1f} MiB",
        ]
        return "\n".join(line for line in lines if line)
