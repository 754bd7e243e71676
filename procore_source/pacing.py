"""Pacing: keep a company's requests under Procore's rate limits, so normal runs see no 429.

One `Pacer` per company is shared by every thread of a run. Each response's
`X-Rate-Limit-Limit/Remaining/Reset` headers update it. While more than half the window is left,
requests go out freely; below that the remaining requests are spread evenly over the time left
before the reset, and at zero everyone waits for the reset. Requests still in flight count as
spent, because the headers we hold do not include them yet. An optional hourly budget keeps the
run below Procore's limit, leaving room for the company's other integrations.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from procore_source.errors import RateLimitedError

HOUR = 3600.0
# Reset is whole Unix seconds; wait a little past it so our clock and Procore's agree it has passed.
RESET_MARGIN = 0.25
# Below this share of the window's limit, spread the rest evenly instead of bursting.
SPREAD_BELOW = 0.5
# How long to wait for an in-flight response when the window looks spent but its reset is unknown.
INFLIGHT_POLL = 0.5


@dataclass(frozen=True)
class RateLimitState:
    """What the last response said about the closest window (None when no header was seen)."""

    limit: int | None
    remaining: int | None
    reset: float | None


def parse_rate_limit(headers: Mapping[str, str]) -> RateLimitState | None:
    """The `X-Rate-Limit-*` headers of a response, or None when they are absent or malformed.

    A header repeated by a proxy arrives comma-joined; then the window with the fewest requests left wins.
    """
    try:
        limits = [int(v) for v in headers["X-Rate-Limit-Limit"].split(",")]
        remainings = [int(v) for v in headers["X-Rate-Limit-Remaining"].split(",")]
        resets = [float(v) for v in headers["X-Rate-Limit-Reset"].split(",")]
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    if not len(limits) == len(remainings) == len(resets):
        return None
    remaining, limit, reset = min(zip(remainings, limits, resets, strict=True))
    return RateLimitState(limit, max(remaining, 0), reset)


class Pacer:
    """Decides when the next request of one company may go out. Thread-safe."""

    def __init__(self, *, hourly_budget: int | None = None, max_wait: float = 900.0,
                 clock: Callable[[], float] = time.time, label: str = "") -> None:
        self.hourly_budget = hourly_budget
        self.max_wait = max_wait
        self.label = label
        self._clock = clock
        self._cond = threading.Condition()
        self._limit: int | None = None
        self._remaining: int | None = None
        self._reset: float | None = None
        self._inflight = 0
        self._last_issue = float("-inf")
        self._blocked_until = 0.0
        self._issued: deque[float] = deque()

    def state(self) -> RateLimitState:
        """The latest known window (for health checks and reports)."""
        with self._cond:
            return RateLimitState(self._limit, self._remaining, self._reset)

    def acquire(self) -> float:
        """Block until a request may go out, reserve it, and return the seconds spent waiting.

        Raises `RateLimitedError` when the wait would exceed `max_wait`.
        """
        start = self._clock()
        waited = False
        with self._cond:
            while True:
                now = self._clock()
                wait, reason = self.wait_needed(now)
                if wait <= 0:
                    break
                if wait > self.max_wait:
                    raise RateLimitedError(
                        f"{reason}: the next request{self._company()} could go out in {wait:.0f} s, longer "
                        f"than the longest allowed wait of {self.max_wait:.0f} s (PROCORE_MAX_RATE_LIMIT_WAIT)")
                waited = True
                self._cond.wait(timeout=wait)
            self._inflight += 1
            self._last_issue = now
            if self.hourly_budget:
                self._issued.append(now)
        return max(1e-6, self._clock() - start) if waited else 0.0

    def release(self, headers: Mapping[str, str] | None) -> None:
        """Record the response of a request reserved with `acquire` (None when none arrived)."""
        with self._cond:
            self._inflight = max(0, self._inflight - 1)
            state = parse_rate_limit(headers) if headers is not None else None
            if state is not None:
                self._update(state)
            self._cond.notify_all()

    def block_until(self, moment: float) -> None:
        """Hold every request of this company until `moment` (after a 429 or a 503 with Retry-After)."""
        with self._cond:
            self._blocked_until = max(self._blocked_until, moment)

    def wait_needed(self, now: float) -> tuple[float, str]:
        """Seconds to wait before the next request at time `now`, and why. Call with the lock held."""
        waits: list[tuple[float, str]] = [(0.0, "")]
        if self._blocked_until > now:
            waits.append((self._blocked_until - now, "Procore asked us to wait (429/503)"))
        if self.hourly_budget:
            while self._issued and self._issued[0] <= now - HOUR:
                self._issued.popleft()
            if len(self._issued) >= self.hourly_budget:
                waits.append((self._issued[0] + HOUR - now,
                              f"the hourly request budget of {self.hourly_budget} (PROCORE_HOURLY_REQUEST_BUDGET) "
                              "is used up"))
        if self._limit is not None and self._remaining is not None:
            if self._reset is not None and now >= self._reset + RESET_MARGIN:
                # The window has rolled over: assume it is full again until a response says otherwise.
                self._remaining, self._reset = self._limit, None
            spare = self._remaining - self._inflight
            if spare <= 0:
                if self._reset is not None:
                    waits.append((self._reset + RESET_MARGIN - now, "the rate-limit window is used up"))
                elif self._inflight > 0:
                    waits.append((INFLIGHT_POLL, "waiting for in-flight requests"))
            elif self._reset is not None and spare < self._limit * SPREAD_BELOW:
                interval = max(0.0, self._reset + RESET_MARGIN - now) / spare
                waits.append((self._last_issue + interval - now, "spreading the rest of the window"))
        return max(waits, key=lambda item: item[0])

    def _update(self, state: RateLimitState) -> None:
        now = self._clock()
        same_window = (self._reset is not None and state.reset is not None
                       and abs(state.reset - self._reset) < 1.0 and state.limit == self._limit)
        if same_window and self._remaining is not None and now < (self._reset or 0.0) + RESET_MARGIN:
            # Responses of concurrent requests can arrive out of order: within a window, the lowest wins.
            self._remaining = min(self._remaining, state.remaining or 0)
        else:
            self._limit, self._remaining, self._reset = state.limit, state.remaining, state.reset

    def _company(self) -> str:
        return f" for company {self.label}" if self.label else ""
