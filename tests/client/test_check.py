"""`procore-check` against the sandbox: success, and a non-zero exit with the exact fix for each mistake."""

from __future__ import annotations

import io

import pytest

from procore_source.check import main

pytestmark = pytest.mark.timeout(60)
FAST = {"PROCORE_MAX_RETRIES": "1", "PROCORE_RETRY_BACKOFF": "0.01", "PROCORE_CONNECT_TIMEOUT": "1"}


def run(env: dict[str, str], *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), environ={**FAST, **env}, out=out)
    return code, out.getvalue()


def test_connection_test_succeeds(sandbox, helpers):
    code, text = run(sandbox.env())
    assert code == 0, text
    assert text.rstrip().splitlines()[-1].startswith("connection test succeeded")
    for cid in sandbox.company_ids:
        assert f"[ ok ] company {cid} projects" in text
        assert f"[ ok ] company {cid} rate limit" in text
    assert "[FAIL]" not in text


def test_probes_the_chosen_projects(sandbox, helpers):
    cid = sandbox.company_ids[0]
    pids = helpers.project_ids(sandbox, cid)[:2]
    env = {**sandbox.env(), "PROCORE_COMPANY_IDS": str(cid)}
    code, text = run(env, "--project-ids", ",".join(map(str, pids)))
    assert code == 0 and text.rstrip().endswith("connection test succeeded")
    for pid in pids:
        for tool in ("RFIs", "submittals", "budget views"):
            assert f"[ ok ] company {cid} project {pid} {tool}: readable" in text


def test_hidden_project_is_one_warning(sandbox):
    hidden = sandbox.info()["hidden_project_ids"][0]
    owner = next(r["company_id"] for r in sandbox.records("projects") if r["record"]["id"] == hidden)
    code, text = run({**sandbox.env(), "PROCORE_COMPANY_IDS": str(owner)}, "--project-ids", str(hidden))
    assert code == 0 and "succeeded with 1 warnings" in text and "App Management > (the app) > Permissions" in text


def test_tool_disabled_is_a_warning_with_the_fix_and_fails_when_strict(sandbox):
    forbidden = sandbox.info()["forbidden_project_ids"][0]
    owner = next(r["company_id"] for r in sandbox.records("projects") if r["record"]["id"] == forbidden)
    env = {**sandbox.env(), "PROCORE_COMPANY_IDS": str(owner)}
    code, text = run(env, "--project-ids", str(forbidden))
    assert code == 0 and "connection test succeeded with 3 warnings" in text
    assert "enable the tool" in text
    code, text = run(env, "--project-ids", str(forbidden), "--strict")
    assert code == 1 and "connection test FAILED" in text


@pytest.mark.parametrize(("change", "fix"), [
    ({"PROCORE_CLIENT_SECRET": "wrong"}, "check PROCORE_CLIENT_ID and PROCORE_CLIENT_SECRET"),
    ({"PROCORE_COMPANY_IDS": "424242"}, "install the app in company 424242"),
    ({"PROCORE_API_BASE_URL": "http://127.0.0.1:9"}, "check PROCORE_API_BASE_URL"),
    ({"PROCORE_LOGIN_BASE_URL": "http://127.0.0.1:9"}, "set PROCORE_LOGIN_BASE_URL"),
])
def test_mistakes_exit_non_zero_with_the_fix(sandbox, change, fix):
    code, text = run({**sandbox.env(), **change})
    assert code == 1, text
    assert "[FAIL]" in text and fix in text
    assert "connection test FAILED" in text


def test_missing_setting_names_the_variable(sandbox):
    env = {k: v for k, v in sandbox.env().items() if k != "PROCORE_CLIENT_ID"}
    code, text = run(env)
    assert code == 2 and "PROCORE_CLIENT_ID is not set" in text


def test_every_missing_variable_is_reported_at_once():
    code, text = run({"PROCORE_PAGE_SIZE": "zero"})
    assert code == 2
    failed = [line for line in text.splitlines() if line.startswith("[FAIL] settings:")]
    assert [line.split()[2] for line in failed] == ["PROCORE_CLIENT_ID", "PROCORE_CLIENT_SECRET",
                                                    "PROCORE_COMPANY_IDS", "PROCORE_PAGE_SIZE"]
    assert text.count("fix:") == 1


def test_unknown_project_ids_fail_naming_the_ids_not_found(sandbox, helpers):
    cid = sandbox.company_ids[0]
    known = helpers.project_ids(sandbox, cid)[0]
    code, text = run({**sandbox.env(), "PROCORE_COMPANY_IDS": str(cid)}, "--project-ids", f"{known},999999,424242")
    assert code == 1 and text.rstrip().splitlines()[-1].startswith("connection test FAILED")
    assert f"[FAIL] --project-ids: 999999, 424242 not among the projects of companies {cid}" in text
    assert f"[ ok ] company {cid} project {known} RFIs: readable" in text  # the known one is still probed


def test_project_ids_of_another_configured_company_are_found(sandbox, helpers):
    pids = [helpers.project_ids(sandbox, cid)[0] for cid in sandbox.company_ids]
    code, text = run(sandbox.env(), "--project-ids", ",".join(map(str, pids)))
    assert code == 0 and "--project-ids" not in text


@pytest.mark.parametrize("value, message", [("-1", "must be 0 or more, got -1"),
                                            ("few", "expected a whole number of projects, got 'few'")])
def test_bad_sample_is_one_argparse_error(capsys, value, message):
    with pytest.raises(SystemExit) as exited:
        main(["--sample", value], environ={})
    assert exited.value.code == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
    assert errors == [f"procore-check: error: argument --sample: {message}"]
