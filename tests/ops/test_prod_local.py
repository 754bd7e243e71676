"""`scripts/prod_local.py --smoke`: the production-shaped stack starts on this machine and works.

Against an own PostgreSQL cluster and without `PROCORE_CLIENT_ID`, the script creates its database,
starts the sandbox, `dagster-webserver`, `dagster-daemon` and the dashboard (each in its own
process group), queues a first `weekly_full_sync` that the daemon launches, waits for its success
in PostgreSQL, and stops everything it started.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from pg_cluster import free_port

from operations.postgres import PgTarget

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_prod_local_smoke(own_pg, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROCORE_", "DAGSTER_", "PIPELINES_"))}
    ports = {"dagster": free_port(), "dashboard": free_port(), "sandbox": free_port()}
    args = [sys.executable, str(ROOT / "scripts" / "prod_local.py"), "--smoke",
            "--pg-url", f"postgresql://postgres@127.0.0.1:{own_pg.port}", "--database", "prod_local_smoke",
            "--home", str(tmp_path / "home"), "--data-dir", str(tmp_path / "data"), "--projects", "2",
            "--dagster-port", str(ports["dagster"]), "--dashboard-port", str(ports["dashboard"]),
            "--sandbox-port", str(ports["sandbox"])]
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=400)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "created database postgres@127.0.0.1" in result.stdout
    assert "weekly_full_sync: SUCCESS (read from PostgreSQL)" in result.stdout
    assert (tmp_path / "data" / "serving.duckdb").exists()
    con = PgTarget(port=own_pg.port).connect("postgres")  # the access store and inbox databases, as in production
    try:
        with con.cursor() as cur:
            cur.execute("SELECT datname FROM pg_database WHERE datname IN ('procore_dashboard', 'procore_webhooks')")
            assert sorted(row[0] for row in cur.fetchall()) == ["procore_dashboard", "procore_webhooks"]
    finally:
        con.close()
    for name, port in ports.items():  # every process group the script started is stopped
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"{name} still listens on {port}"
