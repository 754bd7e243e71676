"""Reading one scope (a company or a project) from Procore into flattened rows; no DuckDB here.

A read never holds a warehouse connection: it fetches and flattens, and returns a `ScopeRead`
that the writer later commits in one short transaction. Errors are classified here:
403/404 → `skipped`; authentication and OAuth failures → `fatal` (the run must stop); any other
Procore error → `failed`. A field of an unexpected shape never costs its record: the column loads
NULL (or its display field) and the case is counted in `drift` (see `procore_source.shapes`). Only
a record whose key field (id, project id, `updated_at` of an incremental stream) is missing or
invalid is left out and named in `bad_records`; the rest of the scope loads, but the cursor of that
scope does not advance (see `sync_run`).
A list that returned fewer distinct records than page 1's `Total` (pages shifted while being read,
or the `Link: next` chain ended early) is `incomplete`: what was read loads, but no deletions are
inferred from it and the cursor stays back; `meta.sync_log` keeps status `ok` with an
"incomplete read" note in its error column.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from procore_source.client import ProcoreClient
from procore_source.errors import (
    AuthenticationError,
    ForbiddenError,
    NotFoundError,
    OAuthError,
    ProcoreError,
)
from procore_source.flatten import FlattenError
from procore_source.shapes import DriftTally
from procore_source.streams import BUDGET_ROWS, BUDGET_VIEWS, Stream

MAX_BAD_RECORDS_LISTED = 20
INCOMPLETE_NOTE = "incomplete read"


@dataclass(frozen=True)
class Scope:
    """A company (project_id 0) or one of its projects."""

    company_id: int
    project_id: int = 0

    def ids(self) -> dict[str, int]:
        """The scope ids a stream path is formatted with."""
        ids = {"company_id": self.company_id}
        if self.project_id:
            ids["project_id"] = self.project_id
        return ids


@dataclass
class ScopeRead:
    """What reading one scope produced, per stream written: rows, bad records, drift, requests, status."""

    scope: Scope
    full: bool
    window_end: datetime
    started_at: datetime
    finished_at: datetime | None = None
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    bad_records: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    drift: dict[str, DriftTally] = field(default_factory=lambda: defaultdict(DriftTally))
    fetched: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    incomplete: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    requests: int = 0
    status: str = "ok"
    error: str | None = None
    fatal: BaseException | None = None

    def stream_status(self, stream: str) -> tuple[str, str | None]:
        """(status, error) of one stream of this read, as `meta.sync_log` records it."""
        if self.status != "ok":
            return self.status, self.error
        bad = self.bad_records.get(stream)
        if bad:
            listed = "; ".join(bad[:MAX_BAD_RECORDS_LISTED])
            more = f" (+{len(bad) - MAX_BAD_RECORDS_LISTED} more)" if len(bad) > MAX_BAD_RECORDS_LISTED else ""
            return "failed", f"{len(bad)} record(s) with a missing or invalid key field not loaded: {listed}{more}"
        if self.incomplete.get(stream):
            return "ok", (f"{INCOMPLETE_NOTE}: {'; '.join(self.incomplete[stream][:MAX_BAD_RECORDS_LISTED])}; "
                          "loaded what was read, marked no deletions, cursor kept back")
        return "ok", None

    def complete(self, stream: str) -> bool:
        """Whether every list of `stream` in this read returned all page 1's `Total` promised."""
        return not self.incomplete.get(stream)


def _deleted_at(record: dict, default: datetime) -> datetime:
    raw = record.get("deleted_at")
    if isinstance(raw, str):
        try:
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            if parsed.tzinfo is not None:
                return parsed
        except ValueError:
            pass
    return default


def _collect(read: ScopeRead, stream: Stream, records: Any, scope_ids: dict[str, int],
             deleted: bool) -> list[dict]:
    """Flatten `records` into `read.rows[stream]`; returns the raw records (budget views need their ids)."""
    raw = []
    ids: set[str] = set()
    without_id = 0
    drift = read.drift[stream.name]
    for record in records:
        raw.append(record)
        rid = record.get("id") if isinstance(record, dict) else None
        if rid is None:
            without_id += 1
        else:
            ids.add(str(rid))
        read.fetched[stream.name] += 1
        try:
            row = stream.flatten(record, scope_ids, drift)
        except FlattenError as exc:
            read.bad_records[stream.name].append(f"{_record_name(record, read.fetched[stream.name])}: {exc}")
            continue
        row["_deleted_at"] = _deleted_at(record, read.window_end) if deleted else None
        read.rows[stream.name].append(row)
    # `PagedRead.missing` (or anything offering it): how many records page 1's Total promised beyond these
    missing = records.missing(len(ids) + without_id) if callable(getattr(records, "missing", None)) else 0
    if missing:  # pages shifted under us (a record deleted or filtered out between page fetches)
        what = "recycle bin" if deleted else "list"
        where = ", ".join(f"{k} {v}" for k, v in scope_ids.items() if k != "company_id")
        read.incomplete[stream.name].append(f"{what} of {where or 'the company'} returned "
                                            f"{len(ids) + without_id} distinct of Total {records.total}")
    return raw


def _record_name(record: Any, position: int) -> str:
    """How the sync log names a bad record: its id, else its position in the read and a telling field."""
    if isinstance(record, dict) and record.get("id") is not None:
        return f"record id {record['id']}"
    hint = ""
    if isinstance(record, dict):
        field_name = next((k for k in ("number", "name", "title", "subject", "cost_code") if record.get(k)), None)
        hint = f" ({field_name} {record[field_name]!r})" if field_name else ""
    return f"record without id at position {position}{hint}"


def since_for(cursor: datetime | None, *, full: bool, overlap_seconds: int) -> datetime | None:
    """The lower bound of an incremental window, or None for a full read (forced, or no cursor yet)."""
    if full or cursor is None:
        return None
    return cursor - timedelta(seconds=overlap_seconds)


def read_scope(client: ProcoreClient, streams: tuple[Stream, ...], scope: Scope, *,
               since: datetime | None, window_end: datetime) -> ScopeRead:
    """Read `streams` of `scope` (with recycle bins) changed since `since` (None: everything)."""
    read = ScopeRead(scope=scope, full=since is None, window_end=window_end, started_at=datetime.now(UTC))
    with client.track() as counters:
        try:
            if streams == (BUDGET_VIEWS, BUDGET_ROWS):
                _read_budgets(client, read)
            else:
                for stream in streams:
                    _read_one(client, stream, read, since)
        except (AuthenticationError, OAuthError) as exc:
            read.status, read.error, read.fatal = "failed", str(exc), exc
        except (ForbiddenError, NotFoundError) as exc:
            read.status, read.error = "skipped", str(exc)
        except ProcoreError as exc:
            read.status, read.error = "failed", str(exc)
        except Exception as exc:  # a bug or an unexpected shape: this scope fails, the run goes on
            read.status, read.error = "failed", f"{type(exc).__name__}: {exc}"
        read.requests = int(counters.snapshot()["requests"])
    read.finished_at = datetime.now(UTC)
    return read


def _read_one(client: ProcoreClient, stream: Stream, read: ScopeRead, since: datetime | None) -> None:
    ids = read.scope.ids()
    _collect(read, stream, client.read_stream(stream, ids, since=since, until=read.window_end), ids, False)
    if stream.deletions == "recycle_bin":
        bin_records = client.read_recycle_bin(stream, ids, since=since, until=read.window_end)
        _collect(read, stream, bin_records, ids, True)


def _read_budgets(client: ProcoreClient, read: ScopeRead) -> None:
    """Budget views, then the detail rows of every view: always a full re-read."""
    ids = read.scope.ids()
    views = _collect(read, BUDGET_VIEWS, client.read_stream(BUDGET_VIEWS, ids), ids, False)
    for view in views:
        view_id = view.get("id") if isinstance(view, dict) else None
        if not isinstance(view_id, (int, str)) or not str(view_id).isdigit():
            continue
        view_ids = {**ids, "budget_view_id": int(view_id)}
        _collect(read, BUDGET_ROWS, client.read_stream(BUDGET_ROWS, view_ids), view_ids, False)
    if read.incomplete.get(BUDGET_VIEWS.name):  # a view missed is rows missed: none of them may be marked deleted
        read.incomplete[BUDGET_ROWS.name].append("the budget view list was incomplete")
