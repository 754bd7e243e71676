"""Who listens on a TCP port: a free-port check before starting, and proof that a child is the one answering.

A launcher that only polls a URL cannot tell its own server from whatever else holds the port: a
sandbox that failed to bind (port taken) leaves the URL answering, from someone else. So launchers
check each port is free before they start anything, and once a URL answers they check that every
socket listening on its port belongs to the child's session (the child and what it started), read
from `/proc/net/tcp*` and `/proc/<pid>/fd` (Linux). Where `/proc` is missing, the owner is
`UNKNOWN` and only the child's liveness is checked.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
from pathlib import Path

OURS, FOREIGN, NONE, UNKNOWN = "ours", "foreign", "none", "unknown"
_LISTEN = "0A"
_SOCKET_LINK = re.compile(r"^socket:\[(\d+)\]$")


def port_in_use(port: int, hosts: tuple[str, ...] = ("127.0.0.1", "::1")) -> bool:
    """True when a socket already listens on `port` of any of `hosts` (a host this machine lacks is skipped).

    The probe sets SO_REUSEADDR, as the servers do, so connections of a stopped server still in
    TIME_WAIT do not count; only a live listener (or a bound socket) makes the port busy.
    """
    for host in hosts:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            probe = socket.socket(family, socket.SOCK_STREAM)
        except OSError:
            continue
        with probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                if exc.errno in (98, 48):  # EADDRINUSE on Linux, macOS
                    return True
    return False


def listening_inodes(port: int, proc: Path = Path("/proc")) -> set[int] | None:
    """Inodes of the TCP sockets (IPv4 and IPv6) listening on `port`; None when `/proc/net` is unavailable."""
    found: set[int] = set()
    tables = [proc / "net" / name for name in ("tcp", "tcp6")]
    if not any(table.exists() for table in tables):
        return None
    for table in tables:
        with contextlib.suppress(OSError):
            for line in table.read_text().splitlines()[1:]:
                fields = line.split()
                if len(fields) > 9 and fields[3] == _LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    found.add(int(fields[9]))
    return found


def session_socket_inodes(session_id: int, proc: Path = Path("/proc")) -> set[int]:
    """Inodes of every socket held open by a process of session `session_id`."""
    inodes: set[int] = set()
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getsid(int(entry.name)) != session_id:
                continue
            for fd in (entry / "fd").iterdir():
                match = _SOCKET_LINK.match(os.readlink(fd))
                if match:
                    inodes.add(int(match.group(1)))
        except OSError:  # the process ended, or is not ours to read
            continue
    return inodes


def port_owner(port: int, session_id: int) -> str:
    """`OURS` when every listener on `port` belongs to session `session_id`, `FOREIGN` when any does not,
    `NONE` when nothing listens, `UNKNOWN` without `/proc`."""
    listeners = listening_inodes(port)
    if listeners is None:
        return UNKNOWN
    if not listeners:
        return NONE
    return OURS if listeners <= session_socket_inodes(session_id) else FOREIGN


def port_problem(ports: list[tuple[str, int, str]]) -> str | None:
    """The first reason the launcher cannot start: a port out of range, given twice, or already in use.

    `ports` holds (what, port, flag) triples, e.g. ("the sandbox", 8765, "--sandbox-port"); the
    message names the port and the flag that changes it, in one line.
    """
    seen: dict[int, str] = {}
    for what, port, flag in ports:
        if not 0 < port < 65536:
            return f"{flag} {port} is not a TCP port"
        if port in seen:
            return f"port {port} is given to both {seen[port]} and {what}; change {flag}"
        seen[port] = what
        if port_in_use(port):
            return f"port {port} ({what}) is already in use; stop what listens there or pick another port with {flag}"
    return None
