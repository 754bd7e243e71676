"""Webhook settings, read from the environment.

| variable | default | meaning |
|---|---|---|
| `PROCORE_WEBHOOK_SECRET` | none (required to serve/register) | the bearer secret Procore sends back |
| `WEBHOOK_INBOX_URL` | `sqlite:///<PIPELINES_DATA_DIR>/webhooks.db` | SQLAlchemy URL of the event inbox |
| `PROCORE_WEBHOOK_NAMESPACE` | `procore-pipelines` | the hooks namespace this app owns |
| `PROCORE_WEBHOOK_PAYLOAD_VERSION` | `v2` | payload format requested when registering |
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_NAMESPACE = "procore-pipelines"
_NAMESPACE_RE = re.compile(r"^[a-z-]+$")
PAYLOAD_VERSIONS = ("v2", "v3", "v4")


class WebhookSettingsError(ValueError):
    """A webhook setting is missing or malformed."""


def default_inbox_url(environ: Mapping[str, str]) -> str:
    """`sqlite:///<PIPELINES_DATA_DIR>/webhooks.db` (data dir defaults to `./data`)."""
    data_dir = Path(environ.get("PIPELINES_DATA_DIR") or "data").resolve()
    return f"sqlite:///{data_dir / 'webhooks.db'}"


@dataclass(frozen=True)
class WebhookSettings:
    """What the receiver, the CLI and the sensor need to know."""

    secret: str | None
    inbox_url: str
    namespace: str = DEFAULT_NAMESPACE
    payload_version: str = "v2"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WebhookSettings:
        """Read the settings from `environ` (default `os.environ`); raise `WebhookSettingsError` on bad values."""
        env = os.environ if environ is None else environ
        secret = env.get("PROCORE_WEBHOOK_SECRET") or None
        if secret is not None and (len(secret) < 16 or any(c.isspace() for c in secret)):
            raise WebhookSettingsError("PROCORE_WEBHOOK_SECRET must be at least 16 characters without spaces")
        namespace = env.get("PROCORE_WEBHOOK_NAMESPACE") or DEFAULT_NAMESPACE
        if not _NAMESPACE_RE.match(namespace):
            raise WebhookSettingsError("PROCORE_WEBHOOK_NAMESPACE may hold only lowercase a-z and dashes")
        version = (env.get("PROCORE_WEBHOOK_PAYLOAD_VERSION") or "v2").strip().lower()
        if version not in PAYLOAD_VERSIONS:
            raise WebhookSettingsError(f"PROCORE_WEBHOOK_PAYLOAD_VERSION must be one of {', '.join(PAYLOAD_VERSIONS)}")
        return cls(
            secret=secret,
            inbox_url=env.get("WEBHOOK_INBOX_URL") or default_inbox_url(env),
            namespace=namespace,
            payload_version=version,
        )

    def require_secret(self) -> str:
        """The secret, or a clear error when it is not configured."""
        if not self.secret:
            raise WebhookSettingsError("PROCORE_WEBHOOK_SECRET is not set")
        return self.secret
