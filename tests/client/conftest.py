"""Client-test fixtures: `make_client(sandbox, **settings)` builds a `ProcoreClient` aimed at a sandbox.

Retries back off in milliseconds here so failure paths stay fast; everything else is the real client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from procore_source.client import ProcoreClient
from procore_source.settings import ProcoreSettings

FAST = {"retry_backoff": 0.01, "max_retries": 2, "read_timeout": 5.0, "connect_timeout": 2.0,
        "max_rate_limit_wait": 30.0}


@pytest.fixture
def make_client() -> Iterator[Callable[..., ProcoreClient]]:
    """Factory: `make_client(sandbox, token_store=None, **setting_overrides)`; clients are closed at teardown."""
    clients: list[ProcoreClient] = []

    def make(sandbox: Any, token_store: Any = None, **overrides: Any) -> ProcoreClient:
        base = ProcoreSettings.from_env(sandbox.env())
        values = {**{k: getattr(base, k) for k in base.__dataclass_fields__}, **FAST, **overrides}
        client = ProcoreClient(ProcoreSettings(**values), token_store=token_store)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def project_ids(sandbox: Any, company_id: int) -> list[int]:
    """Readable project ids of a company (neither forbidden nor hidden), from the sandbox's own records."""
    info = sandbox.info()
    blocked = set(info["forbidden_project_ids"]) | set(info["hidden_project_ids"])
    return sorted(r["record"]["id"] for r in sandbox.records("projects")
                  if r["company_id"] == company_id and r["record"]["id"] not in blocked and not r["deleted_at"])


def live_ids(sandbox: Any, resource: str, project_id: int) -> list[int]:
    """Ids of the live records of `resource` in a project, per the sandbox."""
    return sorted(r["record"]["id"] for r in sandbox.records(resource)
                  if r["project_id"] == project_id and not r["deleted_at"])


def rest_requests(stats: dict, path: str) -> int:
    """Requests the sandbox served for one route template."""
    return stats["by_path"].get(path, 0)


@pytest.fixture
def helpers() -> Any:
    """The helper functions above, for test modules (conftest modules cannot be imported under importlib mode)."""
    from types import SimpleNamespace

    return SimpleNamespace(project_ids=project_ids, live_ids=live_ids, rest_requests=rest_requests)
