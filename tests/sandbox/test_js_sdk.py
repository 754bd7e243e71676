"""Procore's own JavaScript SDK (`@procore/js-sdk` 4.x, from the npm registry) against the sandbox.

The set-up installs the SDK into `tests/sandbox/js_sdk/` (its package.json and lock pin 4.0.2;
`node_modules` is git-ignored) and `drive.js` runs each step with the SDK's own calls: authorize,
token, `/companies` and `/me` without `Procore-Company-Id` on the user's token, refresh rotation, the
spent refresh token refused, and the projects followed page by page through `Link`. Without `node`
the test is skipped, except under `CI=true`, where it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from procore_sandbox.tokens import SANDBOX_USER

JS_SDK = Path(__file__).parent / "js_sdk"


@pytest.fixture(scope="module")
def node() -> str:
    """The `node` binary, with the SDK installed next to the driver script."""
    binary, npm = shutil.which("node"), shutil.which("npm")
    if binary is None or npm is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node and npm are required in CI to run Procore's JavaScript SDK against the sandbox")
        pytest.skip("node/npm not installed: the @procore/js-sdk check needs them (it runs in CI)")
    if not (JS_SDK / "node_modules" / "@procore" / "js-sdk" / "package.json").exists():
        command = "ci" if (JS_SDK / "package-lock.json").exists() else "install"
        done = subprocess.run([npm, command, "--no-audit", "--no-fund", "--loglevel=error"], cwd=JS_SDK,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"npm {command} failed: {done.stderr[-2000:]}"
    return binary


def test_procores_js_sdk_authorizes_refreshes_and_pages_through_the_sandbox(node, sandbox):
    company_id = sandbox.company_ids[0]
    service = requests.post(f"{sandbox.url}/oauth/token", timeout=10, data={
        "grant_type": "client_credentials", "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret}).json()["access_token"]
    args = {"base": sandbox.url, "clientId": sandbox.client_id, "clientSecret": sandbox.client_secret,
            "companyId": company_id, "serviceToken": service}
    done = subprocess.run([node, str(JS_SDK / "drive.js"), json.dumps(args)], capture_output=True, text=True,
                          timeout=120, cwd=JS_SDK)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    installed = json.loads((JS_SDK / "node_modules" / "@procore" / "js-sdk" / "package.json").read_text())
    assert installed["version"].startswith("4.") and seen["sdkVersion"] == installed["version"]
    assert seen["authorizeStatus"] == 302
    assert seen["tokenKeys"] == ["access_token", "created_at", "expires_in", "refresh_token", "token_type"]
    # a user's token: companies and me without the header; a service account's: refused
    assert seen["companyIds"] == sandbox.company_ids and seen["me"] == SANDBOX_USER
    assert seen["serviceCompanies"] == {"status": 404, "body": {"errors": "Missing Procore-Company-Id header!"}}
    assert seen["rotated"] is True
    assert seen["reuse"] == {"error": "invalid_grant", "error_description": "The refresh token is invalid"}
    # every active project of the company, once, across pages of 2 (absolute Link URLs)
    active = [r["record"]["id"] for r in sandbox.records("projects")
              if r["company_id"] == company_id and r["record"]["active"]]
    assert seen["projectIds"] == active and seen["total"] == len(active)
    assert len(seen["links"]) == -(-len(active) // 2) - 1 >= 1
    assert all(link.startswith(f"{sandbox.url}/rest/v1.0/projects?page=") for link in seen["links"])
    stats = sandbox.stats()["by_path"]
    assert stats["/rest/v1.0/projects"] == len(seen["links"]) + 1 and stats["/rest/v1.0/companies"] == 2
