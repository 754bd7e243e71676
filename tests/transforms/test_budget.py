"""Budget models on the hand-written warehouse: view choice, label mapping, NULL for missing columns."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from transforms.runner import run_all
from transforms.settings import TransformSettings, TransformSettingsError, parse_budget_labels

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
MEASURES = ("original_budget", "budget_modifications", "approved_changes", "revised_budget", "committed_costs",
            "direct_costs", "pending_changes", "projected_costs", "projected_over_under")


def budget(con, project_id: int) -> dict:
    cols = ", ".join(MEASURES + ("pct_committed", "budget_view_name"))
    row = con.execute(f"SELECT {cols} FROM marts.project_metrics WHERE project_id = ?", [project_id]).fetchone()
    return dict(zip(MEASURES + ("pct_committed", "budget_view_name"), row, strict=True))


def by_cost_code(con, project_id: int) -> list[tuple]:
    return con.execute(
        "SELECT cost_code, original_budget, budget_modifications, revised_budget, committed_costs, direct_costs,"
        " projected_costs, variance FROM marts.budget_by_cost_code WHERE project_id = ? ORDER BY cost_code",
        [project_id],
    ).fetchall()


def test_lowest_view_id_and_missing_label_columns_are_null(filled):
    run_all(filled, TransformSettings(now=NOW))
    b = budget(filled, 1)
    # view 11 "Original" (lowest id): rows 1001 1002 1003 + the unbudgeted row; 1004 is deleted
    assert b["budget_view_name"] == "Original"
    assert (b["original_budget"], b["budget_modifications"]) == (D("6000.00"), D("-100.00"))
    assert (b["revised_budget"], b["committed_costs"], b["direct_costs"]) == (D("5900.00"), D("5250.00"), D("60.00"))
    # view 11 has no column for these: NULL, never 0
    assert [b[k] for k in ("approved_changes", "pending_changes", "projected_costs", "projected_over_under")] == [
        None] * 4
    assert b["pct_committed"] == pytest.approx(5250 / 5900 * 100)
    assert by_cost_code(filled, 1) == [
        ("01-100", D("3000.00"), D("100.00"), D("3100.00"), D("2000.00"), D("50.00"), None, None),
        ("02-200", D("3000.00"), D("-200.00"), D("2800.00"), D("3000.00"), D("10.00"), None, None),
        ("02-300", D("0.00"), D("0.00"), D("0.00"), D("250.00"), D("0.00"), None, None),  # unbudgeted row
    ]


def test_configured_view_name_and_preferred_label(filled):
    run_all(filled, TransformSettings(now=NOW, budget_view="Forecast"))
    b = budget(filled, 1)
    assert b["budget_view_name"] == "Forecast"
    # "Revised Budget" (1200 + 500) wins over "Current Budget" (999 + 1): it comes first in the map
    assert b == {
        "original_budget": D("1500.00"), "budget_modifications": D("0.00"), "approved_changes": D("200.00"),
        "revised_budget": D("1700.00"), "committed_costs": D("600.00"), "direct_costs": D("100.00"),
        "pending_changes": D("50.00"), "projected_costs": D("1700.00"), "projected_over_under": D("0.00"),
        "pct_committed": pytest.approx(600 / 1700 * 100), "budget_view_name": "Forecast",
    }
    assert by_cost_code(filled, 1) == [
        ("01-100", D("1000.00"), D("0.00"), D("1200.00"), D("600.00"), D("100.00"), D("1300.00"), D("-100.00")),
        ("05-500", D("500.00"), D("0.00"), D("500.00"), D("0.00"), D("0.00"), D("400.00"), D("100.00")),
    ]
    # project 3 has no "Forecast" view: it falls back to its lowest live id (31; 30 is deleted)
    assert budget(filled, 3)["budget_view_name"] == "Only"


def test_empty_view_and_no_view(filled):
    run_all(filled, TransformSettings(now=NOW))
    p3 = budget(filled, 3)
    assert p3["budget_view_name"] == "Only"  # 30 is lower but deleted
    assert [p3[k] for k in MEASURES] == [None] * len(MEASURES) and p3["pct_committed"] is None
    p2 = budget(filled, 2)
    assert p2["budget_view_name"] is None and [p2[k] for k in MEASURES] == [None] * len(MEASURES)
    assert by_cost_code(filled, 2) == [] and by_cost_code(filled, 3) == []
    assert by_cost_code(filled, 4) == []  # project 4 is deleted: its budget is left out too
    assert filled.execute("SELECT project_id FROM marts.project_budget_view ORDER BY 1").fetchall() == [(1,), (3,)]


def test_label_map_override(filled):
    labels = parse_budget_labels(json.dumps({"revised_budget": ["Current Budget"], "projected_costs": "Cost to Date"}))
    run_all(filled, TransformSettings(now=NOW, budget_view="Forecast", budget_labels=labels))
    b = budget(filled, 1)
    assert b["revised_budget"] == D("1000.00")  # 999 + 1
    assert b["projected_costs"] is None  # view 12 has no "Cost to Date" column
    assert b["approved_changes"] == D("200.00")  # untouched measures keep their defaults
    mapped = filled.execute("SELECT label FROM marts.budget_label_map WHERE measure = 'revised_budget'").fetchall()
    assert mapped == [("Current Budget",)]


@pytest.mark.parametrize("text, message", [
    ("{not json", "not valid JSON"),
    ('["Revised Budget"]', "must be a JSON object"),
    ('{"profit": ["Profit"]}', "unknown measure 'profit'"),
    ('{"revised_budget": [1]}', "label or a list of labels"),
])
def test_bad_label_map_is_refused_clearly(text, message):
    with pytest.raises(TransformSettingsError, match=message):
        parse_budget_labels(text)


def test_odd_amounts_are_read_or_left_out_and_counted(filled):
    """Procore money strings with "$", thousands separators and accounting negatives are read; a cell
    that is still not a number is NULL (left out of the sums) and counted, and the model still builds."""
    filled.execute("""UPDATE raw.budget_rows
                      SET label_amounts = '{"Revised Budget": "N/A", "Committed Costs": "$1,500.00",
                                            "Direct Costs": "(50.00)"}'
                      WHERE budget_row_id = '1001'""")
    run_all(filled, TransformSettings(now=NOW))
    b = budget(filled, 1)
    # row 1001 was 1100 / 500 / 50; the other rows of view 11 give 4800 / 4750 / 10
    assert (b["revised_budget"], b["committed_costs"], b["direct_costs"]) == (D("4800.00"), D("6250.00"), D("-40.00"))
    cells = filled.execute("SELECT budget_row_id, unreadable_cells FROM marts.budget_row_measures"
                           " WHERE project_id = 1 AND unreadable_cells > 0").fetchall()
    assert cells == [("1001", 1)]
