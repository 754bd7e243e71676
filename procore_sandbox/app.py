"""Assembly of the sandbox app: routes, Procore-shaped errors, and the gate every Procore call passes.

The gate (an ASGI middleware around `/rest/` and `/oauth/` calls) adds latency, counts stats by
route template, applies the rate limits (headers on every response, 429 over the limit), scripted
faults, the random `error_rate` errors, the bearer-token check and the `Procore-Company-Id` rule:
every call needs the header, except that a user's token (authorization code, or refreshed from one)
may call `/rest/v1.0/companies` and `/rest/v1.0/me` without it; a client-credentials (service
account) token needs it there too.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from procore_sandbox import admin, api, host_page, oauth, webhooks
from procore_sandbox.options import SandboxOptions
from procore_sandbox.ratelimit import RATE_LIMIT_BODY
from procore_sandbox.responses import DEFAULT_MESSAGES, ApiError, error_response
from procore_sandbox.state import SandboxState

log = logging.getLogger(__name__)
MISSING_COMPANY = "Missing Procore-Company-Id header!"
# What a user's token may call without the header (how a user finds its company ids).
HEADER_OPTIONAL_FOR_USERS = frozenset({"/rest/v1.0/companies", "/rest/v1.0/me"})


class ProcoreGate:
    """ASGI middleware applying Procore's cross-cutting behaviour to `/rest/` and `/oauth/` requests."""

    def __init__(self, app: ASGIApp, state: SandboxState, routes: list[Route]) -> None:
        self.app, self.state = app, state
        # (route, template): the route's path as declared, converters included (`{hook_id:int}`)
        self.routes = [(route, route.path) for route in routes]

    def template(self, scope: Scope) -> str:
        """The route template a request matches (`/rest/v1.0/projects/{project_id}/rfis`)."""
        for route, template in self.routes:
            match, _ = route.matches(scope)
            if match is not Match.NONE:
                return template
        return "<unmatched>"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(("/rest/", "/oauth/")):
            await self.app(scope, receive, send)
            return
        extra: dict[str, str] = {}
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers += [(k.lower().encode(), v.encode()) for k, v in extra.items()]
                message = {**message, "headers": headers}
            await send(message)

        try:
            early = await self._gate(scope, path, extra)
            await (early or self.app)(scope, receive, send_with_headers)
        finally:
            self.state.stats.record(self.template(scope), status)

    async def _gate(self, scope: Scope, path: str, extra: dict[str, str]) -> Response | None:
        state, runtime = self.state, self.state.runtime
        if runtime["latency_ms"]:
            await asyncio.sleep(runtime["latency_ms"] / 1000)
        headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
        company_text = headers.get("procore-company-id", "").strip()
        over_limit = False
        if path.startswith("/rest/"):
            key = f"company:{company_text}" if company_text else f"token:{headers.get('authorization', '')[-12:]}"
            allowed, rate_headers = state.limiter.hit(key, int(runtime["rate_limit_hourly"]),
                                                      int(runtime["rate_limit_spike"]))
            extra.update(rate_headers)
            over_limit = not allowed
        fault = state.faults.match(scope["method"], path)
        if fault is not None:
            if fault.delay_ms:
                await asyncio.sleep(fault.delay_ms / 1000)
            if fault.status is not None:
                return _fault_response(path, fault.status, fault.body, fault.headers or {})
        if over_limit:
            return Response(RATE_LIMIT_BODY, 429, media_type="text/plain")
        random_status = state.faults.random_error(float(runtime["error_rate"]))
        if random_status:
            retry = {"Retry-After": "1"} if random_status == 503 else {}
            return error_response(path, random_status, DEFAULT_MESSAGES[random_status], "error", retry)
        if not path.startswith("/rest/"):
            return None
        grant = state.tokens.check(_bearer(headers), state.clock.now())
        if grant is None:
            return error_response(path, 401, "The access token is invalid", "errors",
                                  {"WWW-Authenticate": 'Bearer realm="Procore", error="invalid_token"'})
        scope.setdefault("state", {})["grant"] = grant
        if not company_text:
            if grant.is_user_token and path.rstrip("/") in HEADER_OPTIONAL_FOR_USERS:
                scope["state"]["company_id"] = None
                return None
            return error_response(path, 404, MISSING_COMPANY)
        try:
            company_id = int(company_text)
        except ValueError:
            return error_response(path, 400, {"Procore-Company-Id": ["must be an integer"]})
        if company_id not in state.store.company_by_id:
            return error_response(path, 403, "The app is not installed in this company", "error")
        scope["state"]["company_id"] = company_id
        return None


def _bearer(headers: dict[str, str]) -> str | None:
    auth = headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else None


def _fault_response(path: str, status: int, body: str | None, headers: dict[str, str]) -> Response:
    if body is None:
        return error_response(path, status, DEFAULT_MESSAGES.get(status, f"Scripted fault {status}"), "error",
                              headers)
    stripped = body.lstrip()
    media = "application/json" if stripped[:1] in ("{", "[") else "text/plain"
    return Response(body, status, headers=headers, media_type=media)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(request.url.path, exc.status, exc.detail, exc.key, exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(request.url.path, exc.status_code, exc.detail or "Not Found")


async def _crash(request: Request, exc: Exception) -> Response:
    log.exception("sandbox handler failed on %s", request.url.path)
    return error_response(request.url.path, 500, "Internal Server Error", "error")


def build_app(state: SandboxState) -> ASGIApp:
    """The ASGI app serving Procore's API, OAuth, the admin surface and the host page for `state`."""
    procore_routes = oauth.routes + api.routes + webhooks.routes
    app = Starlette(routes=procore_routes + admin.routes + webhooks.admin_routes + list(host_page.routes),
                    exception_handlers={ApiError: _api_error, HTTPException: _http_error, Exception: _crash})
    app.state.sandbox = state
    app.state.webhooks = state.webhooks
    gate = ProcoreGate(app, state, procore_routes)
    gate.sandbox = state  # type: ignore[attr-defined]
    return gate


def create_app(options: SandboxOptions | None = None) -> ASGIApp:
    """A fresh sandbox app (e.g. for `uvicorn procore_sandbox.app:create_app --factory`)."""
    return build_app(SandboxState(options or SandboxOptions()))
