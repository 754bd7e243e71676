"""`start_sandbox`: the sandbox app served by uvicorn in a background thread, ready when it returns."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn

from procore_sandbox.app import build_app
from procore_sandbox.handle import SandboxHandle
from procore_sandbox.options import SandboxOptions
from procore_sandbox.state import SandboxState


class RunningSandbox(SandboxHandle):
    """A sandbox serving on `.url` (OAuth and REST on the same base); stop it with `.stop()` or `with`."""

    def __init__(self, options: SandboxOptions, host: str = "127.0.0.1", port: int = 0) -> None:
        self.options = options
        self.state = SandboxState(options)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        self._socket = sock
        self.port = sock.getsockname()[1]
        super().__init__(f"http://{host}:{self.port}", options.client_id, options.client_secret,
                         [c.id for c in self.state.store.companies])
        config = uvicorn.Config(build_app(self.state), log_level="warning", lifespan="off", access_log=False,
                                timeout_keep_alive=30, timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name=f"procore-sandbox-{self.port}", daemon=True)

    def start(self, timeout: float = 15.0) -> RunningSandbox:
        """Start serving; returns once the server accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the sandbox did not start on port {self.port}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Shut the server down and wait for its thread."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._socket.close()
        self.state.close()

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def start_sandbox(options: SandboxOptions | None = None, port: int = 0, host: str = "127.0.0.1") -> RunningSandbox:
    """Serve a sandbox built from `options` on `host:port` (0 = any free port) in a background thread."""
    return RunningSandbox(options or SandboxOptions(), host=host, port=port).start()
