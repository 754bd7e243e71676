"""The access store on SQLite and PostgreSQL: digests only, one live token per resource, groups."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from dashboard.access_store import AccessStore, StoreError, digest
from dashboard.models import ApiToken, CompanyToken, ProjectGroupToken, ProjectToken

PG_URL = os.environ.get("DASHBOARD_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


def _postgres_store() -> Iterator[AccessStore]:
    engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        engine.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {PG_URL} is required in CI: {type(exc).__name__}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL} (outside CI)")
    schema = f"dash_test_{uuid.uuid4().hex[:10]}"
    with engine.begin() as con:
        con.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    store = AccessStore(PG_URL, schema=schema, engine=engine)
    try:
        yield store
    finally:
        with engine.begin() as con:
            con.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path) -> Iterator[AccessStore]:
    """An empty access store on each backend."""
    if request.param == "sqlite":
        s = AccessStore(f"sqlite:///{tmp_path / 'nested' / 'dashboard.db'}")  # parent dir is created
        s.create_all()
        yield s
        s.engine.dispose()
    else:
        gen = _postgres_store()
        s = next(gen)
        s.create_all()
        yield s
        gen.close()


def test_tokens_are_polymorphic_and_stored_as_digests(store):
    tokens = {kind: store.generate_token(kind, rid)[0]
              for kind, rid in (("Project", 9_007_199_254_740_993), ("ProjectGroup", 1), ("Company", 562949953421312))}
    with store.session() as s:
        rows = s.scalars(sa.select(ApiToken).order_by(ApiToken.id)).all()
    assert [type(r) for r in rows] == [ProjectToken, ProjectGroupToken, CompanyToken]
    assert [r.api_token_type for r in rows] == ["project", "project_group", "company"]
    assert rows[0].resource_id == 9_007_199_254_740_993  # BIGINT ids survive
    for row, token in zip(rows, tokens.values(), strict=True):
        assert token.startswith("ppd_") and len(token) >= 40
        assert row.token_digest == digest(token) and token not in (row.token_digest, row.token_prefix)
    assert store.authenticate(tokens["Company"]).resource_id == 562949953421312
    assert store.authenticate("ppd_" + "x" * 43) is None and store.authenticate("nope") is None


def test_one_live_token_per_resource(store):
    token, _ = store.generate_token("Project", 5)
    with pytest.raises(StoreError, match="already has a live token"):
        store.generate_token("Project", 5)
    # The database itself refuses a second live row (partial unique index), whatever the code does.
    with pytest.raises(IntegrityError), store.session() as s, s.begin():
        s.add(ProjectToken(resource_type="Project", resource_id=5, token_digest="f" * 64, token_prefix="ppd_x",
                           created_at=datetime.now(UTC)))
    new, _ = store.rotate("Project", 5)
    assert store.authenticate(token) is None and store.authenticate(new).resource_id == 5
    assert [t.revoked_at is not None for t in store.list_tokens(include_revoked=True)] == [True, False]


def test_last_used_is_written_at_most_once_a_minute(store):
    token, _ = store.generate_token("Company", 3)
    first = store.authenticate(token).last_used_at
    assert first is not None
    assert store.authenticate(token).last_used_at == first


def test_groups(store):
    group = store.create_group("  West ", 7, [3, 1, 3])
    assert (group.name, group.company_id, group.project_ids) == ("West", 7, (1, 3))
    assert store.add_projects(group.id, [2, 3]).project_ids == (1, 2, 3)
    assert store.remove_projects(group.id, [1]).project_ids == (2, 3)
    store.generate_token("ProjectGroup", group.id)
    store.delete_group(group.id)
    assert store.list_groups() == [] and store.live_token("ProjectGroup", group.id) is None
    with pytest.raises(StoreError, match="unknown group"):
        store.get_group(group.id)
    with pytest.raises(StoreError, match="non-empty"):
        store.create_group(" ", 7, [1])
