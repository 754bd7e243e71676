"""`SandboxHandle`: drives any running sandbox through its `/_sandbox/` admin surface over HTTP."""

from __future__ import annotations

from typing import Any

import requests


class SandboxError(RuntimeError):
    """The sandbox refused an admin call; the message carries its answer."""


class SandboxHandle:
    """Admin access to a sandbox at `url` (tests, demos, benchmarks).

    `env()` gives the `PROCORE_*` variables that point the client at it.
    """

    def __init__(self, url: str, client_id: str = "sandbox-client-id",
                 client_secret: str = "sandbox-client-secret", company_ids: list[int] | None = None,
                 timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.timeout = timeout
        self.company_ids = company_ids if company_ids is not None else [c["id"] for c in self.info()["companies"]]

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        response = requests.request(method, f"{self.url}/_sandbox/{path}", json=body, timeout=self.timeout)
        if response.status_code >= 400:
            raise SandboxError(f"{method} /_sandbox/{path} answered {response.status_code}: {response.text[:300]}")
        return response.json()

    def records(self, resource: str) -> list[dict]:
        """Every record of `resource` (deleted ones too) as `{company_id, project_id, deleted_at, record}`."""
        return self._call("GET", f"records/{resource}")

    def mutate(self, body: Any) -> dict:
        """Apply `{"random": N}` or explicit changes; returns `{"changes": [...], "count": N}`."""
        return self._call("POST", "mutations", body)

    def stats(self) -> dict:
        """`{"total", "by_path", "by_status"}` of Procore API requests served."""
        return self._call("GET", "stats")

    def clear_stats(self) -> dict:
        """Zero the request counts."""
        return self._call("DELETE", "stats")

    def reset(self) -> None:
        """Seeded state, no faults, start options, zero stats."""
        self._call("POST", "reset")

    def inject(self, **fault: Any) -> dict:
        """Add one scripted fault (`path`, `method`, `status`, `headers`, `body`, `times`, `skip`, `delay_ms`)."""
        return self._call("POST", "faults", {"faults": [fault]})

    def clear_faults(self) -> dict:
        """Remove every scripted fault."""
        return self._call("DELETE", "faults")

    def configure(self, **runtime_options: Any) -> dict:
        """Change `latency_ms`, `error_rate`, `rate_limit_hourly`, `rate_limit_spike` or `token_ttl` now."""
        return self._call("POST", "config", runtime_options)

    def advance_clock(self, seconds: float) -> dict:
        """Move the sandbox clock forward by `seconds`."""
        return self._call("POST", "clock", {"advance_seconds": seconds})

    def set_clock(self, when: str) -> dict:
        """Set the sandbox clock to the ISO-8601 moment `when`."""
        return self._call("POST", "clock", {"set": when})

    def clock(self) -> dict:
        """`{"now": "<iso>", "epoch": seconds}` of the sandbox clock."""
        return self._call("GET", "clock")

    def expire_tokens(self) -> dict:
        """Every access token dies now; refresh tokens stay valid."""
        return self._call("POST", "tokens/expire")

    def warm(self) -> dict:
        """Generate every project's data now (`{"projects", "seconds"}`), e.g. before a benchmark."""
        return self._call("POST", "warm")

    def info(self) -> dict:
        """Companies, forbidden and hidden project ids, client id, options."""
        return self._call("GET", "info")

    def env(self) -> dict[str, str]:
        """The `PROCORE_*` environment variables that point the client at this sandbox."""
        return {
            "PROCORE_API_BASE_URL": self.url,
            "PROCORE_LOGIN_BASE_URL": self.url,
            "PROCORE_CLIENT_ID": self.client_id,
            "PROCORE_CLIENT_SECRET": self.client_secret,
            "PROCORE_COMPANY_IDS": ",".join(str(c) for c in self.company_ids),
        }
