"""`scripts/demo.py` as the README runs it: `--smoke` passes on free ports and leaves the daily history filled;
a busy port (here: a real Procore sandbox already answering there) fails at once, in one line, before anything
is started or synced; and `python scripts/demo.py` works from a Python outside `.venv`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest
from pg_cluster import free_port

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "scripts" / "demo.py"
# The interpreter the venv was made from: the project is not installed there, as for `python scripts/demo.py`.
OUTSIDE_PYTHON = Path(sys.base_prefix) / "bin" / "python3"
FLAGS = {"sandbox": "--sandbox-port", "dagster": "--dagster-port", "dashboard": "--dashboard-port"}
WHAT = {"sandbox": "the sandbox", "dagster": "the Dagster UI", "dashboard": "the dashboard"}
pytestmark = pytest.mark.slow


def clean_env() -> dict[str, str]:
    """This environment without the product's settings and without the venv on PATH."""
    venv_bin = str(ROOT / ".venv" / "bin")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PROCORE_", "DAGSTER_", "PIPELINES_", "DASHBOARD_", "WEBHOOK_", "VIRTUAL_ENV"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    return env


def demo_command(python: Path | str, tmp_path: Path, ports: dict[str, int], *extra: str) -> list[str]:
    args = [str(python), str(DEMO), "--projects", "2", "--data-dir", str(tmp_path / "data"),
            "--dagster-home", str(tmp_path / "home"), *extra]
    for name, port in ports.items():
        args += [FLAGS[name], str(port)]
    return args


@pytest.mark.timeout(900)
def test_smoke_passes_and_leaves_the_history_filled(tmp_path):
    ports = {name: free_port() for name in FLAGS}
    result = subprocess.run(demo_command(sys.executable, tmp_path, ports, "--smoke"), cwd=ROOT, env=clean_env(),
                            capture_output=True, text=True, timeout=880)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "demo: smoke check passed" in result.stdout
    with duckdb.connect(str(tmp_path / "data" / "serving.duckdb"), read_only=True) as con:
        projects = {r[0] for r in con.execute("SELECT project_id FROM marts.project_metrics").fetchall()}
        per_project = dict(con.execute("SELECT project_id, count(DISTINCT metric_date) "
                                       "FROM marts.project_metrics_daily GROUP BY project_id").fetchall())
        first, last = con.execute("SELECT min(metric_date), max(metric_date) "
                                  "FROM marts.project_metrics_daily").fetchone()
    days = (last - first).days + 1
    assert projects and set(per_project) == projects and set(per_project.values()) == {days}
    assert first == date(2024, 1, 1) and (date.today() - last).days <= 1  # the whole range, up to today
    for name, port in ports.items():  # everything the demo started is stopped
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"{name} still listens on {port}"


@pytest.mark.parametrize("taken", list(FLAGS))
def test_a_busy_port_fails_at_once_in_one_line(start_sandbox_server, tmp_path, taken):
    impostor = start_sandbox_server()  # what answered in the report: another sandbox, with other data
    ports = {name: free_port() for name in FLAGS}
    ports[taken] = urlsplit(impostor.url).port
    result = subprocess.run(demo_command(OUTSIDE_PYTHON, tmp_path, ports, "--smoke"), cwd=ROOT, env=clean_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"demo: port {ports[taken]} ({WHAT[taken]}) is already in use; stop what listens there "
        f"or pick another port with {FLAGS[taken]}"]
    assert "Traceback" not in result.stderr and "smoke check passed" not in result.stdout
    assert result.stdout == "", "nothing is started before the ports are checked"
    assert not (tmp_path / "data" / "warehouse.duckdb").exists()


def test_help_works_from_a_python_outside_the_venv():
    result = subprocess.run([str(OUTSIDE_PYTHON), str(DEMO), "--help"], cwd=ROOT, env=clean_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "--smoke" in result.stdout and "Traceback" not in result.stderr
