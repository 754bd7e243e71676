"""The run config of every ingestion asset (`SyncConfig`): which streams and projects a run reads, and how."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg


class SyncConfig(dg.Config):
    """Run config of every ingestion asset (Launchpad: `ops: raw__<stream>: config:`)."""

    streams: list[str] = []
    """Only these streams (e.g. ["rfis"]); empty = every stream of the job. Assets left out do nothing."""
    project_ids: list[int] = []
    """Only these projects; empty = every project in scope."""
    full_refresh: bool = False
    """Re-read everything (no `updated_at` window) and mark rows no longer served as deleted."""

    def wants(self, stream_names: Sequence[str]) -> bool:
        """Whether this config selects any of `stream_names`."""
        return not self.streams or any(name in self.streams for name in stream_names)
