"""Altair charts of the project dashboard; each takes a small DataFrame from `queries`."""

from __future__ import annotations

import altair as alt
import pandas as pd

OPENED, CLOSED = "#f47e42", "#2f7ed8"  # Procore-ish orange and a calm blue


def every_week(df: pd.DataFrame) -> pd.DataFrame:
    """`df` (one row per week with activity) with the quiet weeks in between filled with zeros, so the
    chart's evenly spaced weeks are evenly spaced in time."""
    weeks = pd.to_datetime(df["week_start"])
    full = pd.DataFrame({"week_start": pd.date_range(weeks.min(), weeks.max(), freq="7D")})
    counts = df.assign(week_start=weeks)[["week_start", "rfis_opened", "rfis_closed"]]
    return full.merge(counts, on="week_start", how="left").fillna({"rfis_opened": 0, "rfis_closed": 0})


def rfis_per_week(df: pd.DataFrame) -> alt.Chart:
    """Grouped bars of RFIs opened and closed per week, quiet weeks included."""
    long = every_week(df).melt("week_start", ["rfis_opened", "rfis_closed"], var_name="series", value_name="rfis")
    long["series"] = long["series"].map({"rfis_opened": "Opened", "rfis_closed": "Closed"})
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            # The weeks can span years: every label carries its year, and labels thin out instead of overlapping.
            x=alt.X("yearmonthdate(week_start):O", title="Week of",
                    axis=alt.Axis(format="%b %d, %Y", labelAngle=-40, labelOverlap="greedy")),
            xOffset="series:N",
            y=alt.Y("rfis:Q", title="RFIs", axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color("series:N", title=None, scale=alt.Scale(domain=["Opened", "Closed"],
                                                                   range=[OPENED, CLOSED])),
            tooltip=[alt.Tooltip("week_start:T", title="Week of", format="%b %d, %Y"), "series:N", "rfis:Q"],
        )
        .properties(height=260)
    )


def open_rfis_over_time(df: pd.DataFrame) -> alt.Chart:
    """Lines of open and overdue RFIs per day, from the daily metric history."""
    long = df.melt("metric_date", ["rfis_open", "rfis_overdue"], var_name="series", value_name="rfis")
    long["series"] = long["series"].map({"rfis_open": "Open", "rfis_overdue": "Overdue"})
    return (
        alt.Chart(long)
        .mark_line(point=False, strokeWidth=2)
        .encode(
            x=alt.X("metric_date:T", title=None, axis=alt.Axis(format="%b %d, %Y", labelAngle=-40)),
            y=alt.Y("rfis:Q", title="RFIs", axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color("series:N", title=None, scale=alt.Scale(domain=["Open", "Overdue"],
                                                                   range=[CLOSED, "#d62728"])),
            tooltip=[alt.Tooltip("metric_date:T", title="Date", format="%b %d, %Y"), "series:N", "rfis:Q"],
        )
        .properties(height=260)
    )


def submittals_by_status(df: pd.DataFrame) -> alt.Chart:
    """Horizontal bars of submittals per company status label, coloured by Draft/Open/Closed."""
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("status_name:N", title=None, sort="-x"),
            x=alt.X("submittals:Q", title="Submittals", axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color("status:N", title=None, scale=alt.Scale(domain=["Draft", "Open", "Closed"],
                                                                   range=["#9e9e9e", OPENED, CLOSED])),
            tooltip=["status_name:N", "status:N", "submittals:Q"],
        )
        .properties(height=260)
    )


def budget_by_cost_code(df: pd.DataFrame, limit: int = 15) -> alt.Chart:
    """Revised budget against projected costs for the cost codes with the largest budgets."""
    top = df.nlargest(limit, "revised_budget")
    long = top.melt("cost_code", ["revised_budget", "projected_costs"], var_name="measure", value_name="amount")
    long["measure"] = long["measure"].map({"revised_budget": "Revised budget", "projected_costs": "Projected costs"})
    long["amount"] = long["amount"].astype(float)
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("cost_code:N", title="Cost code", sort=top["cost_code"].tolist()),
            yOffset="measure:N",
            x=alt.X("amount:Q", title="USD", axis=alt.Axis(format="$,.0f")),
            color=alt.Color("measure:N", title=None, scale=alt.Scale(domain=["Revised budget", "Projected costs"],
                                                                    range=[CLOSED, OPENED])),
            tooltip=["cost_code:N", "measure:N", alt.Tooltip("amount:Q", format="$,.0f")],
        )
        .properties(height=max(220, 34 * len(top)))
    )
