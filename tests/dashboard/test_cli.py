"""The `procore-dashboard` admin CLI: groups, tokens, JSON shapes, one-line errors."""

from __future__ import annotations

import json

from conftest import assert_refused_page, run_app

from dashboard.cli import main
from dashboard.store import digest


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_groups_lifecycle(dash_env, capsys):
    code, out, _ = cli(capsys, "groups", "create", "--name", "North", "--company", "1", "--projects", "102,101",
                       "--json")
    assert code == 0
    group = json.loads(out)
    assert group == {"id": group["id"], "name": "North", "company_id": 1, "project_ids": [101, 102]}
    gid = str(group["id"])
    code, out, _ = cli(capsys, "groups", "add-projects", gid, "--projects", "103", "--json")
    assert json.loads(out)["project_ids"] == [101, 102, 103]
    code, out, _ = cli(capsys, "groups", "remove-projects", gid, "--projects", "101", "--json")
    assert json.loads(out)["project_ids"] == [102, 103]
    code, out, _ = cli(capsys, "groups", "list", "--json")
    assert json.loads(out) == [{"id": int(gid), "name": "North", "company_id": 1, "project_ids": [102, 103]}]
    cli(capsys, "tokens", "generate", "--group", gid)
    code, out, _ = cli(capsys, "groups", "delete", gid)
    assert code == 0 and dash_env.store.list_groups() == []
    assert dash_env.store.live_token("ProjectGroup", int(gid)) is None  # deleting revokes


def test_errors_are_one_line_and_non_zero(dash_env, capsys):
    cases = [
        (("groups", "create", "--name", "X", "--company", "2", "--projects", "101"),
         "project 101 belongs to company 1, not 2"),
        (("groups", "create", "--name", "X", "--company", "1", "--projects", "555"),
         "project 555 is not in the warehouse"),
        (("groups", "add-projects", "77", "--projects", "101"), "unknown group 77"),
        (("tokens", "generate", "--group", "77"), "unknown group 77"),
        (("tokens", "generate", "--project", "555"), "project 555 is not in the warehouse"),
        (("tokens", "generate", "--company", "9"), "company 9 has no projects in the warehouse"),
        (("tokens", "revoke", "--group", "77"), "unknown group 77"),
    ]
    for argv, message in cases:
        code, out, err = cli(capsys, *argv)
        assert code == 1, argv
        assert err == f"procore-dashboard: error: {message}\n"
        assert "Traceback" not in err
    assert dash_env.store.list_groups() == [] and dash_env.store.list_tokens() == []


def test_revoke_without_live_token_is_a_no_op(dash_env, capsys):
    code, out, _ = cli(capsys, "tokens", "revoke", "--project", "101")
    assert code == 0 and out == "Project 101 has no live token: nothing to revoke\n"


def test_no_snapshot_is_a_clear_error(dash_env, capsys):
    dash_env.serving.unlink()
    code, _, err = cli(capsys, "tokens", "generate", "--project", "101")
    assert code == 1 and "no serving snapshot" in err and err.count("\n") == 1


def test_generate_prints_token_once_with_iframe_url(dash_env, capsys, monkeypatch):
    monkeypatch.setenv("DASHBOARD_PUBLIC_URL", "https://dash.example.com/integrations/procore/iframe/")
    code, out, _ = cli(capsys, "tokens", "generate", "--project", "101", "--json")
    assert code == 0
    [row] = json.loads(out)
    assert set(row) == {"resource_type", "resource_id", "token", "url"}
    assert row["resource_type"] == "Project" and row["resource_id"] == 101
    assert row["url"] == f"https://dash.example.com/integrations/procore/iframe/?api_token={row['token']}"
    # Only the digest is stored, and `tokens list` never shows the token.
    live = dash_env.store.live_token("Project", 101)
    with dash_env.store.engine.connect() as con:
        stored = con.exec_driver_sql("SELECT token_digest FROM dashboard_api_tokens").scalar_one()
    assert stored == digest(row["token"]) and row["token"] not in stored
    code, out, _ = cli(capsys, "tokens", "list")
    assert live.prefix in out and row["token"] not in out and "Project 101" in out
    code, out, err = cli(capsys, "tokens", "generate", "--project", "101")
    assert code == 1 and "already has a live token" in err


def test_all_groups_skips_groups_with_tokens(dash_env, capsys):
    g1 = dash_env.store.create_group("A", 1, [101])
    g2 = dash_env.store.create_group("B", 1, [102])
    g3 = dash_env.store.create_group("C", 2, [201])
    dash_env.token("ProjectGroup", g2.id)
    code, out, err = cli(capsys, "tokens", "generate", "--all-groups", "--json")
    assert code == 0
    rows = json.loads(out)
    assert sorted(r["resource_id"] for r in rows) == [g1.id, g3.id]
    assert {r["resource_type"] for r in rows} == {"ProjectGroup"}
    assert f"skipped ProjectGroup {g2.id}" in err
    code, out, err = cli(capsys, "tokens", "generate", "--all-groups", "--json")
    assert json.loads(out) == [] and err.count("skipped") == 3
    # The new group tokens open exactly their groups.
    at = run_app(api_token=next(r["token"] for r in rows if r["resource_id"] == g1.id))
    assert {b.key for b in at.button} == {"open_101"}


def test_revocation_and_rotation_take_effect_on_next_load(dash_env, capsys):
    code, out, _ = cli(capsys, "tokens", "generate", "--company", "1", "--json")
    old = json.loads(out)[0]["token"]
    assert run_app(api_token=old).title[0].value == "Projects"
    code, out, _ = cli(capsys, "tokens", "rotate", "--company", "1", "--json")
    new = json.loads(out)[0]["token"]
    assert_refused_page(run_app(api_token=old))
    assert run_app(api_token=new).title[0].value == "Projects"
    code, out, _ = cli(capsys, "tokens", "revoke", "--company", "1")
    assert code == 0 and "revoked" in out
    assert_refused_page(run_app(api_token=new))
    code, out, _ = cli(capsys, "tokens", "list", "--all", "--json")
    rows = json.loads(out)
    assert len(rows) == 2 and all(r["revoked_at"] for r in rows)
    assert all(r["api_token_type"] == "company" for r in rows)
