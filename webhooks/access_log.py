"""The receiver's access log: one line per request, without the query string.

uvicorn's own access log writes the whole request line, so a secret a client puts in the query
string (`?secret=...`, `?api_token=...`) would land in `webhooks.log` or the journal. This ASGI
middleware logs the method, a path we serve (any other path only by its length), the status and
the time taken, and `serve` turns uvicorn's access log off.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Iterable
from typing import Any

from uvicorn.config import LOGGING_CONFIG

LOGGER_NAME = "procore_webhooks"
access_log = logging.getLogger(f"{LOGGER_NAME}.access")


class AccessLog:
    """ASGI middleware logging `client "METHOD path" status ms` for every HTTP request."""

    def __init__(self, app: Any, known_paths: Iterable[str]):
        self.app = app
        self.known_paths = frozenset(known_paths)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_and_note_status(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            path = scope["path"] if scope["path"] in self.known_paths else f"<other path, {len(scope['path'])} chars>"
            client = scope.get("client") or ("-", 0)
            access_log.info('%s "%s %s" %d %.0f ms', client[0], scope["method"], path, status,
                            (time.perf_counter() - started) * 1000)


def logging_config() -> dict:
    """uvicorn's logging config plus a handler for this package's loggers (access lines, storage errors)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"][LOGGER_NAME] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
