"""OAuth token bookkeeping: access tokens that expire by the sandbox clock, single-use refresh tokens, codes.

Each token remembers its grant type and its owner: a client-credentials token belongs to the app's
service account (Procore's Developer Managed Service Account), an authorization-code token (and every
token refreshed from it) to the user who approved the app. The company-header rule depends on which.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

CODE_TTL_SECONDS = 600
CLIENT_CREDENTIALS = "client_credentials"
AUTHORIZATION_CODE = "authorization_code"
# `GET /rest/v1.0/me` answers {id, login, name} (Procore's "Show User Info").
SERVICE_ACCOUNT = {"id": 5_550_001, "login": "sandbox-service-account@example.com",
                   "name": "Sandbox Service Account"}
SANDBOX_USER = {"id": 6_923_972, "login": "pat.morgan@example.com", "name": "Pat Morgan"}


@dataclass
class Grant:
    """One access token: whose it is, when it was made and when it dies (sandbox-clock seconds)."""

    client_id: str
    created_at: float
    expires_at: float
    refresh_token: str | None
    grant_type: str = CLIENT_CREDENTIALS  # authorization_code for user tokens (refreshed ones too)

    @property
    def owner(self) -> dict:
        """Who the token acts for: the approving user, or the app's service account."""
        return SERVICE_ACCOUNT if self.grant_type == CLIENT_CREDENTIALS else SANDBOX_USER

    @property
    def is_user_token(self) -> bool:
        """True for authorization-code tokens and the tokens refreshed from them."""
        return self.grant_type != CLIENT_CREDENTIALS


class TokenRegistry:
    """Issues, checks, rotates and revokes tokens; a refresh token works exactly once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.access: dict[str, Grant] = {}
        self.refresh: dict[str, str] = {}  # refresh token -> access token it came with
        self.used_refresh: set[str] = set()
        self.codes: dict[str, tuple[str, str, float]] = {}  # code -> (client_id, redirect_uri, expires_at)

    def issue(self, client_id: str, now: float, ttl: int, grant_type: str = CLIENT_CREDENTIALS) -> dict:
        """A new access token as Procore's token response; user grants also get a refresh token."""
        access = secrets.token_urlsafe(32)
        refresh = secrets.token_urlsafe(32) if grant_type != CLIENT_CREDENTIALS else None
        with self._lock:
            self.access[access] = Grant(client_id, now, now + ttl, refresh, grant_type)
            if refresh:
                self.refresh[refresh] = access
        body = {"access_token": access, "token_type": "bearer", "expires_in": int(ttl), "created_at": int(now)}
        if refresh:
            body["refresh_token"] = refresh
        return body

    def check(self, token: str | None, now: float) -> Grant | None:
        """The grant of a live access token, or None (unknown, expired or revoked)."""
        grant = self.access.get(token or "")
        return grant if grant is not None and now < grant.expires_at else None

    def rotate(self, refresh_token: str, client_id: str, now: float, ttl: int) -> dict | None:
        """Spend a refresh token: a new token pair, or None if it is unknown, used, revoked or someone else's."""
        with self._lock:
            access = self.refresh.get(refresh_token)
            grant = self.access.get(access or "")
            if access is None or grant is None or grant.client_id != client_id:
                return None
            del self.refresh[refresh_token]
            self.used_refresh.add(refresh_token)
        return self.issue(client_id, now, ttl, grant.grant_type)

    def new_code(self, client_id: str, redirect_uri: str, now: float) -> str:
        """An authorization code, valid for ten minutes of sandbox time."""
        code = secrets.token_urlsafe(24)
        with self._lock:
            self.codes[code] = (client_id, redirect_uri, now + CODE_TTL_SECONDS)
        return code

    def redeem_code(self, code: str, client_id: str, redirect_uri: str | None, now: float) -> bool:
        """Spend an authorization code (once); False if unknown, expired, used or mismatched."""
        with self._lock:
            found = self.codes.pop(code, None)
        if found is None:
            return False
        owner, uri, expires = found
        return owner == client_id and now < expires and (redirect_uri is None or redirect_uri == uri)

    def revoke(self, token: str) -> None:
        """Kill an access token or a refresh token, and its partner."""
        with self._lock:
            grant = self.access.pop(token, None)
            if grant is not None and grant.refresh_token:
                self.refresh.pop(grant.refresh_token, None)
            access = self.refresh.pop(token, None)
            if access is not None:
                self.access.pop(access, None)

    def expire_all(self, now: float) -> int:
        """Every access token dies now (refresh tokens stay valid); returns how many were live."""
        with self._lock:
            live = [g for g in self.access.values() if g.expires_at > now]
            for grant in live:
                grant.expires_at = now
        return len(live)
