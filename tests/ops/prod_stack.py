"""The production-shaped stack the operations tests share: webserver + daemon on an own PostgreSQL.

`OpsStack` starts `dagster-webserver` and `dagster-daemon` (each in its own process group) on a
`DAGSTER_HOME` written by `operations.instance` from `deploy/dagster/dagster.prod.yaml` (run
monitoring polling every 2 s for the tests), with the test code location `ops_location.py`, and
talks to them the way an operator does: GraphQL through the webserver, SQL on the runs table.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import requests

from operations.instance import prepare_dagster_home
from operations.postgres import PgTarget, ensure_database
from operations.processes import Child, ProcessGroups, wait_for_http

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LOCATION = ["-f", str(Path(__file__).with_name("ops_location.py")), "-d", str(ROOT)]
TEST_MONITORING = {"poll_interval_seconds": 2, "free_slots_after_run_end_seconds": 1,
                   "start_timeout_seconds": 60, "cancel_timeout_seconds": 30}
TERMINAL = ("SUCCESS", "FAILURE", "CANCELED")

_START_SCHEDULE = """
mutation($selector: ScheduleSelector!) { startSchedule(scheduleSelector: $selector) {
  __typename ... on ScheduleStateResult { scheduleState { id status } } ... on PythonError { message } } }"""
_STOP_SCHEDULE = """
mutation($id: String!) { stopRunningSchedule(id: $id) {
  __typename ... on ScheduleStateResult { scheduleState { id status } } ... on PythonError { message } } }"""
_LAUNCH = """
mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
  __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }"""
_LOCATION = """{ workspaceOrError { ... on Workspace { locationEntries { name
  locationOrLoadError { __typename ... on RepositoryLocation { repositories { name } } } } } } }"""


class OpsStack:
    """Webserver and daemon on `target`, data in `data_dir`, Procore settings from `procore_env`."""

    def __init__(self, target: PgTarget, base: Path, procore_env: dict[str, str], port: int) -> None:
        ensure_database(target)
        self.target = target
        self.home = base / "dagster_home"
        self.data_dir = base / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.procs = ProcessGroups(base / "logs")
        pythonpath = str(ROOT)
        self.env = {**os.environ, **target.env(), **procore_env, "DAGSTER_HOME": str(self.home),
                    "PIPELINES_DATA_DIR": str(self.data_dir), "PYTHONPATH": pythonpath,
                    "PIPELINES_SCHEDULES_RUNNING": "0"}
        prepare_dagster_home(self.home, target.env(), TEST_MONITORING)
        self.location: tuple[str, str] | None = None

    @property
    def warehouse(self) -> Path:
        """The stack's `warehouse.duckdb`."""
        return self.data_dir / "warehouse.duckdb"

    def start(self) -> OpsStack:
        """Start the webserver and the daemon; return once the webserver has loaded the code location."""
        web = self.procs.start("dagster-webserver", [str(BIN / "dagster-webserver"), *LOCATION, "-h", "127.0.0.1",
                                                     "-p", str(self.port)], self.env, ROOT)
        self.start_daemon()
        wait_for_http(f"{self.url}/server_info", "dagster-webserver", timeout=180, child=web)
        self.location = self._location()
        return self

    def start_daemon(self) -> Child:
        """Start (or restart) `dagster-daemon run` in its own process group."""
        return self.procs.start("dagster-daemon", [str(BIN / "dagster-daemon"), "run", *LOCATION], self.env, ROOT)

    @property
    def daemon(self) -> Child:
        """The current daemon process group."""
        return self.procs.get("dagster-daemon")

    def stop(self) -> None:
        """Stop every process group the stack started (tests need no graceful drain)."""
        self.procs.stop_all(timeout=3)

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST a GraphQL query to the webserver; its `data` (queries, not mutations, retried on a 5xx)."""
        attempts = 1 if query.lstrip().startswith("mutation") else 5
        for attempt in range(attempts):
            response = requests.post(f"{self.url}/graphql", json={"query": query, "variables": variables or {}},
                                     timeout=60)
            # Right after a PostgreSQL restart the webserver answers 500 once per stale pooled
            # connection; an operator's browser retries, and so do we.
            if response.status_code < 500 or attempt == attempts - 1:
                break
            time.sleep(1)
        response.raise_for_status()
        body = response.json()
        if body.get("errors"):
            raise AssertionError(f"GraphQL errors: {body['errors']}")
        return body["data"]

    def reconnect(self) -> None:
        """After a PostgreSQL restart: query runs, event logs and schedules through the webserver until
        two answers in a row succeed (each stale pooled connection costs the webserver one 500)."""
        run_id = self.runs()[-1][0]
        query = ("query($runId: ID!) { runsOrError(limit: 1) { __typename } "
                 "logsForRun(runId: $runId, limit: 1) { __typename } "
                 "instance { daemonHealth { allDaemonStatuses { daemonType } } } }")
        streak = 0
        for _ in range(20):
            response = requests.post(f"{self.url}/graphql", json={"query": query, "variables": {"runId": run_id}},
                                     timeout=60)
            streak = streak + 1 if response.ok and not response.json().get("errors") else 0
            if streak == 2:
                return
            time.sleep(0.5)
        raise AssertionError(f"the webserver did not recover from the PostgreSQL restart: {response.text[:500]}")

    def _location(self) -> tuple[str, str]:
        deadline = time.monotonic() + 120
        while True:
            entries = self.graphql(_LOCATION)["workspaceOrError"]["locationEntries"]
            loaded = [e for e in entries if (e["locationOrLoadError"] or {}).get("__typename") == "RepositoryLocation"]
            if loaded:
                return loaded[0]["name"], loaded[0]["locationOrLoadError"]["repositories"][0]["name"]
            if time.monotonic() > deadline:
                raise AssertionError(f"code location did not load: {entries}")
            time.sleep(1)

    def _selector(self, **extra: str) -> dict[str, str]:
        assert self.location is not None
        return {"repositoryLocationName": self.location[0], "repositoryName": self.location[1], **extra}

    def start_schedule(self, name: str) -> str:
        """Turn schedule `name` on through the webserver; its state id."""
        result = self.graphql(_START_SCHEDULE, {"selector": self._selector(scheduleName=name)})["startSchedule"]
        assert result["__typename"] == "ScheduleStateResult", result
        return result["scheduleState"]["id"]

    def stop_schedule(self, state_id: str) -> None:
        """Turn a schedule off by its state id."""
        result = self.graphql(_STOP_SCHEDULE, {"id": state_id})["stopRunningSchedule"]
        assert result["__typename"] == "ScheduleStateResult", result

    def launch(self, job: str) -> str:
        """Launch `job` from the webserver (as the Launchpad does): it is queued for the daemon; the run id."""
        params = {"selector": self._selector(jobName=job), "runConfigData": {}}
        result = self.graphql(_LAUNCH, {"params": params})["launchRun"]
        assert result["__typename"] == "LaunchRunSuccess", result
        return result["run"]["runId"]

    def runs(self) -> list[tuple[str, str, str]]:
        """(run_id, status, origin tag) of every run, oldest first, read with SQL from PostgreSQL."""
        con = self.target.connect()
        try:
            with con.cursor() as cur:
                cur.execute("SELECT r.run_id, r.status, COALESCE(t.value, '') FROM runs r "
                            "LEFT JOIN run_tags t ON t.run_id = r.run_id AND t.key = 'dagster/schedule_name' "
                            "ORDER BY r.create_timestamp")
                return [tuple(row) for row in cur.fetchall()]
        finally:
            con.close()

    def status(self, run_id: str) -> str:
        """A run's status, from PostgreSQL."""
        return next(s for r, s, _ in self.runs() if r == run_id)

    def wait_for(self, predicate, what: str, timeout: float = 120.0, interval: float = 0.5) -> Any:
        """Poll `predicate()` until it returns something truthy; fail naming `what` and the daemon's log."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; runs: {self.runs()}\n"
                                     f"daemon log:\n{self.daemon.log_tail(4000)}")
            time.sleep(interval)

    def wait_terminal(self, run_id: str, timeout: float = 120.0) -> str:
        """Wait until the run is SUCCESS, FAILURE or CANCELED; its status."""
        return self.wait_for(lambda: (s := self.status(run_id)) in TERMINAL and s, f"run {run_id} to end", timeout)

    def pool_claims(self, run_id: str | None = None) -> int:
        """Slots of pool `duckdb` held right now (by `run_id`, or by any run), from PostgreSQL."""
        con = self.target.connect()
        try:
            with con.cursor() as cur:
                cur.execute("SELECT count(*) FROM concurrency_slots WHERE concurrency_key = 'duckdb' "
                            "AND run_id IS NOT NULL AND deleted = false AND run_id = COALESCE(%s, run_id)",
                            (run_id,))
                return int(cur.fetchone()[0])
        finally:
            con.close()
