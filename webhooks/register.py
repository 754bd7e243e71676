"""`register`: make a company's single hook in our namespace point at our receiver, with our triggers.

Idempotent: a second run changes nothing and only lists. Extra hooks in our namespace are deleted
(one hook per company and namespace), a hook with another destination, header or payload format is
updated, and triggers are made exactly the (resource, event) pairs in `webhooks.resource_streams`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from webhooks.procore_api import HooksApi
from webhooks.resource_streams import DEFAULT_BUDGET_RESOURCES, wanted_triggers

# Procore lists a hook's Authorization header masked to its last 5 characters ("*****xMiJ9").
MASK_VISIBLE_CHARS = 5


@dataclass
class RegisterResult:
    """What `register` did for one company."""

    company_id: int
    hook_id: int
    created: bool = False
    updated: bool = False
    hooks_deleted: int = 0
    triggers_added: list[tuple[str, str]] = field(default_factory=list)
    triggers_removed: list[tuple[str, str]] = field(default_factory=list)
    triggers_total: int = 0

    @property
    def changed(self) -> bool:
        """True when anything was created, updated or deleted."""
        return bool(self.created or self.updated or self.hooks_deleted or self.triggers_added or self.triggers_removed)


def _same_header_value(listed: object, wanted: str) -> bool:
    """`listed` is `wanted` as Procore lists it: in full, or masked to its last characters (`*****xMiJ9`)."""
    if listed == wanted:
        return True
    if not isinstance(listed, str) or not listed.startswith("*") or len(wanted) <= MASK_VISIBLE_CHARS:
        return False
    return listed.lstrip("*") == wanted[-MASK_VISIBLE_CHARS:]


def _same_destination(hook: dict, wanted: dict) -> bool:
    version = str(hook.get("api_version") or "").removesuffix(".0")
    listed_headers = hook.get("destination_headers")
    same_headers = isinstance(listed_headers, dict) and listed_headers.keys() == wanted["destination_headers"].keys() \
        and all(_same_header_value(listed_headers[k], v) for k, v in wanted["destination_headers"].items())
    return hook.get("destination_url") == wanted["destination_url"] and version == wanted["api_version"] \
        and same_headers


def register(api: HooksApi, *, company_id: int, url: str, secret: str, namespace: str,
             api_version: str = "v2", budget_resources: Sequence[str] = DEFAULT_BUDGET_RESOURCES) -> RegisterResult:
    """Create or update the company's hook and its triggers; returns what changed."""
    wanted = {"namespace": namespace, "api_version": api_version, "destination_url": url,
              "destination_headers": {"Authorization": f"Bearer {secret}"}}
    hooks = sorted((h for h in api.list_hooks(company_id, namespace) if h.get("namespace", namespace) == namespace),
                   key=lambda h: int(h["id"]))
    if not hooks:
        hook = api.create_hook(company_id, wanted)
        result = RegisterResult(company_id, int(hook["id"]), created=True)
    else:
        hook, extras = hooks[0], hooks[1:]
        result = RegisterResult(company_id, int(hook["id"]))
        for extra in extras:
            api.delete_hook(company_id, int(extra["id"]))
            result.hooks_deleted += 1
        if not _same_destination(hook, wanted):
            api.update_hook(company_id, result.hook_id,
                            {k: v for k, v in wanted.items() if k != "namespace"})
            result.updated = True
    existing = {} if result.created else {
        (t["resource_name"], t["event_type"]): int(t["id"]) for t in api.list_triggers(company_id, result.hook_id)}
    desired = wanted_triggers(budget_resources)
    for pair in desired:
        if pair not in existing:
            api.create_trigger(company_id, result.hook_id, pair[0], pair[1], api_version)
            result.triggers_added.append(pair)
    for pair, trigger_id in existing.items():
        if pair not in desired:
            api.delete_trigger(company_id, result.hook_id, trigger_id)
            result.triggers_removed.append(pair)
    result.triggers_total = len(desired)
    return result
