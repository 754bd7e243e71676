"""`procore-webhooks`: serve the receiver, register the company hooks, show their status.

    procore-webhooks serve [--port 8765] [--address 127.0.0.1]
    procore-webhooks register --company CID --url https://host/webhooks/procore
    procore-webhooks status [--company CID] [--limit 20]
    procore-webhooks prune [--days 30]

Settings come from the environment (`PROCORE_WEBHOOK_SECRET`, `WEBHOOK_INBOX_URL`, and the
`PROCORE_*` client variables for `register`/`status`). Secrets are never printed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from pipeline_settings.cli_args import port_number
from procore_source.errors import ProcoreError
from procore_source.settings import ProcoreSettings, SettingsError
from webhooks.inbox import Inbox, InboxUrlError
from webhooks.settings import WebhookSettings, WebhookSettingsError, redact_url


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="procore-webhooks", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the receiver (POST /webhooks/procore, GET /webhooks/health)")
    serve.add_argument("--port", type=port_number, default=8765)
    serve.add_argument("--address", "--host", dest="address", default="127.0.0.1",
                       help="interface to bind (0.0.0.0 for all)")
    reg = sub.add_parser("register", help="create or update the company's hook and its triggers (idempotent)")
    reg.add_argument("--company", type=int, action="append", required=True, help="company id (repeatable)")
    reg.add_argument("--url", required=True, help="public URL of the receiver's /webhooks/procore")
    status = sub.add_parser("status", help="hooks, triggers and recent deliveries")
    status.add_argument("--company", type=int, action="append", help="company id (default PROCORE_COMPANY_IDS)")
    status.add_argument("--limit", type=int, default=20, help="recent inbox events to list")
    prune = sub.add_parser("prune", help="delete consumed events older than --days from the inbox")
    prune.add_argument("--days", type=int, default=30)
    return parser


def cmd_prune(settings: WebhookSettings, days: int) -> int:
    """Delete consumed events older than `days` days."""
    if days < 1:
        raise WebhookSettingsError("--days must be at least 1")
    inbox = Inbox(settings.inbox_url)
    try:
        removed = inbox.prune(datetime.now(UTC) - timedelta(days=days))
    finally:
        inbox.close()
    print(f"pruned {removed} consumed events older than {days} days")
    return 0


def _client():
    from procore_source.client import ProcoreClient

    return ProcoreClient(ProcoreSettings.from_env())


def cmd_register(settings: WebhookSettings, companies: list[int], url: str) -> int:
    """Register every company; print one line per company."""
    from webhooks.procore_api import HooksApi
    from webhooks.register import register

    if not url.startswith(("https://", "http://")):
        raise WebhookSettingsError("--url must be an http(s) URL (Procore requires https in production)")
    secret = settings.require_secret()
    with _client() as client:
        api = HooksApi(client)
        for company_id in companies:
            result = register(api, company_id=company_id, url=url, secret=secret, namespace=settings.namespace,
                              api_version=settings.payload_version, budget_resources=settings.budget_resources)
            what = "created" if result.created else "updated" if result.changed else "unchanged"
            print(f"company {company_id}: hook {result.hook_id} {what}; triggers {result.triggers_total} "
                  f"(+{len(result.triggers_added)} -{len(result.triggers_removed)}); namespace {settings.namespace}")
    return 0


def cmd_status(settings: WebhookSettings, companies: list[int] | None, limit: int) -> int:
    """Print hooks and triggers (when the client is configured) and the inbox's state."""
    from webhooks.procore_api import HooksApi

    try:
        client = _client()
    except SettingsError as exc:
        print(f"hooks: not shown ({exc})")
        client = None
    if client is not None:
        with client:
            api = HooksApi(client)
            for company_id in companies or client.settings.company_ids:
                hooks = api.list_hooks(company_id, settings.namespace)
                if not hooks:
                    print(f"company {company_id}: no hook in namespace {settings.namespace}")
                for hook in hooks:
                    triggers = api.list_triggers(company_id, int(hook["id"]))
                    names = sorted({t["resource_name"] for t in triggers})
                    print(f"company {company_id}: hook {hook['id']} -> {hook.get('destination_url')} "
                          f"({hook.get('api_version')}, {len(triggers)} triggers: {', '.join(names)})")
                    failing = api.list_deliveries(company_id, int(hook["id"]), "failing")
                    print(f"  failing deliveries at Procore: {len(failing)}")
    inbox = Inbox(settings.inbox_url)
    try:
        counts = inbox.counts()
        print("inbox: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        for row in inbox.recent(limit):
            state = "consumed" if row["consumed_at"] else f"claimed by {row['claimed_by']}" if row["claimed_by"] \
                else "pending"
            print(f"  {row['received_at']:%Y-%m-%d %H:%M:%S} {row['resource_name']} {row['event_type']} "
                  f"company {row['company_id']} project {row['project_id']} id {row['resource_id']} "
                  f"x{row['deliveries']} {state}")
    finally:
        inbox.close()
    return 0


def inbox_failure(settings: WebhookSettings | None, exc: SQLAlchemyError) -> str:
    """One line naming the inbox (password hidden) and the database's own first line of explanation."""
    where = redact_url(settings.inbox_url) if settings is not None else "WEBHOOK_INBOX_URL"
    detail = str(getattr(exc, "orig", None) or type(exc).__name__).strip().splitlines()[0]
    return f"cannot use the event inbox at {where}: {detail}"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `procore-webhooks` console script."""
    args = _parser().parse_args(argv)
    settings: WebhookSettings | None = None
    try:
        settings = WebhookSettings.from_env()
        if args.command == "serve":
            from webhooks.server import serve

            settings.require_secret()
            serve(settings, host=args.address, port=args.port)
            return 0
        if args.command == "register":
            return cmd_register(settings, args.company, args.url)
        if args.command == "prune":
            return cmd_prune(settings, args.days)
        return cmd_status(settings, args.company, args.limit)
    except (WebhookSettingsError, SettingsError, InboxUrlError) as exc:
        print(f"procore-webhooks: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"procore-webhooks: {inbox_failure(settings, exc)}", file=sys.stderr)
        return 1
    except ProcoreError as exc:
        print(f"procore-webhooks: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
