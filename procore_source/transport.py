"""The request loop: headers, timeouts, pacing, the one refresh on 401, retries and typed errors.

Every call carries `Authorization: Bearer`, `Procore-Company-Id` (the call's company, even on
`/me` and `/companies`), `User-Agent` and `Accept`. Connection errors, timeouts and
500/502/503/504 are retried with exponential backoff and jitter; 429 (and 503 with `Retry-After`)
wait as Procore asks, holding the whole company's pacer; 400/403/404/422 fail at once. Each thread
gets its own `requests.Session`, since sessions are not thread-safe.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from procore_source.auth import TokenProvider
from procore_source.counters import RequestCounters
from procore_source.errors import (
    AuthenticationError,
    ForbiddenError,
    InvalidRequestError,
    NotFoundError,
    ProcoreConnectionError,
    ProcoreError,
    RateLimitedError,
    ServerError,
)
from procore_source.pacing import RESET_MARGIN, Pacer, parse_rate_limit
from procore_source.pagination import Params
from procore_source.settings import ProcoreSettings

RETRIED_STATUSES = frozenset({500, 502, 503, 504})
_TRANSIENT = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Seconds from a `Retry-After` header (delta seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def rate_limit_wait(headers: Mapping[str, str], now: float) -> float | None:
    """How long a 429/503 asks us to wait: `Retry-After`, else until `X-Rate-Limit-Reset`; None if neither."""
    after = retry_after_seconds(headers.get("Retry-After"), now)
    if after is not None:
        return after
    state = parse_rate_limit(headers)
    if state is not None and state.reset is not None and state.reset + RESET_MARGIN > now:
        return state.reset + RESET_MARGIN - now
    return None


class Transport:
    """Sends API calls (reads, and the webhooks' writes) to Procore on behalf of `ProcoreClient`."""

    def __init__(self, settings: ProcoreSettings, tokens: TokenProvider, counters: RequestCounters,
                 pacer_for: Callable[[int], Pacer]) -> None:
        self.settings = settings
        self.tokens = tokens
        self.counters = counters
        self.pacer_for = pacer_for
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()

    def session(self) -> requests.Session:
        """This thread's session (created on first use)."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update({"User-Agent": self.settings.user_agent, "Accept": "application/json"})
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        """Close every thread's session."""
        with self._sessions_lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()
        self._local = threading.local()

    def get(self, path: str, *, company_id: int, params: Params) -> requests.Response:
        """GET `path` (on the API base) for `company_id`; a 2xx response or a typed `ProcoreError`."""
        return self.request("GET", path, company_id=company_id, params=params)

    def request(self, method: str, path: str, *, company_id: int, params: Params,
                json: Any = None) -> requests.Response:
        """Send one API call; a 2xx response or a typed `ProcoreError`.

        Only GET is retried on connection errors, timeouts and 5xx: a write that may have reached
        Procore is not sent twice. Every method gets the one refresh on 401 and waits out 429s.
        """
        retry_transient = method == "GET"
        url = self.settings.api_base_url + path
        full_url = requests.Request(method, url, params=params).prepare().url or url
        attempt = 0  # retries spent on transient failures
        rate_limit_waited = 0.0
        refreshed = False
        pacer = self.pacer_for(company_id)
        while True:
            try:
                waited = pacer.acquire()
            except RateLimitedError as exc:
                raise RateLimitedError(str(exc), url=full_url) from None
            # Taken after the pacing wait, which may outlast the token's remaining life.
            token = self.tokens.access_token()
            if waited > 0:
                self.counters.add(pacing_waits=1, pacing_wait_seconds=waited)
            response: requests.Response | None = None
            failure: Exception | None = None
            self.counters.add(requests=1)
            try:
                response = self.session().request(
                    method, url, params=params, json=json,
                    timeout=(self.settings.connect_timeout, self.settings.read_timeout),
                    headers={"Authorization": f"Bearer {token}", "Procore-Company-Id": str(company_id)})
            except _TRANSIENT as exc:
                failure = exc
            finally:
                pacer.release(response.headers if response is not None else None)

            if response is None:
                if retry_transient and attempt < self.settings.max_retries:
                    attempt += 1
                    self._backoff(attempt)
                    continue
                raise ProcoreConnectionError(
                    f"no answer from Procore after {attempt + 1} attempts ({_describe(failure)}); check "
                    "PROCORE_API_BASE_URL, the network, and PROCORE_CONNECT_TIMEOUT/PROCORE_READ_TIMEOUT",
                    url=full_url) from None

            status = response.status_code
            if status < 300:
                return response
            if status == 401:
                if refreshed:
                    raise AuthenticationError(
                        "Procore refused a freshly issued access token: the credentials are wrong or revoked "
                        "(check PROCORE_CLIENT_ID/PROCORE_CLIENT_SECRET and that the app is installed in the "
                        "company)", status=status, url=full_url, body=response.text)
                refreshed = True
                self.counters.add(retries=1)
                self.tokens.refresh_after_unauthorized(token)
                continue
            refreshed = False
            now = time.time()
            if status == 429 or (status == 503 and response.headers.get("Retry-After")):
                wait = rate_limit_wait(response.headers, now)
                if status == 429:
                    self.counters.add(rate_limited=1)
                    wait = wait if wait is not None else min(60.0, self.settings.retry_backoff * 2 ** attempt)
                else:
                    self.counters.add(server_errors=1)
                    if attempt >= self.settings.max_retries:
                        raise ServerError(f"Procore answered 503 after {attempt + 1} attempts",
                                          status=status, url=full_url, body=response.text)
                    attempt += 1
                if rate_limit_waited + (wait or 0.0) > self.settings.max_rate_limit_wait:
                    raise RateLimitedError(
                        f"Procore asked us to wait {wait or 0:.0f} s more (already waited {rate_limit_waited:.0f} s), "
                        f"beyond PROCORE_MAX_RATE_LIMIT_WAIT={self.settings.max_rate_limit_wait:.0f} s",
                        status=status, url=full_url, body=response.text)
                rate_limit_waited += wait or 0.0
                self.counters.add(retries=1)
                pacer.block_until(now + (wait or 0.0))
                continue
            if status in RETRIED_STATUSES:
                self.counters.add(server_errors=1)
                if retry_transient and attempt < self.settings.max_retries:
                    attempt += 1
                    self._backoff(attempt)
                    continue
                raise ServerError(f"Procore kept failing after {attempt + 1} attempts", status=status,
                                  url=full_url, body=response.text)
            raise _client_error(status, full_url, response.text)

    def _backoff(self, attempt: int) -> None:
        self.counters.add(retries=1)
        delay = min(30.0, self.settings.retry_backoff * 2 ** (attempt - 1))
        time.sleep(delay * random.uniform(0.5, 1.5))


def _describe(failure: Exception | None) -> str:
    if isinstance(failure, requests.exceptions.ReadTimeout):
        return "read timed out"
    if isinstance(failure, requests.exceptions.ConnectTimeout):
        return "connect timed out"
    if isinstance(failure, requests.ConnectionError):
        return "connection failed"
    return type(failure).__name__ if failure else "unknown failure"


def _client_error(status: int, url: str, body: str) -> ProcoreError:
    if status == 403:
        return ForbiddenError("Procore forbids this read (no permission, tool disabled in the project, or the "
                              "app is not installed in the company)", status=status, url=url, body=body)
    if status == 404:
        return NotFoundError("not found, or the account cannot read it", status=status, url=url, body=body)
    if 400 <= status < 500:
        return InvalidRequestError("Procore rejected the request", status=status, url=url, body=body)
    if status >= 500:
        return ServerError("Procore failed", status=status, url=url, body=body)
    return ProcoreError(f"unexpected HTTP status {status}", status=status, url=url, body=body)
