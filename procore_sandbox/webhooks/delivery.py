"""`WebhookDispatcher`: turns sandbox changes into deliveries and POSTs them like Procore does.

At least once: each matching hook gets the event; with `duplicate_rate` a second copy follows,
with `reorder_rate` it is held back `reorder_delay` seconds so later events overtake it, and
`drop_next`/`drop_rate` lose deliveries on purpose (what the hourly poll must repair). A refused
or failed POST (no 2xx within `timeout`) is retried with exponential backoff from `retry_initial`
up to `retry_max` seconds apart, and discarded after `give_up_after` seconds (Procore: 1 h and 12 h).
"""

from __future__ import annotations

import heapq
import itertools
import random
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any

import requests

from procore_sandbox.webhooks.payloads import RESOURCE_NAMES, event_body, new_event_id, new_ulid
from procore_sandbox.webhooks.registry import HookRegistry


@dataclass(frozen=True)
class DeliveryConfig:
    """How faithfully (and how badly) the sandbox delivers."""

    duplicate_rate: float = 0.0
    reorder_rate: float = 0.0
    reorder_delay: float = 1.0
    drop_rate: float = 0.0
    drop_next: int = 0
    retry_initial: float = 1.0
    retry_max: float = 60.0
    give_up_after: float = 3600.0
    timeout: float = 5.0
    workers: int = 2

    def with_changes(self, **changes: Any) -> DeliveryConfig:
        """A validated copy with `changes` applied; ValueError names what is wrong."""
        known = {f.name: f.type for f in fields(self)}
        for key, value in changes.items():
            if key not in known:
                raise ValueError(f"unknown webhook delivery setting {key!r}")
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{key} must be a non-negative number")
            if key.endswith("_rate") and value > 1:
                raise ValueError(f"{key} must be between 0 and 1")
            if key in ("drop_next", "workers") and not isinstance(value, int):
                raise ValueError(f"{key} must be an integer")
        return replace(self, **changes)


@dataclass
class _Delivery:
    id: int
    hook_id: int
    url: str
    headers: dict[str, str]
    event: dict
    first_at: float
    attempts: int = 0
    outcome: str = "queued"
    response_status: int | None = None
    response_error: str | None = None
    completed_at: str | None = None


def _utc_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class WebhookDispatcher:
    """Matches changes to hooks and delivers them from background worker threads."""

    def __init__(self, config: DeliveryConfig | None = None, *, seed: int | None = None) -> None:
        self.registry = HookRegistry()
        self.initial_config = config or DeliveryConfig()
        self.config = self.initial_config
        self._rng = random.Random(seed)
        self._cond = threading.Condition()
        self._queue: list[tuple[float, int, _Delivery]] = []
        self._seq = itertools.count(1)
        self._busy = 0
        self._log: deque[_Delivery] = deque(maxlen=10_000)
        self._threads: list[threading.Thread] = []
        self._stopping = False

    # -- wiring ---------------------------------------------------------------------------------
    def attach(self, store: Any) -> WebhookDispatcher:
        """Listen to a sandbox `Store`'s changes and start the workers; returns self."""
        store.listeners.append(self.on_change)
        self.start()
        return self

    def start(self) -> None:
        """Start the worker threads (idempotent)."""
        with self._cond:
            self._stopping = False
            self._threads = [t for t in self._threads if t.is_alive()]
            for n in range(len(self._threads), max(1, self.config.workers)):
                thread = threading.Thread(target=self._work, name=f"sandbox-webhooks-{n}", daemon=True)
                self._threads.append(thread)
                thread.start()

    def stop(self) -> None:
        """Stop the workers (queued deliveries are kept until `reset`)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=self.config.timeout + 1)

    def reset(self) -> None:
        """Forget hooks, triggers, queued deliveries and the delivery log; settings back to the start."""
        with self._cond:
            self.registry.reset()
            self._queue.clear()
            self._log.clear()
            self.config = self.initial_config

    def configure(self, **changes: Any) -> DeliveryConfig:
        """Change delivery settings at run time (see `DeliveryConfig`)."""
        with self._cond:
            self.config = self.config.with_changes(**changes)
            return self.config

    # -- producing ------------------------------------------------------------------------------
    def on_change(self, change: dict) -> None:
        """Store listener: queue one delivery per hook with a trigger for this change (never blocks)."""
        name = RESOURCE_NAMES.get(change.get("resource"))
        if name is None or change.get("company_id") is None:
            return
        project_id = change["id"] if change["resource"] == "projects" else change.get("project_id")
        hooks = self.registry.matching(company_id=change["company_id"], project_id=project_id,
                                       resource_name=name, event_type=change.get("action"))
        now = time.monotonic()
        with self._cond:
            cfg = self.config
            for hook in hooks:
                body = event_body(change, version=hook["api_version"], event_id=new_event_id(self._rng),
                                  ulid=new_ulid(), timestamp=_utc_iso())
                if body is None:
                    continue
                delivery = _Delivery(next(self._seq), hook["id"], hook["destination_url"],
                                     hook["destination_headers"], body, now)
                self._log.append(delivery)
                if cfg.drop_next > 0 or self._rng.random() < cfg.drop_rate:
                    if cfg.drop_next > 0:
                        self.config = cfg = replace(cfg, drop_next=cfg.drop_next - 1)
                    delivery.outcome = "dropped"
                    continue
                delay = cfg.reorder_delay if self._rng.random() < cfg.reorder_rate else 0.0
                self._push(now + delay, delivery)
                if self._rng.random() < cfg.duplicate_rate:
                    copy = replace(delivery, id=next(self._seq), first_at=now)
                    self._log.append(copy)
                    self._push(now + delay + self._rng.uniform(0.01, 0.2), copy)
            self._cond.notify_all()

    def _push(self, due: float, delivery: _Delivery) -> None:
        heapq.heappush(self._queue, (due, delivery.id, delivery))

    # -- delivering -----------------------------------------------------------------------------
    def _work(self) -> None:
        session = requests.Session()
        while True:
            with self._cond:
                while not self._stopping and (not self._queue or self._queue[0][0] > time.monotonic()):
                    self._cond.wait(timeout=(self._queue[0][0] - time.monotonic()) if self._queue else None)
                if self._stopping:
                    session.close()
                    return
                _due, _id, delivery = heapq.heappop(self._queue)
                self._busy += 1
                cfg = self.config
            try:
                self._attempt(session, delivery, cfg)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def _attempt(self, session: requests.Session, delivery: _Delivery, cfg: DeliveryConfig) -> None:
        delivery.attempts += 1
        try:
            response = session.post(delivery.url, json=delivery.event, timeout=cfg.timeout,
                                    headers={**delivery.headers, "Content-Type": "application/json"})
            delivery.response_status, delivery.response_error = response.status_code, None
            ok = 200 <= response.status_code < 300
        except requests.RequestException as exc:
            delivery.response_status, delivery.response_error, ok = None, type(exc).__name__, False
        now = time.monotonic()
        if ok:
            delivery.outcome, delivery.completed_at = "ok", _utc_iso()
            return
        backoff = min(cfg.retry_max, cfg.retry_initial * 2 ** (delivery.attempts - 1))
        if now + backoff - delivery.first_at > cfg.give_up_after:
            delivery.outcome, delivery.completed_at = "discarded", _utc_iso()
            return
        delivery.outcome = "retried"
        with self._cond:
            self._push(now + backoff * self._rng.uniform(0.8, 1.2), delivery)
            self._cond.notify_all()

    # -- inspecting -----------------------------------------------------------------------------
    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing is queued or in flight (or `timeout`); True when idle."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(timeout=left)
            return True

    def deliveries(self, hook_id: int | None = None, limit: int = 1000) -> list[dict]:
        """The latest deliveries (newest last), as Procore's deliveries list shows them."""
        with self._cond:
            chosen = [d for d in self._log if hook_id is None or d.hook_id == hook_id][-limit:]
            return [{"id": d.id, "hook_id": d.hook_id, "event_id": d.event.get("ulid") or d.event["id"],
                     "event": d.event, "attempts": d.attempts, "outcome": d.outcome,
                     "response_status": d.response_status, "response_error": d.response_error,
                     "completed_at": d.completed_at} for d in chosen]

    def summary(self) -> dict:
        """Counts by outcome, queue length and the current settings."""
        with self._cond:
            outcomes: dict[str, int] = {}
            for d in self._log:
                outcomes[d.outcome] = outcomes.get(d.outcome, 0) + 1
            return {"queued": len(self._queue), "in_flight": self._busy, "outcomes": outcomes,
                    "attempts": sum(d.attempts for d in self._log), "config": asdict(self.config),
                    "hooks": len(self.registry.hooks)}
