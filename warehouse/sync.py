"""One sync of some streams over many scopes: fetch in a bounded thread pool, write in short batches.

Worker threads read scopes through the run's one shared client (so one pacer per company); the
calling thread commits finished reads in batches, each batch one DuckDB transaction holding the
rows, the cursors they justify and the `meta.sync_log` rows. No connection is open while HTTP
requests are in flight; the same transaction adds the batch's schema drift to `meta.schema_drift`.
Run-level rules: an authentication failure stops the run at once (what was already read is still
committed); more than half of the *readable* scopes failing to be read at all fails the run after
everything that did load has been committed. Skipped scopes (403/404: tool disabled, project out
of sight) never count, neither in the failures nor in the scopes they are compared with; a scope
that was read but had a record rejected over a key field is logged `failed` (its cursor stays back)
but was read, so it does not count either. At the end, each company's last seen rate-limit window
(from the shared client's pacers) goes to `meta.rate_limit` for the health view.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from procore_source.client import ProcoreClient
from procore_source.shapes import DriftTally
from procore_source.streams import Stream
from warehouse.connection import Warehouse
from warehouse.meta import (
    LogEntry,
    RateLimitObservation,
    StateUpdate,
    write_log,
    write_rate_limits,
    write_state,
)
from warehouse.schema_drift import write_drift
from warehouse.scope_read import Scope, ScopeRead, read_scope
from warehouse.upsert import upsert_rows

FLUSH_ROWS = 50_000
FLUSH_SCOPES = 200
PREVIEW_ROWS = 10
ERRORS_KEPT = 20


@dataclass
class StreamReport:
    """Totals of one stream over the run, for the asset's metadata."""

    records: int = 0
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    ok: int = 0
    skipped: int = 0
    failed: int = 0
    preview: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    drift: DriftTally = field(default_factory=DriftTally)


@dataclass
class SyncReport:
    """What a sync did, per stream, and whether it must fail the run."""

    streams: dict[str, StreamReport]
    scopes: int = 0
    scopes_skipped: int = 0
    scopes_failed: int = 0
    first_error: str = ""
    failure: str | None = None

    @property
    def scopes_readable(self) -> int:
        """Scopes that were not skipped (403/404): the ones a failure is measured against."""
        return self.scopes - self.scopes_skipped


def _write_batch(warehouse: Warehouse, streams: Sequence[Stream], reads: list[ScopeRead],
                 report: SyncReport, run_id: str) -> None:
    """Commit `reads` in one transaction: rows, deletion marks, cursors and log rows together."""
    if not reads:
        return
    synced_at = datetime.now(UTC)
    with warehouse.connect() as con:
        con.execute("BEGIN TRANSACTION")
        for stream in streams:
            loaded = [r for r in reads if r.status == "ok"]
            rows = [row for r in loaded for row in r.rows.get(stream.name, ())]
            full_scopes = [_scope_id(stream, r.scope) for r in loaded
                           if r.full and not r.bad_records.get(stream.name) and r.complete(stream.name)]
            result = upsert_rows(con, stream, rows, synced_at=synced_at, full_scopes=full_scopes,
                                 preview_limit=PREVIEW_ROWS)
            rep = report.streams[stream.name]
            for action in ("inserted", "updated", "deleted", "unchanged"):
                setattr(rep, action, getattr(rep, action) + getattr(result, action))
            rep.preview += result.preview[: max(0, PREVIEW_ROWS - len(rep.preview))]
            drift = DriftTally()
            for r in loaded:
                if stream.name in r.drift:
                    drift.merge(r.drift[stream.name])
            write_drift(con, stream.name, drift, seen_at=synced_at, run_id=run_id)
            rep.drift.merge(drift)
            states, logs = [], []
            for r in reads:
                status, error = r.stream_status(stream.name)
                setattr(rep, status, getattr(rep, status) + 1)
                rep.records += r.fetched.get(stream.name, 0)
                if error and len(rep.errors) < ERRORS_KEPT:
                    rep.errors.append(f"company {r.scope.company_id} project {r.scope.project_id}: {error}")
                counts = result.per_scope.get(_scope_id(stream, r.scope), {}) if r.status == "ok" else {}
                states.append(StateUpdate(r.scope.company_id, r.scope.project_id, stream.name, status,
                                          synced_at, r.window_end if status == "ok" and r.complete(stream.name)
                                          else None, r.full))
                logs.append(LogEntry(run_id, stream.name, r.scope.company_id, r.scope.project_id, r.started_at,
                                     r.finished_at or synced_at, r.requests, r.fetched.get(stream.name, 0),
                                     counts.get("inserted", 0), counts.get("updated", 0),
                                     counts.get("deleted", 0), status, error))
            write_state(con, states)
            write_log(con, logs)
        con.execute("COMMIT")


def record_rate_limits(client: ProcoreClient, warehouse: Warehouse, company_ids: Sequence[int],
                       run_id: str) -> list[RateLimitObservation]:
    """Write the window each company's pacer last saw to `meta.rate_limit` (companies with no headers yet
    are left out) and return what was written."""
    now = datetime.now(UTC)
    observations = []
    for company_id in sorted(set(company_ids)):
        state = client.pacer(company_id).state()
        if state.limit is None:
            continue
        reset_at = datetime.fromtimestamp(state.reset, UTC) if state.reset is not None else None
        observations.append(RateLimitObservation(run_id, company_id, now, state.limit, state.remaining, reset_at))
    if observations:
        with warehouse.connect() as con:
            write_rate_limits(con, observations)
    return observations


def _scope_id(stream: Stream, scope: Scope) -> int:
    return scope.company_id if stream.scope == "company" else scope.project_id


def auth_message(exc: BaseException, company_ids: Sequence[int]) -> str:
    """What to fix when Procore refuses the credentials."""
    return (f"Procore refused the app's credentials ({exc}). Check PROCORE_CLIENT_ID and PROCORE_CLIENT_SECRET, "
            f"that PROCORE_LOGIN_BASE_URL and PROCORE_API_BASE_URL point at the environment the app belongs "
            f"to, and that the app is installed in companies {', '.join(map(str, company_ids))}.")


def sync_scopes(*, client: ProcoreClient, warehouse: Warehouse, streams: tuple[Stream, ...],
                scopes: Sequence[tuple[Scope, datetime | None]], window_end: datetime, run_id: str,
                max_workers: int, log: logging.Logger | Any,
                reader: Callable[..., ScopeRead] = read_scope) -> SyncReport:
    """Read every (scope, since) pair and commit the results; see the module docstring for the rules."""
    report = SyncReport(streams={s.name: StreamReport() for s in streams}, scopes=len(scopes))
    pending: list[ScopeRead] = []
    fatal: ScopeRead | None = None
    done = 0
    label = "+".join(s.name for s in streams)
    with ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix=f"sync-{label}") as pool:
        futures: set[Future[ScopeRead]] = {
            pool.submit(reader, client, streams, scope, since=since, window_end=window_end)
            for scope, since in scopes
        }
        while futures and fatal is None:
            finished, futures = wait(futures, return_when=FIRST_COMPLETED)
            for fut in finished:
                read = fut.result()
                done += 1
                if read.fatal is not None:
                    fatal = read
                    continue
                if read.status == "failed":  # not read at all (a rejected record is logged, not counted here)
                    report.scopes_failed += 1
                    report.first_error = report.first_error or (
                        f"company {read.scope.company_id} project {read.scope.project_id}: {read.error}")
                elif read.status == "skipped":
                    report.scopes_skipped += 1
                for stream_name, notes in read.incomplete.items():
                    if notes:
                        log.warning(f"{stream_name} company {read.scope.company_id} project {read.scope.project_id}: "
                                    f"incomplete read ({notes[0]}); no deletions marked, cursor kept back")
                pending.append(read)
            if sum(len(rows) for r in pending for rows in r.rows.values()) >= FLUSH_ROWS \
                    or len(pending) >= FLUSH_SCOPES:
                _write_batch(warehouse, streams, pending, report, run_id)
                log.info(f"{label}: committed {done}/{len(scopes)} scopes")
                pending = []
        if fatal is not None:
            for fut in futures:
                fut.cancel()
            for fut in futures:
                if not fut.cancelled():
                    read = fut.result()
                    if read.fatal is None:
                        pending.append(read)
    _write_batch(warehouse, streams, pending, report, run_id)
    log.info(f"{label}: finished {done}/{len(scopes)} scopes")
    record_rate_limits(client, warehouse, [s.company_id for s, _ in scopes], run_id)
    if fatal is not None:
        report.failure = auth_message(fatal.fatal, sorted({s.company_id for s, _ in scopes}))
    elif report.scopes_readable and report.scopes_failed * 2 > report.scopes_readable:
        skipped = f", {report.scopes_skipped} more skipped (403/404)" if report.scopes_skipped else ""
        report.failure = (f"{report.scopes_failed} of {report.scopes_readable} readable scopes could not be read "
                          f"for {label} (more than half{skipped}); first error: {report.first_error}. "
                          "See meta.sync_log for every error.")
    return report
