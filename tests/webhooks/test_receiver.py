"""The receiver over real HTTP: authentication, validation, and storing each event once."""

from __future__ import annotations

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
             ("ulid", "has spaces in it"), ("metadata", "x"), ("id", None), ("company_id", 2**64)]
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


def test_health_reports_inbox_counts(receiver, wh):
    post(receiver, wh.v4_event())
    health = requests.get(f"{receiver.url}/webhooks/health", timeout=5)
    assert health.status_code == 200 and health.json()["inbox"]["pending"] == 1


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
