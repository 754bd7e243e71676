"""`procore-dashboard`: serve the dashboard, manage project groups and API tokens."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy import make_url
from sqlalchemy.exc import SQLAlchemyError

from dashboard.access_store import StoreError, TokenInfo
from dashboard.settings import BASE_URL_PATH, DashboardSettings
from pipeline_settings import SettingsError
from pipeline_settings.cli_args import port_number

ASGI_PATH = Path(__file__).with_name("asgi.py")


def streamlit_flags(port: int, address: str | None) -> list[str]:
    """The Streamlit options `serve` always sets (base path, XSRF on, no error details, ...)."""
    options = {
        "server.port": port, "server.baseUrlPath": BASE_URL_PATH, "server.headless": "true",
        "server.enableXsrfProtection": "true", "server.enableCORS": "true",
        "server.fileWatcherType": "none", "server.runOnSave": "false",
        "client.showErrorDetails": "none", "client.toolbarMode": "minimal",
        "browser.gatherUsageStats": "false", "global.developmentMode": "false",
        # The app takes no uploads and tiny widget states; `dashboard.gate` refuses the routes as well.
        "server.maxUploadSize": 0, "server.maxWidgetStateSize": 1, "server.allowRunOnSave": "false",
        "server.enableAgentApi": "false", "server.enableStaticServing": "false",
        "server.scriptHealthCheckEnabled": "false",
    }
    if address:
        options["server.address"] = address
    return [f"--{key}={value}" for key, value in options.items()]


def _ids(text: str) -> list[int]:
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated project ids, got {text!r}") from None
    if not ids or any(i <= 0 for i in ids):
        raise argparse.ArgumentTypeError(f"expected positive project ids, got {text!r}")
    return ids


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="procore-dashboard", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the dashboard under /" + BASE_URL_PATH + "/")
    serve.add_argument("--port", type=port_number, default=8501)
    serve.add_argument("--address", default=None, help="interface to bind (default: Streamlit's)")

    groups = sub.add_parser("groups", help="project groups").add_subparsers(dest="action", required=True)
    create = groups.add_parser("create")
    create.add_argument("--name", required=True)
    create.add_argument("--company", type=int, required=True)
    create.add_argument("--projects", type=_ids, required=True)
    create.add_argument("--json", action="store_true")
    groups.add_parser("list").add_argument("--json", action="store_true")
    for action in ("add-projects", "remove-projects"):
        p = groups.add_parser(action)
        p.add_argument("group", type=int)
        p.add_argument("--projects", type=_ids, required=True)
        p.add_argument("--json", action="store_true")
    groups.add_parser("delete").add_argument("group", type=int)

    tokens = sub.add_parser("tokens", help="API tokens").add_subparsers(dest="action", required=True)
    for action in ("generate", "revoke", "rotate"):
        p = tokens.add_parser(action)
        target = p.add_mutually_exclusive_group(required=True)
        target.add_argument("--project", type=int)
        target.add_argument("--group", type=int)
        target.add_argument("--company", type=int)
        if action == "generate":
            target.add_argument("--all-groups", action="store_true")
        if action != "revoke":
            p.add_argument("--json", action="store_true")
    listing = tokens.add_parser("list")
    listing.add_argument("--all", action="store_true", help="include revoked tokens")
    listing.add_argument("--json", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; errors are one line on stderr and exit status 1."""
    args = build_parser().parse_args(argv)
    try:
        settings = DashboardSettings.from_env()
        if args.command == "serve":
            return _serve(args)
        from dashboard.admin import Admin  # deferred: `serve` needs no database

        admin = Admin(settings)
        return _groups(admin, args) if args.command == "groups" else _tokens(admin, args)
    except (SettingsError, StoreError) as exc:
        print(f"procore-dashboard: error: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        url = make_url(DashboardSettings.from_env().database_url).render_as_string(hide_password=True)
        print(f"procore-dashboard: error: cannot use the access store at {url} "
              f"({type(exc).__name__})", file=sys.stderr)
        return 1


def _serve(args: argparse.Namespace) -> int:
    from streamlit.web import cli as streamlit_cli

    argv = ["run", str(ASGI_PATH), *streamlit_flags(args.port, args.address)]
    return streamlit_cli.main(args=argv, prog_name="streamlit", standalone_mode=False) or 0


def _groups(admin, args: argparse.Namespace) -> int:
    from dashboard.admin import printable

    store = admin.store
    if args.action == "create":
        admin.check_projects(args.company, args.projects)
        group = store.create_group(args.name, args.company, args.projects)
    elif args.action in ("add-projects", "remove-projects"):
        group = store.get_group(args.group)
        if args.action == "add-projects":
            admin.check_projects(group.company_id, args.projects)
            group = store.add_projects(args.group, args.projects)
        else:
            group = store.remove_projects(args.group, args.projects)
    elif args.action == "delete":
        store.delete_group(args.group)
        print(f"deleted group {args.group} (its tokens are revoked)")
        return 0
    else:
        groups = store.list_groups()
        if args.json:
            print(json.dumps([g.as_json() for g in groups]))
        for g in [] if args.json else groups:
            print(f"{g.id}\t{printable(g.name)}\tcompany {g.company_id}\t"
                  f"projects {','.join(map(str, g.project_ids))}")
        return 0
    if args.json:
        print(json.dumps(group.as_json()))  # JSON escapes control characters itself
    else:
        print(f"group {group.id} '{printable(group.name)}' (company {group.company_id}): "
              f"projects {', '.join(map(str, group.project_ids)) or 'none'}")
    return 0


def _target(args: argparse.Namespace) -> tuple[str, int]:
    from dashboard.admin import RESOURCE_FLAGS

    for flag, resource_type in RESOURCE_FLAGS.items():
        if getattr(args, flag, None) is not None:
            return resource_type, getattr(args, flag)
    raise StoreError("name a --project, --group or --company")


def _describe(t: TokenInfo) -> str:
    used = t.last_used_at.isoformat(timespec="seconds") if t.last_used_at else "never"
    state = f"revoked {t.revoked_at.isoformat(timespec='seconds')}" if t.revoked_at else "live"
    return (f"{t.id}\t{t.resource_type} {t.resource_id}\t{t.prefix}…\tcreated "
            f"{t.created_at.isoformat(timespec='seconds')}\tlast used {used}\t{state}")


def _tokens(admin, args: argparse.Namespace) -> int:
    if args.action == "list":
        rows = admin.store.list_tokens(include_revoked=args.all)
        if args.json:
            print(json.dumps([{"id": t.id, "resource_type": t.resource_type, "resource_id": t.resource_id,
                               "api_token_type": t.api_token_type, "prefix": t.prefix,
                               "created_at": t.created_at.isoformat(),
                               "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                               "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None}
                              for t in rows]))
        else:
            print("\n".join(_describe(t) for t in rows) or "no tokens")
        return 0
    if args.action == "revoke":
        resource_type, resource_id = _target(args)
        if admin.store.live_token(resource_type, resource_id) is None:
            admin.check_resource(resource_type, resource_id)  # unknown resources are still errors
            print(f"{resource_type} {resource_id} has no live token: nothing to revoke")
            return 0
        info = admin.store.revoke(resource_type, resource_id)
        print(f"revoked the token of {info.resource_type} {info.resource_id} ({info.prefix}…)")
        return 0
    skipped: list[TokenInfo] = []
    if args.action == "rotate":
        created = [admin.rotate(*_target(args))]
    elif args.all_groups:
        created, skipped = admin.generate_all_groups()
    else:
        created = [admin.generate(*_target(args))]
    if args.json:
        print(json.dumps([t.as_json() for t in created]))
    else:
        for t in created:
            print(f"{t.resource_type} {t.resource_id}: {t.token}\n  iframe URL: {t.url}")
        if not created:
            print("no new tokens")
        print("(each token is shown only this once; store it in the Procore app configuration)")
    for t in skipped:
        print(f"skipped {t.resource_type} {t.resource_id}: it already has a live token ({t.prefix}…)",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
