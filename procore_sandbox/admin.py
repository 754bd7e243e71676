"""The sandbox's own admin surface under `/_sandbox/` (not Procore's API; not counted in stats)."""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from procore_sandbox.faults import FaultError, parse_faults
from procore_sandbox.mutations import MutationError, apply_body
from procore_sandbox.options import runtime_problems
from procore_sandbox.responses import json_response
from procore_sandbox.store import RESOURCES


def _state(request: Request):
    return request.app.state.sandbox


def _bad(message: str, status: int = 400) -> Response:
    return json_response({"error": message}, status)


async def _body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError as error:
        raise MutationError(f"the body is not JSON: {error}") from None


def _json(value: Any) -> str:
    return "null" if value is None else json.dumps(value)


async def records(request: Request) -> Response:
    """`GET /_sandbox/records/{resource}`: every record, deleted ones too, with its scope."""
    resource = request.path_params["resource"]
    if resource not in RESOURCES:
        return _bad(f"unknown resource {resource!r}; use one of {', '.join(RESOURCES)}", 404)
    store = _state(request).store
    parts = []
    rows = resource == "budget_rows"
    with store.lock:
        for company_id, project_id, view_id, entry in store.all_entries(resource):
            head = (f'{{"company_id":{_json(company_id)},"project_id":{_json(project_id)},'
                    f'"deleted_at":{_json(entry.deleted_at)}' + (f',"budget_view_id":{_json(view_id)}' if rows else ""))
            parts.append(head.encode() + b',"record":' + entry.raw + b"}")
    return Response(b"[" + b",".join(parts) + b"]", media_type="application/json")


async def mutations(request: Request) -> Response:
    """`POST /_sandbox/mutations`: `{"random": N}` or explicit create/update/delete changes."""
    try:
        changes = apply_body(_state(request).store, await _body(request))
    except MutationError as error:
        return _bad(str(error), error.status)
    return json_response({"changes": changes, "count": len(changes)})


async def clock(request: Request) -> Response:
    """`GET /_sandbox/clock`, or `POST` with `{"advance_seconds": N}` or `{"set": "<iso>"}`."""
    sandbox_clock = _state(request).clock
    if request.method == "POST":
        try:
            body = await _body(request)
            if isinstance(body.get("advance_seconds"), int | float) and not isinstance(body["advance_seconds"], bool):
                sandbox_clock.advance(body["advance_seconds"])
            elif isinstance(body.get("set"), str):
                sandbox_clock.set(body["set"])
            else:
                return _bad('expected {"advance_seconds": N} or {"set": "<ISO-8601>"}')
        except (ValueError, AttributeError) as error:
            return _bad(f"bad clock change: {error}")
    return json_response({"now": sandbox_clock.now_iso(), "epoch": sandbox_clock.now()})


async def stats(request: Request) -> Response:
    """`GET /_sandbox/stats`; `DELETE` zeroes them."""
    if request.method == "DELETE":
        _state(request).stats.clear()
    return json_response(_state(request).stats.snapshot())


async def reset(request: Request) -> Response:
    """`POST /_sandbox/reset`: seeded data, no faults, start options, zero stats."""
    _state(request).reset()
    return json_response({"ok": True, "clock": _state(request).clock.now_iso()})


async def config(request: Request) -> Response:
    """`POST /_sandbox/config` (runtime `latency_ms`, `error_rate`, rate limits, `token_ttl`); `GET` shows it."""
    state = _state(request)
    if request.method == "POST":
        try:
            body = await _body(request)
        except MutationError as error:
            return _bad(str(error))
        problems = runtime_problems(body) if isinstance(body, dict) else ["expected a JSON object"]
        if problems:
            return _bad("; ".join(problems))
        state.runtime.update(body)
    return json_response(state.runtime)


async def expire_tokens(request: Request) -> Response:
    """`POST /_sandbox/tokens/expire`: every access token dies now; refresh tokens stay valid."""
    state = _state(request)
    return json_response({"expired": state.tokens.expire_all(state.clock.now())})


async def faults(request: Request) -> Response:
    """`POST /_sandbox/faults` adds scripted faults, `DELETE` clears them, `GET` lists them."""
    book = _state(request).faults
    if request.method == "DELETE":
        book.clear()
    elif request.method == "POST":
        try:
            book.add(parse_faults(await _body(request)))
        except (FaultError, MutationError) as error:
            return _bad(str(error))
    return json_response({"faults": [f.public() for f in book.faults]})


async def warm(request: Request) -> Response:
    """`POST /_sandbox/warm`: generate every project's data now, so later reads measure only serving."""
    started = time.perf_counter()
    projects = _state(request).store.warm()
    return json_response({"projects": projects, "seconds": round(time.perf_counter() - started, 3)})


async def info(request: Request) -> Response:
    """`GET /_sandbox/info`: companies, forbidden/hidden project ids, client id, options."""
    return json_response(_state(request).info())


routes = [
    Route("/_sandbox/records/{resource}", records),
    Route("/_sandbox/mutations", mutations, methods=["POST"]),
    Route("/_sandbox/clock", clock, methods=["GET", "POST"]),
    Route("/_sandbox/stats", stats, methods=["GET", "DELETE"]),
    Route("/_sandbox/reset", reset, methods=["POST"]),
    Route("/_sandbox/config", config, methods=["GET", "POST"]),
    Route("/_sandbox/tokens/expire", expire_tokens, methods=["POST"]),
    Route("/_sandbox/faults", faults, methods=["GET", "POST", "DELETE"]),
    Route("/_sandbox/warm", warm, methods=["POST"]),
    Route("/_sandbox/info", info),
]
