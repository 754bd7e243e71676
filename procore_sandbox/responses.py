"""Procore-shaped responses: JSON bodies and error bodies (v1 `{"errors": ...}`/`{"error": ...}`, v2.0 nested)."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

V2_CODES = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
            422: "UNPROCESSABLE_ENTITY", 429: "TOO_MANY_REQUESTS", 500: "INTERNAL_SERVER_ERROR",
            502: "BAD_GATEWAY", 503: "SERVICE_UNAVAILABLE"}
DEFAULT_MESSAGES = {500: "Internal Server Error", 502: "Bad Gateway",
                    503: "Service Unavailable: the server is under heavy load, please retry later"}


class ApiError(Exception):
    """Raised by handlers; rendered as Procore's error body for the request's API version.

    `detail` is the v1 payload: a string, a list or a field map; `key` picks `errors` or `error`.
    """

    def __init__(self, status: int, detail: Any, key: str = "errors", headers: dict[str, str] | None = None):
        super().__init__(str(detail))
        self.status, self.detail, self.key, self.headers = status, detail, key, headers or {}


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Compact JSON."""
    return Response(json.dumps(payload, separators=(",", ":")), status_code=status, headers=headers,
                    media_type="application/json")


def raw_json(body: bytes, headers: dict[str, str] | None = None) -> Response:
    """Already-encoded JSON bytes."""
    return Response(body, headers=headers, media_type="application/json")


def error_body(path: str, status: int, detail: Any, key: str = "errors") -> dict:
    """The error body Procore sends on `path` for `status` (v2.0 nests code, message and details)."""
    if path.startswith("/rest/v2.0/"):
        message = detail if isinstance(detail, str) else json.dumps(detail)
        details = detail if isinstance(detail, list) else []
        return {"error": {"code": V2_CODES.get(status, "ERROR"), "message": message, "details": details}}
    return {key: detail}


def error_response(path: str, status: int, detail: Any, key: str = "errors",
                   headers: dict[str, str] | None = None) -> Response:
    """An error response with Procore's body shape for `path`."""
    return json_response(error_body(path, status, detail, key), status, headers)
