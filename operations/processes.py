"""Long-lived child processes, each in its own process group, stopped (or killed) as a group.

`dagster-webserver` and `dagster-daemon` start children of their own (code servers, run workers);
signalling only the parent leaves those behind, and a bare `&` child ignores SIGTERM. Every child
here is started with `start_new_session=True`, so `os.killpg` reaches everything it started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from operations.listeners import FOREIGN, OURS, UNKNOWN, port_owner
from procore_source.private_files import private_file


@dataclass
class Child:
    """One started command: its name, `Popen` handle and log file."""

    name: str
    proc: subprocess.Popen
    log_path: Path

    @property
    def alive(self) -> bool:
        """True while the group leader runs."""
        return self.proc.poll() is None

    def signal_group(self, sig: int) -> None:
        """Send `sig` to the whole process group (no error when it is already gone)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM the group, wait up to `timeout`, then SIGKILL what is left of it."""
        if self.alive:
            self.signal_group(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=timeout)
        self.signal_group(signal.SIGKILL)  # stragglers whose leader already exited
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)

    def kill(self) -> None:
        """SIGKILL the whole group at once, as `systemctl kill -s KILL` or a power cut would."""
        self.signal_group(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def log_tail(self, chars: int = 3000) -> str:
        """The end of this child's log, for error messages."""
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return ""


@dataclass
class ProcessGroups:
    """Children started in their own sessions; `stop_all` stops them newest first."""

    log_dir: Path
    children: list[Child] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str], cwd: Path) -> Child:
        """Start `args` in a new session, output appended to `<log_dir>/<name>.log`."""
        self.log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        log_path = private_file(self.log_dir / f"{name}.log", create=True)
        with open(log_path, "ab") as out:
            proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        child = Child(name, proc, log_path)
        self.children.append(child)
        return child

    def get(self, name: str) -> Child:
        """The most recently started child called `name`."""
        return next(c for c in reversed(self.children) if c.name == name)

    def dead(self) -> list[Child]:
        """Children whose group leader has exited."""
        return [c for c in self.children if not c.alive]

    def stop_all(self, timeout: float = 20.0) -> None:
        """Stop every child group, newest first, each given `timeout` seconds before SIGKILL."""
        for child in reversed(self.children):
            child.stop(timeout)


class NotOurServer(RuntimeError):
    """A URL answered, but from a process the launcher did not start (its port was taken)."""


def wait_for_http(url: str, what: str, timeout: float = 120.0, child: Child | None = None,
                  port: int | None = None) -> None:
    """Poll `url` until it answers below 400 from `child`; raise naming `what` (and `child`'s log) on timeout or death.

    With `child` and `port`, an answer counts only once every socket listening on `port` belongs to
    the child's session (`operations.listeners`); a foreign listener raises `NotOurServer` at once.
    """
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if child is not None and not child.alive:
            raise RuntimeError(f"{what} exited (code {child.proc.returncode}):\n{child.log_tail()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                answered = response.status < 400
        except Exception as exc:  # noqa: BLE001 - anything means "not up yet"
            last, answered = exc, False
        if answered:
            owner = port_owner(port, child.proc.pid) if child is not None and port is not None else UNKNOWN
            if owner == FOREIGN:
                raise NotOurServer(f"port {port} is answered by another process, not by {what} started here")
            if owner in (OURS, UNKNOWN):
                return
        time.sleep(0.5)
    tail = child.log_tail() if child is not None else ""
    raise RuntimeError(f"{what} did not answer at {url} within {timeout:.0f} s ({last})\n{tail}")


def group_rss_bytes(pid: int) -> int:
    """Resident memory of every process in `pid`'s session (the child and all it started), from /proc."""
    total = 0
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getsid(int(entry.name)) != pid:
                continue
            total += int((entry / "statm").read_text().split()[1]) * page
        except (OSError, ValueError):
            continue
    return total
