"""The inbox on real SQLite and PostgreSQL: idempotent storage, grouping, claim/consume/release."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from webhooks.events import parse_event
from webhooks.inbox import Inbox


@pytest.fixture(params=["sqlite", "postgresql"])
def inbox(request, tmp_path, wh):
    if request.param == "sqlite":
        box = Inbox(f"sqlite:///{tmp_path / 'inbox.db'}")
        yield box
        box.close()
    else:
        with wh.postgres_inbox_url() as url:
            box = Inbox(url)
            yield box
            box.close()


def store(inbox, body) -> bool:
    return inbox.store(parse_event(json.dumps(body).encode()))


def test_bursts_group_by_company_project_and_stream(inbox, wh):
    for rid in range(1, 51):
        store(inbox, wh.v2_event(project_id=1, resource_id=rid))
    store(inbox, wh.v2_event(project_id=1, resource="Submittals"))
    store(inbox, wh.v2_event(project_id=2, event_type="delete"))
    store(inbox, wh.v2_event(company_id=7, project_id=None, resource="Projects", event_type="create"))
    groups = {(g.company_id, g.project_id, g.stream): g.events for g in inbox.pending_groups()}
    assert groups == {(6452, 1, "rfis"): 50, (6452, 1, "submittals"): 1, (6452, 2, "rfis"): 1,
                      (7, None, "projects"): 1}


def test_budget_events_dirty_views_and_rows_and_dedupe_as_one(inbox, wh):
    body = wh.v2_event(resource="Budget Line Items", project_id=3)
    assert store(inbox, body) is True
    assert store(inbox, body) is False
    assert {g.stream for g in inbox.pending_groups()} == {"budget_views", "budget_rows"}


def test_concurrent_duplicate_deliveries_store_once(inbox, wh):
    body = wh.v4_event()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: store(inbox, body), range(16)))
    assert results.count(True) == 1
    counts = inbox.counts()
    assert counts["total"] == 1 and counts["deliveries"] == 16


def test_claimed_events_are_consumed_only_by_their_batch(inbox, wh):
    store(inbox, wh.v2_event(project_id=1))
    claimed = inbox.claim_pending("batch-a")
    assert [(g.project_id, g.stream) for g in claimed] == [(1, "rfis")]
    store(inbox, wh.v2_event(project_id=1))  # arrives while batch-a runs: must wait for a later batch
    assert inbox.open_batches().keys() == {"batch-a"}
    assert [g.events for g in inbox.pending_groups()] == [1]
    assert inbox.mark_consumed("batch-a", "run-1") == 1
    counts = inbox.counts()
    assert counts["consumed"] == 1 and counts["pending"] == 1 and counts["in_flight"] == 0
    assert inbox.mark_consumed("batch-a", "run-1") == 0


def test_a_failed_batch_is_released_for_the_next_one(inbox, wh):
    store(inbox, wh.v2_event(project_id=1))
    store(inbox, wh.v2_event(project_id=2))
    inbox.claim_pending("batch-a")
    assert inbox.pending_groups() == []
    assert inbox.release("batch-a") == 2
    assert inbox.open_batches() == {}
    again = inbox.claim_pending("batch-b")
    assert sorted(g.project_id for g in again) == [1, 2]
    assert inbox.claimed_groups("batch-b") == again


def test_events_of_other_companies_are_ignored(inbox, wh):
    store(inbox, wh.v2_event(company_id=1, project_id=10))
    store(inbox, wh.v2_event(company_id=2, project_id=20))
    assert inbox.ignore_other_companies([1]) == 1
    assert [(g.company_id, g.project_id) for g in inbox.pending_groups()] == [(1, 10)]
    assert inbox.counts()["ignored"] == 1


def test_prune_deletes_only_old_consumed_events(inbox, wh):
    from datetime import UTC, datetime, timedelta

    old = datetime.now(UTC) - timedelta(days=40)
    inbox.store(parse_event(json.dumps(wh.v2_event(project_id=1)).encode()), received_at=old)
    inbox.store(parse_event(json.dumps(wh.v2_event(project_id=2)).encode()), received_at=old)
    inbox.claim_pending("b1")
    inbox.mark_consumed("b1", "run-1")
    store(inbox, wh.v2_event(project_id=3))
    inbox.store(parse_event(json.dumps(wh.v2_event(project_id=4)).encode()), received_at=old)  # old but pending
    assert inbox.prune(datetime.now(UTC) - timedelta(days=30)) == 2
    assert sorted(g.project_id for g in inbox.pending_groups()) == [3, 4]
