"""Rebuild a lost or corrupted `warehouse.duckdb` by a full sync, in one command.

    .venv/bin/python -m operations.rebuild      (with the production environment)

Moves `warehouse.duckdb` (and its `.wal`) aside as `warehouse.duckdb.lost-<UTC time>` (never deletes
it: it may still be worth a look), then runs `dagster job execute -m orchestration.definitions -j
weekly_full_sync`, which re-reads every stream from Procore into a new warehouse and publishes a
new `serving.duckdb`. The dashboard keeps serving the previous snapshot until then. With
`DAGSTER_HOME` set, the run is recorded in the instance (it shows in the Dagster UI).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from pipeline_settings import variables

WAREHOUSE = "warehouse.duckdb"


def move_aside(data_dir: Path, now: datetime | None = None) -> list[Path]:
    """Rename the warehouse file and its write-ahead log out of the way; the new names."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    moved = []
    for name in (WAREHOUSE, f"{WAREHOUSE}.wal"):
        path = data_dir / name
        if path.exists():
            target = data_dir / f"{name}.lost-{stamp}"
            path.rename(target)
            moved.append(target)
    return moved


def full_sync_command() -> list[str]:
    """`dagster job execute` of `weekly_full_sync`, with the dagster of this Python environment."""
    return [str(Path(sys.executable).parent / "dagster"), "job", "execute", "-m", "orchestration.definitions",
            "-j", "weekly_full_sync"]


def main(argv: list[str] | None = None) -> int:
    """Move the warehouse aside and run the full sync; the full sync's exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=variables.data_dir(os.environ),
                        help="the folder holding warehouse.duckdb (default: PIPELINES_DATA_DIR or ./data)")
    args = parser.parse_args(argv)
    data_dir = args.data_dir.resolve()
    if not data_dir.is_dir():
        print(f"rebuild: {data_dir} is not a folder (set PIPELINES_DATA_DIR or --data-dir)", file=sys.stderr)
        return 2
    for path in move_aside(data_dir):
        print(f"rebuild: moved the old warehouse aside to {path}", flush=True)
    env = {**os.environ, "PIPELINES_DATA_DIR": str(data_dir)}
    print("rebuild: running weekly_full_sync (full re-read of every stream) ...", flush=True)
    result = subprocess.run(full_sync_command(), env=env)
    if result.returncode == 0:
        print(f"rebuild: done: {data_dir / WAREHOUSE} rebuilt and serving.duckdb republished", flush=True)
    else:
        print(f"rebuild: weekly_full_sync failed (exit {result.returncode}); see the output above", file=sys.stderr)
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
