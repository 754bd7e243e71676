"""A throwaway PostgreSQL cluster of the test's own: `initdb` into a temporary folder, `pg_ctl` on a free port.

The failure drills restart PostgreSQL; they must never touch the machine's main cluster. As root
(initdb refuses root) the cluster belongs to the `postgres` system user and commands run through
`runuser`. `find_pg_bin()` is None when no `initdb` is installed.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def find_pg_bin() -> Path | None:
    """The newest `/usr/lib/postgresql/*/bin` holding `initdb` (or the one on PATH), else None."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnCluster:
    """One private cluster: `start()`, `restart()`, `stop()`, `destroy()`; superuser `postgres`, trust auth."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.port = free_port()
        self.run_as = "postgres" if os.geteuid() == 0 else None
        self.root = Path(tempfile.mkdtemp(prefix="procore-ops-pg-"))
        self.data = self.root / "data"
        if self.run_as:
            entry = pwd.getpwnam(self.run_as)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)

    def _run(self, *args: str, timeout: float = 60) -> None:
        cmd = [str(self.bin_dir / args[0]), *args[1:]]
        if self.run_as:
            cmd = ["runuser", "-u", self.run_as, "--", *cmd]
        # stdin/out to files, never pipes: the server pg_ctl forks would hold a pipe open forever.
        out = self.root / "pg_ctl.out"
        with open(out, "w") as sink:
            result = subprocess.run(cmd, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    timeout=timeout, cwd=self.root)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): {out.read_text(errors='replace')[-2000:]}")

    def _options(self) -> str:
        return f"-p {self.port} -k {self.root} -h 127.0.0.1 -c fsync=off -c max_connections=100"

    def init(self) -> OwnCluster:
        """`initdb` with trust authentication and superuser `postgres`."""
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        return self

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", self._options(),
                  "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`fast` disconnects clients and rolls back their transactions)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self, mode: str = "fast") -> None:
        """Restart the server: every open connection is cut."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-m", mode,
                  "-o", self._options(), "-w", "restart")

    def destroy(self) -> None:
        """Stop the server if it runs and delete the cluster's folder."""
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
