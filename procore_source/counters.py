"""Thread-safe request counters: run totals, plus per-thread views for `client.track()`.

The totals count everything the client did; a tracker opened with `track()` counts only what the
current thread did inside the block, so a Dagster asset running several threads can report each
project's requests separately while sharing one client.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

FIELDS = ("requests", "retries", "pacing_waits", "pacing_wait_seconds", "rate_limited", "server_errors",
          "records")


class RequestCounters:
    """Counts requests, retries, pacing waits (and their seconds), 429s seen, 5xx seen and records."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, float] = dict.fromkeys(FIELDS, 0)
        self._local = threading.local()

    def add(self, **deltas: float) -> None:
        """Add `deltas` (field=amount) to the totals and to every tracker open on this thread."""
        unknown = set(deltas) - set(FIELDS)
        if unknown:
            raise KeyError(f"unknown counter(s): {', '.join(sorted(unknown))}")
        targets = [self, *getattr(self._local, "trackers", ())]
        for target in targets:
            with target._lock:
                for name, amount in deltas.items():
                    target._values[name] += amount

    def snapshot(self) -> dict[str, float]:
        """A copy of the current values (seconds as float, the rest as int)."""
        with self._lock:
            return {k: (round(v, 3) if k == "pacing_wait_seconds" else int(v)) for k, v in self._values.items()}

    @contextmanager
    def track(self) -> Iterator[RequestCounters]:
        """Yield fresh counters that see only this thread's activity until the block ends."""
        tracker = RequestCounters()
        stack = getattr(self._local, "trackers", ())
        self._local.trackers = (*stack, tracker)
        try:
            yield tracker
        finally:
            self._local.trackers = tuple(t for t in self._local.trackers if t is not tracker)
