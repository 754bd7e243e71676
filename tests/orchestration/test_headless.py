"""Headless `dagster job execute` from the repository root, in subprocesses, with only env vars set."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.orchestration.conftest import assert_equal, query

REPO = Path(__file__).resolve().parents[2]
DAGSTER = str(Path(sys.executable).with_name("dagster"))
pytestmark = pytest.mark.slow


def _env(sandbox, home: Path, data: Path) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "deploy/dagster/dagster.local.yaml", home / "dagster.yaml")
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "DAGSTER_HOME": str(home),
            "PIPELINES_DATA_DIR": str(data), "PROCORE_MAX_WORKERS": "4", **sandbox.env()}


def _execute(job: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([DAGSTER, "job", "execute", "-m", "orchestration.definitions", "-j", job], cwd=REPO,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def _finish(proc: subprocess.Popen, timeout: float = 240) -> str:
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    lines = [line for line in out.splitlines() if " - DEBUG - " not in line]
    assert proc.returncode == 0, "\n".join(lines[-40:])
    return out


def test_sigkill_part_way_then_rerun_ends_equal_without_duplicates(start_sandbox_server, tmp_path):
    sandbox = start_sandbox_server(companies=1, projects=5, latency_ms=40)
    env = _env(sandbox, tmp_path / "home", tmp_path / "data")
    proc = _execute("weekly_full_sync", env)
    deadline = time.monotonic() + 180
    while sandbox.stats()["total"] < 15 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    served = sandbox.stats()["total"]
    # the killed run still holds its `duckdb` pool slot: release it as an operator would
    recovery = subprocess.run([sys.executable, "-m", "orchestration.recovery"], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=120)
    assert recovery.returncode == 0 and "released dead run" in recovery.stdout, recovery.stdout + recovery.stderr
    _finish(_execute("weekly_full_sync", env))
    assert sandbox.stats()["total"] > served
    data = tmp_path / "data"
    for resource in ("projects", "rfis", "submittals", "budget_views", "budget_rows"):
        assert_equal(sandbox, data, resource)
    dupes = query(data, "SELECT count(*) - count(DISTINCT (project_id, id)) FROM raw.rfis")
    assert dupes == [(0,)]


def test_two_headless_runs_started_at_once_both_succeed(start_sandbox_server, tmp_path):
    sandbox = start_sandbox_server(companies=1, projects=4, latency_ms=5)
    env = _env(sandbox, tmp_path / "home", tmp_path / "data")
    # An instance exists before runs start (the demo and prod-local create it): two processes creating a
    # brand-new SQLite instance at the same moment race in Dagster's own schema set-up, not in ours.
    subprocess.run([DAGSTER, "instance", "migrate"], cwd=REPO, env=env, check=True, capture_output=True)
    first, second = _execute("daily_sync", env), _execute("daily_sync", env)
    _finish(first)
    _finish(second)
    for resource in ("projects", "budget_views", "budget_rows"):
        assert_equal(sandbox, tmp_path / "data", resource)
    runs = query(tmp_path / "data", "SELECT count(DISTINCT run_id) FROM meta.sync_log")
    assert runs == [(2,)]
