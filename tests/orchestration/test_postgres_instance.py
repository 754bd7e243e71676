"""A sync job on a Dagster instance whose storage is PostgreSQL, read back from PostgreSQL.

Uses `DAGSTER_TEST_PG_URL` or postgresql://postgres@127.0.0.1:5432/test, in a schema of its own
that is dropped afterwards. Outside CI an unreachable server skips the test; with CI=true it fails.
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import urlsplit

import dagster as dg
import pytest
import yaml

from tests.orchestration.conftest import execute, make_resources

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def pg_schema():
    psycopg2 = pytest.importorskip("psycopg2")
    url = os.environ.get("DAGSTER_TEST_PG_URL", DEFAULT_URL)
    try:
        con = psycopg2.connect(url, connect_timeout=5)
    except psycopg2.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {url} is unreachable in CI: {exc}")
        pytest.skip(f"PostgreSQL at {url} is unreachable (set DAGSTER_TEST_PG_URL): {exc}")
    con.autocommit = True
    schema = f"ingest_test_{uuid.uuid4().hex[:10]}"
    with con.cursor() as cur:
        cur.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield url, schema, con
    finally:
        with con.cursor() as cur:
            cur.execute(f'DROP SCHEMA "{schema}" CASCADE')
        con.close()


def test_sync_job_runs_on_a_postgres_instance(pg_schema, sandbox, tmp_path):
    url, schema, con = pg_schema
    parts = urlsplit(url)
    config = {
        "storage": {"postgres": {"postgres_db": {
            "hostname": parts.hostname, "port": parts.port or 5432, "username": parts.username or "postgres",
            "password": parts.password or "", "db_name": parts.path.lstrip("/") or "postgres",
            "scheme": "postgresql+psycopg2", "params": {"options": f"-csearch_path={schema}"}}}},
        "concurrency": {"pools": {"default_limit": 1}},
        "telemetry": {"enabled": False},
    }
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text(yaml.safe_dump(config))
    with dg.DagsterInstance.from_config(str(home)) as instance:
        result = execute(make_resources(sandbox, tmp_path / "data"), "hourly_sync", instance=instance)
        assert result.success
        assert instance.get_run_by_id(result.run_id).status == dg.DagsterRunStatus.SUCCESS
    with con.cursor() as cur:
        cur.execute(f'SELECT pipeline_name, status FROM "{schema}".runs WHERE run_id = %s', [result.run_id])
        assert cur.fetchall() == [("hourly_sync", "SUCCESS")]
        cur.execute(f'SELECT count(*) FROM "{schema}".event_logs WHERE run_id = %s '
                    "AND dagster_event_type = 'ASSET_MATERIALIZATION'", [result.run_id])
        assert cur.fetchone()[0] == 2
