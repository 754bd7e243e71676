"""Procore's REST routes the pipeline reads: companies, me, projects, RFIs, submittals, budgets, change events.

The middleware in `app.py` has already checked the token and the `Procore-Company-Id` header and
put the grant on `request.state.grant` and the company id on `request.state.company_id` (None only
for a user's token calling `/companies` or `/me` without the header) before any of these run.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from procore_sandbox.bundle import ProjectData
from procore_sandbox.collection import Entry, encode
from procore_sandbox.filters import by_updated_at, choice
from procore_sandbox.pagination import page_response
from procore_sandbox.responses import ApiError, json_response, raw_json

TOOL_FORBIDDEN = "You do not have permission to access this tool in this project"


def _store(request: Request):
    return request.app.state.sandbox.store


def _int(text: str | None, name: str, status: int = 404) -> int:
    try:
        return int(text or "")
    except ValueError:
        if status == 400:
            raise ApiError(400, {name: ["is missing" if not text else "must be an integer"]}) from None
        raise ApiError(404, "Not Found") from None


def _raws(entries: list[Entry]) -> list[bytes]:
    return [e.raw for e in entries]


def _project(request: Request, project_id: int) -> ProjectData:
    """The tool data of a project the calling company may read; 403 or 404 otherwise."""
    store = _store(request)
    access = store.access(request.state.company_id, project_id)
    if access == "forbidden":
        raise ApiError(403, TOOL_FORBIDDEN, key="error")
    if access != "ok":
        raise ApiError(404, "Project not found")
    return store.project_data(project_id)


def _query_project(request: Request) -> tuple[int, ProjectData]:
    project_id = _int(request.query_params.get("project_id"), "project_id", status=400)
    return project_id, _project(request, project_id)


async def companies(request: Request) -> Response:
    """`GET /rest/v1.0/companies`: the companies the token's owner sees (the sandbox installs the app in all).

    `my_company` is true for one company at most: the user's employer (the first company), or for a
    service account the company its header names.
    """
    grant, header_company = request.state.grant, request.state.company_id
    listed = _store(request).companies
    mine = (listed[0].id if listed else None) if grant.is_user_token else header_company
    return page_response(request, [encode(c.public(my_company=c.id == mine)) for c in listed])


async def me(request: Request) -> Response:
    """`GET /rest/v1.0/me`: the token's owner (the approving user, or the app's service account)."""
    return json_response(request.state.grant.owner)


def _company_projects(request: Request) -> list[Entry]:
    company_id = _int(request.query_params.get("company_id"), "company_id", status=400)
    if company_id != request.state.company_id:
        raise ApiError(403, "company_id does not match the Procore-Company-Id header", key="error")
    entries = _store(request).projects[company_id].live()
    status = choice(request, "filters[by_status]", ("Active", "Inactive", "All"), "Active")
    if status != "All":
        wanted = b'"active":true' if status == "Active" else b'"active":false'
        entries = [e for e in entries if wanted in e.raw]
    return by_updated_at(request, entries)


async def projects(request: Request) -> Response:
    """`GET /rest/v1.0/projects` and `/rest/v1.1/projects` (`company_id` required; active only by default)."""
    return page_response(request, _raws(_company_projects(request)))


async def project(request: Request) -> Response:
    """`GET /rest/v1.0/projects/{project_id}`."""
    project_id = _int(request.path_params["project_id"], "project_id")
    store = _store(request)
    if store.access(request.state.company_id, project_id) == "missing":
        raise ApiError(404, "Project not found")
    return raw_json(store.project_entry(project_id).raw)


def _tool_list(resource: str, deleted: bool = False):
    async def handler(request: Request) -> Response:
        data = _project(request, _int(request.path_params["project_id"], "project_id"))
        coll = data.collection(resource)
        return page_response(request, _raws(by_updated_at(request, coll.deleted() if deleted else coll.live())))

    handler.__doc__ = f"`GET /rest/v1.0/projects/{{project_id}}/{resource}{'/recycle_bin' if deleted else ''}`."
    return handler


def _tool_show(resource: str, id_name: str):
    async def handler(request: Request) -> Response:
        data = _project(request, _int(request.path_params["project_id"], "project_id"))
        entry = data.collection(resource).get(_int(request.path_params[id_name], id_name))
        if entry is None or entry.deleted_at:
            raise ApiError(404, f"{resource[:-1].upper() if resource == 'rfis' else 'Submittal'} not found")
        return raw_json(entry.raw)

    handler.__doc__ = f"`GET /rest/v1.0/projects/{{project_id}}/{resource}/{{{id_name}}}`."
    return handler


async def budget_views(request: Request) -> Response:
    """`GET /rest/v1.0/budget_views?project_id=` (no `filters[updated_at]`: re-read whole)."""
    _, data = _query_project(request)
    return page_response(request, _raws(data.budget_views.live()))


def _view(request: Request) -> tuple[ProjectData, int]:
    _, data = _query_project(request)
    view_id = _int(request.path_params["budget_view_id"], "budget_view_id")
    entry = data.budget_views.get(view_id)
    if entry is None or entry.deleted_at:
        raise ApiError(404, "Budget view not found")
    return data, view_id


async def detail_rows(request: Request) -> Response:
    """`GET /rest/v1.0/budget_views/{id}/detail_rows?project_id=&budget_row_type=budgeted|unbudgeted|all`."""
    data, view_id = _view(request)
    kind = choice(request, "budget_row_type", ("budgeted", "unbudgeted", "all"), "all")
    rows = data.budget_rows[view_id].live()
    if kind != "all":
        rows = [r for r in rows if (r.id is None) == (kind == "unbudgeted")]
    return page_response(request, _raws(rows))


async def detail_columns(request: Request) -> Response:
    """`GET /rest/v1.0/budget_views/{id}/budget_detail_columns?project_id=`."""
    data, view_id = _view(request)
    return json_response(data.budget_columns[view_id])


async def change_events(request: Request) -> Response:
    """`GET /rest/v1.0/change_events?project_id=` with `filters[updated_at]` and `filters[include_deleted]`."""
    _, data = _query_project(request)
    mode = choice(request, "filters[include_deleted]", ("none", "only", "with"), "none")
    coll = data.change_events
    entries = {"none": coll.live(), "only": coll.deleted(), "with": list(coll.entries.values())}[mode]
    return page_response(request, _raws(by_updated_at(request, entries)))


P = "/rest/v1.0/projects/{project_id}"
routes = [
    Route("/rest/v1.0/companies", companies),
    Route("/rest/v1.0/me", me),
    Route("/rest/v1.0/projects", projects),
    Route("/rest/v1.1/projects", projects),
    Route(P, project),
    Route(P + "/rfis", _tool_list("rfis")),
    Route(P + "/rfis/recycle_bin", _tool_list("rfis", deleted=True)),
    Route(P + "/rfis/{rfi_id}", _tool_show("rfis", "rfi_id")),
    Route(P + "/submittals", _tool_list("submittals")),
    Route(P + "/submittals/recycle_bin", _tool_list("submittals", deleted=True)),
    Route(P + "/submittals/{submittal_id}", _tool_show("submittals", "submittal_id")),
    Route("/rest/v1.0/budget_views", budget_views),
    Route("/rest/v1.0/budget_views/{budget_view_id}/detail_rows", detail_rows),
    Route("/rest/v1.0/budget_views/{budget_view_id}/budget_detail_columns", detail_columns),
    Route("/rest/v1.0/change_events", change_events),
]
