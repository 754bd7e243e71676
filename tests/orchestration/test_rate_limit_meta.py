"""After a sync against the sandbox, `meta.rate_limit` holds the window the sandbox's headers reported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.orchestration.conftest import query

HOURLY_LIMIT = 5000  # below the session sandbox's spike limit, so the hourly window is the one reported


def test_hourly_sync_records_each_companys_rate_limit_window(sandbox, run_job, data_dir):
    sandbox.configure(rate_limit_hourly=HOURLY_LIMIT)
    before = datetime.now(UTC)
    result = run_job("hourly_sync")
    assert result.success
    rows = query(data_dir, "SELECT run_id, company_id, rate_limit, remaining, reset_at, observed_at "
                           "FROM meta.rate_limit ORDER BY company_id")
    assert [r[1] for r in rows] == sorted(sandbox.company_ids)
    assert {r[0] for r in rows} == {result.run_id}  # one row per company for the run, both assets upserting it
    stats = sandbox.stats()
    api_requests = stats["total"] - stats["by_path"].get("/oauth/token", 0)
    # The sandbox counts every /rest/ request per company; the last responses' Remaining says the same.
    assert sum(HOURLY_LIMIT - r[3] for r in rows) == api_requests
    for _, _, limit, remaining, reset_at, observed_at in rows:
        assert limit == HOURLY_LIMIT and 0 < remaining < HOURLY_LIMIT
        assert before < reset_at <= datetime.now(UTC) + timedelta(hours=1, seconds=2)
        assert before <= observed_at <= datetime.now(UTC)
    logged = query(data_dir, "SELECT company_id, sum(requests) FROM meta.sync_log GROUP BY ALL ORDER BY ALL")
    for (company_id, requests), row in zip(logged, rows, strict=True):
        # the project list read before the sync is paced too, but is not a sync_log read
        assert company_id == row[1] and 0 < requests <= HOURLY_LIMIT - row[3]
