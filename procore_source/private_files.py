"""Owner-only data files: the data directory 0700, the databases in it 0600.

`warehouse.duckdb`, `serving.duckdb`, `dashboard.db` (token digests), `webhooks.db` and the logs
hold company data, so nobody but the service's user may read them. The calls are cheap and safe to
repeat: a directory or file is only ever tightened, only when this user owns it, and a failure to
change a mode never stops the caller (the data matters more than its mode).

DuckDB creates its write-ahead log (`*.duckdb.wal`) with the process umask, and creates it anew
after each checkpoint, so that file is protected by the 0700 data directory; SQLite gives its
`-wal` and `-shm` files the mode of the database file, so creating that file 0600 covers them.
The services run with `UMask=0077` (deploy/systemd) and the launchers set the same umask.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def _tighten(path: Path, mode: int) -> None:
    """chmod `path` to `mode` when this user owns it and it grants more than `mode`."""
    with contextlib.suppress(OSError):
        info = path.stat()
        if info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) & ~mode:
            path.chmod(mode)


def private_dir(path: str | os.PathLike) -> Path:
    """Create `path` (and missing parents) and make it 0700; use it for the data directory only."""
    directory = Path(path)
    directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _tighten(directory, DIR_MODE)
    return directory


def private_file(path: str | os.PathLike, *, create: bool = False) -> Path:
    """Make the file at `path` 0600 (owner only); with `create`, create it empty first when missing.

    Its directory is created 0700 when missing; an existing directory is left as it is (it may be
    shared, like /tmp). `create` suits SQLite, which accepts an empty file as a new database;
    DuckDB refuses one, so call this after `duckdb.connect` has created the file.
    """
    file = Path(path)
    if not file.parent.exists():
        file.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if create:
        with contextlib.suppress(FileExistsError):
            os.close(os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    _tighten(file, FILE_MODE)
    return file
