"""`scripts/screenshots.py`: the README's screenshots through the cross-origin host page, and its one-line errors."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "screenshots.py"
_spec = importlib.util.spec_from_file_location("screenshots", SCRIPT)
screenshots = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(screenshots)


@pytest.mark.parametrize(("argv", "message"), [
    (["--host-url", "ftp://x/host?dashboard=y"], "--host-url must be an http(s) URL"),
    (["--host-url", "http://127.0.0.1:9/procore/host"], "--host-url names no dashboard"),
    (["--host-url", "http://127.0.0.1:9/host", "--dashboard-url", "http://localhost:1/no-token"],
     "--dashboard-url must be the dashboard's http(s) URL with its ?api_token="),
    (["--host-url", "http://127.0.0.1:9/host?dashboard=http%3A%2F%2Flocalhost%3A9%2F%3Fapi_token%3Dx"],
     "the demo did not render as expected"),
])
def test_bad_input_is_one_line(argv, message, capsys, tmp_path):
    if "render" in message and not Path(screenshots.CHROMIUM).exists():
        pytest.skip("needs Chromium to try the page")
    assert screenshots.main([*argv, "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("screenshots.py: error: ") and message in err and err.count("\n") == 1
    assert not list(tmp_path.iterdir())


def test_dashboard_url_replaces_the_embedded_one():
    url = screenshots.host_page_url("http://127.0.0.1:8765/procore/host?dashboard=old&project_id=5",
                                    "http://localhost:8501/integrations/procore/iframe/?api_token=ppd_x")
    assert url == ("http://127.0.0.1:8765/procore/host?dashboard=http%3A%2F%2Flocalhost%3A8501%2Fintegrations"
                   "%2Fprocore%2Fiframe%2F%3Fapi_token%3Dppd_x")


@pytest.mark.browser
def test_takes_both_screenshots_through_the_host_page(served, tmp_path):
    if not (os.path.exists(screenshots.CHROMIUM) or shutil.which("chromium")):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required in CI ({screenshots.CHROMIUM} missing)")
        pytest.skip("Chromium not installed")
    host = f"{served.sandbox.url}/procore/host"
    dashboard = f"{served.dashboard.url('localhost')}?api_token={served.group_token}"
    assert screenshots.main(["--host-url", host, "--dashboard-url", dashboard, "--out", str(tmp_path)]) == 0
    for name in ("dashboard-list.png", "dashboard-project.png"):
        data = (tmp_path / name).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000, name
