"""The sandbox clock: real time plus an offset that tests move forward (or set) at will."""

from __future__ import annotations

import threading
import time
from functools import lru_cache

from procore_sandbox.options import parse_start_time


@lru_cache(maxsize=16_384)
def _date(day_number: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(day_number * 86_400))


_TWO_DIGITS = tuple(f"{n:02d}" for n in range(60))  # format specs are slow; seeding formats ~10 stamps a record


def iso(epoch: float) -> str:
    """Procore's timestamp form for a Unix time: `2025-03-06T18:25:41Z`."""
    day_number, second = divmod(int(epoch), 86_400)
    hour, second = divmod(second, 3600)
    minute, second = divmod(second, 60)
    return f"{_date(day_number)}T{_TWO_DIGITS[hour]}:{_TWO_DIGITS[minute]}:{_TWO_DIGITS[second]}Z"


def day(epoch: float) -> str:
    """The UTC date (`YYYY-MM-DD`) of a Unix time."""
    return _date(int(epoch) // 86_400)


class SandboxClock:
    """Runs at real speed from `start` (Unix seconds); `advance` and `set` shift it for every reader."""

    def __init__(self, start: float | None = None) -> None:
        self._lock = threading.Lock()
        self.start = int(time.time() if start is None else start)
        self._offset = self.start - time.time()
        self._initial_offset = self._offset

    def now(self) -> float:
        """The sandbox's current Unix time."""
        return time.time() + self._offset

    def now_iso(self) -> str:
        """The sandbox's current time in Procore's timestamp form."""
        return iso(self.now())

    def advance(self, seconds: float) -> float:
        """Move the clock forward (or back, if negative) by `seconds`; returns the new time."""
        with self._lock:
            self._offset += seconds
        return self.now()

    def set(self, when: str) -> float:
        """Jump to the ISO-8601 moment `when`; returns the new time."""
        target = parse_start_time(when).timestamp()
        with self._lock:
            self._offset = target - time.time()
        return self.now()

    def reset(self) -> None:
        """Back to the offset the sandbox started with."""
        with self._lock:
            self._offset = self._initial_offset
