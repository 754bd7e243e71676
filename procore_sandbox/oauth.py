"""Procore's OAuth endpoints: `/oauth/token` (client credentials, authorization code, refresh token),
`/oauth/authorize`, `/oauth/revoke` and `/oauth/token/info`. Credentials arrive form-encoded,
multipart, JSON, in the query or as HTTP Basic; all are accepted.
"""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from procore_sandbox.responses import json_response
from procore_sandbox.tokens import AUTHORIZATION_CODE, CLIENT_CREDENTIALS

INVALID_CLIENT = ("Client authentication failed due to unknown client, no client authentication included, "
                  "or unsupported authentication method.")


def _oauth_error(status: int, error: str, description: str) -> Response:
    return json_response({"error": error, "error_description": description}, status)


async def credentials(request: Request) -> dict[str, str]:
    """Every OAuth parameter of the request, whatever way it came."""
    params: dict[str, str] = dict(request.query_params)
    kind = request.headers.get("content-type", "")
    if "json" in kind:
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ValueError("the JSON body must be an object")
        params.update({k: str(v) for k, v in body.items() if v is not None})
    elif "form" in kind:
        form = await request.form()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("basic "):
        try:
            user, _, password = base64.b64decode(auth[6:].strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise ValueError("malformed HTTP Basic credentials") from None
        params.setdefault("client_id", user)
        params.setdefault("client_secret", password)
    return params


async def token(request: Request) -> Response:
    """`POST /oauth/token`."""
    state = request.app.state.sandbox
    try:
        params = await credentials(request)
    except ValueError as error:
        return _oauth_error(400, "invalid_request", str(error))
    grant_type = params.get("grant_type")
    if grant_type not in ("client_credentials", "authorization_code", "refresh_token"):
        return _oauth_error(400, "unsupported_grant_type",
                            "The authorization grant type is not supported by the authorization server.")
    options = state.options
    if params.get("client_id") != options.client_id or params.get("client_secret") != options.client_secret:
        return _oauth_error(401, "invalid_client", INVALID_CLIENT)
    now, ttl = state.clock.now(), int(state.runtime["token_ttl"])
    if grant_type == CLIENT_CREDENTIALS:
        return json_response(state.tokens.issue(options.client_id, now, ttl, CLIENT_CREDENTIALS))
    if grant_type == "authorization_code":
        if not state.tokens.redeem_code(params.get("code", ""), options.client_id, params.get("redirect_uri"), now):
            return _oauth_error(400, "invalid_grant", "The authorization code is invalid, expired or already used.")
        return json_response(state.tokens.issue(options.client_id, now, ttl, AUTHORIZATION_CODE))
    issued = state.tokens.rotate(params.get("refresh_token", ""), options.client_id, now, ttl)
    if issued is None:
        return _oauth_error(400, "invalid_grant", "The refresh token is invalid")
    return json_response(issued)


async def authorize(request: Request) -> Response:
    """`GET /oauth/authorize`: the sandbox user approves at once; redirects to `redirect_uri` with a code."""
    state = request.app.state.sandbox
    params = request.query_params
    if params.get("client_id") != state.options.client_id:
        return _oauth_error(401, "invalid_client", INVALID_CLIENT)
    if params.get("response_type", "code") != "code" or not params.get("redirect_uri"):
        return _oauth_error(400, "invalid_request", "response_type=code and a redirect_uri are required.")
    code = state.tokens.new_code(state.options.client_id, params["redirect_uri"], state.clock.now())
    joiner = "&" if "?" in params["redirect_uri"] else "?"
    query = {"code": code, **({"state": params["state"]} if "state" in params else {})}
    return RedirectResponse(params["redirect_uri"] + joiner + urlencode(query), status_code=302)


async def revoke(request: Request) -> Response:
    """`POST /oauth/revoke`: 200 even for an unknown token; kills the token and its partner."""
    try:
        params = await credentials(request)
    except ValueError as error:
        return _oauth_error(400, "invalid_request", str(error))
    request.app.state.sandbox.tokens.revoke(params.get("token", ""))
    return json_response({})


def bearer(request: Request) -> str | None:
    """The bearer token of the request, if any."""
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else None


async def token_info(request: Request) -> Response:
    """`GET /oauth/token/info`: describes the bearer token, 401 when it is not live."""
    state = request.app.state.sandbox
    now = state.clock.now()
    grant = state.tokens.check(bearer(request), now)
    if grant is None:
        return _oauth_error(401, "invalid_token", "The access token is invalid")
    return json_response({"resource_owner_id": grant.owner["id"], "scope": [],
                          "expires_in": max(0, int(grant.expires_at - now)),
                          "application": {"uid": grant.client_id}, "created_at": int(grant.created_at)})


routes = [
    Route("/oauth/token", token, methods=["POST"]),
    Route("/oauth/authorize", authorize, methods=["GET"]),
    Route("/oauth/revoke", revoke, methods=["POST"]),
    Route("/oauth/token/info", token_info, methods=["GET"]),
]
