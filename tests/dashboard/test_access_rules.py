"""Unit rules of `dashboard.access`: parameter validation and scope choice."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from app_pages import page_text, run_app

from dashboard.access import BIGINT_MAX, PageRequest, Refused, Scope, choose_project, parse_query
from dashboard.access_store import TokenInfo

TOKEN = "ppd_" + "a" * 43


def test_parse_query_accepts_plain_ids():
    assert parse_query({"api_token": [TOKEN], "project_id": ["7"], "procore_project_id": [str(BIGINT_MAX)],
                        "other": ["ignored"]}) == PageRequest(TOKEN, 7, BIGINT_MAX)
    assert parse_query({"api_token": [TOKEN], "project_id": [""]}) == PageRequest(TOKEN)


@pytest.mark.parametrize("params", [
    {"api_token": [TOKEN, TOKEN]},
    {"api_token": [TOKEN], "project_id": ["1", "2"]},
    {"api_token": [TOKEN], "procore_project_id": ["1", "1"]},
    {},
])
def test_repeated_or_missing_parameters_are_refused(params):
    with pytest.raises(Refused):
        parse_query(params)


def _token(kind: str, rid: int) -> TokenInfo:
    return TokenInfo(1, kind.lower(), kind, rid, "ppd_x", datetime.now(UTC), None, None)


def test_project_scope_ignores_nothing_and_list_scopes_choose():
    single = Scope(_token("Project", 5), frozenset({5}), single_project=True)
    assert choose_project(single, PageRequest(TOKEN)) == 5
    assert choose_project(single, PageRequest(TOKEN, 5, 5)) == 5
    with pytest.raises(Refused):
        choose_project(single, PageRequest(TOKEN, 5, 6))
    group = Scope(_token("ProjectGroup", 1), frozenset({5, 6}), single_project=False)
    assert choose_project(group, PageRequest(TOKEN)) is None
    assert choose_project(group, PageRequest(TOKEN, procore_project_id=6)) == 6
    assert choose_project(group, PageRequest(TOKEN, 5, 6)) == 5  # the user's choice wins over the context
    with pytest.raises(Refused):
        choose_project(group, PageRequest(TOKEN, 7))


def test_project_token_for_a_project_not_yet_synced(dash_env):
    token = dash_env.store.generate_token("Project", 999)[0]
    at = run_app(api_token=token)
    assert not at.exception
    assert "has not been synced yet" in page_text(at)
