"""Settings parsing, the security-header middleware in-process, and list pagination."""

from __future__ import annotations

import asyncio

import pytest
from app_pages import open_buttons, run_app
from starlette.responses import PlainTextResponse

from dashboard.cli import main
from dashboard.list_view import PAGE_SIZE
from dashboard.security import SecurityHeadersMiddleware
from dashboard.settings import PROCORE_FRAME_ANCESTORS, DashboardSettings, DashboardSettingsError


def test_settings_defaults_and_overrides(tmp_path):
    s = DashboardSettings.from_env({})
    assert s.serving_path.as_posix() == "data/serving.duckdb"
    assert s.database_url == "sqlite:///data/dashboard.db"
    assert s.public_url == "http://localhost:8501/integrations/procore/iframe/"
    assert s.frame_ancestors == PROCORE_FRAME_ANCESTORS
    s = DashboardSettings.from_env({"PIPELINES_DATA_DIR": str(tmp_path), "DASHBOARD_PUBLIC_URL": "https://d.example",
                                    "DASHBOARD_FRAME_ANCESTORS": "http://127.0.0.1:8000/, https://x.example"})
    assert s.database_url == f"sqlite:///{tmp_path}/dashboard.db" and s.public_url == "https://d.example/"
    assert s.frame_ancestors[-2:] == ("http://127.0.0.1:8000", "https://x.example")


@pytest.mark.parametrize("value", ["*", "'self'", "https://a.example; script-src *", "javascript:x", "x.example"])
def test_bad_frame_ancestors_are_refused(value, monkeypatch, capsys):
    with pytest.raises(DashboardSettingsError):
        DashboardSettings.from_env({"DASHBOARD_FRAME_ANCESTORS": value})
    monkeypatch.setenv("DASHBOARD_FRAME_ANCESTORS", value)
    assert main(["groups", "list"]) == 1
    assert capsys.readouterr().err.startswith("procore-dashboard: error: DASHBOARD_FRAME_ANCESTORS")


def _call(app, scope_type: str) -> list[dict]:
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b""} if scope_type == "http" else {"type": "websocket.connect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": scope_type, "path": "/", "headers": [], "method": "GET", "query_string": b""}
    asyncio.run(app(scope, receive, send))
    return sent


def test_middleware_adds_headers_and_leaves_websockets_alone():
    async def inner(scope, receive, send):
        if scope["type"] == "http":
            await PlainTextResponse("ok")(scope, receive, send)
        else:
            await send({"type": "websocket.accept", "headers": []})

    wrapped = SecurityHeadersMiddleware(inner, ["https://app.procore.com", "http://127.0.0.1:9"])
    start = _call(wrapped, "http")[0]
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    assert headers["content-security-policy"] == "frame-ancestors https://app.procore.com http://127.0.0.1:9"
    assert headers["referrer-policy"] == "no-referrer" and headers["x-content-type-options"] == "nosniff"
    assert _call(wrapped, "websocket") == [{"type": "websocket.accept", "headers": []}]


def test_long_lists_are_paginated(dash_env):
    real = dash_env.real
    rows = real.query("SELECT project_id, project_number FROM marts.project_metrics WHERE company_id = ? "
                      "ORDER BY project_name, project_id", (real.other_company,))
    assert len(rows) > 2 * PAGE_SIZE  # the sandbox company with the created "Paged Project NN" projects
    at = run_app(api_token=dash_env.token("Company", real.other_company))
    assert open_buttons(at) == {pid for pid, _ in rows[:PAGE_SIZE]}
    at.number_input(key="page").set_value(3).run()
    assert open_buttons(at) == {pid for pid, _ in rows[2 * PAGE_SIZE: 3 * PAGE_SIZE]}
    at.text_input(key="search").input("PG-07").run()
    assert open_buttons(at) == {pid for pid, number in rows if number == "PG-07"}
