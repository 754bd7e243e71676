"""Procore-style rate limiting: per key (company), an hourly and a 10-second spike window, in real time."""

from __future__ import annotations

import math
import threading
import time

RATE_LIMIT_BODY = "You have surpassed the max number of requests for an hour. Please wait until your limit resets."
SPIKE_SECONDS = 10
HOUR_SECONDS = 3600


class RateLimiter:
    """Fixed windows that start at a key's first request; every request counts, refused ones too."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, dict[str, list[float]]] = {}

    def clear(self) -> None:
        """Forget every window."""
        with self._lock:
            self._windows.clear()

    def hit(self, key: str, hourly: int, spike: int, now: float | None = None) -> tuple[bool, dict[str, str]]:
        """Count one request for `key`; returns (allowed, the `X-Rate-Limit-*` headers to send)."""
        now = time.time() if now is None else now
        with self._lock:
            windows = self._windows.setdefault(key, {"hour": [now, 0], "spike": [now, 0]})
            status = []
            for name, length, limit in (("hour", HOUR_SECONDS, hourly), ("spike", SPIKE_SECONDS, spike)):
                window = windows[name]
                if now >= window[0] + length:
                    window[0], window[1] = now, 0
                window[1] += 1
                status.append((limit - window[1], limit, window[0] + length))
        allowed = all(remaining >= 0 for remaining, _, _ in status)
        # Report whichever window is closest to running out.
        remaining, limit, reset = min(status, key=lambda s: (s[0], s[2]))
        headers = {"X-Rate-Limit-Limit": str(limit), "X-Rate-Limit-Remaining": str(max(0, remaining)),
                   "X-Rate-Limit-Reset": str(math.ceil(reset))}
        return allowed, headers
