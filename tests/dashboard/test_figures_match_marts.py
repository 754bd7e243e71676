"""Every percentage, money figure and count the pages show, read back from the rendered page and compared with
the marts the real pipeline published: a view that formats a mart in the wrong unit fails here.

Values are parsed back from their text (`$1.86M`, `+$420K`, `75%`) and compared with the mart within the
precision of the display, so the check does not reuse the view's own formatter.
"""

from __future__ import annotations

import json
import re

import pytest
from app_pages import run_app

MONEY = re.compile(r"^([+-]?)\$([\d,.]+)([KMB]?)$")
SCALE = {"": 1, "K": 1e3, "M": 1e6, "B": 1e9}


def parse_money(text: str) -> float:
    """`$1.86M` -> 1860000.0, `-$812` -> -812.0, `+$50.3K` -> 50300.0."""
    match = MONEY.match(text.strip())
    assert match, f"not a money figure: {text!r}"
    sign, digits, suffix = match.groups()
    return (-1 if sign == "-" else 1) * float(digits.replace(",", "")) * SCALE[suffix]


def close_to(shown: float, expected: float, text: str) -> None:
    """Three significant digits on the KPI cards (`.3g`), whole dollars elsewhere."""
    tolerance = max(0.51, abs(expected) * 0.005)
    assert abs(shown - expected) <= tolerance, f"{text!r} shows {shown}, the mart holds {expected}"


def _metrics(at) -> dict[str, object]:
    return {m.label: m for m in at.metric}


@pytest.mark.parametrize("which", ["main", "second", "csv"])
def test_project_kpis_match_project_metrics(dash_env, which):
    real = dash_env.real
    pid = getattr(real, which)
    m = real.metrics(pid)
    at = run_app(api_token=dash_env.token("Project", pid))
    assert not at.exception
    cards = _metrics(at)
    for label, column in (("Revised budget", "revised_budget"), ("Projected costs", "projected_costs"),
                          ("Over/under", "projected_over_under")):
        text = cards[label].value
        close_to(parse_money(text), float(m[column]), text)
    assert cards["Over/under"].value.startswith("+" if m["projected_over_under"] > 0 else "-")
    # The help texts carry the exact amounts.
    assert cards["Revised budget"].help.startswith(f"${float(m['revised_budget']):,.0f} in the budget view")
    assert cards["Committed"].help.startswith(f"${float(m['committed_costs']):,.0f} committed")
    # Committed is a share of the revised budget: recomputed here from the two amounts, not from pct_committed.
    share = float(m["committed_costs"]) / float(m["revised_budget"])
    assert cards["Committed"].value == f"{round(share * 100)}%"
    assert 0 <= share <= 1.5  # a sane committed share, whatever the unit a mart used
    rfi_open, rfi_overdue, sub_open, sub_overdue = [c.value for c in at.metric if c.label in ("Open", "Overdue")]
    assert (rfi_open, rfi_overdue) == (str(m["rfis_open"]), str(m["rfis_overdue"]))
    assert (sub_open, sub_overdue) == (str(m["submittals_open"]), str(m["submittals_overdue"]))


def test_overdue_tables_match_overdue_items(dash_env):
    real = dash_env.real
    at = run_app(api_token=dash_env.token("Project", real.csv))
    rfis, submittals = (df.value for df in at.dataframe)
    for shown, kind in ((rfis, "rfi"), (submittals, "submittal")):
        rows = real.query("SELECT number, title, days_overdue FROM marts.overdue_items WHERE project_id = ? "
                          "AND item_type = ? ORDER BY days_overdue DESC, number", (real.csv, kind))
        assert list(zip(shown["number"], shown["title"], shown["days_overdue"], strict=True)) == rows
        assert rows  # the snapshot really has overdue items of both kinds for this project


def test_list_figures_match_project_metrics(dash_env):
    real = dash_env.real
    rows = real.query("SELECT project_id, rfis_open, rfis_overdue, submittals_open, submittals_overdue, "
                      "projected_over_under, budget_view_name FROM marts.project_metrics WHERE company_id = ?",
                      (real.company,))
    at = run_app(api_token=dash_env.token("Company", real.company))
    cards = {m.label: m.value for m in at.metric}
    assert cards["Projects"] == str(len(rows))
    assert cards["Open RFIs"] == f"{sum(r[1] for r in rows):,}"
    assert cards["Overdue RFIs"] == f"{sum(r[2] for r in rows):,}"
    assert cards["Overdue submittals"] == f"{sum(r[4] for r in rows):,}"
    assert cards["Projects over budget"] == str(sum(1 for r in rows if r[5] is not None and r[5] < 0))
    cells = [m.value for m in at.markdown]
    for pid, rfi_open, rfi_overdue, sub_open, sub_overdue, over_under, view in rows:
        assert any(c.startswith(f"{rfi_open} open") and f"{rfi_overdue} overdue" in c for c in cells), pid
        assert any(c.startswith(f"{sub_open} open") and f"{sub_overdue} overdue" in c for c in cells), pid
        if view is not None and over_under is not None:
            money = [c for c in cells if re.fullmatch(r":(red|green)\[[+-]?\$[\d,]+\]", c)]
            assert any(abs(parse_money(c.split("[", 1)[1].rstrip("]")) - float(over_under)) <= 0.51
                       for c in money), pid


def test_nothing_overdue_is_not_red(dash_env):
    real = dash_env.real
    at = run_app(api_token=dash_env.token("Company", real.company))
    cells = [m.value for m in at.markdown]
    assert any(":gray[0 overdue]" in c for c in cells)  # e.g. the project created with nothing in it
    assert not any(":red[0 overdue]" in c for c in cells)
    assert any(re.search(r":red\[[1-9]\d* overdue\]", c) for c in cells)  # what is overdue still stands out


def test_weekly_chart_axis_carries_years(dash_env):
    """The weeks of a long project cross New Year: each label says which year it is."""
    real = dash_env.real
    at = run_app(api_token=dash_env.token("Project", real.main))
    weekly = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert weekly["encoding"]["x"]["axis"]["format"] == "%b %d, %Y"
    assert weekly["encoding"]["x"]["axis"]["labelOverlap"] == "greedy"
