"""Every access path of the app through Streamlit's AppTest: scopes, navigation and refusals."""

from __future__ import annotations

import pytest
from conftest import assert_refused_page, open_buttons, page_text, run_app
from streamlit.testing.v1 import AppTest

from dashboard.views import FIRST_SYNC_TITLE

OTHER_COMPANY = ("Secret Stadium", "Hidden Hangar", "201", "202")


assert_refused = assert_refused_page


def test_project_token_opens_its_dashboard_without_switcher(dash_env):
    at = run_app(api_token=dash_env.token("Project", 101))
    assert not at.exception
    assert at.title[0].value == "Harbor Tower"
    assert "switch_project" not in {b.key for b in at.button}
    assert {m.label for m in at.metric} >= {"Open", "Overdue", "Revised budget", "Over/under"}
    assert len(at.get("vega_lite_chart")) == 4
    assert len(at.dataframe) == 2  # overdue RFIs and submittals, with links into Procore
    assert "https://app.procore.com/101/project/rfi/show/" in page_text(at)
    assert {d.label for d in at.get("download_button")} == {"Download overdue RFIs (CSV)",
                                                           "Download overdue submittals (CSV)"}


def test_project_token_with_matching_procore_project_id(dash_env):
    token = dash_env.token("Project", 101)
    at = run_app(api_token=token, procore_project_id="101")
    assert at.title[0].value == "Harbor Tower"
    assert_refused(run_app(api_token=token, procore_project_id="102"))
    assert_refused(run_app(api_token=token, project_id="102"))


def test_group_token_list_choose_dashboard_switch_back(dash_env):
    _, token = dash_env.group_token([101, 102])
    at = run_app(api_token=token)
    assert not at.exception
    assert at.title[0].value == "Projects"
    assert open_buttons(at) == {101, 102}
    text = page_text(at)
    assert "Harbor Tower" in text and "Riverside Clinic" in text
    assert not any(name in text for name in ("Elm Street", "North Depot", "Secret Stadium"))

    at.button(key="open_102").click().run()
    assert at.title[0].value == "Riverside Clinic"
    assert at.query_params["project_id"] == "102" and at.query_params["api_token"] == token

    at.button(key="switch_project").click().run()
    assert at.title[0].value == "Projects"
    assert dict(at.query_params) == {"api_token": token}
    at.button(key="open_101").click().run()
    assert at.title[0].value == "Harbor Tower"


def test_group_token_ignores_members_missing_from_snapshot_or_other_company(dash_env):
    _, token = dash_env.group_token([101, 999, 201])
    assert open_buttons(run_app(api_token=token)) == {101}
    assert_refused(run_app(api_token=token, project_id="201"))


def test_company_token_lists_every_project_of_the_company(dash_env):
    token = dash_env.token("Company", 1)
    at = run_app(api_token=token)
    assert open_buttons(at) == {101, 102, 103, 104}
    assert not any(s in page_text(at) for s in OTHER_COMPANY[:2])
    at = run_app(api_token=token, project_id="104")
    assert at.title[0].value == "North Depot"


def test_list_search_and_sort(dash_env):
    at = run_app(api_token=dash_env.token("Company", 1))
    at.text_input(key="search").input("rc-0").run()
    assert open_buttons(at) == {102}
    at.text_input(key="search").input("").run()
    at.selectbox(key="sort").select("Number").run()
    keys = [b.key for b in at.button if b.key.startswith("open_")]
    assert keys == ["open_103", "open_101", "open_104", "open_102"]  # ES-003, HT-001, ND-004, RC-002


def test_procore_project_id_opens_project_directly_when_in_scope(dash_env):
    _, token = dash_env.group_token([101, 102])
    at = run_app(api_token=token, procore_project_id="102")
    assert at.title[0].value == "Riverside Clinic"
    assert "switch_project" in {b.key for b in at.button}
    assert_refused(run_app(api_token=token, procore_project_id="201"))


def test_unknown_and_revoked_tokens_are_refused(dash_env):
    assert_refused(run_app(api_token="ppd_" + "A" * 43))
    token = dash_env.token("Company", 1)
    assert run_app(api_token=token).title[0].value == "Projects"
    dash_env.store.revoke("Company", 1)
    assert_refused(run_app(api_token=token))
    assert_refused(run_app())


def test_project_outside_scope_reveals_nothing(dash_env):
    token = dash_env.token("Company", 1)
    refused = run_app(api_token=token, project_id="201")
    assert_refused(refused)
    unknown = run_app(api_token=token, project_id="987654")
    assert page_text(unknown) == page_text(refused)


BAD_IDS = ["abc", "0", "-5", "101.0", "1e3", " 101", "101 ", "0x65", "１０１", "9223372036854775808",
           "99999999999999999999999", "101; DROP TABLE marts.project_metrics", "101 OR 1=1", "' OR '1'='1",
           "<script>alert(1)</script>", "101\u0000", "+101", "١٠١"]


def test_malformed_project_ids_are_refused(dash_env):
    token = dash_env.token("Company", 1)
    at = AppTest.from_file(run_app.__globals__["APP_PATH"], default_timeout=30)
    for bad in BAD_IDS:
        for key in ("project_id", "procore_project_id"):
            at.query_params.clear()
            at.query_params["api_token"] = token
            at.query_params[key] = bad
            at.run()
            assert_refused(at)
    at.query_params.clear()
    at.query_params["api_token"] = token
    at.query_params["project_id"] = "9223372036854775807"  # BIGINT max: valid, just not in scope
    assert_refused(at.run())


@pytest.mark.parametrize("token", ["' OR 1=1 --", "ppd_ñandú", "ppd_😀", "x" * 500, "", "ppd_a b",
                                   "ppd_%27%20OR%201%3D1"])
def test_sql_looking_and_unicode_tokens_are_refused(dash_env, token):
    assert_refused(run_app(api_token=token))


def test_missing_snapshot_shows_first_sync_only_to_valid_tokens(dash_env):
    token = dash_env.token("Company", 1)
    dash_env.serving.unlink()
    at = run_app(api_token=token)
    assert not at.exception
    assert at.title[0].value == FIRST_SYNC_TITLE
    assert "The first sync is still running" in page_text(at)
    assert_refused(run_app(api_token="ppd_" + "B" * 43))


def test_unreadable_snapshot_shows_no_traceback(dash_env):
    token = dash_env.token("Company", 1)
    dash_env.serving.write_bytes(b"not a duckdb file at all" * 100)
    at = run_app(api_token=token)
    assert not at.exception
    assert at.title[0].value == "The dashboard is temporarily unavailable"
    assert "Traceback" not in page_text(at) and "duckdb" not in page_text(at).lower()


def test_empty_states_no_rfis_and_no_budget_view(dash_env):
    token = dash_env.token("Company", 1)
    at = run_app(api_token=token, project_id="103")
    text = page_text(at)
    assert "This project has no RFIs yet." in text and "This project has no submittals yet." in text
    assert len(at.get("vega_lite_chart")) == 2  # daily history and budget only
    text = page_text(run_app(api_token=token, project_id="104"))
    assert "no budget view in Procore" in text
    assert "Revised budget" not in text


def test_new_snapshot_shows_up_on_next_load(dash_env):
    from serving_fixture import FixtureProject, build_serving

    token = dash_env.token("Company", 1)
    assert open_buttons(run_app(api_token=token)) == {101, 102, 103, 104}
    build_serving(dash_env.serving, [FixtureProject(105, 1, "Fresh Project", "FP-5")], snapshot_id="snap-2")
    assert open_buttons(run_app(api_token=token)) == {105}


def test_last_used_is_recorded(dash_env):
    token = dash_env.token("Project", 101)
    assert dash_env.store.live_token("Project", 101).last_used_at is None
    run_app(api_token=token)
    assert dash_env.store.live_token("Project", 101).last_used_at is not None


def test_project_names_render_as_plain_text(dash_env):
    from serving_fixture import FixtureProject, build_serving

    name = "Tower **bold** [click](javascript:alert(1)) <b>x</b> 東京"
    build_serving(dash_env.serving, [FixtureProject(301, 1, name, "N-1")])
    token = dash_env.token("Company", 1)
    row = run_app(api_token=token).markdown
    assert any("\\[click\\]\\(javascript\\:alert\\(1\\)\\)" in m.value and "東京" in m.value for m in row)
    title = run_app(api_token=token, project_id="301").title[0].value
    assert title.startswith("Tower \\*\\*bold\\*\\*") and "\\<b\\>" in title
