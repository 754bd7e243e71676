"""The route gate and the header middleware in process (plain ASGI calls), and the serve flags."""

from __future__ import annotations

import asyncio

from starlette.responses import PlainTextResponse, RedirectResponse
from streamlit.proto.BackMsg_pb2 import BackMsg

from dashboard.cli import streamlit_flags
from dashboard.gate import GateMiddleware, back_message_type, without_session_resume
from dashboard.security import SecurityHeadersMiddleware

BASE = "integrations/procore/iframe"


def _back(kind: str) -> bytes:
    msg = BackMsg()
    if kind == "rerun_script":
        msg.rerun_script.query_string = "api_token=x"
    elif kind == "file_urls_request":
        msg.file_urls_request.file_names.append("a.txt")
    elif kind == "backend_operation_request":
        msg.backend_operation_request.request_id = "1"
    else:
        setattr(msg, kind, True)
    return msg.SerializeToString()


def _websocket(frames: list[bytes], headers: list[tuple[bytes, bytes]] | None = None) -> tuple[list[str], dict]:
    """Run the gate over a websocket carrying `frames`; returns the back message types the app received."""
    received: list[str] = []
    seen_scope: dict = {}

    async def app(scope, receive, send):
        seen_scope.update(scope)
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            if message["type"] == "websocket.receive":
                received.append(back_message_type(message["bytes"]))

    queue = [{"type": "websocket.connect"}] + [{"type": "websocket.receive", "bytes": f} for f in frames] + \
        [{"type": "websocket.disconnect", "code": 1000}]

    async def receive():
        return queue.pop(0)

    async def send(message):
        pass

    scope = {"type": "websocket", "path": f"/{BASE}/_stcore/stream", "headers": headers or []}
    asyncio.run(GateMiddleware(app, BASE)(scope, receive, send))
    return received, seen_scope


def test_only_viewer_back_messages_reach_streamlit():
    kinds = ["clear_cache", "rerun_script", "set_run_on_save", "load_git_info", "app_heartbeat",
             "debug_shutdown_runtime", "debug_disconnect_websocket", "file_urls_request", "stop_script",
             "backend_operation_request"]
    received, _ = _websocket([_back(k) for k in kinds])
    assert received == ["rerun_script", "app_heartbeat", "stop_script"]


def test_a_session_id_to_resume_is_cut_from_the_subprotocols():
    headers = [(b"sec-websocket-protocol", b"streamlit, xsrf-token, 0f1e-session-id"), (b"host", b"h")]
    _, scope = _websocket([], headers)
    assert dict(scope["headers"])[b"sec-websocket-protocol"] == b"streamlit, xsrf-token"
    assert without_session_resume({"headers": [(b"Sec-WebSocket-Protocol", b"streamlit")]})["headers"] == \
        [(b"Sec-WebSocket-Protocol", b"streamlit")]


def _http(app, path: str, method: str = "GET") -> tuple[int, dict[str, str]]:
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "path": path, "method": method, "headers": [], "query_string": b"api_token=ppd_x"}
    asyncio.run(app(scope, receive, send))
    start = sent[0]
    return start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]}


def test_gate_lets_only_the_page_routes_through():
    async def inner(scope, receive, send):
        await PlainTextResponse("inner")(scope, receive, send)

    gate = GateMiddleware(inner, BASE)
    for path in ("", "/", "/favicon.png", "/static/js/index.js", "/_stcore/health", "/_stcore/host-config",
                 "/media/abc.csv"):
        assert _http(gate, f"/{BASE}{path}")[0] == 200, path
    for path in ("/_stcore/metrics", "/_stcore/upload_file/a/b", "/component/x", "/x", "/_stcore/stream",
                 "/staticx", "/mediax"):
        assert _http(gate, f"/{BASE}{path}")[0] == 404, path
    assert _http(gate, "/_stcore/health")[0] == 404  # outside the base path
    assert _http(gate, f"/{BASE}/", "POST")[0] == 405


def test_headers_middleware_turns_redirects_into_404_and_stores_nothing():
    async def redirecting(scope, receive, send):
        await RedirectResponse(f"http://evil.example/{BASE}/?api_token=ppd_x")(scope, receive, send)

    status, headers = _http(SecurityHeadersMiddleware(redirecting, ["https://app.procore.com"]), f"/{BASE}/x/")
    assert status == 404 and "location" not in headers and headers["cache-control"] == "no-store"

    async def static(scope, receive, send):
        await PlainTextResponse("js", headers={"Cache-Control": "public, immutable, max-age=31536000"})(
            scope, receive, send)

    wrapped = SecurityHeadersMiddleware(static, ["https://app.procore.com"], static_prefix=f"/{BASE}/static/")
    assert _http(wrapped, f"/{BASE}/static/js/a.js")[1]["cache-control"].startswith("public, immutable")
    assert _http(wrapped, f"/{BASE}/")[1]["cache-control"] == "no-store"


def test_serve_flags_close_what_the_app_does_not_use():
    flags = streamlit_flags(8501, None)
    for flag in ("--server.maxUploadSize=0", "--server.enableXsrfProtection=true", "--server.allowRunOnSave=false",
                 "--server.enableAgentApi=false", "--server.enableStaticServing=false",
                 "--client.showErrorDetails=none", "--client.toolbarMode=minimal"):
        assert flag in flags
