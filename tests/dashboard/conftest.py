"""Dashboard test fixtures: a serving snapshot made by the real pipeline from a small sandbox (built once per
session, see `real_snapshot`), an access store per test, and the served app. The AppTest helpers are in
`app_pages` (a module of its own name: a `conftest` import clashes with other folders' conftest files)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from real_snapshot import RealSnapshot, build_real_snapshot  # noqa: E402

from dashboard.access_store import AccessStore  # noqa: E402
from procore_sandbox.options import SandboxOptions  # noqa: E402
from procore_sandbox.server import start_sandbox  # noqa: E402

# Big enough for the edge cases `real_snapshot` makes (6 readable projects a company, 2 forbidden/hidden).
DASHBOARD_SANDBOX = SandboxOptions(seed=42, companies=2, projects=8, records_per_project=10,
                                   rate_limit_hourly=100_000, rate_limit_spike=10_000)


@pytest.fixture(scope="session")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealSnapshot]:
    """The session's sandbox (it also serves the host page) and the snapshot the real pipeline made of it."""
    sandbox = start_sandbox(DASHBOARD_SANDBOX)
    try:
        yield build_real_snapshot(sandbox, tmp_path_factory.mktemp("real-snapshot"))
    finally:
        sandbox.stop()


@dataclass
class DashEnv:
    """A data dir with the real `serving.duckdb` and an empty `dashboard.db`, and the environment pointing at them."""

    data_dir: Path
    store: AccessStore
    real: RealSnapshot

    @property
    def serving(self) -> Path:
        return self.data_dir / "serving.duckdb"

    def token(self, resource_type: str, resource_id: int) -> str:
        """A fresh token for a resource (rotating away any live one)."""
        return self.store.rotate(resource_type, resource_id)[0]

    def group_token(self, project_ids: list[int], company_id: int | None = None,
                    name: str = "Group") -> tuple[int, str]:
        """Create a group (of the snapshot's first company unless told) and return (group id, its token)."""
        group = self.store.create_group(name, company_id or self.real.company, project_ids)
        return group.id, self.token("ProjectGroup", group.id)


@pytest.fixture
def dash_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, real: RealSnapshot) -> Iterator[DashEnv]:
    """A copy of the real snapshot and an empty SQLite access store."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copyfile(real.template, data_dir / "serving.duckdb")
    url = f"sqlite:///{data_dir / 'dashboard.db'}"
    monkeypatch.setenv("PIPELINES_DATA_DIR", str(data_dir))
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", url)
    monkeypatch.delenv("DASHBOARD_PUBLIC_URL", raising=False)
    store = AccessStore(url)
    store.create_all()
    yield DashEnv(data_dir, store, real)
    store.engine.dispose()


@dataclass
class Served:
    """The session's sandbox (serving the host page) and a dashboard process on another origin, with tokens."""

    sandbox: object
    dashboard: object
    data_dir: Path
    real: RealSnapshot
    group_token: str
    group_projects: tuple[int, ...]
    company_token: str

    @property
    def store(self) -> AccessStore:
        """The served access store (a new engine each time; dispose it)."""
        return AccessStore(f"sqlite:///{self.data_dir / 'dashboard.db'}")

    def host_url(self, token: str, project_id: int | str | None = None, projects: str = "") -> str:
        """The sandbox host page embedding the dashboard from `localhost` (the sandbox is on 127.0.0.1)."""
        params = {"dashboard_url": self.dashboard.url("localhost"), "api_token": token}
        if project_id is not None:
            params["project_id"] = str(project_id)
        if projects:
            params["projects"] = projects
        return f"{self.sandbox.url}/host?{urlencode(params)}"


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory, real: RealSnapshot) -> Iterator[Served]:
    """One dashboard process on the real snapshot for the session's served and browser tests."""
    from servers import start_dashboard

    data_dir = tmp_path_factory.mktemp("served")
    shutil.copyfile(real.template, data_dir / "serving.duckdb")
    store = AccessStore(f"sqlite:///{data_dir / 'dashboard.db'}")
    store.create_all()
    group = store.create_group("Main and second", real.company, [real.main, real.second])
    group_token = store.generate_token("ProjectGroup", group.id)[0]
    company_token = store.generate_token("Company", real.company)[0]
    store.engine.dispose()
    dashboard = start_dashboard(data_dir, frame_ancestors=real.sandbox.url)
    yield Served(real.sandbox, dashboard, data_dir, real, group_token, (real.main, real.second), company_token)
    dashboard.stop()
