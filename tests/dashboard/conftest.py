"""Dashboard test fixtures: a hand-built serving snapshot, an access store, and AppTest helpers."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(Path(__file__).parent))
from serving_fixture import build_serving  # noqa: E402

from dashboard.store import AccessStore  # noqa: E402
from dashboard.views import REFUSAL_TEXT, REFUSAL_TITLE  # noqa: E402

APP_PATH = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@dataclass
class DashEnv:
    """A data dir with `serving.duckdb` and `dashboard.db`, and the environment pointing at them."""

    data_dir: Path
    store: AccessStore

    @property
    def serving(self) -> Path:
        return self.data_dir / "serving.duckdb"

    def token(self, resource_type: str, resource_id: int) -> str:
        """A fresh token for a resource (rotating away any live one)."""
        return self.store.rotate(resource_type, resource_id)[0]

    def group_token(self, project_ids: list[int], company_id: int = 1, name: str = "Group") -> tuple[int, str]:
        """Create a group and return (group id, its token)."""
        group = self.store.create_group(name, company_id, project_ids)
        return group.id, self.token("ProjectGroup", group.id)


@pytest.fixture(scope="session")
def serving_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default fixture snapshot, built once per session and copied into each test."""
    return build_serving(tmp_path_factory.mktemp("serving") / "serving.duckdb")


@pytest.fixture
def dash_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, serving_template: Path) -> Iterator[DashEnv]:
    """The default fixture snapshot (companies 1 and 2) and an empty SQLite access store."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copyfile(serving_template, data_dir / "serving.duckdb")
    url = f"sqlite:///{data_dir / 'dashboard.db'}"
    monkeypatch.setenv("PIPELINES_DATA_DIR", str(data_dir))
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", url)
    monkeypatch.delenv("DASHBOARD_PUBLIC_URL", raising=False)
    store = AccessStore(url)
    store.create_all()
    yield DashEnv(data_dir, store)
    store.engine.dispose()


@dataclass
class Served:
    """A sandbox (serving the host page) and a dashboard process on another origin, with tokens."""

    sandbox: object
    dashboard: object
    data_dir: Path
    group_token: str
    group_projects: tuple[int, ...]
    company_token: str

    def host_url(self, token: str, project_id: int | str | None = None, projects: str = "") -> str:
        """The sandbox host page embedding the dashboard from `localhost` (the sandbox is on 127.0.0.1)."""
        params = {"dashboard_url": self.dashboard.url("localhost"), "api_token": token}
        if project_id is not None:
            params["project_id"] = str(project_id)
        if projects:
            params["projects"] = projects
        return f"{self.sandbox.url}/host?{urlencode(params)}"


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One sandbox and one dashboard process for the session's served and browser tests."""
    from servers import start_dashboard

    from procore_source.sandbox.options import SandboxOptions
    from procore_source.sandbox.server import start_sandbox

    data_dir = tmp_path_factory.mktemp("served")
    build_serving(data_dir / "serving.duckdb")
    store = AccessStore(f"sqlite:///{data_dir / 'dashboard.db'}")
    store.create_all()
    group = store.create_group("Harbor and Riverside", 1, [101, 102])
    group_token = store.generate_token("ProjectGroup", group.id)[0]
    company_token = store.generate_token("Company", 1)[0]
    store.engine.dispose()
    sandbox = start_sandbox(SandboxOptions(seed=1, companies=1, projects=2, records_per_project=1))
    try:
        dashboard = start_dashboard(data_dir, frame_ancestors=sandbox.url)
    except Exception:
        sandbox.stop()
        raise
    yield Served(sandbox, dashboard, data_dir, group_token, (101, 102), company_token)
    dashboard.stop()
    sandbox.stop()


def run_app(**params: str) -> AppTest:
    """Run the app once with these query parameters."""
    at = AppTest.from_file(APP_PATH, default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def page_text(at: AppTest) -> str:
    """Every piece of text the page shows (titles, markdown, captions, alerts, metrics, buttons)."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success",
                 "text"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [b.label for b in at.button]
    for df in at.dataframe:
        parts.append(df.value.to_csv())
    return "\n".join(parts)


def open_buttons(at: AppTest) -> set[int]:
    """Project ids of the list's "View dashboard" buttons."""
    return {int(b.key.removeprefix("open_")) for b in at.button if b.key and b.key.startswith("open_")}


def assert_refused_page(at: AppTest) -> None:
    """The one refusal page: no traceback, no project name, id or count."""
    assert not at.exception
    assert [t.value for t in at.title] == [REFUSAL_TITLE]
    text = page_text(at)
    assert REFUSAL_TEXT in text
    for leak in ("Harbor", "Riverside", "Secret", "101", "102", "201", "Projects"):
        assert leak not in text
    assert not at.button and not at.metric
