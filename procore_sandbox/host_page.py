"""A page imitating a Procore project page with the dashboard embedded as Procore's iframe would.

`GET /host?dashboard_url=URL&api_token=T&project_id=P[&projects=1,2|1:Name,2:Name]` (also at
`/procore/host`; `dashboard=<a printed iframe URL with its api_token>` replaces the first two) draws Procore's
chrome, a project picker (changing it reloads the page with another `project_id`, which the iframe
receives as `procore_project_id`, exactly as Procore fills `{{procore.project.id}}`), and an iframe
of `dashboard_url?api_token=T&procore_project_id=P`. Served by the sandbox on 127.0.0.1, it frames
a dashboard on another origin (e.g. `localhost`), so browsers apply cross-origin rules as in Procore.
Without `projects`, the picker lists the sandbox's own projects. Defaults come from
`SANDBOX_HOST_DASHBOARD_URL` and `SANDBOX_HOST_API_TOKEN`, so the demo can print a short address.
"""

from __future__ import annotations

import os
from html import escape
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Route

DEFAULT_DASHBOARD_URL = "http://localhost:8501/integrations/procore/iframe/"
STYLE = """
body{margin:0;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;background:#f4f5f6;color:#232729}
header{background:#232729;color:#fff;display:flex;align-items:center;gap:24px;padding:0 20px;height:52px}
header .logo{font-weight:700;color:#f47e42;letter-spacing:.5px}
header form{margin-left:auto} select{padding:6px 8px;border-radius:4px;border:1px solid #ccc;min-width:260px}
nav{background:#fff;border-bottom:1px solid #d6dadc;padding:0 20px;display:flex;gap:20px;height:42px;align-items:center}
nav span{color:#6a767c;font-size:14px} nav span.active{color:#232729;border-bottom:3px solid #f47e42;padding:10px 0}
main{padding:12px 20px} iframe{width:100%;height:calc(100vh - 130px);border:1px solid #d6dadc;background:#fff}
"""


def _projects(request: Request, raw: str) -> list[tuple[int, str]]:
    """The picker's (id, label) list: from `projects=...`, else from the sandbox state, if any."""
    if raw:
        out = []
        for item in raw.split(","):
            pid, _, name = item.partition(":")
            if pid.strip().isdigit():
                out.append((int(pid), name.strip() or f"Project {pid.strip()}"))
        return out
    state = getattr(request.app.state, "sandbox", None)
    if state is None:
        return []
    out = []
    for collection in state.store.projects.values():
        for entry in collection.live():
            record = entry.record()
            out.append((int(record["id"]), f"{record.get('project_number') or ''} {record.get('name', '')}".strip()))
    return sorted(out)


def iframe_src(dashboard_url: str, api_token: str, project_id: int | None) -> str:
    """The iframe URL Procore would build from the app's URL template and its context."""
    params = {"api_token": api_token}
    if project_id is not None:
        params["procore_project_id"] = str(project_id)
    joiner = "&" if "?" in dashboard_url else "?"
    return dashboard_url + joiner + urlencode(params)


async def host_page(request: Request) -> HTMLResponse | PlainTextResponse:
    """The imitation Procore project page with the embedded dashboard."""
    q = request.query_params
    dashboard_url = q.get("dashboard_url") or os.environ.get("SANDBOX_HOST_DASHBOARD_URL", DEFAULT_DASHBOARD_URL)
    token = q.get("api_token") or os.environ.get("SANDBOX_HOST_API_TOKEN", "")
    if q.get("dashboard"):  # a whole printed iframe URL, token included (as `tokens generate` prints it)
        parts = urlsplit(q["dashboard"])
        dashboard_url = urlunsplit(parts._replace(query="", fragment=""))
        token = token or dict(parse_qsl(parts.query)).get("api_token", "")
    if not dashboard_url.startswith(("http://", "https://")):
        return PlainTextResponse("dashboard_url must be an http(s) URL", status_code=400)
    raw_projects = q.get("projects", "")
    projects = _projects(request, raw_projects)
    # The project id is passed through untouched (even if odd): the dashboard must validate it.
    # Without `project_id` the iframe gets no procore_project_id: a group token then opens its list.
    current = q.get("project_id") or ""
    src = iframe_src(dashboard_url, token, None) + ("&" + urlencode({"procore_project_id": current}) if current else "")
    options = f'<option value=""{"" if current else " selected"}>Company level (no project)</option>' + "".join(
        f'<option value="{pid}"{" selected" if str(pid) == current else ""}>{escape(label)}</option>'
        for pid, label in projects)
    hidden = "".join(f'<input type="hidden" name="{k}" value="{escape(v)}">'
                     for k, v in (("dashboard_url", dashboard_url), ("api_token", token), ("projects", raw_projects))
                     if v)
    current_label = next((label for pid, label in projects if str(pid) == current),
                         f"Project {current}" if current else "Company")
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{escape(current_label)} - Procore (sandbox host page)</title><style>{STYLE}</style></head><body>
<header><span class="logo">PROCORE</span><span>Sandbox host page</span>
<form method="get" id="picker">{hidden}<label for="project_id" style="margin-right:8px">Project</label>
<select id="project_id" name="project_id" onchange="this.form.submit()">{options}</select></form></header>
<nav><span>Home</span><span>RFIs</span><span>Submittals</span><span>Budget</span>
<span class="active">Project Dashboard (embedded app)</span></nav>
<main><iframe id="embedded-app" title="Embedded app" src="{escape(src)}"
allow="clipboard-write; downloads"></iframe></main></body></html>"""
    return HTMLResponse(html, headers={"Referrer-Policy": "no-referrer"})


routes = [Route("/host", host_page, methods=["GET"]), Route("/procore/host", host_page, methods=["GET"])]
