"""`--port` of `procore-dashboard serve` and `procore-webhooks serve`: a bad port is one usage line, exit 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline_settings.cli_args import port_number


@pytest.mark.parametrize("text", ["0", "8501", "65535"])
def test_ports_in_range_are_accepted(text: str) -> None:
    assert port_number(text) == int(text)


@pytest.mark.parametrize("module", ["dashboard.cli", "webhooks.cli"])
@pytest.mark.parametrize(("port", "message"), [
    ("99999", "99999 is not a port number (0-65535)"),
    ("-1", "-1 is not a port number (0-65535)"),
    ("eighty", "'eighty' is not a port number"),
])
def test_bad_port_is_a_usage_error(module: str, port: str, message: str, tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", module, "serve", "--port", port], capture_output=True, text=True,
                            timeout=60, env={"PATH": "/usr/bin:/bin", "PIPELINES_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
