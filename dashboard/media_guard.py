"""Binds the CSV downloads (Streamlit media files) to the API token of the session that rendered them.

Streamlit keeps a download's bytes in memory under a URL (`/media/<id>.csv`) for as long as a session
refers to it, with no notion of who may fetch it. The app records, on every rerun, which token digest
the session ran under (`remember`); before any media file is served, `drop_revoked` drops the media
references of every session whose token no longer authenticates (revoked, rotated, group deleted) and
lets Streamlit delete what nobody refers to any more, so a download link stops working as soon as its
token does. The registry holds digests only, never tokens.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable

MAX_SESSIONS = 10_000  # oldest sessions are forgotten first (their media are dropped with them)

_lock = threading.Lock()
_sessions: OrderedDict[str, str | None] = OrderedDict()


def remember(session_id: str, token_digest: str | None) -> None:
    """Record that `session_id` now runs under `token_digest` (None: a refused request, no token)."""
    with _lock:
        _sessions[session_id] = token_digest
        _sessions.move_to_end(session_id)
        overflow = [sid for sid, _ in zip(_sessions, range(len(_sessions) - MAX_SESSIONS), strict=False)]
    if overflow:
        _drop(overflow)


def current_session_id() -> str | None:
    """The id of the session this script run belongs to, or None outside a script run."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def drop_revoked(live_digests: Callable[[Iterable[str]], set[str]]) -> list[str]:
    """Drop the media of every remembered session whose token is not among `live_digests(...)`;
    returns the session ids dropped."""
    with _lock:
        known = list(_sessions.items())
    digests = {d for _, d in known if d}
    live = live_digests(digests) if digests else set()
    dead = [sid for sid, d in known if d is None or d not in live]
    if dead:
        _drop(dead)
    return dead


def _drop(session_ids: list[str]) -> None:
    from streamlit import runtime

    with _lock:
        for sid in session_ids:
            _sessions.pop(sid, None)
    if not runtime.exists():
        return
    media = runtime.get_instance().media_file_mgr
    for sid in session_ids:
        media.clear_session_refs(sid)
    # Downloadable files survive one pass (marked, so a click just after a rerun still works): two
    # passes delete what only the dropped sessions referred to.
    media.remove_orphaned_files()
    media.remove_orphaned_files()


def forget_all() -> None:
    """Empty the registry (tests)."""
    with _lock:
        _sessions.clear()
