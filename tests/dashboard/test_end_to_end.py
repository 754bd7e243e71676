"""End to end: a full sync of the sandbox publishes `serving.duckdb`, and the dashboard renders it.

Guards the serving contract between the transforms and the dashboard: every project of a company
token's list opens a dashboard without an error, and the figures shown are the published ones.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import open_buttons, page_text, run_app

from dashboard.formatting import md
from dashboard.store import AccessStore

pytestmark = pytest.mark.slow


def test_dashboard_renders_a_real_published_snapshot(sandbox, run_pipeline_job, tmp_path: Path, monkeypatch):
    data_dir = tmp_path / "data"
    assert run_pipeline_job("weekly_full_sync", data_dir).success

    with duckdb.connect(str(data_dir / "serving.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT project_id, company_id, project_name FROM marts.project_metrics").fetchall()
    company_id = rows[0][1]
    expected = {pid: name for pid, cid, name in rows if cid == company_id}

    url = f"sqlite:///{data_dir / 'dashboard.db'}"
    monkeypatch.setenv("PIPELINES_DATA_DIR", str(data_dir))
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", url)
    store = AccessStore(url)
    store.create_all()
    token = store.generate_token("Company", company_id)[0]

    at = run_app(api_token=token)
    assert not at.exception
    assert open_buttons(at) == set(expected)
    for pid, name in expected.items():
        at = run_app(api_token=token, project_id=str(pid))
        assert not at.exception, pid
        assert at.title[0].value == md(name)
        assert "temporarily unavailable" not in page_text(at)
