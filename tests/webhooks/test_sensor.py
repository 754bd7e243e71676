"""The webhook sensor with real Dagster runs against the sandbox: targeted runs, coalescing, consume semantics."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import dagster as dg
import duckdb
import pytest

from orchestration.ingestion_assets import INGESTION_ASSETS
from orchestration.resources import ProcoreResource, WarehouseResource
from orchestration.webhook_sensor import (
    BATCH_TAG,
    JOB_NAME,
    build_webhook_job,
    build_webhook_sensor,
    run_config_for,
)
from pipeline_settings import PipelineSettings
from webhooks.events import parse_event
from webhooks.inbox import Inbox, PendingGroup


@pytest.fixture
def env(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    (tmp_path / "dagster_home").mkdir()
    monkeypatch.setenv("WEBHOOK_INBOX_URL", f"sqlite:///{tmp_path / 'webhooks.db'}")
    for key, value in sandbox.env().items():
        monkeypatch.setenv(key, value)
    inbox = Inbox(f"sqlite:///{tmp_path / 'webhooks.db'}")
    defs = dg.Definitions(
        assets=INGESTION_ASSETS, jobs=[build_webhook_job(INGESTION_ASSETS)],
        sensors=[build_webhook_sensor(PipelineSettings.from_env(), INGESTION_ASSETS, interval=5)],
        resources={"procore": ProcoreResource(client_id=sandbox.client_id, client_secret=sandbox.client_secret,
                                              company_ids=list(sandbox.company_ids)),
                   "warehouse": WarehouseResource(data_dir=str(tmp_path / "data"))})
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster_home")) as instance:
        yield sandbox, inbox, defs, instance, tmp_path / "data" / "warehouse.duckdb"
    inbox.close()


def tick(defs, instance):
    context = dg.build_sensor_context(instance=instance, definitions=defs)
    return defs.resolve_sensor_def("webhook_sensor")(context)


def run(defs, instance, request):
    job = defs.resolve_job_def(JOB_NAME)
    return job.execute_in_process(run_config=request.run_config, instance=instance, tags=request.tags,
                                  asset_selection=request.asset_selection, raise_on_error=False)


def event(sandbox_row: dict, resource: str = "RFIs", event_type: str = "update", n: int = 0) -> bytes:
    return json.dumps({"id": 10**18 + n, "ulid": f"U{sandbox_row['record']['id']}N{n}", "event_type": event_type,
                       "resource_name": resource, "resource_id": sandbox_row["record"]["id"],
                       "project_id": sandbox_row["project_id"], "company_id": sandbox_row["company_id"],
                       "api_version": "v2.0"}).encode()


def test_a_burst_makes_one_run_of_only_the_named_pairs(env):
    sandbox, inbox, defs, instance, warehouse = env
    rfis = [r for r in sandbox.records("rfis") if not r["deleted_at"]]
    target = rfis[0]
    same_project = [r for r in rfis if r["project_id"] == target["project_id"]]
    for n, row in enumerate(same_project * 20):
        inbox.store(parse_event(event(row, n=n)))
    sandbox.mutate({"resource": "rfis", "action": "update", "id": target["record"]["id"],
                    "changes": {"subject": "Changed by a webhook test"}})
    result = tick(defs, instance)
    [request] = result.run_requests
    ops = request.run_config["ops"]
    assert ops["raw__rfis"]["config"]["project_ids"] == [target["project_id"]]
    assert ops["raw__rfis"]["config"]["streams"] == ["rfis"] and set(ops) == {"raw__rfis"}
    assert request.asset_selection == [dg.AssetKey(["raw", "rfis"])]
    assert isinstance(tick(defs, instance), dg.SkipReason)  # the claimed batch has no run yet: wait
    sandbox.clear_stats()
    assert run(defs, instance, request).success
    by_path = {re.sub(r":\w+}", "}", p): n for p, n in sandbox.stats()["by_path"].items()}
    assert by_path.get("/rest/v1.0/projects/{project_id}/rfis") == 1
    assert "/rest/v1.0/projects/{project_id}/submittals" not in by_path
    with duckdb.connect(str(warehouse), read_only=True) as con:
        subject = con.execute("SELECT subject FROM raw.rfis WHERE id = ?", [target["record"]["id"]]).fetchone()
        projects = con.execute("SELECT count(DISTINCT project_id) FROM raw.rfis").fetchone()
    assert subject == ("Changed by a webhook test",) and projects == (1,)
    assert inbox.counts()["in_flight"] == len(same_project) * 20
    assert isinstance(tick(defs, instance), dg.SkipReason)  # settles the batch, nothing new
    counts = inbox.counts()
    assert counts["consumed"] == len(same_project) * 20 and counts["in_flight"] == 0
    [row] = inbox.recent(1)
    [batch_run] = instance.get_runs(filters=dg.RunsFilter(tags={BATCH_TAG: request.run_key}))
    assert row["consumed_by_run"] == batch_run.run_id


def test_a_failed_run_leaves_its_events_for_the_next_run(env):
    sandbox, inbox, defs, instance, _warehouse = env
    row = next(r for r in sandbox.records("submittals") if not r["deleted_at"])
    inbox.store(parse_event(event(row, resource="Submittals", event_type="delete")))
    sandbox.inject(path=f"/rest/v1.0/projects/{row['project_id']}/submittals*", status=401, times=100)
    [request] = tick(defs, instance).run_requests
    assert not run(defs, instance, request).success
    [again] = tick(defs, instance).run_requests  # released, then claimed again by a new batch
    assert again.run_key != request.run_key
    counts = inbox.counts()
    assert counts["consumed"] == 0 and counts["in_flight"] == 1
    sandbox.clear_faults()
    assert run(defs, instance, again).success
    tick(defs, instance)
    assert inbox.counts()["consumed"] == 1


def test_without_asset_selection_clean_raw_ops_read_nothing():
    now = datetime.now(UTC)
    config = run_config_for([PendingGroup(1, 5, "submittals", 3, now, now)], only_dirty=False)["ops"]
    assert set(config) == {"raw__projects", "raw__rfis", "raw__submittals", "raw__budgets"}
    assert all(op["config"]["streams"] == ["submittals"] for op in config.values())
    assert config["raw__submittals"]["config"]["project_ids"] == [5]
