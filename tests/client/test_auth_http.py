"""OAuth against the sandbox: expiry mid-read, proactive refresh, one refresh per 401, rotation across restarts."""

from __future__ import annotations

import dataclasses
import os
import stat
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from procore_source.auth import ClientCredentialsProvider, exchange_authorization_code
from procore_source.client import ProcoreClient
from procore_source.errors import AuthenticationError, OAuthError
from procore_source.settings import ProcoreSettings
from procore_source.token_store import FileTokenStore

pytestmark = pytest.mark.timeout(60)


def authorization_code(sandbox) -> str:
    """What Procore's consent screen hands back: a one-time code on the redirect."""
    answer = requests.get(f"{sandbox.url}/oauth/authorize", allow_redirects=False, timeout=5, params={
        "client_id": sandbox.client_id, "response_type": "code", "redirect_uri": "urn:ietf:wg:oauth:2.0:oob"})
    assert answer.status_code == 302, answer.text
    return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]


def test_token_expiry_in_the_middle_of_a_paginated_read(sandbox, make_client, helpers):
    cid = sandbox.company_ids[0]
    pid = helpers.project_ids(sandbox, cid)[0]
    client = make_client(sandbox)
    records = client.iter_records(f"/rest/v1.0/projects/{pid}/rfis", company_id=cid, per_page=3)
    ids = [next(records)["id"] for _ in range(3)]  # page 1 read
    sandbox.expire_tokens()
    ids += [r["id"] for r in records]
    assert sorted(ids) == helpers.live_ids(sandbox, "rfis", pid) and len(ids) == len(set(ids))
    assert client.tokens.grants == 2  # refreshed exactly once
    assert sandbox.stats()["by_status"].get("401") == 1


def _grants_over(sandbox, *, ttl: int, margin: float, steps: list[float]) -> list[int]:
    """Token grants after a request at each clock step (seconds since the first request), on an injected clock."""
    # The provider's injectable clock stands in for waiting: no sleep, so no race with a loaded machine.
    sandbox.configure(token_ttl=ttl)
    cid = sandbox.company_ids[0]
    now = [time.time()]
    settings = dataclasses.replace(ProcoreSettings.from_env(sandbox.env()), token_refresh_margin=margin)
    tokens = ClientCredentialsProvider(settings, clock=lambda: now[0])
    client = ProcoreClient(settings, token_provider=tokens)
    grants = []
    try:
        for step in steps:
            now[0] += step
            client.get_json("/rest/v1.0/me", company_id=cid)
            grants.append(tokens.grants)
    finally:
        client.close()
    assert "401" not in sandbox.stats()["by_status"]  # every refresh came before the token died, not after
    return grants


def test_refreshes_before_expires_in_runs_out(sandbox):
    # 600 s of life minus the 30 s margin: still 1 s before it counts as expiring, then inside the margin
    assert _grants_over(sandbox, ttl=600, margin=30.0, steps=[0, 0, 569.0, 2.0]) == [1, 1, 1, 2]


def test_refresh_margin_is_capped_at_a_tenth_of_the_token_lifetime(sandbox):
    # A 120 s token with a 30 s margin: the margin shrinks to 12 s, so the token serves 108 s, not 90.
    assert _grants_over(sandbox, ttl=120, margin=30.0, steps=[0, 91.0, 16.0, 2.0]) == [1, 1, 1, 2]
    # A 20 s token under the default 60 s margin is reused (refreshed 2 s before it expires), not re-granted
    assert _grants_over(sandbox, ttl=20, margin=60.0, steps=[0, 1.0, 1.0, 15.0, 1.5]) == [1, 1, 1, 1, 2]


def test_second_401_says_the_credentials_are_wrong(sandbox, make_client):
    sandbox.inject(path="/rest/v1.0/me", status=401, times=5)
    client = make_client(sandbox)
    with pytest.raises(AuthenticationError, match="wrong or revoked") as failure:
        client.get_json("/rest/v1.0/me", company_id=sandbox.company_ids[0])
    assert failure.value.status == 401
    assert client.tokens.grants == 2
    assert sandbox.stats()["by_path"]["/rest/v1.0/me"] == 2


def test_wrong_client_secret_is_an_oauth_error_naming_the_setting(sandbox, make_client):
    client = make_client(sandbox, client_secret="not-the-secret")
    with pytest.raises(OAuthError, match="PROCORE_CLIENT_SECRET") as failure:
        client.get_json("/rest/v1.0/me", company_id=sandbox.company_ids[0])
    assert failure.value.status == 401
    assert "not-the-secret" not in str(failure.value)


def test_concurrent_401s_refresh_once(sandbox, make_client, helpers):
    cid = sandbox.company_ids[0]
    client = make_client(sandbox)
    client.get_json("/rest/v1.0/me", company_id=cid)
    sandbox.expire_tokens()
    errors: list[BaseException] = []

    def read() -> None:
        try:
            client.get_json("/rest/v1.0/me", company_id=cid)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert client.tokens.grants == 2


def test_single_use_refresh_rotation_survives_a_restart(sandbox, make_client, tmp_path, helpers):
    path = tmp_path / "secrets" / "procore-tokens.json"
    cid = sandbox.company_ids[0]
    pid = helpers.project_ids(sandbox, cid)[0]
    grant = {"auth_grant": "refresh_token", "token_store_path": str(path)}
    first_tokens = exchange_authorization_code(make_client(sandbox).settings, authorization_code(sandbox),
                                               FileTokenStore(path))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600

    first = make_client(sandbox, **grant)
    first.get_json("/rest/v1.0/me", company_id=cid)
    assert first.tokens.grants == 0  # the stored access token was still valid
    sandbox.expire_tokens()
    assert len(list(first.iter_records(f"/rest/v1.0/projects/{pid}/rfis", company_id=cid))) > 0
    rotated = FileTokenStore(path).load()
    assert rotated.refresh_token != first_tokens.refresh_token
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    # The old refresh token is dead: Procore's tokens are single-use.
    reuse = requests.post(f"{sandbox.url}/oauth/token", timeout=5, data={
        "grant_type": "refresh_token", "refresh_token": first_tokens.refresh_token,
        "client_id": sandbox.client_id, "client_secret": sandbox.client_secret})
    assert reuse.status_code == 400
    first.close()

    # "Restart": a new client in a new process state, with only the file to go on.
    sandbox.expire_tokens()
    second = make_client(sandbox, **grant)
    assert second.get_json("/rest/v1.0/me", company_id=cid)
    assert second.tokens.grants == 1
    assert FileTokenStore(path).load().refresh_token not in (rotated.refresh_token, first_tokens.refresh_token)


def test_refresh_grant_without_a_bootstrapped_store_says_how_to_fix(sandbox, make_client, tmp_path):
    client = make_client(sandbox, auth_grant="refresh_token", token_store_path=str(tmp_path / "none.json"))
    with pytest.raises(OAuthError, match="authorization code"):
        client.get_json("/rest/v1.0/me", company_id=sandbox.company_ids[0])
