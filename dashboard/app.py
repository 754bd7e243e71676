"""The Streamlit app Procore embeds: `?api_token=...[&project_id=...|&procore_project_id=...|&view=health]`.

Every rerun reads the query parameters once, validates them, checks the token by digest and
resolves its scope before anything project-specific is queried or drawn.
"""

from __future__ import annotations

import logging
import time

import streamlit as st

from dashboard import health_view, list_view, media_guard, project_view, queries, views
from dashboard.access import Refused, choose_project, choose_view, parse_query, resolve_scope
from dashboard.access_store import AccessStore, StoreError, digest
from dashboard.settings import DashboardSettings

log = logging.getLogger("dashboard")
RENDER_SECONDS_KEY = "_render_seconds"


@st.cache_resource(show_spinner=False)
def access_store(database_url: str) -> AccessStore:
    """One access store (engine and pool) per database URL for the server's life."""
    store = AccessStore(database_url)
    store.create_all()
    return store


def _group_members(store: AccessStore):
    def lookup(group_id: int) -> tuple[int, tuple[int, ...]]:
        try:
            group = store.get_group(group_id)
        except StoreError as exc:
            raise Refused("group is gone") from exc
        return group.company_id, group.project_ids
    return lookup


def _bind_media(token_digest: str | None) -> None:
    """This session's downloads now belong to this token (None: none); see `dashboard.media_guard`."""
    session_id = media_guard.current_session_id()
    if session_id is not None:
        media_guard.remember(session_id, token_digest)


def main() -> None:
    """Route one rerun to the refusal page, an empty state, the list, or a project."""
    settings = DashboardSettings.from_env()
    raw = {key: st.query_params.get_all(key) for key in st.query_params}  # read once
    try:
        request = parse_query(raw)
        store = access_store(settings.database_url)
        token = store.authenticate(request.token)
        if token is None:
            raise Refused("unknown or revoked token")
        _bind_media(digest(request.token))
        path = str(settings.serving_path)
        version = queries.snapshot_version(settings.serving_path)
        if version is None:
            views.render_first_sync()
            return
        scope = resolve_scope(token, queries.project_directory(path, version), _group_members(store))
        view = choose_view(scope, request)
        project_id = choose_project(scope, request)
    except Refused:
        _bind_media(None)
        views.render_refusal()
        return
    is_company = token.resource_type == "Company"
    # No view is handed the token: buttons change only the view and the project (see `views`).
    if view == "health":
        health_view.render(path, version, token.resource_id)
    elif project_id is None:
        if not scope.project_ids:
            views.render_no_projects(show_health=is_company)
        else:
            list_view.render(queries.list_projects(path, version, scope.project_ids), show_health=is_company)
    elif project_id not in scope.project_ids:
        views.render_project_not_synced()
    else:
        project_view.render(path, version, project_id, can_switch=not scope.single_project)


_started = time.perf_counter()
st.set_page_config(page_title="Project dashboard", page_icon="🏗️", layout="wide")
views.apply_page_style()
try:
    main()
except Exception as exc:  # noqa: BLE001 - the page must never show a traceback
    # Log the type only: messages could carry query text, never the token (it is not in them).
    log.error("dashboard rerun failed: %s", type(exc).__name__)
    views.render_unavailable()
finally:
    # Server-side time of this rerun, read by bench/dashboard_render.py.
    st.session_state[RENDER_SECONDS_KEY] = time.perf_counter() - _started
