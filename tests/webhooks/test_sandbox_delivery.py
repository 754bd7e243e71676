"""The sandbox's Webhooks API and delivery worker against the real receiver, over real HTTP."""

from __future__ import annotations

import re
import time

import pytest
import requests

from procore_source.client import ProcoreClient
from procore_source.settings import ProcoreSettings
from webhooks.procore_api import HooksApi
from webhooks.register import register
from webhooks.resource_streams import wanted_triggers
from webhooks.server import RunningReceiver
from webhooks.settings import WebhookSettings

SECRET = "sandbox-webhook-secret-0123456789"
FAST_RETRIES = {"retry_initial": 0.1, "retry_max": 0.4, "give_up_after": 60}


@pytest.fixture
def receiver(tmp_path):
    with RunningReceiver(WebhookSettings(secret=SECRET, inbox_url=f"sqlite:///{tmp_path / 'wh.db'}")) as running:
        yield running
    running.inbox.close()


@pytest.fixture
def client(hooked_sandbox):
    with ProcoreClient(ProcoreSettings.from_env(hooked_sandbox.env())) as procore:
        yield procore


def admin(sandbox, path: str, body: dict | None = None) -> dict:
    method = "GET" if body is None else "POST"
    response = requests.request(method, f"{sandbox.url}/_sandbox/webhooks{path}", json=body, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def hook_up(sandbox, client, receiver, **config) -> int:
    company_id = sandbox.company_ids[0]
    register(HooksApi(client), company_id=company_id, url=receiver.delivery_url, secret=SECRET,
             namespace="procore-pipelines")
    admin(sandbox, "/config", {**FAST_RETRIES, **config})
    return company_id


def rfis_of(sandbox, company_id: int, count: int) -> list[dict]:
    rows = [r for r in sandbox.records("rfis") if r["company_id"] == company_id and not r["deleted_at"]]
    return rows[:count]


def update_rfis(sandbox, rows: list[dict]) -> None:
    sandbox.mutate({"mutations": [{"resource": "rfis", "action": "update", "id": r["record"]["id"],
                                   "changes": {"subject": f"changed {n}"}} for n, r in enumerate(rows)]})


def test_register_is_idempotent(hooked_sandbox, client, receiver):
    api, company_id = HooksApi(client), hooked_sandbox.company_ids[0]
    first = register(api, company_id=company_id, url=receiver.delivery_url, secret=SECRET,
                     namespace="procore-pipelines")
    assert first.created and len(first.triggers_added) == len(wanted_triggers())
    hooked_sandbox.clear_stats()
    again = register(api, company_id=company_id, url=receiver.delivery_url, secret=SECRET,
                     namespace="procore-pipelines")
    assert not again.changed and again.hook_id == first.hook_id
    paths = {re.sub(r":\w+}", "}", path) for path in hooked_sandbox.stats()["by_path"]}
    assert paths == {"/rest/v1.0/webhooks/hooks", "/rest/v1.0/webhooks/hooks/{hook_id}/triggers"}  # reads only
    moved = register(api, company_id=company_id, url=receiver.url + "/elsewhere", secret=SECRET,
                     namespace="procore-pipelines")
    assert moved.updated and not moved.created and not moved.triggers_added
    [hook] = api.list_hooks(company_id, "procore-pipelines")
    assert hook["destination_url"].endswith("/elsewhere")
    assert hook["destination_headers"] == {"Authorization": f"Bearer {SECRET}"}
    assert len(api.list_triggers(company_id, hook["id"])) == len(wanted_triggers())
    assert api.list_hooks(hooked_sandbox.company_ids[1], "procore-pipelines") == []


class MaskingHooksApi(HooksApi):
    """The sandbox's Webhooks API, but listing hooks the way Procore documents v1.0 does: the Authorization
    header "masked to only show the last 5 characters" (`*****xMiJ9`, see docs/procore-facts.md)."""

    def list_hooks(self, company_id: int, namespace: str) -> list[dict]:
        hooks = super().list_hooks(company_id, namespace)
        for hook in hooks:
            hook["destination_headers"] = {k: "*****" + v[-5:] for k, v in hook["destination_headers"].items()}
        return hooks


def test_register_stays_idempotent_when_procore_masks_the_secret_and_updates_a_rotated_one(
        hooked_sandbox, client, receiver):
    api, company_id = MaskingHooksApi(client), hooked_sandbox.company_ids[0]
    first = register(api, company_id=company_id, url=receiver.delivery_url, secret=SECRET,
                     namespace="procore-pipelines")
    assert first.created
    again = register(api, company_id=company_id, url=receiver.delivery_url, secret=SECRET,
                     namespace="procore-pipelines")
    assert not again.changed
    rotated = "rotated-webhook-secret-9876543210"
    after_rotation = register(api, company_id=company_id, url=receiver.delivery_url, secret=rotated,
                              namespace="procore-pipelines")
    assert after_rotation.updated and not after_rotation.triggers_added
    [hook] = HooksApi(client).list_hooks(company_id, "procore-pipelines")  # unmasked, straight from the sandbox
    assert hook["destination_headers"] == {"Authorization": f"Bearer {rotated}"}


def test_budget_triggers_follow_the_setting(hooked_sandbox, client, receiver):
    api, company_id = HooksApi(client), hooked_sandbox.company_ids[0]
    register(api, company_id=company_id, url=receiver.delivery_url, secret=SECRET, namespace="procore-pipelines")
    changed = register(api, company_id=company_id, url=receiver.delivery_url, secret=SECRET,
                       namespace="procore-pipelines", budget_resources=("Budget Line Items", "Budget Changes"))
    assert sorted(changed.triggers_added) == [("Budget Changes", e) for e in ("create", "delete", "update")]
    assert sorted(changed.triggers_removed) == [("Budget Modifications", e) for e in ("create", "delete", "update")]
    [hook] = api.list_hooks(company_id, "procore-pipelines")
    names = {t["resource_name"] for t in api.list_triggers(company_id, hook["id"])}
    assert names == {"Projects", "RFIs", "Submittals", "Budget Line Items", "Budget Changes"}


def test_a_change_is_delivered_once_with_its_ids(hooked_sandbox, client, receiver):
    company_id = hook_up(hooked_sandbox, client, receiver)
    [row] = rfis_of(hooked_sandbox, company_id, 1)
    update_rfis(hooked_sandbox, [row])
    assert admin(hooked_sandbox, "/drain", {"timeout": 10})["idle"]
    [event] = receiver.inbox.recent()
    assert (event["company_id"], event["project_id"], event["stream"]) == (company_id, row["project_id"], "rfis")
    assert (event["resource_id"], event["event_type"], event["deliveries"]) == (row["record"]["id"], "update", 1)


def test_duplicates_and_reordering_store_each_event_once(hooked_sandbox, client, receiver):
    company_id = hook_up(hooked_sandbox, client, receiver, duplicate_rate=1.0, reorder_rate=0.5, reorder_delay=0.3)
    rows = rfis_of(hooked_sandbox, company_id, 8)
    update_rfis(hooked_sandbox, rows)
    assert admin(hooked_sandbox, "/drain", {"timeout": 20})["idle"]
    counts = receiver.inbox.counts()
    assert counts["total"] == 8 and counts["deliveries"] == 16
    groups = receiver.inbox.pending_groups()
    assert sum(g.events for g in groups) == 8
    assert {(g.project_id, g.stream) for g in groups} == {(r["project_id"], "rfis") for r in rows}


def test_retries_while_the_receiver_is_down_deliver_everything_after_restart(hooked_sandbox, client, receiver,
                                                                             tmp_path):
    company_id = hook_up(hooked_sandbox, client, receiver)
    receiver.stop()
    rows = rfis_of(hooked_sandbox, company_id, 3)
    update_rfis(hooked_sandbox, rows)
    deadline = time.monotonic() + 10
    while admin(hooked_sandbox, "")["attempts"] < 6 and time.monotonic() < deadline:
        time.sleep(0.1)
    overview = admin(hooked_sandbox, "")
    assert overview["outcomes"].get("retried") == 3 and overview["attempts"] >= 6
    assert receiver.inbox.counts()["total"] == 0
    settings = WebhookSettings(secret=SECRET, inbox_url=receiver.inbox.url)
    with RunningReceiver(settings, port=receiver.port, inbox=receiver.inbox):
        assert admin(hooked_sandbox, "/drain", {"timeout": 20})["idle"]
        assert receiver.inbox.counts()["total"] == 3
        assert admin(hooked_sandbox, "")["outcomes"] == {"ok": 3}


def test_wrong_secret_deliveries_are_refused_then_discarded(hooked_sandbox, client, receiver):
    company_id = hooked_sandbox.company_ids[0]
    register(HooksApi(client), company_id=company_id, url=receiver.delivery_url, secret="not-the-right-secret-xx",
             namespace="procore-pipelines")
    admin(hooked_sandbox, "/config", {"retry_initial": 0.05, "retry_max": 0.1, "give_up_after": 0.5})
    update_rfis(hooked_sandbox, rfis_of(hooked_sandbox, company_id, 1))
    assert admin(hooked_sandbox, "/drain", {"timeout": 10})["idle"]
    [delivery] = admin(hooked_sandbox, "")["deliveries"]
    assert delivery["outcome"] == "discarded" and delivery["response_status"] == 401
    assert receiver.inbox.counts()["total"] == 0


def test_a_dropped_delivery_never_arrives(hooked_sandbox, client, receiver):
    company_id = hook_up(hooked_sandbox, client, receiver, drop_next=1)
    update_rfis(hooked_sandbox, rfis_of(hooked_sandbox, company_id, 2))
    assert admin(hooked_sandbox, "/drain", {"timeout": 10})["idle"]
    assert admin(hooked_sandbox, "")["outcomes"] == {"dropped": 1, "ok": 1}
    assert receiver.inbox.counts()["total"] == 1


@pytest.mark.parametrize("version", ["v3", "v4"])
def test_payload_formats_v3_and_v4_reach_the_inbox(hooked_sandbox, client, receiver, version):
    company_id = hook_up(hooked_sandbox, client, receiver)
    api = HooksApi(client)
    [hook] = api.list_hooks(company_id, "procore-pipelines")
    api.update_hook(company_id, hook["id"], {"api_version": version})
    sub = [r for r in hooked_sandbox.records("submittals") if r["company_id"] == company_id][0]
    hooked_sandbox.mutate({"resource": "submittals", "action": "delete", "id": sub["record"]["id"]})
    assert admin(hooked_sandbox, "/drain", {"timeout": 10})["idle"]
    [event] = receiver.inbox.recent()
    assert (event["payload_version"][:2], event["stream"], event["event_type"]) == (version, "submittals", "delete")
    assert event["resource_id"] == sub["record"]["id"]


def test_hooks_api_checks_its_input(hooked_sandbox, client):
    company_id = hooked_sandbox.company_ids[0]
    token = client.tokens.access_token()
    headers = {"Authorization": f"Bearer {token}", "Procore-Company-Id": str(company_id)}
    url = f"{hooked_sandbox.url}/rest/v1.0/webhooks/hooks"
    assert requests.get(url, params={"company_id": company_id}, timeout=10).status_code == 401
    bad = requests.post(url, json={"company_id": company_id, "hook": {"namespace": "Bad1",
                                                                      "destination_url": "http://x"}},
                        headers=headers, timeout=10)
    assert bad.status_code == 422 and "namespace" in bad.text
    no_owner = requests.post(url, json={"hook": {"destination_url": "http://x"}}, headers=headers, timeout=10)
    assert no_owner.status_code == 400
    made = requests.post(f"{hooked_sandbox.url}/rest/v2.0/companies/{company_id}/webhooks/hooks",
                         json={"namespace": "acme", "destination_url": "https://example.test/h",
                               "payload_version": "v4.0"}, headers=headers, timeout=10)
    assert made.status_code == 201
    data = made.json()["data"]
    assert isinstance(data["id"], str) and data["api_version"] == "v4"
    other = hooked_sandbox.company_ids[1]
    foreign = requests.get(f"{url}/{data['id']}", params={"company_id": other},
                           headers={**headers, "Procore-Company-Id": str(other)}, timeout=10)
    assert foreign.status_code == 404
    dup = {"company_id": company_id, "trigger": {"resource_name": "RFIs", "event_type": "create"}}
    assert requests.post(f"{url}/{data['id']}/triggers", json=dup, headers=headers, timeout=10).status_code == 201
    assert requests.post(f"{url}/{data['id']}/triggers", json=dup, headers=headers, timeout=10).status_code == 422
