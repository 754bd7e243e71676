"""OAuth as Procore does it: every credential encoding, single-use refresh rotation, codes, revoke, expiry."""

from __future__ import annotations

import base64

import requests


def _post_token(sandbox, **kwargs) -> requests.Response:
    return requests.post(f"{sandbox.url}/oauth/token", timeout=10, **kwargs)


def _me(sandbox, token: str) -> int:
    return requests.get(f"{sandbox.url}/rest/v1.0/me", timeout=10, headers={
        "Authorization": f"Bearer {token}", "Procore-Company-Id": str(sandbox.company_ids[0])}).status_code


def test_client_credentials_in_every_encoding(sandbox):
    creds = {"grant_type": "client_credentials", "client_id": sandbox.client_id,
             "client_secret": sandbox.client_secret}
    basic = base64.b64encode(f"{sandbox.client_id}:{sandbox.client_secret}".encode()).decode()
    answers = [
        _post_token(sandbox, data=creds),
        _post_token(sandbox, json=creds),
        _post_token(sandbox, files={k: (None, v) for k, v in creds.items()}),
        _post_token(sandbox, data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}),
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["token_type"] == "bearer" and body["expires_in"] == 5400 and "refresh_token" not in body
        assert isinstance(body["created_at"], int)
        assert _me(sandbox, body["access_token"]) == 200


def test_wrong_secret_and_unknown_grant_are_refused(sandbox):
    wrong = _post_token(sandbox, data={"grant_type": "client_credentials", "client_id": sandbox.client_id,
                                       "client_secret": "nope"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    odd = _post_token(sandbox, data={"grant_type": "password", "client_id": sandbox.client_id})
    assert odd.status_code == 400 and odd.json()["error"] == "unsupported_grant_type"
    assert _me(sandbox, "not-a-token") == 401


def _authorization_code_tokens(sandbox) -> dict:
    redirect = "https://example.com/callback"
    answer = requests.get(f"{sandbox.url}/oauth/authorize", allow_redirects=False, timeout=10, params={
        "client_id": sandbox.client_id, "response_type": "code", "redirect_uri": redirect})
    assert answer.status_code == 302 and answer.headers["Location"].startswith(redirect + "?code=")
    code = answer.headers["Location"].split("code=")[1]
    body = {"grant_type": "authorization_code", "client_id": sandbox.client_id,
            "client_secret": sandbox.client_secret, "code": code, "redirect_uri": redirect}
    first = _post_token(sandbox, data=body)
    assert first.status_code == 200, first.text
    assert _post_token(sandbox, data=body).status_code == 400  # a code works once
    return first.json()


def test_refresh_tokens_rotate_and_work_once(sandbox):
    tokens = _authorization_code_tokens(sandbox)
    body = {"grant_type": "refresh_token", "client_id": sandbox.client_id, "client_secret": sandbox.client_secret,
            "refresh_token": tokens["refresh_token"], "redirect_uri": "https://example.com/callback"}
    rotated = _post_token(sandbox, data=body)
    assert rotated.status_code == 200
    new = rotated.json()
    assert new["refresh_token"] != tokens["refresh_token"] and _me(sandbox, new["access_token"]) == 200
    again = _post_token(sandbox, data=body)
    assert again.status_code == 400 and again.json()["error_description"] == "The refresh token is invalid"
    body["refresh_token"] = new["refresh_token"]
    assert _post_token(sandbox, json=body).status_code == 200


def test_expiry_follows_the_sandbox_clock_and_admin_expiry_keeps_refresh_tokens(sandbox):
    tokens = _authorization_code_tokens(sandbox)
    assert _me(sandbox, tokens["access_token"]) == 200
    sandbox.advance_clock(5401)
    assert _me(sandbox, tokens["access_token"]) == 401
    refresh = {"grant_type": "refresh_token", "client_id": sandbox.client_id,
               "client_secret": sandbox.client_secret, "refresh_token": tokens["refresh_token"]}
    fresh = _post_token(sandbox, data=refresh).json()
    assert _me(sandbox, fresh["access_token"]) == 200
    assert sandbox.expire_tokens()["expired"] >= 1
    assert _me(sandbox, fresh["access_token"]) == 401
    refresh["refresh_token"] = fresh["refresh_token"]
    assert _me(sandbox, _post_token(sandbox, data=refresh).json()["access_token"]) == 200


def test_short_token_ttl_from_runtime_config(sandbox):
    sandbox.configure(token_ttl=60)
    body = _post_token(sandbox, data={"grant_type": "client_credentials", "client_id": sandbox.client_id,
                                      "client_secret": sandbox.client_secret}).json()
    assert body["expires_in"] == 60
    sandbox.advance_clock(61)
    assert _me(sandbox, body["access_token"]) == 401


def test_token_info_and_revoke(sandbox):
    tokens = _authorization_code_tokens(sandbox)
    info = requests.get(f"{sandbox.url}/oauth/token/info", timeout=10,
                        headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert info.status_code == 200
    assert info.json()["application"]["uid"] == sandbox.client_id and 0 < info.json()["expires_in"] <= 5400
    assert requests.post(f"{sandbox.url}/oauth/revoke", data={"token": "unknown"}, timeout=10).status_code == 200
    revoked = requests.post(f"{sandbox.url}/oauth/revoke", timeout=10, data={
        "token": tokens["access_token"], "client_id": sandbox.client_id, "client_secret": sandbox.client_secret})
    assert revoked.status_code == 200
    assert _me(sandbox, tokens["access_token"]) == 401
    refresh = _post_token(sandbox, data={"grant_type": "refresh_token", "client_id": sandbox.client_id,
                                         "client_secret": sandbox.client_secret,
                                         "refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 400  # revoking the access token kills its refresh token too
