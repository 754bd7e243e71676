"""Fixtures of the operations tests: an own PostgreSQL cluster, a sandbox, and the shared Dagster stack.

Outside CI these tests skip, saying why, when PostgreSQL's `initdb` is not installed; with
`CI=true` they fail instead. The stack (webserver + daemon) is started once per module that uses it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for extra in (HERE, ROOT / "bench", ROOT):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from pg_cluster import OwnCluster, find_pg_bin, free_port  # noqa: E402
from prod_stack import OpsStack  # noqa: E402

from operations.postgres import PgTarget  # noqa: E402
from procore_sandbox.options import SandboxOptions  # noqa: E402
from procore_sandbox.server import RunningSandbox, start_sandbox  # noqa: E402

OPS_SANDBOX = {"seed": 7, "companies": 2, "projects": 3, "records_per_project": 8,
               "rate_limit_hourly": 100_000, "rate_limit_spike": 10_000}


def unavailable(reason: str) -> None:
    """Skip with `reason`, or fail with it when `CI=true`."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: required)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def own_pg() -> Iterator[OwnCluster]:
    """A private PostgreSQL cluster on a free port, deleted afterwards."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        unavailable("PostgreSQL's initdb is not installed (apt-get install postgresql)")
    try:
        cluster = OwnCluster(bin_dir).init()
        cluster.start()
    except (RuntimeError, KeyError, OSError) as exc:
        unavailable(f"cannot run an own PostgreSQL cluster: {exc}")
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="module")
def ops_sandbox() -> Iterator[RunningSandbox]:
    """A small sandbox for the stack, 2 companies x 3 projects."""
    running = start_sandbox(SandboxOptions(**OPS_SANDBOX))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def ops_stack(own_pg: OwnCluster, ops_sandbox: RunningSandbox, tmp_path_factory) -> Iterator[OpsStack]:
    """dagster-webserver + dagster-daemon on the own cluster, pointed at `ops_sandbox`."""
    target = PgTarget(port=own_pg.port, database="procore_pipelines")
    env = {**ops_sandbox.env(), "PROCORE_MAX_WORKERS": "2", "PROCORE_MAX_RETRIES": "2"}
    stack = OpsStack(target, tmp_path_factory.mktemp("ops_stack"), env, free_port())
    try:
        yield stack.start()
    finally:
        stack.stop()
