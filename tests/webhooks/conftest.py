"""Shared helpers of the webhook tests (the `wh` fixture): event bodies in each payload format, inbox URLs."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

SECRET = "test-webhook-secret-0123456789"
PG_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
_ids = itertools.count(5982324300946918154)


def v2_event(*, resource: str = "RFIs", event_type: str = "update", company_id: int = 6452,
             project_id: int | None = 219542, resource_id: int = 245510722, ulid: str | None = None,
             version: str = "v2.0") -> dict:
    """A legacy (v2) delivery body as Procore sends it."""
    body = {
        "id": next(_ids), "ulid": ulid or uuid.uuid4().hex[:26].upper(), "timestamp": "2026-11-22T08:00:00.123456Z",
        "metadata": {"source_user_id": 1, "source_project_id": project_id, "source_operation_id": None,
                     "source_company_id": company_id, "source_application_id": None},
        "user_id": 987654321, "company_id": company_id, "project_id": project_id, "api_version": version,
        "event_type": event_type, "resource_name": resource, "resource_id": resource_id,
    }
    if version.startswith("v3"):
        body["related_resources"] = []
    return body


def v4_event(*, resource: str = "Submittals", reason: str = "update", company_id: int = 8,
             project_id: int | None = 6778, resource_id: int = 379913) -> dict:
    """A v4 delivery body: string ids, `reason`, `resource_type`, the ULID as `id`."""
    return {"id": uuid.uuid4().hex[:26].upper(), "timestamp": "2025-02-25T16:04:43.619085Z", "reason": reason,
            "company_id": str(company_id), "project_id": None if project_id is None else str(project_id),
            "user_id": "5447", "resource_type": resource, "resource_id": str(resource_id)}


@contextmanager
def postgres_inbox_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    schema = f"wh_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture
def wh() -> SimpleNamespace:
    """The helpers above, as a fixture (test modules here cannot import each other)."""
    return SimpleNamespace(SECRET=SECRET, PG_URL=PG_URL, v2_event=v2_event, v4_event=v4_event,
                           postgres_inbox_url=postgres_inbox_url)


@pytest.fixture
def hooked_sandbox(start_sandbox_server):
    """A fresh small sandbox of its own (hooks, triggers and deliveries are per sandbox), stopped at teardown."""
    return start_sandbox_server()
