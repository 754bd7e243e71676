"""Procore's Webhooks API (hooks, triggers, deliveries) through a `ProcoreClient`.

Reads go through `client.get_json`, writes (POST, PATCH, DELETE) through `client.send_json`, so
the credentials, hosts, pacing, the refresh on 401 and the typed errors are the client's.
"""

from __future__ import annotations

from typing import Any

HOOKS = "/rest/v1.0/webhooks/hooks"


def _write(client: Any, method: str, path: str, *, company_id: int, body: dict | None,
           params: dict | None = None) -> Any:
    """One write request through the client."""
    return client.send_json(method, path, company_id=company_id, params=params, json=body)


class HooksApi:
    """Company-level hooks and their triggers."""

    def __init__(self, client: Any):
        self.client = client

    def list_hooks(self, company_id: int, namespace: str) -> list[dict]:
        """The company's hooks in `namespace`."""
        return self.client.get_json(HOOKS, company_id=company_id,
                                    params={"company_id": company_id, "namespace": namespace})

    def create_hook(self, company_id: int, hook: dict) -> dict:
        """Create a company hook (`hook`: namespace, api_version, destination_url, destination_headers)."""
        return _write(self.client, "POST", HOOKS, company_id=company_id, body={"company_id": company_id, "hook": hook})

    def update_hook(self, company_id: int, hook_id: int, hook: dict) -> dict:
        """Change a hook's destination, headers or payload format."""
        return _write(self.client, "PATCH", f"{HOOKS}/{hook_id}", company_id=company_id,
                      body={"company_id": company_id, "hook": hook})

    def delete_hook(self, company_id: int, hook_id: int) -> None:
        """Delete a hook and its triggers."""
        _write(self.client, "DELETE", f"{HOOKS}/{hook_id}", company_id=company_id, body=None,
               params={"company_id": company_id})

    def list_triggers(self, company_id: int, hook_id: int) -> list[dict]:
        """The triggers of a hook."""
        return self.client.get_json(f"{HOOKS}/{hook_id}/triggers", company_id=company_id,
                                    params={"company_id": company_id})

    def create_trigger(self, company_id: int, hook_id: int, resource_name: str, event_type: str,
                       api_version: str) -> dict:
        """Add a (resource_name, event_type) trigger to a hook."""
        body = {"company_id": company_id, "api_version": api_version,
                "trigger": {"resource_name": resource_name, "event_type": event_type}}
        return _write(self.client, "POST", f"{HOOKS}/{hook_id}/triggers", company_id=company_id, body=body)

    def delete_trigger(self, company_id: int, hook_id: int, trigger_id: int) -> None:
        """Remove one trigger."""
        _write(self.client, "DELETE", f"{HOOKS}/{hook_id}/triggers/{trigger_id}", company_id=company_id,
               body=None, params={"company_id": company_id})

    def list_deliveries(self, company_id: int, hook_id: int, status: str = "any") -> list[dict]:
        """Recent delivery attempts of a hook (`status`: any, successful, failing, discarded)."""
        return self.client.get_json(f"{HOOKS}/{hook_id}/deliveries", company_id=company_id,
                                    params={"company_id": company_id, "filters[status]": status})
