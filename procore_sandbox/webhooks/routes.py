"""The sandbox's Webhooks API (hooks, triggers, deliveries) in v1.0 and v2.0 form, and its admin knobs.

v1.0: `/rest/v1.0/webhooks/hooks` with `company_id` (or `project_id`) in the query (GET, DELETE)
or the body (POST, PATCH); v2.0: `/rest/v2.0/companies/{cid}/webhooks/hooks`, answers wrapped in
`{"data": ...}` with string ids. Admin (not Procore's API): `GET /_sandbox/webhooks` (hooks,
deliveries, counts), `POST /_sandbox/webhooks/config` (`DeliveryConfig` fields),
`POST /_sandbox/webhooks/drain` (`{"timeout": s}`: wait until nothing is queued).
The app keeps the dispatcher at `app.state.webhooks`; auth and stats are the app's middleware.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from procore_sandbox.responses import ApiError, json_response
from procore_sandbox.webhooks.delivery import WebhookDispatcher
from procore_sandbox.webhooks.registry import RegistryError

V1 = "/rest/v1.0/webhooks/hooks"
V2 = "/rest/v2.0/companies/{company_id:int}/webhooks/hooks"
Handler = Callable[[Request], Awaitable[Response]]


def _dispatcher(request: Request) -> WebhookDispatcher:
    return request.app.state.webhooks


def _now(request: Request) -> str:
    state = getattr(request.app.state, "sandbox", None)
    clock = getattr(state, "clock", None)
    return clock.now_iso() if clock is not None else ""


async def _body(request: Request) -> dict:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        raise ApiError(400, "The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object")
    return body


def _int(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"{name} must be an integer") from None
    if isinstance(value, bool) or number <= 0:
        raise ApiError(400, f"{name} must be a positive integer")
    return number


def _owner(request: Request, body: dict | None) -> dict[str, int | None]:
    """The hook owner: a company or a project, from the path (v2.0), the body or the query (v1.0)."""
    if "company_id" in request.path_params:
        return {"company_id": request.path_params["company_id"], "project_id": None}
    def pick(name: str) -> int | None:
        value = body.get(name) if body is not None else None
        return _int(request.query_params.get(name) if value is None else value, name)

    company_id, project_id = pick("company_id"), pick("project_id")
    if (company_id is None) == (project_id is None):
        raise ApiError(400, "Provide exactly one of company_id or project_id")
    return {"company_id": company_id, "project_id": project_id}


def _out(request: Request, payload: Any, status: int = 200) -> Response:
    if request.url.path.startswith("/rest/v2.0/"):
        def stringify(item: dict) -> dict:
            return {k: str(v) if k.endswith("id") and isinstance(v, int) else v for k, v in item.items()}
        payload = [stringify(p) for p in payload] if isinstance(payload, list) else stringify(payload)
        payload = {"data": payload}
    return json_response(payload, status)


def _api(handler: Callable[[Request, WebhookDispatcher], Awaitable[Response]]) -> Handler:
    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request, _dispatcher(request))
        except RegistryError as exc:
            raise ApiError(exc.status, str(exc)) from None
    return endpoint


@_api
async def hooks(request: Request, hub: WebhookDispatcher) -> Response:
    """List (GET) or create (POST) the hooks of a company or project."""
    if request.method == "GET":
        owner = _owner(request, None)
        return _out(request, hub.registry.list_hooks(**owner, namespace=request.query_params.get("namespace")))
    body = await _body(request)
    hook = body.get("hook", body)
    return _out(request, hub.registry.create(hook, **_owner(request, body), now=_now(request)), 201)


@_api
async def hook(request: Request, hub: WebhookDispatcher) -> Response:
    """Show (GET), update (PATCH) or delete (DELETE) one hook."""
    hook_id = request.path_params["hook_id"]
    if request.method == "PATCH":
        body = await _body(request)
        owner = _owner(request, body)
        return _out(request, hub.registry.update(hook_id, body.get("hook", body), **owner, now=_now(request)))
    owner = _owner(request, None)
    if request.method == "DELETE":
        hub.registry.delete(hook_id, **owner)
        return Response(status_code=204)
    return _out(request, hub.registry.get(hook_id, **owner))


@_api
async def triggers(request: Request, hub: WebhookDispatcher) -> Response:
    """List (GET) or add (POST) the triggers of a hook."""
    hook_id = request.path_params["hook_id"]
    if request.method == "GET":
        return _out(request, hub.registry.list_triggers(hook_id, **_owner(request, None)))
    body = await _body(request)
    trigger = body.get("trigger", body)
    return _out(request, hub.registry.add_trigger(hook_id, trigger, now=_now(request), **_owner(request, body)), 201)


@_api
async def trigger(request: Request, hub: WebhookDispatcher) -> Response:
    """Delete one trigger."""
    owner = _owner(request, None)
    hub.registry.delete_trigger(request.path_params["hook_id"], request.path_params["trigger_id"], **owner)
    return Response(status_code=204)


@_api
async def deliveries(request: Request, hub: WebhookDispatcher) -> Response:
    """A hook's delivery attempts, filtered by `filters[status]` (any, successful, failing, discarded)."""
    hook_id = request.path_params["hook_id"]
    hub.registry.get(hook_id, **_owner(request, None))
    wanted = request.query_params.get("filters[status]") or request.query_params.get("filter[status]") or "any"
    groups = {"successful": {"ok"}, "failing": {"retried", "queued"}, "discarded": {"discarded", "dropped"}}
    found = [d for d in hub.deliveries(hook_id) if wanted == "any" or d["outcome"] in groups.get(wanted, ())]
    return _out(request, found)


async def admin_overview(request: Request) -> Response:
    """`GET /_sandbox/webhooks`: hooks with triggers, delivery counts by outcome, recent deliveries."""
    hub = _dispatcher(request)
    limit = _int(request.query_params.get("limit"), "limit") or 200
    with hub.registry.lock:
        hooks_now = [{**h, "triggers": list(hub.registry.triggers[h["id"]].values())}
                     for h in hub.registry.hooks.values()]
    return json_response({**hub.summary(), "hooks": hooks_now, "deliveries": hub.deliveries(limit=limit)})


async def admin_config(request: Request) -> Response:
    """`POST /_sandbox/webhooks/config`: change delivery settings (`DeliveryConfig` fields)."""
    try:
        config = _dispatcher(request).configure(**await _body(request))
    except (TypeError, ValueError) as exc:
        raise ApiError(400, str(exc)) from None
    return json_response(config.__dict__)


async def admin_drain(request: Request) -> Response:
    """`POST /_sandbox/webhooks/drain`: wait until nothing is queued or in flight (`{"timeout": s}`)."""
    timeout = (await _body(request)).get("timeout", 10)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 <= timeout <= 120:
        raise ApiError(400, "timeout must be a number of seconds between 0 and 120")
    idle = await run_in_threadpool(_dispatcher(request).wait_idle, float(timeout))
    return json_response({"idle": idle, **_dispatcher(request).summary()})


routes = [
    Route(V1, hooks, methods=["GET", "POST"]),
    Route(V1 + "/{hook_id:int}", hook, methods=["GET", "PATCH", "DELETE"]),
    Route(V1 + "/{hook_id:int}/triggers", triggers, methods=["GET", "POST"]),
    Route(V1 + "/{hook_id:int}/triggers/{trigger_id:int}", trigger, methods=["DELETE"]),
    Route(V1 + "/{hook_id:int}/deliveries", deliveries, methods=["GET"]),
    Route(V2, hooks, methods=["GET", "POST"]),
    Route(V2 + "/{hook_id:int}", hook, methods=["GET", "PATCH", "DELETE"]),
    Route(V2 + "/{hook_id:int}/triggers", triggers, methods=["GET", "POST"]),
    Route(V2 + "/{hook_id:int}/triggers/{trigger_id:int}", trigger, methods=["DELETE"]),
    Route(V2 + "/{hook_id:int}/deliveries", deliveries, methods=["GET"]),
]
"""Procore's Webhooks API routes: mount them with the sandbox's other `/rest/...` routes."""

admin_routes = [
    Route("/_sandbox/webhooks", admin_overview, methods=["GET"]),
    Route("/_sandbox/webhooks/config", admin_config, methods=["POST"]),
    Route("/_sandbox/webhooks/drain", admin_drain, methods=["POST"]),
]
"""The sandbox-only webhook admin routes: mount them with the other `/_sandbox/...` routes."""
