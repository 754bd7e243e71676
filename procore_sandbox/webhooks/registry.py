"""The sandbox's webhook hooks and triggers, in memory, validated the way Procore's API validates them.

A hook belongs to a company (`owned_by_company_id`) or to one project (`owned_by_project_id`),
lives in a namespace (lowercase a-z and dashes; default "procore"), and names a destination URL,
the headers to send there and a payload format (`api_version` v2, v3 or v4). Triggers belong to a
hook and name a resource ("RFIs") and an event type (create, update, delete); duplicates are refused.
"""

from __future__ import annotations

import re
import threading
from typing import Any
from urllib.parse import urlsplit

NAMESPACE_RE = re.compile(r"^[a-z-]{1,100}$")
EVENT_TYPES = ("create", "update", "delete")


class RegistryError(ValueError):
    """A request the hooks API refuses; `status` is the HTTP answer (400, 404 or 422)."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def payload_version(value: Any) -> str:
    """`v2`, `v3` or `v4` from what a caller sent (`v2`, `v2.0`, `4.0`, ...); 422 for anything else."""
    text = str(value or "v2").strip().lower().removeprefix("v")
    major = text.split(".", 1)[0]
    if major not in ("2", "3", "4") or not re.fullmatch(r"\d(\.0)?", text):
        raise RegistryError("api_version must be one of v2, v3, v4")
    return f"v{major}"


def _destination(hook: dict, current: dict | None) -> tuple[str, dict[str, str]]:
    url = hook.get("destination_url", current["destination_url"] if current else None)
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise RegistryError("destination_url must be an http(s) URL")
    headers = hook.get("destination_headers", current["destination_headers"] if current else {})
    if headers is None:
        headers = {}
    if not isinstance(headers, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
        raise RegistryError("destination_headers must be an object of strings")
    return url, dict(headers)


class HookRegistry:
    """Hooks and their triggers; thread-safe (the API handlers and the delivery worker share it)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """Forget every hook and trigger."""
        with self.lock:
            self.hooks: dict[int, dict] = {}
            self.triggers: dict[int, dict[int, dict]] = {}
            self._next_hook = 7001
            self._next_trigger = 91001

    def list_hooks(self, *, company_id: int | None, project_id: int | None, namespace: str | None) -> list[dict]:
        """The hooks of one company or project, optionally of one namespace."""
        with self.lock:
            return [dict(h) for h in self.hooks.values()
                    if h["owned_by_company_id"] == company_id and h["owned_by_project_id"] == project_id
                    and (namespace is None or h["namespace"] == namespace)]

    def get(self, hook_id: int, *, company_id: int | None, project_id: int | None) -> dict:
        """One hook of that owner; 404 when unknown or owned by someone else."""
        with self.lock:
            hook = self.hooks.get(hook_id)
            if hook is None or hook["owned_by_company_id"] != company_id or hook["owned_by_project_id"] != project_id:
                raise RegistryError(f"Webhook hook {hook_id} not found", 404)
            return hook

    def create(self, hook: Any, *, company_id: int | None, project_id: int | None, now: str) -> dict:
        """Create a hook from the request's `hook` object."""
        if not isinstance(hook, dict):
            raise RegistryError("hook must be an object", 400)
        namespace = hook.get("namespace") or "procore"
        if not isinstance(namespace, str) or not NAMESPACE_RE.match(namespace):
            raise RegistryError("namespace may contain only lowercase letters a-z and dashes")
        url, headers = _destination(hook, None)
        version = payload_version(hook.get("api_version") or hook.get("payload_version"))
        with self.lock:
            hook_id = self._next_hook
            self._next_hook += 1
            record = {"id": hook_id, "namespace": namespace, "api_version": version, "destination_url": url,
                      "destination_headers": headers, "owned_by_company_id": company_id,
                      "owned_by_project_id": project_id, "created_at": now, "updated_at": now}
            self.hooks[hook_id] = record
            self.triggers[hook_id] = {}
            return dict(record)

    def update(self, hook_id: int, hook: Any, *, company_id: int | None, project_id: int | None, now: str) -> dict:
        """Change a hook's destination, headers or payload format (the namespace is fixed)."""
        if not isinstance(hook, dict):
            raise RegistryError("hook must be an object", 400)
        with self.lock:
            current = self.get(hook_id, company_id=company_id, project_id=project_id)
            url, headers = _destination(hook, current)
            version = current["api_version"]
            if hook.get("api_version") or hook.get("payload_version"):
                version = payload_version(hook.get("api_version") or hook.get("payload_version"))
            current.update(destination_url=url, destination_headers=headers, api_version=version, updated_at=now)
            return dict(current)

    def delete(self, hook_id: int, *, company_id: int | None, project_id: int | None) -> None:
        """Delete a hook and its triggers."""
        with self.lock:
            self.get(hook_id, company_id=company_id, project_id=project_id)
            del self.hooks[hook_id]
            self.triggers.pop(hook_id, None)

    def list_triggers(self, hook_id: int, **owner: int | None) -> list[dict]:
        """The triggers of one hook."""
        with self.lock:
            self.get(hook_id, **owner)
            return [dict(t) for t in self.triggers[hook_id].values()]

    def add_trigger(self, hook_id: int, trigger: Any, *, now: str, **owner: int | None) -> dict:
        """Add a (resource_name, event_type) trigger; 422 when the hook already has it."""
        if not isinstance(trigger, dict):
            raise RegistryError("trigger must be an object", 400)
        name, event = trigger.get("resource_name"), trigger.get("event_type")
        if not isinstance(name, str) or not name.strip():
            raise RegistryError("trigger.resource_name must be a non-empty string")
        if event not in EVENT_TYPES:
            raise RegistryError("trigger.event_type must be one of create, update, delete")
        with self.lock:
            self.get(hook_id, **owner)
            if any(t["resource_name"] == name and t["event_type"] == event for t in self.triggers[hook_id].values()):
                raise RegistryError(f"Trigger {name}/{event} has already been taken")
            trigger_id = self._next_trigger
            self._next_trigger += 1
            record = {"id": trigger_id, "hook_id": hook_id, "resource_name": name, "event_type": event,
                      "created_at": now}
            self.triggers[hook_id][trigger_id] = record
            return dict(record)

    def delete_trigger(self, hook_id: int, trigger_id: int, **owner: int | None) -> None:
        """Remove one trigger; 404 when the hook does not have it."""
        with self.lock:
            self.get(hook_id, **owner)
            if self.triggers[hook_id].pop(trigger_id, None) is None:
                raise RegistryError(f"Webhook trigger {trigger_id} not found", 404)

    def matching(self, *, company_id: int, project_id: int | None, resource_name: str, event_type: str) -> list[dict]:
        """Hooks (copies) with a trigger for this change, company hooks and the project's own hooks."""
        with self.lock:
            found = []
            for hook_id, hook in self.hooks.items():
                owner_ok = (hook["owned_by_company_id"] == company_id if hook["owned_by_project_id"] is None
                            else hook["owned_by_project_id"] == project_id)
                if owner_ok and any(t["resource_name"] == resource_name and t["event_type"] == event_type
                                    for t in self.triggers[hook_id].values()):
                    found.append(dict(hook))
            return found
