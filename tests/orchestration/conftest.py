"""Fixtures for the ingestion tests: real resources pointed at the sandbox and a DuckDB file in `tmp_path`.

`run_job(name, run_config=None)` runs one of the code location's jobs in process on an ephemeral
instance (DAGSTER_HOME is a temp dir) with these resources; `warehouse_rows(stream)` and
`sandbox_rows(resource)` give comparable (key, updated_at, deleted, payload) tuples for equality checks.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from orchestration.ingestion_assets import INGESTION_ASSETS
from orchestration.jobs import build_sync_jobs
from orchestration.raw_checks import RAW_CHECKS
from procore_source.flatten import FlattenError
from procore_source.streams import STREAMS, Stream
from tests.conftest import sandbox_resources

PROJECT_SCOPED = ("rfis", "submittals", "budget_views", "budget_rows")


@pytest.fixture(autouse=True)
def _dagster_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("dagster_home")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


def make_resources(sandbox: Any, data_dir: Path, **procore: Any) -> dict[str, Any]:
    """Real resources: the Procore client pointed at `sandbox`, the warehouse in `data_dir`."""
    return sandbox_resources(sandbox.env(), data_dir, **procore)


def execute(resources: dict[str, Any], job: str, run_config: dict | None = None,
            raise_on_error: bool = True, instance: dg.DagsterInstance | None = None) -> dg.ExecuteInProcessResult:
    """Run the ingestion part of `job` (raw assets and their checks) in process with `resources`."""
    defs = dg.Definitions(assets=INGESTION_ASSETS, asset_checks=RAW_CHECKS,
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


def _key_sql(stream: str) -> str:
    return " || '/' || ".join(f'"{k}"::VARCHAR' for k in STREAMS[stream].primary_key)


def warehouse_rows(data_dir: Path, stream: str) -> list[tuple]:
    """(key, updated_at text, deleted?, payload) for every row of `raw.<stream>` (a list: duplicates show)."""
    updated = ("strftime(updated_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ')"
               if any(c.name == "updated_at" for c in STREAMS[stream].all_columns) else "NULL")
    rows = query(data_dir, f"SELECT {_key_sql(stream)}, {updated}, _deleted_at IS NOT NULL, payload::VARCHAR "
                           f"FROM raw.{stream}")
    return [(key, at, deleted, json.loads(payload)) for key, at, deleted, payload in rows]


def _sandbox_key(stream: Stream, item: dict) -> str:
    scope = {k: item[k] for k in ("company_id", "project_id", "budget_view_id") if item.get(k) is not None}
    try:
        row = stream.flatten(item["record"], scope)
    except FlattenError:  # a record planted malformed: its key from the scope and the record itself
        row = {**item["record"], **(stream.extras(item["record"]) if stream.extras else {}), **scope}
    return "/".join(str(row[k]) for k in stream.primary_key)


def sandbox_rows(sandbox: Any, resource: str) -> list[tuple]:
    """The same tuples from `GET /_sandbox/records/{resource}`, for projects the account can read."""
    info = sandbox.info()
    unreadable = set(info["forbidden_project_ids"]) | set(info["hidden_project_ids"])
    stream = STREAMS[resource]
    out = []
    for item in sandbox.records(resource):
        if resource in PROJECT_SCOPED and item["project_id"] in unreadable:
            continue
        record = item["record"]
        out.append((_sandbox_key(stream, item), record.get("updated_at"), item["deleted_at"] is not None, record))
    return out


def assert_equal(sandbox: Any, data_dir: Path, resource: str) -> None:
    """`raw.<resource>` equals the sandbox: per key the same `updated_at` and `payload` (the record exactly
    as served), the same number of live rows (so duplicates cannot hide), deletions marked.

    Records the sandbox deleted before any sync could see them (budget rows, projects: no recycle
    bin) cannot be known, so deleted sandbox records are only required where we hold the id.
    """
    ours, theirs = warehouse_rows(data_dir, resource), sandbox_rows(sandbox, resource)
    assert len({r[0] for r in ours}) == len(ours), f"{resource}: a key appears twice in the warehouse"
    assert len({r[0] for r in theirs}) == len(theirs), f"{resource}: a key appears twice in the sandbox"
    live_ours = {r[0]: r for r in ours if not r[2]}
    live_theirs = {r[0]: r for r in theirs if not r[2]}
    assert len(live_ours) == len(live_theirs), f"{resource}: {len(live_ours)} live rows, sandbox {len(live_theirs)}"
    assert set(live_ours) == set(live_theirs), resource
    for key, (_, updated_at, _, record) in live_theirs.items():
        assert live_ours[key][1] == updated_at, f"{resource} {key}: updated_at differs"
        assert live_ours[key][3] == record, f"{resource} {key}: payload differs from the record served"
    their_ids = {r[0]: r for r in theirs}
    for key, _, deleted, payload in ours:
        assert key in their_ids, f"{resource} {key} is not in the sandbox"
        assert deleted == their_ids[key][2], f"{resource} {key}: deletion mark differs"
        if deleted and STREAMS[resource].deletions == "recycle_bin":  # read from the bin: the deleted record
            assert payload == their_ids[key][3], f"{resource} {key}: recycle-bin payload differs"
    if resource in ("rfis", "submittals"):
        assert {r[0] for r in ours} == set(their_ids), f"{resource}: recycle-bin records missing"
