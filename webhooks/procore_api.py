"""Procore's Webhooks API (hooks, triggers, deliveries) through a `ProcoreClient`.

Reads go through `client.get_json`. Writes (POST, PATCH, DELETE) use `client.send_json` when the
client offers it; until then a small fallback sends them with the client's own token provider and
settings (one refresh on 401, typed errors), so the credentials and hosts stay the client's.
"""

from __future__ import annotations

from typing import Any

import requests

from procore_source.errors import (
    AuthenticationError,
    ForbiddenError,
    InvalidRequestError,
    NotFoundError,
    ProcoreConnectionError,
    ServerError,
)

HOOKS = "/rest/v1.0/webhooks/hooks"


def _write(client: Any, method: str, path: str, *, company_id: int, body: dict | None,
           params: dict | None = None) -> Any:
    """One write request; the client's own `send_json` when it has one."""
    send = getattr(client, "send_json", None)
    if send is not None:
        return send(method, path, company_id=company_id, params=params, json=body)
    settings, url = client.settings, client.settings.api_base_url + path
    token = client.tokens.access_token()
    for attempt in range(2):
        try:
            response = requests.request(
                method, url, params=params, json=body, timeout=(settings.connect_timeout, settings.read_timeout),
                headers={"Authorization": f"Bearer {token}", "Procore-Company-Id": str(company_id),
                         "User-Agent": settings.user_agent, "Accept": "application/json"})
        except requests.RequestException as exc:
            raise ProcoreConnectionError(f"no answer from Procore ({type(exc).__name__})", url=url) from None
        client.counters.add(requests=1)
        if response.status_code == 401 and attempt == 0:
            token = client.tokens.refresh_after_unauthorized(token)
            continue
        break
    status = response.status_code
    if status < 300:
        return response.json() if response.content else None
    error = {401: AuthenticationError, 403: ForbiddenError, 404: NotFoundError}.get(status)
    if error is None:
        error = ServerError if status >= 500 else InvalidRequestError
    raise error(f"Procore refused {method} on the Webhooks API", status=status, url=url, body=response.text)


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
