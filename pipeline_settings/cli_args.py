"""Argument types the command-line tools share, so a bad flag is one usage line, not a traceback."""

from __future__ import annotations

import argparse


def port_number(text: str) -> int:
    """A TCP port for `--port`: 0 (any free port) to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0-65535)")
    return port
