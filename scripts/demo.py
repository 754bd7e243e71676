"""`make demo`: the whole product on its embedded default, on this machine, in one command.

Starts the Procore sandbox, runs a first full sync into `data/warehouse.duckdb`, fills the daily
metric history (a backfill of its whole range, then a fresh `data/serving.duckdb`), creates a demo
project group with dashboard tokens, then starts the Dagster UI (`dagster dev`, schedules on,
SQLite storage in `.dagster_home/`) and the dashboard, and prints where to look. Ctrl-C stops
everything it started. `--smoke` checks that every address answers, from the processes the demo
started, and that the history is filled, then stops.

Run it with any Python: outside `.venv` it re-runs itself under `.venv/bin/python`. A port already
in use stops the demo before it starts anything, naming the port and the flag that changes it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"


def ensure_project_python() -> None:
    """Re-run this script under `.venv/bin/python` when this Python lacks the project; else say what to run."""
    if importlib.util.find_spec("operations") and importlib.util.find_spec("dagster"):
        return
    venv_python = VENV / "bin" / "python"
    if venv_python.exists() and Path(sys.prefix).resolve() != VENV.resolve():
        os.execv(str(venv_python), [str(venv_python), str(Path(__file__).resolve()), *sys.argv[1:]])
    raise SystemExit("demo: the project is not installed for this Python; run `make demo` "
                     "(it builds .venv first), or `make setup` and then `.venv/bin/python scripts/demo.py`")


ensure_project_python()

from operations.listeners import port_problem  # noqa: E402
from operations.processes import ProcessGroups, wait_for_http  # noqa: E402

BIN = Path(sys.executable).parent
CODE_LOCATION = ["-m", "orchestration.definitions"]
PORT_FLAGS = (("the sandbox", "sandbox_port"), ("the Dagster UI", "dagster_port"), ("the dashboard", "dashboard_port"))


def log(message: str) -> None:
    print(f"demo: {message}", flush=True)


def shown(path: Path) -> str:
    """`path` relative to the repository when it is inside it (`data/serving.duckdb`), else as given."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sandbox-port", type=int, default=8765)
    parser.add_argument("--dagster-port", type=int, default=3000)
    parser.add_argument("--dashboard-port", type=int, default=8501)
    parser.add_argument("--projects", type=int, default=25, help="sandbox projects per company")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data", help="warehouse, snapshot, access store, logs")
    parser.add_argument("--dagster-home", type=Path, default=ROOT / ".dagster_home")
    parser.add_argument("--smoke", action="store_true", help="start everything, check it answers, stop")
    return parser.parse_args(argv)


def check_ports(args: argparse.Namespace) -> None:
    """Stop at once, in one line, when a port is taken or given twice (before anything is started)."""
    problem = port_problem([(what, getattr(args, attr), "--" + attr.replace("_", "-")) for what, attr in PORT_FLAGS])
    if problem:
        raise SystemExit(f"demo: {problem}")


def run(args: list[str], env: dict[str, str]) -> str:
    """Run a command to completion; on failure print its output and stop the demo."""
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"demo: `{' '.join(Path(a).name if i == 0 else a for i, a in enumerate(args[:4]))} ...` "
                         f"failed (exit {result.returncode})")
    return result.stdout


def demo_environment(args: argparse.Namespace, sandbox_url: str) -> dict[str, str]:
    """The environment of every child: the sandbox's credentials, the demo's data dir and Dagster home."""
    args.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    args.dagster_home.mkdir(mode=0o700, parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "deploy" / "dagster" / "dagster.local.yaml", args.dagster_home / "dagster.yaml")
    env = dict(os.environ)
    env.update({
        "PROCORE_API_BASE_URL": sandbox_url,
        "PROCORE_LOGIN_BASE_URL": sandbox_url,
        "PROCORE_CLIENT_ID": "sandbox-client-id",
        "PROCORE_CLIENT_SECRET": "sandbox-client-secret",
        "PIPELINES_DATA_DIR": str(args.data_dir.resolve()),
        "DAGSTER_HOME": str(args.dagster_home.resolve()),
        "PIPELINES_SCHEDULES_RUNNING": "1",
        "DASHBOARD_PUBLIC_URL": f"http://localhost:{args.dashboard_port}/integrations/procore/iframe/",
        "DASHBOARD_FRAME_ANCESTORS": sandbox_url,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    })
    return env


def company_ids(sandbox_url: str) -> list[int]:
    with urllib.request.urlopen(f"{sandbox_url}/_sandbox/info", timeout=10) as response:
        info = json.load(response)
    return [int(c["id"]) for c in info["companies"]]


def fill_history(env: dict[str, str]) -> str:
    """Backfill every day of `marts/project_metrics_daily` (one run), then publish it to `serving.duckdb`.

    The `history_after_sync` sensor only reacts to syncs that end while the daemon runs, and the
    demo's first sync ends before `dagster dev` starts; without this the history chart stays empty.
    Returns the partition range filled.
    """
    try:
        with warnings.catch_warnings():  # Dagster's beta notices belong in the run logs, not on the demo's screen
            warnings.simplefilter("ignore")
            from orchestration.history_assets import history_partitions
        from pipeline_settings import PipelineSettings, SettingsError

        keys = history_partitions(PipelineSettings.from_env(env)).get_partition_keys()  # what the children read
    except SettingsError as exc:  # a malformed PIPELINES_HISTORY_START, say
        raise RuntimeError(str(exc)) from None
    partition_range = f"{keys[0]}...{keys[-1]}"
    run([str(BIN / "dagster"), "asset", "materialize", *CODE_LOCATION, "--select", "marts/project_metrics_daily",
         "--partition-range", partition_range], env)
    run([str(BIN / "dagster"), "job", "execute", *CODE_LOCATION, "-j", "publish_snapshot_job"], env)
    return partition_range


def served_history(data_dir: Path) -> tuple[int, int, str | None]:
    """(rows, projects, last day) of the daily history in the published snapshot."""
    import duckdb

    with duckdb.connect(str(data_dir / "serving.duckdb"), read_only=True) as con:
        rows, projects, last = con.execute("SELECT count(*), count(DISTINCT project_id), max(metric_date) "
                                           "FROM marts.project_metrics_daily").fetchone()
    return rows, projects, None if last is None else str(last)


def create_demo_access(env: dict[str, str], companies: list[int]) -> dict[str, str]:
    """A demo group of the first company's first projects, and a group and a company token."""
    import duckdb

    serving = Path(env["PIPELINES_DATA_DIR"]) / "serving.duckdb"
    with duckdb.connect(str(serving), read_only=True) as con:
        rows = con.execute(
            "SELECT project_id FROM marts.project_metrics WHERE company_id = ? ORDER BY project_id LIMIT 4",
            [companies[0]],
        ).fetchall()
    project_ids = ",".join(str(r[0]) for r in rows)
    cli = str(BIN / "procore-dashboard")
    groups = json.loads(run([cli, "groups", "list", "--json"], env) or "[]")
    group = next((g for g in groups if g["name"] == "Demo group"), None)
    if group is None:
        group = json.loads(run([cli, "groups", "create", "--name", "Demo group", "--company",
                                str(companies[0]), "--projects", project_ids, "--json"], env))
    urls: dict[str, str] = {}
    for kind, flag, resource in (("group", "--group", group["id"]), ("company", "--company", companies[0])):
        run([cli, "tokens", "revoke", flag, str(resource)], env)  # a fresh token per demo start
        generated = json.loads(run([cli, "tokens", "generate", flag, str(resource), "--json"], env))
        urls[kind] = generated[0]["url"]
    return urls


def start_demo(args: argparse.Namespace, procs: ProcessGroups) -> None:
    """Start everything, print where to look; with `--smoke`, check and return."""
    sandbox_url = f"http://127.0.0.1:{args.sandbox_port}"
    log(f"starting the Procore sandbox on {sandbox_url}")
    sandbox = procs.start("sandbox", [str(BIN / "procore-sandbox"), "--port", str(args.sandbox_port),
                                      "--companies", "2", "--projects", str(args.projects),
                                      "--rate-limit-spike", "1000"], dict(os.environ), ROOT)
    wait_for_http(f"{sandbox_url}/_sandbox/info", "the sandbox", child=sandbox, port=args.sandbox_port)
    env = demo_environment(args, sandbox_url)
    companies = company_ids(sandbox_url)
    env["PROCORE_COMPANY_IDS"] = ",".join(str(c) for c in companies)

    log(f"first full sync (weekly_full_sync) into {shown(args.data_dir / 'warehouse.duckdb')} ...")
    started = time.monotonic()
    run([str(BIN / "dagster"), "job", "execute", *CODE_LOCATION, "-j", "weekly_full_sync"], env)
    filled = fill_history(env)
    log(f"full sync and daily history ({filled}) done in {time.monotonic() - started:.0f} s; "
        f"snapshot at {shown(args.data_dir / 'serving.duckdb')}")

    urls = create_demo_access(env, companies)
    dagster = procs.start("dagster", [str(BIN / "dagster"), "dev", *CODE_LOCATION, "-h", "127.0.0.1",
                                      "-p", str(args.dagster_port)], env, ROOT)
    dashboard = procs.start("dashboard", [str(BIN / "procore-dashboard"), "serve", "--port",
                                          str(args.dashboard_port), "--address", "127.0.0.1"], env, ROOT)
    dagster_url = f"http://127.0.0.1:{args.dagster_port}"
    wait_for_http(f"http://localhost:{args.dashboard_port}/integrations/procore/iframe/_stcore/health",
                  "the dashboard", child=dashboard, port=args.dashboard_port)
    wait_for_http(f"{dagster_url}/server_info", "the Dagster UI", timeout=180, child=dagster, port=args.dagster_port)
    host_page = f"{sandbox_url}/procore/host?dashboard={urllib.request.quote(urls['group'], safe='')}"
    print(
        "\nProcore Pipelines is running on the embedded default:\n"
        f"  Dagster UI (jobs, schedules, asset checks):  {dagster_url}\n"
        f"  Procore host page (the app as users see it): {host_page}\n"
        f"  Dashboard, demo group token:                 {urls['group']}\n"
        f"  Dashboard, company token:                    {urls['company']}\n"
        f"  Procore sandbox API (client id sandbox-client-id): {sandbox_url}\n"
        f"  Logs: {procs.log_dir.resolve()}\n"
        "Tokens are shown once; `procore-dashboard tokens generate` makes more. Ctrl-C stops it all.",
        flush=True,
    )
    if args.smoke:
        wait_for_http(host_page, "the host page", child=sandbox, port=args.sandbox_port)
        rows, projects, last = served_history(args.data_dir)
        if not rows or last != filled.rsplit("...", 1)[1]:
            raise RuntimeError(f"the daily history in serving.duckdb is not filled ({rows} rows, last day {last})")
        log(f"history: {rows} rows for {projects} projects up to {last}")
        log("smoke check passed")
        return
    while not procs.dead():
        time.sleep(1)
    raise SystemExit(f"demo: {', '.join(c.name for c in procs.dead())} stopped; see {procs.log_dir}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    os.umask(0o077)  # every file the demo and its children create is the user's only
    check_ports(args)
    procs = ProcessGroups(args.data_dir / "logs")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        start_demo(args, procs)
    except KeyboardInterrupt:
        pass
    except RuntimeError as exc:
        raise SystemExit(f"demo: {exc}") from None
    finally:
        for child in reversed(procs.children):
            if child.alive:
                log(f"stopping {child.name}")
        procs.stop_all()


if __name__ == "__main__":
    main()
