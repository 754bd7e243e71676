"""Take the README's two screenshots from a running demo, through the sandbox's cross-origin host page.

    make demo        # prints the host page URL and the dashboard URLs (with tokens)
    .venv/bin/python scripts/screenshots.py --host-url 'http://127.0.0.1:8765/procore/host?dashboard=...'
    .venv/bin/python scripts/screenshots.py --host-url 'http://127.0.0.1:8765/procore/host' \\
        --dashboard-url 'http://localhost:8501/integrations/procore/iframe/?api_token=ppd_...' [--project-id ID]

Writes `docs/dashboard-list.png` (the token's project list inside the host page) and
`docs/dashboard-project.png` (one project's dashboard: `--project-id`, else the list's project with the
most overdue RFIs). `--dashboard-url` replaces the dashboard the host page embeds (e.g. the company token's
instead of the group's). Uses Debian's Chromium (`/usr/bin/chromium`) headless through Playwright.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1440, "height": 1150}
TIMEOUT_MS = 60_000
SETTLE_MS = 2000  # charts finish drawing after the elements appear


def host_page_url(host_url: str, dashboard_url: str | None) -> str:
    """The host page URL to open: `host_url`, with its embedded dashboard replaced by `dashboard_url` when given."""
    parts = urlsplit(host_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"--host-url must be an http(s) URL, got {host_url!r}")
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("project_id",)]
    if dashboard_url is not None:
        if not dashboard_url.startswith(("http://", "https://")) or "api_token=" not in dashboard_url:
            raise ValueError("--dashboard-url must be the dashboard's http(s) URL with its ?api_token=")
        query = [(k, v) for k, v in query if k not in ("dashboard", "dashboard_url", "api_token")]
        query.append(("dashboard", dashboard_url))
    elif not any(k in ("dashboard", "dashboard_url") for k, _ in query):
        raise ValueError("--host-url names no dashboard (dashboard=...): pass --dashboard-url too")
    return urlunsplit(parts._replace(query=urlencode(query)))


def _open_busiest_project(frame) -> None:
    """Sort the list by overdue RFIs (the list's own control) and open the first project."""
    frame.locator(".st-key-sort").click()
    frame.get_by_role("option", name="Most overdue RFIs").click()
    frame.locator("[class*='st-key-open_'] button").first.click()


def take(url: str, out_dir: Path, project_id: int | None) -> list[Path]:
    """Open `url`, screenshot the list, open a project, screenshot it; returns the files written."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    out_dir.mkdir(parents=True, exist_ok=True)
    listing, project = out_dir / "dashboard-list.png", out_dir / "dashboard-project.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_context(viewport=VIEWPORT).new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(url)
            frame = page.frame_locator("#embedded-app")
            expect(frame.get_by_role("heading", name="Projects")).to_be_visible()
            page.wait_for_timeout(SETTLE_MS)
            page.screenshot(path=str(listing))
            if project_id is None:
                _open_busiest_project(frame)
            else:
                frame.locator(f".st-key-open_{project_id} button").click()
            expect(frame.locator(".st-key-switch_project")).to_be_visible()
            expect(frame.locator("[data-testid='stVegaLiteChart']").first).to_be_visible()
            page.wait_for_timeout(SETTLE_MS)
            page.screenshot(path=str(project))
        finally:
            browser.close()
    return [listing, project]


def main(argv: list[str] | None = None) -> int:
    """Entry point: one line on stderr and exit status 1 for bad input or a demo that does not answer."""
    parser = argparse.ArgumentParser(prog="screenshots.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host-url", required=True, help="the sandbox host page URL `make demo` prints")
    parser.add_argument("--dashboard-url", help="a dashboard URL with ?api_token= (default: the host page's)")
    parser.add_argument("--project-id", type=int, help="the project of the second screenshot")
    parser.add_argument("--out", type=Path, default=REPO / "docs", help="where the PNGs go (default: docs/)")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"screenshots.py: error: Chromium is needed at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 1
    try:
        url = host_page_url(args.host_url, args.dashboard_url)
        written = take(url, args.out, args.project_id)
    except ValueError as exc:
        print(f"screenshots.py: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - Playwright's errors are long; one line is enough here
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"screenshots.py: error: the demo did not render as expected ({type(exc).__name__}: {first})",
              file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
