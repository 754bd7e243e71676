"""`procore-sandbox` with bad flags: one line on stderr naming the problem, exit 2, no traceback."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "procore_sandbox.cli", *args], capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize(("args", "expected"), [
    (("--port", "-1"), "-1 is not a port number (0-65535)"),
    (("--port", "70000"), "70000 is not a port number (0-65535)"),
    (("--port", "http"), "'http' is not a port number"),
    (("--projects", "-5"), "projects must not be negative"),
])
def test_bad_flag_is_one_line_and_exit_2(args: tuple[str, ...], expected: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_port_in_use_is_one_line_and_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run_cli("--port", str(port), "--projects", "1")
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
