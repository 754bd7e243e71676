"""The project list of a group or company token: key figures, search, sorting, pagination."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import formatting as fmt
from dashboard.views import health_button, open_project

PAGE_SIZE = 20
SORTS = {
    "Name": ("project_name", True),
    "Number": ("project_number", True),
    "Most overdue RFIs": ("rfis_overdue", False),
    "Most overdue submittals": ("submittals_overdue", False),
    "Most over budget": ("projected_over_under", True),
    "Most open RFIs": ("rfis_open", False),
    "Least recently synced": ("last_synced_at", True),
}
COLUMN_WIDTHS = [3.2, 1.2, 1.2, 1.4, 1.2, 1.2]


def filter_and_sort(df: pd.DataFrame, search: str, sort: str) -> pd.DataFrame:
    """Rows whose name or number contains `search` (case-insensitive), ordered by `sort`."""
    needle = search.strip().casefold()
    if needle:
        hay = df["project_name"].fillna("").str.casefold() + " " + df["project_number"].fillna("").str.casefold()
        df = df[hay.str.contains(needle, regex=False)]
    column, ascending = SORTS.get(sort, SORTS["Name"])
    return df.sort_values([column, "project_name", "project_id"], ascending=[ascending, True, True],
                          na_position="last", kind="stable")


def _summary(df: pd.DataFrame) -> None:
    cards = st.columns(5)
    over = df["projected_over_under"].dropna()
    cards[0].metric("Projects", fmt.count(len(df)), border=True)
    cards[1].metric("Open RFIs", fmt.count(df["rfis_open"].sum()), border=True)
    cards[2].metric("Overdue RFIs", fmt.count(df["rfis_overdue"].sum()), border=True)
    cards[3].metric("Overdue submittals", fmt.count(df["submittals_overdue"].sum()), border=True)
    cards[4].metric("Projects over budget", fmt.count((over < 0).sum()), border=True)


def overdue_text(value) -> str:
    """`:red[3 overdue]` when anything is overdue; a calm `:gray[0 overdue]` when nothing is."""
    color = "red" if not fmt.is_missing(value) and int(value) > 0 else "gray"
    return f":{color}[{fmt.count(value)} overdue]"


def _row(row) -> None:
    cols = st.columns(COLUMN_WIDTHS + [1.4], vertical_alignment="center")
    cols[0].markdown(f"**{fmt.md(row.project_name)}**  \n:gray[{fmt.md(fmt.text_or_blank(row.project_number))}]")
    cols[1].markdown(f"{fmt.count(row.rfis_open)} open  \n{overdue_text(row.rfis_overdue)}")
    cols[2].markdown(f"{fmt.count(row.submittals_open)} open  \n{overdue_text(row.submittals_overdue)}")
    if fmt.is_missing(row.budget_view_name):
        cols[3].markdown(":gray[No budget view]")
    else:
        value = row.projected_over_under
        color = "red" if not fmt.is_missing(value) and value < 0 else "green"
        cols[3].markdown(f":{color}[{fmt.money(value, signed=True)}]")
    cols[4].markdown(f":gray[{fmt.ago(row.last_synced_at)}]")
    cols[5].markdown(f":gray[{fmt.md(fmt.text_or_blank(row.stage))}]")
    cols[6].button("View dashboard", key=f"open_{row.project_id}", on_click=open_project,
                   args=(int(row.project_id),), width="stretch")


def render(df: pd.DataFrame, show_health: bool = False) -> None:
    """The list page for the projects in `df` (already limited to the token's scope); `show_health` adds
    the button to the pipeline-health view (company tokens)."""
    st.title("Projects", anchor=False)
    synced = df["last_synced_at"].max() if len(df) else None
    st.caption(f"{len(df)} projects · synced {fmt.ago(synced)}")
    if show_health:
        health_button()
    _summary(df)
    left, right = st.columns([3, 1])
    search = left.text_input("Search", key="search", placeholder="Search by project name or number",
                             label_visibility="collapsed")
    sort = right.selectbox("Sort by", list(SORTS), key="sort", label_visibility="collapsed")
    shown = filter_and_sort(df, search, sort)
    if shown.empty:
        st.info("No project matches your search.", icon="🔎")
        return
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    page = 1
    if pages > 1:
        page = int(st.number_input(f"Page (of {pages})", min_value=1, max_value=pages, value=1, key="page"))
    header = st.columns(COLUMN_WIDTHS + [1.4])
    for col, label in zip(header, ["Project", "RFIs", "Submittals", "Budget over/under", "Last synced",
                                   "Stage", ""], strict=True):
        col.markdown(f"**{label}**" if label else "")
    for row in shown.iloc[(page - 1) * PAGE_SIZE: page * PAGE_SIZE].itertuples(index=False):
        with st.container(border=True):
            _row(row)
