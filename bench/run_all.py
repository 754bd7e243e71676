"""`make bench`: every benchmark in sequence, with the arguments `BENCHMARKS.md` records.

Each script prints its own figures; this runner only starts them one after another (they would
distort each other on a 2-core machine if run together) and stops at the first failure.
`--quick` runs each on a small scale, to check they work rather than to measure.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent

FULL = [
    ["client_read.py"],
    ["sandbox_serve.py", "--projects", "2000", "--records", "50"],
    ["ingest_full_sync.py"],
    ["transforms_large.py"],
    ["dashboard_render.py", "--runs", "30", "--seconds", "5"],
    ["webhooks_requests.py", "--projects", "1000", "--latency-samples", "10"],
    ["soak.py", "--cycles", "48"],
]
QUICK = [
    ["client_read.py", "--projects", "20", "--records", "20", "--repeat", "1"],
    ["sandbox_serve.py", "--projects", "100", "--records", "20"],
    ["ingest_full_sync.py", "--runs", "1", "--projects", "100", "--upsert-rows", "50000"],
    ["transforms_large.py", "--rfis", "100000"],
    ["dashboard_render.py", "--runs", "3", "--seconds", "1"],
    ["webhooks_requests.py", "--projects", "100", "--latency-samples", "2"],
    ["soak.py", "--cycles", "4"],
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small scale: checks the scripts run")
    args = parser.parse_args()
    for command in QUICK if args.quick else FULL:
        print(f"\n=== bench/{' '.join(command)}", flush=True)
        started = time.monotonic()
        result = subprocess.run([sys.executable, str(BENCH / command[0]), *command[1:]], cwd=BENCH.parent)
        print(f"=== {command[0]}: exit {result.returncode} after {time.monotonic() - started:.0f} s", flush=True)
        if result.returncode != 0:
            return result.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
