"""`procore-check --shapes` against the sandbox: a clean account matches the catalogue; drifted records are
reported field by field, with the loader's own classification (the same lines the sync would count)."""

from __future__ import annotations

import io

import pytest

from procore_source.check import main
from procore_source.shapes import DriftTally
from procore_source.streams import RFIS

pytestmark = pytest.mark.timeout(60)
FAST = {"PROCORE_MAX_RETRIES": "1", "PROCORE_RETRY_BACKOFF": "0.01", "PROCORE_CONNECT_TIMEOUT": "1"}
STREAM_NAMES = ("projects", "rfis", "submittals", "budget_views", "budget_rows")


def run(env: dict[str, str], *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), environ={**FAST, **env}, out=out)
    return code, out.getvalue()


def _one_project(sandbox, helpers) -> tuple[dict[str, str], int]:
    cid = sandbox.company_ids[0]
    return {**sandbox.env(), "PROCORE_COMPANY_IDS": str(cid)}, helpers.project_ids(sandbox, cid)[0]


def test_clean_account_matches_the_catalogue(sandbox, helpers):
    env, pid = _one_project(sandbox, helpers)
    code, text = run(env, "--shapes", "--project-ids", str(pid))
    assert code == 0 and text.rstrip().endswith("connection test succeeded"), text
    for name in STREAM_NAMES:
        assert f"[ ok ] shapes {name}: " in text and f"[warn] shapes {name}" not in text
    assert "[info] shapes rfis: " in text and "fields not in the catalogue (kept in payload only)" in text
    assert "[info] shapes budget_rows: " in text and "label columns (label_amounts): " in text


def test_drifted_fields_are_reported_as_the_loader_counts_them(sandbox, helpers):
    env, pid = _one_project(sandbox, helpers)
    live = [r for r in sandbox.records("rfis") if r["project_id"] == pid and r["deleted_at"] is None]
    drifted, rejected = live[0]["record"]["id"], live[1]["record"]["id"]
    sandbox.mutate({"mutations": [
        {"resource": "rfis", "action": "update", "id": drifted,
         "changes": {"rfi_manager": "Pat Lee", "due_date": "next tuesday", "priority": {"name": ["High"]}}},
        {"resource": "rfis", "action": "update", "id": rejected, "changes": {"updated_at": "soon"}}]})
    code, text = run(env, "--shapes", "--project-ids", str(pid))
    assert code == 1, text  # a record a key field keeps out fails the check
    assert f"[FAIL] shapes rfis: 1 of {len(live)} records from 1 list would not load: record id {rejected}: " \
           "column updated_at" in text
    assert "[warn] shapes rfis: 3 field shape(s) differ from the catalogue" in text

    # the lines are the loader's own drift, computed from the records the sandbox serves
    tally = DriftTally()
    for item in sandbox.records("rfis"):
        if item["project_id"] == pid and item["deleted_at"] is None and item["record"]["id"] != rejected:
            RFIS.flatten(item["record"], {"company_id": sandbox.company_ids[0], "project_id": pid}, tally)
    expected = [f"       - {d.describe()}" for d in tally]
    assert len(expected) == 3 and all(line in text.splitlines() for line in expected)
    assert f'rfi_manager_name (rfi_manager.name): expected object, got string in 1 record (e.g. id {drifted}: ' \
           '"Pat Lee")' in text
    assert "[ ok ] shapes submittals: " in text  # the other streams are still clean


def test_drift_alone_is_a_warning_and_fails_only_when_strict(sandbox, helpers):
    env, pid = _one_project(sandbox, helpers)
    rfi = next(r for r in sandbox.records("rfis") if r["project_id"] == pid and r["deleted_at"] is None)
    sandbox.mutate({"resource": "rfis", "action": "update", "id": rfi["record"]["id"],
                    "changes": {"subject": {"en": "Door hardware"}}})
    code, text = run(env, "--shapes", "--project-ids", str(pid))
    assert code == 0 and "succeeded with 1 warnings" in text
    assert "subject (subject): expected VARCHAR, got object in 1 record" in text
    code, text = run(env, "--shapes", "--project-ids", str(pid), "--strict")
    assert code == 1
