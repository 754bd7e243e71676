"""Fixtures for the ingestion tests: real resources pointed at the sandbox and a DuckDB file in `tmp_path`.

`run_job(name, run_config=None)` runs one of the code location's jobs in process on an ephemeral
instance (DAGSTER_HOME is a temp dir) with these resources; `warehouse_rows(stream)` and
`sandbox_rows(resource)` give comparable (key, updated_at, deleted) tuples for equality checks.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from orchestration.checks import INGESTION_CHECKS
from orchestration.ingestion_assets import INGESTION_ASSETS
from orchestration.jobs import build_sync_jobs
from orchestration.resources import ProcoreResource, WarehouseResource
from procore_source.streams import _budget_row_extras

PROJECT_SCOPED = ("rfis", "submittals", "budget_views", "budget_rows")


@pytest.fixture(autouse=True)
def _dagster_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("dagster_home")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


def make_resources(sandbox: Any, data_dir: Path, **procore: Any) -> dict[str, Any]:
    """Real resources: the Procore client pointed at `sandbox`, the warehouse in `data_dir`."""
    env = sandbox.env()
    return {
        "procore": ProcoreResource(client_id=env["PROCORE_CLIENT_ID"], client_secret=env["PROCORE_CLIENT_SECRET"],
                                   company_ids=env["PROCORE_COMPANY_IDS"], api_base_url=env["PROCORE_API_BASE_URL"],
                                   login_base_url=env["PROCORE_LOGIN_BASE_URL"], **procore),
        "warehouse": WarehouseResource(data_dir=str(data_dir)),
    }


def execute(resources: dict[str, Any], job: str, run_config: dict | None = None,
            raise_on_error: bool = True, instance: dg.DagsterInstance | None = None) -> dg.ExecuteInProcessResult:
    """Run the ingestion part of `job` (raw assets and their checks) in process with `resources`."""
    defs = dg.Definitions(assets=INGESTION_ASSETS, asset_checks=INGESTION_CHECKS,
                          jobs=build_sync_jobs(INGESTION_ASSETS), resources=resources)
    return defs.resolve_job_def(job).execute_in_process(run_config=run_config,
                                                        instance=instance or dg.DagsterInstance.ephemeral(),
                                                        raise_on_error=raise_on_error)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def run_job(sandbox: Any, data_dir: Path) -> Callable[..., dg.ExecuteInProcessResult]:
    resources = make_resources(sandbox, data_dir)
    return lambda job, run_config=None, raise_on_error=True: execute(resources, job, run_config, raise_on_error)


@pytest.fixture(scope="module")
def _weekly_template(_session_sandbox: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse after `weekly_full_sync` of the freshly reset session sandbox, built once per module."""
    _session_sandbox.reset()
    template = tmp_path_factory.mktemp("weekly_template")
    assert execute(make_resources(_session_sandbox, template), "weekly_full_sync").success
    return template / "warehouse.duckdb"


@pytest.fixture
def synced(sandbox: Any, data_dir: Path, _weekly_template: Path) -> Path:
    """`data_dir` holding a copy of the weekly-synced warehouse (the sandbox is reset to the same seed)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(_weekly_template, data_dir / "warehouse.duckdb")
    return data_dir


def query(data_dir: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of `sql` against the warehouse in `data_dir`."""
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
        return con.execute(sql, params or []).fetchall()


def warehouse_rows(data_dir: Path, stream: str) -> set[tuple]:
    """(key, updated_at text, deleted?) for every row of `raw.<stream>`."""
    key = {"projects": "id", "budget_rows": "budget_row_id"}.get(stream, "id")
    rows = query(data_dir, f"SELECT {key}::VARCHAR, strftime(updated_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ'), "
                           f"_deleted_at IS NOT NULL FROM raw.{stream}"
                 if stream != "budget_rows" else
                 f"SELECT project_id::VARCHAR || '/' || budget_view_id::VARCHAR || '/' || {key}, NULL, "
                 f"_deleted_at IS NOT NULL FROM raw.{stream}")
    return set(rows)


def sandbox_rows(sandbox: Any, resource: str) -> set[tuple]:
    """The same tuples from `GET /_sandbox/records/{resource}`, for projects the account can read."""
    info = sandbox.info()
    unreadable = set(info["forbidden_project_ids"]) | set(info["hidden_project_ids"])
    out = set()
    for item in sandbox.records(resource):
        if resource in PROJECT_SCOPED and item["project_id"] in unreadable:
            continue
        record = item["record"]
        if resource == "budget_rows":
            key = f"{item['project_id']}/{item['budget_view_id']}/{_budget_row_extras(record)['budget_row_id']}"
            out.add((key, None, item["deleted_at"] is not None))
        else:
            out.add((str(record["id"]), record.get("updated_at"), item["deleted_at"] is not None))
    return out


def assert_equal(sandbox: Any, data_dir: Path, resource: str) -> None:
    """`raw.<resource>` equals the sandbox: live rows the same (ids, updated_at), deletions marked.

    Records the sandbox deleted before any sync could see them (budget rows, projects: no recycle
    bin) cannot be known, so deleted sandbox records are only required where we hold the id.
    """
    ours, theirs = warehouse_rows(data_dir, resource), sandbox_rows(sandbox, resource)
    assert {r for r in ours if not r[2]} == {r for r in theirs if not r[2]}, resource
    their_ids = {r[0]: r for r in theirs}
    for key, _, deleted in ours:
        assert key in their_ids, f"{resource} {key} is not in the sandbox"
        assert deleted == their_ids[key][2], f"{resource} {key}: deletion mark differs"
    if resource in ("rfis", "submittals"):
        assert {r[0] for r in ours} == set(their_ids), f"{resource}: recycle-bin records missing"
