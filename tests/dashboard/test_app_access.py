"""Every access path of the app through Streamlit's AppTest on the real snapshot: scopes, navigation, refusals."""

from __future__ import annotations

import shutil

import pytest
from app_pages import APP_PATH, assert_refused_page, open_buttons, page_text, run_app
from real_snapshot import FRESH_NAME, MARKDOWN_NAME
from streamlit.testing.v1 import AppTest

from dashboard.formatting import md
from dashboard.views import FIRST_SYNC_TITLE

assert_refused = assert_refused_page


def _ids(real, company: int) -> set[int]:
    return {pid for (pid,) in real.query("SELECT project_id FROM marts.project_metrics WHERE company_id = ?",
                                         (company,))}


def test_project_token_opens_its_dashboard_without_switcher(dash_env):
    real = dash_env.real
    at = run_app(api_token=dash_env.token("Project", real.main))
    assert not at.exception
    assert at.title[0].value == md(real.names()[real.main])
    assert "switch_project" not in {b.key for b in at.button}
    assert {m.label for m in at.metric} >= {"Open", "Overdue", "Revised budget", "Over/under", "Committed"}
    assert len(at.get("vega_lite_chart")) == 4
    assert len(at.dataframe) == 2  # overdue RFIs and submittals, with links into Procore
    assert f"https://app.procore.com/{real.main}/project/submittal_logs/" in page_text(at)
    assert {d.label for d in at.get("download_button")} == {"Download overdue RFIs (CSV)",
                                                           "Download overdue submittals (CSV)"}


def test_project_token_with_matching_procore_project_id(dash_env):
    real = dash_env.real
    token = dash_env.token("Project", real.main)
    at = run_app(api_token=token, procore_project_id=str(real.main))
    assert at.title[0].value == md(real.names()[real.main])
    assert_refused(run_app(api_token=token, procore_project_id=str(real.second)))
    assert_refused(run_app(api_token=token, project_id=str(real.second)))


def test_group_token_list_choose_dashboard_switch_back(dash_env):
    real = dash_env.real
    names = real.names()
    _, token = dash_env.group_token([real.main, real.second])
    at = run_app(api_token=token)
    assert not at.exception
    assert at.title[0].value == "Projects"
    assert open_buttons(at) == {real.main, real.second}
    text = page_text(at)
    assert md(names[real.main]) in text and md(names[real.second]) in text
    assert not any(md(names[p]) in text for p in (real.csv, real.no_budget, real.other))

    at.button(key=f"open_{real.second}").click().run()
    assert at.title[0].value == md(names[real.second])
    assert at.query_params["project_id"] == str(real.second) and at.query_params["api_token"] == token

    at.button(key="switch_project").click().run()
    assert at.title[0].value == "Projects"
    assert dict(at.query_params) == {"api_token": token}
    at.button(key=f"open_{real.main}").click().run()
    assert at.title[0].value == md(names[real.main])


def test_buttons_never_write_the_token(dash_env):
    """A callback changes only the view and the project: with the token gone from the request, a click on a
    button drawn for it does not bring the token back (it used to be a callback argument)."""
    real = dash_env.real
    _, token = dash_env.group_token([real.main, real.second])
    at = run_app(api_token=token)
    del at.query_params["api_token"]
    at.button(key=f"open_{real.second}").click().run()
    assert dict(at.query_params) == {"project_id": str(real.second)}
    assert_refused(at)

    company = dash_env.token("Company", real.company)
    at = run_app(api_token=company)
    at.query_params["api_token"] = "ppd_" + "C" * 43  # another request's token: it is the one checked
    at.button(key="pipeline_health").click().run()
    assert dict(at.query_params) == {"api_token": "ppd_" + "C" * 43, "view": "health"}
    assert_refused(at)


def test_group_token_ignores_members_missing_from_snapshot_or_other_company(dash_env):
    real = dash_env.real
    _, token = dash_env.group_token([real.main, 999, real.other])
    assert open_buttons(run_app(api_token=token)) == {real.main}
    assert_refused(run_app(api_token=token, project_id=str(real.other)))


def test_company_token_lists_every_project_of_the_company(dash_env):
    real = dash_env.real
    names = real.names()
    token = dash_env.token("Company", real.company)
    at = run_app(api_token=token)
    assert open_buttons(at) == _ids(real, real.company)
    text = page_text(at)
    assert not any(md(names[p]) in text for p in _ids(real, real.other_company))
    at = run_app(api_token=token, project_id=str(real.no_budget))
    assert at.title[0].value == md(names[real.no_budget])


def test_list_search_and_sort(dash_env):
    real = dash_env.real
    at = run_app(api_token=dash_env.token("Company", real.company))
    at.text_input(key="search").input("md-1").run()  # the project number of the Markdown-named project
    assert open_buttons(at) == {real.empty}
    at.text_input(key="search").input("").run()
    at.selectbox(key="sort").select("Number").run()
    keys = [int(b.key.removeprefix("open_")) for b in at.button if b.key.startswith("open_")]
    rows = real.query("SELECT project_id, project_number, project_name FROM marts.project_metrics "
                      "WHERE company_id = ?", (real.company,))
    numbers = {pid: (number, name) for pid, number, name in rows}
    # projects without a number (Procore sends null) come last, then by name, as the page sorts them
    expected = sorted(numbers, key=lambda p: (numbers[p][0] is None, numbers[p][0] or "", numbers[p][1], p))
    assert keys == expected[:len(keys)] and len(keys) == min(len(expected), 20)


def test_procore_project_id_opens_project_directly_when_in_scope(dash_env):
    real = dash_env.real
    _, token = dash_env.group_token([real.main, real.second])
    at = run_app(api_token=token, procore_project_id=str(real.second))
    assert at.title[0].value == md(real.names()[real.second])
    assert "switch_project" in {b.key for b in at.button}
    assert_refused(run_app(api_token=token, procore_project_id=str(real.other)))


def test_unknown_and_revoked_tokens_are_refused(dash_env):
    real = dash_env.real
    assert_refused(run_app(api_token="ppd_" + "A" * 43))
    token = dash_env.token("Company", real.company)
    assert run_app(api_token=token).title[0].value == "Projects"
    dash_env.store.revoke("Company", real.company)
    assert_refused(run_app(api_token=token))
    assert_refused(run_app())


def test_project_outside_scope_reveals_nothing(dash_env):
    real = dash_env.real
    token = dash_env.token("Company", real.company)
    refused = run_app(api_token=token, project_id=str(real.other))
    assert_refused(refused)
    unknown = run_app(api_token=token, project_id="987654")
    assert page_text(unknown) == page_text(refused)


BAD_IDS = ["abc", "0", "-5", "101.0", "1e3", " 101", "101 ", "0x65", "１０１", "9223372036854775808",
           "99999999999999999999999", "101; DROP TABLE marts.project_metrics", "101 OR 1=1", "' OR '1'='1",
           "<script>alert(1)</script>", "101\u0000", "+101", "١٠١"]


def test_malformed_project_ids_are_refused(dash_env):
    token = dash_env.token("Company", dash_env.real.company)
    at = AppTest.from_file(APP_PATH, default_timeout=30)
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
    token = dash_env.token("Company", dash_env.real.company)
    dash_env.serving.unlink()
    at = run_app(api_token=token)
    assert not at.exception
    assert at.title[0].value == FIRST_SYNC_TITLE
    assert "The first sync is still running" in page_text(at)
    assert_refused(run_app(api_token="ppd_" + "B" * 43))


def test_unreadable_snapshot_shows_no_traceback(dash_env):
    token = dash_env.token("Company", dash_env.real.company)
    dash_env.serving.write_bytes(b"not a duckdb file at all" * 100)
    at = run_app(api_token=token)
    assert not at.exception
    assert at.title[0].value == "The dashboard is temporarily unavailable"
    assert "Traceback" not in page_text(at) and "duckdb" not in page_text(at).lower()


def test_empty_states_no_rfis_and_no_budget_view(dash_env):
    real = dash_env.real
    token = dash_env.token("Company", real.company)
    at = run_app(api_token=token, project_id=str(real.empty))  # created in Procore, nothing in it yet
    text = page_text(at)
    assert "This project has no RFIs yet." in text and "This project has no submittals yet." in text
    assert "No overdue RFIs. ✅" in text and "No overdue submittals. ✅" in text
    assert len(at.get("vega_lite_chart")) == 1  # the daily history only: its budget view has no rows
    text = page_text(run_app(api_token=token, project_id=str(real.no_budget)))  # its budget views deleted
    assert "no budget view in Procore" in text
    assert "Revised budget" not in text and "Committed" not in text


def test_new_snapshot_shows_up_on_next_load(dash_env):
    real = dash_env.real
    token = dash_env.token("Company", real.company)
    shutil.copyfile(real.first, dash_env.serving)  # published before the fresh project existed
    assert real.fresh not in open_buttons(run_app(api_token=token))
    shutil.copyfile(real.template, dash_env.serving)  # the next publish
    at = run_app(api_token=token)
    assert real.fresh in open_buttons(at) and FRESH_NAME in page_text(at)


def test_last_used_is_recorded(dash_env):
    real = dash_env.real
    token = dash_env.token("Project", real.main)
    assert dash_env.store.live_token("Project", real.main).last_used_at is None
    run_app(api_token=token)
    assert dash_env.store.live_token("Project", real.main).last_used_at is not None


def test_project_names_render_as_plain_text(dash_env):
    real = dash_env.real
    assert real.names()[real.empty] == MARKDOWN_NAME  # the name went through Procore's API and the marts
    token = dash_env.token("Company", real.company)
    row = run_app(api_token=token).markdown
    assert any("\\[click\\]\\(javascript\\:alert\\(1\\)\\)" in m.value and "東京" in m.value for m in row)
    title = run_app(api_token=token, project_id=str(real.empty)).title[0].value
    assert title.startswith("Tower \\*\\*bold\\*\\*") and "\\<b\\>" in title


def test_list_shows_missing_numbers_and_stages_as_blank(dash_env):
    """Procore sends `project_number: null` for some projects: the list shows nothing there, never "nan"."""
    real = dash_env.real
    missing = real.query("SELECT count(*) FROM marts.project_metrics WHERE company_id = ? "
                         "AND (project_number IS NULL OR stage IS NULL)", (real.company,))[0][0]
    assert missing > 0, "the real snapshot should hold a project without a number or stage"
    at = run_app(api_token=dash_env.token("Company", real.company))
    rows = [m.value for m in at.markdown if ":gray[" in m.value]
    assert rows and not any("nan" in row or "None" in row for row in rows)
