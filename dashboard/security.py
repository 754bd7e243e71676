"""ASGI middleware adding the dashboard's security headers to every HTTP response.

Streamlit sends no X-Frame-Options or CSP, so without this any site could frame the dashboard.
`frame-ancestors` limits embedding to Procore's hosts plus `DASHBOARD_FRAME_ANCESTORS`;
`Referrer-Policy: no-referrer` keeps the token-bearing page URL out of Referer headers sent
when a user follows a link into Procore. `Cache-Control: no-store` keeps the token-bearing page and the
CSV downloads out of every cache (only the hashed static assets keep Streamlit's long caching). No
redirect leaves the server: Streamlit's trailing-slash and directory redirects build `Location` from the
request's `Host` header and copy the query string (the token) into it, so any 3xx becomes a plain 404.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(frame_ancestors: Iterable[str]) -> str:
    """The CSP header value: only `frame-ancestors` (Streamlit's own scripts need no other limits)."""
    return "frame-ancestors " + " ".join(frame_ancestors)


class SecurityHeadersMiddleware:
    """Pure ASGI middleware (websockets pass through untouched)."""

    def __init__(self, app: ASGIApp, frame_ancestors: Iterable[str], static_prefix: str = "/static/") -> None:
        self.app = app
        self.static_prefix = static_prefix
        self.headers = {
            "Content-Security-Policy": content_security_policy(frame_ancestors),
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, adding the headers to the response start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        cacheable = scope.get("path", "").startswith(self.static_prefix)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                if 300 <= message["status"] < 400:
                    message = {**message, "status": 404,
                               "headers": [(k, v) for k, v in message.get("headers", []) if k.lower() != b"location"]}
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
                if not cacheable or message["status"] != 200:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
