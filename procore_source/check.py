"""`procore-check`: the connection test a new user runs first with real credentials.

It gets a token, lists the companies the credentials can see, and for each configured company
checks the projects list and, on a sample of projects (or the `--project-ids` given, each of which
must belong to a configured company), read access to RFIs, submittals and budget views, then
reports the rate-limit headroom. `--shapes` also reads one page of each stream of those projects
and reports every field whose shape differs from the catalogue, and the fields no column reads
(`procore_source.shape_check`). One line per check; it ends with "connection test succeeded" or
exits non-zero with the exact fix. A project whose tool is disabled, or a field of another shape,
is a warning (the pipeline goes on) unless `--strict`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Mapping
from typing import TextIO

from procore_source.client import ProcoreClient
from procore_source.errors import (
    AuthenticationError,
    ForbiddenError,
    NotFoundError,
    OAuthError,
    ProcoreConnectionError,
    ProcoreError,
)
from procore_source.settings import ProcoreSettings, SettingsError
from procore_source.shape_check import StreamShapes, new_shapes, report_shapes, sample_shapes

TOOLS = (("RFIs", "/rest/v1.0/projects/{pid}/rfis", {}),
         ("submittals", "/rest/v1.0/projects/{pid}/submittals", {}),
         ("budget views", "/rest/v1.0/budget_views", {"project_id": "{pid}"}))


class CheckFailed(Exception):
    """A check failed; the message is the exact fix."""


class Report:
    """Prints one line per check and remembers failures and warnings."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.failures = 0
        self.warnings = 0

    def ok(self, what: str, detail: str) -> None:
        """A passed check."""
        print(f"[ ok ] {what}: {detail}", file=self.out)

    def warn(self, what: str, detail: str, fix: str) -> None:
        """A problem the pipeline survives (it skips that project)."""
        self.warnings += 1
        print(f"[warn] {what}: {detail}\n       fix: {fix}", file=self.out)

    def fail(self, what: str, detail: str, fix: str | None) -> None:
        """A problem that stops the pipeline (`fix` None: the next line's fix covers it too)."""
        self.failures += 1
        print(f"[FAIL] {what}: {detail}" + (f"\n       fix: {fix}" if fix else ""), file=self.out)

    def info(self, what: str, detail: str) -> None:
        """Something worth knowing that needs no action."""
        print(f"[info] {what}: {detail}", file=self.out)


def _token_fix(exc: ProcoreError, settings: ProcoreSettings) -> str:
    if isinstance(exc, ProcoreConnectionError):
        return (f"cannot reach {settings.login_base_url}: set PROCORE_LOGIN_BASE_URL to your environment's login host "
                "(https://login.procore.com, or https://login-sandbox.procore.com for a developer sandbox)")
    if exc.status in (404, 405):
        return (f"{settings.login_base_url} has no OAuth token endpoint: PROCORE_LOGIN_BASE_URL is the wrong host "
                "(production https://login.procore.com, developer sandbox https://login-sandbox.procore.com)")
    if exc.status == 401:
        return ("unknown client: check PROCORE_CLIENT_ID and PROCORE_CLIENT_SECRET, and that they belong to the "
                "environment of PROCORE_LOGIN_BASE_URL (sandbox credentials do not work in production)")
    return str(exc)


def _api_fix(exc: ProcoreError, settings: ProcoreSettings, cid: int) -> str:
    if isinstance(exc, ProcoreConnectionError):
        return (f"cannot reach {settings.api_base_url}: check PROCORE_API_BASE_URL "
                "(https://api.procore.com in production)")
    if isinstance(exc, AuthenticationError):
        return ("the API host refused the token: PROCORE_API_BASE_URL and PROCORE_LOGIN_BASE_URL must point at "
                "the same environment (production, developer sandbox or monthly sandbox)")
    if isinstance(exc, ForbiddenError | NotFoundError):
        return (f"install the app in company {cid} (Company Admin > App Management > Install App > Install Custom "
                "App), or remove the id from PROCORE_COMPANY_IDS")
    return str(exc)


def _tool_fix(tool: str, exc: ProcoreError, pid: int) -> str:
    if isinstance(exc, NotFoundError):
        return (f"project {pid} is not among the app's permitted projects: add it in Company Admin > App Management > "
                "(the app) > Permissions (a Developer Managed Service Account's projects are set there, not in the "
                "project Directory), or leave the project out")
    return (f"the {tool} tool is disabled in project {pid}, or the app's Permissions Builder does not grant it: "
            f"enable the tool in the project's Admin settings, or grant {tool} Read Only in the app's Permissions "
            "Builder (Developer Portal) and install the new version")


def run_checks(settings: ProcoreSettings, report: Report, *, sample: int = 3,
               project_ids: list[int] | None = None, shapes: bool = False) -> None:
    """Every check against the configured Procore; results go to `report`."""
    with ProcoreClient(settings) as client:
        try:
            client.tokens.access_token()
        except ProcoreError as exc:
            report.fail("token", f"no access token from {settings.login_base_url}", _token_fix(exc, settings))
            return
        report.ok("token", f"{settings.auth_grant} grant from {settings.login_base_url}")
        first = settings.company_ids[0]
        try:
            visible = {c["id"]: c.get("name") for c in client.iter_records("/rest/v1.0/companies", company_id=first)}
        except ProcoreError as exc:
            report.fail("companies", str(exc), _api_fix(exc, settings, first))
            return
        report.ok("companies", f"{len(visible)} visible: " + ", ".join(f"{n} ({i})" for i, n in visible.items()))
        found: set[int] = set()
        sampled = new_shapes() if shapes else None
        for cid in settings.company_ids:
            with client.track() as used:
                found |= _check_company(client, settings, report, cid, visible, sample, project_ids, used.snapshot,
                                        sampled)
        unknown = [p for p in project_ids or () if p not in found]
        if unknown:
            report.fail("--project-ids", f"{', '.join(map(str, unknown))} not among the projects of companies "
                                         f"{', '.join(map(str, settings.company_ids))} that these credentials can read",
                        "pass ids from the companies' project lists (a project the service account is not a member "
                        "of is not listed: add it in the project's Directory), or leave --project-ids out")
        if sampled is not None:
            report_shapes(report, sampled)


def _check_company(client: ProcoreClient, settings: ProcoreSettings, report: Report, cid: int,
                   visible: Mapping[int, str | None], sample: int, project_ids: list[int] | None,
                   used: Callable[[], dict[str, float]], sampled: dict[str, StreamShapes] | None) -> set[int]:
    """The checks of one company; returns the ids of its projects list."""
    label = f"company {cid}"
    if cid not in visible:
        report.fail(label, "not among the companies these credentials can see",
                    f"install the app in company {cid} (App Management), or fix PROCORE_COMPANY_IDS")
        return set()
    try:
        projects = list(client.iter_records("/rest/v1.0/projects", company_id=cid,
                                            params={"company_id": cid, "filters[by_status]": "All"}))
    except ProcoreError as exc:
        report.fail(f"{label} projects", str(exc), _api_fix(exc, settings, cid))
        return set()
    active = [p for p in projects if p.get("active") is not False]
    report.ok(f"{label} projects", f"{len(projects)} readable ({len(active)} active)")
    listed = {p["id"] for p in projects if isinstance(p.get("id"), int)}
    chosen = [p for p in project_ids if p in listed] if project_ids else sorted(p["id"] for p in active)[:sample]
    readable = []
    for pid in chosen:
        tools_ok = 0
        for tool, path, params in TOOLS:
            query = {k: v.format(pid=pid) for k, v in params.items()} | {"per_page": 1}
            try:
                client.get_json(path.format(pid=pid), company_id=cid, params=query)
            except NotFoundError as exc:
                report.warn(f"{label} project {pid}", f"HTTP {exc.status} on {tool}", _tool_fix(tool, exc, pid))
                break  # the project itself is out of sight: its other tools would say the same
            except ForbiddenError as exc:
                report.warn(f"{label} project {pid} {tool}", f"HTTP {exc.status}", _tool_fix(tool, exc, pid))
            except ProcoreError as exc:
                report.fail(f"{label} project {pid} {tool}", str(exc), _api_fix(exc, settings, cid))
            else:
                report.ok(f"{label} project {pid} {tool}", "readable")
                tools_ok += 1
        if tools_ok == len(TOOLS):  # only projects whose every tool answers are sampled for shapes
            readable.append(pid)
    if sampled is not None:
        try:
            sample_shapes(client, cid, projects, readable, sampled)
        except ProcoreError as exc:
            report.fail(f"{label} shapes", str(exc), _api_fix(exc, settings, cid))
    state = client.pacer(cid).state()
    if state.limit is not None:
        resets = max(0, round((state.reset or time.time()) - time.time()))
        report.ok(f"{label} rate limit", f"{state.remaining}/{state.limit} requests left in the current window "
                                         f"(resets in {resets} s); this check used {used()['requests']}")
    else:
        report.warn(f"{label} rate limit", "no X-Rate-Limit headers seen", "none needed; pacing falls back to retries")
    return listed


def _non_negative(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of projects, got {raw!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None, out: TextIO | None = None) -> int:
    """Run the connection test; 0 when it succeeded, 1 on a failed check, 2 on bad settings."""
    parser = argparse.ArgumentParser(prog="procore-check", description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=_non_negative, default=3, help="projects per company to probe (default 3)")
    parser.add_argument("--project-ids", default="", help="comma-separated projects to probe instead of a sample")
    parser.add_argument("--shapes", action="store_true",
                        help="also read one page of each stream of those projects and report fields whose shape "
                             "differs from the catalogue, and fields the catalogue ignores")
    parser.add_argument("--strict", action="store_true", help="treat warnings (tool disabled, drift) as failures")
    args = parser.parse_args(argv)
    out = out or sys.stdout
    report = Report(out)
    try:
        settings = ProcoreSettings.from_env(environ)
    except SettingsError as exc:
        *first, last = exc.problems
        for problem in first:
            report.fail("settings", problem, None)
        report.fail("settings", last, "set the variables above (see the settings table in the README) and run again")
        return 2
    report.ok("settings", f"API {settings.api_base_url}, login {settings.login_base_url}, "
                          f"companies {', '.join(map(str, settings.company_ids))}")
    try:
        pids = [int(p) for p in args.project_ids.split(",") if p.strip()]
    except ValueError:
        parser.error("--project-ids takes comma-separated integers")
    try:
        run_checks(settings, report, sample=args.sample, project_ids=pids or None, shapes=args.shapes)
    except (OAuthError, ProcoreError) as exc:
        report.fail("unexpected", str(exc), "see the message above")
    if report.failures or (args.strict and report.warnings):
        print(f"connection test FAILED ({report.failures} failed, {report.warnings} warnings)", file=out)
        return 1
    suffix = f" with {report.warnings} warnings" if report.warnings else ""
    print(f"connection test succeeded{suffix}", file=out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
