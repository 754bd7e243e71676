"""The dashboard of one project: header, KPI cards, charts, overdue tables and CSV downloads."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, queries
from dashboard import formatting as fmt
from dashboard.views import back_to_list

LINK_COLUMNS = {"url": st.column_config.LinkColumn("Open in Procore", display_text="Open ↗")}


def _header(m: dict) -> None:
    st.title(fmt.md(m["project_name"]), anchor=False)
    bits = [b for b in (m.get("project_number"), m.get("stage")) if not fmt.is_missing(b) and b]
    bits.append(f"synced {fmt.ago(m.get('last_synced_at'))}")
    st.caption(" · ".join(fmt.md(b) for b in bits))
    url = fmt.safe_url(m.get("procore_url"))
    if url:
        st.link_button("Open project in Procore ↗", url)


def _kpis(m: dict) -> None:
    rfi, sub = st.columns(2)
    with rfi:
        st.subheader("RFIs", anchor=False)
        a, b, c = st.columns(3)
        a.metric("Open", fmt.count(m["rfis_open"]), border=True)
        b.metric("Overdue", fmt.count(m["rfis_overdue"]), border=True)
        c.metric("Days to close", fmt.days(m["rfi_avg_days_to_close"]).replace(" days", ""), border=True,
                 help="Average days from opening to closing an RFI")
    with sub:
        st.subheader("Submittals", anchor=False)
        a, b, c = st.columns(3)
        a.metric("Open", fmt.count(m["submittals_open"]), border=True)
        b.metric("Overdue", fmt.count(m["submittals_overdue"]), border=True)
        c.metric("Review days", fmt.days(m["submittal_avg_review_days"]).replace(" days", ""), border=True,
                 help="Average days a submittal spends in review")
    st.subheader("Budget", anchor=False)
    if fmt.is_missing(m.get("budget_view_name")):
        st.info("This project has no budget view in Procore, so there are no budget figures.", icon="💰")
        return
    a, b, c, d = st.columns(4)
    a.metric("Revised budget", fmt.compact_money(m["revised_budget"]), border=True,
             help=f"{fmt.money(m['revised_budget'])} in the budget view {fmt.md(m['budget_view_name'])}")
    b.metric("Projected costs", fmt.compact_money(m["projected_costs"]), border=True,
             help=fmt.money(m["projected_costs"]))
    over = m["projected_over_under"]
    c.metric("Over/under", fmt.compact_money(over, signed=True), border=True,
             delta=None if fmt.is_missing(over) else ("over budget" if over < 0 else "under budget"),
             delta_color="inverse" if not fmt.is_missing(over) and over < 0 else "normal",
             help="Revised budget minus projected costs: positive is under budget")
    d.metric("Committed", fmt.percent(m.get("pct_committed")), border=True,
             help=f"{fmt.money(m['committed_costs'])} committed of the revised budget")


@st.cache_data(ttl=queries.CACHE_TTL_SECONDS, show_spinner=False, max_entries=512)
def chart_specs(path: str, version: str, pid: int) -> dict[str, dict | None]:
    """Vega-Lite specs of the project's four charts (None where there is nothing to draw), cached.

    Built once per snapshot version and project with Altair, without re-validating the schema.
    """
    data = queries.project_bundle(path, version, pid)
    m = data["metrics"].iloc[0].to_dict() if len(data["metrics"]) else {}
    weekly, daily, subs, budget = data["rfi_weekly"], data["daily"], data["submittals"], data["budget"]
    charts_by_name = {
        "weekly": None if weekly.empty or int(m.get("rfis_total") or 0) == 0 else charts.rfis_per_week(weekly),
        "daily": None if daily.empty else charts.open_rfis_over_time(daily),
        "submittals": None if subs.empty or int(subs["submittals"].sum()) == 0
        else charts.submittals_by_status(subs),
        "budget": None if fmt.is_missing(m.get("budget_view_name")) or budget.empty
        else charts.budget_by_cost_code(budget),
    }
    return {name: None if chart is None else chart.to_dict(validate=False) for name, chart in charts_by_name.items()}


CHART_PANELS = (
    ("weekly", "RFIs opened and closed per week", "This project has no RFIs yet."),
    ("daily", "Open RFIs over time", "The daily history starts after the first daily sync."),
    ("submittals", "Submittals by status", "This project has no submittals yet."),
    ("budget", "Budget by cost code", "No budget view: budget by cost code is not available for this project."),
)


def _charts(specs: dict[str, dict | None]) -> None:
    for row in (CHART_PANELS[:2], CHART_PANELS[2:]):
        for col, (name, title, empty) in zip(st.columns(2), row, strict=True):
            with col.container(border=True):
                st.markdown(f"**{title}**")
                if specs[name] is None:
                    st.caption(empty)
                else:
                    st.vega_lite_chart(spec=specs[name], width="stretch")


OVERDUE_PANELS = (("rfi", "Overdue RFIs", "overdue RFIs"), ("submittal", "Overdue submittals", "overdue submittals"))
OVERDUE_COLUMNS = {
    **LINK_COLUMNS, "number": "No.", "title": "Title",
    "due_date": st.column_config.DateColumn("Due", format="MMM D, YYYY"),
    "days_overdue": st.column_config.NumberColumn("Days overdue", format="%d"), "ball_in_court": "Ball in court",
}


# A cell starting with one of these runs as a formula in Excel or LibreOffice (CSV injection, OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every text cell that a spreadsheet would run as a formula prefixed with `'`.

    Titles, numbers and names are typed by Procore users, so a downloaded CSV must not carry
    `=HYPERLINK(...)` or `@SUM(...)` into Excel; numbers and dates are not text and stay as they are.
    """
    def neutralise(value: object) -> object:
        return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) else value

    return frame.apply(lambda col: col.map(neutralise) if col.dtype == object or pd.api.types.is_string_dtype(col)
                       else col)


def overdue_csv(rows: pd.DataFrame) -> bytes:
    """The CSV download of an overdue table (UTF-8, no index, RFC 4180 CRLF rows), formula-looking cells
    neutralised. CRLF also makes the writer quote a bare CR inside a cell, which would otherwise split the row."""
    return csv_safe(rows).to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def _overdue(data: dict, pid: int) -> None:
    items = data["overdue"]
    for col, (kind, label, noun) in zip(st.columns(2), OVERDUE_PANELS, strict=True):
        with col.container(border=True):
            st.markdown(f"**{label}**")
            rows = items[items["item_type"] == kind].drop(columns="item_type") if len(items) else pd.DataFrame()
            if rows.empty:
                st.caption(f"No {noun}. ✅")
                continue
            rows = rows.assign(url=rows["url"].map(fmt.safe_url))
            st.dataframe(rows, hide_index=True, width="stretch", column_config=OVERDUE_COLUMNS)
            st.download_button(f"Download {noun} (CSV)", overdue_csv(rows),
                               file_name=f"{kind}s_overdue_{pid}.csv", mime="text/csv", key=f"csv_{kind}")


def render(path: str, version: str, pid: int, can_switch: bool) -> None:
    """The dashboard of project `pid` (already checked to be in the token's scope)."""
    if can_switch:
        st.button("← Switch project", key="switch_project", on_click=back_to_list)
    data = queries.project_bundle(path, version, pid)
    if data["metrics"].empty:
        st.info("This project has not been synced yet. Its dashboard appears after the next sync.", icon="⏳")
        return
    m = data["metrics"].iloc[0].to_dict()
    _header(m)
    _kpis(m)
    if int(m.get("rfis_total") or 0) == 0:
        st.info("This project has no RFIs yet.", icon="📄")
    _charts(chart_specs(path, version, pid))
    _overdue(data, pid)
