"""The dashboard as `procore-dashboard serve` runs it: headers, base path, XSRF, no token in logs."""

from __future__ import annotations

import requests

from dashboard.settings import PROCORE_FRAME_ANCESTORS


def test_security_headers_on_every_http_response(served):
    base = served.dashboard.url("127.0.0.1")
    for path in ("", f"?api_token={served.group_token}", "_stcore/health", "_stcore/host-config"):
        response = requests.get(base + path, timeout=10)
        assert response.status_code == 200, path
        csp = response.headers["Content-Security-Policy"]
        assert csp == "frame-ancestors " + " ".join((*PROCORE_FRAME_ANCESTORS, served.sandbox.url))
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "X-Frame-Options" not in response.headers
    # Served under the Procore iframe path only.
    root = requests.get(f"http://127.0.0.1:{served.dashboard.port}/_stcore/health", timeout=10)
    assert root.status_code != 200


def test_xsrf_protection_is_on(served):
    base = served.dashboard.url("127.0.0.1")
    response = requests.put(base + "_stcore/upload_file/session/file", files={"file": ("a.txt", b"x")},
                            timeout=10)
    assert response.status_code == 403


def test_token_never_reaches_the_server_log(served):
    requests.get(served.dashboard.url("127.0.0.1") + f"?api_token={served.company_token}", timeout=10)
    log = served.dashboard.log()
    assert served.company_token not in log and served.group_token not in log
    assert "Traceback" not in log


def test_host_page_embeds_the_dashboard_with_procore_project_id(served):
    page = requests.get(served.host_url(served.group_token, 102, "101:Harbor Tower,102:Riverside <b>"),
                        timeout=10)
    assert page.status_code == 200
    assert (f'src="{served.dashboard.url("localhost")}?api_token={served.group_token}&amp;procore_project_id=102"'
            in page.text)
    assert '<option value="102" selected>Riverside &lt;b&gt;</option>' in page.text
    bad = requests.get(f"{served.sandbox.url}/host?dashboard_url=javascript:alert(1)", timeout=10)
    assert bad.status_code == 400
    # Without `projects`, the picker lists the sandbox's own projects.
    default = requests.get(f"{served.sandbox.url}/host?api_token=x", timeout=10)
    assert default.text.count("<option") == 3  # "no project" and the 2 sandbox projects
    assert '/integrations/procore/iframe/?api_token=x"' in default.text  # no procore_project_id


def test_host_page_accepts_a_printed_iframe_url(served):
    printed = f"{served.dashboard.url('localhost')}?api_token={served.group_token}"
    page = requests.get(f"{served.sandbox.url}/procore/host", params={"dashboard": printed, "project_id": "101"},
                        timeout=10)
    assert page.status_code == 200
    assert f'src="{printed}&amp;procore_project_id=101"' in page.text
