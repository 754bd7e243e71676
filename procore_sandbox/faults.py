"""Scripted faults (`POST /_sandbox/faults`) and the random server errors of `error_rate`."""

from __future__ import annotations

import fnmatch
import random
import threading
from dataclasses import dataclass

RANDOM_ERROR_STATUSES = (500, 502, 503)


class FaultError(ValueError):
    """A fault description the sandbox cannot use."""


@dataclass
class Fault:
    """Answer `times` requests matching `path` (fnmatch glob) and `method`, after letting `skip` pass."""

    path: str
    method: str | None = None
    status: int | None = None
    headers: dict[str, str] | None = None
    body: str | None = None
    times: int = 1
    skip: int = 0
    delay_ms: float = 0
    seen: int = 0
    served: int = 0

    def public(self) -> dict:
        """The fault and how far it got, as JSON."""
        return {k: v for k, v in self.__dict__.items()}


def parse_faults(body: object) -> list[Fault]:
    """The faults of a `{"faults": [...]}` body (a single fault object is accepted too)."""
    items = body.get("faults", [body]) if isinstance(body, dict) else body
    if not isinstance(items, list) or not items:
        raise FaultError('expected {"faults": [{"path": "...", "status": 503, ...}]}')
    faults = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise FaultError("every fault needs a string path (an fnmatch glob on the request path)")
        unknown = set(item) - {"path", "method", "status", "headers", "body", "times", "skip", "delay_ms"}
        if unknown:
            raise FaultError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
        status = item.get("status")
        if status is not None and (not isinstance(status, int) or not 100 <= status <= 599):
            raise FaultError("status must be an HTTP status code")
        if status is None and not item.get("delay_ms"):
            raise FaultError("a fault needs a status, a delay_ms, or both")
        for key in ("times", "skip", "delay_ms"):
            if key in item and (not isinstance(item[key], int | float) or item[key] < 0):
                raise FaultError(f"{key} must be a non-negative number")
        headers = item.get("headers") or {}
        if not isinstance(headers, dict):
            raise FaultError("headers must be an object")
        faults.append(Fault(path=item["path"], method=(item.get("method") or "").upper() or None, status=status,
                            headers={str(k): str(v) for k, v in headers.items()}, body=item.get("body"),
                            times=int(item.get("times", 1)), skip=int(item.get("skip", 0)),
                            delay_ms=float(item.get("delay_ms", 0))))
    return faults


class FaultBook:
    """The active scripted faults and the random-error generator."""

    def __init__(self, seed: int) -> None:
        self._lock = threading.Lock()
        self._seed = seed
        self.clear()

    def clear(self) -> None:
        """Drop every scripted fault and restart the random-error sequence."""
        with self._lock:
            self.faults: list[Fault] = []
            self._rng = random.Random(f"{self._seed}:errors")

    def add(self, faults: list[Fault]) -> None:
        """Activate more faults (earlier ones are checked first)."""
        with self._lock:
            self.faults.extend(faults)

    def match(self, method: str, path: str) -> Fault | None:
        """The fault that answers this request, counting it, or None."""
        with self._lock:
            for fault in self.faults:
                if fault.served >= fault.times:
                    continue
                if fault.method and fault.method != method:
                    continue
                if not fnmatch.fnmatchcase(path, fault.path):
                    continue
                fault.seen += 1
                if fault.seen <= fault.skip:
                    continue
                fault.served += 1
                return fault
        return None

    def random_error(self, rate: float) -> int | None:
        """A 500/502/503 for a share `rate` of calls, else None."""
        if rate <= 0:
            return None
        with self._lock:
            if self._rng.random() >= rate:
                return None
            return self._rng.choice(RANDOM_ERROR_STATUSES)
