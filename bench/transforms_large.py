"""Benchmark: every transform, a year of daily history, and publish, over a large generated warehouse.

Generates raw rows directly with DuckDB SQL (`range()` and `random()`, no Python loops): 1,000
projects, 1,000,000 RFIs, 500,000 submittals (two approvers each), 2 budget views per project and
200,000 budget rows of the first view (label-named money columns as JSON), 1% of RFIs deleted.
Then times `run_all`, `rebuild_history` over 365 days and `publish`, each the median of 3 runs.

    .venv/bin/python bench/transforms_large.py [--rfis 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from transforms.history import rebuild_history
from transforms.runner import run_all
from transforms.settings import TransformSettings
from warehouse.publish import publish
from warehouse.schema import create_raw_tables

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)

GENERATE = """
INSERT INTO raw.projects (id, company_id, name, project_number, stage, active, start_date, _synced_at, payload)
SELECT i, 1 + i % 3, 'Project ' || i, 'P-' || i, 'Construction', true, DATE '2023-01-01' + (i % 300)::INT,
       $now, '{}' FROM range(1, $projects + 1) t(i);

INSERT INTO raw.rfis (project_id, company_id, id, number, subject, status, due_date, initiated_at, created_at,
                      updated_at, time_resolved, cost_impact_status, cost_impact_value, schedule_impact_status,
                      schedule_impact_days, ball_in_court_name, _synced_at, _deleted_at, payload)
SELECT project_id, 1 + project_id % 3, i, i::VARCHAR, 'RFI ' || i, status,
       (opened + INTERVAL (10 + i % 20) DAY)::DATE,
       opened, opened, opened + INTERVAL 3 DAY,
       CASE WHEN status = 'closed' THEN opened + INTERVAL (1 + i % 30) DAY END,
       CASE WHEN i % 4 = 0 THEN 'yes_known' ELSE 'no_impact' END, (i % 1000)::DECIMAL(18, 2),
       CASE WHEN i % 5 = 0 THEN 'yes_known' ELSE 'tbd' END, i % 7, 'Person ' || (i % 50),
       $now, CASE WHEN i % 100 = 0 THEN $now END, '{}'
FROM (
    SELECT i, 1 + i % $projects AS project_id,
           CASE WHEN r < 0.25 THEN 'open' WHEN r < 0.9 THEN 'closed' ELSE 'draft' END AS status,
           TIMESTAMPTZ '2024-06-01 00:00:00+00' + INTERVAL (floor(random() * 390 * 24)::INT) HOUR AS opened
    FROM (SELECT i, random() AS r FROM range(1, $rfis + 1) t(i))
);

INSERT INTO raw.submittals (project_id, company_id, id, number, title, status_name, status, due_date,
                            created_at, closed_at, approvers, _synced_at, payload)
SELECT project_id, 1 + project_id % 3, i, i::VARCHAR, 'Submittal ' || i,
       CASE status WHEN 'Closed' THEN 'Approved' WHEN 'Open' THEN 'Pending Review' ELSE 'Draft' END, status,
       (created + INTERVAL (14 + i % 20) DAY)::DATE, created,
       CASE WHEN status = 'Closed' THEN created + INTERVAL (5 + i % 25) DAY END,
       json_array(json_object('sent_date', strftime(created, '%Y-%m-%d'),
                              'returned_date', strftime(created + INTERVAL (i % 9) DAY, '%Y-%m-%d')),
                  json_object('sent_date', strftime(created, '%Y-%m-%d'), 'returned_date', NULL)),
       $now, '{}'
FROM (
    SELECT i, 1 + i % $projects AS project_id,
           CASE WHEN r < 0.3 THEN 'Open' WHEN r < 0.9 THEN 'Closed' ELSE 'Draft' END AS status,
           TIMESTAMPTZ '2024-06-01 00:00:00+00' + INTERVAL (floor(random() * 390 * 24)::INT) HOUR AS created
    FROM (SELECT i, random() AS r FROM range(1, $submittals + 1) t(i))
);

INSERT INTO raw.budget_views (project_id, company_id, id, name, _synced_at, payload)
SELECT p, 1 + p % 3, p * 10 + v, CASE v WHEN 1 THEN 'Original' ELSE 'Forecast' END, $now, '{}'
FROM range(1, $projects + 1) a(p), range(1, 3) b(v);

INSERT INTO raw.budget_rows (project_id, company_id, budget_view_id, budget_row_id, id, cost_code, category,
                             original_budget_amount, budget_modifications, label_amounts, _synced_at, payload)
SELECT project_id, 1 + project_id % 3, project_id * 10 + 1, i::VARCHAR, i,
       lpad((i % 40)::VARCHAR, 2, '0') || '-100', 'Labor', amount, 0,
       json_object('Revised Budget', amount::VARCHAR, 'Committed Costs', (amount * 0.8)::DECIMAL(18, 2)::VARCHAR,
                   'Direct Costs', (amount * 0.3)::DECIMAL(18, 2)::VARCHAR,
                   'Projected Costs', (amount * 1.05)::DECIMAL(18, 2)::VARCHAR,
                   'Pending Budget Changes', '0.00', 'Cost to Date', '1.00'),
       $now, '{}'
FROM (SELECT i, 1 + i % $projects AS project_id, (1000 + (i % 5000))::DECIMAL(18, 2) AS amount
      FROM range(1, $budget_rows + 1) t(i))
"""


class Timed(float):
    """Median wall seconds that also carries the median CPU seconds (all DuckDB threads of this process)."""

    cpu: float

    def __format__(self, spec: str) -> str:
        return f"{float(self):{spec}} s wall ({self.cpu:{spec}} s CPU)"


def median_seconds(fn, repeat: int = 3) -> tuple[Timed, object]:
    """Median wall and CPU time of `repeat` calls of `fn`, and the last result.

    CPU time is printed too because the benchmark machine is shared: wall time rises with load.
    """
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    timed = Timed(statistics.median(walls))
    timed.cpu = statistics.median(cpus)
    return timed, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--rfis", type=int, default=1_000_000)
    parser.add_argument("--submittals", type=int, default=500_000)
    parser.add_argument("--budget-rows", type=int, default=200_000)
    parser.add_argument("--history-days", type=int, default=365)
    parser.add_argument("--keep", type=Path, help="write the warehouse here and keep it")
    args = parser.parse_args()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="transforms_bench_"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(workdir / "warehouse.duckdb"))
        create_raw_tables(con)
        start = time.perf_counter()
        sizes = {"projects": args.projects, "rfis": args.rfis, "submittals": args.submittals,
                 "budget_rows": args.budget_rows, "now": NOW}
        for statement in (s for s in GENERATE.split(";") if s.strip()):
            con.execute(statement, {k: v for k, v in sizes.items() if f"${k}" in statement})
        con.execute("CHECKPOINT")
        print(f"generated {args.rfis:,} RFIs, {args.submittals:,} submittals, {args.budget_rows:,} budget rows, "
              f"{args.projects:,} projects in {time.perf_counter() - start:.1f} s")
        settings = TransformSettings(now=NOW)
        seconds, counts = median_seconds(lambda: run_all(con, settings))
        print(f"run_all (8 models): median {seconds:.2f}  rows: {counts}")
        end = settings.today
        first = end - timedelta(days=args.history_days - 1)
        seconds, rows = median_seconds(lambda: rebuild_history(con, settings, first, end))
        print(f"history {first}..{end} ({args.history_days} days, one run): median {seconds:.2f}, {rows:,} rows")
        seconds, day = median_seconds(lambda: rebuild_history(con, settings, end, end))
        print(f"history, today's partition only: median {seconds:.2f}, {day:,} rows")
        seconds, result = median_seconds(lambda: publish(con, workdir / "serving.duckdb"))
        size_mb = (workdir / "serving.duckdb").stat().st_size / 1e6
        print(f"publish serving.duckdb: median {seconds:.2f}, {size_mb:.1f} MB, rows: {result.row_counts}")
        con.close()
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
