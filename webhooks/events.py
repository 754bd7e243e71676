"""Parse and validate one Procore webhook delivery body (payload formats v2, v3 and v4).

v2/v3 (legacy): `{"id": 5982324300946918154, "ulid": "01ED...", "timestamp": "...", "event_type":
"update", "resource_name": "RFIs", "resource_id": 245510722, "project_id": 219542, "company_id":
6452, "user_id": ..., "api_version": "v2.0", "metadata": {...}}`; v3 adds `related_resources`.
v4: `{"id": "01JMYX...", "timestamp": "...", "reason": "update", "company_id": "8", "project_id":
"6778", "user_id": "5447", "resource_type": "RFIs", "resource_id": "379913"}` (ids are strings).
Nothing else the sender says is trusted: only the ids are kept, and the sync re-reads the records.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from webhooks.resource_streams import COMPANY_SCOPED_STREAMS, canonical_resource_name, streams_for

MAX_BODY_BYTES = 64 * 1024
MAX_NUMBER_DIGITS = 40  # ids have at most 19; anything longer is not an event (and int() of 5,000 digits raises)
_KEY_RE = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
_REASON_RE = re.compile(r"^[a-z_.]{1,50}$")
_MAX_ID = 2**63 - 1


class PayloadError(ValueError):
    """The body is not a well-formed Procore webhook event; the message says what is wrong."""


@dataclass(frozen=True)
class InboundEvent:
    """The trusted part of one delivery: ids, names and the dedupe key."""

    dedupe_key: str
    event_id: str
    company_id: int
    project_id: int | None
    resource_name: str
    resource_id: int
    event_type: str
    payload_version: str
    occurred_at: datetime | None

    @property
    def streams(self) -> tuple[str, ...]:
        """The warehouse streams this event dirties (empty when the pipeline does not sync the resource)."""
        return streams_for(self.resource_name)


def _as_id(value: object, field: str, *, required: bool = True) -> int | None:
    """An id sent as a JSON integer or a string of digits; bools, floats and other types are refused."""
    if value is None:
        if required:
            raise PayloadError(f"{field} is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise PayloadError(f"{field} must be an integer or a string of digits")
    if isinstance(value, str):
        if not value.isascii() or not value.isdigit() or len(value) > 19:
            raise PayloadError(f"{field} must be an integer or a string of digits")
        value = int(value)
    if not 0 < value <= _MAX_ID:
        raise PayloadError(f"{field} is out of range")
    return value


def _as_text(value: object, field: str, *, limit: int = 200) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise PayloadError(f"{field} must be a non-empty string")
    if not value.isprintable():  # NUL and control characters: PostgreSQL refuses NUL in text
        raise PayloadError(f"{field} must be printable text")
    return value.strip()


def _as_timestamp(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise PayloadError("timestamp must be an ISO-8601 string")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError) as exc:  # OverflowError: year 1 or 9999 moved across midnight UTC
        raise PayloadError("timestamp must be an ISO-8601 string") from exc


def _event_key(body: dict, field: str) -> str:
    value = body.get(field)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise PayloadError(f"{field} must be a string or an integer")
    text = str(value)
    if not _KEY_RE.match(text):
        raise PayloadError(f"{field} has an unexpected form")
    return text


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise PayloadError(f"a number is longer than {MAX_NUMBER_DIGITS} digits")
    return int(text)


def _no_constant(name: str) -> float:
    raise PayloadError(f"{name} is not JSON")


def load_json(raw: bytes) -> object:
    """`raw` decoded as strict JSON; `PayloadError` for anything else, including nesting too deep to decode,
    numbers longer than `MAX_NUMBER_DIGITS` digits and NaN/Infinity (never an unhandled error, so never a 500)."""
    try:
        return json.loads(raw, parse_int=_bounded_int, parse_constant=_no_constant)
    except PayloadError:
        raise
    except RecursionError:
        raise PayloadError("body is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, and int/float conversion limits
        raise PayloadError("body is not JSON") from exc


def parse_event(raw: bytes) -> InboundEvent:
    """Validate a delivery body and return its `InboundEvent`; raise `PayloadError` when malformed."""
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadError("body is too large")
    body = load_json(raw)
    if not isinstance(body, dict):
        raise PayloadError("body must be a JSON object")
    is_v4 = "event_type" not in body and ("reason" in body or "resource_type" in body)
    event_id = _event_key(body, "id")
    if is_v4:
        version = "v4"
        event_type = _as_text(body.get("reason"), "reason", limit=50).lower()
        if not _REASON_RE.match(event_type):
            raise PayloadError("reason has an unexpected form")
        resource = _as_text(body.get("resource_type"), "resource_type")
        dedupe_key = event_id
    else:
        version = str(body.get("api_version") or "v2")[:8]
        event_type = _as_text(body.get("event_type"), "event_type", limit=50).lower()
        if event_type not in ("create", "update", "delete"):
            raise PayloadError("event_type must be create, update or delete")
        resource = _as_text(body.get("resource_name"), "resource_name")
        dedupe_key = _event_key(body, "ulid") if body.get("ulid") is not None else event_id
    if "metadata" in body and body["metadata"] is not None and not isinstance(body["metadata"], dict):
        raise PayloadError("metadata must be an object")
    resource = canonical_resource_name(resource) or resource
    streams = streams_for(resource)
    project_required = bool(streams) and not set(streams) <= COMPANY_SCOPED_STREAMS
    return InboundEvent(
        dedupe_key=dedupe_key,
        event_id=event_id,
        company_id=_as_id(body.get("company_id"), "company_id"),
        project_id=_as_id(body.get("project_id"), "project_id", required=project_required),
        resource_name=resource,
        resource_id=_as_id(body.get("resource_id"), "resource_id"),
        event_type=event_type,
        payload_version=version,
        occurred_at=_as_timestamp(body.get("timestamp")),
    )
