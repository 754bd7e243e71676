"""The dashboard as `procore-dashboard serve` runs it, over real HTTP and websockets: headers, the base path,
Streamlit's built-in routes refused to anonymous clients, back messages filtered, no session resumed,
redirects that never reflect Host or the token, CSV downloads bound to a live token, no token in logs."""

from __future__ import annotations

import pytest
import requests
from streamlit.proto.BackMsg_pb2 import BackMsg
from ws_client import StreamSession

from dashboard.settings import PROCORE_FRAME_ANCESTORS

# Every built-in Streamlit route the app does not use, with the methods a client could try.
REFUSED_ROUTES = [
    ("PUT", "_stcore/upload_file/some-session/some-file"), ("OPTIONS", "_stcore/upload_file/s/f"),
    ("DELETE", "_stcore/upload_file/s/f"), ("GET", "_stcore/upload_file/s/f"),
    ("GET", "_stcore/metrics"), ("GET", "_stcore/metrics?format=protobuf"),
    ("GET", "_stcore/agent/openapi.json"), ("POST", "_stcore/agent/interact"), ("POST", "_stcore/agent/mcp"),
    ("GET", "_stcore/script-health-check"), ("GET", "_stcore/bidi-components/x/index.js"),
    ("GET", "component/x/index.html"), ("GET", "app/static/x.txt"), ("GET", "auth/login"),
    ("GET", "oauth2callback"), ("GET", "_stcore/HEALTH"), ("GET", "_stcore/health/"),
    ("GET", "anything-else"), ("GET", "_stcore/stream"),
]


def _base(served) -> str:
    return served.dashboard.url("127.0.0.1")


def _ws(served) -> str:
    return _base(served).replace("http://", "ws://", 1) + "_stcore/stream"


def test_security_headers_on_every_http_response(served):
    base = _base(served)
    for path in ("", f"?api_token={served.group_token}", "_stcore/health", "_stcore/host-config"):
        response = requests.get(base + path, timeout=10)
        assert response.status_code == 200, path
        csp = response.headers["Content-Security-Policy"]
        assert csp == "frame-ancestors " + " ".join((*PROCORE_FRAME_ANCESTORS, served.sandbox.url))
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store", path  # the token page is never stored
        assert "X-Frame-Options" not in response.headers
    # Served under the Procore iframe path only.
    root = requests.get(f"http://127.0.0.1:{served.dashboard.port}/_stcore/health", timeout=10)
    assert root.status_code != 200


def test_hashed_static_assets_keep_their_long_cache(served):
    page = requests.get(_base(served), timeout=10).text
    script = page.split('src="./static/js/', 1)[1].split('"', 1)[0]
    response = requests.get(_base(served) + "static/js/" + script, timeout=10)
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("public, immutable")


@pytest.mark.parametrize(("method", "path"), REFUSED_ROUTES)
def test_streamlit_routes_the_app_does_not_use_are_refused(served, method, path):
    response = requests.request(method, _base(served) + path, timeout=10, allow_redirects=False,
                                files={"file": ("a.txt", b"x" * 1000)} if method == "PUT" else None)
    assert response.status_code == 404, (method, path)
    assert "streamlit" not in response.text.lower() and "<html" not in response.text.lower()


def test_writes_to_the_page_are_refused(served):
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = requests.request(method, _base(served), timeout=10)
        assert response.status_code == 405, method


@pytest.mark.parametrize("path", ["", "foo/", "static", "static/", "_stcore/", "static/js/"])
def test_no_redirect_reflects_host_or_token(served, path):
    """Streamlit's trailing-slash and directory redirects built `Location` from the Host header and the query."""
    base = _base(served).rstrip("/") + ("/" if path else "")
    for method in ("GET", "HEAD", "POST"):
        response = requests.request(method, f"{base}{path}?api_token={served.group_token}", timeout=10,
                                    allow_redirects=False, headers={"Host": "evil.example"})
        assert not 300 <= response.status_code < 400, (method, path)
        assert "Location" not in response.headers
        for value in response.headers.values():
            assert "evil.example" not in value and served.group_token not in value


def test_a_resumed_session_gets_no_token(served):
    """The owner opens the list and leaves; a client that presents the owner's session id and clicks the
    owner's "View dashboard" button gets a new session, the refusal page, and no token anywhere."""
    owner = StreamSession(_ws(served))
    page = owner.run(f"api_token={served.group_token}")
    assert page.headings() == ["Projects"]
    button = page.widget_id(f"open_{served.real.second}")
    owner_id = owner.session_id
    owner.close()

    intruder = StreamSession(_ws(served), resume=owner_id)
    run = intruder.run("", click=button)
    assert intruder.session_id and intruder.session_id != owner_id
    assert served.group_token.encode() not in run.raw()
    assert all("api_token" not in q for q in run.query_strings())
    assert run.headings() == ["This dashboard is not available"]
    intruder.close()


def test_back_messages_a_viewer_never_sends_are_dropped(served):
    """`clear_cache` (every global cache, for all users), upload URLs, run-on-save and git info are dropped by
    the gate; the connection stays up and still runs the page."""
    session = StreamSession(_ws(served))
    for build in (lambda m: setattr(m, "clear_cache", True), lambda m: setattr(m, "set_run_on_save", True),
                  lambda m: setattr(m, "load_git_info", True),
                  lambda m: m.file_urls_request.file_names.append("x.txt")):
        msg = BackMsg()
        build(msg)
        session.send(msg)
    assert session.heartbeat()
    assert session.run(f"api_token={served.company_token}").headings()[0] == "Projects"
    session.close()
    log = served.dashboard.log()
    for kind in ("clear_cache", "set_run_on_save", "load_git_info", "file_urls_request"):
        assert f"dropped a {kind} message" in log


def test_csv_downloads_are_not_stored_and_die_with_their_token(served):
    store = served.store
    token = store.generate_token("Project", served.real.csv)[0]
    try:
        session = StreamSession(_ws(served))
        urls = [b.url for b in session.run(f"api_token={token}").elements("download_button")]
        assert len(urls) == 2
        for url in urls:
            response = requests.get(_base(served) + url.lstrip("/"), timeout=10)
            assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
            assert response.headers["Cache-Control"] == "no-store"
        store.revoke("Project", served.real.csv)
        for url in urls:  # the session is still open: its links die with the token all the same
            assert requests.get(_base(served) + url.lstrip("/"), timeout=10).status_code == 404
        session.close()
    finally:
        store.engine.dispose()


def test_token_never_reaches_the_server_log(served):
    requests.get(_base(served) + f"?api_token={served.company_token}", timeout=10)
    log = served.dashboard.log()
    assert served.company_token not in log and served.group_token not in log
    assert "Traceback" not in log


def test_host_page_embeds_the_dashboard_with_procore_project_id(served):
    main = served.real.main
    page = requests.get(served.host_url(served.group_token, main, f"{main}:Main,{served.real.second}:Second <b>"),
                        timeout=10)
    assert page.status_code == 200
    assert (f'src="{served.dashboard.url("localhost")}?api_token={served.group_token}&amp;procore_project_id={main}"'
            in page.text)
    assert f'<option value="{served.real.second}">Second &lt;b&gt;</option>' in page.text
    bad = requests.get(f"{served.sandbox.url}/host?dashboard_url=javascript:alert(1)", timeout=10)
    assert bad.status_code == 400


def test_host_page_accepts_a_printed_iframe_url(served):
    printed = f"{served.dashboard.url('localhost')}?api_token={served.group_token}"
    page = requests.get(f"{served.sandbox.url}/procore/host", params={"dashboard": printed,
                                                                      "project_id": str(served.real.main)},
                        timeout=10)
    assert page.status_code == 200
    assert f'src="{printed}&amp;procore_project_id={served.real.main}"' in page.text
