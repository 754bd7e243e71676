"""`ProcoreClient.send_json`: writes through the same transport as reads, never retried blind."""

from __future__ import annotations

import pytest

from procore_source.errors import ServerError

HOOKS = "/rest/v1.0/webhooks/hooks"


def _hook(company_id: int) -> dict:
    return {"company_id": company_id,
            "hook": {"api_version": "v2", "namespace": "send-json-test",
                     "destination_url": "http://127.0.0.1:9/webhooks/procore"}}


def test_post_creates_and_delete_removes_with_the_company_header(sandbox, make_client):
    client = make_client(sandbox)
    company = sandbox.company_ids[0]
    created = client.send_json("POST", HOOKS, company_id=company, json=_hook(company))
    assert created["id"] and created["namespace"] == "send-json-test"
    listed = client.get_json(HOOKS, company_id=company, params={"company_id": company, "namespace": "send-json-test"})
    assert [h["id"] for h in listed] == [created["id"]]
    client.send_json("DELETE", f"{HOOKS}/{created['id']}", company_id=company, params={"company_id": company})
    listed = client.get_json(HOOKS, company_id=company, params={"company_id": company, "namespace": "send-json-test"})
    assert listed == []


def test_a_failed_write_is_not_retried(sandbox, make_client):
    client = make_client(sandbox)
    company = sandbox.company_ids[0]
    sandbox.inject(path=HOOKS, method="POST", status=502, times=1)
    with pytest.raises(ServerError) as failure:
        client.send_json("POST", HOOKS, company_id=company, json=_hook(company))
    assert failure.value.status == 502
    posts = sandbox.stats()["by_path"].get(HOOKS, 0)
    assert posts == 1, "a write that may have reached Procore must not be sent twice"
    listed = client.get_json(HOOKS, company_id=company, params={"company_id": company, "namespace": "send-json-test"})
    assert listed == []


def test_a_write_refreshes_once_on_401(sandbox, make_client):
    client = make_client(sandbox)
    company = sandbox.company_ids[0]
    client.get_json("/rest/v1.0/me", company_id=company)  # holds a token now
    sandbox.expire_tokens()
    created = client.send_json("POST", HOOKS, company_id=company, json=_hook(company))
    assert created["id"]
    assert client.counters.snapshot()["retries"] == 1
