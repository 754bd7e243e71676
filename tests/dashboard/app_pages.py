"""AppTest helpers of the dashboard tests: run the app with query parameters, read what a page shows."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.views import PAGE_CSS, REFUSAL_TEXT, REFUSAL_TITLE

APP_PATH = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


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
        parts += [str(e.value) for e in getattr(at, kind) if e.value != PAGE_CSS]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [b.label for b in at.button]
    for df in at.dataframe:
        parts.append(df.value.to_csv())
    return "\n".join(parts)


def open_buttons(at: AppTest) -> set[int]:
    """Project ids of the list's "View dashboard" buttons."""
    return {int(b.key.removeprefix("open_")) for b in at.button if b.key and b.key.startswith("open_")}


def assert_refused_page(at: AppTest) -> None:
    """The one refusal page and nothing else: no traceback, no project name, id, count, button or figure."""
    assert not at.exception
    assert [t.value for t in at.title] == [REFUSAL_TITLE]
    assert page_text(at) == f"{REFUSAL_TITLE}\n{REFUSAL_TEXT}"
    assert not at.button and not at.metric and not at.dataframe
