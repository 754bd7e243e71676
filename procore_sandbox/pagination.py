"""Pages of list endpoints: `page`/`per_page`, per-endpoint limits, `Link` (absolute), `Total`, `Per-Page`."""

from __future__ import annotations

import math

from starlette.requests import Request
from starlette.responses import Response

from procore_sandbox.responses import ApiError, raw_json

# (default per_page, largest per_page) by API version; /rest/v1.1/projects allows 300.
LIMITS = {"v1.0": (100, 1000), "v1.1": (100, 300), "v2.0": (10, 100)}


def _positive_int(request: Request, name: str, default: int) -> int:
    text = request.query_params.get(name)
    if text in (None, ""):
        return default
    try:
        value = int(text)
    except ValueError:
        raise ApiError(400, {name: ["must be an integer"]}) from None
    return max(1, value)


def page_window(request: Request) -> tuple[int, int]:
    """(page, per_page) for this request, per_page capped to the endpoint's limit."""
    version = request.url.path.split("/")[2] if request.url.path.startswith("/rest/") else "v1.0"
    default, largest = LIMITS.get(version, LIMITS["v1.0"])
    return _positive_int(request, "page", 1), min(_positive_int(request, "per_page", default), largest)


def link_header(request: Request, page: int, per_page: int, total: int) -> str | None:
    """Procore's `Link`: absolute URLs with only page and per_page, none when one page holds all.

    As Procore's pagination guide lists them: page 1 has `next` and `last`; page 2 `first`, `next`
    and `last` (no `prev`); later pages `first`, `prev`, `next` and `last`; the last page no `next`.
    """
    last = max(1, math.ceil(total / per_page))
    if last == 1 and page == 1:
        return None
    base = f"{request.url.scheme}://{request.url.netloc}{request.url.path}"
    links = [(1, "first")] if page > 1 else []
    if 2 < page <= last:
        links.append((page - 1, "prev"))
    links.append((last, "last"))
    if page < last:
        links.append((page + 1, "next"))
    return ", ".join(f'<{base}?page={n}&per_page={per_page}>; rel="{rel}"' for n, rel in links)


def page_response(request: Request, items: list[bytes], envelope: bool = False) -> Response:
    """One page of already-encoded records, with `Total`, `Per-Page` and `Link`; v2.0 wraps in `data`."""
    page, per_page = page_window(request)
    start = (page - 1) * per_page
    body = b"[" + b",".join(items[start:start + per_page]) + b"]"
    if envelope:
        body = b'{"data":' + body + b"}"
    headers = {"Total": str(len(items)), "Per-Page": str(per_page)}
    link = link_header(request, page, per_page, len(items))
    if link:
        headers["Link"] = link
    return raw_json(body, headers)
