"""Rate limits (headers on every response, 429 with Procore's body), scripted faults, random errors."""

from __future__ import annotations

import time

import requests

from procore_sandbox.ratelimit import RATE_LIMIT_BODY


def test_spike_limit_answers_429_with_procores_body_and_headers(api, sandbox):
    sandbox.configure(rate_limit_spike=3)
    answers = [api.get("/rest/v1.0/me") for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert [a.headers["X-Rate-Limit-Remaining"] for a in answers] == ["2", "1", "0", "0", "0"]
    assert answers[3].text == RATE_LIMIT_BODY
    assert answers[0].headers["X-Rate-Limit-Limit"] == "3"
    assert 0 < int(answers[3].headers["X-Rate-Limit-Reset"]) - time.time() <= 11
    # Limits are per company: the other company still has its own window.
    assert api.get("/rest/v1.0/me", company_id=sandbox.company_ids[1]).status_code == 200


def test_hourly_limit_and_headers_on_errors(api, sandbox):
    sandbox.configure(rate_limit_hourly=2)
    statuses = [api.get("/rest/v1.0/nothing").status_code for _ in range(3)]
    assert statuses == [404, 404, 429]  # failed calls count too
    assert api.get("/rest/v1.0/me").headers["X-Rate-Limit-Limit"] == "2"


def test_scripted_faults_skip_then_answer_then_pass(api, sandbox):
    pid = api.readable_project()
    sandbox.inject(path="/rest/v1.0/projects/*/rfis", method="GET", status=503, headers={"Retry-After": "2"},
                   body="busy", times=2, skip=1)
    answers = [api.get(f"/rest/v1.0/projects/{pid}/rfis") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 503, 503, 200]
    assert answers[1].headers["Retry-After"] == "2" and answers[1].text == "busy"
    assert "X-Rate-Limit-Remaining" in answers[1].headers
    sandbox.inject(path="/rest/v1.0/me", status=200, body="<html>not json</html>")
    assert api.get("/rest/v1.0/me").text == "<html>not json</html>"
    # A delay-only fault holds the answer back (lower bounds only: a loaded machine may be slower, never faster).
    sandbox.inject(path="/rest/v1.0/me", delay_ms=600, times=2)
    started = time.monotonic()
    try:
        requests.get(f"{sandbox.url}/rest/v1.0/me", timeout=0.2)
        raised = False
    except requests.Timeout:
        raised = True
    assert raised and time.monotonic() - started >= 0.2  # the client gave up: no answer came within 0.2 s
    started = time.monotonic()
    delayed = api.get("/rest/v1.0/me")
    assert delayed.status_code == 200 and time.monotonic() - started >= 0.6  # delayed, then answered normally
    sandbox.clear_faults()
    assert api.get("/rest/v1.0/me").status_code == 200


def test_oauth_faults_and_bad_fault_bodies(sandbox):
    sandbox.inject(path="/oauth/token", status=500, times=1)
    first = requests.post(f"{sandbox.url}/oauth/token", timeout=10, data={
        "grant_type": "client_credentials", "client_id": sandbox.client_id, "client_secret": sandbox.client_secret})
    assert first.status_code == 500
    bad = requests.post(f"{sandbox.url}/_sandbox/faults", json={"faults": [{"status": 503}]}, timeout=10)
    assert bad.status_code == 400 and "path" in bad.json()["error"]


def test_error_rate_answers_5xx_and_503_carries_retry_after(api, sandbox):
    sandbox.configure(error_rate=1.0)
    answers = [api.get("/rest/v1.0/me") for _ in range(12)]
    assert {a.status_code for a in answers} <= {500, 502, 503}
    assert all(a.headers.get("Retry-After") == "1" for a in answers if a.status_code == 503)
    assert all("error" in a.json() for a in answers)
    sandbox.reset()
    assert api.get("/rest/v1.0/me").status_code == 200


def test_bad_runtime_config_is_refused(sandbox):
    bad = requests.post(f"{sandbox.url}/_sandbox/config", json={"error_rate": 3, "colour": "red"}, timeout=10)
    assert bad.status_code == 400 and "error_rate" in bad.text and "colour" in bad.text
    assert sandbox.configure()["error_rate"] == 0
