"""Asset checks on the raw tables: unique ids, no orphan rows, freshness, sync_log failures, schema drift.

- `unique_ids` (ERROR): no Procore id appears in two rows of `raw.<stream>`: ids are global in Procore, so an
  RFI, submittal or budget line id held by two projects means rows were attributed to the wrong project.
  Only for streams keyed by (project_id, id), where the primary key alone cannot guarantee it: projects are
  keyed by id itself, and budget view ids are company-level, legitimately shared by projects.
- `has_project` (WARN): no live RFI, submittal or budget row whose project is missing from `raw.projects`
  (WARN: projects sync daily, so a project created since can show up in the hourly run first).
- `fresh` (WARN): every in-scope project (non-deleted in `raw.projects`) synced this stream
  successfully within twice its cadence (`orchestration.jobs.STREAM_CADENCE`), per `meta.sync_state`;
  projects whose latest attempt was `skipped` (403/404: tool disabled or no access) are listed separately
  and do not fail it.
- `no_sync_failures` (WARN): the latest run that synced the stream left no `failed` rows in `meta.sync_log`.
- `schema_drift` (WARN): the latest run that synced the stream read no field in a shape the catalogue does
  not expect (`meta.schema_drift`). Such records loaded anyway (the column NULL or the object's display
  field, the record whole in `payload`); the metadata lists every drifted column ever seen.
"""


from collections.abc import Iterator

import dagster as dg
import duckdb

from orchestration.ingestion_assets import RAW_KEYS
from orchestration.jobs import STREAM_CADENCE
from orchestration.resources import WarehouseResource
from orchestration.run_metadata import drift_markdown
from procore_source.streams import STREAMS
from warehouse.schema_drift import drift_rows

LISTED = 10


GLOBAL_ID_STREAMS = ("rfis", "submittals", "budget_rows")


def _unique_ids(con: duckdb.DuckDBPyConnection, stream_name: str) -> dg.AssetCheckResult:
    dupes = con.execute(
        f"SELECT id, list(DISTINCT project_id ORDER BY project_id) FROM raw.{stream_name} WHERE id IS NOT NULL "
        "GROUP BY id HAVING count(*) > 1 ORDER BY id").fetchall()
    rows = con.execute(f"SELECT count(*) FROM raw.{stream_name}").fetchone()[0]
    return dg.AssetCheckResult(passed=not dupes, metadata={"rows": rows, "ids_in_several_rows": len(dupes),
                                                           "examples": str([tuple(d) for d in dupes[:LISTED]])})


def _has_project(con: duckdb.DuckDBPyConnection, stream_name: str) -> dg.AssetCheckResult:
    orphans = con.execute(
        f"SELECT DISTINCT r.project_id FROM raw.{stream_name} r ANTI JOIN raw.projects p "
        "ON p.id = r.project_id WHERE r._deleted_at IS NULL ORDER BY 1").fetchall()
    ids = [r[0] for r in orphans]
    return dg.AssetCheckResult(passed=not ids, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"orphan_projects": len(ids), "examples": str(ids[:LISTED])})


def _fresh(con: duckdb.DuckDBPyConnection, stream_name: str) -> dg.AssetCheckResult:
    company_scoped = STREAMS[stream_name].scope == "company"
    scope = ("SELECT DISTINCT company_id, 0 AS project_id FROM raw.projects WHERE _deleted_at IS NULL"
             if company_scoped else
             "SELECT company_id, id AS project_id FROM raw.projects WHERE _deleted_at IS NULL")
    rows = con.execute(
        f"""SELECT p.company_id, p.project_id, s.last_status,
                   s.last_synced_at IS NOT NULL AND s.last_synced_at >= now() - ?::INTERVAL AS fresh
            FROM ({scope}) p LEFT JOIN meta.sync_state s
              ON s.company_id = p.company_id AND s.project_id = p.project_id AND s.stream = ?""",
        [f"{int((2 * STREAM_CADENCE[stream_name]).total_seconds())} seconds", stream_name]).fetchall()
    skipped = [r[1] for r in rows if not r[3] and r[2] == "skipped"]
    stale = [r[0] if company_scoped else r[1] for r in rows if not r[3] and r[2] != "skipped"]
    return dg.AssetCheckResult(passed=not stale, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"in_scope": len(rows), "stale": len(stale), "skipped": len(skipped),
                                         "stale_examples": str(stale[:LISTED]),
                                         "skipped_examples": str(skipped[:LISTED])})


def _latest_run(con: duckdb.DuckDBPyConnection, stream_name: str) -> tuple[str] | None:
    return con.execute("SELECT run_id FROM meta.sync_log WHERE stream = ? "
                       "ORDER BY finished_at DESC LIMIT 1", [stream_name]).fetchone()


def _no_sync_failures(con: duckdb.DuckDBPyConnection, stream_name: str) -> dg.AssetCheckResult:
    latest = _latest_run(con, stream_name)
    failures = [] if latest is None else con.execute(
        "SELECT company_id, project_id, error FROM meta.sync_log WHERE stream = ? AND run_id = ? "
        "AND status = 'failed' ORDER BY project_id", [stream_name, latest[0]]).fetchall()
    listed = "\n".join(f"- company {c} project {p}: {e}" for c, p, e in failures[:LISTED]) or "_none_"
    return dg.AssetCheckResult(passed=not failures, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"run_id": latest[0] if latest else "", "failed": len(failures),
                                         "failures": dg.MetadataValue.md(listed)})


def _schema_drift(con: duckdb.DuckDBPyConnection, stream_name: str) -> dg.AssetCheckResult:
    latest = _latest_run(con, stream_name)
    rows = drift_rows(con, stream_name)
    recent = [r for r in rows if latest is not None and r["last_run_id"] == latest[0]]
    shown = [{"column": r["column_name"], "path": r["path"], "expected": r["expected_type"],
              "observed": r["observed_type"], "records": r["count"], "example_id": r["example_record_id"],
              "example_value": r["example_value"], "first_seen": r["first_seen"], "last_seen": r["last_seen"],
              "in_latest_run": r in recent} for r in rows[: 2 * LISTED]]
    return dg.AssetCheckResult(passed=not recent, severity=dg.AssetCheckSeverity.WARN, metadata={
        "run_id": latest[0] if latest else "",
        "drifted_columns_latest_run": len(recent),
        "columns": ", ".join(sorted({f"{r['column_name']} ({r['observed_type']})" for r in recent})) or "none",
        "drifted_columns_ever": len(rows),
        "drift": dg.MetadataValue.md(drift_markdown(shown))})


_CHECKS = {
    "unique_ids": (_unique_ids, "No Procore id appears in two rows (ids are global, not per project)."),
    "has_project": (_has_project, "Every live row belongs to a project in raw.projects."),
    "fresh": (_fresh, "Every in-scope project synced this stream within twice its cadence."),
    "no_sync_failures": (_no_sync_failures,
                         "The latest run that synced this stream left no failed rows in meta.sync_log."),
    "schema_drift": (_schema_drift, "The latest run that synced this stream saw every field in the shape the "
                                    "catalogue expects (drifted records still load; see meta.schema_drift)."),
}
SPECS = [dg.AssetCheckSpec(name, asset=RAW_KEYS[stream], description=desc)
         for stream in RAW_KEYS for name, (_, desc) in _CHECKS.items()
         if not (name == "has_project" and stream == "projects")
         and not (name == "unique_ids" and stream not in GLOBAL_ID_STREAMS)]


@dg.multi_asset_check(specs=SPECS, can_subset=True, name="raw_table_checks", pool="duckdb")
def raw_table_checks(context: dg.AssetCheckExecutionContext,
                     warehouse: WarehouseResource) -> Iterator[dg.AssetCheckResult]:
    """Every selected check on the raw tables, over one warehouse connection (one step per run)."""
    with warehouse.get_warehouse().connect() as con:
        for key in sorted(context.selected_asset_check_keys, key=lambda k: (k.asset_key.to_user_string(), k.name)):
            run, _ = _CHECKS[key.name]
            result = run(con, key.asset_key.path[-1])
            yield dg.AssetCheckResult(asset_key=key.asset_key, check_name=key.name, passed=result.passed,
                                      severity=result.severity, metadata=result.metadata)


RAW_CHECKS = [raw_table_checks]
