"""`make prod-local`: the production shape of Procore Pipelines, on this machine.

Starts `dagster-webserver` and `dagster-daemon` as separate processes (each in its own process
group) on one `DAGSTER_HOME` whose `dagster.yaml` (from `deploy/dagster/dagster.prod.yaml`)
stores runs, event logs and schedules in PostgreSQL, queues runs, limits pool `duckdb` to 1 and
monitors runs; plus the dashboard and, when `PROCORE_WEBHOOK_SECRET` is set, the webhook
receiver. Without `PROCORE_CLIENT_ID` it starts the embedded Procore sandbox and points at it.
On a new warehouse it queues a first `weekly_full_sync`, which the daemon launches.

Settings: `PIPELINES_PG_URL` (default `postgresql://postgres@127.0.0.1:5432`), `PIPELINES_PG_DB`
(default `procore_pipelines`, created when missing), `DAGSTER_HOME` (default `.dagster_prod_home`),
`PIPELINES_DATA_DIR` (default `data`). Unless `DASHBOARD_DATABASE_URL` / `WEBHOOK_INBOX_URL` are
set, the access store and the webhook inbox use the databases `procore_dashboard` and
`procore_webhooks` on the same server (created when missing), as the settings template does.
Ctrl-C stops everything it started.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

from operations.instance import prepare_dagster_home  # noqa: E402
from operations.listeners import port_problem  # noqa: E402
from operations.postgres import PgTarget, ensure_app_databases, ensure_database, wait_for_server  # noqa: E402
from operations.processes import ProcessGroups, wait_for_http  # noqa: E402
from pipeline_settings import variables  # noqa: E402

CODE_LOCATION = ["-m", "orchestration.definitions"]


def log(message: str) -> None:
    print(f"prod-local: {message}", flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dagster-port", type=int, default=3000)
    parser.add_argument("--dashboard-port", type=int, default=8501)
    parser.add_argument("--webhook-port", type=int, default=8502)
    parser.add_argument("--sandbox-port", type=int, default=8765)
    parser.add_argument("--projects", type=int, default=25, help="sandbox projects per company")
    parser.add_argument("--pg-url", default=os.environ.get("PIPELINES_PG_URL", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--database", default=os.environ.get("PIPELINES_PG_DB", "procore_pipelines"))
    parser.add_argument("--home", type=Path,
                        default=Path(os.environ.get("DAGSTER_HOME") or ROOT / ".dagster_prod_home"))
    parser.add_argument("--data-dir", type=Path, default=ROOT / variables.data_dir(os.environ))
    parser.add_argument("--no-initial-sync", action="store_true", help="do not queue a first full sync")
    parser.add_argument("--smoke", action="store_true", help="start everything, check it answers, stop")
    return parser.parse_args(argv)


def sandbox_env(url: str) -> dict[str, str]:
    """PROCORE_* variables pointing at the sandbox at `url`, with every company it serves."""
    with urllib.request.urlopen(f"{url}/_sandbox/info", timeout=10) as response:
        info = json.load(response)
    return {
        "PROCORE_API_BASE_URL": url, "PROCORE_LOGIN_BASE_URL": url,
        "PROCORE_CLIENT_ID": info.get("client_id", "sandbox-client-id"),
        "PROCORE_CLIENT_SECRET": "sandbox-client-secret",
        "PROCORE_COMPANY_IDS": ",".join(str(c["id"]) for c in info["companies"]),
        "DASHBOARD_FRAME_ANCESTORS": url,
    }


def base_env(args: argparse.Namespace, target: PgTarget) -> dict[str, str]:
    """The environment every child shares: Dagster home, PostgreSQL settings, data dir, PATH."""
    env = dict(os.environ)
    pythonpath = [str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p]
    env.update(target.env())
    env.update({
        "DAGSTER_HOME": str(args.home.resolve()),
        "PIPELINES_DATA_DIR": str(args.data_dir.resolve()),
        "PYTHONPATH": os.pathsep.join(pythonpath),
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    })
    env.setdefault("PIPELINES_SCHEDULES_RUNNING", "1")
    env.setdefault("DASHBOARD_PUBLIC_URL", f"http://localhost:{args.dashboard_port}/integrations/procore/iframe/")
    return env


def queue_full_sync(env: dict[str, str]) -> None:
    """Submit `weekly_full_sync` to the run queue (the daemon launches it)."""
    result = subprocess.run([str(BIN / "dagster"), "job", "launch", *CODE_LOCATION, "-j", "weekly_full_sync"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"prod-local: could not queue weekly_full_sync:\n{result.stderr[-3000:]}")


def wait_for_last_run(target: PgTarget, timeout: float = 600.0) -> str:
    """Wait until the newest run in PostgreSQL has ended; its status (SUCCESS, FAILURE, CANCELED)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        con = target.connect()
        try:
            with con.cursor() as cur:
                cur.execute("SELECT status FROM runs ORDER BY create_timestamp DESC LIMIT 1")
                row = cur.fetchone()
        finally:
            con.close()
        if row and row[0] in ("SUCCESS", "FAILURE", "CANCELED"):
            return row[0]
        time.sleep(2)
    raise RuntimeError(f"the queued run did not end within {timeout:.0f} s")


def check_ports(args: argparse.Namespace) -> None:
    """Stop at once, in one line, when a port this run needs is taken or given twice."""
    ports = [("dagster-webserver", args.dagster_port, "--dagster-port"),
             ("the dashboard", args.dashboard_port, "--dashboard-port")]
    if os.environ.get("PROCORE_WEBHOOK_SECRET"):
        ports.append(("the webhook receiver", args.webhook_port, "--webhook-port"))
    if not os.environ.get("PROCORE_CLIENT_ID"):
        ports.append(("the sandbox", args.sandbox_port, "--sandbox-port"))
    problem = port_problem(ports)
    if problem:
        raise SystemExit(f"prod-local: {problem}")


def start_stack(args: argparse.Namespace, procs: ProcessGroups) -> dict[str, str]:
    """Start every service; return the addresses to print."""
    target = PgTarget.from_url(args.pg_url, args.database)
    wait_for_server(target)
    if ensure_database(target):
        log(f"created database {target.describe()}")
    env = base_env(args, target)
    env.update(ensure_app_databases(target, env))  # the access store and inbox, as in production
    args.data_dir.mkdir(parents=True, exist_ok=True)
    prepare_dagster_home(args.home, target.env())
    urls: dict[str, str] = {}
    if not env.get("PROCORE_CLIENT_ID"):
        sandbox_url = f"http://127.0.0.1:{args.sandbox_port}"
        log(f"PROCORE_CLIENT_ID is not set: starting the Procore sandbox on {sandbox_url}")
        sandbox = procs.start("sandbox", [str(BIN / "procore-sandbox"), "--port", str(args.sandbox_port),
                                          "--companies", "2", "--projects", str(args.projects),
                                          "--rate-limit-spike", "1000"], dict(os.environ), ROOT)
        wait_for_http(f"{sandbox_url}/_sandbox/info", "the sandbox", child=sandbox, port=args.sandbox_port)
        env.update(sandbox_env(sandbox_url))
        urls["Procore sandbox API"] = sandbox_url
    dagster_url = f"http://127.0.0.1:{args.dagster_port}"
    web = procs.start("dagster-webserver", [str(BIN / "dagster-webserver"), *CODE_LOCATION, "-h", "127.0.0.1",
                                            "-p", str(args.dagster_port)], env, ROOT)
    daemon = procs.start("dagster-daemon", [str(BIN / "dagster-daemon"), "run", *CODE_LOCATION], env, ROOT)
    dash = procs.start("dashboard", [str(BIN / "procore-dashboard"), "serve", "--address", "127.0.0.1",
                                     "--port", str(args.dashboard_port)], env, ROOT)
    if env.get("PROCORE_WEBHOOK_SECRET"):
        hooks = procs.start("webhooks", [str(BIN / "procore-webhooks"), "serve", "--host", "127.0.0.1",
                                         "--port", str(args.webhook_port)], env, ROOT)
        wait_for_http(f"http://127.0.0.1:{args.webhook_port}/webhooks/health", "the webhook receiver", child=hooks,
                      port=args.webhook_port)
        urls["Webhook receiver (POST)"] = f"http://127.0.0.1:{args.webhook_port}/webhooks/procore"
    wait_for_http(f"{dagster_url}/server_info", "dagster-webserver", timeout=180, child=web, port=args.dagster_port)
    wait_for_http(f"http://localhost:{args.dashboard_port}/integrations/procore/iframe/_stcore/health",
                  "the dashboard", child=dash, port=args.dashboard_port)
    if not daemon.alive:
        raise RuntimeError(f"dagster-daemon exited:\n{daemon.log_tail()}")
    if not args.no_initial_sync and not (args.data_dir / "warehouse.duckdb").exists():
        log("new warehouse: queueing weekly_full_sync (the daemon launches it)")
        queue_full_sync(env)
    urls = {"Dagster UI": dagster_url,
            "Dashboard": f"http://localhost:{args.dashboard_port}/integrations/procore/iframe/", **urls}
    return urls


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    os.umask(0o077)  # every file the stack creates (DuckDB files and WAL, logs) is the user's only
    check_ports(args)
    procs = ProcessGroups(args.data_dir / "logs" / "prod-local")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        urls = start_stack(args, procs)
        width = max(len(k) for k in urls) + 2
        print("\nProcore Pipelines (production shape) is running:", flush=True)
        for name, url in urls.items():
            print(f"  {name + ':':<{width}} {url}")
        print(f"  {'Dagster storage:':<{width}} PostgreSQL {PgTarget.from_url(args.pg_url, args.database).describe()}"
              f"\n  {'DAGSTER_HOME:':<{width}} {args.home.resolve()}\n  {'Logs:':<{width}} {procs.log_dir}\n"
              "Ctrl-C stops everything.", flush=True)
        if args.smoke:
            if not args.no_initial_sync:
                status = wait_for_last_run(PgTarget.from_url(args.pg_url, args.database))
                if status != "SUCCESS":
                    raise RuntimeError(f"the run the daemon launched ended {status}; see the Dagster UI")
                log("the daemon ran the queued weekly_full_sync: SUCCESS (read from PostgreSQL)")
            log("smoke check passed")
            return
        while not procs.dead():
            time.sleep(1)
        raise SystemExit(f"prod-local: {', '.join(c.name for c in procs.dead())} stopped; see {procs.log_dir}")
    except KeyboardInterrupt:
        pass
    except RuntimeError as exc:
        raise SystemExit(f"prod-local: {exc}") from None
    finally:
        procs.stop_all()


if __name__ == "__main__":
    main()
