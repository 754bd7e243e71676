"""Turns the page's query parameters and API token into a scope of projects, or a refusal.

Everything that can go wrong here raises `Refused`; the app answers every refusal with the same
page, so nothing tells an unknown token from a revoked one or an out-of-scope project.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from dashboard.access_store import TokenInfo

BIGINT_MAX = 2**63 - 1
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,128}")
_ID_RE = re.compile(r"[0-9]{1,19}")
ID_PARAMS = ("project_id", "procore_project_id")
VIEWS = ("health",)  # `&view=health`: the pipeline-health page, company tokens only


class Refused(Exception):
    """The request is not allowed; the reason stays internal and is never shown."""


@dataclass(frozen=True)
class PageRequest:
    """The validated query parameters of one page load."""

    token: str
    project_id: int | None = None
    procore_project_id: int | None = None
    view: str | None = None


@dataclass(frozen=True)
class Scope:
    """The projects a token may see; `single_project` for project tokens (no switcher)."""

    token: TokenInfo
    project_ids: frozenset[int]
    single_project: bool


def _one(params: Mapping[str, Sequence[str]], key: str) -> str | None:
    values = list(params.get(key) or [])
    if len(values) > 1:
        raise Refused(f"{key} given {len(values)} times")
    return values[0] if values else None


def parse_project_id(raw: str) -> int:
    """A project id: decimal digits only, positive, within BIGINT; else Refused."""
    if not _ID_RE.fullmatch(raw):
        raise Refused("project id is not a plain decimal")
    value = int(raw)
    if not 1 <= value <= BIGINT_MAX:
        raise Refused("project id out of range")
    return value


def parse_query(params: Mapping[str, Sequence[str]]) -> PageRequest:
    """Validate the page's query parameters (each key mapped to all its values)."""
    token = _one(params, "api_token")
    if token is None or not _TOKEN_RE.fullmatch(token):
        raise Refused("missing or malformed token")
    ids = {}
    for key in ID_PARAMS:
        raw = _one(params, key)
        ids[key] = None if raw in (None, "") else parse_project_id(raw)
    view = _one(params, "view") or None
    if view is not None and view not in VIEWS:
        raise Refused("unknown view")
    if view is not None and any(ids.values()):
        raise Refused("a view does not take a project")
    return PageRequest(token, ids["project_id"], ids["procore_project_id"], view)


def resolve_scope(token: TokenInfo, directory: Mapping[int, int],
                  group_members: Callable[[int], tuple[int, int]]) -> Scope:
    """The token's projects that exist in the snapshot.

    `directory` maps each snapshot project id to its company id; `group_members(group_id)` returns
    `(company_id, project_ids)` of a group or raises `Refused` when the group is gone.
    """
    if token.resource_type == "Project":
        ids = {token.resource_id} & directory.keys()
        return Scope(token, frozenset(ids), single_project=True)
    if token.resource_type == "Company":
        ids = {pid for pid, cid in directory.items() if cid == token.resource_id}
        return Scope(token, frozenset(ids), single_project=False)
    if token.resource_type == "ProjectGroup":
        company_id, members = group_members(token.resource_id)
        ids = {pid for pid in members if directory.get(pid) == company_id}
        return Scope(token, frozenset(ids), single_project=False)
    raise Refused("unknown token type")


def choose_project(scope: Scope, request: PageRequest) -> int | None:
    """The project to show (None = the list); Refused when the asked-for project is out of scope."""
    if scope.single_project:
        wanted = {request.project_id, request.procore_project_id} - {None}
        if wanted and wanted != {scope.token.resource_id}:
            raise Refused("project outside the token's scope")
        return scope.token.resource_id
    wanted_id = request.project_id if request.project_id is not None else request.procore_project_id
    if wanted_id is None:
        return None
    if wanted_id not in scope.project_ids:
        raise Refused("project outside the token's scope")
    return wanted_id


def choose_view(scope: Scope, request: PageRequest) -> str | None:
    """The company-level view asked for (None = none); Refused for project and group tokens."""
    if request.view is None:
        return None
    if scope.token.resource_type != "Company":
        raise Refused("view outside the token's scope")
    return request.view
