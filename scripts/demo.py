"""`make demo`: the whole product on its embedded default, on this machine, in one command.

Starts the Procore sandbox, runs a first full sync into `data/warehouse.duckdb` (publishing
`data/serving.duckdb`), creates a demo project group with dashboard tokens, then starts the Dagster
UI (`dagster dev`, schedules on, SQLite storage in `.dagster_home/`) and the dashboard, and prints
where to look. Ctrl-C stops everything it started. `--smoke` checks every address answers and exits.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def log(message: str) -> None:
    print(f"demo: {message}", flush=True)


def wait_for(url: str, what: str, timeout: float = 90.0) -> None:
    """Poll `url` until it answers 2xx/3xx or `timeout` passes."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status < 400:
                    return
        except Exception as exc:  # noqa: BLE001 - any failure means "not up yet"
            last_error = exc
        time.sleep(0.5)
    raise SystemExit(f"demo: {what} did not start at {url} within {timeout:.0f} s ({last_error})")


class Processes:
    """Child processes, each in its own process group so stopping one stops its children."""

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, args: list[str], env: dict[str, str], log_dir: Path) -> subprocess.Popen:
        out = open(log_dir / f"{name}.log", "ab")  # noqa: SIM115 - lives as long as the child
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.children.append((name, proc))
        return proc

    def stop(self) -> None:
        for name, proc in reversed(self.children):
            if proc.poll() is None:
                log(f"stopping {name}")
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=15)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)


def run(args: list[str], env: dict[str, str]) -> str:
    """Run a command to completion; on failure print its output and stop the demo."""
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"demo: `{' '.join(args[:4])} ...` failed (exit {result.returncode})")
    return result.stdout


def demo_environment(args: argparse.Namespace, sandbox_url: str) -> dict[str, str]:
    data_dir = ROOT / "data"
    dagster_home = ROOT / ".dagster_home"
    data_dir.mkdir(exist_ok=True)
    dagster_home.mkdir(exist_ok=True)
    shutil.copyfile(ROOT / "deploy" / "dagster" / "dagster.local.yaml", dagster_home / "dagster.yaml")
    env = dict(os.environ)
    env.update(
        {
            "PROCORE_API_BASE_URL": sandbox_url,
            "PROCORE_LOGIN_BASE_URL": sandbox_url,
            "PROCORE_CLIENT_ID": "sandbox-client-id",
            "PROCORE_CLIENT_SECRET": "sandbox-client-secret",
            "PIPELINES_DATA_DIR": str(data_dir),
            "DAGSTER_HOME": str(dagster_home),
            "PIPELINES_SCHEDULES_RUNNING": "1",
            "DASHBOARD_PUBLIC_URL": f"http://localhost:{args.dashboard_port}/integrations/procore/iframe/",
            "DASHBOARD_FRAME_ANCESTORS": sandbox_url,
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        }
    )
    return env


def company_ids(sandbox_url: str) -> list[int]:
    with urllib.request.urlopen(f"{sandbox_url}/_sandbox/info", timeout=10) as response:
        info = json.load(response)
    return [int(c["id"]) for c in info["companies"]]


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sandbox-port", type=int, default=8765)
    parser.add_argument("--dagster-port", type=int, default=3000)
    parser.add_argument("--dashboard-port", type=int, default=8501)
    parser.add_argument("--projects", type=int, default=25, help="sandbox projects per company")
    parser.add_argument("--smoke", action="store_true", help="start everything, check it answers, stop")
    args = parser.parse_args()

    sandbox_url = f"http://127.0.0.1:{args.sandbox_port}"
    log_dir = ROOT / "data" / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    procs = Processes()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        log(f"starting the Procore sandbox on {sandbox_url}")
        procs.start("sandbox", [str(BIN / "procore-sandbox"), "--port", str(args.sandbox_port),
                                "--companies", "2", "--projects", str(args.projects),
                                "--rate-limit-spike", "1000"], dict(os.environ), log_dir)
        wait_for(f"{sandbox_url}/_sandbox/info", "the sandbox")
        env = demo_environment(args, sandbox_url)
        companies = company_ids(sandbox_url)
        env["PROCORE_COMPANY_IDS"] = ",".join(str(c) for c in companies)

        log("first full sync (weekly_full_sync) into data/warehouse.duckdb ...")
        started = time.monotonic()
        run([str(BIN / "dagster"), "job", "execute", "-m", "orchestration.definitions",
             "-j", "weekly_full_sync"], env)
        log(f"full sync done in {time.monotonic() - started:.0f} s; snapshot at data/serving.duckdb")

        urls = create_demo_access(env, companies)
        procs.start("dagster", [str(BIN / "dagster"), "dev", "-m", "orchestration.definitions",
                                "-h", "127.0.0.1", "-p", str(args.dagster_port)], env, log_dir)
        procs.start("dashboard", [str(BIN / "procore-dashboard"), "serve", "--port",
                                  str(args.dashboard_port), "--address", "127.0.0.1"], env, log_dir)
        dagster_url = f"http://127.0.0.1:{args.dagster_port}"
        dashboard_health = f"http://localhost:{args.dashboard_port}/integrations/procore/iframe/_stcore/health"
        wait_for(dashboard_health, "the dashboard")
        wait_for(f"{dagster_url}/server_info", "the Dagster UI", timeout=180)
        host_page = f"{sandbox_url}/procore/host?dashboard={urllib.request.quote(urls['group'], safe='')}"
        print(
            "\nProcore Pipelines is running on the embedded default:\n"
            f"  Dagster UI (jobs, schedules, asset checks):  {dagster_url}\n"
            f"  Procore host page (the app as users see it): {host_page}\n"
            f"  Dashboard, demo group token:                 {urls['group']}\n"
            f"  Dashboard, company token:                    {urls['company']}\n"
            f"  Procore sandbox API (client id sandbox-client-id): {sandbox_url}\n"
            f"  Logs: {log_dir}\n"
            "Tokens are shown once; `procore-dashboard tokens generate` makes more. Ctrl-C stops it all.",
            flush=True,
        )
        if args.smoke:
            wait_for(host_page, "the host page")
            log("smoke check passed")
            return
        while all(proc.poll() is None for _, proc in procs.children):
            time.sleep(1)
        dead = [name for name, proc in procs.children if proc.poll() is not None]
        raise SystemExit(f"demo: {', '.join(dead)} stopped; see {log_dir}")
    except KeyboardInterrupt:
        pass
    finally:
        procs.stop()


if __name__ == "__main__":
    main()
