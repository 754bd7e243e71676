"""The "Pipeline health" view (`&view=health`): company tokens only, figures from the snapshot's meta tables."""

from __future__ import annotations

import duckdb
import pytest
from conftest import assert_refused_page, page_text, run_app
from serving_fixture import build_serving

from dashboard.access import PageRequest, Refused, parse_query


@pytest.fixture
def fresh(dash_env):
    """The default fixture rebuilt now, so "x minutes ago" is exact."""
    build_serving(dash_env.serving)
    return dash_env


def test_company_token_reaches_health_from_the_list_and_back(fresh):
    token = fresh.token("Company", 1)
    at = run_app(api_token=token)
    at.button(key="pipeline_health").click().run()
    assert not at.exception
    assert dict(at.query_params) == {"api_token": token, "view": "health"}
    assert at.title[0].value == "Pipeline health"
    at.button(key="back_to_list").click().run()
    assert at.title[0].value == "Projects" and dict(at.query_params) == {"api_token": token}


def test_health_shows_freshness_problems_and_rate_limit_of_the_company(fresh):
    at = run_app(api_token=fresh.token("Company", 1), view="health")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["RFIs"] == "14 min ago" and metrics["Projects"] == "3 hours ago"
    assert metrics["Budget rows"] == "3 days ago"
    assert metrics["Requests in the last hour"] == "700 of 3,600"
    assert metrics["Remaining in the window"] == "2,900"
    assert metrics["Window resets"].endswith(" UTC")
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and warnings[0].startswith("Budget rows: last successful sync 3 days ago")
    problems = at.dataframe[1].value
    assert problems["Project"].tolist() == ["North Depot", "Elm Street Lofts"]  # failed first
    assert problems["Status"].tolist() == ["failed", "skipped"]
    assert "the RFIs tool is disabled" in problems["Why"].iloc[1]
    streams = at.dataframe[0].value.set_index("Stream")
    assert streams.index.tolist() == ["RFIs", "Submittals", "Projects", "Budget views", "Budget rows"]
    assert streams.loc["RFIs", "Last success"] == "14 minutes ago"
    assert streams.loc["Submittals", "Failed"] == 1 and streams.loc["RFIs", "Skipped"] == 1
    assert "19%" in at.get("progress")[0].proto.text  # 700 / 3600


def test_company_never_sees_another_companys_health(fresh):
    text = page_text(run_app(api_token=fresh.token("Company", 2), view="health"))
    assert "Secret Stadium" in text and "Stadium-only failure" in text and "3,500 of 3,600" in text
    text = page_text(run_app(api_token=fresh.token("Company", 1), view="health"))
    for leak in ("Secret Stadium", "Stadium-only", "201", "3,500"):
        assert leak not in text


def test_high_use_and_stale_hourly_stream_warn(fresh):
    at = run_app(api_token=fresh.token("Company", 2), view="health")
    warnings = " ".join(w.value for w in at.warning)
    assert "RFIs: last successful sync 3 hours ago, more than twice its hourly cadence" in warnings
    assert "most of the company's request limit" in warnings


def test_project_and_group_tokens_get_the_refusal(fresh):
    assert_refused_page(run_app(api_token=fresh.token("Project", 101), view="health"))
    _, group = fresh.group_token([101, 102])
    assert_refused_page(run_app(api_token=group, view="health"))
    at = run_app(api_token=group)
    assert "pipeline_health" not in {b.key for b in at.button}


def test_bad_view_parameters_are_refused(fresh):
    token = fresh.token("Company", 1)
    for params in ({"view": "admin"}, {"view": "health", "project_id": "101"}):
        assert_refused_page(run_app(api_token=token, **params))
    with pytest.raises(Refused):
        parse_query({"api_token": ["t"], "view": ["health", "health"]})
    assert parse_query({"api_token": ["t"], "view": [""]}) == PageRequest("t")


def test_snapshot_without_health_tables_shows_empty_states(fresh):
    con = duckdb.connect(str(fresh.serving))
    for name in ("sync_health", "sync_problems", "rate_limit"):
        con.execute(f"DROP TABLE meta.{name}")
    con.close()
    at = run_app(api_token=fresh.token("Company", 1), view="health")
    assert not at.exception and at.title[0].value == "Pipeline health"
    assert not at.metric and not at.dataframe
    assert "No sync has been recorded yet" in page_text(at)
