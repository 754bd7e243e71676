"""The event inbox: one row per Procore webhook event, stored once (SQLAlchemy; SQLite or PostgreSQL).

Life of a row: stored by the receiver (deduplicated on `ulid`, else `id`); claimed by a sensor
batch (`claimed_by`) when a run covering its (company, project, stream) is requested; marked
consumed (`consumed_at`, `consumed_by_run`) when that run succeeds, or released for the next
batch when it fails. Events for resources the pipeline does not sync are stored already consumed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, String, create_engine, event, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from procore_source.private_files import private_file
from webhooks.events import InboundEvent

IGNORED = "ignored"


class InboxUrlError(ValueError):
    """`WEBHOOK_INBOX_URL` is not a database URL SQLAlchemy can use (the message names only its scheme)."""


def _engine(url: str, **options: Any) -> Engine:
    """`create_engine(url)`, with an unparsable URL or a missing driver as `InboxUrlError` (no credentials shown)."""
    try:
        return create_engine(url, **options)
    except (ArgumentError, ImportError) as exc:
        scheme = url.split("://", 1)[0] if "://" in url else "no scheme"
        reason = "no driver installed for it" if isinstance(exc, ImportError) else "not a database URL"
        raise InboxUrlError(f"WEBHOOK_INBOX_URL is not usable ({scheme}: {reason}); "
                            "use sqlite:///path/webhooks.db or postgresql+psycopg2://user@host/db") from None


class Base(DeclarativeBase):
    """Declarative base of the inbox tables."""


class WebhookEvent(Base):
    """One Procore webhook event (however many times it was delivered)."""

    __tablename__ = "webhook_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(100), unique=True)
    event_id: Mapped[str] = mapped_column(String(64))
    company_id: Mapped[int] = mapped_column(BigInteger, index=True)
    project_id: Mapped[int | None] = mapped_column(BigInteger)
    resource_name: Mapped[str] = mapped_column(String(200))
    resource_id: Mapped[int] = mapped_column(BigInteger)
    stream: Mapped[str | None] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(50))
    payload_version: Mapped[str] = mapped_column(String(8))
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deliveries: Mapped[int] = mapped_column(Integer, default=1)
    claimed_by: Mapped[str | None] = mapped_column(String(64), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    consumed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    consumed_by_run: Mapped[str | None] = mapped_column(String(64))


@dataclass(frozen=True)
class PendingGroup:
    """Unconsumed events of one (company, project, stream): what one targeted sync must re-read."""

    company_id: int
    project_id: int | None
    stream: str
    events: int
    first_received_at: datetime
    last_received_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class Inbox:
    """Idempotent storage and batch bookkeeping over one SQLAlchemy engine (thread-safe)."""

    def __init__(self, url: str):
        self.url = url
        if url.startswith("sqlite"):
            path = url.split("///", 1)[1] if "///" in url else ""
            if path and path != ":memory:":
                try:  # 0600; SQLite gives the -wal and -shm files the same mode
                    private_file(path.split("?", 1)[0], create=True)
                except OSError as exc:
                    raise InboxUrlError(f"WEBHOOK_INBOX_URL names {path}, which cannot be created ({exc.strerror})") \
                        from None
            self.engine: Engine = _engine(url, connect_args={"timeout": 5, "check_same_thread": False})
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = _engine(url, pool_pre_ping=True)
        Base.metadata.create_all(self.engine)

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()

    def ping(self) -> None:
        """Raise when the inbox database cannot be reached."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def store(self, ev: InboundEvent, *, received_at: datetime | None = None) -> bool:
        """Store `ev` unless its dedupe key is known; return True when it is new.

        A repeated delivery only bumps `deliveries`. Events whose resource the pipeline does not
        sync, and extra streams of a multi-stream resource, are kept for the record.
        """
        now = received_at or _now()
        streams = ev.streams or (None,)
        rows = []
        for index, stream in enumerate(streams):
            key = ev.dedupe_key if index == 0 else f"{ev.dedupe_key}#{stream}"
            rows.append({
                "dedupe_key": key, "event_id": ev.event_id, "company_id": ev.company_id,
                "project_id": ev.project_id, "resource_name": ev.resource_name, "resource_id": ev.resource_id,
                "stream": stream, "event_type": ev.event_type, "payload_version": ev.payload_version,
                "occurred_at": ev.occurred_at, "received_at": now, "deliveries": 1,
                "consumed_at": now if stream is None else None,
                "consumed_by_run": IGNORED if stream is None else None,
            })
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        table = WebhookEvent.__table__
        inserted = 0
        with self.engine.begin() as conn:
            for row in rows:
                stmt = dialect.insert(table).values(**row).on_conflict_do_nothing(index_elements=["dedupe_key"])
                inserted += conn.execute(stmt).rowcount
            if not inserted:
                conn.execute(update(table).where(table.c.dedupe_key == ev.dedupe_key)
                             .values(deliveries=table.c.deliveries + 1))
        return inserted > 0

    def _pending_filter(self):
        t = WebhookEvent.__table__
        return (t.c.consumed_at.is_(None), t.c.claimed_by.is_(None), t.c.stream.is_not(None))

    def pending_groups(self) -> list[PendingGroup]:
        """Unconsumed, unclaimed events grouped by (company, project, stream)."""
        with self.engine.connect() as conn:
            return self._groups(conn, *self._pending_filter())

    def _groups(self, conn, *where) -> list[PendingGroup]:
        t = WebhookEvent.__table__
        stmt = (select(t.c.company_id, t.c.project_id, t.c.stream, func.count(), func.min(t.c.received_at),
                       func.max(t.c.received_at))
                .where(*where).group_by(t.c.company_id, t.c.project_id, t.c.stream)
                .order_by(t.c.company_id, t.c.project_id, t.c.stream))
        return [PendingGroup(c, p, s, n, _aware(lo), _aware(hi)) for c, p, s, n, lo, hi in conn.execute(stmt)]

    def ignore_other_companies(self, company_ids: Sequence[int]) -> int:
        """Mark pending events of companies outside `company_ids` consumed (`ignored`): nothing syncs them."""
        t = WebhookEvent.__table__
        with self.engine.begin() as conn:
            return conn.execute(update(t).where(*self._pending_filter(), t.c.company_id.not_in(list(company_ids)))
                                .values(consumed_at=_now(), consumed_by_run=IGNORED)).rowcount

    def claim_pending(self, batch_id: str, *, limit: int | None = None) -> list[PendingGroup]:
        """Claim every pending event (oldest first, at most `limit`) for `batch_id`; return its groups."""
        t = WebhookEvent.__table__
        with self.engine.begin() as conn:
            ids = select(t.c.id).where(*self._pending_filter()).order_by(t.c.id)
            if limit:
                ids = ids.limit(limit)
            chosen = [row[0] for row in conn.execute(ids)]
            if not chosen:
                return []
            conn.execute(update(t).where(t.c.id.in_(chosen), t.c.claimed_by.is_(None))
                         .values(claimed_by=batch_id, claimed_at=_now()))
            return self._groups(conn, t.c.claimed_by == batch_id, t.c.consumed_at.is_(None))

    def claimed_groups(self, batch_id: str) -> list[PendingGroup]:
        """The groups a batch claimed and has not yet consumed."""
        t = WebhookEvent.__table__
        with self.engine.connect() as conn:
            return self._groups(conn, t.c.claimed_by == batch_id, t.c.consumed_at.is_(None))

    def open_batches(self) -> dict[str, datetime]:
        """Batches holding unconsumed claimed events, with their claim time."""
        t = WebhookEvent.__table__
        stmt = (select(t.c.claimed_by, func.min(t.c.claimed_at))
                .where(t.c.claimed_by.is_not(None), t.c.consumed_at.is_(None)).group_by(t.c.claimed_by))
        with self.engine.connect() as conn:
            return {batch: _aware(at) for batch, at in conn.execute(stmt)}

    def mark_consumed(self, batch_id: str, run_id: str) -> int:
        """Mark the events claimed by `batch_id` consumed by the (successful) run `run_id`."""
        t = WebhookEvent.__table__
        with self.engine.begin() as conn:
            return conn.execute(update(t).where(t.c.claimed_by == batch_id, t.c.consumed_at.is_(None))
                                .values(consumed_at=_now(), consumed_by_run=run_id)).rowcount

    def release(self, batch_id: str) -> int:
        """Give the unconsumed events of a failed or lost batch back to the next batch."""
        t = WebhookEvent.__table__
        with self.engine.begin() as conn:
            return conn.execute(update(t).where(t.c.claimed_by == batch_id, t.c.consumed_at.is_(None))
                                .values(claimed_by=None, claimed_at=None)).rowcount

    def counts(self) -> dict[str, int]:
        """Events by state: total, pending, in_flight, consumed, ignored, and deliveries received."""
        t = WebhookEvent.__table__
        with self.engine.connect() as conn:
            total, deliveries = conn.execute(select(func.count(), func.coalesce(func.sum(t.c.deliveries), 0))).one()
            pending = conn.execute(select(func.count()).where(*self._pending_filter())).scalar_one()
            in_flight = conn.execute(select(func.count()).where(
                t.c.claimed_by.is_not(None), t.c.consumed_at.is_(None))).scalar_one()
            ignored = conn.execute(select(func.count()).where(t.c.consumed_by_run == IGNORED)).scalar_one()
        consumed = total - pending - in_flight - ignored
        return {"total": total, "pending": pending, "in_flight": in_flight, "consumed": consumed,
                "ignored": ignored, "deliveries": int(deliveries)}

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest `limit` events, newest first, as plain dicts."""
        t = WebhookEvent.__table__
        with self.engine.connect() as conn:
            rows = conn.execute(select(t).order_by(t.c.id.desc()).limit(limit)).mappings().all()
        return [{k: _aware(v) if isinstance(v, datetime) else v for k, v in row.items()} for row in rows]

    def prune(self, older_than: datetime) -> int:
        """Delete consumed (or ignored) events received before `older_than`; pending ones are kept."""
        t = WebhookEvent.__table__
        with self.engine.begin() as conn:
            return conn.execute(t.delete().where(t.c.consumed_at.is_not(None), t.c.received_at < older_than)).rowcount

    def clear(self) -> None:
        """Delete every event (tests and benchmarks only)."""
        with self.engine.begin() as conn:
            conn.execute(WebhookEvent.__table__.delete())
