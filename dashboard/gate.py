"""ASGI middleware in front of Streamlit: only what a viewer of this dashboard needs answers.

Streamlit serves more than the app: file uploads (`/_stcore/upload_file`, though the app has no
uploader), Prometheus metrics (`/_stcore/metrics`), custom components, the agent API, auth routes,
and a websocket whose back messages include `clear_cache` (empties every global cache, for all users),
`file_urls_request` (upload URLs) and `set_run_on_save`. None of it needs a token. This gate:
- answers HTTP only on the routes the page uses (the page itself, its static assets and favicon,
  the health and host-config probes, and CSV downloads under `media/`), GET and HEAD only; anything
  else gets a plain 404 (405 for other methods);
- accepts the websocket only at `_stcore/stream`, passes on only the back messages a viewer sends
  (run the script, heartbeat, stop), and never resumes an earlier session: a reconnecting client gets
  a new session, so a session id seen elsewhere opens nothing;
- before a CSV download, drops the media of sessions whose token no longer authenticates
  (`media_guard`), so a revoked token's links stop working at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dashboard import media_guard

log = logging.getLogger("dashboard.gate")

PAGE_PATHS = ("", "/", "/favicon.png", "/_stcore/health", "/_stcore/host-config")
PAGE_PREFIXES = ("/static/",)
MEDIA_PREFIX = "/media/"
STREAM_PATH = "/_stcore/stream"
READ_METHODS = ("GET", "HEAD")
# The back messages Streamlit's page sends while someone views it; everything else is dropped.
VIEWER_BACK_MESSAGES = frozenset({"rerun_script", "app_heartbeat", "stop_script"})


def back_message_type(data: bytes) -> str | None:
    """The `BackMsg` type of a websocket frame, or None when it is not a BackMsg."""
    from google.protobuf.message import DecodeError
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    try:
        msg.ParseFromString(data)
    except DecodeError:
        return None
    return msg.WhichOneof("type")


def without_session_resume(scope: Scope) -> Scope:
    """`scope` with the websocket subprotocol list cut to (protocol, XSRF token): Streamlit reads a third
    entry as the id of a session to resume, which would hand that session's state to whoever sent it."""
    headers = []
    for name, value in scope["headers"]:
        if name.lower() == b"sec-websocket-protocol":
            value = b",".join(value.split(b",")[:2])
        headers.append((name, value))
    return {**scope, "headers": headers}


class GateMiddleware:
    """Pure ASGI middleware; `base_path` is Streamlit's `server.baseUrlPath` (no slashes around it)."""

    def __init__(self, app: ASGIApp, base_path: str,
                 live_digests: Callable[[Iterable[str]], set[str]] | None = None) -> None:
        self.app = app
        self.base = "/" + base_path.strip("/")
        self.live_digests = live_digests

    def _route(self, path: str) -> str | None:
        if path != self.base and not path.startswith(self.base + "/"):
            return None
        return path[len(self.base):]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse, filter or pass each HTTP request and websocket."""
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        route = self._route(scope.get("path", ""))
        if scope["type"] == "websocket":
            if route != STREAM_PATH:
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(without_session_resume(scope), _viewer_messages_only(receive), send)
            return
        allowed = route is not None and (route in PAGE_PATHS or route.startswith(PAGE_PREFIXES + (MEDIA_PREFIX,)))
        if not allowed:
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
        if scope["method"] not in READ_METHODS:
            await PlainTextResponse("Method Not Allowed", status_code=405,
                                    headers={"Allow": ", ".join(READ_METHODS)})(scope, receive, send)
            return
        if route.startswith(MEDIA_PREFIX) and self.live_digests is not None:
            await run_in_threadpool(media_guard.drop_revoked, self.live_digests)
        await self.app(scope, receive, send)


def _viewer_messages_only(receive: Receive) -> Receive:
    async def filtered() -> Message:
        while True:
            message = await receive()
            data = message.get("bytes") if message["type"] == "websocket.receive" else None
            if data is None:
                return message  # connect, disconnect, and text frames (Streamlit closes on those)
            kind = back_message_type(data)
            if kind in VIEWER_BACK_MESSAGES or kind is None:
                return message  # not a BackMsg: Streamlit closes the connection with a protocol error
            log.warning("dropped a %s message from a dashboard websocket", kind)

    return filtered
