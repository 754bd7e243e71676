"""Webhook settings, read from the environment.

| variable | default | meaning |
|---|---|---|
| `PROCORE_WEBHOOK_SECRET` | none (required to serve/register) | the bearer secret Procore sends back |
| `WEBHOOK_INBOX_URL` | `sqlite:///<PIPELINES_DATA_DIR>/webhooks.db` | SQLAlchemy URL of the event inbox |
| `PROCORE_WEBHOOK_NAMESPACE` | `procore-pipelines` | the hooks namespace this app owns |
| `PROCORE_WEBHOOK_PAYLOAD_VERSION` | `v2` | payload format requested when registering |
| `PROCORE_WEBHOOK_BUDGET_RESOURCES` | `Budget Line Items,Budget Modifications` | budget triggers `register` creates |
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from pipeline_settings import variables
from webhooks.resource_streams import DEFAULT_BUDGET_RESOURCES, is_budget_resource

DEFAULT_NAMESPACE = "procore-pipelines"
# Procore: "lowercase a-z, digits 0-9, and dashes" (developers.procore.com/documentation/webhooks-api)
_NAMESPACE_RE = re.compile(r"^[a-z0-9-]{1,100}$")
_URL_PASSWORD_RE = re.compile(r"(://[^:/@?]*:)[^?]*@")
PAYLOAD_VERSIONS = ("v2", "v3", "v4")


class WebhookSettingsError(ValueError):
    """A webhook setting is missing or malformed."""


def default_inbox_url(environ: Mapping[str, str]) -> str:
    """`sqlite:///<PIPELINES_DATA_DIR>/webhooks.db` (data dir defaults to `./data`), as an absolute path."""
    return f"sqlite:///{variables.data_dir(environ).resolve() / 'webhooks.db'}"


def _budget_resources(raw: str | None) -> tuple[str, ...]:
    """`PROCORE_WEBHOOK_BUDGET_RESOURCES`: comma-separated Procore budget resource names (default two)."""
    if not (raw or "").strip():
        return DEFAULT_BUDGET_RESOURCES
    names = tuple(dict.fromkeys(" ".join(n.split()) for n in raw.split(",") if n.strip()))
    bad = [n for n in names if not is_budget_resource(n) or len(n) > 100 or not n.isprintable()]
    if bad:
        raise WebhookSettingsError("PROCORE_WEBHOOK_BUDGET_RESOURCES takes Procore budget resource names "
                                   f"such as 'Budget Changes' (each starting with 'Budget '), not {bad[0]!r}")
    return names


def redact_url(url: str) -> str:
    """`url` with any password replaced by `***` (for messages and reprs)."""
    return _URL_PASSWORD_RE.sub(r"\1***@", url)


@dataclass(frozen=True, repr=False)
class WebhookSettings:
    """What the receiver, the CLI and the sensor need to know."""

    secret: str | None
    inbox_url: str
    namespace: str = DEFAULT_NAMESPACE
    payload_version: str = "v2"
    budget_resources: tuple[str, ...] = DEFAULT_BUDGET_RESOURCES

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WebhookSettings:
        """Read the settings from `environ` (default `os.environ`); raise `WebhookSettingsError` on bad values."""
        env = os.environ if environ is None else environ
        secret = env.get("PROCORE_WEBHOOK_SECRET") or None
        if secret is not None and (len(secret) < 16 or any(c.isspace() for c in secret)):
            raise WebhookSettingsError("PROCORE_WEBHOOK_SECRET must be at least 16 characters without spaces")
        namespace = env.get("PROCORE_WEBHOOK_NAMESPACE") or DEFAULT_NAMESPACE
        if not _NAMESPACE_RE.match(namespace):
            raise WebhookSettingsError("PROCORE_WEBHOOK_NAMESPACE may hold only lowercase a-z, digits 0-9 and dashes")
        version = (env.get("PROCORE_WEBHOOK_PAYLOAD_VERSION") or "v2").strip().lower()
        if version not in PAYLOAD_VERSIONS:
            raise WebhookSettingsError(f"PROCORE_WEBHOOK_PAYLOAD_VERSION must be one of {', '.join(PAYLOAD_VERSIONS)}")
        return cls(
            secret=secret,
            inbox_url=env.get("WEBHOOK_INBOX_URL") or default_inbox_url(env),
            namespace=namespace,
            payload_version=version,
            budget_resources=_budget_resources(env.get("PROCORE_WEBHOOK_BUDGET_RESOURCES")),
        )

    def __repr__(self) -> str:
        secret = "None" if self.secret is None else "'<hidden>'"
        return (f"WebhookSettings(secret={secret}, inbox_url={redact_url(self.inbox_url)!r}, "
                f"namespace={self.namespace!r}, payload_version={self.payload_version!r}, "
                f"budget_resources={self.budget_resources!r})")

    __str__ = __repr__

    def require_secret(self) -> str:
        """The secret, or a clear error when it is not configured."""
        if not self.secret:
            raise WebhookSettingsError("PROCORE_WEBHOOK_SECRET is not set")
        return self.secret
