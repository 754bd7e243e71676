"""Run the receiver: in the foreground (`procore-webhooks serve`) or in a background thread (tests, bench)."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn

from webhooks.access_log import logging_config
from webhooks.inbox import Inbox
from webhooks.receiver import create_app
from webhooks.settings import WebhookSettings


def serve(settings: WebhookSettings, *, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve the receiver until interrupted; our access log replaces uvicorn's (which writes query strings)."""
    uvicorn.run(create_app(settings), host=host, port=port, log_config=logging_config(), log_level="info",
                access_log=False, server_header=False)


class RunningReceiver:
    """A receiver served by uvicorn in a daemon thread; `.url` is its base URL, `.stop()` ends it."""

    def __init__(self, settings: WebhookSettings, *, port: int = 0, inbox: Inbox | None = None):
        self.inbox = inbox or Inbox(settings.inbox_url)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(settings, self.inbox), log_level="warning", access_log=False,
                                lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True,
                                        name=f"webhook-receiver-{self.port}")
        self._sock = sock
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the webhook receiver did not start")
            time.sleep(0.01)

    @property
    def delivery_url(self) -> str:
        """The URL to register with Procore."""
        return f"{self.url}/webhooks/procore"

    def stop(self) -> None:
        """Stop serving and close the listening socket (the inbox stays open)."""
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> RunningReceiver:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
