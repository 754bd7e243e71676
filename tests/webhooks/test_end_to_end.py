"""End to end: a sandbox change reaches `serving.duckdb` through delivery, sensor, run and publish, with no poll.

One small sandbox, receiver, warehouse and Dagster instance for the module, loaded once by the
daily and hourly syncs; each test then changes the sandbox and follows the change through.
"""

from __future__ import annotations

import re
import time

import dagster as dg
import duckdb
import pytest
import requests

from orchestration.definitions import build_definitions
from pipeline_settings import PipelineSettings
from procore_sandbox.options import SandboxOptions
from procore_sandbox.server import start_sandbox
from procore_source.client import ProcoreClient
from procore_source.settings import ProcoreSettings
from webhooks.procore_api import HooksApi
from webhooks.register import register
from webhooks.server import RunningReceiver
from webhooks.settings import WebhookSettings

pytestmark = pytest.mark.slow

SECRET = "e2e-webhook-secret-0123456789"
QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
FAST_RETRIES = {"retry_initial": 0.1, "retry_max": 0.3, "give_up_after": 120}


class World:
    """Everything the tests drive: sandbox, receiver, Dagster definitions and instance, data dir."""

    def __init__(self, sandbox, receiver, defs, instance, data_dir):
        self.sandbox, self.receiver, self.defs, self.instance, self.data_dir = (
            sandbox, receiver, defs, instance, data_dir)

    def run(self, job: str, request: dg.RunRequest | None = None) -> bool:
        config = {**(request.run_config if request else {}), **QUIET}
        return self.defs.resolve_job_def(job).execute_in_process(
            run_config=config, instance=self.instance, tags=request.tags if request else {},
            asset_selection=request.asset_selection if request else None, raise_on_error=False).success

    def tick(self):
        context = dg.build_sensor_context(instance=self.instance, definitions=self.defs)
        return self.defs.resolve_sensor_def("webhook_sensor")(context)

    def webhook_cycle(self) -> list[dg.RunRequest]:
        """Like the daemon: tick, run what the sensor asks for, tick again to settle the batch."""
        result = self.tick()
        found = list(getattr(result, "run_requests", None) or [])
        for request in found:
            assert self.run("webhook_sync", request)
        self.tick()
        return found

    def admin(self, path: str, body: dict | None = None) -> dict:
        response = requests.request("GET" if body is None else "POST", f"{self.sandbox.url}/_sandbox/webhooks{path}",
                                    json=body, timeout=60)
        response.raise_for_status()
        return response.json()

    def serving(self, sql: str, params: list) -> list[tuple]:
        with duckdb.connect(str(self.data_dir / "serving.duckdb"), read_only=True) as con:
            return con.execute(sql, params).fetchall()

    def warehouse(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.data_dir / "warehouse.duckdb"), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def closed_rfis(self, project_id: int) -> int:
        return self.serving("SELECT rfis_closed FROM marts.project_metrics WHERE project_id = ?", [project_id])[0][0]

    def open_rfi(self, exclude: set[int] = frozenset()) -> dict:
        return next(r for r in self.sandbox.records("rfis")
                    if r["record"]["status"] == "open" and not r["deleted_at"] and r["project_id"] not in exclude)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    sandbox = start_sandbox(SandboxOptions(seed=11, companies=1, projects=3, records_per_project=6,
                                           rate_limit_hourly=100_000, rate_limit_spike=10_000))
    inbox_url = f"sqlite:///{tmp / 'webhooks.db'}"
    receiver = RunningReceiver(WebhookSettings(secret=SECRET, inbox_url=inbox_url))
    with ProcoreClient(ProcoreSettings.from_env(sandbox.env())) as client:
        register(HooksApi(client), company_id=sandbox.company_ids[0], url=receiver.delivery_url, secret=SECRET,
                 namespace="procore-pipelines")
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {**sandbox.env(), "PIPELINES_DATA_DIR": str(tmp / "data"), "WEBHOOK_INBOX_URL": inbox_url,
                           "DAGSTER_HOME": str(tmp / "dagster")}.items():
            mp.setenv(key, value)
        (tmp / "dagster").mkdir()
        with dg.instance_for_test(temp_dir=str(tmp / "dagster")) as instance:
            defs = build_definitions(PipelineSettings.from_env())  # the settings just set, read as at load
            w = World(sandbox, receiver, defs, instance, tmp / "data")
            assert w.run("weekly_full_sync")
            yield w
    receiver.stop()
    receiver.inbox.close()
    sandbox.stop()


def test_a_change_reaches_serving_through_webhooks_without_a_poll(loaded):
    w = loaded
    w.admin("/config", {**FAST_RETRIES, "duplicate_rate": 1.0, "reorder_rate": 0.5, "reorder_delay": 0.2})
    target = w.open_rfi()
    pid, before = target["project_id"], w.closed_rfis(target["project_id"])
    w.sandbox.clear_stats()
    w.sandbox.mutate({"resource": "rfis", "action": "update", "id": target["record"]["id"],
                      "changes": {"status": "closed"}})
    assert w.admin("/drain", {"timeout": 20})["idle"]
    [request] = w.webhook_cycle()
    assert w.closed_rfis(pid) == before + 1
    stats = {re.sub(r":\w+}", "}", p): n for p, n in w.sandbox.stats()["by_path"].items()}
    assert stats.get("/rest/v1.0/projects/{project_id}/rfis") == 1  # only the changed project, only its RFIs
    assert not any("submittals" in path or "budget" in path for path in stats)
    [event] = [e for e in w.receiver.inbox.recent(50) if e["resource_id"] == target["record"]["id"]]
    assert event["deliveries"] == 2 and event["consumed_by_run"] is not None
    assert w.webhook_cycle() == []  # duplicates changed nothing extra: no second run
    w.admin("/config", {"duplicate_rate": 0.0, "reorder_rate": 0.0})


def test_retries_after_a_receiver_outage_bring_the_warehouse_back_to_equality(loaded):
    w = loaded
    w.admin("/config", FAST_RETRIES)
    rows = [r for r in w.sandbox.records("rfis") if not r["deleted_at"]]
    chosen = {r["project_id"]: r for r in rows}.values()
    w.receiver.stop()
    w.sandbox.mutate({"mutations": [{"resource": "rfis", "action": "update", "id": r["record"]["id"],
                                     "changes": {"subject": f"during the outage {r['record']['id']}"}}
                                    for r in chosen]})
    deadline = time.monotonic() + 10
    while w.admin("")["outcomes"].get("retried", 0) < len(chosen) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert w.admin("")["outcomes"].get("retried", 0) == len(chosen)
    assert w.webhook_cycle() == []
    settings = WebhookSettings(secret=SECRET, inbox_url=w.receiver.inbox.url)
    w.receiver = RunningReceiver(settings, port=w.receiver.port, inbox=w.receiver.inbox)
    assert w.admin("/drain", {"timeout": 30})["idle"]
    assert len(w.webhook_cycle()) == 1
    live = {(r["project_id"], r["record"]["id"]): r["record"]["subject"]
            for r in w.sandbox.records("rfis") if not r["deleted_at"]}
    stored = {(p, i): s for p, i, s in w.warehouse("SELECT project_id, id, subject FROM raw.rfis "
                                                    "WHERE _deleted_at IS NULL")}
    assert stored == live


def test_the_hourly_poll_repairs_a_dropped_delivery(loaded):
    w = loaded
    w.admin("/config", {**FAST_RETRIES, "drop_next": 1})
    target = w.open_rfi()
    pid, before = target["project_id"], w.closed_rfis(target["project_id"])
    w.sandbox.mutate({"resource": "rfis", "action": "update", "id": target["record"]["id"],
                      "changes": {"status": "closed"}})
    assert w.admin("/drain", {"timeout": 10})["idle"]
    assert w.webhook_cycle() == []
    assert w.closed_rfis(pid) == before
    assert w.run("hourly_sync")
    assert w.closed_rfis(pid) == before + 1
