"""The admin surface: clock, reset, info, environment for the client, bad admin input."""

from __future__ import annotations

import os

import requests


def test_clock_moves_and_reset_restores_everything(api, sandbox):
    start = sandbox.clock()["epoch"]
    assert sandbox.advance_clock(86_400)["epoch"] >= start + 86_400
    assert sandbox.set_clock("2030-01-02T03:04:05Z")["now"].startswith("2030-01-02T03:04")
    sandbox.configure(latency_ms=1, rate_limit_spike=50)
    sandbox.inject(path="/rest/v1.0/me", status=500, times=100)
    sandbox.mutate({"random": 3})
    assert api.get("/rest/v1.0/me").status_code == 500
    sandbox.reset()
    assert abs(sandbox.clock()["epoch"] - start) < 60
    assert sandbox.configure() == {"latency_ms": 0.0, "error_rate": 0.0, "rate_limit_hourly": 100_000,
                                   "rate_limit_spike": 10_000, "token_ttl": 5400}
    assert api.get("/rest/v1.0/me").status_code == 200
    assert sandbox.stats()["total"] == 1
    assert all(r["deleted_at"] is None for r in sandbox.records("rfis"))


def test_bad_admin_input_is_refused_and_changes_nothing(sandbox):
    before = sandbox.records("rfis")
    for body in (b"not json", b'{"random": -1}', b'{"resource": "rfis", "action": "explode", "id": 1}',
                 b'{"resource": "rfis", "action": "update", "id": 1, "changes": {"id": 5}}'):
        answer = requests.post(f"{sandbox.url}/_sandbox/mutations", data=body, timeout=10)
        assert answer.status_code in (400, 404) and answer.json()["error"]
    assert requests.post(f"{sandbox.url}/_sandbox/clock", json={"set": "someday"}, timeout=10).status_code == 400
    assert requests.get(f"{sandbox.url}/_sandbox/records/widgets", timeout=10).status_code == 404
    assert sandbox.records("rfis") == before


def test_info_and_env_point_the_client_at_the_sandbox(sandbox, procore_env):
    info = sandbox.info()
    assert [c["id"] for c in info["companies"]] == sandbox.company_ids and info["client_id"] == sandbox.client_id
    assert "client_secret" not in info["options"]
    assert procore_env["PROCORE_API_BASE_URL"] == procore_env["PROCORE_LOGIN_BASE_URL"] == sandbox.url
    assert os.environ["PROCORE_COMPANY_IDS"] == ",".join(str(c) for c in sandbox.company_ids)
    assert os.environ["PROCORE_CLIENT_SECRET"] == sandbox.client_secret
