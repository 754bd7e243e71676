"""Shared pytest fixtures: a session-wide Procore sandbox (reset before each test) and a factory for custom ones.

- `sandbox`: handle to a small sandbox shared by the whole session (2 companies x 6 projects, 10 RFIs
  per project, generous rate limits), reset to its seeded state before each test.
- `start_sandbox_server(**options)`: start a sandbox with custom `SandboxOptions` (same small defaults),
  stopped at teardown.
- `procore_env`: sets the `PROCORE_*` variables that point the client at `sandbox`.
- `run_pipeline_job(job, data_dir)`: runs one of the code location's jobs (ingestion, marts, checks,
  snapshot) in process against `sandbox`, with the warehouse in `data_dir` and DAGSTER_HOME in tmp_path;
  `execute_pipeline_job(env, job, data_dir, tags)` is the same without fixtures (session-scoped builders),
  and `sandbox_resources(env, data_dir)` the resources they run with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from procore_sandbox.options import SandboxOptions
from procore_sandbox.server import RunningSandbox, start_sandbox

TEST_SANDBOX_DEFAULTS: dict[str, Any] = {
    "seed": 42, "companies": 2, "projects": 6, "records_per_project": 10,
    "rate_limit_hourly": 100_000, "rate_limit_spike": 10_000,
}


@pytest.fixture(scope="session")
def _session_sandbox() -> Iterator[RunningSandbox]:
    running = start_sandbox(SandboxOptions(**TEST_SANDBOX_DEFAULTS))
    yield running
    running.stop()


@pytest.fixture
def sandbox(_session_sandbox: RunningSandbox) -> RunningSandbox:
    """The session's sandbox, reset (seeded data, no faults, start options, zero stats) for this test."""
    _session_sandbox.reset()
    return _session_sandbox


@pytest.fixture
def start_sandbox_server() -> Iterator[Callable[..., RunningSandbox]]:
    """Factory: `start_sandbox_server(**option_overrides)` (or a `SandboxOptions`) -> a running sandbox."""
    started: list[RunningSandbox] = []

    def start(options: SandboxOptions | None = None, **overrides: Any) -> RunningSandbox:
        opts = options or SandboxOptions(**{**TEST_SANDBOX_DEFAULTS, **overrides})
        running = start_sandbox(opts)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture
def procore_env(sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point the client at `sandbox` through the `PROCORE_*` environment variables; returns them."""
    env = sandbox.env()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def sandbox_resources(sandbox_env: dict[str, str], data_dir: Any, **procore: Any) -> dict[str, Any]:
    """The code location's resources, real, pointed at the sandbox whose `env()` is `sandbox_env`, with the
    warehouse in `data_dir` and the transforms' defaults (UTC, real time); `procore` overrides client fields."""
    from orchestration.resources import ProcoreResource, TransformsResource, WarehouseResource
    from pipeline_settings import variables

    env = sandbox_env
    return {
        "procore": ProcoreResource(client_id=env["PROCORE_CLIENT_ID"], client_secret=env["PROCORE_CLIENT_SECRET"],
                                   company_ids=list(variables.company_ids(env)),
                                   api_base_url=env["PROCORE_API_BASE_URL"],
                                   login_base_url=env["PROCORE_LOGIN_BASE_URL"], **procore),
        "warehouse": WarehouseResource(data_dir=str(data_dir)),
        "transforms": TransformsResource(),
    }


def execute_pipeline_job(sandbox_env: dict[str, str], job: str, data_dir: Any,
                         tags: dict[str, str] | None = None) -> Any:
    """Run one of the code location's jobs in process against the sandbox whose `env()` is `sandbox_env`,
    with the warehouse in `data_dir`, on an ephemeral instance; returns the `ExecuteInProcessResult` (errors kept)."""
    import dagster as dg

    from orchestration.definitions import ASSETS, CHECKS, JOBS

    defs = dg.Definitions(assets=ASSETS, asset_checks=CHECKS, jobs=JOBS,
                          resources=sandbox_resources(sandbox_env, data_dir))
    with dg.DagsterInstance.ephemeral() as instance:
        return defs.resolve_job_def(job).execute_in_process(instance=instance, raise_on_error=False, tags=tags)


@pytest.fixture
def run_pipeline_job(sandbox: RunningSandbox, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Factory: `run_pipeline_job("weekly_full_sync", data_dir)` -> the `ExecuteInProcessResult` (errors kept)."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))

    def run(job: str, data_dir: Any) -> Any:
        return execute_pipeline_job(sandbox.env(), job, data_dir)

    return run
