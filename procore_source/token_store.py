"""Where OAuth tokens survive between processes.

Procore refresh tokens are single-use: each refresh returns a new one and kills the old one. The
new one must be saved (atomically, owner-only) before the new access token is used, or a crash
loses the only valid refresh token. `FileTokenStore` does that with a temp file in the same
directory, fsync and `os.replace`; `MemoryTokenStore` serves tests and one-off scripts.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class StoredTokens:
    """One OAuth grant result: tokens plus the Unix time the access token stops working."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False, default=None)
    expires_at: float = 0.0
    created_at: float = 0.0
    lifetime: float = 0.0  # the `expires_in` it was granted with (0: unknown, a store written before it was kept)

    def to_json(self) -> str:
        """The JSON text the file store writes."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> StoredTokens:
        """Parse what `to_json` wrote; raises ValueError on anything else."""
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            raise ValueError("not a token record (expected an object with access_token)")
        return cls(
            access_token=data["access_token"],
            refresh_token=data.get("refresh_token"),
            expires_at=float(data.get("expires_at") or 0.0),
            created_at=float(data.get("created_at") or 0.0),
            lifetime=float(data.get("lifetime") or 0.0),
        )


class TokenStore(Protocol):
    """Loads and saves the current tokens; `save` must be durable when it returns."""

    def load(self) -> StoredTokens | None:
        """The saved tokens, or None when nothing was saved yet."""
        ...

    def save(self, tokens: StoredTokens) -> None:
        """Persist `tokens`, replacing what was there."""
        ...


class MemoryTokenStore:
    """Keeps tokens in memory (tests, one-off scripts)."""

    def __init__(self, tokens: StoredTokens | None = None) -> None:
        self._tokens = tokens
        self._lock = threading.Lock()

    def load(self) -> StoredTokens | None:
        """The tokens last saved."""
        with self._lock:
            return self._tokens

    def save(self, tokens: StoredTokens) -> None:
        """Replace the tokens."""
        with self._lock:
            self._tokens = tokens


class FileTokenStore:
    """A JSON file readable and writable by its owner only (mode 0o600), replaced atomically."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def load(self) -> StoredTokens | None:
        """The saved tokens, None when the file does not exist; ValueError when it is not a token file."""
        with self._lock:
            try:
                text = self.path.read_text(encoding="utf-8")
            except FileNotFoundError:
                return None
        try:
            return StoredTokens.from_json(text)
        except ValueError as exc:
            raise ValueError(f"token store {self.path} is unreadable ({exc}); bootstrap it again "
                             "with an authorization code") from None

    def save(self, tokens: StoredTokens) -> None:
        """Write to a temp file in the same directory (0o600), fsync it, then rename it over the old file."""
        with self._lock:
            directory = self.path.parent
            directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=directory)
            try:
                os.fchmod(fd, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(tokens.to_json())
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            # The rename is durable only once the directory entry is flushed too.
            dir_fd = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
