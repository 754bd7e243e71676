"""Everything one running sandbox holds: options, records, tokens, rate limits, faults, runtime config, stats."""

from __future__ import annotations

import threading
from collections import Counter

from procore_sandbox.faults import FaultBook
from procore_sandbox.options import RUNTIME_KEYS, SandboxOptions
from procore_sandbox.ratelimit import RateLimiter
from procore_sandbox.store import Store
from procore_sandbox.tokens import TokenRegistry
from procore_sandbox.webhooks import WebhookDispatcher


class Stats:
    """Counts of Procore API requests served, by route template and by status (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        """Back to zero."""
        with self._lock:
            self._by_path: Counter[str] = Counter()
            self._by_status: Counter[str] = Counter()

    def record(self, template: str, status: int) -> None:
        """Count one request."""
        with self._lock:
            self._by_path[template] += 1
            self._by_status[str(status)] += 1

    def snapshot(self) -> dict:
        """`{"total", "by_path", "by_status"}`."""
        with self._lock:
            return {"total": sum(self._by_path.values()), "by_path": dict(self._by_path),
                    "by_status": dict(self._by_status)}


class SandboxState:
    """The mutable world behind the app; `reset` brings all of it (but issued tokens) back to the start."""

    def __init__(self, options: SandboxOptions) -> None:
        self.options = options
        self.store = Store(options)
        self.tokens = TokenRegistry()
        self.limiter = RateLimiter()
        self.faults = FaultBook(options.seed)
        self.stats = Stats()
        self.runtime = {key: getattr(options, key) for key in RUNTIME_KEYS}
        # Webhook deliveries observe every store change through the store's listeners.
        self.webhooks = WebhookDispatcher(seed=options.seed).attach(self.store)

    def close(self) -> None:
        """Stop background work (webhook delivery workers)."""
        self.webhooks.stop()

    @property
    def clock(self):
        """The sandbox clock."""
        return self.store.clock

    def reset(self) -> None:
        """Seeded records, clock at its start offset, no faults, start options, zero stats, fresh windows,
        no webhook hooks or queued deliveries."""
        self.store.reset()
        self.faults.clear()
        self.limiter.clear()
        self.stats.clear()
        self.runtime = {key: getattr(self.options, key) for key in RUNTIME_KEYS}
        self.webhooks.reset()

    def info(self) -> dict:
        """What `GET /_sandbox/info` answers."""
        return {
            "companies": [c.public() for c in self.store.companies],
            "forbidden_project_ids": self.store.unreadable("forbidden"),
            "hidden_project_ids": self.store.unreadable("hidden"),
            "client_id": self.options.client_id,
            "options": {k: v for k, v in self.options.as_dict().items() if k != "client_secret"},
            "runtime": dict(self.runtime),
            "clock": self.clock.now_iso(),
            "anchor": self.store.anchor,
        }
