"""Client settings, read from `PROCORE_*` environment variables.

`ProcoreSettings.from_env()` is the one place the environment is read; everything else takes a
`ProcoreSettings`. Missing or malformed variables raise one `SettingsError` naming every one of
them (so a deployer fixes them all in one go), and the client secret never appears in `repr()`.
`PROCORE_COMPANY_IDS`, which the orchestration reads too, is parsed by `pipeline_settings.variables`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline_settings import SettingsError, variables

__all__ = ["AUTH_GRANTS", "ProcoreSettings", "SettingsError"]
AUTH_GRANTS = ("client_credentials", "refresh_token")
_REQUIRED = (("client_id", "PROCORE_CLIENT_ID", "the OAuth client id of your Procore app"),
             ("client_secret", "PROCORE_CLIENT_SECRET", "the OAuth client secret of your app"))
_NO_STORE = ("PROCORE_TOKEN_STORE is not set: the refresh_token grant needs a file path where the rotated "
             "refresh token is saved")


@dataclass(frozen=True, kw_only=True)
class ProcoreSettings:
    """Everything the Procore client needs: hosts, credentials, companies, limits and timeouts."""

    client_id: str
    client_secret: str = field(repr=False)
    company_ids: tuple[int, ...] = ()
    api_base_url: str = "https://api.procore.com"
    login_base_url: str = "https://login.procore.com"
    auth_grant: str = "client_credentials"
    token_store_path: str | None = None
    redirect_uri: str = "urn:ietf:wg:oauth:2.0:oob"  # sent with authorization-code and refresh grants
    page_size: int | None = None  # None: the largest page each endpoint allows
    max_retries: int = 4
    retry_backoff: float = 1.0  # seconds before the first retry; doubles each time, with jitter
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_rate_limit_wait: float = 900.0
    hourly_request_budget: int | None = None
    user_agent: str = "procore-pipelines/0.1 (+https://github.com/procore-pipelines)"
    max_workers: int = 4
    token_refresh_margin: float = 60.0  # refresh this long before `expires_in` runs out (at most 10% of it)

    def __post_init__(self) -> None:
        if self.auth_grant not in AUTH_GRANTS:
            raise SettingsError(f"PROCORE_AUTH_GRANT must be one of {', '.join(AUTH_GRANTS)}, "
                                f"got {self.auth_grant!r}")
        if self.auth_grant == "refresh_token" and not self.token_store_path:
            raise SettingsError(_NO_STORE)
        object.__setattr__(self, "api_base_url", self.api_base_url.rstrip("/"))
        object.__setattr__(self, "login_base_url", self.login_base_url.rstrip("/"))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ProcoreSettings:
        """Settings from `environ` (default `os.environ`); raises `SettingsError` naming every bad variable."""
        env = os.environ if environ is None else environ
        problems: list[str] = []
        values: dict[str, Any] = {}
        for name, var, meaning in _REQUIRED:
            value = env.get(var, "").strip()
            if value:
                values[name] = value
            else:
                problems.append(f"{var} is not set: export {var}=<{meaning}>")
        try:
            values["company_ids"] = variables.company_ids(env)
        except SettingsError as exc:
            problems.append(str(exc))
        for name, var, parse in _OPTIONAL:
            raw = env.get(var, "").strip()
            if raw:
                try:
                    values[name] = parse(raw)
                except ValueError as exc:
                    problems.append(f"{var} is invalid ({raw!r}): {exc}")
        if values.get("auth_grant") == "refresh_token" and not values.get("token_store_path"):
            problems.append(_NO_STORE)
        if problems:
            raise SettingsError("; ".join(problems), problems)
        return cls(**values)


def _url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise ValueError("expected an http(s) URL such as https://api.procore.com")
    return raw


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("expected a positive integer")
    return value


def _non_negative_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("expected zero or a positive integer")
    return value


def _positive_float(raw: str) -> float:
    value = float(raw)
    if not value > 0:
        raise ValueError("expected a positive number of seconds")
    return value


def _non_negative_float(raw: str) -> float:
    value = float(raw)
    if value < 0:
        raise ValueError("expected zero or a positive number of seconds")
    return value


def _grant(raw: str) -> str:
    if raw not in AUTH_GRANTS:
        raise ValueError(f"expected one of {', '.join(AUTH_GRANTS)}")
    return raw


_OPTIONAL: tuple[tuple[str, str, Callable[[str], Any]], ...] = (
    ("api_base_url", "PROCORE_API_BASE_URL", _url),
    ("login_base_url", "PROCORE_LOGIN_BASE_URL", _url),
    ("auth_grant", "PROCORE_AUTH_GRANT", _grant),
    ("token_store_path", "PROCORE_TOKEN_STORE", str),
    ("redirect_uri", "PROCORE_REDIRECT_URI", str),
    ("page_size", "PROCORE_PAGE_SIZE", _positive_int),
    ("max_retries", "PROCORE_MAX_RETRIES", _non_negative_int),
    ("retry_backoff", "PROCORE_RETRY_BACKOFF", _non_negative_float),
    ("connect_timeout", "PROCORE_CONNECT_TIMEOUT", _positive_float),
    ("read_timeout", "PROCORE_READ_TIMEOUT", _positive_float),
    ("max_rate_limit_wait", "PROCORE_MAX_RATE_LIMIT_WAIT", _non_negative_float),
    ("hourly_request_budget", "PROCORE_HOURLY_REQUEST_BUDGET", _positive_int),
    ("user_agent", "PROCORE_USER_AGENT", str),
    ("max_workers", "PROCORE_MAX_WORKERS", _positive_int),
    ("token_refresh_margin", "PROCORE_TOKEN_REFRESH_MARGIN", _non_negative_float),
)
