"""PostgreSQL for the production shape: connection settings, the databases created when missing.

Dagster's settings travel as the `DAGSTER_PG_*` variables `deploy/dagster/dagster.prod.yaml` reads,
so the webserver, the daemon and every run worker build the same connection. The access store and
the webhook inbox get databases of their own on the same server (`APP_DATABASES`, the names the
settings template `deploy/env/procore-pipelines.env.example` uses), so each can be backed up alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from urllib.parse import quote, urlsplit

import psycopg2
from psycopg2 import sql

DEFAULT_DATABASE = "procore_pipelines"
# setting -> database of the dashboard's access store and of the webhook inbox
APP_DATABASES = {"DASHBOARD_DATABASE_URL": "procore_dashboard", "WEBHOOK_INBOX_URL": "procore_webhooks"}


@dataclass(frozen=True)
class PgTarget:
    """Where Dagster's storage lives: server, user and database."""

    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""
    database: str = DEFAULT_DATABASE

    @classmethod
    def from_url(cls, url: str, database: str | None = None) -> PgTarget:
        """From `postgresql://user:password@host:port[/db]`; `database` overrides the URL's."""
        parts = urlsplit(url)
        if parts.scheme.split("+")[0] not in ("postgresql", "postgres"):
            raise ValueError(f"not a PostgreSQL URL: {parts.scheme}://...")
        db = database or parts.path.lstrip("/") or DEFAULT_DATABASE
        return cls(parts.hostname or "127.0.0.1", parts.port or 5432, parts.username or "postgres",
                   parts.password or "", db)

    def env(self) -> dict[str, str]:
        """The `DAGSTER_PG_*` variables for `dagster.prod.yaml`."""
        return {"DAGSTER_PG_HOST": self.host, "DAGSTER_PG_PORT": str(self.port), "DAGSTER_PG_USER": self.user,
                "DAGSTER_PG_PASSWORD": self.password, "DAGSTER_PG_DB": self.database}

    def url(self, database: str | None = None) -> str:
        """A SQLAlchemy URL (psycopg2 driver) for `database` (default this target's)."""
        auth = quote(self.user, safe="") + (f":{quote(self.password, safe='')}" if self.password else "")
        return f"postgresql+psycopg2://{auth}@{self.host}:{self.port}/{database or self.database}"

    def connect(self, database: str | None = None, timeout: int = 5):
        """A psycopg2 connection (autocommit) to `database` (default this target's)."""
        con = psycopg2.connect(host=self.host, port=self.port, user=self.user, password=self.password or None,
                               dbname=database or self.database, connect_timeout=timeout)
        con.autocommit = True
        return con

    def describe(self) -> str:
        """`user@host:port/db`, no password."""
        return f"{self.user}@{self.host}:{self.port}/{self.database}"


def ensure_database(target: PgTarget) -> bool:
    """Create `target.database` when it does not exist; True when it was created."""
    con = target.connect("postgres")
    try:
        with con.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (target.database,))
            if cur.fetchone():
                return False
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.database)))
            return True
    finally:
        con.close()


def ensure_app_databases(target: PgTarget, environ: dict[str, str]) -> dict[str, str]:
    """For each of `APP_DATABASES` not already set in `environ`: create its database on `target`'s server
    when missing; return those settings as URLs (psycopg2 driver)."""
    urls = {}
    for setting, database in APP_DATABASES.items():
        if not environ.get(setting):
            ensure_database(replace(target, database=database))
            urls[setting] = target.url(database)
    return urls


def wait_for_server(target: PgTarget, timeout: float = 30.0) -> None:
    """Return once the server accepts connections; raise naming the server after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            target.connect("postgres", timeout=2).close()
            return
        except psycopg2.OperationalError as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL at {target.host}:{target.port} is not reachable: {exc}") from exc
            time.sleep(0.3)
