"""The receiver over real HTTP: authentication, validation, and storing each event once."""

from __future__ import annotations

import http.client
import json

import pytest
import requests

from webhooks.inbox import Inbox
from webhooks.receiver import create_app
from webhooks.server import RunningReceiver
from webhooks.settings import WebhookSettings, WebhookSettingsError

SECRET = "test-webhook-secret-0123456789"


@pytest.fixture(scope="module")
def running_receiver(tmp_path_factory):
    path = tmp_path_factory.mktemp("receiver") / "webhooks.db"
    with RunningReceiver(WebhookSettings(secret=SECRET, inbox_url=f"sqlite:///{path}")) as running:
        yield running
    running.inbox.close()


@pytest.fixture
def receiver(running_receiver):
    running_receiver.inbox.clear()
    return running_receiver


def post(receiver, body, *, auth: str | None = f"Bearer {SECRET}", raw: bytes | None = None):
    headers = {"Content-Type": "application/json"}
    if auth is not None:
        headers["Authorization"] = auth
    data = raw if raw is not None else json.dumps(body).encode()
    return requests.post(receiver.delivery_url, data=data, headers=headers, timeout=5)


@pytest.mark.parametrize("auth", [None, "", "Bearer wrong-secret-0123456789", SECRET, f"Bearer {SECRET}x",
                                  f"bearer {SECRET}", f"Basic {SECRET}", f"Bearer  {SECRET}"])
def test_wrong_or_missing_secret_is_refused_and_stores_nothing(receiver, wh, auth):
    response = post(receiver, wh.v2_event(), auth=auth)
    assert response.status_code == 401
    assert receiver.inbox.counts()["total"] == 0


RAW_BODIES = [b"not json", b"[]", b"{}", b"\xff\xfe", b'{"id": 1, "padding": "' + b"x" * 70000 + b'"}']
V2_BREAKS = [("company_id", None), ("company_id", "12a"), ("resource_id", 1.5), ("resource_id", True),
             ("project_id", None), ("event_type", "explode"), ("resource_name", ""), ("timestamp", "yesterday"),
             ("ulid", "has spaces in it"), ("metadata", "x"), ("id", None), ("company_id", 2**64),
             ("timestamp", "0001-01-01T00:00:00+14:00"), ("timestamp", "9999-12-31T23:59:59-14:00"),
             ("resource_name", "Punch\u0000Items"), ("event_type", "update\u0000")]
V4_BREAKS = [("resource_id", None), ("company_id", "-3"), ("reason", 7), ("resource_type", None)]


@pytest.mark.parametrize("raw", RAW_BODIES, ids=range(len(RAW_BODIES)))
def test_bodies_that_are_not_events_get_400(receiver, raw):
    response = post(receiver, None, raw=raw)
    assert response.status_code == 400, response.text
    assert "malformed" in response.json()["error"]
    assert receiver.inbox.counts()["total"] == 0


@pytest.mark.parametrize(("version", "field", "value"),
                         [("v2", f, v) for f, v in V2_BREAKS] + [("v4", f, v) for f, v in V4_BREAKS])
def test_missing_ids_and_wrong_types_get_400_and_store_nothing(receiver, wh, version, field, value):
    body = wh.v2_event() if version == "v2" else wh.v4_event()
    body[field] = value
    response = post(receiver, body)
    assert response.status_code == 400, response.text
    assert field in response.json()["detail"] or field == "resource_type"
    assert receiver.inbox.counts()["total"] == 0


@pytest.mark.parametrize("kind", ["v2", "v3", "v4", "company-level"])
def test_each_payload_format_is_stored_once(receiver, wh, kind):
    body = {"v2": lambda: wh.v2_event(), "v3": lambda: wh.v2_event(version="v3.0"), "v4": lambda: wh.v4_event(),
            "company-level": lambda: wh.v2_event(resource="Projects", project_id=None, event_type="create")}[kind]()
    first = post(receiver, body)
    assert first.status_code == 200 and first.json()["stored"] is True
    again = post(receiver, body)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    counts = receiver.inbox.counts()
    assert counts["total"] == 1 and counts["deliveries"] == 2 and counts["pending"] == 1
    [row] = receiver.inbox.recent()
    assert row["company_id"] == int(body["company_id"])
    assert row["resource_id"] == int(body["resource_id"])
    assert row["stream"] == {"v4": "submittals", "company-level": "projects"}.get(kind, "rfis")


def test_dedupe_prefers_ulid_over_id(receiver, wh):
    body = wh.v2_event()
    assert post(receiver, body).json()["stored"] is True
    assert post(receiver, {**body, "id": body["id"] + 1}).json()["duplicate"] is True
    assert post(receiver, {**body, "ulid": "01EDPD2J6SBY1163N77H95GW99"}).json()["stored"] is True
    assert receiver.inbox.counts()["total"] == 2


def test_ids_beyond_2_to_the_53_are_kept_exactly(receiver, wh):
    body = {**wh.v2_event(company_id=562949953442334), "id": 2**62 + 1}
    del body["ulid"]
    assert post(receiver, body).json()["event"] == str(2**62 + 1)
    [row] = receiver.inbox.recent()
    assert row["company_id"] == 562949953442334 and row["event_id"] == str(2**62 + 1)


def test_resources_we_do_not_sync_are_acknowledged_but_never_pending(receiver, wh):
    assert post(receiver, wh.v2_event(resource="Punch Items")).status_code == 200
    counts = receiver.inbox.counts()
    assert counts["ignored"] == 1 and counts["pending"] == 0
    assert receiver.inbox.pending_groups() == []


def test_health_shows_inbox_counts_only_with_the_secret(receiver, wh):
    post(receiver, wh.v4_event())
    health = requests.get(f"{receiver.url}/webhooks/health", headers={"Authorization": f"Bearer {SECRET}"}, timeout=5)
    assert health.status_code == 200 and health.json()["inbox"]["pending"] == 1
    for headers in ({}, {"Authorization": "Bearer wrong-secret-0123456789"}, {"Authorization": SECRET}):
        anonymous = requests.get(f"{receiver.url}/webhooks/health", headers=headers, timeout=5)
        assert anonymous.status_code == 200 and anonymous.json() == {"status": "ok"}, headers


NESTED_EVENT = b'{"id": 1, "ulid": "01EDPD2J6SBY1163N77H95GW09", "metadata": ' + b'{"a": ' * 20000 + b'1' + \
    b'}' * 20000 + b'}'
HOSTILE_BODIES = {
    "nested arrays": b"[" * 30000 + b"]" * 30000,
    "nested objects in metadata": NESTED_EVENT,
    "a 5,000-digit integer": b'{"id": 1, "company_id": ' + b"9" * 5000 + b"}",
    "a 5,000-digit integer in metadata": b'{"id": 1, "metadata": {"n": -' + b"7" * 5000 + b"}}",
    "a huge exponent": b'{"id": 1e999999, "company_id": 1}',
    "NaN": b'{"id": NaN}',
}


@pytest.mark.parametrize("name", HOSTILE_BODIES)
def test_hostile_json_under_a_valid_secret_gets_400_never_500(receiver, name):
    response = post(receiver, None, raw=HOSTILE_BODIES[name])
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "malformed event"
    assert receiver.inbox.counts()["total"] == 0


def test_a_declared_body_over_the_limit_is_refused_before_it_is_read(receiver):
    connection = http.client.HTTPConnection("127.0.0.1", receiver.port, timeout=5)
    try:  # announces a gigabyte, sends two bytes: the answer comes at once, nothing is buffered
        connection.request("POST", "/webhooks/procore", body=b"{}", headers={
            "Authorization": f"Bearer {SECRET}", "Content-Type": "application/json", "Content-Length": str(10**9)})
        response = connection.getresponse()
        assert response.status == 400 and "too large" in json.loads(response.read())["detail"]
    finally:
        connection.close()


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/jsonp"])
def test_bodies_that_are_not_declared_json_get_415_and_store_nothing(receiver, wh, content_type):
    headers = {"Authorization": f"Bearer {SECRET}"} | ({"Content-Type": content_type} if content_type else {})
    response = requests.post(receiver.delivery_url, data=json.dumps(wh.v2_event()).encode(), headers=headers, timeout=5)
    assert response.status_code == 415, response.text
    assert receiver.inbox.counts()["total"] == 0


def test_json_with_a_charset_is_accepted(receiver, wh):
    response = requests.post(receiver.delivery_url, data=json.dumps(wh.v2_event()).encode(), timeout=5,
                             headers={"Authorization": f"Bearer {SECRET}",
                                      "Content-Type": "Application/JSON; charset=utf-8"})
    assert response.status_code == 200 and response.json()["stored"] is True


def test_unauthenticated_requests_get_401_before_the_content_type_is_looked_at(receiver, wh):
    response = requests.post(receiver.delivery_url, data=b"x", headers={"Content-Type": "text/plain"}, timeout=5)
    assert response.status_code == 401


def test_serving_without_a_secret_is_refused(tmp_path):
    with pytest.raises(WebhookSettingsError, match="PROCORE_WEBHOOK_SECRET"):
        create_app(WebhookSettings(secret=None, inbox_url=f"sqlite:///{tmp_path / 'x.db'}"))


def test_settings_default_inbox_and_reject_weak_secrets(tmp_path):
    settings = WebhookSettings.from_env({"PIPELINES_DATA_DIR": str(tmp_path), "PROCORE_WEBHOOK_SECRET": SECRET})
    assert settings.inbox_url == f"sqlite:///{tmp_path / 'webhooks.db'}"
    Inbox(settings.inbox_url).close()
    assert (tmp_path / "webhooks.db").exists()
    with pytest.raises(WebhookSettingsError):
        WebhookSettings.from_env({"PROCORE_WEBHOOK_SECRET": "short"})
    with pytest.raises(WebhookSettingsError):
        WebhookSettings.from_env({"PROCORE_WEBHOOK_NAMESPACE": "Bad_Name1"})
    assert WebhookSettings.from_env({"PROCORE_WEBHOOK_NAMESPACE": "acme-sync-2"}).namespace == "acme-sync-2"


def test_settings_repr_hides_the_secret_and_the_inbox_password():
    settings = WebhookSettings.from_env({"PROCORE_WEBHOOK_SECRET": SECRET,
                                         "WEBHOOK_INBOX_URL": "postgresql+psycopg2://hooks:pg-pass-w0rd@db:5432/inbox"})
    for text in (repr(settings), str(settings), f"{settings}", f"{[settings]}"):
        assert SECRET not in text and "pg-pass-w0rd" not in text
        assert "<hidden>" in text and "hooks:***@db:5432/inbox" in text
    assert "secret=None" in repr(WebhookSettings(secret=None, inbox_url="sqlite://"))


def test_budget_trigger_resources_are_a_setting():
    assert WebhookSettings.from_env({}).budget_resources == ("Budget Line Items", "Budget Modifications")
    custom = WebhookSettings.from_env({"PROCORE_WEBHOOK_BUDGET_RESOURCES": " Budget Line Items , Budget  Changes,"})
    assert custom.budget_resources == ("Budget Line Items", "Budget Changes")
    with pytest.raises(WebhookSettingsError, match="Budget "):
        WebhookSettings.from_env({"PROCORE_WEBHOOK_BUDGET_RESOURCES": "RFIs"})


@pytest.mark.parametrize("resource", ["Budget Changes", "Budget Line Items", "budget modifications"])
def test_any_budget_resource_event_dirties_the_budget_streams(receiver, wh, resource):
    assert post(receiver, wh.v2_event(resource=resource)).status_code == 200
    assert {g.stream for g in receiver.inbox.pending_groups()} == {"budget_views", "budget_rows"}
