"""OAuth access tokens for the client: client credentials, and single-use refresh tokens.

A provider hands out a valid access token, refreshing it `token_refresh_margin` seconds before
`expires_in` runs out (but never earlier than `MAX_MARGIN_FRACTION` of the token's lifetime before:
a margin longer than a short-lived token's life would fetch a new token for every request), and
once more when Procore answers 401. Only one thread refreshes at a
time; the others wait and reuse its token. `RefreshTokenProvider` saves each rotated refresh token
to its store *before* the new access token is used, and reads the store at start, so the next
process carries on with the rotated token. `exchange_authorization_code` bootstraps that store.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Protocol

import requests

from procore_source.errors import OAuthError, ProcoreConnectionError
from procore_source.settings import ProcoreSettings
from procore_source.token_store import StoredTokens, TokenStore

TOKEN_PATH = "/oauth/token"
DEFAULT_EXPIRES_IN = 3600.0  # only when Procore leaves `expires_in` out
MAX_MARGIN_FRACTION = 0.1  # the refresh margin is at most this share of the token's lifetime


class TokenProvider(Protocol):
    """Hands out access tokens to the request loop."""

    def access_token(self) -> str:
        """A token that is valid for at least the refresh margin."""
        ...

    def refresh_after_unauthorized(self, rejected: str) -> str:
        """A new token after Procore answered 401 to `rejected` (or the one another thread already got)."""
        ...


def request_token(settings: ProcoreSettings, form: dict[str, str], *,
                  clock: Callable[[], float] = time.time) -> StoredTokens:
    """POST one grant to `{login_base_url}/oauth/token` and return the tokens; raises `OAuthError`.

    Connection errors and 5xx are retried: resending a refresh token the server may already have
    consumed cannot make things worse than giving up.
    """
    url = settings.login_base_url + TOKEN_PATH
    body = {"client_id": settings.client_id, "client_secret": settings.client_secret, **form}
    headers = {"Accept": "application/json", "User-Agent": settings.user_agent}
    for attempt in range(settings.max_retries + 1):
        sent_at = clock()
        try:
            response = requests.post(url, data=body, headers=headers,
                                     timeout=(settings.connect_timeout, settings.read_timeout))
        except requests.RequestException as exc:
            if attempt < settings.max_retries:
                _sleep_backoff(settings, attempt)
                continue
            raise ProcoreConnectionError(f"cannot reach the Procore login host: {type(exc).__name__}",
                                         url=url) from None
        if response.status_code >= 500 and attempt < settings.max_retries:
            _sleep_backoff(settings, attempt)
            continue
        if response.status_code != 200:
            raise OAuthError(_grant_failure(form.get("grant_type", ""), response.status_code),
                             status=response.status_code, url=url, body=response.text)
        return _parse_token_response(response, url, sent_at)
    raise AssertionError("unreachable")


def _grant_failure(grant: str, status: int) -> str:
    if grant == "refresh_token":
        return ("Procore refused the refresh token (already used, revoked or expired): bootstrap the token "
                "store again with an authorization code (exchange_authorization_code)")
    if grant == "authorization_code":
        return "Procore refused the authorization code (codes live 10 minutes and work once; redirect_uri must match)"
    if status >= 500:
        return "the Procore login host kept failing"
    return ("Procore refused the client credentials: check PROCORE_CLIENT_ID and PROCORE_CLIENT_SECRET, and that "
            "PROCORE_LOGIN_BASE_URL is the login host of the same environment (production or sandbox)")


def _parse_token_response(response: requests.Response, url: str, sent_at: float) -> StoredTokens:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
        raise OAuthError("the token endpoint answered without an access_token", status=response.status_code,
                         url=url, body=response.text)
    try:
        expires_in = float(data.get("expires_in") or DEFAULT_EXPIRES_IN)
    except (TypeError, ValueError):
        expires_in = DEFAULT_EXPIRES_IN
    # Our own clock at send time, not `created_at`: it survives clock skew between us and Procore.
    return StoredTokens(access_token=data["access_token"], refresh_token=data.get("refresh_token"),
                        expires_at=sent_at + expires_in, created_at=float(data.get("created_at") or sent_at),
                        lifetime=expires_in)


def _sleep_backoff(settings: ProcoreSettings, attempt: int) -> None:
    time.sleep(min(30.0, settings.retry_backoff * 2**attempt) * random.uniform(0.5, 1.5))


def refresh_margin(configured: float, lifetime: float) -> float:
    """Seconds before expiry to refresh: `configured`, capped at `MAX_MARGIN_FRACTION` of a known `lifetime`."""
    return min(configured, MAX_MARGIN_FRACTION * lifetime) if lifetime > 0 else configured


class _CachingProvider:
    """Keeps the current token; subclasses say how to get a new one."""

    def __init__(self, settings: ProcoreSettings, *, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: StoredTokens | None = None
        self.grants = 0  # token requests made (for tests and health checks)

    def access_token(self) -> str:
        """A token valid for at least `token_refresh_margin` more seconds."""
        with self._lock:
            if self._tokens is None or self._expiring(self._tokens):
                self._tokens = self._obtain(rejected=None)
            return self._tokens.access_token

    def refresh_after_unauthorized(self, rejected: str) -> str:
        """Refresh after a 401, unless another thread already replaced the rejected token."""
        with self._lock:
            if self._tokens is None or self._tokens.access_token == rejected:
                self._tokens = self._obtain(rejected=rejected)
            return self._tokens.access_token

    def _expiring(self, tokens: StoredTokens) -> bool:
        return tokens.expires_at - refresh_margin(self.settings.token_refresh_margin, tokens.lifetime) <= self._clock()

    def _obtain(self, rejected: str | None) -> StoredTokens:
        raise NotImplementedError


class ClientCredentialsProvider(_CachingProvider):
    """Developer Managed Service Account tokens (`grant_type=client_credentials`); no refresh token."""

    def _obtain(self, rejected: str | None) -> StoredTokens:
        self.grants += 1
        return request_token(self.settings, {"grant_type": "client_credentials"}, clock=self._clock)


class RefreshTokenProvider(_CachingProvider):
    """Access tokens from a single-use refresh token kept in `store` (rotated and saved on each refresh)."""

    def __init__(self, settings: ProcoreSettings, store: TokenStore, *,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(settings, clock=clock)
        self.store = store

    def _obtain(self, rejected: str | None) -> StoredTokens:
        stored = self.store.load()
        # Another process (or our previous run) may already hold a fresh token: use it.
        if stored is not None and stored.access_token != rejected and not self._expiring(stored):
            return stored
        if stored is None or not stored.refresh_token:
            raise OAuthError("the token store holds no refresh token: bootstrap it once with an authorization "
                             "code (procore_source.auth.exchange_authorization_code)")
        try:
            return self._refresh(stored.refresh_token)
        except OAuthError:
            latest = self.store.load()
            if latest is None or latest.refresh_token in (None, stored.refresh_token):
                raise
            # Another process rotated the token while we were refreshing: carry on with its result.
            if latest.access_token != rejected and not self._expiring(latest):
                return latest
            return self._refresh(latest.refresh_token)

    def _refresh(self, refresh_token: str) -> StoredTokens:
        self.grants += 1
        tokens = request_token(self.settings, {"grant_type": "refresh_token", "refresh_token": refresh_token,
                                               "redirect_uri": self.settings.redirect_uri}, clock=self._clock)
        if not tokens.refresh_token:
            raise OAuthError("the refresh grant returned no new refresh token; the store would be left with a "
                             "used one", url=self.settings.login_base_url + TOKEN_PATH)
        self.store.save(tokens)  # before anyone uses the new access token: the old refresh token is dead
        return tokens


def exchange_authorization_code(settings: ProcoreSettings, code: str, store: TokenStore,
                                redirect_uri: str | None = None) -> StoredTokens:
    """Trade a one-time authorization code for tokens and save them in `store` (bootstraps the refresh flow)."""
    tokens = request_token(settings, {"grant_type": "authorization_code", "code": code,
                                      "redirect_uri": redirect_uri or settings.redirect_uri})
    store.save(tokens)
    return tokens


def make_token_provider(settings: ProcoreSettings, store: TokenStore | None = None) -> TokenProvider:
    """The provider `settings.auth_grant` asks for (a `FileTokenStore` at `token_store_path` by default)."""
    if settings.auth_grant == "refresh_token":
        if store is None:
            from procore_source.token_store import FileTokenStore

            store = FileTokenStore(settings.token_store_path or "")
        return RefreshTokenProvider(settings, store)
    return ClientCredentialsProvider(settings)
