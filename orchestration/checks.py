"""Asset checks on the raw tables: unique ids, no orphan rows, freshness per project, sync_log failures.

- `unique_ids` (ERROR): no primary key appears twice in `raw.<stream>`.
- `has_project` (WARN): no live RFI, submittal or budget row whose project is missing from `raw.projects`
  (WARN: projects sync daily, so a project created since can show up in the hourly run first).
- `fresh` (WARN): every in-scope project (non-deleted in `raw.projects`) synced this stream
  successfully within twice its cadence, per `meta.sync_state`; projects whose latest attempt was
  `skipped` (403/404: tool disabled or no access) are listed separately and do not fail it.
- `no_sync_failures` (WARN): the latest run that synced the stream left no `failed` rows in `meta.sync_log`.
"""


from datetime import timedelta

import dagster as dg

from orchestration.ingestion_assets import RAW_KEYS
from orchestration.resources import WarehouseResource
from procore_source.streams import STREAMS

CADENCE = {"projects": timedelta(days=1), "rfis": timedelta(hours=1), "submittals": timedelta(hours=1),
           "budget_views": timedelta(days=1), "budget_rows": timedelta(days=1)}
LISTED = 10


def _unique_ids(stream_name: str) -> dg.AssetChecksDefinition:
    stream = STREAMS[stream_name]
    key = ", ".join(f'"{k}"' for k in stream.primary_key)

    @dg.asset_check(asset=RAW_KEYS[stream_name], name="unique_ids", blocking=False,
                    description=f"No primary key ({key}) appears twice in raw.{stream_name}.")
    def check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            rows, dupes = con.execute(
                f"SELECT count(*), count(*) - count(DISTINCT ({key})) FROM raw.{stream_name}").fetchone()
        return dg.AssetCheckResult(passed=dupes == 0, metadata={"rows": rows, "duplicate_keys": dupes})

    return check


def _has_project(stream_name: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=RAW_KEYS[stream_name], name="has_project",
                    description=f"Every live row of raw.{stream_name} belongs to a project in raw.projects.")
    def check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            orphans = con.execute(
                f"SELECT DISTINCT r.project_id FROM raw.{stream_name} r ANTI JOIN raw.projects p "
                "ON p.id = r.project_id WHERE r._deleted_at IS NULL ORDER BY 1").fetchall()
        ids = [r[0] for r in orphans]
        return dg.AssetCheckResult(passed=not ids, severity=dg.AssetCheckSeverity.WARN,
                                   metadata={"orphan_projects": len(ids), "examples": str(ids[:LISTED])})

    return check


def _fresh(stream_name: str) -> dg.AssetChecksDefinition:
    cadence = CADENCE[stream_name]
    company_scoped = STREAMS[stream_name].scope == "company"

    @dg.asset_check(asset=RAW_KEYS[stream_name], name="fresh",
                    description=f"Every in-scope project synced raw.{stream_name} within {2 * cadence}.")
    def check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        scope = ("SELECT DISTINCT company_id, 0 AS project_id FROM raw.projects WHERE _deleted_at IS NULL"
                 if company_scoped else
                 "SELECT company_id, id AS project_id FROM raw.projects WHERE _deleted_at IS NULL")
        with warehouse.connect() as con:
            rows = con.execute(
                f"""SELECT p.company_id, p.project_id, s.last_status,
                           s.last_synced_at IS NOT NULL AND s.last_synced_at >= now() - ?::INTERVAL AS fresh
                    FROM ({scope}) p LEFT JOIN meta.sync_state s
                      ON s.company_id = p.company_id AND s.project_id = p.project_id AND s.stream = ?""",
                [f"{int((2 * cadence).total_seconds())} seconds", stream_name]).fetchall()
        skipped = [r[1] for r in rows if not r[3] and r[2] == "skipped"]
        stale = [r[1] if not company_scoped else r[0] for r in rows if not r[3] and r[2] != "skipped"]
        return dg.AssetCheckResult(passed=not stale, severity=dg.AssetCheckSeverity.WARN,
                                   metadata={"in_scope": len(rows), "stale": len(stale), "skipped": len(skipped),
                                             "stale_examples": str(stale[:LISTED]),
                                             "skipped_examples": str(skipped[:LISTED])})

    return check


def _no_sync_failures(stream_name: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=RAW_KEYS[stream_name], name="no_sync_failures",
                    description=f"The latest run that synced raw.{stream_name} has no failed rows in meta.sync_log.")
    def check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            latest = con.execute("SELECT run_id FROM meta.sync_log WHERE stream = ? "
                                 "ORDER BY finished_at DESC LIMIT 1", [stream_name]).fetchone()
            failures = [] if latest is None else con.execute(
                "SELECT company_id, project_id, error FROM meta.sync_log WHERE stream = ? AND run_id = ? "
                "AND status = 'failed' ORDER BY project_id", [stream_name, latest[0]]).fetchall()
        listed = "\n".join(f"- company {c} project {p}: {e}" for c, p, e in failures[:LISTED]) or "_none_"
        return dg.AssetCheckResult(passed=not failures, severity=dg.AssetCheckSeverity.WARN,
                                   metadata={"run_id": latest[0] if latest else "", "failed": len(failures),
                                             "failures": dg.MetadataValue.md(listed)})

    return check


INGESTION_CHECKS = (
    [_unique_ids(name) for name in RAW_KEYS]
    + [_has_project(name) for name in RAW_KEYS if name != "projects"]
    + [_fresh(name) for name in RAW_KEYS]
    + [_no_sync_failures(name) for name in RAW_KEYS]
)
