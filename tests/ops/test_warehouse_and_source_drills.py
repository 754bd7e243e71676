"""Failure drills run in process: the warehouse file lost or corrupted, and the Procore API down.

- Corrupted `warehouse.duckdb`: the sync fails naming the file; `python -m operations.rebuild`
  (one command, documented in docs/operations.md) moves it aside, runs `weekly_full_sync`, and the
  warehouse ends equal to the sandbox. A deleted warehouse is rebuilt by the same command.
- The sandbox down for longer than the client's retry budget: the run fails with a message that
  names the API host, and the rows already committed stay exactly as they were.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from soak_compare import ALL_STREAMS, differences

from operations.rebuild import move_aside
from orchestration.definitions import build_definitions
from pipeline_settings import PipelineSettings

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture
def pipeline_env(tmp_path, monkeypatch, start_sandbox_server):
    """A fresh sandbox, the PROCORE_* variables pointing at it, and a data dir in `tmp_path`."""
    sandbox = start_sandbox_server(projects=2, records_per_project=6)
    env = {**sandbox.env(), "PIPELINES_DATA_DIR": str(tmp_path / "data"), "DAGSTER_HOME": str(tmp_path / "home"),
           "PROCORE_MAX_RETRIES": "1", "PROCORE_RETRY_BACKOFF": "0.05", "PROCORE_CONNECT_TIMEOUT": "2"}
    for key in ("data", "home"):
        (tmp_path / key).mkdir()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return sandbox, tmp_path / "data", env


def run(job: str) -> dg.ExecuteInProcessResult:
    """`job` of the code location as the current environment configures it, on an ephemeral instance."""
    defs = build_definitions(PipelineSettings.from_env())
    return defs.resolve_job_def(job).execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)


def failure_messages(result: dg.ExecuteInProcessResult) -> str:
    """Every step failure's error chain, as one text."""
    texts = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error
            while error is not None:
                texts.append(error.message)
                error = error.cause
    return "\n".join(texts)


def rebuild(env: dict[str, str]) -> subprocess.CompletedProcess:
    """The documented one-command rebuild, as an operator runs it."""
    full_env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "operations.rebuild"], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=240)


def test_corrupted_warehouse_fails_clearly_and_one_command_rebuilds_it(pipeline_env):
    sandbox, data, env = pipeline_env
    assert run("weekly_full_sync").success
    warehouse = data / "warehouse.duckdb"
    with open(warehouse, "r+b") as handle:  # garbage over the header and the first blocks
        handle.write(os.urandom(16384))

    result = run("hourly_sync")
    assert not result.success
    message = failure_messages(result)
    assert str(warehouse) in message and "make rebuild-warehouse" in message

    sandbox.mutate({"random": 5})
    done = rebuild(env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert list(data.glob("warehouse.duckdb.lost-*")), "the corrupted file is kept aside, not deleted"
    assert differences(warehouse, sandbox, ALL_STREAMS) == []


def test_deleted_warehouse_is_rebuilt_by_the_same_command(pipeline_env):
    sandbox, data, env = pipeline_env
    assert run("weekly_full_sync").success
    for path in data.glob("warehouse.duckdb*"):
        path.unlink()
    sandbox.mutate({"random": 5})
    done = rebuild(env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert move_aside(data / "nothing-here") == []  # nothing to move is not an error
    assert differences(data / "warehouse.duckdb", sandbox, ALL_STREAMS) == []


def _snapshot(path: Path) -> dict[str, list]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {s: con.execute(f"SELECT * EXCLUDE (payload) FROM raw.{s} ORDER BY ALL").fetchall() for s in ALL_STREAMS}


def test_api_down_beyond_the_retry_budget_fails_naming_the_host_and_keeps_committed_data(pipeline_env):
    sandbox, data, _ = pipeline_env
    assert run("weekly_full_sync").success
    before = _snapshot(data / "warehouse.duckdb")
    host = sandbox.url.split("://", 1)[1]
    sandbox.stop()  # connections refused from now on, for every retry

    result = run("hourly_sync")
    assert not result.success
    assert host in failure_messages(result)
    assert _snapshot(data / "warehouse.duckdb") == before
