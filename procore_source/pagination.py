"""Pagination helpers: the `Link` header, the next page's query, and checking a page's shape.

Procore pages with `page`/`per_page` and an absolute `Link` header. Whether Link URLs repeat the
caller's filters is unsettled, so the next request keeps the caller's parameters and takes only
what the link says (its `page`, `per_page`, ...) on top. A page must be a JSON list of objects
(v2.0 wraps it in `{"data": [...]}`); anything else is a `MalformedResponseError`, never an empty
list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from procore_source.errors import MalformedResponseError

Params = list[tuple[str, str]]

_LINK_PART = re.compile(r'<([^>]*)>\s*((?:;\s*[^;,]+)*)')
_REL = re.compile(r'rel\s*=\s*"?([^";]+)"?', re.IGNORECASE)


def parse_link_header(value: str | None) -> dict[str, str]:
    """`{rel: url}` from a `Link` header (`<url>; rel="next", ...`); `{}` when empty or absent."""
    links: dict[str, str] = {}
    if not value:
        return links
    for match in _LINK_PART.finditer(value):
        url, attrs = match.group(1).strip(), match.group(2)
        rel = _REL.search(attrs)
        if rel and url:
            for name in rel.group(1).split():
                links.setdefault(name.lower(), url)
    return links


def as_params(params: dict[str, Any] | Sequence[tuple[str, Any]] | None) -> Params:
    """Normalise query parameters to `(key, str)` pairs; list values become repeated keys."""
    if params is None:
        return []
    items = params.items() if isinstance(params, dict) else params
    pairs: Params = []
    for key, value in items:
        if isinstance(value, (list, tuple)):
            pairs.extend((key, _text(v)) for v in value)
        elif value is not None:
            pairs.append((key, _text(value)))
    return pairs


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def merge_params(caller: Params, link_url: str) -> Params:
    """The caller's parameters with every key the link carries replaced by the link's values."""
    from_link = parse_qsl(urlsplit(link_url).query, keep_blank_values=True)
    link_keys = {k for k, _ in from_link}
    return [(k, v) for k, v in caller if k not in link_keys] + list(from_link)


def link_path(link_url: str, api_base_url: str = "") -> str:
    """The path of a Link URL relative to the API base: the client sends it to its own base, never elsewhere.

    When the base has a path prefix (a proxy at `https://proxy/procore`) that the link repeats, the
    prefix is dropped so it is not doubled.
    """
    path = urlsplit(link_url).path
    prefix = urlsplit(api_base_url).path.rstrip("/")
    if prefix and path.startswith(prefix + "/"):
        path = path[len(prefix):]
    return path


def page_number(params: Params) -> int | None:
    """The `page` parameter of a request, when it has one."""
    for key, value in params:
        if key == "page":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def records_of(payload: Any, url: str) -> list[dict]:
    """The records of one list page; raises `MalformedResponseError` when it is not a list of objects."""
    if isinstance(payload, dict) and "data" in payload:
        payload = payload["data"]  # v2.0 envelope
        where = 'its "data"'
    else:
        where = "the response"
    if not isinstance(payload, list):
        kind = type(payload).__name__ if payload is not None else "null"
        keys = f" with keys {sorted(payload)[:8]}" if isinstance(payload, dict) else ""
        raise MalformedResponseError(f"expected a JSON list of records, but {where} is a JSON {kind}{keys}",
                                     url=url)
    for index, item in enumerate(payload):
        if not isinstance(item, dict):
            raise MalformedResponseError(f"expected a JSON list of records, but item {index} is a JSON "
                                         f"{type(item).__name__ if item is not None else 'null'}", url=url)
    return payload
