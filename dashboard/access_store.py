"""The access store: project groups and API tokens in SQLite or PostgreSQL (SQLAlchemy 2).

Tokens are `ppd_` + `secrets.token_urlsafe(32)` (256 bits); only their SHA-256 digest and a short
display prefix are stored, so a leaked database opens nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, delete, event, make_url, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload, sessionmaker

from dashboard.models import TOKEN_CLASSES, ApiToken, Base, ProjectGroup, ProjectGroupMember

TOKEN_PREFIX = "ppd_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


class StoreError(ValueError):
    """A request to the access store that cannot be honoured (one line, safe to print)."""


@dataclass(frozen=True)
class GroupInfo:
    """A project group as plain data."""

    id: int
    name: str
    company_id: int
    project_ids: tuple[int, ...]

    def as_json(self) -> dict:
        """The group as the CLI's JSON shape."""
        return {"id": self.id, "name": self.name, "company_id": self.company_id,
                "project_ids": list(self.project_ids)}


@dataclass(frozen=True)
class TokenInfo:
    """A token row as plain data (never the token itself)."""

    id: int
    api_token_type: str
    resource_type: str
    resource_id: int
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def digest(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything stored is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _group_info(group: ProjectGroup) -> GroupInfo:
    return GroupInfo(group.id, group.name, group.company_id, tuple(group.project_ids))


def _token_info(row: ApiToken) -> TokenInfo:
    return TokenInfo(row.id, row.api_token_type, row.resource_type, row.resource_id, row.token_prefix,
                     _utc(row.created_at), _utc(row.last_used_at), _utc(row.revoked_at))


class AccessStore:
    """Groups and tokens at a SQLAlchemy URL; `schema` isolates tables (PostgreSQL tests)."""

    def __init__(self, database_url: str, schema: str | None = None, engine: Engine | None = None):
        self.engine = engine or create_engine(normalize_url(database_url), pool_pre_ping=True)
        database = self.engine.url.database
        if self.engine.dialect.name == "sqlite" and database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):  # owner-only; SQLite gives -wal/-shm the same mode
                os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        if schema:
            self.engine = self.engine.execution_options(schema_translate_map={None: schema})
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def create_all(self) -> None:
        """Create the tables when missing (idempotent)."""
        Base.metadata.create_all(self.engine)

    def session(self) -> Session:
        """A new ORM session."""
        return self._sessions()

    # -- groups -------------------------------------------------------------------------------
    def create_group(self, name: str, company_id: int, project_ids: Iterable[int]) -> GroupInfo:
        """Create a group of `company_id`'s projects."""
        if not name.strip():
            raise StoreError("a group needs a non-empty --name")
        if not name.strip().isprintable():
            raise StoreError("a group --name cannot contain control characters (escape sequences, newlines, tabs)")
        with self.session() as s, s.begin():
            group = ProjectGroup(name=name.strip(), company_id=company_id, created_at=_now())
            group.members = [ProjectGroupMember(project_id=p) for p in sorted(set(project_ids))]
            s.add(group)
            s.flush()
            return _group_info(group)

    def get_group(self, group_id: int) -> GroupInfo:
        """The group with `group_id`, or StoreError."""
        with self.session() as s:
            group = s.get(ProjectGroup, group_id, options=[selectinload(ProjectGroup.members)])
            if group is None:
                raise StoreError(f"unknown group {group_id}")
            return _group_info(group)

    def list_groups(self) -> list[GroupInfo]:
        """Every group, by id."""
        with self.session() as s:
            rows = s.scalars(select(ProjectGroup).options(selectinload(ProjectGroup.members))
                             .order_by(ProjectGroup.id))
            return [_group_info(g) for g in rows]

    def add_projects(self, group_id: int, project_ids: Iterable[int]) -> GroupInfo:
        """Add projects to a group (already present ones are ignored)."""
        with self.session() as s, s.begin():
            group = s.get(ProjectGroup, group_id)
            if group is None:
                raise StoreError(f"unknown group {group_id}")
            present = set(group.project_ids)
            for pid in sorted(set(project_ids) - present):
                group.members.append(ProjectGroupMember(project_id=pid))
            s.flush()
            return _group_info(group)

    def remove_projects(self, group_id: int, project_ids: Iterable[int]) -> GroupInfo:
        """Remove projects from a group."""
        drop = set(project_ids)
        with self.session() as s, s.begin():
            group = s.get(ProjectGroup, group_id)
            if group is None:
                raise StoreError(f"unknown group {group_id}")
            group.members = [m for m in group.members if m.project_id not in drop]
            s.flush()
            return _group_info(group)

    def delete_group(self, group_id: int) -> None:
        """Delete a group and revoke its tokens."""
        with self.session() as s, s.begin():
            group = s.get(ProjectGroup, group_id)
            if group is None:
                raise StoreError(f"unknown group {group_id}")
            s.execute(update(ApiToken).where(ApiToken.resource_type == "ProjectGroup",
                                             ApiToken.resource_id == group_id,
                                             ApiToken.revoked_at.is_(None)).values(revoked_at=_now()))
            s.execute(delete(ProjectGroupMember).where(ProjectGroupMember.group_id == group_id))
            s.delete(group)

    # -- tokens -------------------------------------------------------------------------------
    def live_token(self, resource_type: str, resource_id: int) -> TokenInfo | None:
        """The live token of a resource, if any."""
        with self.session() as s:
            row = s.scalar(select(ApiToken).where(ApiToken.resource_type == resource_type,
                                                  ApiToken.resource_id == resource_id,
                                                  ApiToken.revoked_at.is_(None)))
            return _token_info(row) if row else None

    def generate_token(self, resource_type: str, resource_id: int) -> tuple[str, TokenInfo]:
        """Create a token for a resource that has no live one; returns (token, row)."""
        cls = TOKEN_CLASSES.get(resource_type)
        if cls is None:
            raise StoreError(f"unknown resource type {resource_type!r}")
        if self.live_token(resource_type, resource_id) is not None:
            raise StoreError(f"{resource_type} {resource_id} already has a live token (rotate it instead)")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.session() as s, s.begin():
            row = cls(resource_type=resource_type, resource_id=resource_id, token_digest=digest(token),
                      token_prefix=token[:10], created_at=_now())
            s.add(row)
            s.flush()
            return token, _token_info(row)

    def revoke(self, resource_type: str, resource_id: int) -> TokenInfo:
        """Revoke a resource's live token; StoreError when it has none."""
        with self.session() as s, s.begin():
            row = s.scalar(select(ApiToken).where(ApiToken.resource_type == resource_type,
                                                  ApiToken.resource_id == resource_id,
                                                  ApiToken.revoked_at.is_(None)))
            if row is None:
                raise StoreError(f"{resource_type} {resource_id} has no live token")
            row.revoked_at = _now()
            return _token_info(row)

    def rotate(self, resource_type: str, resource_id: int) -> tuple[str, TokenInfo]:
        """Revoke the live token of a resource (if any) and generate a new one."""
        if self.live_token(resource_type, resource_id) is not None:
            self.revoke(resource_type, resource_id)
        return self.generate_token(resource_type, resource_id)

    def list_tokens(self, include_revoked: bool = False) -> list[TokenInfo]:
        """Token rows by id (never the tokens)."""
        with self.session() as s:
            query = select(ApiToken).order_by(ApiToken.id)
            if not include_revoked:
                query = query.where(ApiToken.revoked_at.is_(None))
            return [_token_info(r) for r in s.scalars(query)]

    def authenticate(self, token: str) -> TokenInfo | None:
        """The live token row matching `token` by digest, or None; records `last_used_at`."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        now = _now()
        with self.session() as s, s.begin():
            row = s.scalar(select(ApiToken).where(ApiToken.token_digest == digest(token)))
            if row is None or row.revoked_at is not None:
                return None
            last = _utc(row.last_used_at)
            # Write at most once a minute per token, so reruns stay read-only and cheap.
            if last is None or now - last >= LAST_USED_RESOLUTION:
                row.last_used_at = now
            return _token_info(row)


    def live_digests(self, digests: Iterable[str]) -> set[str]:
        """Those of `digests` that belong to a live (not revoked) token; records nothing."""
        wanted = sorted(set(digests))
        live: set[str] = set()
        with self.session() as s:
            for start in range(0, len(wanted), 500):  # bounded IN lists
                live.update(s.scalars(select(ApiToken.token_digest).where(
                    ApiToken.token_digest.in_(wanted[start:start + 500]), ApiToken.revoked_at.is_(None))))
        return live


def normalize_url(database_url: str) -> str:
    """Pick the installed PostgreSQL driver for a bare `postgresql://` URL.

    SQLAlchemy 2.1 maps `postgresql://` to psycopg 3; the project ships psycopg2.
    """
    url = make_url(database_url)
    if url.drivername == "postgresql" and importlib.util.find_spec("psycopg") is None:
        url = url.set(drivername="postgresql+psycopg2")
    return url.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
