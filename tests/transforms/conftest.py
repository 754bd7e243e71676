"""Fixtures for the transforms tests: an empty warehouse with the raw tables, and a row inserter.

Rows are written by hand in each test as literal dicts; `insert` only turns a dict into an INSERT
with bound values (columns left out are NULL), it computes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import duckdb
import pytest

from warehouse.schema import create_raw_tables

SYNCED = datetime(2025, 3, 10, 6, 0, tzinfo=UTC)


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    """INSERT each dict into `table` (dict/list values become JSON text; `_synced_at` defaults to SYNCED)."""
    for row in rows:
        row = {"_synced_at": SYNCED, "payload": "{}"} | row
        values = [json.dumps(v) if isinstance(v, (dict, list)) else v for v in row.values()]
        cols = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" for _ in row)
        con.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", values)


@pytest.fixture
def raw_con() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with every raw table, empty."""
    con = duckdb.connect()
    create_raw_tables(con)
    yield con
    con.close()


@pytest.fixture
def insert(raw_con: duckdb.DuckDBPyConnection) -> Callable[[str, list[dict[str, Any]]], None]:
    """`insert("raw.rfis", [{...}, ...])` into the `raw_con` warehouse."""
    return lambda table, rows: insert_rows(raw_con, table, rows)


def ts(text: str) -> datetime:
    """A UTC timestamp from 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


DELETED = ts("2025-03-09 00:00")
NOW = ts("2025-03-10 12:00")  # today = 2025-03-10 in UTC


@pytest.fixture
def filled(raw_con, insert) -> duckdb.DuckDBPyConnection:
    """A hand-written warehouse. Project 1: mixed RFIs and submittals, two budget views (11 lacks
    several label columns, 12 has every one plus a duplicate "Current Budget"); project 2: nothing;
    project 3: only closed RFIs, an empty budget view and a deleted one; project 4: deleted."""
    insert("raw.projects", [
        {"id": 1, "company_id": 10, "name": "tower", "display_name": "Tower A", "project_number": "T-1",
         "stage": "Construction", "active": True, "start_date": "2024-06-01", "completion_date": "2026-01-31"},
        {"id": 2, "company_id": 10, "name": "Empty Lot", "active": True},
        {"id": 3, "company_id": 20, "name": "Bridge", "active": False},
        {"id": 4, "company_id": 10, "name": "Gone", "_deleted_at": DELETED},
    ])
    rfi = {"project_id": 1, "company_id": 10}
    insert("raw.rfis", [
        rfi | {"id": 101, "number": "1", "full_number": "RFI-1", "subject": "Door", "status": "open",
               "due_date": "2025-03-05", "initiated_at": ts("2025-03-01 00:00"), "created_at": ts("2025-02-28 00:00"),
               "cost_impact_status": "yes_known", "cost_impact_value": "1000.00",
               "schedule_impact_status": "yes_known", "schedule_impact_days": 3,
               "ball_in_court_name": "Ann", "link": "https://app.procore.com/1/project/rfi/show/101?x=1"},
        rfi | {"id": 102, "number": "2", "status": "open", "due_date": "2025-03-10",
               "created_at": ts("2025-03-08 12:00"), "cost_impact_status": "tbd", "cost_impact_value": "500.00"},
        rfi | {"id": 103, "number": "3", "status": "open", "initiated_at": ts("2025-03-09 12:00"),
               "created_at": ts("2025-03-09 12:00"), "cost_impact_status": "yes_known", "cost_impact_value": "250.50"},
        rfi | {"id": 104, "number": "4", "status": "closed", "due_date": "2025-02-02",
               "initiated_at": ts("2025-02-01 00:00"), "created_at": ts("2025-02-01 00:00"),
               "time_resolved": ts("2025-02-03 12:00"), "schedule_impact_status": "yes_known",
               "schedule_impact_days": 2},
        rfi | {"id": 105, "number": "5", "status": "closed_with_revision", "created_at": ts("2025-02-10 00:00"),
               "time_resolved": ts("2025-02-11 00:00")},
        rfi | {"id": 106, "number": "6", "status": "closed", "initiated_at": ts("2025-02-12 00:00"),
               "created_at": ts("2025-02-12 00:00")},
        rfi | {"id": 107, "number": "7", "status": "draft", "due_date": "2025-01-01",
               "created_at": ts("2025-01-01 00:00")},
        rfi | {"id": 108, "number": "8", "status": "closed_draft", "created_at": ts("2025-01-02 00:00")},
        rfi | {"id": 109, "number": "9", "status": "open", "due_date": "2025-03-01",
               "initiated_at": ts("2025-03-02 00:00"), "_deleted_at": DELETED},
        rfi | {"id": 110, "number": "10", "full_number": "RFI-10", "subject": "Slab", "status": "open",
               "due_date": "2025-03-08", "initiated_at": ts("2025-03-06 12:00"), "created_at": ts("2025-03-06 12:00")},
        {"project_id": 3, "company_id": 20, "id": 301, "status": "closed",
         "initiated_at": ts("2025-01-01 00:00"), "time_resolved": ts("2025-01-11 00:00"), "due_date": "2025-01-02"},
        {"project_id": 3, "company_id": 20, "id": 302, "status": "closed",
         "initiated_at": ts("2025-01-05 00:00"), "time_resolved": ts("2025-01-06 06:00")},
        {"project_id": 4, "company_id": 10, "id": 401, "status": "open", "due_date": "2025-01-01",
         "initiated_at": ts("2025-01-01 00:00")},
    ])
    sub = {"project_id": 1, "company_id": 10}
    insert("raw.submittals", [
        sub | {"id": 201, "number": "1", "formatted_number": "03-1", "title": "Rebar", "status": "Open",
               "status_name": "Open", "due_date": "2025-03-09", "ball_in_court_name": "Bob",
               "approvers": [{"sent_date": "2025-03-01", "returned_date": "2025-03-05"},
                             {"sent_date": "2025-03-02", "returned_date": None}]},
        sub | {"id": 202, "number": "2", "status": "Open", "status_name": "Revise and Resubmit",
               "due_date": "2025-03-10",
               "approvers": [{"sent_date": "2025-03-03T10:00:00Z", "returned_date": "2025-03-05T09:00:00Z"}]},
        sub | {"id": 203, "number": "3", "status": "Closed", "status_name": "Approved", "approvers": []},
        sub | {"id": 204, "number": "4", "status": "Draft", "status_name": "Draft", "due_date": "2025-01-01"},
        sub | {"id": 205, "number": "5", "status": "Open", "status_name": "Open", "due_date": "2025-01-01",
               "_deleted_at": DELETED},
    ])
    insert("raw.budget_views", [
        {"project_id": 1, "company_id": 10, "id": 11, "name": "Original"},
        {"project_id": 1, "company_id": 10, "id": 12, "name": "Forecast"},
        {"project_id": 3, "company_id": 20, "id": 30, "name": "Deleted", "_deleted_at": DELETED},
        {"project_id": 3, "company_id": 20, "id": 31, "name": "Only"},
        {"project_id": 4, "company_id": 10, "id": 40, "name": "Of a deleted project"},
    ])
    v11 = {"project_id": 1, "company_id": 10, "budget_view_id": 11}
    v12 = {"project_id": 1, "company_id": 10, "budget_view_id": 12}
    insert("raw.budget_rows", [
        v11 | {"budget_row_id": "1001", "id": 1001, "cost_code": "01-100", "category": "Labor",
               "original_budget_amount": "1000.00", "budget_modifications": "100.00",
               "label_amounts": {"Revised Budget": "1100.00", "Committed Costs": "500.00",
                                 "Direct Costs": "50.00", "Cost to Date": "9.99"}},
        v11 | {"budget_row_id": "1002", "id": 1002, "cost_code": "01-100", "category": "Material",
               "original_budget_amount": "2000.00", "budget_modifications": "0.00",
               "label_amounts": {"Revised Budget": "2000.00", "Committed Costs": "1,500.00", "Direct Costs": "0.00"}},
        v11 | {"budget_row_id": "1003", "id": 1003, "cost_code": "02-200",
               "original_budget_amount": "3000.00", "budget_modifications": "-200.00",
               "label_amounts": {"Revised Budget": "2800.00", "Committed Costs": "3000.00", "Direct Costs": "10.00"}},
        v11 | {"budget_row_id": "unbudgeted:02-300:", "id": None, "cost_code": "02-300",
               "original_budget_amount": "0.00", "budget_modifications": "0.00",
               "label_amounts": {"Revised Budget": "0.00", "Committed Costs": "250.00", "Direct Costs": "0.00"}},
        {"project_id": 4, "company_id": 10, "budget_view_id": 40, "budget_row_id": "4001", "id": 4001,
         "cost_code": "09-900", "original_budget_amount": "5.00", "label_amounts": {"Revised Budget": "5.00"}},
        v11 | {"budget_row_id": "1004", "id": 1004, "cost_code": "01-100", "original_budget_amount": "99999.00",
               "label_amounts": {"Revised Budget": "99999.00"}, "_deleted_at": DELETED},
        v12 | {"budget_row_id": "2001", "id": 2001, "cost_code": "01-100",
               "original_budget_amount": "1000.00", "budget_modifications": "0.00",
               "label_amounts": {"Revised Budget": "1200.00", "Current Budget": "999.00", "Approved COs": "200.00",
                                 "Pending Changes": "50.00", "Committed Costs": "600.00",
                                 "Job to Date Costs": "100.00", "Estimated Cost at Completion": "1300.00",
                                 "Projected over Under": "-100.00"}},
        v12 | {"budget_row_id": "2002", "id": 2002, "cost_code": "05-500",
               "original_budget_amount": "500.00", "budget_modifications": "0.00",
               "label_amounts": {"Revised Budget": "500.00", "Current Budget": "1.00", "Approved COs": "0.00",
                                 "Pending Changes": "0.00", "Committed Costs": "0.00", "Job to Date Costs": "0.00",
                                 "Estimated Cost at Completion": "400.00", "Projected over Under": "100.00"}},
    ])
    return raw_con
