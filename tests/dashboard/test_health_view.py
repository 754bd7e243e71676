"""The "Pipeline health" view (`&view=health`): company tokens only, figures from the real snapshot's meta tables,
and each of Procore's two rate-limit windows against its own limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pytest
from app_pages import assert_refused_page, page_text, run_app

from dashboard.access import PageRequest, Refused, parse_query
from dashboard.access_store import AccessStore
from dashboard.formatting import md
from dashboard.health_view import is_stale, stream_cadences
from dashboard.queries import CADENCE_SQL
from dashboard.snapshot import fetch


def test_company_token_reaches_health_from_the_list_and_back(dash_env):
    token = dash_env.token("Company", dash_env.real.company)
    at = run_app(api_token=token)
    at.button(key="pipeline_health").click().run()
    assert not at.exception
    assert dict(at.query_params) == {"api_token": token, "view": "health"}
    assert at.title[0].value == "Pipeline health"
    at.button(key="back_to_list").click().run()
    assert at.title[0].value == "Projects" and dict(at.query_params) == {"api_token": token}


def test_health_shows_freshness_and_problem_projects_of_the_company(dash_env):
    real = dash_env.real
    names = real.names()
    at = run_app(api_token=dash_env.token("Company", real.company), view="health")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    for label in ("RFIs", "Submittals", "Projects", "Budget views", "Budget rows"):
        assert metrics[label].endswith("ago") or metrics[label] == "just now", label
    assert not at.warning  # a snapshot published minutes ago: nothing is stale, nothing near the limit
    unreadable = {p for (p,) in real.query("SELECT project_id FROM marts.project_metrics WHERE company_id = ?",
                                           (real.company,))} & real.unreadable  # 403 or 404 on their tools
    assert unreadable
    streams = at.dataframe[0].value.set_index("Stream")
    assert streams.index.tolist() == ["RFIs", "Submittals", "Projects", "Budget views", "Budget rows"]
    assert streams.loc["Submittals", "Failed"] == 1 and streams.loc["Submittals", "Latest run"] == "failed"
    assert streams.loc["RFIs", "Skipped"] == len(unreadable) and streams.loc["RFIs", "Failed"] == 0
    problems = at.dataframe[1].value
    failed = problems[problems["Status"] == "failed"]
    assert failed["Project"].tolist() == [names[real.failing]] and failed["Stream"].tolist() == ["Submittals"]
    assert "HTTP 500" in failed["Why"].iloc[0]
    assert set(problems.loc[problems["Status"] == "skipped", "Project"]) == {names[p] for p in unreadable}
    assert problems["Status"].tolist() == sorted(problems["Status"])  # failed first


def test_company_never_sees_another_companys_health(dash_env):
    real = dash_env.real
    names = real.names()
    theirs = [md(n) for p, n in names.items()
              if real.query("SELECT company_id FROM marts.project_metrics WHERE project_id = ?", (p,))[0][0]
              == real.other_company]
    text = page_text(run_app(api_token=dash_env.token("Company", real.company), view="health"))
    assert names[real.failing] in text
    for name in theirs:
        assert name not in text


def test_hourly_limit_unknown_until_a_sync_sees_it(dash_env):
    """The session's sandbox has a huge hourly limit, so every response described the 10-second window:
    requests are not compared with any limit, and the page says the hourly one is unknown."""
    real = dash_env.real
    (used, spike, hourly), = real.query("SELECT requests_last_hour, spike_limit, hourly_limit FROM meta.rate_limit "
                                        "WHERE company_id = ?", (real.company,))
    assert hourly is None and spike == 10_000 and used > 0
    at = run_app(api_token=dash_env.token("Company", real.company), view="health")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Requests in the last hour"] == f"{used:,}"
    assert metrics["Hourly window"] == "not seen yet"
    assert metrics["10-second window"].endswith("of 10,000 left") or metrics["10-second window"] == "10,000 limit"
    assert not at.get("progress")
    assert "The hourly limit is not known yet" in page_text(at)


HOURLY, SPIKE = 5000, 1000


def test_each_window_against_its_own_limit(sandbox, run_pipeline_job, tmp_path, monkeypatch):
    """A sync that sees the hourly window (hourly limit below the spike's) and one that sees the 10-second
    window: the page shows both limits and compares the last hour's requests with the hourly one only."""
    data_dir = tmp_path / "data"
    sandbox.configure(rate_limit_hourly=HOURLY, rate_limit_spike=100_000)
    assert run_pipeline_job("weekly_full_sync", data_dir).success
    sandbox.configure(rate_limit_hourly=100_000, rate_limit_spike=SPIKE)
    assert run_pipeline_job("hourly_sync", data_dir).success
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        windows = con.execute("SELECT rate_window, rate_limit, reset_at - observed_at FROM meta.rate_limit "
                              "ORDER BY observed_at").fetchall()
    assert [w[:2] for w in windows] == [("hourly", HOURLY)] * 2 + [("spike", SPIKE)] * 2  # two companies a run
    assert all(w[2] > timedelta(minutes=5) for w in windows[:2]) and all(w[2] < timedelta(seconds=11)
                                                                         for w in windows[2:])
    company = sandbox.company_ids[0]
    with duckdb.connect(str(data_dir / "serving.duckdb"), read_only=True) as con:
        used, hourly, spike = con.execute("SELECT requests_last_hour, hourly_limit, spike_limit FROM meta.rate_limit "
                                          "WHERE company_id = ?", [company]).fetchone()
    assert (hourly, spike) == (HOURLY, SPIKE) and used > 0

    url = f"sqlite:///{data_dir / 'dashboard.db'}"
    monkeypatch.setenv("PIPELINES_DATA_DIR", str(data_dir))
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", url)
    store = AccessStore(url)
    store.create_all()
    at = run_app(api_token=store.generate_token("Company", company)[0], view="health")
    store.engine.dispose()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Requests in the last hour"] == f"{used:,} of {HOURLY:,}"
    assert metrics["Hourly window"].endswith(f"of {HOURLY:,} left")
    assert metrics["10-second window"].endswith(f"of {SPIKE:,} left") or metrics["10-second window"] == \
        f"{SPIKE:,} limit"
    [progress] = at.get("progress")
    assert progress.proto.text == f"{used / HOURLY:.0%} of the hourly limit used in the last hour"
    assert f"{SPIKE:,} of" not in metrics["Requests in the last hour"]


def test_stale_streams_by_cadence(dash_env):
    real = dash_env.real
    (last,), = real.query("SELECT max(last_success_at) FROM meta.sync_health WHERE stream = 'rfis'")
    now = datetime.now(UTC)
    cadences = stream_cadences(fetch(str(dash_env.serving), CADENCE_SQL))  # as the pipeline published them
    assert not is_stale("rfis", last, now, cadences)
    assert is_stale("rfis", last, last + timedelta(hours=2, minutes=1), cadences)  # hourly: stale after two hours
    assert not is_stale("budget_rows", last, last + timedelta(hours=47), cadences)  # daily: two days
    assert is_stale("projects", None, now, cadences)


def test_project_and_group_tokens_get_the_refusal(dash_env):
    real = dash_env.real
    assert_refused_page(run_app(api_token=dash_env.token("Project", real.main), view="health"))
    _, group = dash_env.group_token([real.main, real.second])
    assert_refused_page(run_app(api_token=group, view="health"))
    at = run_app(api_token=group)
    assert "pipeline_health" not in {b.key for b in at.button}


def test_bad_view_parameters_are_refused(dash_env):
    token = dash_env.token("Company", dash_env.real.company)
    for params in ({"view": "admin"}, {"view": "health", "project_id": str(dash_env.real.main)}):
        assert_refused_page(run_app(api_token=token, **params))
    with pytest.raises(Refused):
        parse_query({"api_token": ["t"], "view": ["health", "health"]})
    assert parse_query({"api_token": ["t"], "view": [""]}) == PageRequest("t")


def test_snapshot_without_health_tables_shows_empty_states(dash_env):
    con = duckdb.connect(str(dash_env.serving))
    for name in ("sync_health", "sync_problems", "rate_limit"):
        con.execute(f"DROP TABLE meta.{name}")  # a snapshot published before the health tables existed
    con.close()
    at = run_app(api_token=dash_env.token("Company", dash_env.real.company), view="health")
    assert not at.exception and at.title[0].value == "Pipeline health"
    assert not at.metric and not at.dataframe
    assert "No sync has been recorded yet" in page_text(at)


def test_each_stream_is_held_to_the_cadence_the_pipeline_published(dash_env):
    token = dash_env.token("Company", dash_env.real.company)
    with duckdb.connect(str(dash_env.serving)) as con:
        con.execute("UPDATE meta.sync_health SET last_success_at = now() - INTERVAL 3 HOUR WHERE stream = 'rfis'")
    at = run_app(api_token=token, view="health")
    assert any(w.value.startswith("RFIs: last successful sync") and "hourly cadence" in w.value for w in at.warning)
    with duckdb.connect(str(dash_env.serving)) as con:  # the pipeline now syncs RFIs daily, and lists them last
        con.execute("UPDATE meta.stream_cadence SET cadence_seconds = 86400, position = 9 WHERE stream = 'rfis'")
    at = run_app(api_token=token, view="health")
    assert not any(w.value.startswith("RFIs") for w in at.warning)
    assert [m.label for m in at.metric][:5] == ["Submittals", "Projects", "Budget views", "Budget rows", "RFIs"]
    assert {m.label: m.proto.help for m in at.metric}["RFIs"] == "Synced daily"


def test_a_snapshot_without_the_cadence_table_still_shows_every_stream(dash_env):
    with duckdb.connect(str(dash_env.serving)) as con:
        con.execute("DROP TABLE meta.stream_cadence")  # published before the table existed
    at = run_app(api_token=dash_env.token("Company", dash_env.real.company), view="health")
    assert not at.exception
    assert at.dataframe[0].value["Stream"].tolist() == ["RFIs", "Submittals", "Projects", "Budget views", "Budget rows"]
