"""The deploy proxies in front of the served dashboard on loopback, where they are installed:
`deploy/nginx/procore-pipelines.conf` whole (over real TLS, ports, certificate and upstream swapped), and the
dashboard block of `deploy/caddy/Caddyfile` (over plain HTTP: Caddy would fetch certificates for the real
site name). The page and its websocket pass; Streamlit's unused routes and writes stop at the proxy."""

from __future__ import annotations

import os
import shutil
import signal
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from servers import free_port
from test_served import REFUSED_ROUTES
from websockets.sync.client import connect

pytestmark = pytest.mark.slow

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SITE = DEPLOY / "nginx" / "procore-pipelines.conf"
CADDYFILE = DEPLOY / "caddy" / "Caddyfile"
DASHBOARD_BLOCK = "\thandle /integrations/procore/iframe/* {"
HOST = "pipelines.example.com"
BASE = "/integrations/procore/iframe/"


def _wait_until_up(process: subprocess.Popen, url: str, verify: str | bool) -> None:
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the proxy exited: {process.stderr.read().decode()[-2000:]}")
        try:
            requests.get(url, headers={"Host": HOST}, verify=verify, timeout=2)
            return
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(10)


def _block(text: str, opening: str) -> str:
    """The `{ ... }` block of a Caddyfile that starts with `opening`."""
    start = text.index(opening)
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if text[i] == "}" and depth == 0:
            return text[start:i + 1]
    raise ValueError(f"unbalanced block {opening!r}")


def _nginx(served, work: Path) -> Iterator[tuple[str, Path | None]]:
    cert, key = work / "cert.pem", work / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", f"/CN={HOST}",
                    "-addext", f"subjectAltName=DNS:{HOST},IP:127.0.0.1"],
                   check=True, capture_output=True)
    tls, plain = free_port(), free_port()
    site = SITE.read_text()
    site = (site.replace("/etc/letsencrypt/live/pipelines.example.com/fullchain.pem", str(cert))
            .replace("/etc/letsencrypt/live/pipelines.example.com/privkey.pem", str(key))
            .replace("/var/log/nginx/", f"{work}/").replace("/etc/nginx/", f"{work}/")
            .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{tls} ssl http2;")
            .replace("listen 80;", f"listen 127.0.0.1:{plain};")
            .replace("proxy_pass http://127.0.0.1:8501;", f"proxy_pass http://127.0.0.1:{served.dashboard.port};"))
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    (work / "site.conf").write_text(site)
    (work / "nginx.conf").write_text(f"pid {work}/nginx.pid;\nerror_log {work}/error.log;\ndaemon off;\n"
                                     f"events {{}}\nhttp {{ include {work}/site.conf; }}\n")
    process = subprocess.Popen(["nginx", "-c", str(work / "nginx.conf"), "-p", str(work)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    base = f"https://127.0.0.1:{tls}"
    try:
        _wait_until_up(process, base + BASE + "_stcore/health", str(cert))
        yield base, cert
    finally:
        _stop(process)


def _caddy(served, work: Path) -> Iterator[tuple[str, Path | None]]:
    port = free_port()
    block = _block(CADDYFILE.read_text(), DASHBOARD_BLOCK).replace(
        "127.0.0.1:8501", f"127.0.0.1:{served.dashboard.port}")
    (work / "Caddyfile").write_text(f"{{\n\tadmin off\n}}\nhttp://127.0.0.1:{port} {{\n{block}\n}}\n")
    process = subprocess.Popen(["caddy", "run", "--config", str(work / "Caddyfile"), "--adapter", "caddyfile"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                               env={**os.environ, "XDG_DATA_HOME": str(work), "XDG_CONFIG_HOME": str(work)})
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, base + BASE + "_stcore/health", True)
        yield base, None
    finally:
        _stop(process)


@pytest.fixture(scope="module", params=["nginx", "caddy"])
def proxy(request, served, tmp_path_factory) -> Iterator[tuple[str, Path | None]]:
    """A proxy in front of the served dashboard: its base URL and the certificate to trust (None: plain HTTP)."""
    if shutil.which(request.param) is None:
        pytest.skip(f"{request.param} is not installed")
    start = _nginx if request.param == "nginx" else _caddy
    yield from start(served, tmp_path_factory.mktemp(request.param))


def _get(proxy: tuple[str, Path | None], path: str, method: str = "GET") -> requests.Response:
    base, cert = proxy
    headers = {"Host": HOST} if cert else {}
    return requests.request(method, base + BASE + path, headers=headers, verify=str(cert) if cert else True,
                            timeout=10, allow_redirects=False)


def test_the_page_passes_with_the_apps_headers(proxy, served):
    response = _get(proxy, f"?api_token={served.group_token}")
    assert response.status_code == 200 and "<html" in response.text
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'self' https://app.procore.com" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(("method", "path"), [r for r in REFUSED_ROUTES if r[0] == "GET" or "upload" in r[1]])
def test_unused_streamlit_routes_stop_at_the_proxy(proxy, method, path):
    response = _get(proxy, path, method)
    assert response.status_code in (403, 404, 405), (method, path)
    if path.startswith(("_stcore/upload_file", "_stcore/metrics", "_stcore/agent", "component/", "auth/")):
        assert response.text != "Not Found"  # the proxy answered (the app's gate says "Not Found")


def test_writes_stop_at_the_proxy(proxy):
    for method in ("POST", "PUT", "DELETE"):
        response = _get(proxy, "", method)
        assert response.status_code in (403, 405) and response.text != "Method Not Allowed", method


def test_the_websocket_passes(proxy, served):
    base, cert = proxy
    context = ssl.create_default_context(cafile=str(cert)) if cert else None
    url = base.replace("https://", "wss://").replace("http://", "ws://") + BASE + "_stcore/stream"
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    with connect(url, ssl=context, subprotocols=["streamlit", "xsrf-not-used"],
                 open_timeout=30, max_size=None) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = f"api_token={served.group_token}"
        ws.send(msg.SerializeToString())
        seen = []
        while not seen or seen[-1] != "script_finished":
            fwd = ForwardMsg()
            fwd.ParseFromString(ws.recv(timeout=30))
            seen.append(fwd.WhichOneof("type"))
    assert "delta" in seen
