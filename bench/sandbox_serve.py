"""Benchmark the sandbox itself: start-up time, lazy generation cost, and how fast it serves pages.

Run: `.venv/bin/python bench/sandbox_serve.py [--projects 1000] [--records 50]` (projects per company, 2 companies).
Prints figures; the server must not be what limits a client benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import requests

from procore_sandbox.app import build_app
from procore_sandbox.options import SandboxOptions
from procore_sandbox.server import start_sandbox


def server_cpu_per_request(sandbox, project_id: int, company_id: int, token: str, count: int = 500) -> dict:
    """Server-side CPU per request, calling the ASGI app in-process (no sockets, no client)."""
    app = build_app(sandbox.state)

    async def call(path: str, query: bytes) -> None:
        scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": query,
                 "root_path": "", "scheme": "http", "server": ("127.0.0.1", 1), "client": ("127.0.0.1", 2),
                 "http_version": "1.1", "asgi": {"version": "3.0"},
                 "headers": [(b"host", b"127.0.0.1:1"), (b"authorization", f"Bearer {token}".encode()),
                             (b"procore-company-id", str(company_id).encode())]}

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:
            return None

        await app(scope, receive, send)

    async def run(path: str, query: bytes) -> None:
        for _ in range(count):
            await call(path, query)

    figures = {}
    for label, path, query in (("rfis page", f"/rest/v1.0/projects/{project_id}/rfis", b"per_page=1000"),
                               ("/me", "/rest/v1.0/me", b"")):
        started = time.process_time()
        asyncio.run(run(path, query))
        figures[label] = 1e6 * (time.process_time() - started) / count
    return figures


def main() -> None:
    """Start a scaled sandbox, warm it, then read every RFI page of every readable project."""
    p = argparse.ArgumentParser()
    p.add_argument("--projects", type=int, default=1000)
    p.add_argument("--records", type=int, default=50)
    args = p.parse_args()
    options = SandboxOptions(projects=args.projects, records_per_project=args.records,
                             rate_limit_hourly=10**9, rate_limit_spike=10**9)
    started = time.perf_counter()
    sandbox = start_sandbox(options)
    print(f"start-up ({2 * args.projects} projects): {time.perf_counter() - started:.2f} s")
    try:
        cpu_before = time.process_time()
        warm = sandbox.warm()
        print(f"generate every project's records (/_sandbox/warm): {warm['seconds']:.2f} s wall, "
              f"{time.process_time() - cpu_before:.2f} s CPU")
        started = time.perf_counter()
        rfis = sandbox.records("rfis")
        print(f"list every RFI ({len(rfis)}) via /_sandbox/records: {time.perf_counter() - started:.2f} s")
        session = requests.Session()
        token = session.post(f"{sandbox.url}/oauth/token", data={
            "grant_type": "client_credentials", "client_id": sandbox.client_id,
            "client_secret": sandbox.client_secret}).json()["access_token"]
        info = sandbox.info()
        unreadable = set(info["forbidden_project_ids"]) | set(info["hidden_project_ids"])
        projects = [(r["company_id"], r["record"]["id"]) for r in sandbox.records("projects")
                    if r["record"]["id"] not in unreadable]
        requests_made = records = 0
        started = time.perf_counter()
        for company_id, pid in projects:
            headers = {"Authorization": f"Bearer {token}", "Procore-Company-Id": str(company_id)}
            body = session.get(f"{sandbox.url}/rest/v1.0/projects/{pid}/rfis", params={"per_page": 1000},
                               headers=headers).json()
            requests_made += 1
            records += len(body)
        elapsed = time.perf_counter() - started
        print(f"served {requests_made} list requests, {records} RFIs in {elapsed:.2f} s: "
              f"{requests_made / elapsed:.0f} requests/s, {records / elapsed:.0f} records/s (warm, one connection)")
        cpu = server_cpu_per_request(sandbox, projects[0][1], projects[0][0], token)
        print("server CPU per request (in-process ASGI): "
              + ", ".join(f"{label} {micros:.0f} us" for label, micros in cpu.items()))
        small = 2000
        started = time.perf_counter()
        for _ in range(small):
            session.get(f"{sandbox.url}/rest/v1.0/me", headers=headers)
        elapsed = time.perf_counter() - started
        print(f"{small} small requests (/me): {small / elapsed:.0f} requests/s, {1000 * elapsed / small:.2f} ms each")
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main()
