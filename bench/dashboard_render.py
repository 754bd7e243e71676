"""Dashboard benchmark: server-side render times and the requests/second one process sustains.

Measures, on a synthetic serving snapshot (default 1,000 projects in one company, a year of daily
history and 52 weeks of RFI figures per project, 40 cost codes each):
  1. project list render for a company token over all projects (Streamlit AppTest: the whole
     script run, token check by digest, scope resolution, queries and element tree), warm cache;
  2. project dashboard render (same, one project), warm cache, cycling over 5 projects;
  3. the same two with a cold query cache (first view after a publish);
  4. HTTP requests/second of one `procore-dashboard serve` process (GET of the health endpoint
     and of the app's index page, 8 client threads).
1-3 are the script's own run time as the app records it (`st.session_state["_render_seconds"]`:
from `set_page_config` to the last element), i.e. the server-side work of one rerun; AppTest's
own overhead (about 1 s per run scanning installed packages for components, polling) is excluded.

    .venv/bin/python bench/dashboard_render.py [--projects 1000] [--runs 30] [--seconds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench"), str(REPO / "tests" / "dashboard")]

from servers import start_dashboard  # noqa: E402
from serving_fixture import build_serving, many_projects  # noqa: E402

from dashboard.access_store import AccessStore  # noqa: E402


def _stats(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   (n={len(ordered)})"


def _render_times(token: str, project_ids: list[int | None], runs: int, cold: bool) -> list[float]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    app = str(REPO / "dashboard" / "app.py")
    times = []
    for i in range(runs):
        if cold:
            st.cache_data.clear()
        at = AppTest.from_file(app, default_timeout=60)
        at.query_params["api_token"] = token
        pid = project_ids[i % len(project_ids)]
        if pid is not None:
            at.query_params["project_id"] = str(pid)
        at.run()
        assert not at.exception, at.exception
        times.append(at.session_state["_render_seconds"])
    return times


def _http_rps(url: str, seconds: float, threads: int = 8) -> float:
    count = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        with requests.Session() as s:
            n = 0
            while time.monotonic() < stop:
                s.get(url, timeout=10).raise_for_status()
                n += 1
        with lock:
            count[0] += n

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return count[0] / seconds


def main() -> None:
    """Build the snapshot, run the measurements, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        start = time.perf_counter()
        projects = many_projects(args.projects, days=365, weeks=52, cost_codes=40, rfis=40, submittals=30)
        build_serving(data / "serving.duckdb", projects)
        size_mb = (data / "serving.duckdb").stat().st_size / 1e6
        print(f"snapshot: {args.projects} projects, {size_mb:.1f} MB, built in {time.perf_counter() - start:.1f} s")
        url = f"sqlite:///{data / 'dashboard.db'}"
        os.environ.update(PIPELINES_DATA_DIR=str(data), DASHBOARD_DATABASE_URL=url)
        store = AccessStore(url)
        store.create_all()
        token = store.generate_token("Company", 1)[0]

        ids = [p.project_id for p in projects]
        _render_times(token, [None, *ids[:5]], 6, cold=False)  # imports loaded, caches primed
        print(f"list of {args.projects} projects, warm  : {_stats(_render_times(token, [None], args.runs, False))}")
        print(f"project dashboard, warm        : {_stats(_render_times(token, ids[:5], args.runs, False))}")
        print(f"list, cold query cache         : {_stats(_render_times(token, [None], max(5, args.runs // 3), True))}")
        print(f"project dashboard, cold cache  : "
              f"{_stats(_render_times(token, ids[50:], max(5, args.runs // 3), True))}")

        served = start_dashboard(data, frame_ancestors="http://127.0.0.1:1")
        try:
            base = served.url("127.0.0.1")
            print(f"HTTP GET _stcore/health        : {_http_rps(base + '_stcore/health', args.seconds):7.0f} req/s")
            print(f"HTTP GET index page            : {_http_rps(base, args.seconds):7.0f} req/s")
        finally:
            served.stop()


if __name__ == "__main__":
    main()
