"""Typed errors raised by the Procore client.

Every error carries the HTTP status (when there was a response), the URL with secrets removed,
and a short excerpt of the body, so a failed run says exactly which call went wrong and why.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_SECRET_PARAMS = {"access_token", "refresh_token", "client_secret", "code", "token", "api_token"}
BODY_EXCERPT_CHARS = 300


def redact_url(url: str) -> str:
    """Return `url` with the values of secret-bearing query parameters replaced by `***`."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [(k, "***" if k.lower() in _SECRET_PARAMS else v) for k, v in parse_qsl(parts.query, True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="[]*")))


def excerpt(body: str | bytes | None, limit: int = BODY_EXCERPT_CHARS) -> str:
    """A single-line, length-limited excerpt of a response body for error messages."""
    if body is None:
        return ""
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    flat = " ".join(body.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


class ProcoreError(Exception):
    """Base class of every error the Procore client raises."""

    def __init__(self, message: str, *, status: int | None = None, url: str | None = None, body: str = ""):
        self.status = status
        self.url = redact_url(url) if url else None
        self.body_excerpt = excerpt(body)
        details = []
        if status is not None:
            details.append(f"HTTP {status}")
        if self.url:
            details.append(self.url)
        text = message
        if details:
            text += f" ({', '.join(details)})"
        if self.body_excerpt:
            text += f": {self.body_excerpt}"
        super().__init__(text)


class AuthenticationError(ProcoreError):
    """401: the access token was refused even after one refresh; the credentials are wrong or revoked."""


class ForbiddenError(ProcoreError):
    """403: no permission, the tool is disabled in the project, or the app is not installed in the company."""


class NotFoundError(ProcoreError):
    """404: the resource does not exist or the account cannot read it."""


class InvalidRequestError(ProcoreError):
    """400 or 422: Procore rejected the request itself; retrying will not help."""


class RateLimitedError(ProcoreError):
    """429 (or 503) that did not clear within the longest wait the client is allowed."""


class ServerError(ProcoreError):
    """5xx that persisted through every retry."""


class ProcoreConnectionError(ProcoreError):
    """The API host could not be reached (DNS, refused connection, timeout) through every retry."""


class OAuthError(ProcoreError):
    """The OAuth token endpoint refused the grant (unknown client, bad secret, used refresh token)."""


class MalformedResponseError(ProcoreError):
    """The response was not the JSON shape the caller expects (not JSON, or not a list of objects)."""
