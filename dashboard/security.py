"""ASGI middleware adding the dashboard's security headers to every HTTP response.

Streamlit sends no X-Frame-Options or CSP, so without this any site could frame the dashboard.
`frame-ancestors` limits embedding to Procore's hosts plus `DASHBOARD_FRAME_ANCESTORS`;
`Referrer-Policy: no-referrer` keeps the token-bearing page URL out of Referer headers sent
when a user follows a link into Procore.
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

    def __init__(self, app: ASGIApp, frame_ancestors: Iterable[str]) -> None:
        self.app = app
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

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
