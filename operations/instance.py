"""A production Dagster home: `dagster.yaml` from `deploy/dagster/dagster.prod.yaml`, pool limits set.

`prepare_dagster_home` copies the production instance config (PostgreSQL storage from the
`DAGSTER_PG_*` environment, run queue, `duckdb` pool limit 1, run monitoring) into `DAGSTER_HOME`,
optionally tightening run monitoring (tests poll every few seconds instead of every 30), and
records the `duckdb` pool limit explicitly in the instance's storage.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

DEPLOY_DIR = Path(__file__).resolve().parents[1] / "deploy"  # the checkout's deploy/ folder
PROD_YAML = DEPLOY_DIR / "dagster" / "dagster.prod.yaml"
POOL = "duckdb"
POOL_LIMIT = 1


def instance_config(run_monitoring: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The production `dagster.yaml` as a dict, with `run_monitoring` keys overridden."""
    config = yaml.safe_load(PROD_YAML.read_text())
    if run_monitoring:
        config["run_monitoring"] = {**config["run_monitoring"], **run_monitoring}
    return config


def prepare_dagster_home(home: Path, env: Mapping[str, str],
                         run_monitoring: Mapping[str, Any] | None = None) -> Path:
    """Write `<home>/dagster.yaml` and set the `duckdb` pool limit; `env` holds the `DAGSTER_PG_*` settings."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / "dagster.yaml"
    path.write_text(yaml.safe_dump(instance_config(run_monitoring), sort_keys=False))
    set_pool_limit(home, env)
    return path


def set_pool_limit(home: Path, env: Mapping[str, str], pool: str = POOL, limit: int = POOL_LIMIT) -> None:
    """Record `pool`'s limit in the instance's storage (what `dagster instance concurrency set` does)."""
    import dagster as dg

    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the yaml reads DAGSTER_PG_* through the environment
    try:
        with dg.DagsterInstance.from_config(str(home)) as instance:
            instance.event_log_storage.set_concurrency_slots(pool, limit)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
