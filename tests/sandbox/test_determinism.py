"""Same seed, same data; different seed, different data; big sandboxes start lazily; the CLI serves."""

from __future__ import annotations

import subprocess
import sys

import requests

START = "2026-03-02T12:00:00Z"


def test_same_seed_same_records_and_a_different_seed_differs(start_sandbox_server):
    one = start_sandbox_server(seed=7, start_time=START, projects=5)
    two = start_sandbox_server(seed=7, start_time=START, projects=5)
    three = start_sandbox_server(seed=8, start_time=START, projects=5)
    for resource in ("projects", "rfis", "submittals", "budget_views", "budget_rows", "change_events"):
        assert one.records(resource) == two.records(resource), resource
    assert one.records("rfis") != three.records("rfis")
    assert one.info()["forbidden_project_ids"] == two.info()["forbidden_project_ids"]
    # The same random mutations follow (timestamps come from each sandbox's running clock).
    picks = [[(c["resource"], c["action"], c["id"]) for c in box.mutate({"random": 10})["changes"]]
             for box in (one, two)]
    assert picks[0] == picks[1]


def test_realistic_shape_and_overdue_share(start_sandbox_server):
    big = start_sandbox_server(seed=3, projects=40, records_per_project=30)
    rfis = [r["record"] for r in big.records("rfis")]
    today = big.clock()["now"][:10]
    statuses = {r["status"] for r in rfis}
    assert statuses == {"open", "closed", "draft", "closed_with_revision", "closed_draft"}
    open_rfis = [r for r in rfis if r["status"] == "open"]
    overdue = [r for r in open_rfis if r["due_date"] < today]
    assert 0.15 < len(overdue) / len(open_rfis) < 0.85
    assert all(r["time_resolved"] for r in rfis if r["status"].startswith("closed"))
    assert len({r["id"] for r in rfis}) == len(rfis)
    companies = big.info()["companies"]
    assert companies[0]["id"] > 2**48
    info = big.info()
    assert len(info["forbidden_project_ids"]) >= 2 and len(info["hidden_project_ids"]) >= 2
    views = [r["record"]["name"] for r in big.records("budget_views")]
    readable = 2 * 40 - len(info["forbidden_project_ids"]) - len(info["hidden_project_ids"])
    assert "Owner Forecast" in views and views.count("Procore Standard Budget") == readable


def test_a_thousand_projects_start_and_serve(start_sandbox_server):
    big = start_sandbox_server(projects=1000, records_per_project=50)
    assert len(big.records("projects")) == 2000
    token = requests.post(f"{big.url}/oauth/token", timeout=10, data={
        "grant_type": "client_credentials", "client_id": big.client_id, "client_secret": big.client_secret}).json()
    pid = big.records("projects")[-1]["record"]["id"]
    if pid in big.info()["forbidden_project_ids"] + big.info()["hidden_project_ids"]:
        pid = big.records("projects")[-2]["record"]["id"]
    answer = requests.get(f"{big.url}/rest/v1.0/projects/{pid}/rfis", timeout=10, headers={
        "Authorization": f"Bearer {token['access_token']}", "Procore-Company-Id": str(big.company_ids[1])})
    held = big.state.store.project_data(pid).rfis.live()  # generated on this first read, by its profile
    assert answer.status_code == 200 and [r["id"] for r in answer.json()] == [e.id for e in held]
    assert len(held) == big.state.store.project_seeds[pid].profile.rfis


def test_cli_rejects_bad_flags_clearly():
    done = subprocess.run([sys.executable, "-m", "procore_sandbox.cli", "--error-rate", "2"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and "error_rate must be between 0 and 1" in done.stderr


def test_cli_serves_and_prints_where(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "procore_sandbox.cli", "--port", "0", "--projects", "3",
                                "--client-id", "cid", "--client-secret", "secret"],
                               stdout=subprocess.PIPE, text=True)
    try:
        lines = [process.stdout.readline() for _ in range(6)]
        url = lines[0].split(" on ")[1].split()[0]
        assert "PROCORE_CLIENT_ID=cid" in "".join(lines) and "PROCORE_CLIENT_SECRET=secret" in "".join(lines)
        info = requests.get(f"{url}/_sandbox/info", timeout=10).json()
        assert info["client_id"] == "cid" and len(info["companies"]) == 2
    finally:
        process.terminate()
        process.wait(timeout=10)
