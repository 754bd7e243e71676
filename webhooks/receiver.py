"""The webhook receiver: a Starlette app that authenticates, validates and stores Procore deliveries.

`POST /webhooks/procore`: `Authorization: Bearer <PROCORE_WEBHOOK_SECRET>` is compared in constant
time (401 and nothing stored otherwise); a body that is not `application/json` gets 415; a malformed
body (not JSON, nested too deeply, numbers too long, over 64 KiB, not an event) gets 400 and nothing
stored; a valid event is stored once and answered 200 at once (the sync happens later, in the Dagster
sensor). If the inbox cannot be written, the answer is 503 so Procore retries.

`GET /webhooks/health`: `{"status": "ok"}` to anyone (liveness; 503 when the inbox is unreachable);
the inbox counts only with the same bearer secret.
"""

from __future__ import annotations

import hmac
import logging

from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from webhooks.access_log import LOGGER_NAME, AccessLog
from webhooks.events import MAX_BODY_BYTES, PayloadError, parse_event
from webhooks.inbox import Inbox
from webhooks.settings import WebhookSettings

log = logging.getLogger(LOGGER_NAME)
DELIVERY_PATH = "/webhooks/procore"
HEALTH_PATH = "/webhooks/health"


def authorized(header: str | None, secret: str) -> bool:
    """True when `header` is exactly `Bearer <secret>` (constant-time comparison)."""
    expected = f"Bearer {secret}".encode()
    return hmac.compare_digest((header or "").encode("utf-8", "surrogateescape"), expected)


async def _read_body(request: Request) -> bytes:
    """The body, refusing to buffer more than the largest event we accept."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise PayloadError("body is too large")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise PayloadError("body is too large")
        chunks.append(chunk)
    return b"".join(chunks)


def is_json(content_type: str | None) -> bool:
    """True for `application/json`, with or without parameters such as `; charset=utf-8`."""
    return (content_type or "").split(";", 1)[0].strip().lower() == "application/json"


def create_app(settings: WebhookSettings, inbox: Inbox | None = None) -> Starlette:
    """The receiver app for `settings` (which must carry a secret), storing into `inbox`."""
    secret = settings.require_secret()
    store = inbox or Inbox(settings.inbox_url)

    async def receive(request: Request) -> JSONResponse:
        if not authorized(request.headers.get("authorization"), secret):
            return JSONResponse({"error": "unauthorized"}, status_code=401,
                                headers={"WWW-Authenticate": 'Bearer realm="procore-webhooks"'})
        if not is_json(request.headers.get("content-type")):
            return JSONResponse({"error": "unsupported media type", "detail": "send Content-Type: application/json"},
                                status_code=415)
        try:
            ev = parse_event(await _read_body(request))
        except PayloadError as exc:
            return JSONResponse({"error": "malformed event", "detail": str(exc)}, status_code=400)
        try:
            new = await run_in_threadpool(store.store, ev)
        except SQLAlchemyError:
            log.exception("could not store webhook event %s", ev.dedupe_key)
            return JSONResponse({"error": "inbox unavailable"}, status_code=503, headers={"Retry-After": "5"})
        return JSONResponse({"stored": new, "duplicate": not new, "event": ev.dedupe_key})

    async def health(request: Request) -> JSONResponse:
        detailed = authorized(request.headers.get("authorization"), secret)
        try:
            counts = await run_in_threadpool(store.counts if detailed else store.ping)
        except SQLAlchemyError:
            return JSONResponse({"status": "inbox unavailable"}, status_code=503)
        return JSONResponse({"status": "ok", "inbox": counts} if detailed else {"status": "ok"},
                            headers={"Cache-Control": "no-store"})

    app = Starlette(routes=[
        Route(DELIVERY_PATH, receive, methods=["POST"]),
        Route(HEALTH_PATH, health, methods=["GET"]),
    ], middleware=[Middleware(AccessLog, known_paths=[DELIVERY_PATH, HEALTH_PATH])])
    app.state.inbox = store
    return app
