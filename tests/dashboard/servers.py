"""Starts `procore-dashboard serve` in a subprocess for the served and browser tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
BASE_PATH = "/integrations/procore/iframe/"


def free_port() -> int:
    """A TCP port free right now on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServedDashboard:
    """A running dashboard process and where to reach it."""

    process: subprocess.Popen
    port: int
    log_path: Path

    def url(self, host: str = "localhost") -> str:
        return f"http://{host}:{self.port}{BASE_PATH}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)


def start_dashboard(data_dir: Path, frame_ancestors: str, timeout: float = 60) -> ServedDashboard:
    """`python -m dashboard.cli serve` on a free port (all interfaces are not needed: 127.0.0.1)."""
    port = free_port()
    log_path = data_dir / f"dashboard-{port}.log"
    env = {**os.environ, "PIPELINES_DATA_DIR": str(data_dir), "DASHBOARD_FRAME_ANCESTORS": frame_ancestors,
           "DASHBOARD_DATABASE_URL": f"sqlite:///{data_dir / 'dashboard.db'}",
           "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "dashboard.cli", "serve", "--port", str(port),
                                    "--address", "127.0.0.1"], cwd=data_dir, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    served = ServedDashboard(process, port, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dashboard exited early:\n{served.log()}")
        try:
            if requests.get(served.url("127.0.0.1") + "_stcore/health", timeout=2).status_code == 200:
                return served
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    served.stop()
    raise RuntimeError(f"dashboard did not become healthy:\n{served.log()}")
