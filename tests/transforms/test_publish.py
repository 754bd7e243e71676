"""publish(): serving.duckdb holds the served marts, freshness and the snapshot row, and a reader
querying in a loop in another process while publish runs repeatedly never sees an error or a mix."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from transforms.runner import run_all, run_model
from transforms.settings import TransformSettings
from warehouse.health_tables import redact_error
from warehouse.publish import SERVED_MARTS, SERVED_META, PublishError, publish
from warehouse.schema import create_raw_tables, create_warehouse_tables

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)

READER = textwrap.dedent("""
    import json, sys, time, duckdb
    path, stop = sys.argv[1], sys.argv[2]
    seen, errors = [], []
    import os
    while not os.path.exists(stop):
        try:
            con = duckdb.connect(path, read_only=True)
            try:
                con.execute("BEGIN")
                sid = con.execute("SELECT snapshot_id FROM meta.snapshot").fetchall()
                n = con.execute("SELECT count(*), sum(rfis_total) FROM marts.project_metrics").fetchone()
                days = con.execute("SELECT count(*) FROM marts.project_metrics_daily").fetchone()[0]
                seen.append([sid[0][0] if len(sid) == 1 else None, n[0], int(n[1] or 0), days, len(sid)])
            finally:
                con.close()
        except Exception as exc:
            errors.append(repr(exc))
    print(json.dumps({"seen": seen, "errors": errors}))
""")


def add_project(con: duckdb.DuckDBPyConnection, i: int) -> None:
    con.execute("INSERT INTO raw.projects (id, company_id, name, _synced_at) VALUES (?, 10, ?, ?)", [i, f"P{i}", NOW])
    con.execute("INSERT INTO raw.rfis (project_id, company_id, id, status) VALUES (?, 10, 1, 'open')", [i])


def test_snapshot_contents_and_freshness_fallback(tmp_path: Path):
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    create_raw_tables(con)
    add_project(con, 1)
    con.execute("INSERT INTO raw.rfis (project_id, company_id, id, status, _synced_at) VALUES (1, 10, 2, 'open', ?)",
                [datetime(2025, 3, 10, 13, 0, tzinfo=UTC)])
    with pytest.raises(PublishError, match="missing marts: project_metrics"):
        publish(con, tmp_path / "serving.duckdb")
    assert not (tmp_path / "serving.duckdb").exists()
    run_all(con, TransformSettings(now=NOW))
    result = publish(con, tmp_path / "serving.duckdb", snapshot_id="first")
    assert result.row_counts["marts.project_metrics"] == 1
    assert sorted(p.name for p in tmp_path.iterdir() if "serving" in p.name) == ["serving.duckdb"]  # no temp left
    served = duckdb.connect(str(tmp_path / "serving.duckdb"), read_only=True)
    tables = {f"{s}.{t}" for s, t in served.execute(
        "SELECT table_schema, table_name FROM information_schema.tables").fetchall()}
    assert tables == {f"marts.{m}" for m in SERVED_MARTS} | {f"meta.{m}" for m in SERVED_META}
    # an older warehouse without meta tables: the health tables are there, empty
    for name in ("sync_health", "sync_problems", "rate_limit"):
        assert served.execute(f"SELECT count(*) FROM meta.{name}").fetchone() == (0,)
    assert served.execute("SELECT snapshot_id FROM meta.snapshot").fetchall() == [("first",)]
    # no meta tables in this warehouse: freshness is the newest _synced_at of each raw table per company
    assert served.execute("SELECT * FROM meta.freshness ORDER BY stream").fetchall() == [
        (10, "projects", NOW), (10, "rfis", datetime(2025, 3, 10, 13, 0, tzinfo=UTC))]
    served.close()


def test_freshness_from_sync_log(tmp_path: Path):
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    create_raw_tables(con)
    con.execute("CREATE SCHEMA meta")
    con.execute("CREATE TABLE meta.sync_log (run_id VARCHAR, stream VARCHAR, company_id BIGINT, project_id BIGINT,"
                " finished_at TIMESTAMPTZ, status VARCHAR)")
    t = [datetime(2025, 3, d, 8, 0, tzinfo=UTC) for d in (1, 2, 3)]
    con.executemany("INSERT INTO meta.sync_log VALUES (?, ?, ?, ?, ?, ?)", [
        ("r1", "rfis", 10, 1, t[0], "ok"), ("r2", "rfis", 10, 2, t[1], "ok"), ("r3", "rfis", 10, 1, t[2], "failed"),
        ("r1", "projects", 10, 0, t[0], "ok"), ("r3", "projects", 20, 0, t[2], "skipped")])
    run_all(con, TransformSettings(now=NOW))
    publish(con, tmp_path / "serving.duckdb")
    served = duckdb.connect(str(tmp_path / "serving.duckdb"), read_only=True)
    assert served.execute("SELECT * FROM meta.freshness ORDER BY stream").fetchall() == [
        (10, "projects", t[0]), (10, "rfis", t[1])]  # failed and skipped reads do not count
    # this older sync_log lacks requests and error: health is served empty rather than failing
    assert served.execute("SELECT count(*) FROM meta.sync_health").fetchone() == (0,)


def test_health_tables_from_sync_log_and_rate_limit(tmp_path: Path):
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    create_warehouse_tables(con)
    now = datetime.now(UTC).replace(microsecond=0)
    old, recent = now - timedelta(hours=5), now - timedelta(minutes=10)
    budget = recent - timedelta(seconds=30)  # each read has its own start
    leaky = ("Forbidden (HTTP 403, https://api.example/rest/v1.0/projects/2/rfis?access_token=abc123&page=1): "
             "Authorization: Bearer eyJhbGciOi.x.y client_secret=s3cret-value-xyz {\"refresh_token\": \"rt-1\"}")
    log = [  # run, stream, company, project, started, finished, requests, status, error
        ("r1", "rfis", 10, 1, old, old, 4, "ok", None),
        ("r1", "rfis", 10, 2, old, old, 2, "ok", None),
        ("r2", "rfis", 10, 1, recent, recent, 3, "ok", None),
        ("r2", "rfis", 10, 2, recent, recent, 1, "skipped", leaky),
        ("r2", "rfis", 10, 3, recent, recent, 5, "failed", "Server error (HTTP 500)"),
        ("r2", "budget_views", 10, 1, budget, recent, 7, "ok", None),  # one read logged for two streams:
        ("r2", "budget_rows", 10, 1, budget, recent, 7, "ok", None),   # its 7 requests count once
        ("r1", "rfis", 20, 9, old, old, 9, "failed", "Server error (HTTP 503)"),
    ]
    con.executemany("INSERT INTO meta.sync_log VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?, ?)",
                    [(*row[:6], row[6], *row[7:]) for row in log])
    reset, spike_seen = now + timedelta(minutes=20), recent - timedelta(minutes=1)
    con.executemany("INSERT INTO meta.rate_limit (run_id, company_id, observed_at, rate_limit, remaining, reset_at, "
                    "rate_window) VALUES (?, ?, ?, ?, ?, ?, ?)", [
        ("r1", 10, old, 3600, 3000, old + timedelta(minutes=30), "hourly"),
        ("r2", 10, recent, 3600, 3584, reset, "hourly"),
        # a row from before `rate_window`: classified by its reset, 8 s after it was seen (the spike window)
        ("r3", 10, spike_seen, 100, 40, spike_seen + timedelta(seconds=8), None),
        ("r1", 20, old, 100, 91, old + timedelta(seconds=9), "spike")])
    run_all(con, TransformSettings(now=NOW))
    result = publish(con, tmp_path / "serving.duckdb", secrets=("s3cret-value-xyz",))
    assert result.row_counts["meta.sync_problems"] == 3
    served = duckdb.connect(str(tmp_path / "serving.duckdb"), read_only=True)
    assert served.execute("SELECT * EXCLUDE (last_run_id) FROM meta.sync_health ORDER BY ALL").fetchall() == [
        (10, "budget_rows", recent, recent, "ok", 1, 0, 0),
        (10, "budget_views", recent, recent, "ok", 1, 0, 0),
        (10, "rfis", recent, recent, "failed", 1, 1, 1),
        (20, "rfis", None, old, "failed", 0, 0, 1),
    ]
    problems = served.execute("SELECT company_id, stream, project_id, status, error FROM meta.sync_problems "
                              "ORDER BY ALL").fetchall()
    assert [p[:4] for p in problems] == [(10, "rfis", 2, "skipped"), (10, "rfis", 3, "failed"),
                                         (20, "rfis", 9, "failed")]
    text = problems[0][4]
    assert text.startswith("Forbidden (HTTP 403, https://api.example/rest/v1.0/projects/2/rfis?")
    for secret in ("abc123", "eyJhbGciOi", "s3cret-value-xyz", "rt-1"):
        assert secret not in text
    # each window's latest observation, side by side; r1's reads are older than an hour
    assert served.execute("SELECT * FROM meta.rate_limit ORDER BY company_id").fetchall() == [
        (10, 3 + 1 + 5 + 7, 3600, 3584, reset, recent, 100, 40, spike_seen + timedelta(seconds=8), spike_seen),
        (20, 0, None, None, None, None, 100, 91, old + timedelta(seconds=9), old),
    ]


def test_redact_error_keeps_plain_text():
    assert redact_error("Server error (HTTP 500, https://h/rest/v1.0/x?page=2&per_page=100)") == \
        "Server error (HTTP 500, https://h/rest/v1.0/x?page=2&per_page=100)"
    assert redact_error("token ppd_abcdefghijkl leaked, token=zz") == "token ppd_*** leaked, token=***"
    assert redact_error(None) is None
    assert len(redact_error("x" * 2000)) == 501


def test_reader_never_sees_errors_or_half_written_state(tmp_path: Path):
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    create_raw_tables(con)
    settings = TransformSettings(now=NOW)
    serving, stop = tmp_path / "serving.duckdb", tmp_path / "stop"
    add_project(con, 1)
    run_all(con, settings)
    publish(con, serving, snapshot_id="s1")
    expected = {"s1": (1, 1)}
    reader = subprocess.Popen([sys.executable, "-c", READER, str(serving), str(stop)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for i in range(2, 14):
            add_project(con, i)
            run_model(con, "project_metrics", settings)
            publish(con, serving, snapshot_id=f"s{i}")
            expected[f"s{i}"] = (i, i)  # i projects, one RFI each
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=60)
    report = json.loads(out)
    assert report["errors"] == []
    assert len(report["seen"]) > 12
    for sid, projects, rfis, history_rows, snapshot_rows in report["seen"]:
        assert snapshot_rows == 1 and history_rows == 0
        assert expected[sid] == (projects, rfis), f"snapshot {sid} served {projects} projects / {rfis} RFIs"
    assert len({s[0] for s in report["seen"]}) >= 2  # the reader really watched snapshots change
    assert sorted(p.name for p in tmp_path.iterdir() if "serving" in p.name) == ["serving.duckdb"]


def test_publish_scrubs_the_secret_values_it_is_given(tmp_path: Path):
    """The caller (the snapshot asset, from the Procore resource) hands over the client secret: a bare value that
    no pattern would recognise still never reaches the snapshot."""
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    create_warehouse_tables(con)
    now = datetime.now(UTC)
    con.execute("INSERT INTO meta.sync_log VALUES ('r1', 'rfis', 10, 1, ?, ?, 1, 0, 0, 0, 0, 'failed', ?)",
                [now, now, "refused: bad pair sandbox-client-id/xK9#q-secret-2 at the login host"])
    run_all(con, TransformSettings(now=NOW))
    publish(con, tmp_path / "serving.duckdb", secrets=("xK9#q-secret-2",))
    with duckdb.connect(str(tmp_path / "serving.duckdb"), read_only=True) as served:
        assert served.execute("SELECT error FROM meta.sync_problems").fetchall() == [
            ("refused: bad pair sandbox-client-id/*** at the login host",)]


def test_publish_serves_each_streams_cadence_in_order(tmp_path: Path):
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    create_warehouse_tables(con)
    run_all(con, TransformSettings(now=NOW))
    cadence = {"rfis": timedelta(hours=1), "projects": timedelta(days=1)}
    result = publish(con, tmp_path / "serving.duckdb", stream_cadence=cadence)
    assert result.row_counts["meta.stream_cadence"] == 2
    with duckdb.connect(str(tmp_path / "serving.duckdb"), read_only=True) as served:
        assert served.execute("SELECT * FROM meta.stream_cadence ORDER BY position").fetchall() == [
            ("rfis", 3600, 1), ("projects", 86400, 2)]
