"""dagster-webserver + dagster-daemon on PostgreSQL: a schedule the daemon runs, and two failure drills.

One stack for the module (webserver and daemon each in its own process group, runs, events and
schedules in an own PostgreSQL cluster, run queue, pool `duckdb` limited to 1, run monitoring on):
- PostgreSQL restarted during a run: the run ends (it fails or finishes, it does not hang), and
  the next run works.
- A run killed with the daemon (SIGKILL to the daemon's process group, as `systemctl kill -s KILL`
  does): run monitoring marks it failed and frees its pool slot; the every-minute schedule, turned
  on through the webserver, gets its next tick launched by the daemon, and that run's success is
  read back from PostgreSQL with the warehouse equal to the sandbox.
"""

from __future__ import annotations

import pytest
from soak_compare import ALL_STREAMS, HOURLY_STREAMS, differences

pytestmark = [pytest.mark.slow, pytest.mark.timeout(420)]


def _requests(sandbox) -> int:
    return int(sandbox.stats()["total"])


def _failure_text(stack, run_id: str) -> str:
    con = stack.target.connect()
    try:
        with con.cursor() as cur:
            cur.execute("SELECT event FROM event_logs WHERE run_id = %s AND dagster_event_type = 'PIPELINE_FAILURE'",
                        (run_id,))
            return " ".join(row[0] for row in cur.fetchall())
    finally:
        con.close()


def test_postgres_restart_during_a_run_ends_cleanly_and_the_next_run_works(ops_stack, own_pg, ops_sandbox):
    ops_sandbox.reset()
    ops_sandbox.configure(latency_ms=250)
    before = _requests(ops_sandbox)
    run_id = ops_stack.launch("weekly_full_sync")  # what prod_local queues on a new warehouse
    ops_stack.wait_for(lambda: ops_stack.status(run_id) == "STARTED" and _requests(ops_sandbox) >= before + 4,
                       "the run to be fetching from the sandbox")

    own_pg.restart()  # every connection the webserver, daemon and run worker hold is cut
    ops_sandbox.configure(latency_ms=0)

    status = ops_stack.wait_terminal(run_id, timeout=150)
    assert status in ("SUCCESS", "FAILURE")
    ops_stack.wait_for(lambda: ops_stack.pool_claims() == 0, "the duckdb pool slot to be free", timeout=60)

    ops_stack.reconnect()
    again = ops_stack.launch("weekly_full_sync")
    assert ops_stack.wait_terminal(again) == "SUCCESS"
    assert differences(ops_stack.warehouse, ops_sandbox, ALL_STREAMS) == []


def test_daemon_killed_mid_run_is_failed_by_monitoring_and_the_next_scheduled_tick_succeeds(ops_stack, ops_sandbox):
    ops_sandbox.mutate({"random": 12})
    ops_sandbox.configure(latency_ms=400)
    before = _requests(ops_sandbox)
    killed = ops_stack.launch("hourly_sync")  # queued by the webserver, launched by the daemon
    ops_stack.wait_for(lambda: ops_stack.status(killed) == "STARTED" and _requests(ops_sandbox) >= before + 4,
                       "the daemon to launch the run and the run to fetch")
    ops_stack.daemon.kill()  # the daemon, its code server and the run worker, all at once
    assert ops_stack.status(killed) == "STARTED"  # nobody has told PostgreSQL yet

    ops_sandbox.configure(latency_ms=0)
    ops_sandbox.mutate({"random": 6})
    ops_stack.start_daemon()
    known = {run_id for run_id, _, _ in ops_stack.runs()}
    state_id = ops_stack.start_schedule("ops_every_minute")
    try:
        assert ops_stack.wait_terminal(killed, timeout=90) == "FAILURE"
        assert "run worker process" in _failure_text(ops_stack, killed)
        ops_stack.wait_for(lambda: ops_stack.pool_claims(killed) == 0, "run monitoring to free the pool slot",
                           timeout=60)

        def scheduled_run() -> str | None:
            ticks = [r for r, _, name in ops_stack.runs() if r not in known and name == "ops_every_minute"]
            return ticks[0] if ticks else None

        tick = ops_stack.wait_for(scheduled_run, "the daemon to launch the scheduled run", timeout=150)
        assert ops_stack.wait_terminal(tick) == "SUCCESS"  # read back from PostgreSQL's runs table
    finally:
        ops_stack.stop_schedule(state_id)
    assert differences(ops_stack.warehouse, ops_sandbox, HOURLY_STREAMS) == []
