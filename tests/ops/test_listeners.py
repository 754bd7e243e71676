"""Launcher readiness: a busy port is seen before anything starts, and a URL answered by someone else never
counts as the child being up (real sockets, real child processes)."""

from __future__ import annotations

import http.server
import os
import socket
import sys
import threading
from collections.abc import Iterator

import pytest

from operations.listeners import FOREIGN, NONE, OURS, port_in_use, port_owner, port_problem
from operations.processes import NotOurServer, ProcessGroups, wait_for_http

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="needs Linux /proc/net")


@pytest.fixture
def foreign_server() -> Iterator[int]:
    """An HTTP server in this test process (not a child of any launcher) answering 200 on every path."""
    class Answer(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *_args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SERVE = ("import http.server, sys; http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), "
         "http.server.SimpleHTTPRequestHandler).serve_forever()")


def test_a_busy_port_is_named_with_its_flag(foreign_server):
    assert port_in_use(foreign_server) and not port_in_use(free_port())
    problem = port_problem([("the dashboard", free_port(), "--dashboard-port"),
                            ("the sandbox", foreign_server, "--sandbox-port")])
    assert problem == (f"port {foreign_server} (the sandbox) is already in use; stop what listens there "
                       "or pick another port with --sandbox-port")
    assert port_problem([("a", 9001, "--a-port"), ("b", 9001, "--b-port")]).endswith("change --b-port")
    assert port_problem([("a", 0, "--a-port")]) == "--a-port 0 is not a TCP port"


def test_a_url_answered_by_another_process_is_not_the_child(foreign_server, tmp_path):
    groups = ProcessGroups(tmp_path / "logs")
    child = groups.start("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"], dict(os.environ), tmp_path)
    try:
        assert port_owner(foreign_server, child.proc.pid) == FOREIGN
        with pytest.raises(NotOurServer, match=f"port {foreign_server} is answered by another process"):
            wait_for_http(f"http://127.0.0.1:{foreign_server}/", "the sandbox", timeout=20, child=child,
                          port=foreign_server)
    finally:
        groups.stop_all(timeout=5)


def test_the_childs_own_listener_counts_and_a_dead_child_fails(tmp_path):
    port = free_port()
    groups = ProcessGroups(tmp_path / "logs")
    assert port_owner(port, os.getpid()) == NONE
    server = groups.start("server", [sys.executable, "-c", SERVE, str(port)], dict(os.environ), tmp_path)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", "the server", timeout=30, child=server, port=port)
        assert port_owner(port, server.proc.pid) == OURS
    finally:
        groups.stop_all(timeout=5)
    dead = groups.start("dead", [sys.executable, "-c", "raise SystemExit(3)"], dict(os.environ), tmp_path)
    dead.proc.wait(10)
    with pytest.raises(RuntimeError, match=r"the server exited \(code 3\)"):
        wait_for_http(f"http://127.0.0.1:{port}/", "the server", timeout=30, child=dead, port=port)
