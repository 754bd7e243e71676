"""Failure paths against the sandbox: 429/503 waits, 5xx retries, typed 4xx, timeouts, malformed bodies."""

from __future__ import annotations

import time

import pytest

from procore_source.errors import (
    ForbiddenError,
    InvalidRequestError,
    MalformedResponseError,
    NotFoundError,
    ProcoreConnectionError,
    RateLimitedError,
    ServerError,
)

pytestmark = pytest.mark.timeout(60)
ME = "/rest/v1.0/me"


def test_429_then_success_honours_the_reset(sandbox, make_client):
    reset = int(time.time()) + 2
    sandbox.inject(path=ME, status=429, times=1, body="You have surpassed the max number of requests for an hour.",
                   headers={"X-Rate-Limit-Limit": "100", "X-Rate-Limit-Remaining": "0",
                            "X-Rate-Limit-Reset": str(reset)})
    client = make_client(sandbox)
    assert client.get_json(ME, company_id=sandbox.company_ids[0])
    assert time.time() >= reset  # it waited for the reset before trying again
    counts = client.counters.snapshot()
    assert (counts["rate_limited"], counts["retries"], counts["requests"]) == (1, 1, 2)
    assert counts["pacing_waits"] == 1 and counts["pacing_wait_seconds"] > 0


def test_503_with_retry_after(sandbox, make_client):
    sandbox.inject(path=ME, status=503, times=1, headers={"Retry-After": "1"})
    client = make_client(sandbox)
    started = time.monotonic()
    assert client.get_json(ME, company_id=sandbox.company_ids[0])
    assert time.monotonic() - started >= 0.9  # Retry-After honoured, not the millisecond backoff
    counts = client.counters.snapshot()
    assert (counts["server_errors"], counts["retries"]) == (1, 1)


def test_429_beyond_the_longest_wait_raises(sandbox, make_client):
    sandbox.inject(path=ME, status=429, times=1, headers={"Retry-After": "120"})
    client = make_client(sandbox, max_rate_limit_wait=5)
    with pytest.raises(RateLimitedError, match="PROCORE_MAX_RATE_LIMIT_WAIT") as failure:
        client.get_json(ME, company_id=sandbox.company_ids[0])
    assert failure.value.status == 429


def test_5xx_retried_then_success(sandbox, make_client):
    sandbox.inject(path=ME, status=502, times=2)
    client = make_client(sandbox)
    assert client.get_json(ME, company_id=sandbox.company_ids[0])
    assert client.counters.snapshot()["retries"] == 2


def test_5xx_retried_then_server_error(sandbox, make_client):
    sandbox.inject(path=ME, status=500, times=10, body='{"error": "Internal Server Error"}')
    client = make_client(sandbox, max_retries=2)
    with pytest.raises(ServerError, match="after 3 attempts") as failure:
        client.get_json(ME, company_id=sandbox.company_ids[0])
    assert failure.value.status == 500 and "Internal Server Error" in failure.value.body_excerpt
    assert failure.value.url.endswith(ME)
    assert sandbox.stats()["by_path"][ME] == 3


def test_403_and_404_are_typed_and_not_retried(sandbox, make_client):
    info = sandbox.info()
    forbidden, hidden = info["forbidden_project_ids"][0], info["hidden_project_ids"][0]
    owner = {r["record"]["id"]: r["company_id"] for r in sandbox.records("projects")}
    client = make_client(sandbox)
    with pytest.raises(ForbiddenError) as denied:
        list(client.iter_records(f"/rest/v1.0/projects/{forbidden}/rfis", company_id=owner[forbidden]))
    assert denied.value.status == 403 and f"/projects/{forbidden}/rfis" in denied.value.url
    with pytest.raises(NotFoundError) as missing:
        list(client.iter_records(f"/rest/v1.0/projects/{hidden}/rfis", company_id=owner[hidden]))
    assert missing.value.status == 404
    assert client.counters.snapshot()["retries"] == 0


def test_400_is_an_invalid_request_and_not_retried(sandbox, make_client):
    client = make_client(sandbox)
    with pytest.raises(InvalidRequestError) as failure:  # company_id is required on projects
        client.get_json("/rest/v1.0/projects", company_id=sandbox.company_ids[0])
    assert failure.value.status == 400 and "company_id" in failure.value.body_excerpt
    assert sandbox.stats()["by_path"]["/rest/v1.0/projects"] == 1


def test_timeout_retried_then_success(sandbox, make_client):
    sandbox.inject(path=ME, delay_ms=800, times=1)
    client = make_client(sandbox, read_timeout=0.3)
    assert client.get_json(ME, company_id=sandbox.company_ids[0])
    assert client.counters.snapshot()["retries"] == 1


def test_timeouts_exhaust_retries_then_connection_error(sandbox, make_client):
    sandbox.inject(path=ME, delay_ms=800, times=5)
    client = make_client(sandbox, read_timeout=0.3, max_retries=1)
    with pytest.raises(ProcoreConnectionError, match="read timed out") as failure:
        client.get_json(ME, company_id=sandbox.company_ids[0])
    assert failure.value.url.endswith(ME)


def test_unreachable_api_host(sandbox, make_client):
    client = make_client(sandbox, api_base_url="http://127.0.0.1:9", max_retries=1)
    with pytest.raises(ProcoreConnectionError, match="connection failed.*PROCORE_API_BASE_URL"):
        client.get_json(ME, company_id=sandbox.company_ids[0])


@pytest.mark.parametrize(("body", "message"), [
    ("<html>Bad gateway page</html>", "not valid JSON"),
    ('{"errors": "nope"}', r"is a JSON dict with keys \['errors'\]"),
    ('{"data": {"id": 1}}', 'its "data" is a JSON dict'),
    ("[1, 2]", "item 0 is a JSON int"),
    ("null", "JSON null"),
])
def test_malformed_pages_are_clear_errors(sandbox, make_client, helpers, body, message):
    cid = sandbox.company_ids[0]
    pid = helpers.project_ids(sandbox, cid)[0]
    path = f"/rest/v1.0/projects/{pid}/rfis"
    sandbox.inject(path=path, status=200, body=body, times=1)
    client = make_client(sandbox)
    with pytest.raises(MalformedResponseError, match=message) as failure:
        list(client.iter_records(path, company_id=cid))
    assert path in str(failure.value)


def test_malformed_second_page_is_not_an_early_end(sandbox, make_client, helpers):
    cid = sandbox.company_ids[0]
    pid = helpers.project_ids(sandbox, cid)[0]
    path = f"/rest/v1.0/projects/{pid}/rfis"
    sandbox.inject(path=path, status=200, body='{"unexpected": true}', times=1, skip=1)
    client = make_client(sandbox)
    with pytest.raises(MalformedResponseError, match="page=2"):
        list(client.iter_records(path, company_id=cid, per_page=3))


def test_random_server_errors_do_not_lose_or_duplicate_records(sandbox, make_client, helpers):
    sandbox.configure(error_rate=0.3)
    cid = sandbox.company_ids[0]
    pid = helpers.project_ids(sandbox, cid)[0]
    client = make_client(sandbox, max_retries=6)
    ids = [r["id"] for r in client.iter_records(f"/rest/v1.0/projects/{pid}/rfis", company_id=cid, per_page=2)]
    sandbox.configure(error_rate=0)
    assert sorted(ids) == helpers.live_ids(sandbox, "rfis", pid) and len(ids) == len(set(ids))
    counts = client.counters.snapshot()
    assert counts["server_errors"] == counts["retries"] > 0
