"""Fixtures for the sandbox's own tests: an authenticated HTTP helper over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest
import requests


class Api:
    """Calls a sandbox's REST API with a client-credentials token and a company header."""

    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.session = requests.Session()
        self.token = self.new_token()
        self.company_id = sandbox.company_ids[0]

    def new_token(self, **extra: str) -> str:
        """A fresh client-credentials access token."""
        response = self.session.post(f"{self.sandbox.url}/oauth/token", data={
            "grant_type": "client_credentials", "client_id": self.sandbox.client_id,
            "client_secret": self.sandbox.client_secret, **extra})
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def user_tokens(self, redirect: str = "https://example.com/callback") -> dict:
        """An authorization-code token pair, through `/oauth/authorize` as a user approves the app."""
        approved = self.session.get(f"{self.sandbox.url}/oauth/authorize", allow_redirects=False, timeout=10, params={
            "client_id": self.sandbox.client_id, "response_type": "code", "redirect_uri": redirect})
        assert approved.status_code == 302, approved.text
        answer = self.session.post(f"{self.sandbox.url}/oauth/token", timeout=10, data={
            "grant_type": "authorization_code", "client_id": self.sandbox.client_id,
            "client_secret": self.sandbox.client_secret, "code": approved.headers["Location"].split("code=")[1],
            "redirect_uri": redirect})
        assert answer.status_code == 200, answer.text
        return answer.json()

    def refresh(self, refresh_token: str) -> requests.Response:
        """Spend a refresh token."""
        return self.session.post(f"{self.sandbox.url}/oauth/token", timeout=10, data={
            "grant_type": "refresh_token", "client_id": self.sandbox.client_id,
            "client_secret": self.sandbox.client_secret, "refresh_token": refresh_token})

    def get(self, path: str, params: dict | None = None, company_id: int | None = None,
            token: str | None = None, headers: dict | None = None) -> requests.Response:
        """GET `path` with the token and `Procore-Company-Id` (pass `headers` to replace them)."""
        if headers is None:
            headers = {"Authorization": f"Bearer {token or self.token}",
                       "Procore-Company-Id": str(company_id or self.company_id)}
        return self.session.get(f"{self.sandbox.url}{path}", params=params, headers=headers, timeout=30)

    def readable_project(self, company_id: int | None = None) -> int:
        """A project of the company whose tools can be read."""
        info = self.sandbox.info()
        unreadable = set(info["forbidden_project_ids"]) | set(info["hidden_project_ids"])
        company_id = company_id or self.company_id
        ids = [r["record"]["id"] for r in self.sandbox.records("projects")
               if r["company_id"] == company_id and r["record"]["id"] not in unreadable]
        return ids[0]


@pytest.fixture
def api(sandbox) -> Api:
    """An authenticated helper for the session sandbox (reset for this test)."""
    return Api(sandbox)
