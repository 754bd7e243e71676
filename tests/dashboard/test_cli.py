"""The `procore-dashboard` admin CLI: groups, tokens, JSON shapes, one-line errors."""

from __future__ import annotations

import json

from app_pages import assert_refused_page, run_app

from dashboard.access_store import digest
from dashboard.cli import main


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_groups_lifecycle(dash_env, capsys):
    real = dash_env.real
    a, b, c = sorted((real.main, real.second, real.csv))
    code, out, _ = cli(capsys, "groups", "create", "--name", "North", "--company", str(real.company), "--projects",
                       f"{b},{a}", "--json")
    assert code == 0
    group = json.loads(out)
    assert group == {"id": group["id"], "name": "North", "company_id": real.company, "project_ids": [a, b]}
    gid = str(group["id"])
    code, out, _ = cli(capsys, "groups", "add-projects", gid, "--projects", str(c), "--json")
    assert json.loads(out)["project_ids"] == [a, b, c]
    code, out, _ = cli(capsys, "groups", "remove-projects", gid, "--projects", str(a), "--json")
    assert json.loads(out)["project_ids"] == [b, c]
    code, out, _ = cli(capsys, "groups", "list", "--json")
    assert json.loads(out) == [{"id": int(gid), "name": "North", "company_id": real.company, "project_ids": [b, c]}]
    cli(capsys, "tokens", "generate", "--group", gid)
    code, out, _ = cli(capsys, "groups", "delete", gid)
    assert code == 0 and dash_env.store.list_groups() == []
    assert dash_env.store.live_token("ProjectGroup", int(gid)) is None  # deleting revokes


def test_errors_are_one_line_and_non_zero(dash_env, capsys):
    real = dash_env.real
    company, other, main = real.company, real.other_company, real.main
    cases = [
        (("groups", "create", "--name", "X", "--company", str(other), "--projects", str(main)),
         f"project {main} belongs to company {company}, not {other}"),
        (("groups", "create", "--name", "X", "--company", str(company), "--projects", "555"),
         "project 555 is not in the serving snapshot"),
        (("groups", "create", "--name", "West\x1b[2J\x1b]0;pwned\x07", "--company", str(company), "--projects",
          str(main)), "a group --name cannot contain control characters (escape sequences, newlines, tabs)"),
        (("groups", "add-projects", "77", "--projects", str(main)), "unknown group 77"),
        (("tokens", "generate", "--group", "77"), "unknown group 77"),
        (("tokens", "generate", "--project", "555"), "project 555 is not in the serving snapshot"),
        (("tokens", "generate", "--company", "9"), "company 9 has no projects in the serving snapshot"),
        (("tokens", "revoke", "--group", "77"), "unknown group 77"),
    ]
    for argv, message in cases:
        code, out, err = cli(capsys, *argv)
        assert code == 1, argv
        assert err == f"procore-dashboard: error: {message}\n"
        assert "Traceback" not in err
    assert dash_env.store.list_groups() == [] and dash_env.store.list_tokens() == []


def test_stored_group_names_are_printed_escaped(dash_env, capsys):
    """A name stored before names were checked (or written to the database directly) cannot drive the terminal."""
    real = dash_env.real
    group = dash_env.store.create_group("West", real.company, [real.main])
    raw = "West\x1b[31m\x1b]0;pwned\x07\u202eevil\nline 2\x9b"
    with dash_env.store.engine.begin() as con:
        con.exec_driver_sql("UPDATE dashboard_project_groups SET name = ? WHERE id = ?", (raw, group.id))
    for argv in (("groups", "list"), ("groups", "add-projects", str(group.id), "--projects", str(real.second))):
        code, out, _ = cli(capsys, *argv)
        assert code == 0
        assert not any(ch in out for ch in "\x1b\x07\u202e\x9b") and out.count("\n") == 1
        assert "West\\x1b[31m\\x1b]0;pwned\\x07\\u202eevil\\nline 2\\x9b" in out
    code, out, _ = cli(capsys, "groups", "list", "--json")
    assert json.loads(out)[0]["name"] == raw and "\x1b" not in out  # JSON escapes them itself


def test_revoke_without_live_token_is_a_no_op(dash_env, capsys):
    main = dash_env.real.main
    code, out, _ = cli(capsys, "tokens", "revoke", "--project", str(main))
    assert code == 0 and out == f"Project {main} has no live token: nothing to revoke\n"


def test_no_snapshot_is_a_clear_error(dash_env, capsys):
    dash_env.serving.unlink()
    code, _, err = cli(capsys, "tokens", "generate", "--project", str(dash_env.real.main))
    assert code == 1 and "no serving snapshot" in err and err.count("\n") == 1


def test_generate_prints_token_once_with_iframe_url(dash_env, capsys, monkeypatch):
    main = dash_env.real.main
    monkeypatch.setenv("DASHBOARD_PUBLIC_URL", "https://dash.example.com/integrations/procore/iframe/")
    code, out, _ = cli(capsys, "tokens", "generate", "--project", str(main), "--json")
    assert code == 0
    [row] = json.loads(out)
    assert set(row) == {"resource_type", "resource_id", "token", "url"}
    assert row["resource_type"] == "Project" and row["resource_id"] == main
    assert row["url"] == f"https://dash.example.com/integrations/procore/iframe/?api_token={row['token']}"
    # Only the digest is stored, and `tokens list` never shows the token.
    live = dash_env.store.live_token("Project", main)
    with dash_env.store.engine.connect() as con:
        stored = con.exec_driver_sql("SELECT token_digest FROM dashboard_api_tokens").scalar_one()
    assert stored == digest(row["token"]) and row["token"] not in stored
    code, out, _ = cli(capsys, "tokens", "list")
    assert live.prefix in out and row["token"] not in out and f"Project {main}" in out
    code, out, err = cli(capsys, "tokens", "generate", "--project", str(main))
    assert code == 1 and "already has a live token" in err


def test_all_groups_skips_groups_with_tokens(dash_env, capsys):
    real = dash_env.real
    g1 = dash_env.store.create_group("A", real.company, [real.main])
    g2 = dash_env.store.create_group("B", real.company, [real.second])
    g3 = dash_env.store.create_group("C", real.other_company, [real.other])
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
    assert {b.key for b in at.button} == {f"open_{real.main}"}


def test_revocation_and_rotation_take_effect_on_next_load(dash_env, capsys):
    company = str(dash_env.real.company)
    code, out, _ = cli(capsys, "tokens", "generate", "--company", company, "--json")
    old = json.loads(out)[0]["token"]
    assert run_app(api_token=old).title[0].value == "Projects"
    code, out, _ = cli(capsys, "tokens", "rotate", "--company", company, "--json")
    new = json.loads(out)[0]["token"]
    assert_refused_page(run_app(api_token=old))
    assert run_app(api_token=new).title[0].value == "Projects"
    code, out, _ = cli(capsys, "tokens", "revoke", "--company", company)
    assert code == 0 and "revoked" in out
    assert_refused_page(run_app(api_token=new))
    code, out, _ = cli(capsys, "tokens", "list", "--all", "--json")
    rows = json.loads(out)
    assert len(rows) == 2 and all(r["revoked_at"] for r in rows)
    assert all(r["api_token_type"] == "company" for r in rows)
