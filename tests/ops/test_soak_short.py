"""A short soak (4 hourly cycles) through `bench/soak.py`'s own loop.

The sandbox clock starts on a Sunday at 01:00 and moves an hour per cycle, so the cycles run
hourly+daily (02:00), hourly, hourly+weekly (Sunday 04:00) and hourly, with random changes and
injected 503s, 429s and token expiries. After every cycle the warehouse equals the sandbox and
the dashboard's metrics equal counts taken from the sandbox; an hourly cycle without faults costs
exactly the minimum number of requests.
"""

from __future__ import annotations

import os

import pytest
from soak import run_soak, start_time_for

pytestmark = pytest.mark.slow


def test_four_cycles_stay_exact_under_faults(start_sandbox_server, tmp_path, monkeypatch):
    sandbox = start_sandbox_server(projects=2, records_per_project=6, start_time=start_time_for(4, weekday=6, hour=1))
    for key in [*sandbox.env(), "PIPELINES_DATA_DIR", "PROCORE_RETRY_BACKOFF", "PIPELINES_SYNC_OVERLAP_SECONDS"]:
        monkeypatch.setenv(key, os.environ.get(key, ""))  # run_soak sets them; monkeypatch restores them
    (tmp_path / "data").mkdir()

    report = run_soak(sandbox, tmp_path / "data", cycles=4, seed=4, log=lambda _line: None)

    assert report.ok, "\n".join(c.line() for c in report.cycles)
    assert [c.jobs for c in report.cycles] == [["hourly_sync", "daily_sync"], ["hourly_sync"],
                                               ["hourly_sync", "weekly_full_sync"], ["hourly_sync"]]
    assert {f for c in report.cycles for f in c.faults} == {"503", "429", "token"}  # seed 4 injects all three
    clean_hourly = [c.requests for c in report.cycles if c.jobs == ["hourly_sync"] and not c.faults]
    assert clean_hourly and all(n == report.minimum_hourly for n in clean_hourly), (clean_hourly, report.minimum_hourly)
    assert report.warehouse_bytes > 0 and report.rss_end["soak driver"] > 0
